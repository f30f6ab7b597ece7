"""Sentence segmentation: nupunkt (a Punkt implementation with a pre-trained English model) plus our own
pass.

Measured on tests/text/data/sentences.txt (117 tricky cases: dialogue, abbreviations, decimals, ellipses,
quotes, parentheses): pysbd 105/117, nupunkt 112/117, nupunkt + the pass below 116/117. The pass fixes
what Punkt gets wrong in prose a narrator reads: it joins a split after a title that never ends a
sentence ("Lt. | Col. Roberts") or before a lower-case continuation, and splits after an ordinary word
Punkt took for an abbreviation ("OK. Let's go.", "at 5 p.m. Everyone went home.").
"""

from __future__ import annotations

import re
from functools import cache

from audiobook_tts.text.normalize import GERMAN_MONTHS, GIVEN_NAMES, REGNAL_NAMES

# Abbreviations that stand before a name or a number and so never end a sentence.
# ("St." and "Dr." can, as Street and Drive: Punkt decides those.)
NEVER_FINAL = {
    "mr",
    "mrs",
    "ste",  # Sainte: "St. Joseph and Ste. Mary"
    "ms",
    "messrs",
    "prof",
    "capt",
    "lt",
    "lieut",
    "col",
    "gen",
    "sgt",
    "rev",
    "hon",
    "gov",
    "sen",
    "rep",
    "maj",
    "adm",
    "cmdr",
    "fr",
    "mt",
    "ft",
    "vs",
    "cf",
    "approx",
    "ch",
    "chap",
    "vol",
    "vols",
    "p",
    "pp",
    "fig",
    "figs",
    "no",
    "nos",
    "e.g",
    "i.e",
    "viz",
    "esp",
    "incl",
    *(name.lower() for name in GIVEN_NAMES),  # "Geo. Washington", "EDW. GARDINER"
}
# Other abbreviations Punkt is right to treat as possibly non-final: never force a split after them.
KNOWN_ABBREVIATIONS = NEVER_FINAL | {
    "st",
    "dr",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "bros",
    "etc",
    "al",
    "ave",
    "blvd",
    "rd",
    "dept",
    "univ",
    "ed",
    "eds",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "ph.d",
    "u.s",
    "u.k",
    "a.m",
    "p.m",
    "mm",  # French "MM.", Messieurs
}
_OPENERS = "\"'“‘([«„‚"  # with the French guillemet and the German low quotes
# ". " followed by an upper-case letter, optionally after opening quotes: where we may add a split.
_MISSED_BOUNDARY = re.compile(rf"(?<=\.)\s+(?=[{re.escape(_OPENERS)}]*[A-Z])")


@cache
def _punkt():
    from nupunkt import load

    return load("default")


def _last_word(text: str) -> str:
    """The word before a final period, lower-cased, with leading quotes and brackets removed; of a hyphened
    pair of abbreviations its last ("Lieut.-Col." -> "col")."""
    word = text.rstrip()[:-1].rsplit(None, 1)[-1] if text.rstrip()[:-1].split() else ""
    return word.lstrip(_OPENERS).lower().rsplit(".-", 1)[-1]


