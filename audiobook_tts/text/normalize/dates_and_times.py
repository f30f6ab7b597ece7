"""Times of day ("3:30 pm", "four a.m."), dates ("12 March 1990", "March 12, 1990", "21/3/2017") and years
("1851", "the 1980s", "1914-18", "A.D. 476")."""

from __future__ import annotations

import re

from audiobook_tts.text.normalize.context import NormalizeContext
from audiobook_tts.text.normalize.numbers import cardinal, ordinal, year


def _plural_of_number_word(words: str) -> str:
    """ "nineteen eighty" -> "nineteen eighties", "nineteen hundred" -> "nineteen hundreds"."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


_MERIDIEM = r"(?:([ap])\.?m\.?|([AP])\.?M\.?)(?![\w])"


def _meridiem(match: re.Match[str], first: int) -> str:
    letter = match[first] or match[first + 1]
    return f" {letter.upper()} M" if letter else ""


# "at four a.m.", "eleven, a.m.", "twelve o'clock p.m.": an hour the book spelled out
_SPELLED_HOUR = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|o'clock|o’clock)(,?) ?"
    r"([ap])\.m\.(?!\w)",
    re.I,
)


def spelled_times(text: str, ctx: NormalizeContext) -> str:
    """four a.m. -> four A M, as "4 a.m." is read: the letters, not the abbreviation the model may skip."""
    return _SPELLED_HOUR.sub(lambda m: f"{m[1]}{m[2]} {m[3].upper()} M", text)


def times(text: str, ctx: NormalizeContext) -> str:
    """3:30 pm -> three thirty P M; 3:05 -> three oh five; 10:00 -> ten o'clock; 5 p.m. -> five P M."""

    def clock(match: re.Match[str]) -> str:
        hours, minutes = int(match[1]), int(match[2])
        if hours > 24 or minutes > 59:
            return match[0]
        said = cardinal(hours)
        if minutes == 0:
            said += "" if match[3] or match[4] else " o'clock"
        elif minutes < 10:
            said += f" oh {cardinal(minutes)}"
        else:
            said += f" {cardinal(minutes)}"
        return said + _meridiem(match, 3)

    text = re.sub(rf"\b(\d{{1,2}})[:.](\d{{2}})(?:\s?{_MERIDIEM})", clock, text)
    text = re.sub(r"\b(\d{1,2}):(\d{2})\b(?!:\d)()()", clock, text)
    return re.sub(rf"\b(\d{{1,2}}) ?{_MERIDIEM}", lambda m: cardinal(int(m[1])) + _meridiem(m, 2), text)


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_ABBREVIATIONS = {m[:3]: m for m in _MONTHS} | {"Sept": "September"}
_MONTH = "|".join(_MONTHS + [rf"{short}\.?" for short in _MONTH_ABBREVIATIONS])


def _month(written: str) -> str:
    return _MONTH_ABBREVIATIONS.get(written.rstrip("."), written.rstrip("."))


# words that already say which day: no "the" is added before a day-first date after them ("that" is left
# out: "said that 5 March was late" is the conjunction far more often than "that 5th of March")
_DETERMINERS = set("this these those every each very same his her its my our your their next last a".split())


def dates(text: str, ctx: NormalizeContext) -> str:
    """12 March 1990 -> the twelfth of March nineteen ninety;
    March 12, 1990 -> March twelfth, nineteen ninety."""

    def day_first(match: re.Match[str]) -> str:
        day = int(match[2])
        if not 1 <= day <= 31:
            return match[0]
        before = re.search(r"(\w+)\W*$", text[: match.start()])
        # "the 21st of" keeps one "the"; "this very 2nd of October", "every 1st of May" take none
        article = match[1] or ("" if before and before[1].lower() in _DETERMINERS else "the ")
        if article == "the " and not text[: match.start()].strip(" “‘\"'(«"):
            article = "The "  # it opens the sentence, after a quote too: a letter's “12 August.
        said = f"{article.strip()} {ordinal(day)} of {_month(match[3])}".lstrip()
        return said + (f" {year(int(match[4]))}" if match[4] else "")

    def month_first(match: re.Match[str]) -> str:
        day = int(match[2])
        if not 1 <= day <= 31:
            return match[0]
        said = f"{_month(match[1])} {ordinal(day)}"
        return said + (f", {year(int(match[3]))}" if match[3] else "")

    # (?!\w), not \b: "the 3rd Aug. we left" takes the abbreviation's period, which is no stop
    day = rf"(?:\b([Tt]he) )?\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH})(?: (\d{{3,4}}))?(?!\w)"
    text = re.sub(day, day_first, text)
    text = re.sub(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}})\b)?(?! ?%)", month_first, text)
    # "Sept. 1859", "Jan. 1851": a month abbreviated before its year ("Sept." is no word of its own)
    text = _MONTH_YEAR.sub(lambda m: f"{_month(m[1])} {year(int(m[2]))}", text)
    return _NUMERIC_DATE.sub(numeric_date, text)


