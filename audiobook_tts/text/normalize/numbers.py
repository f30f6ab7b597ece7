"""Numbers in words: the number words every other rule says (`cardinal`, `ordinal`, `year`, `digits`), and
the English rules for numbers that are neither money, a date nor a measure: percentages, fractions, decimals
without their zero, phone numbers, ranges, ordinals and whatever numbers remain."""

from __future__ import annotations

import re
from decimal import Decimal

from num2words import num2words

from audiobook_tts.text.normalize.context import NormalizeContext


def cardinal(number: int | Decimal, lang: str = "en") -> str:
    """A number in words, without the commas num2words puts between groups ("sixty-five thousand, five
    hundred"): the segmenter cuts long sentences at commas, and a number must never be cut."""
    return num2words(number, lang=lang).replace(",", "")


def ordinal(number: int, lang: str = "en") -> str:
    return num2words(number, lang=lang, to="ordinal").replace(",", "")


def year(number: int) -> str:
    return num2words(number, lang="en", to="year").replace(",", "")


def digits(text: str) -> str:
    """Read a digit string digit by digit: "0800" -> "zero eight zero zero"."""
    return " ".join(cardinal(int(d)) for d in text if d.isdigit())


_HAS_DIGIT = re.compile(r"\d")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


def _read_number(written: str) -> str:
    """A whole number in words; a decimal's fraction digit by digit, as it is written: "1.10" -> "one point
    one zero", "3.0" -> "three point zero" (a version number is not the same as "1.1")."""
    whole, _, fraction = written.replace(",", "").partition(".")
    said = cardinal(int(whole or "0"))
    return f"{said} point {digits(fraction)}" if fraction else said


def percentages(text: str, ctx: NormalizeContext) -> str:
    """50% -> fifty percent; 1.5 % -> one point five percent."""
    return re.sub(
        rf"(-?)({_NUMBER}) ?%", lambda m: ("minus " if m[1] else "") + _read_number(m[2]) + " percent", text
    )


# "4⁄5": a fraction the book typeset keeps its fraction slash (`unicode_cleanup`), for the rules that read it
FRACTION_SLASH = "\u2044"


_FRACTION_NAMES = {
    2: ("half", "halves"),
    3: ("third", "thirds"),
    4: ("quarter", "quarters"),
    8: ("eighth", "eighths"),
}


def _fraction(top: int, bottom: int) -> str | None:
    """3/4 -> "three quarters"; None for a fraction not commonly said that way."""
    if bottom not in _FRACTION_NAMES or not 0 < top < bottom:
        return None
    return f"{cardinal(top)} {_FRACTION_NAMES[bottom][top > 1]}"


def fraction_said(top: int, bottom: int, after_whole: bool = False) -> str:
    """Any fraction as a reader says it: 5/11 -> "five elevenths", 19/32 -> "nineteen thirty-seconds", 1/2 ->
    "one half"; after a whole number one part is "a"/"an" ("three and a half", "and an eighth")."""
    if bottom < 2:
        return f"{cardinal(top)} over {cardinal(bottom)}"
    one, many = _FRACTION_NAMES.get(bottom) or (ordinal(bottom), ordinal(bottom) + "s")
    if top != 1:
        return f"{cardinal(top)} {many}"
    if after_whole:
        return f"{'an' if one[0] in 'aeiou' else 'a'} {one}"
    return f"one {one}"


# "⅘ths" writes the ending out: it is said once
_TYPESET_FRACTION = re.compile(r"(?<![\d,.])(\band )?(\d+)\u2044(\d+)(?:(?:st|nd|rd|th)s?\b)?(?![\d\u2044])")


def typeset_fractions(text: str, ctx: NormalizeContext) -> str:
    """3⅘ -> "3 and four fifths", 85,179⁵⁄₁₁ -> "85,179 and five elevenths" (the whole number is left to
    the number rules after this one): a fraction the book typeset as one is one, whatever its denominator.
    `unicode_cleanup` wrote them "3 and 4⁄5"; units and pence read theirs before this rule."""

    def said(match: re.Match[str]) -> str:
        return (match[1] or "") + fraction_said(int(match[2]), int(match[3]), after_whole=bool(match[1]))

    return _TYPESET_FRACTION.sub(said, text)


# ".04 of an inch", "namely .982": a decimal written without its leading zero
_BARE_DECIMAL = re.compile(r"(?<![\w.,])\.(\d+)(?![\d.,]*\d)")
# "33°.08", as older tables write 33.08°
_DEGREES_BEFORE_POINT = re.compile(r"(?<![\d.])(\d+)°\.(\d+)")


