"""Normalisation for speech: written English becomes the words a reader would say.

The model reads letters, not conventions: "$3.50", "Henry VIII", "Dr." or "5 km" come out garbled or skipped
unless they are spelled the way they are spoken. Each rule below is a small named function `str -> str`;
`normalize` runs them in a fixed order (the order matters: money before plain numbers, abbreviations before
the all-caps rule).

It works on one sentence at a time (sentence splitting happens first, on the written text), so a rule can look
at its neighbours but never across a sentence boundary.

Choices a listener would notice, documented here once:
* 4-digit integers 1100-2099 are read as years ("1851" -> "eighteen fifty-one") unless they carry a unit, a
  percent sign or a thousands comma; the year reading of round numbers ("fifteen hundred") is also a fine
  cardinal.
* All-caps words: a sentence that is mostly capitals (headings, shouting) is lowered to sentence case.
  Inside ordinary text an all-caps word of 2-5 letters is an acronym: spelled letter by letter ("BBC" -> "B
  B C") when it has no vowel or at most 3 letters, else read as a word ("NASA" -> "Nasa"); common English
  words written in capitals for emphasis ("NO", "STOP") and consonant-vowel-consonant triples ("MIX", "DID")
  are simply lowered.
* URLs and e-mail addresses are read in a short form by default ("example dot com", "jane at example dot
  com": the site, never the path), so the sentence around them stays whole; "speak" reads all of an address
  with "dot", "slash" and "at"; "drop" leaves them out.
* Numbers are never written with the commas num2words puts between groups (the segmenter cuts at commas);
  a decimal's fraction is read digit by digit ("1.10" -> "one point one zero"); an IP address group by group.
* Gutenberg's "--" is a dash; stray markup (TeX commands like \\newpage, braces, backticks, "[^1]" footnote
  markers, square brackets) is never spoken.
* Roman numerals are read only where they are numerals: after Chapter/Book/Part/Sect./... (also plural,
  with lists: "Chapters II and III"), before "century", in a heading that starts with one, and after a
  capitalised name (regnal: "Henry VIII" -> "Henry the eighth"; a lone I, V or
  X only after a known monarch's name, so the pronoun "I" and "Malcolm X" stay as they are).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from num2words import num2words

Rule = Callable[[str, "NormalizeContext"], str]


@dataclass
class NormalizeContext:
    """What a rule may know besides the sentence itself."""

    urls: Literal["short", "speak", "drop"] = "short"
    lexicon: dict[str, str] = field(default_factory=dict)
    replace_characters: dict[str, str] = field(default_factory=dict)
    heading: bool = False  # from a heading block (a leading roman numeral is a number there)
    verse: bool = False  # one line of verse (a dash at its end is a pause, not a speech broken off)
    language: str = "en"  # the English rules run only for English; other languages get the neutral ones


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


def _plural_of_number_word(words: str) -> str:
    """ "nineteen eighty" -> "nineteen eighties", "nineteen hundred" -> "nineteen hundreds"."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


# ----------------------------------------------------------------------------------------------------
# Unicode


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
_FRACTIONS = {
    "½": "one half",
    "⅓": "one third",
    "⅔": "two thirds",
    "¼": "one quarter",
    "¾": "three quarters",
    "⅛": "one eighth",
}
_FRACTIONS_AFTER_WHOLE = {
    "½": "a half",
    "⅓": "a third",
    "⅔": "two thirds",
    "¼": "a quarter",
    "¾": "three quarters",
    "⅛": "an eighth",
}
# The common fractions in our other languages: alone, and after a whole number with its "and" (German says
# "zweieinhalb" as one word; the others "due e mezzo", "deux et demi", "dos y medio", "dois e meio").
_FRACTION_WORDS = {  # its "and", and the words for ½ ⅓ ⅔ ¼ ¾ ⅛
    "de": ("und", "ein halb|ein Drittel|zwei Drittel|ein Viertel|drei Viertel|ein Achtel"),
    "fr": ("et", "un demi|un tiers|deux tiers|un quart|trois quarts|un huitième"),
    "it": ("e", "mezzo|un terzo|due terzi|un quarto|tre quarti|un ottavo"),
    "es": ("y", "medio|un tercio|dos tercios|un cuarto|tres cuartos|un octavo"),
    "pt": ("e", "meio|um terço|dois terços|um quarto|três quartos|um oitavo"),
}
_POWERS = {"²": " squared", "³": " cubed"}
FRACTION_SLASH = "\u2044"
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
# "⁵⁄₁₁" (how Standard Ebooks sets every fraction without a character of its own), after an optional whole
_SCRIPT_FRACTION = re.compile(r"(?:(\d) ?)?([⁰¹²³⁴⁵⁶⁷⁸⁹]+)[\u2044/]([₀₁₂₃₄₅₆₇₈₉]+)")
_VULGAR_FRACTION = re.compile(r"(?:(\d) ?)?([½⅓⅔¼¾⅛⅐⅑⅒⅕⅖⅗⅘⅙⅚⅜⅝⅞↉])")
_LONE_FRACTION_SLASH = re.compile(r"(?<!\d)\u2044|\u2044(?!\d)")


def _typeset_fractions(text: str, joiner: str = " and ") -> str:
    """Fractions as plain digits around the fraction slash, joined to a whole number by the word a reader
    says: "3⅘" -> "3 and 4⁄5", "85,179⁵⁄₁₁" -> "85,179 and 5⁄11", "$8.03½" -> "$8.03 and 1⁄2", "22 2⁄3" ->
    "22 and 2⁄3". NFKC alone glued them ("85,1795⁄11") and kept the slash, which no rule read."""

    def whole(match: re.Match[str]) -> str:
        return f"{match[1]}{joiner}" if match[1] else ""

    text = _SCRIPT_FRACTION.sub(
        lambda m: f"{whole(m)}{m[2].translate(_SUPERSCRIPTS)}{FRACTION_SLASH}{m[3].translate(_SUBSCRIPTS)}",
        text,
    )
    text = _VULGAR_FRACTION.sub(lambda m: whole(m) + unicodedata.normalize("NFKC", m[2]), text)
    return re.sub(r"(?<=\d) (?=\d+\u2044\d)", joiner, text)


def _vulgar_fractions_in_words(text: str, language: str) -> str:
    """Other languages: "2½" -> "zweieinhalb" (German), "2 e mezzo" (Italian, the whole left to the number
    rule), "¼" -> "ein Viertel"; a language without words here gets the English ones."""
    if not re.search("[½⅓⅔¼¾⅛]", text):
        return text
    conjunction, said = _FRACTION_WORDS.get(language, ("and", "|".join(_FRACTIONS.values())))
    words = dict(zip(_FRACTIONS, said.split("|"), strict=True))

    def after_whole(match: re.Match[str]) -> str:
        if language == "de" and match[2] == "½" and match[1].isdigit():
            return cardinal(int(match[1]), "de").removesuffix("s") + "einhalb"  # "eineinhalb", "zweieinhalb"
        fraction = words[match[2]] if language in _FRACTION_WORDS else _FRACTIONS_AFTER_WHOLE[match[2]]
        if language == "fr" and match[2] == "½":
            fraction = "demi"  # "deux et demi"
        return f"{match[1]} {conjunction} {fraction}"

    text = re.sub(r"(?<![\d.,])(\d+(?:[.,]\d+)*) ?([½⅓⅔¼¾⅛])", after_whole, text)
    return re.sub("[½⅓⅔¼¾⅛]", lambda m: words[m[0]], text)


# Leader dots between an item and its figure: "Boards.......... $ 8.03½", "Laths,...  1.25", ". . . . . ."
# (five dots and more, or two after a comma; four are an ellipsis and a full stop: "green.... The")
_LEADER_DOTS = re.compile(r"\s*,?\s*(?:\.\s?){5,}\s*|\s*,\.{2,}\s*")


def _leader(match: re.Match[str]) -> str:
    """A leader is a pause, as a reader crosses it: a comma, or nothing at either end of the text."""
    return "" if match.start() == 0 or match.end() == len(match.string) else ", "


def unicode_cleanup(text: str, ctx: NormalizeContext) -> str:
    """Drop soft hyphens and zero-width characters; NFKC where safe (ligatures, fancy spaces, full width)."""
    # U+2212 minus sign, U+2044 fraction slash, U+2015 horizontal bar (a dialogue dash); the two- and
    # three-em dashes of a name left out ("To ⸻", "Miss ⸺") or an empty cell are one dash, which the
    # model's tokenizer knows (it has no token for them)
    text = text.translate(_INVISIBLE).replace("\u2212", "-")
    text = re.sub("[\u2015\u2e3a\u2e3b]+", "—", text)
    if _language(ctx) == "en":
        # a fraction keeps its fraction slash, for `typeset_fractions` to read with any denominator ("5⁄11",
        # which as "5/11" could be a date, "24/7" a slogan) and the pence of "6½d." to find its number
        text = _LONE_FRACTION_SLASH.sub("/", _typeset_fractions(text))
    else:
        text = _vulgar_fractions_in_words(text, _language(ctx))
        text = _typeset_fractions(text, joiner=" ").replace(FRACTION_SLASH, "/")
    text = re.sub("[²³]", lambda m: _POWERS[m[0]], text)
    if not unicodedata.is_normalized("NFKC", text):
        # "…" is parked on a private-use character, which NFKC leaves alone, and put back afterwards.
        text = unicodedata.normalize("NFKC", text.replace("…", "\ue000")).replace("\ue000", "…")
    text = re.sub(r"\s*-{2,}\s*", " — ", text)  # Gutenberg's "--" is a dash, never a minus sign
    text = _LEADER_DOTS.sub(_leader, text)
    text = re.sub(r"[^\S\n]+", " ", text)  # every kind of space (after NFKC: NBSP, thin, em spaces) -> " "
    return text.strip()


# A dash glued to the last word of a sentence breaks the speech off: "killed me, and—", "follow that—.",
# "you understand—”" (Gutenberg's "--" too). A spaced dash stands for a word left out ("To ⸻."), one after
# digits for the digits a letter withholds ("Dec. 11th, 17—").
_BROKEN_OFF = re.compile(r"(?<=[^\W\d_])(?:—|-{2,})\.?(?=[\"'”’)\]»]*\s*$)")