# "St." or "Dr." ending a piece: Saint or Doctor before a name unless a capitalised word or a house number
# comes before it (then Street or Drive, which may end a sentence: Punkt decides), as normalize reads them.
_TITLE_AT_END = re.compile(rf"(?:^|[\s{re.escape(_OPENERS)}—–])(St|Dr)\.$")
_STREET_AT_END = re.compile(r"(?:\b[A-Z][a-z]+|\d+) (?:St|Dr)\.$")
# Pre-decimal money: "£12 10s. | 6d. due to me" is one amount, never two sentences.
# The pence may carry a fraction, before or after the "d": "£3 17s. | 10½d.", "9d. | ⅘, which is".
_TYPESET_FRACTION = r"(?:[½⅓⅔¼¾⅛⅐⅑⅒⅕⅖⅗⅘⅙⅚⅜⅝⅞]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+[\u2044/][₀₁₂₃₄₅₆₇₈₉]+)"
_SHILLINGS_AT_END = re.compile(r"\d+s\.$")
_PENCE_AT_START = re.compile(rf"\d+ ?{_TYPESET_FRACTION}?d\.?(?!\w)")
_PENCE_AT_END = re.compile(r"\d+d\.$")
_FRACTION_AT_START = re.compile(rf"{_TYPESET_FRACTION}(?!\w)")
# A German date: "am 4. | Mai" is an ordinal day and its month, never two sentences.
_DAY_AT_END = re.compile(r"(?<![\w.])\d{1,2}\.$")
_MONTH_AT_START = re.compile(rf"(?:{GERMAN_MONTHS})\b")
# An act cited by its regnal year: "the 4 Geo. | III. c. 15" is one citation, as normalize.statutes reads it.
_REGNAL_YEAR_AT_END = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{'|'.join(REGNAL_NAMES)})\.$")
_REGNAL_NUMERAL_AT_START = re.compile(r"(?:[IVX]{1,4}\b|c(?:ap|hap)?\. ?\d)")
# A numbered thing's abbreviation before its number: Dom Casmurro's "(cap. | CX)" and "cap. | 2:" are one
# sentence, which normalize reads as "capítulo cento e dez". The number is digits or a Roman numeral of two
# letters or more: "his cap. I bowed" ends a sentence.
_NUMBERED_AT_END = re.compile(r"(?<![\w.])(?i:cap|vers|art|sect|sec|lib|tom)\.$")
_NUMBER_AT_START = re.compile(r"[(\[]?(?:\d+[ºª]?|[IVXLC]{2,})(?![\w'’])")
# French "MM." (Messieurs) before names: "MM. | Homais et Léon" is one sentence.
_MESSIEURS_AT_END = re.compile(r"(?<![\w.])MM\.$")
# A hyphened first name's initials before the surname: "J.-J. | Rousseau", "J.-B. | Say" (Jean-Jacques,
# Jean-Baptiste). "J.-C." (Jésus-Christ) ends many a sentence: "l'an 52 avant J.-C. | Les Gaulois".
_HYPHENED_INITIALS_AT_END = re.compile(r"(?<![\w.])(?!J\.-C\.)[A-Z]\.-[A-Z]\.$")


# Closing quotes or brackets at the start of a piece, not opening a word ("’Tis"): they end the one before.
_LEADING_CLOSERS = re.compile(r"[”’\"»)\]]+(?![^\W_])")
# a dash (after an invisible word joiner) and a lower-case word: the sentence goes on ("?”—and thinking")
_DASH_GOES_ON = re.compile(r"\u2060?[—–]\s*\u2060?[a-z]")


def _should_join(previous: str, following: str) -> bool:
    previous = previous.rstrip()
    if _DASH_GOES_ON.match(following):
        return True
    if previous.endswith(".") and _last_word(previous) in NEVER_FINAL:
        return not (_last_word(previous) == "no" and not following[:1].isdigit())
    first = following.lstrip(_OPENERS + " ")[:1]
    if _TITLE_AT_END.search(previous) and not _STREET_AT_END.search(previous):
        return first.isupper()
    if _SHILLINGS_AT_END.search(previous) and _PENCE_AT_START.match(following):
        return True
    if _PENCE_AT_END.search(previous) and _FRACTION_AT_START.match(following):
        return True
    if _DAY_AT_END.search(previous) and _MONTH_AT_START.match(following):
        return True
    if _REGNAL_YEAR_AT_END.search(previous) and _REGNAL_NUMERAL_AT_START.match(following):
        return True
    if _MESSIEURS_AT_END.search(previous) or _HYPHENED_INITIALS_AT_END.search(previous):
        return first.isupper()
    if _NUMBERED_AT_END.search(previous) and _NUMBER_AT_START.match(following):
        return True
    return first.islower()


# A title cited in short, "his Hist. Nat. Générale", "Nat. Hist. Review": a run of capitalised abbreviations
# that Punkt did not cut is one title, never one sentence per abbreviation. A title before a name is no part
# of one ("Evangelist St. John. And meet it is" ends a sentence).
_ABBREVIATION_AT_END = re.compile(r"(?:(?<![\w.])([A-Z][a-zà-ÿ]{1,5})\. )?(?<![\w.])([A-Z][a-zà-ÿ]{1,5})\.$")
_ABBREVIATION_AT_START = re.compile(r"([A-Z][a-zà-ÿ]{1,5})\. ")


def _in_abbreviated_title(before: str, after: str) -> bool:
    """Two cited abbreviations in a row end `before`, or one ends it and another starts `after`."""

    def cited(word: str | None) -> bool:
        return word is not None and word.lower() not in KNOWN_ABBREVIATIONS

    end = _ABBREVIATION_AT_END.search(before.rstrip())
    if not end or not cited(end[2]):
        return False
    start = _ABBREVIATION_AT_START.match(after)
    return cited(start[1] if start else None) or cited(end[1])