def bare_decimals(text: str, ctx: NormalizeContext) -> str:
    """A decimal without its leading zero is read as written (".04" -> "point zero four"), not left to lose
    the space before its point; "33°.08" is 33.08 degrees."""
    text = _DEGREES_BEFORE_POINT.sub(r"\1.\2°", text)
    return _BARE_DECIMAL.sub(lambda m: f"point {digits(m[1])}", text)


_PHONE = re.compile(r"(?<![\w-])(?:\+\d{1,3}[ -])?(?:\(\d{3}\) ?|\d{3}[ -])?\d{3}-\d{4}(?![\w-])")


# "UT 84116", "NY 10001-1234" (the state may already be spelled "U T" by the capitals rule)
_POSTCODE = re.compile(r"(?:(?<=\b[A-Z]{2} )|(?<=\b[A-Z] [A-Z] ))(\d{5})(?:-(\d{4}))?\b")


def phone_numbers(text: str, ctx: NormalizeContext) -> str:
    """Phone-like strings, US postcodes after a state ("UT 84116") and digit strings with a leading zero are
    read digit by digit (groups as pauses)."""
    text = _PHONE.sub(lambda m: ", ".join(digits(group) for group in re.findall(r"\d+", m[0])), text)
    text = _POSTCODE.sub(lambda m: " ".join(digits(group) for group in m.groups() if group), text)
    return re.sub(r"(?<![\w.,])0\d+(?![\w.,]\d)", lambda m: digits(m[0]), text)


# "pp. 180-1" is pages 180 to 181: the second number gives only the digits that change.
_PAGE_RANGE = re.compile(r"\b((?:page|line|folio|column|verse)s? )(\d+) ?[-–] ?(\d+)(?![\w-])")


def _page_range(match: re.Match[str]) -> str:
    first, last = match[2], match[3]
    if len(last) < len(first):
        completed = first[: len(first) - len(last)] + last
        if int(completed) > int(first):
            last = completed
    return f"{match[1]}{cardinal(int(first))} to {cardinal(int(last))}"


def page_ranges(text: str, ctx: NormalizeContext) -> str:
    """pages 180-1 -> pages one hundred and eighty to one hundred and eighty-one (never a year: pages
    1096-104 are not "ten ninety-six")."""
    return _PAGE_RANGE.sub(_page_range, text)


def ranges(text: str, ctx: NormalizeContext) -> str:
    """10-20 -> ten to twenty (a dash between two numbers)."""
    return re.sub(
        rf"(?<![\w.,-])({_NUMBER}) ?[-–] ?({_NUMBER})(?![\w-])",
        lambda m: f"{_read_number(m[1])} to {_read_number(m[2])}",
        text,
    )


def ordinals(text: str, ctx: NormalizeContext) -> str:
    """1st -> first, 23rd -> twenty-third, and the older 2d, 3d -> second, third."""
    return re.sub(r"\b(\d+)(?:st|nd|rd|th|d)\b", lambda m: ordinal(int(m[1])), text)


def fractions(text: str, ctx: NormalizeContext) -> str:
    """1/2 -> one half, 3/4 -> three quarters (common fractions only; other slashes are left to `symbols`)."""

    return re.sub(r"(?<![\w/])(\d)/(\d)(?![\w/])", lambda m: _fraction(int(m[1]), int(m[2])) or m[0], text)


def cardinals(text: str, ctx: NormalizeContext) -> str:
    """What numbers remain: -5 -> minus five, 3.14 -> three point one four, 1,000,000 -> one million, 4.2.1 ->
    four point two point one."""
    text = re.sub(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.]*\d)", lambda m: _ip_address(m[1]), text)
    text = re.sub(
        r"\b\d+(?:\.\d+){2,}\b", lambda m: " point ".join(cardinal(int(p)) for p in m[0].split(".")), text
    )
    text = re.sub(rf"(?<![\w.,])-({_NUMBER})\b", lambda m: "minus " + _read_number(m[1]), text)
    # A number glued to letters ("B52", "MP3") is still read, set off by spaces.
    return re.sub(
        rf"(?<![\d.,])({_NUMBER})(?![\d])",
        lambda m: _spaced(_read_number(m[1]), text, m.start(), m.end()),
        text,
    )


def _ip_address(written: str) -> str:
    """192.168.0.1 -> "one nine two dot one six eight dot zero dot one" (four groups of at most 255)."""
    groups = written.split(".")
    if any(int(group) > 255 for group in groups):
        return " point ".join(cardinal(int(group)) for group in groups)
    return " dot ".join(digits(group) for group in groups)


def _spaced(said: str, text: str, start: int, end: int) -> str:
    before = " " if start > 0 and text[start - 1].isalpha() else ""
    after = " " if end < len(text) and text[end].isalpha() else ""
    return before + said + after