_MONTH_YEAR = re.compile(rf"\b({'|'.join(_MONTH_ABBREVIATIONS)})\. (\d{{4}})\b")


# 21/3/2017 and 3/21/2017 are dates; 3/4/2017 could be either, so it is left to the numbers.
_NUMERIC_DATE = re.compile(r"(?<![\w/.])(\d{1,2})/(\d{1,2})/(\d{4})(?![\w/])")


def numeric_date(match: re.Match[str]) -> str:
    first, second, year_written = int(match[1]), int(match[2]), int(match[3])
    if first > 12 and 1 <= second <= 12 and first <= 31:
        return f"the {ordinal(first)} of {_MONTHS[second - 1]} {year(year_written)}"
    if second > 12 and 1 <= first <= 12 and second <= 31:
        return f"{_MONTHS[first - 1]} {ordinal(second)}, {year(year_written)}"
    return match[0]


def _year_or_cardinal(written: str, plural: bool = False) -> str:
    value = int(written)
    if not 1100 <= value <= 2099:
        return _plural_of_number_word(cardinal(value)) if plural else cardinal(value)
    said = year(value)
    return _plural_of_number_word(said) if plural else said


# A number that can only be a year: after an era or "circa", before an era, or after "in"/"year" (which
# alone lets 1066 be "ten sixty-six": "1050 men" stays a count).
_ERA_YEAR = re.compile(
    r"(\b(?:A D|AD|C E|CE|circa) )(\d{3,4})\b(?![.,]\d)"
    r"|()(?<![\w.,$£€¥–-])(\d{3,4})(?= (?:A D|AD|B C E|B C|BCE|BC|C E|CE)\b)"
    r"|(\b(?:[Ii]n|year|[Ss]ince|[Uu]ntil|[Tt]ill) )(1\d{3})\b(?![.,]\d|'?s\b|[-–]\d)"  # a range: below
)


def _era_year(match: re.Match[str]) -> str:
    before, written = next((match[i], match[i + 1]) for i in (1, 3, 5) if match[i + 1])
    return before + year(int(written))


def years(text: str, ctx: NormalizeContext) -> str:
    """1984 -> nineteen eighty-four, 1980s -> nineteen eighties, 1914-18 -> nineteen fourteen to eighteen,
    A.D. 476 -> A D four seventy-six."""
    text = _ERA_YEAR.sub(_era_year, text)
    text = re.sub(
        r"(?<![\w.,$£€¥-])(\d{4})[-–](\d{4}|\d{2})(?![\w.,]\d|\w)",
        lambda m: f"{_year_or_cardinal(m[1])} to {_year_or_cardinal(m[2])}",
        text,
    )
    text = re.sub(
        r"(?<![\w.,$£€¥-])(\d{4})('?s)?(?![\w.,]\d|\w)", lambda m: _year_or_cardinal(m[1], bool(m[2])), text
    )
    # "mid-1960s", "pre-1914": a prefix and a hyphen before a year
    text = re.sub(
        r"(?<=[A-Za-z]-)(\d{4})('?s)?(?![\w.,]\d|\w)", lambda m: _year_or_cardinal(m[1], bool(m[2])), text
    )
    # '60s and 60s: decades
    return re.sub(r"(?<![\w.,])['’]?(\d0)s\b", lambda m: _plural_of_number_word(cardinal(int(m[1]))), text)