def broken_off(text: str, ctx: NormalizeContext) -> str:
    """A sentence broken off ends in "…", which the model says unfinished (the dash became a full stop:
    "and—" was heard "and.", as if the speaker had finished). Not in verse, where a line may end on a dash
    and run on ("stand on your head— / Do you think")."""
    return _BROKEN_OFF.sub("…", text) if not ctx.verse and ("—" in text or "--" in text) else text


# English spells the old ligatures out ("Æolian" is "Aeolian", "Phœbus" "Phoebus"); the English model's
# tokenizer has no token for æ, Æ or Œ. Other languages keep them: æ is a letter in Danish, œ in French.
_LIGATURES = {"æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe"}


def ligatures(text: str, ctx: NormalizeContext) -> str:
    """Æolian -> Aeolian, Thermopylæ -> Thermopylae, Phœbus -> Phoebus, ŒDIPUS -> OEDIPUS (English only)."""
    if not any(letter in text for letter in _LIGATURES):
        return text
    text = re.sub("[ÆŒ](?=[A-Z])", lambda m: _LIGATURES[m[0]].upper(), text)
    return re.sub("[æÆœŒ]", lambda m: _LIGATURES[m[0]], text)


# ----------------------------------------------------------------------------------------------------
# URLs and e-mail


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]")


def _speak_address(address: str) -> str:
    address = re.sub(r"^(?:https?|ftp)://", "", address)
    spoken = {
        ".": " dot ",
        "/": " slash ",
        "@": " at ",
        "-": " dash ",
        "_": " underscore ",
        ":": " colon ",
        "?": " question mark ",
        "=": " equals ",
        "&": " and ",
        "#": " hash ",
        "~": " tilde ",
        "+": " plus ",
    }
    return re.sub(r"\s+", " ", "".join(spoken.get(ch, ch) for ch in address)).strip()


_ADDRESS_WORDS = {"it": ("punto", "chiocciola"), "fr": ("point", "arobase"), "es": ("punto", "arroba")}


def _short_address(address: str, language: str = "en") -> str:
    """The part a listener can remember: "https://www.example.com/a/b?c" -> "example dot com",
    "jane.doe@example.com" -> "jane dot doe at example dot com"."""
    dot, at = _ADDRESS_WORDS.get(language[:2], ("dot", "at"))
    if "@" in address and "://" not in address:
        name, _, host = address.partition("@")
    else:
        name, host = "", re.sub(r"^(?:(?:https?|ftp)://)?(?:www\.)?", "", address)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
    spoken = f" {dot} ".join(part for part in host.split(".") if part)
    return f"{name.replace('.', f' {dot} ')} {at} {spoken}" if name else spoken


def urls_and_emails(text: str, ctx: NormalizeContext) -> str:
    """Web and mail addresses: a short form (default), spoken in full, or dropped (setting `urls`)."""
    if "@" not in text and "www." not in text and "://" not in text:
        return text
    if ctx.urls == "short":
        replace = lambda address: _short_address(address, ctx.language)  # noqa: E731
    else:
        replace = _speak_address if ctx.urls == "speak" else (lambda _address: "")
    text = _URL.sub(lambda m: replace(m[0]), text)
    text = _EMAIL.sub(lambda m: replace(m[0]), text)
    return re.sub(r" {2,}", " ", re.sub(r" +([.,;:!?])", r"\1", text)).strip()


# ----------------------------------------------------------------------------------------------------
# Stray markup

_TEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?")
_NOTE_MARKER = re.compile(r"\[\^[^\]\s]*\]|(?<=[^\W\d_])\[\d{1,3}\](?!\w)")
# a plain text's italics: "_" at a word's start or end, never inside one ("snake_case" is left to symbols)
_EMPHASIS_UNDERSCORE = re.compile(r"(?<!\w)_+(?=[^\s_])|(?<=[^\s_])_+(?!\w)")
# a Pandoc citation, "[@noonan_gratian_1979]", "[see @doe99, pp. 33-35; @smith04]": a reference, not speech
_CITATION = re.compile(r" ?\[[^\[\]]*(?<![\w.])@[A-Za-z_][^\[\]]*\]")
_MARKUP_CHARACTERS = str.maketrans({"{": " ", "}": " ", "`": "", "[": " ", "]": " ", "^": " ", "\\": " "})


def stray_markup(text: str, ctx: NormalizeContext) -> str:
    """Markup that escaped the reader: Pandoc citations ("[@doe99]", dropped), TeX commands (\\newpage),
    "[^1]" and "word[1]" note markers, braces, backticks and square brackets (their words are kept). A
    listener must never hear any of it. Underscores that italicise in a plain text ("_15th October_") go
    first: "_" is a word character, so the numbers beside them were not read as numbers ("fifteen th")."""
    if "_" in text:
        text = _EMPHASIS_UNDERSCORE.sub("", text)
    if not any(ch in text for ch in "\\{}`[]^"):
        return text
    text = _CITATION.sub("", text)
    text = _NOTE_MARKER.sub("", _TEX_COMMAND.sub(" ", text))
    return text.translate(_MARKUP_CHARACTERS)


# ----------------------------------------------------------------------------------------------------
# Lexicon


def apply_lexicon(text: str, lexicon: dict[str, str]) -> str:
    """Whole-word respellings. A lower-case key matches any case and keeps a leading capital; a key with
    capitals matches exactly (so "US" -> "U S" leaves the pronoun "us" alone)."""
    for word, respelling in lexicon.items():
        if word != word.lower():
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", respelling, text)
            continue

        def keep_case(match: re.Match[str], respelling: str = respelling) -> str:
            return respelling[:1].upper() + respelling[1:] if match[0][:1].isupper() else respelling

        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", keep_case, text, flags=re.IGNORECASE)
    return text


def lexicon(text: str, ctx: NormalizeContext) -> str:
    """The user's pronunciation lexicon, applied before every other word rule."""
    return apply_lexicon(text, ctx.lexicon) if ctx.lexicon else text


# ----------------------------------------------------------------------------------------------------
# Acts of Parliament, cited by the regnal year: "4 Geo. III. c. 15" is the fourth year of George the third,
# chapter fifteen

REGNAL_NAMES = {
    "Geo": "George",
    "Will": "William",
    "Wm": "William",
    "Char": "Charles",
    "Car": "Charles",
    "Hen": "Henry",
    "Edw": "Edward",
    "Eliz": "Elizabeth",
    "Jac": "James",
    "Jam": "James",
    "Ric": "Richard",
    "Phil": "Philip",
    "Vict": "Victoria",
    "Anne": "Anne",
}
_REGNAL_NAME = "|".join(REGNAL_NAMES)
_STATUTE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?(?: (?:and|&) (\d{1,2})(?:st|nd|rd|th)?)? (?:of )?"
    rf"({_REGNAL_NAME})\.?(?: (?:and|&) (Mar|Mary)\.?)?(?: ([IVX]{{1,4}})\b\.?)?"
    r"(?:,? (?:c|cap|ch|chap|Chap)\. ?(\d{1,3})\b(?:\.(?= [Ss]ect\.))?)?"  # "c. 21. sect. 10": one citation
)


def statutes(text: str, ctx: NormalizeContext) -> str:
    """4 Geo. III. c. 15 -> the fourth of George the third, chapter fifteen; 13 and 14 Car. II. -> the
    thirteenth and fourteenth of Charles the second. The Wealth of Nations cites 54 acts so, which were heard
    "four Geo. three. circa fifteen" and "twelve Car. two"."""

    def said(match: re.Match[str]) -> str:
        numeral = roman_value(match[5]) if match[5] else None
        if not (numeral or match[6]):
            return match[0]  # "10 Anne" alone is no act: a numeral or a chapter makes it one
        years = ordinal(int(match[1])) + (f" and {ordinal(int(match[2]))}" if match[2] else "")
        sovereign = REGNAL_NAMES[match[3]] + (" and Mary" if match[4] else "")
        if numeral:
            sovereign += f" the {ordinal(numeral)}"
        chapter = f", chapter {cardinal(int(match[6]))}" if match[6] else ""
        article = "" if re.search(r"\b[Tt]he\s*$", text[: match.start()]) else "the "
        return f"{article}{years} of {sovereign}{chapter}"

    return _STATUTE.sub(said, text)


# ----------------------------------------------------------------------------------------------------
# Abbreviations

# Written form (without the final period) -> spoken form. Matched case-sensitively at a word start.
_TITLES = {
    "Mr": "Mister",
    "Mrs": "Missus",
    "Ms": "Miz",
    "Messrs": "Messieurs",
    "Prof": "Professor",
    "Capt": "Captain",
    "Lt": "Lieutenant",
    "Lieut": "Lieutenant",
    "Col": "Colonel",
    "Gen": "General",
    "Sgt": "Sergeant",
    "Rev": "Reverend",
    "Hon": "Honourable",
    "Gov": "Governor",
    "Sen": "Senator",
    "Rep": "Representative",
    "Maj": "Major",
    "Adm": "Admiral",
    "Cmdr": "Commander",
    "Fr": "Father",
    "Ste": "Saint",  # Sainte, said as Saint in English: "Sault Ste. Marie"
    "Mt": "Mount",
    "Ft": "Fort",
    "Jr": "Junior",
    "Sr": "Senior",
    "Bros": "Brothers",
    "Inc": "Incorporated",
    "Ltd": "Limited",
    "Co": "Company",
}
_ABBREVIATIONS = {
    "&c.": "et cetera",
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "viz.": "namely",
    "approx.": "approximately",
    "cf.": "compare",
    "Cf.": "Compare",
    "esp.": "especially",
    "incl.": "including",
    "Esq.": "Esquire",
    # a letter's dates: "the 3rd inst." is this month, "ult." last month, "prox." next month
    "inst.": "instant",
    "ult.": "ultimo",
    "prox.": "proximo",
}
# Abbreviations that are read only before a number: "No. 5", "p. 17", "ch. 4", "vol. 2", "fig. 3".
_BEFORE_NUMBER = {
    "no": "number",
    "nos": "numbers",
    "p": "page",
    "pp": "pages",
    "ch": "chapter",
    "chap": "chapter",
    "vol": "volume",
    "vols": "volumes",
    "fig": "figure",
    "figs": "figures",
    "sec": "section",
    "sect": "section",
    "art": "article",
    "para": "paragraph",
    "ed": "edition",
    "fol": "folio",
    "fols": "folios",
    "ll": "lines",
    "c": "circa",
    "ca": "circa",
    "lat": "latitude",
    "long": "longitude",
}
_END = r"(?=\s*[\"'”’)\]]*\s*$)"  # nothing but closers to the end of the sentence