# "185° F." before a capital ends a sentence: the scale's letter is no initial
_DEGREES_AT_END = re.compile(r"\d ?° ?[CF]\.$")


def _should_split(before: str, after: str) -> bool:
    if _REGNAL_YEAR_AT_END.search(before.rstrip()) and _REGNAL_NUMERAL_AT_START.match(after):
        return False
    if _DEGREES_AT_END.search(before.rstrip()):
        return True
    if _in_abbreviated_title(before, after):
        return False
    if _NUMBERED_AT_END.search(before.rstrip()) and _NUMBER_AT_START.match(after):
        return False
    word = _last_word(before)
    if word in ("a.m", "p.m"):
        return True
    if word == "no":
        return not after[:1].isdigit()
    if word in KNOWN_ABBREVIATIONS or len(word) < 2 or "." in word:
        return False
    return word.isalpha()


def _split_missed(sentence: str) -> list[str]:
    pieces, start = [], 0
    for match in _MISSED_BOUNDARY.finditer(sentence):
        if _should_split(sentence[start : match.start()], sentence[match.end() :]):
            pieces.append(sentence[start : match.start()].strip())
            start = match.end()
    pieces.append(sentence[start:].strip())
    return [piece for piece in pieces if piece]


# German closes a quote with « (opened by ») or “ (opened by „): "»Nein.« | Und dabei lief sie", where
# Punkt, which knows only the quotes English closes with, cut nothing
_GERMAN_CLOSING_QUOTE = re.compile(r"(?<=[.!?…][«“])\s+")


def _split_after_german_quotes(sentence: str) -> list[str]:
    """Sentences that end inside a German quotation and the next, opened by a capital (or a quote): Effi
    Briest (Gutenberg 5323) ran "»Möchtest du's?« »Nein.« Und dabei lief sie auf die Mama zu" on as one
    sentence, which the long-sentence split then cut at "auf die Mama. | Zu und umarmte sie"."""
    if "«" not in sentence and "„" not in sentence:
        return [sentence]
    pieces, start = [], 0
    for match in _GERMAN_CLOSING_QUOTE.finditer(sentence):
        before, after = sentence[start : match.start()], sentence[match.end() :]
        if before.endswith("“") and "„" not in before:
            continue  # an English opening quote, misplaced
        words = after.lstrip("»„‚«")
        stop = before[:-1].replace("»", "")  # the quote's last word, as _last_word takes it ("»Nein.")
        if not words[:1].isupper() or (before[-2] == "." and not _should_split(stop, words)):
            continue
        pieces.append(before.strip())
        start = match.end()
    pieces.append(sentence[start:].strip())
    return [piece for piece in pieces if piece]


def split_sentences(text: str) -> list[str]:
    """Split running text (one paragraph) into sentences, each stripped; whitespace runs become one space."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    cursor = 0
    for piece in _punkt().tokenize(text):
        piece = piece.strip()
        start = text.find(piece, cursor)
        spaced = start <= 0 or text[start - 1] == " "  # as the text has it: "him?”—and" joins with none
        cursor = start + len(piece) if start >= 0 else cursor
        if sentences and (closers := _LEADING_CLOSERS.match(piece)):
            # Punkt cuts "to him?”—and" before the quote: it closes the sentence before
            sentences[-1] += (" " if spaced else "") + closers[0]
            spaced = piece[closers.end() : closers.end() + 1] == " "
            piece = piece[closers.end() :].strip()
        if not piece:
            continue
        if sentences and _should_join(sentences[-1], piece):
            sentences[-1] = sentences[-1] + (" " if spaced else "") + piece
        else:
            sentences.append(piece)
    return [
        cjk
        for sentence in sentences
        for part in _split_missed(sentence)
        for quoted in _split_after_german_quotes(part)
        for cjk in _split_cjk(quoted)
    ]


# Chinese and Japanese end sentences with full-width marks and no space, which Punkt never splits at.
_CJK_END = re.compile(r"(?<=[。！？])(?![。！？”’」』）])")


def _split_cjk(sentence: str) -> list[str]:
    if "。" not in sentence and "！" not in sentence and "？" not in sentence:
        return [sentence]
    return [piece.strip() for piece in _CJK_END.split(sentence) if piece.strip()]
