"""Characters, the first rules and the last: invisible characters, typeset fractions, ligatures and a dash
that breaks speech off, before any word rule; symbols, the model's own replacement characters and spaces,
after them all."""

from __future__ import annotations

import re
import unicodedata

from audiobook_tts.text.normalize.context import NormalizeContext, _language
from audiobook_tts.text.normalize.currency import _CURRENCIES
from audiobook_tts.text.normalize.numbers import FRACTION_SLASH, cardinal

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
# Symbols and the model's own characters


def _spaced_dashes(text: str) -> str:
    """ "ago—never" -> "ago — never": a dash between words is a clause boundary (where a long sentence may be
    cut), not part of a word."""
    return re.sub(r"\s*([—–])\s*", r" \1 ", text) if "—" in text or "–" in text else text


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


_NEUTRAL_SYMBOLS = str.maketrans(
    {"*": " ", "_": " ", "|": " ", "<": " ", ">": " ", "#": " ", "~": " ", "=": " "}
)


def neutral_symbols(text: str, ctx: NormalizeContext) -> str:
    """Other languages: symbols a reader does not say become spaces; dashes are set off by spaces."""
    return _spaced_dashes(text).translate(_NEUTRAL_SYMBOLS)


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