def _with_capital(spoken: str, written: str) -> str:
    return spoken[:1].upper() + spoken[1:] if written[:1].isupper() else spoken


_TITLES |= {"MR": "Mister", "MRS": "Missus", "DR": "Doctor"}  # in capitals: "MR. BENNET"
_TITLE_PATTERN = re.compile(rf"(?<![\w.])({'|'.join(_TITLES)})\.({_END})?")
_ABBREVIATION_PATTERN = re.compile(rf"(?<![\w.&])({'|'.join(map(re.escape, _ABBREVIATIONS))})({_END})?")
_BEFORE_NUMBER_PATTERN = re.compile(rf"(?<![\w.])({'|'.join(_BEFORE_NUMBER)})\.\s*(?=\d)", re.IGNORECASE)


# "ed." in a reference: "the 3rd ed.", "a new ed." (edition), "ed. by" (edited), "Smith (ed.)", "Smith, eds.,"
# (editor); before a number the table above reads it ("ed. 2")
_EDITION = re.compile(
    r"\b(\d+(?:st|nd|rd|th|d)|(?i:new|revised|enlarged|first|second|third|fourth|fifth|last)) ed\.(?!\w)"
)
_EDITED_BY = re.compile(r"(?<![\w.])([Ee])d\.(?= by\b)")
_EDITOR = re.compile(r"(?<![\w.])(eds?)\.(?=[),])")


# "No. of Species" (a table's column): "no." before "of" is only ever the count
_NUMBER_OF = re.compile(r"(?<![\w.])(No|no|Nos|nos)\.(?= of\b)")

_BRITISH_TITLES = {"Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "St": "Saint"}
_BRITISH_TITLES |= {"MR": "Mister", "MRS": "Missus", "DR": "Doctor"}
# in capitals too, as a play's speakers are named ("MRS LINDE."): else spelled "M R S" or left "Mrs linde"
_BRITISH_TITLE = re.compile(
    r"(?<![\w.&])(Mr|Mrs|Ms|Dr|St)(?= [A-Z][a-z])|(?<![\w.&])(MR|MRS|DR)(?= [A-Z]{2,}\b)"
)


# A letter's signature and an old list of names shorten the given name: "Geo. Washington", "EDW. GARDINER"
GIVEN_NAMES = {
    "Geo": "George",
    "Edw": "Edward",
    "Thos": "Thomas",
    "Chas": "Charles",
    "Wm": "William",
    "Jas": "James",
    "Jno": "John",
    "Jos": "Joseph",
    "Benj": "Benjamin",
    "Robt": "Robert",
    "Saml": "Samuel",
    "Richd": "Richard",
}
_GIVEN_NAME = re.compile(rf"(?<![\w.])({'|'.join(GIVEN_NAMES)})\.(?= [A-Z])")
_GIVEN_NAME_IN_CAPITALS = re.compile(
    rf"(?<![\w.])({'|'.join(map(str.upper, GIVEN_NAMES))})\. ([A-Z]{{2,}})\b"
)


def given_names(text: str) -> str:
    """ "Geo. Washington" -> "George Washington", "EDW. GARDINER" -> "Edward Gardiner": the name a reader
    says, not the letters "E D W" (before a capitalised word only: "4 Geo. III" is a statute, read before)."""
    text = _GIVEN_NAME_IN_CAPITALS.sub(
        lambda m: f"{GIVEN_NAMES[m[1].capitalize()]} {m[2].capitalize()}", text
    )
    return _GIVEN_NAME.sub(lambda m: GIVEN_NAMES[m[1]], text)


# "M. Naudin", "M. de Candolle": the French title before a surname (or its particle), in an English text
_MONSIEUR = re.compile(r"(?<![\w.])M\.(?= (?:[A-Z][a-zà-ÿ]+(?P<next> [a-z])?|de |du |d['’]|le |la ))")
# what comes before it: a word in lower case or a year ("observer M. Fabre", "In 1852 M. Naudin"), a comma
# ("Why, M. Clerval"), a bracket, or a little word that opens the sentence ("In M. Waldman I found")
_MONSIEUR_AFTER = re.compile(
    r"(?:(?:^|[\s(“‘\"])[a-z0-9][a-z0-9'’-]*;?\s|\w, |\(\s*"
    r"|^[“‘\"(]?(?:In|To|Of|By|From|With|And|But|For|At|On|That|Then|When|As|So|Thus|Yet|Nor|Or) )$"
)


def monsieur(text: str) -> str:
    """An English book's Frenchmen: "by M. Naudin" is "by Monsieur Naudin", not the letter M, and "MM."
    is "Messieurs" (Darwin cites 21 of them; Frankenstein's professors are M. Krempe and M. Waldman). An
    initial stays a letter: after a capitalised name or another initial ("Frederic M. Eden", "R. M.
    Renfield", "H.B.M."), before one ("M. J. d'Omalius"), in a species ("M. longiflora"), or opening a
    sentence ("M. Gardiner." signs a letter) unless the name goes on in lower case ("M. Waldman entered")."""
    if "M." not in text:
        return text
    text = re.sub(r"(?<![\w.])MM\.(?= [A-Z][a-zà-ÿ])", "Messieurs", text)  # "made by MM. Lund and Clausen"

    def said(match: re.Match[str]) -> str:
        before = match.string[: match.start()]
        if _MONSIEUR_AFTER.search(before) or (not before.strip(' “‘"(') and match["next"]):
            return "Monsieur"
        return match[0]

    return _MONSIEUR.sub(said, text)


# An Irish or English county: "born in Co. Cork", "Kilkenny, Co. Kilkenny" (a firm is "Smith & Co.")
_COUNTY = re.compile(
    r"(?:(?<=\b[Ii]n )|(?<=\b[Oo]f )|(?<=\bat )|(?<=\bfrom )|(?<=\bnear )|(?<=[a-z], ))"
    r"Co\.(?= [A-Z][a-z])(?! Ltd\b)"
)


# A life's dates: "Thomas Aquinas (†1274)", "(b. 1820, d. 1890)": the cross and the letters say born and died
_LIFE_DATE = re.compile(r"(?:†\s?|(?<=[(\[])([bd])\. |(?<=[,;] )([bd])\. )(?=\d{3,4}\b)")


def _life_date(match: re.Match[str]) -> str:
    return "born " if (match[1] or match[2]) == "b" else "died "


def abbreviations(text: str, ctx: NormalizeContext) -> str:
    """Common abbreviations spelled out; "St." is Saint before a name and Street after one, "Dr." likewise.
    British style without the period ("Mr Smith", "St Paul's") is read the same before a name."""
    text = _BRITISH_TITLE.sub(lambda m: _BRITISH_TITLES[m[1] or m[2]], text)
    text = _LIFE_DATE.sub(_life_date, text)
    if "." not in text and "#" not in text:
        return text
    text = given_names(monsieur(text))
    # Saint/Doctor before a name; Street/Drive after a capitalised word or house number unless a name follows.
    for short, before_name, after_name in (("St", "Saint", "Street"), ("Dr", "Doctor", "Drive")):
        if short + "." not in text:
            continue
        text = re.sub(rf"\b([A-Z][a-z]+|\d+) {short}\.{_END}", rf"\1 {after_name}.", text)
        text = re.sub(rf"\b([A-Z][a-z]+|\d+) {short}\.(?!\s*[A-Z])", rf"\1 {after_name}", text)
        text = re.sub(rf"(?<![\w.]){short}\.", before_name, text)
    text = _COUNTY.sub("County", text)
    # The sentence's own final period survives an abbreviation that ends it ("... et cetera.").
    text = _TITLE_PATTERN.sub(lambda m: _TITLES[m[1]] + ("." if m[2] is not None else ""), text)
    text = _ABBREVIATION_PATTERN.sub(
        lambda m: _with_capital(_ABBREVIATIONS[m[1]], m[1]) + ("." if m[2] is not None else ""), text
    )

    def before_number(match: re.Match[str]) -> str:
        said = _BEFORE_NUMBER[match[1].lower()]
        return (_with_capital(said, match[1]) if match.start() == 0 else said) + " "

    text = _BEFORE_NUMBER_PATTERN.sub(before_number, text)
    text = _EDITION.sub(r"\1 edition", _EDITED_BY.sub(r"\1dited", text))
    text = _EDITOR.sub(lambda m: "editors" if m[1] == "eds" else "editor", text)
    text = _NUMBER_OF.sub(
        lambda m: _with_capital("numbers" if m[1].lower() == "nos" else "number", m[1]), text
    )
    text = compass_points(text)
    text = re.sub(r"(?<![\w.])#(?=\d)", "number ", text)
    # Dotted initialisms are spelled: U.S. -> U S, A.D. -> A D, Ph.D. -> P H D (times keep a.m./p.m.).
    text = text.replace("Ph.D.", "P.H.D.")
    text = re.sub(r"(?<![\w.])LL\.(?=[A-Z]\.)", "L.L.", text)  # LL.D., LL.B.
    text = _SPACED_DEGREES.sub(lambda m: _degree_said(m[1]) + ("." if m[2] is not None else ""), text)
    return _INITIALISM.sub(lambda m: _initialism(m[1]) + ("." if m[2] is not None else ""), text)


_POINTS = {"N": "north", "S": "south", "E": "east", "W": "west"}
_COMPASS = r"(?:[NS]\. ?[EW]|N\. ?N\. ?[EW]|S\. ?S\. ?[EW]|[EW]\. ?[NS]\. ?[EW])\."
# "N. E. by N.", "W.N.W.", "S.W." (a person's initials are followed by a surname: "S. E. Smith" is left)
_COMPASS_POINT = re.compile(rf"(?<![\w.])(the )?({_COMPASS})(?: by ([NSEW])\.)?")
# "lat. 55° S.", "0° 58′ N.": a point after a reading of degrees
_DEGREES_POINT = re.compile(r"(?<=[°′″] )([NSEW])(\.?)(?!\w)")
_NEXT_SENTENCE = re.compile(r" [A-Z]")


def _point_said(dotted: str) -> str:
    """ "S.S.W." -> "south-south-west" (a three-letter point), "N. E." -> "north-east"."""
    return "-".join(_POINTS[letter] for letter in re.findall("[NSEW]", dotted))


def compass_points(text: str) -> str:
    """Dotted points of the compass are said: "N. E. by N." -> "north-east by north", "lat. 39° S." ->
    "latitude 39° south"; after "the" a point is one even before a capital ("towards the N. E. Both")."""

    def point(match: re.Match[str]) -> str:
        capital_next = _NEXT_SENTENCE.match(match.string, match.end()) is not None
        if capital_next and not match[1] and not match[3]:
            return match[0]  # initials before a surname
        said = _point_said(match[2]) + (f" by {_POINTS[match[3]]}" if match[3] else "")
        return (match[1] or "") + said + ("." if capital_next else "")  # its stop ended the sentence too

    def after_degrees(match: re.Match[str]) -> str:
        return _POINTS[match[1]] + (
            "." if match[2] and _NEXT_SENTENCE.match(match.string, match.end()) else ""
        )

    text = _COMPASS_POINT.sub(point, text)
    return _DEGREES_POINT.sub(after_degrees, text)


# Degrees after a name, typeset with spaces: "Van Helsing, M.D., D. Ph., D. Lit., etc.", "Reid, LL. D." (an
# initial before a surname is followed by the name, never by a comma or the end)
_DEGREE_PART = r"(?:[A-Z]{1,2}|[A-Z][a-z]|Litt?|Phil|Mus)\."
_SPACED_DEGREES = re.compile(rf"(?<=, )({_DEGREE_PART}(?: {_DEGREE_PART})+)(?:(?=,)|({_END}))")
_DEGREE_WORDS = {"Lit", "Litt", "Phil", "Mus"}  # said as a syllable: "D. Lit." is "D Lit"


def _degree_said(dotted: str) -> str:
    """ "D. Ph." -> "D P H", "D. Lit." -> "D Lit", "LL. D." -> "L L D": the letters, as "M.D." is read."""
    parts = dotted.replace(".", "").split()
    return " ".join(part if part in _DEGREE_WORDS else " ".join(part.upper()) for part in parts)


_INITIALISM = re.compile(rf"(?<![\w.])((?:[A-Za-z]\.){{2,}})({_END})?")


def _initialism(dotted: str) -> str:
    if dotted.lower() in ("a.m.", "p.m."):
        return dotted
    return " ".join(dotted.replace(".", "").upper())


# ----------------------------------------------------------------------------------------------------
# Roman numerals


_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_VALID_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_NUMBERED_THINGS = (
    r"Chapter|Chap|Book|Part|Volume|Vol|Act|Scene|Canto|Section|Sect|Sec|Letter|Article|Art|Appendix|Psalm"
    r"|Stave|Lecture|Lesson|Plate|Fig|Figure|Tome|Livre|Chapitre|Partie|Acte|Chant|Capitolo|Parte|Libro|Tomo"
    r"|Atto|Scena|Sezione|Lettera|Cap|Capítulo|Kapitel|Teil|Buch|Band"
)
_SAID_IN_FULL = {
    "chap": "chapter",
    "sect": "section",
    "sec": "section",
    "vol": "volume",
    "art": "article",
    "fig": "figure",
    "cap": "chapter",
}
_CHAPTER_WORD = {"it": "capitolo", "es": "capítulo", "pt": "capítulo", "fr": "chapitre", "de": "Kapitel"}
_ROMAN = r"(?:[IVXLCDM]+|[ivxlc]+)"
# "Chapters II and III", "sect. VII", "CHAPTER IV", "Books i-iii": the thing, then one numeral or a list
_NUMBERED = re.compile(
    rf"\b(?i:({_NUMBERED_THINGS})(s?))(\.?) +({_ROMAN}\b(?:(?: ?[,&–-] ?|,? (?i:and|or|to|et|e|y|und) )"
    rf"{_ROMAN}\b)*)(?!['’])(\.(?= [a-z\d]))?"  # "vol. i. pp. 49": the numeral's own period is no stop
)
_CENTURY_WORDS = r"century|centuries|secolo|secoli|siècle|siècles|siglo|siglos|Jahrhundert|século|séculos"
_CENTURY_BEFORE = re.compile(rf"\b([IVXLC]+)(?:e|er|ème|th|st|nd|rd|°|º)?\.? ({_CENTURY_WORDS})\b")
_CENTURY_AFTER = re.compile(rf"\b({_CENTURY_WORDS}) ([IVXLC]+)\b")
ORDINAL_LANGUAGES = {"it", "es", "pt"}  # "Capitolo III" is "capitolo terzo"; French and German say "trois"
_MONARCHS = {
    "Henry",
    "Edward",
    "Richard",
    "George",
    "William",
    "James",
    "Charles",
    "Elizabeth",
    "Mary",
    "Anne",
    "John",
    "Louis",
    "Philip",
    "Peter",
    "Catherine",
    "Napoleon",
    "Alexander",
    "Nicholas",
    "Frederick",
    "Ferdinand",
    "Pius",
    "Leo",
    "Gregory",
    "Benedict",
    "Clement",
    "Innocent",
    "Paul",
    "Victor",
    "Francis",
    "Otto",
    "Ivan",
}


def roman_value(numeral: str) -> int | None:
    """The value of a well-formed Roman numeral (any case), else None."""
    upper = numeral.upper()
    if not upper or not _VALID_ROMAN.match(upper):
        return None
    total = 0
    for current, following in zip(upper, upper[1:] + " ", strict=True):
        value = _ROMAN_VALUES[current]
        total += -value if following != " " and _ROMAN_VALUES[following] > value else value
    return total


_LANGUAGE_NAMES = {
    "english": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "italian": "it",
    "italiano": "it",
    "german": "de",
    "deutsch": "de",
    "spanish": "es",
    "español": "es",
    "portuguese": "pt",
    "português": "pt",
    "chinese": "zh",
}


def language_code(language: str) -> str:
    """ "en-GB" -> "en", "Italian" (as Gutenberg headers write it) -> "it"; unknown names pass through."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return _LANGUAGE_NAMES.get(code, code)


def _language(ctx: NormalizeContext) -> str:
    return language_code(ctx.language)


# Spanish and Portuguese say ordinals up to ten only: "capítulo quinto" but "capítulo once", "Alfonso trece",
# "siglo diecinueve"; Italian says them all ("capitolo diciassettesimo", "Luigi quattordicesimo").
_ORDINALS_UP_TO_TEN = {"es", "pt"}


def _numeral_said(value: int, language: str, ordinal_form: bool) -> str:
    if language == "en":
        return ordinal(value) if ordinal_form else cardinal(value)
    if language in _ORDINALS_UP_TO_TEN and value > 10:
        ordinal_form = False
    try:
        if ordinal_form or (language == "fr" and value == 1):
            return ordinal(value, language) if language != "fr" or value != 1 else "premier"
        return cardinal(value, language)
    except NotImplementedError:
        return cardinal(value)


# A preface's pages and a French work's volumes, cited in lower case: "(p. xc)", "pp. iii-v", "tom. ii."
# (no d or m: "p. mix" is no page); after "page" written out, never one letter ("the page i read")
_PAGE_NUMERALS = re.compile(
    r"(?<![\w.])(?:(pp?|tom)\. ?|([Pp]ages?) (?=[ivxlc]{2}|[ivxlc]+ ?[–-]))"
    r"([ivxlc]+(?: ?[–-] ?[ivxlc]+| (?:or|and) [ivxlc]+\b)?)\b(?![’'])(\.(?= [a-z\d]))?"
)
_PAGE_WORDS = {"p": "page", "pp": "pages", "tom": "tome"}


def _page_numerals(match: re.Match[str]) -> str:
    """ "p. xc" -> "page ninety", "pp. iii-v" -> "pages three to five", "p. iv or v" -> "page four or
    five"; the numeral's period before a lower-case word is no stop ("tom. ii. p. 430")."""
    values = [roman_value(numeral.upper()) for numeral in re.findall("[ivxlc]+", match[3])]
    if not all(values) or (len(match[3]) == 1 and match[3] not in "ivx"):
        return match[0]
    said = re.sub(r" ?[–-] ?", " to ", match[3])  # first: "twenty-one" has a hyphen of its own
    said = re.sub("[ivxlc]+", lambda m: cardinal(roman_value(m[0].upper()) or 0), said)
    return f"{_PAGE_WORDS.get(match[1], match[2])} {said}"


def numbered_references(text: str, ctx: NormalizeContext) -> str:
    """Roman numerals after a numbered thing, in any of our languages: "Chapters II and III" -> "Chapters two
    and three", "sect. VII" -> "section seven", "Capitolo III" -> "Capitolo terzo"; and centuries: "XX
    secolo" -> "ventesimo secolo", "XIXe siècle" -> "dix-neuvième siècle". Runs before capitals are lowered,
    so "CHAPTERS II AND III" is read the same way."""
    language = _language(ctx)

    def numbered(match: re.Match[str]) -> str:
        thing, plural, period, numerals = match[1], match[2], match[3], match[4]
        if len(numerals) == 1 and numerals.upper() not in "IVX":  # "Section C" is a letter
            return match[0]
        if period and thing.lower() in _SAID_IN_FULL:
            full = _SAID_IN_FULL[thing.lower()]
            full = _CHAPTER_WORD.get(language, full) if full == "chapter" else full
            thing, period = (full.capitalize() if thing[0].isupper() else full), ""
        ordinal_form = language in ORDINAL_LANGUAGES

        def one(numeral: re.Match[str]) -> str:
            value = roman_value(numeral[0])
            return _numeral_said(value, language, ordinal_form) if value else numeral[0]

        # the range dash first: "XXI" becomes "twenty-one", whose own hyphen is no range
        spoken = re.sub(r" ?[–-] ?", " to " if language == "en" else " – ", numerals)
        spoken = re.sub(rf"\b{_ROMAN}\b", one, spoken)
        return f"{thing}{plural}{period} {spoken}"

    text = _NUMBERED.sub(numbered, text)
    if language == "en":
        text = _PAGE_NUMERALS.sub(_page_numerals, text)

    def century(numeral: str, words: str) -> str:
        value = roman_value(numeral)
        return f"{_numeral_said(value, language, True)} {words}" if value else f"{numeral} {words}"

    text = _CENTURY_BEFORE.sub(lambda m: century(m[1], m[2]), text)
    return _CENTURY_AFTER.sub(lambda m: " ".join(reversed(century(m[2], m[1]).rsplit(" ", 1))), text)


def roman_numerals(text: str, ctx: NormalizeContext) -> str:
    """Chapter IV -> Chapter four; Henry VIII -> Henry the eighth; a heading "IV." -> "Four."."""
    text = numbered_references(text, ctx)

    def regnal(match: re.Match[str]) -> str:
        name, numeral = match[1], match[2]
        if len(numeral) == 1 and name not in _MONARCHS:
            return match[0]
        value = roman_value(numeral)
        if not value:
            return match[0]
        return f"{name} {cardinal(value)}" if name == "War" else f"{name} the {ordinal(value)}"

    # "George II. of Great Britain": the numeral's own period goes too when the sentence runs on.
    # an apostrophe after the numeral only as a possessive: "Charles II's", but "Mary I'd" is the pronoun
    text = re.sub(r"\b([A-Z][a-z]+) ([IVXL]+)\b(?:\.(?=\s+[a-z]))?(?!['’](?!s\b))", regnal, text)
    if ctx.heading:

        def leading(match: re.Match[str]) -> str:
            value = roman_value(match[1])
            return cardinal(value).capitalize() + match[2] if value else match[0]

        text = re.sub(r"^([IVXLC]+)(\.|\s*$|:)", leading, text)
    return standalone_numerals(text, ctx)


_CAPITAL_NUMERAL = re.compile(r"(?<![\w'’-])([IVXL]{2,})(?![\w'’-])")
_SMALL_NUMERAL = re.compile(r"(?<![\w'’-])([ivxl]{2,})(?=[.,;:)]|$)")
_NUMERAL_AFTER_THE = re.compile(r"(?<![\w'’-])([Tt]he) ([IVXL]{2,})(?![\w'’-])")
_SMALL_WORDS = {"vi", "li"}  # an editor and a Chinese measure: words, not numerals


def standalone_numerals(text: str, ctx: NormalizeContext) -> str:
    """A Roman numeral of two or more letters standing alone is a number, never letters to spell: "II. The
    Black Fish" -> "two. The Black Fish", "satire VII" -> "satire sept"; in English also a small one in a
    reference, "Inferno, iii. 55" -> "Inferno, three. fifty-five" ("vi" and "li" stay words)."""
    language = _language(ctx)

    def said(match: re.Match[str]) -> str:
        value = roman_value(match[1])
        return _numeral_said(value, language, False) if value else match[0]

    if language == "en":  # "Canto the XII", "Henry the VIII": after "the" a numeral is an ordinal
        text = _NUMERAL_AFTER_THE.sub(
            lambda m: f"{m[1]} {ordinal(v)}" if (v := roman_value(m[2])) else m[0], text
        )
    text = _CAPITAL_NUMERAL.sub(said, text)
    if language == "en":
        text = _SMALL_NUMERAL.sub(lambda m: m[0] if m[1] in _SMALL_WORDS else said(m), text)
    return text


# ----------------------------------------------------------------------------------------------------
# All-caps words

# Common English words (and the archaic ones of older books) that an author writes in capitals for emphasis:
# they are lowered, never spelled out. Acronyms that are also such words (WHO, SAT) lose, by choice.
_SHOUTED_WORDS = set(
    """
A I AH AM AN AS AT AW AX BE BY DO EH GO HA HE HI HM IF IN IS IT LA LO MA ME MY NO OF OH ON OR OW OX
PA SO TO UP WE YE YO ACT ADD AGE AGO AIM AIR ALL AND ANT ANY APE ARC ARE ARK ARM ART ASH ASK ATE AWE
AXE BAD BAG BAN BAR BAT BAY BED BEE BEG BET BID BIG BIN BIT BOW BOX BOY BUD BUG BUN BUS BUT BUY BYE
CAN CAP CAR CAT COW CRY CUB CUP CUT DAD DAY DEN DEW DID DIE DIG DIM DIP DOE DOG DOT DRY DUE DUG DYE
EAR EAT EBB EGG ELF ELK ELM END EVE EWE EYE FAN FAR FAT FED FEE FEW FIG FIN FIR FIT FIX FLY FOE FOG
FOR FOX FRY FUN FUR GAP GAS GEM GET GOD GOT GUM GUN GUT GUY HAD HAM HAS HAT HAY HEN HER HEY HID HIM
HIP HIS HIT HOG HOP HOT HOW HUE HUG HUM HUT I'M ICY ILL INK INN IRE ITS IVY JAM JAR JAW JOB JOY JUG
KEY KID KIN LAD LAP LAW LAY LED LEG LET LID LIE LIP LIT LOG LOT LOW MAD MAN MAP MAT MAY MEN MET MIX
MOB MOM MUD MUG NAP NAY NET NEW NIL NOD NOR NOT NOW NUT OAK OAR OAT ODD ODE OFF OFT OIL OLD ONE OPT
ORB ORE OUR OUT OWE OWL OWN PAD PAL PAN PAT PAW PAY PEA PEG PEN PET PIE PIG PIN PIT POT PRY PUT RAG
RAM RAN RAT RAW RAY RED RIB RID RIM RIP ROB ROD ROT ROW RUB RUG RUM RUN RUT RYE SAD SAP SAT SAW SAY
SEA SEE SET SEW SHE SHY SIN SIP SIR SIT SIX SKY SLY SOB SON SOW SPY SUM SUN TAN TAP TAR TAX TEA TEN
THE THY TIE TIN TIP TOE TON TOO TOP TOY TRY TUB TUG TWO URN VOW WAR WAS WAX WAY WEB WED WET WHO WHY
WIG WIN WIT WOE WON WOW YEA YES YET YEW YOU ZOO BACK BEEN BOTH COME DEAD DONE DOTH DOWN EACH EVEN
EVER FIRE FROM GONE GOOD HALT HATH HAVE HELP HERE IT'S JUST KILL LAST LEFT LIFE LOOK LOVE MANY MORE
MOST MUCH MUST NEXT ONLY OPEN SHUT SOME STOP SUCH THAT THEE THEM THEN THEY THIS THOU VERY WAIT WELL
WERE WHAT WHEN WILL WITH YOUR CAN'T DON'T NEVER RIGHT THERE WON'T
""".split()
)
_SPOKEN_ACRONYMS = {"OK": "okay", "TV": "T V"}
_VOWELS = set("AEIOUY")


def _acronym(word: str) -> str:
    if word in _SPOKEN_ACRONYMS:
        return _SPOKEN_ACRONYMS[word]
    if word in _SHOUTED_WORDS:
        return re.sub(r"^i(?=['’])", "I", word.lower())  # I'M -> I'm
    if re.fullmatch(r"[^AEIOU][AEIOU][^AEIOUY]", word):  # MIX, DID, RUN: a word said in capitals
        return word.lower()
    if len(word) <= 3 or not _VOWELS & set(word):
        return " ".join(word)
    return word.capitalize()


_CAPITALS_PAIR = re.compile(r"[A-Z][A-Z'’]")


def _mostly_capitals(text: str) -> bool:
    """A heading or a shouted sentence: most letters capitals, in two words or more than five letters."""
    letters = [ch for ch in text if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    caps_words = re.findall(r"\b[^\W\d_]{2,}\b", text)
    caps_words = [word for word in caps_words if word.isupper()]
    return bool(letters) and capitals / len(letters) > 0.6 and (len(caps_words) >= 2 or len(letters) > 5)


def _sentence_case(lowered: str) -> str:
    return re.sub(r"(^\W*|[.!?]\s+\W*)(\w)", lambda m: m[1] + m[2].upper(), lowered)


def neutral_capitals(text: str, ctx: NormalizeContext) -> str:
    """Other languages: a heading in capitals ("NOTE DEL TRASCRITTORE") becomes sentence case, so the model
    reads words, not letters; capitals inside ordinary text are left alone."""
    return _sentence_case(text.lower()) if _CAPITALS_PAIR.search(text) and _mostly_capitals(text) else text


def all_caps(text: str, ctx: NormalizeContext) -> str:
    """Sentences mostly in capitals become sentence case; lone all-caps words are acronyms or emphasis."""
    if not _CAPITALS_PAIR.search(text):
        return text
    if _mostly_capitals(text):
        lowered = text.lower()
        lowered = re.sub(r"\bi\b", "I", lowered)
        return _sentence_case(lowered)
    lowered = re.sub(
        r"\b[A-Z][A-Z'’]+\b(?![a-z])", lambda m: _acronym(m[0]) if len(m[0]) <= 5 else m[0].lower(), text
    )
    # a sentence keeps its capital
    return lowered[:1].upper() + lowered[1:] if text[:1].isupper() else lowered


# ----------------------------------------------------------------------------------------------------
# Numbers

_HAS_DIGIT = re.compile(r"\d")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALES = r"thousand|million|billion|trillion"
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
}


def _decimal(written: str) -> Decimal:
    return Decimal(written.replace(",", ""))


def _read_number(written: str) -> str:
    """A whole number in words; a decimal's fraction digit by digit, as it is written: "1.10" -> "one point
    one zero", "3.0" -> "three point zero" (a version number is not the same as "1.1")."""
    whole, _, fraction = written.replace(",", "").partition(".")
    said = cardinal(int(whole or "0"))
    return f"{said} point {digits(fraction)}" if fraction else said


def _coins(count: int, one: str, many: str) -> str:
    """A count of a currency's unit in words: "one pound", "ten shillings", "six pence"."""
    return f"{cardinal(count)} {one if count == 1 else many}"


def money(text: str, ctx: NormalizeContext) -> str:
    """$3.50 -> three dollars fifty cents; £20 -> twenty pounds;
    $1.2 million -> one point two million dollars."""

    def spoken(match: re.Match[str]) -> str:
        one, many, cent, cents = _CURRENCIES[match[1]]
        amount, scale = match[2], match[3]
        if scale:
            return f"{_read_number(amount)} {scale} {many}"
        value = _decimal(amount)
        whole, fraction = int(value), int((value - int(value)) * 100)
        parts = []
        if whole or not fraction:
            parts.append(_coins(whole, one, many))
        if fraction:
            parts.append(_coins(fraction, cent, cents))
        return " ".join(parts)

    text = re.sub(r"(?<![\w.])L(?=\d)", "£", text)  # older books write pounds as L100
    text = pre_decimal_money(text)
    symbols = re.escape("".join(_CURRENCIES))
    return re.sub(rf"([{symbols}]) ?({_NUMBER})(?: ({_SCALES})\b)?", spoken, text)


def percentages(text: str, ctx: NormalizeContext) -> str:
    """50% -> fifty percent; 1.5 % -> one point five percent."""
    return re.sub(
        rf"(-?)({_NUMBER}) ?%", lambda m: ("minus " if m[1] else "") + _read_number(m[2]) + " percent", text
    )


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


# Pounds, shillings and pence as British books wrote them before 1971: "£12 10s. 6d.", "10s. 6d.", "40s.",
# "6d." (otherwise read as the decade "forties" and the ordinal "sixth").
# pence and a fraction of a penny, before or after the "d": "6 and 1⁄2d.", "9d. 4⁄5" (from "6½d.", "9d. ⅘")
_FRACTION = r"\d+\u2044\d+"
_PENCE = rf"(\d{{1,2}})(?: and ({_FRACTION}))?d\.?(?: ({_FRACTION})(?![\d\u2044]))?"
_STERLING = re.compile(rf"£ ?(\d{{1,3}}(?:,\d{{3}})+|\d+) (\d{{1,3}})s\.?(?: {_PENCE})?(?!\w)")
_SHILLINGS_AND_PENCE = re.compile(rf"(?<![\w.,£])(\d{{1,3}})s\.? {_PENCE}(?!\w)")
_FRACTION_PENCE = re.compile(
    rf"(?:\b([Aa]) )?(?<![\w.,'’£/\u2044-])(?:(\d{{1,2}}) and )?({_FRACTION})d\.?(?!\w)"
)
_LONE_COIN = re.compile(r"(?<![\w.,'’£/-])(\d{1,3})(s\.|d\.?)(?!\w)")
# after these, "40s." is a decade ("in the 40s.", "in his 40s."); "2d" after these is the old ordinal
_DECADE_BEFORE = {"the", "his", "her", "its", "their", "my", "your", "our", "early", "mid", "late"}
_ORDINAL_BEFORE = {"the", "of", *(month.lower() for month in _MONTHS)}


_POUND, _POUNDS, _PENNY, _PENCE = _CURRENCIES["£"]


_PENNY_PARTS = {(1, 2): "a halfpenny", (1, 4): "a farthing", (3, 4): "three farthings"}


def _pence(whole: str | None, fraction: str | None) -> str | None:
    """ "6", "1⁄2" -> "six and a half pence"; "0", "1⁄4" -> "a farthing"; "0" -> None."""
    count = int(whole or "0")
    if not fraction:
        return _coins(count, _PENNY, _PENCE) if count else None
    top, bottom = (int(x) for x in fraction.split(FRACTION_SLASH))
    if not count:
        return _PENNY_PARTS.get((top, bottom)) or f"{fraction_said(top, bottom)} of a {_PENNY}"
    return f"{cardinal(count)} and {fraction_said(top, bottom, after_whole=True)} {_PENCE}"


def _sterling(pounds: str, shillings: str | None, pence: str | None, fraction: str | None = None) -> str:
    parts = [_coins(int(pounds.replace(",", "")), _POUND, _POUNDS)] if pounds else []
    if shillings and int(shillings):
        parts.append(_coins(int(shillings), "shilling", "shillings"))
    pence_said = _pence(pence, fraction)
    if pence_said:
        parts.append(pence_said)
    if not parts:
        return _coins(0, "shilling", "shillings")
    if pence_said and len(parts) > 1:  # "two pounds ten shillings and sixpence"
        return f"{' '.join(parts[:-1])} and {parts[-1]}"
    return " ".join(parts)


def pre_decimal_money(text: str) -> str:
    """£12 10s. 6d. -> twelve pounds ten shillings and six pence; 40s. -> forty shillings; 6d -> six pence.
    "40s." stays a decade after "the", "his", "early"...; "2d", "3d" (old ordinals) are pence only with their
    period and not after "the", "of" or a month: "the 2d Regiment" and "the 3d. of June" are ordinals."""
    text = _STERLING.sub(lambda m: _sterling(m[1], m[2], m[3], m[4] or m[5]), text)
    text = _SHILLINGS_AND_PENCE.sub(lambda m: _sterling("", m[1], m[2], m[3] or m[4]), text)

    def fraction_pence(match: re.Match[str]) -> str:
        said = _pence(match[2], match[3]) or match[0]
        if match[1]:  # "a ½d. stamp" is "a halfpenny stamp"
            return f"{match[1]} {said.removeprefix('a ')}"
        return said

    text = _FRACTION_PENCE.sub(fraction_pence, text)

    def lone(match: re.Match[str]) -> str:
        count, unit = int(match[1]), match[2]
        before = re.search(r"([A-Za-z]+)\W*$", text[: match.start()])
        word = before[1].lower() if before else ""
        if unit == "s.":
            if count % 10 == 0 and word in _DECADE_BEFORE:
                return match[0]
            return _coins(count, "shilling", "shillings")
        old_ordinal = count % 10 in (2, 3) and count % 100 not in (12, 13)
        if old_ordinal and unit == "d":
            return match[0]  # the ordinals rule reads it
        if old_ordinal and word in _ORDINAL_BEFORE:
            return ordinal(count)  # "the 3d. of June": its period is no stop
        return _coins(count, _PENNY, _PENCE)

    return _LONE_COIN.sub(lone, text)


_UNITS = {
    "km": ("kilometre", "kilometres"),
    "m": ("metre", "metres"),
    "cm": ("centimetre", "centimetres"),
    "mm": ("millimetre", "millimetres"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"),
    "yd": ("yard", "yards"),
    "doz": ("dozen", "dozen"),
    "cwt": ("hundredweight", "hundredweight"),
    "mi": ("mile", "miles"),
    "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometre per hour", "kilometres per hour"),
    "kph": ("kilometre per hour", "kilometres per hour"),
    "l": ("litre", "litres"),
    "ml": ("millilitre", "millilitres"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "kW": ("kilowatt", "kilowatts"),
    "W": ("watt", "watts"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "° C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° F.": ("degree Fahrenheit", "degrees Fahrenheit"),
    "° C.": ("degree Celsius", "degrees Celsius"),
    "°": ("degree", "degrees"),
    "′": ("minute", "minutes"),  # of arc, after degrees
    "′′": ("second", "seconds"),  # NFKC turns ″ into two primes
    "″": ("second", "seconds"),
    "℔": ("pound", "pounds"),
    "in.": ("inch", "inches"),  # with its period, so "3 in the morning" is left alone
    "sq. m.": ("square mile", "square miles"),
    "sq. mi.": ("square mile", "square miles"),
    "sq. ft.": ("square foot", "square feet"),
    "sq. km": ("square kilometre", "square kilometres"),
}


_UNIT_NAMES = "|".join(re.escape(unit) for unit in sorted(_UNITS, key=len, reverse=True))
_UNIT_PATTERN = re.compile(
    rf"(?<![\w./])(?:({_NUMBER}) ?[-–] ?)?(-?)((?:\d+ )?\d/\d+|(?:\d+ and )?\d+\u2044\d+|{_NUMBER}) ?"
    rf"({_UNIT_NAMES})(?![\w/′])(\.)?"
)
_SENTENCE_ENDS = re.compile(r"\s*$| [A-Z]")


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


def _read_amount(written: str) -> str:
    """A number, or a fraction with an optional whole part: "22 2/3" -> "twenty-two and two thirds"."""
    if "/" not in written and FRACTION_SLASH not in written:
        return _read_number(written)
    whole, _, fraction = written.rpartition(" ")
    whole = whole.removesuffix(" and")
    top, bottom = (int(x) for x in re.split(f"[/{FRACTION_SLASH}]", fraction))
    if FRACTION_SLASH in fraction:
        said = fraction_said(top, bottom, after_whole=bool(whole))
    else:
        said = _fraction(top, bottom) or f"{cardinal(top)} over {cardinal(bottom)}"
    return f"{_read_number(whole)} and {said}" if whole else said


# ".04 of an inch", "namely .982": a decimal written without its leading zero
_BARE_DECIMAL = re.compile(r"(?<![\w.,])\.(\d+)(?![\d.,]*\d)")
# "33°.08", as older tables write 33.08°
_DEGREES_BEFORE_POINT = re.compile(r"(?<![\d.])(\d+)°\.(\d+)")


def bare_decimals(text: str, ctx: NormalizeContext) -> str:
    """A decimal without its leading zero is read as written (".04" -> "point zero four"), not left to lose
    the space before its point; "33°.08" is 33.08 degrees."""
    text = _DEGREES_BEFORE_POINT.sub(r"\1.\2°", text)
    return _BARE_DECIMAL.sub(lambda m: f"point {digits(m[1])}", text)


def units(text: str, ctx: NormalizeContext) -> str:
    """5 km -> five kilometres, 1 kg -> one kilogram, 20°C -> twenty degrees Celsius, "1-2 lbs." -> "one to
    two pounds" (a range's dash before the unit was read "one-two pounds")."""

    def spoken(match: re.Match[str]) -> str:
        low, minus, amount, unit, period = match.groups()
        one, many = _UNITS[unit]
        number = ("minus " if minus else "") + _read_amount(amount)
        if low:
            number = f"{_read_amount(low)} to {number}"
        # the period of "6 lbs. good sugar" marks the abbreviation, not the end of a sentence
        stop = period if period and _SENTENCE_ENDS.match(match.string, match.end()) else ""
        return f"{number} {one if amount == '1' and not low else many}{stop}"

    return _UNIT_PATTERN.sub(spoken, text)


_PHONE = re.compile(r"(?<![\w-])(?:\+\d{1,3}[ -])?(?:\(\d{3}\) ?|\d{3}[ -])?\d{3}-\d{4}(?![\w-])")


# "UT 84116", "NY 10001-1234" (the state may already be spelled "U T" by the capitals rule)
_POSTCODE = re.compile(r"(?:(?<=\b[A-Z]{2} )|(?<=\b[A-Z] [A-Z] ))(\d{5})(?:-(\d{4}))?\b")


def phone_numbers(text: str, ctx: NormalizeContext) -> str:
    """Phone-like strings, US postcodes after a state ("UT 84116") and digit strings with a leading zero are
    read digit by digit (groups as pauses)."""
    text = _PHONE.sub(lambda m: ", ".join(digits(group) for group in re.findall(r"\d+", m[0])), text)
    text = _POSTCODE.sub(lambda m: " ".join(digits(group) for group in m.groups() if group), text)
    return re.sub(r"(?<![\w.,])0\d+(?![\w.,]\d)", lambda m: digits(m[0]), text)


def _year_or_cardinal(written: str, plural: bool = False) -> str:
    value = int(written)
    if not 1100 <= value <= 2099:
        return _plural_of_number_word(cardinal(value)) if plural else cardinal(value)
    said = year(value)
    return _plural_of_number_word(said) if plural else said


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


def plain_numbers(text: str, ctx: NormalizeContext) -> str:
    """Other languages: whole numbers in words, by num2words' rules for that language; a glued note number
    ("gloria1") goes."""
    lang = _language(ctx)
    try:
        num2words(1, lang=lang)
    except NotImplementedError:
        return text
    return re.sub(r"(?<![\w.,])\d+(?![\w.,]\d|\w)", lambda m: cardinal(int(m[0]), lang), text)


GERMAN_MONTHS = (
    "Januar|Jänner|Februar|März|April|Mai|Juni|Junius|Juli|Julius|August|September|Oktober|October|November"
    "|Dezember|December"
)
# "am 4. Mai 1771", "der 16. Junius", "im Jahre 1771": German writes an ordinal as the number and a period
_GERMAN_DATE = re.compile(rf"(?<![\w.])(?:([Dd]er) )?(\d{{1,2}})\. ({GERMAN_MONTHS})\b(?:(,? )(\d{{4}})\b)?")
_GERMAN_YEAR = re.compile(r"\b((?:[Ii]m )?Jahre?|[Aa]nno) (\d{4})\b")


def _german_year(written: str) -> str:
    """1771 -> "siebzehnhunderteinundsiebzig", as a year is said (a count is "eintausendsiebenhundert...")."""
    number = int(written)
    return num2words(number, lang="de", to="year") if 1100 <= number < 2000 else cardinal(number, "de")


def german_dates(text: str, ctx: NormalizeContext) -> str:
    """German: a day of the month is an ordinal ("am 4. Mai" -> "am vierten Mai", "der 4. Mai" -> "der
    vierte Mai"), and the year of a date or after "im Jahre" is said as a year, not as a count."""
    if _language(ctx) != "de" or not _HAS_DIGIT.search(text):
        return text

    def date(match: re.Match[str]) -> str:
        day = ordinal(int(match[2]), "de") + ("" if match[1] else "n")
        said = f"{match[1] + ' ' if match[1] else ''}{day} {match[3]}"
        return said + (f"{match[4]}{_german_year(match[5])}" if match[5] else "")

    text = _GERMAN_DATE.sub(date, text)
    return _GERMAN_YEAR.sub(lambda m: f"{m[1]} {_german_year(m[2])}", text)


_FRENCH_TITLES = {
    "M.": "Monsieur",
    "MM.": "Messieurs",
    "Mme": "Madame",
    "Mmes": "Mesdames",
    "Mlle": "Mademoiselle",
    "Mlles": "Mesdemoiselles",
    "Mgr": "Monseigneur",
}
# "M. Bovary", "M. le curé", "M. et madame Charles", "MM. Homais et Léon": a title before a name, its
# article or a second title
_FRENCH_TITLE = re.compile(
    r"(?<![\w.])(MM?\.|Mmes?|Mlles?|Mgr)\.?"
    r"(?= (?:[A-ZÀ-Ý]|(?:le|la|les|de|du|des|et|votre|notre|d['’]|l['’])))"
)
# "1er mai", "la 1re fois", "le 2e étage", "Napoléon Ier": French writes an ordinal with a raised ending
_FRENCH_ORDINAL = re.compile(r"(?<![\w.,])(?:(\d+)(er|re|ère|e|ème)|I(er|re|ère))(?!\w)")


def french_abbreviations(text: str, ctx: NormalizeContext) -> str:
    """French: the titles before a name are said in full ("M. Bovary" -> "Monsieur Bovary", "Mme" ->
    "Madame"), and an ordinal with its ending is a word ("1er" -> "premier", "2e" -> "deuxième")."""
    if _language(ctx) != "fr":
        return text
    text = _FRENCH_TITLE.sub(lambda m: _FRENCH_TITLES[m[1]], text)

    def ordinal_word(match: re.Match[str]) -> str:
        number, ending = (int(match[1]), match[2]) if match[1] else (1, match[3])
        if number == 1:
            return "première" if ending in ("re", "ère") else "premier"
        return ordinal(number, "fr") if ending in ("e", "ème") else match[0]

    return _FRENCH_ORDINAL.sub(ordinal_word, text)


# "1º", "2.ª", "4º)": Portuguese, Spanish and Italian write an ordinal with a raised o (a) for its gender,
# which NFKC would make a plain letter ("1o"); "N.º 5" is a number, "§ 4º" a paragraph
_ORDINAL_INDICATOR = re.compile(r"(?<![\w.,])(\d+)\.?([ºª])(?!\w)")
_NUMERO = re.compile(r"(?<![\w.])([Nn])\.?º\.?(?= ?\d)")
_NUMERO_WORDS = {"pt": "número", "es": "número", "it": "numero"}
_PARAGRAPH_WORDS = {"pt": "parágrafo", "es": "párrafo", "it": "paragrafo"}


def ordinal_indicators(text: str, ctx: NormalizeContext) -> str:
    """Portuguese, Spanish and Italian: "1º" -> "primeiro" ("primero", "primo"), "2ª" -> "segunda", "N.º"
    -> "número", "§" -> "parágrafo". Papéis avulsos' "— 1º, que verificara" was given to the model as
    "1o" (NFKC makes º an o), which no rule read."""
    language = _language(ctx)
    if language not in _NUMERO_WORDS or not re.search("[ºª§]", text):
        return text

    def said(match: re.Match[str]) -> str:
        words = ordinal(int(match[1]), language)
        return re.sub(r"o\b", "a", words) if match[2] == "ª" else words

    text = _NUMERO.sub(
        lambda m: _NUMERO_WORDS[language].capitalize() if m[1] == "N" else _NUMERO_WORDS[language], text
    )
    text = re.sub(r"§§?", _PARAGRAPH_WORDS[language], text)
    return _ORDINAL_INDICATOR.sub(said, text)


# Réis as Brazil and Portugal wrote them until the 1940s and 1910s: "70$000" is seventy mil-réis (seventy
# thousand réis), "1:070$000" a conto (a million réis) and seventy mil-réis, "2$500" two thousand five hundred
# réis; and Portugal's escudos after them, with two digits: "5$00", "2$50"
_REIS = re.compile(r"(?<![\w.,:$])(?:(\d{1,3}):)?(\d{1,3}(?:\.\d{3})*|\d+)?\$(\d{3})(?![\w$]|[.,]\d)")
_ESCUDOS = re.compile(r"(?<![\w.,:$])(\d{1,3}(?:\.\d{3})*|\d+)\$(\d{2})(?![\w$]|[.,]\d)")


def _reis(match: re.Match[str]) -> str:
    contos, mil_reis = int(match[1] or 0), int((match[2] or "0").replace(".", ""))
    contos, reis = divmod((contos * 1000 + mil_reis) * 1000 + int(match[3]), 1_000_000)
    said = [f"{cardinal(contos, 'pt')} {'conto' if contos == 1 else 'contos'}"] if contos else []
    if reis:
        said.append(f"{cardinal(reis, 'pt')} réis")
    elif contos:
        said[0] += " de réis"
    return " e ".join(said) or "zero réis"


def _escudos(match: re.Match[str]) -> str:
    escudos, centavos = int(match[1].replace(".", "")), int(match[2])
    said = f"{cardinal(escudos, 'pt')} {'escudo' if escudos == 1 else 'escudos'}"
    return said + (f" e {cardinal(centavos, 'pt')} centavos" if centavos else "")


def portuguese_money(text: str, ctx: NormalizeContext) -> str:
    """Portuguese: sums in réis and escudos are said as a reader says them: Dom Casmurro's "1:070$000
    mensais" was heard "um:setenta$zero mensais", "70$000 a 180$000" "setenta$zero a cento e
    oitenta$zero"; now "um conto e setenta mil réis mensais", "setenta mil réis a cento e oitenta mil
    réis"."""
    if _language(ctx) != "pt" or "$" not in text:
        return text
    return _ESCUDOS.sub(_escudos, _REIS.sub(_reis, text))


# Portuguese and Spanish titles before a name or a noun ("o Sr. José", "o Sr. bispo", "la Sra. de Pérez")
_IBERIAN_TITLES = {
    "pt": {
        "Sr": "Senhor",
        "Sra": "Senhora",
        "Srs": "Senhores",
        "Sras": "Senhoras",
        "Srta": "Senhorita",
        "Dr": "Doutor",
        "Dra": "Doutora",
        "Drs": "Doutores",
    },
    "es": {
        "Sr": "Señor",
        "Sra": "Señora",
        "Sres": "Señores",
        "Sras": "Señoras",
        "Srta": "Señorita",
        "Dr": "Doctor",
        "Dra": "Doctora",
        "Ud": "usted",
        "Uds": "ustedes",
        "Vd": "usted",
        "Vds": "ustedes",
    },
}
# "Sr.", "sr.", and "Sr.ª" (which NFKC has made "Sr.a") for Sra.
_IBERIAN_TITLE = re.compile(r"(?<![\w.])((?i:srs?|sras?|srta|sres|drs?|dra|uds?|vds?))\.(a?)(?= \w)")
# "D. Glória", "D. João": Portuguese writes Dona and Dom alike; Spanish "D." is Don and "D.ª" (after NFKC
# "D.a") or "Dña." Doña. Not an initial of a name: "J. D. Salinger", "D. H. Lawrence".
_DON = re.compile(r"(?<![\w.])(?<![A-Z]\. )D(\.a|ña\.|\.) (?=(?![A-Z]\.)([A-ZÀ-Ý][\wà-ÿ]*))")
_EXCELLENCY = re.compile(r"(?<![\w.])([VS])\. ?(?:Excia|Exa|Ex\.a)(?!\w)\.?")
# Women's names that take Dona without ending in -a (the others do, and men's names, but a few, do not)
_DONA_NAMES = set("inês isabel beatriz raquel ester carmo rosário conceição luz mercês".split())


def iberian_abbreviations(text: str, ctx: NormalizeContext) -> str:
    """Portuguese and Spanish: the titles before a name are said in full ("Sr. José" -> "Senhor José",
    "D. Glória" -> "Dona Glória", "D. João" -> "Dom João", "V. Excia." -> "Vossa Excelência"), which the
    model read as letters."""
    language = _language(ctx)
    if language not in _IBERIAN_TITLES or "." not in text:
        return text
    titles = _IBERIAN_TITLES[language]

    def title(match: re.Match[str]) -> str:
        said = titles.get(match[1].capitalize() + match[2])
        return match[0] if said is None else said if match[1][0].isupper() else said.lower()

    def don(match: re.Match[str]) -> str:
        woman = match[1] != "."
        if language == "pt":
            woman = woman or match[2].casefold().endswith("a") or match[2].casefold() in _DONA_NAMES
        return (
            ("Dona " if language == "pt" else "Doña ") if woman else ("Dom " if language == "pt" else "Don ")
        )

    text = _DON.sub(don, _IBERIAN_TITLE.sub(title, text))
    if language == "pt":
        text = _EXCELLENCY.sub(lambda m: ("Vossa" if m[1] == "V" else "Sua") + " Excelência", text)
    return text


def neutral_roman_numerals(text: str, ctx: NormalizeContext) -> str:
    """Other languages: numbered references and centuries (see `numbered_references`), a regnal numeral of
    two or more letters after a capitalised name ("Luigi XIV" -> "Luigi quattordicesimo", "Louis XIV" ->
    "Louis quatorze"), and a heading that is only a numeral. A heading in capitals stays in capitals, for
    `neutral_capitals` to lower as a whole: Manzoni's "CAPITOLO II." was heard "CAPITOLO secondo." (its
    number words left too few capitals to count as a heading), Dom Casmurro's "L. UM MEIO-TERMO"
    "Cinquenta. UM MEIO-TERMO."; now "Capitolo secondo.", "Cinquenta. Um meio-termo."."""
    if not re.search("[IVXLCivxlc]", text):
        return text
    shouted = bool(_CAPITALS_PAIR.search(text)) and _mostly_capitals(text)
    text = _neutral_roman_numerals(text, ctx)
    return text.upper() if shouted else text


def _neutral_roman_numerals(text: str, ctx: NormalizeContext) -> str:
    language = _language(ctx)
    text = numbered_references(text, ctx)

    def regnal(match: re.Match[str]) -> str:
        value = roman_value(match[2])
        return f"{match[1]} {_numeral_said(value, language, language != 'fr')}" if value else match[0]

    def heading_numeral(match: re.Match[str]) -> str:
        value = roman_value(match[1])
        return _numeral_said(value, language, False).capitalize() + match[2] if value else match[0]

    text = re.sub(r"\b([A-Z][a-zà-ÿ]+) ([IVXL]{2,})\b(?!['’])", regnal, text)
    if ctx.heading:
        text = re.sub(r"^([IVXLC]+)(\.|\s*$|:)", heading_numeral, text)
    return standalone_numerals(text, ctx)


_NEUTRAL_SYMBOLS = str.maketrans(
    {"*": " ", "_": " ", "|": " ", "<": " ", ">": " ", "#": " ", "~": " ", "=": " "}
)


def _spaced_dashes(text: str) -> str:
    """ "ago—never" -> "ago — never": a dash between words is a clause boundary (where a long sentence may be
    cut), not part of a word."""
    return re.sub(r"\s*([—–])\s*", r" \1 ", text) if "—" in text or "–" in text else text


def neutral_symbols(text: str, ctx: NormalizeContext) -> str:
    """Other languages: symbols a reader does not say become spaces; dashes are set off by spaces."""
    return _spaced_dashes(text).translate(_NEUTRAL_SYMBOLS)


# ----------------------------------------------------------------------------------------------------
# Symbols and the model's own characters


_SYMBOLS = {
    "%": " percent ",
    "&": " and ",
    "+": " plus ",
    "=": " equals ",
    "§": " section ",
    "×": " times ",
    "@": " at ",
    "°": " degrees ",
    "~": " about ",
    "№": " number ",
    "©": " copyright ",
    "®": "",
    "™": "",
    "*": " ",
    "_": " ",
    "|": " ",
    "<": " ",
    ">": " ",
    "/": " ",
    "#": " ",
}


_SYMBOL_TABLE = str.maketrans(_SYMBOLS)


# A currency sign left after the money rules has no amount: "in £ s. d.", "reckoned in $", "the £ sign";
# "£ s. d." heads the columns of an account (a table's cells: "£; s; d")
_ACCOUNTS_HEADING = re.compile(r"£([;,]? )s\.?([;,]? )d\b\.?")
_LONE_CURRENCY = re.compile(rf"(?:\b([Tt]he|[Aa]|[Oo]ne) )?([{re.escape(''.join(_CURRENCIES))}])")


def _accounts_heading(match: re.Match[str]) -> str:
    """ "£ s. d." -> "pounds, shillings and pence"; a table's cells keep their own marks between them."""
    if match[1] == match[2] == " ":
        return "pounds, shillings and pence"
    return f"pounds{match[1]}shillings{match[2]}pence"


def _currency_named(match: re.Match[str]) -> str:
    one, many = _CURRENCIES[match[2]][:2]
    return f"{match[1]} {one}" if match[1] else many


def symbols(text: str, ctx: NormalizeContext) -> str:
    """& -> and, + -> plus, a currency sign without an amount is named ("in £" -> "in pounds"), symbols a
    reader does not say (* _ |) become spaces; dashes are set off by spaces."""
    if any(sign in text for sign in _CURRENCIES):
        text = _ACCOUNTS_HEADING.sub(_accounts_heading, text)
        text = _LONE_CURRENCY.sub(_currency_named, text)
    return _spaced_dashes(text).translate(_SYMBOL_TABLE)


def model_characters(text: str, ctx: NormalizeContext) -> str:
    """The model configuration's own replacement table (e.g. curly quotes -> ', dashes -> ,), handed in."""
    if not ctx.replace_characters:
        return text
    return "".join(ctx.replace_characters.get(ch, ch) for ch in text)


def whitespace(text: str, ctx: NormalizeContext) -> str:
    """One space between words, none before punctuation; a comma from a dash does not follow another mark,
    but an abbreviation's period gives way to the comma after it ("Per G. G., Chief": the pause is kept)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r" +([,.;:!?…])", r"\1", text)
    text = re.sub(r"(?<=[^\W\d_])\.(?=[,;:])", "", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"([.!?…])\s*[,;:]", r"\1", text)
    return re.sub(r"^[,;:]\s*", "", text).strip()


PIPELINE: list[Rule] = [
    broken_off,
    unicode_cleanup,
    ligatures,
    urls_and_emails,
    stray_markup,
    lexicon,
    statutes,
    abbreviations,
    roman_numerals,
    all_caps,  # before the numbers: their words are lower case and would dilute a shouted sentence
    money,
    percentages,
    times,
    spelled_times,
    dates,
    bare_decimals,
    units,
    typeset_fractions,
    phone_numbers,
    page_ranges,
    years,
    ranges,
    ordinals,
    fractions,
    cardinals,
    symbols,
    model_characters,
    whitespace,
]


# Rules that only ever touch digits: skipped for the (many) sentences that have none.
NUMBER_RULES = {
    money,
    percentages,
    times,
    dates,
    bare_decimals,
    units,
    typeset_fractions,
    phone_numbers,
    page_ranges,
    years,
    ranges,
    ordinals,
    fractions,
    cardinals,
}
NEUTRAL_PIPELINE: list[Rule] = [
    broken_off,
    ordinal_indicators,  # before unicode_cleanup, whose NFKC makes "1º" "1o"
    unicode_cleanup,
    urls_and_emails,
    stray_markup,
    lexicon,
    neutral_roman_numerals,
    french_abbreviations,
    neutral_capitals,
    iberian_abbreviations,
    german_dates,
    portuguese_money,
    plain_numbers,
    neutral_symbols,
    model_characters,
    whitespace,
]


def normalize(text: str, ctx: NormalizeContext | None = None) -> str:
    """Run every rule in order on one sentence; the result is what the model is asked to say."""
    ctx = ctx or NormalizeContext()
    english = _language(ctx) == "en"
    written = text
    for rule in PIPELINE if english else NEUTRAL_PIPELINE:
        if rule in NUMBER_RULES and not _HAS_DIGIT.search(text):
            continue
        text = rule(text, ctx)
    return _keep_final_stop(written, text)


_FINAL_STOP = re.compile(r"[.!?…]([\"'”’)\]»]*)\s*$")
_CLOSERS_AT_END = re.compile(r"([\"'”’)\]»]*)\s*$")


def _keep_final_stop(written: str, spoken: str) -> str:
    """A sentence that ended with a stop still does after a rule ate it ("at 6 pm." -> "at six P M.").

    Sentences are packed together into one model call, so the stop is what keeps them apart.
    """
    if not spoken or not _FINAL_STOP.search(written) or _FINAL_STOP.search(spoken):
        return spoken
    if spoken.rstrip()[-1:] in ",;:":
        spoken = spoken.rstrip()[:-1]
    return _CLOSERS_AT_END.sub(lambda m: "." + m[1], spoken, count=1)
