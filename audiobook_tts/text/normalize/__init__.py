"""Normalisation for speech: written English becomes the words a reader would say.

The model reads letters, not conventions: "$3.50", "Henry VIII", "Dr." or "5 km" come out garbled or skipped
unless they are spelled the way they are spoken. Each rule is a small named function `str -> str`, in the
module of its subject; `normalize` runs them in a fixed order, the pipelines below (the order matters: money
before plain numbers, abbreviations before the all-caps rule).

The subjects, a module each:
* context: `NormalizeContext` (what a rule may know besides its sentence), the language, the user's lexicon.
* characters: Unicode first (invisible characters, typeset fractions, ligatures, a dash that breaks speech
  off); symbols, the model's own characters and spaces last.
* markup: web and e-mail addresses, stray markup.
* english_abbreviations: titles, Latin and reference abbreviations, shortened given names, compass points,
  degrees, dotted initialisms, Acts of Parliament cited by regnal year.
* roman: Roman numerals.
* capitals: all-caps words and sentences.
* currency: money, and pounds, shillings and pence.
* dates_and_times: times of day, dates, years.
* measures: units.
* numbers: the number words every rule says, and percentages, fractions, decimals, phone numbers, ranges,
  ordinals and whatever numbers remain.
* languages: the rules of German, French, Italian, Spanish and Portuguese.

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

from audiobook_tts.text.normalize.capitals import all_caps, neutral_capitals, spaced_capitals
from audiobook_tts.text.normalize.characters import (
    broken_off,
    ligatures,
    model_characters,
    neutral_symbols,
    symbols,
    unicode_cleanup,
    whitespace,
)
from audiobook_tts.text.normalize.context import (
    NormalizeContext,
    Rule,
    _language,
    apply_lexicon,
    language_code,
    lexicon,
)
from audiobook_tts.text.normalize.currency import money
from audiobook_tts.text.normalize.dates_and_times import dates, spelled_times, times, years
from audiobook_tts.text.normalize.english_abbreviations import (
    GIVEN_NAMES,
    REGNAL_NAMES,
    abbreviations,
    statutes,
)
from audiobook_tts.text.normalize.languages import (
    GERMAN_MONTHS,
    degrees,
    french_abbreviations,
    german_dates,
    iberian_abbreviations,
    number_ranges,
    ordinal_indicators,
    plain_numbers,
    portuguese_money,
)
from audiobook_tts.text.normalize.markup import stray_markup, urls_and_emails
from audiobook_tts.text.normalize.measures import units
from audiobook_tts.text.normalize.numbers import (
    _HAS_DIGIT,
    bare_decimals,
    cardinals,
    fractions,
    ordinals,
    page_ranges,
    percentages,
    phone_numbers,
    ranges,
    typeset_fractions,
)
from audiobook_tts.text.normalize.roman import neutral_roman_numerals, roman_numerals, roman_value

# What the rest of the code imports from here; every rule of the pipelines is here too, by its name.
__all__ = [
    "GERMAN_MONTHS",
    "GIVEN_NAMES",
    "NEUTRAL_PIPELINE",
    "NUMBER_RULES",
    "PIPELINE",
    "REGNAL_NAMES",
    "NormalizeContext",
    "Rule",
    "apply_lexicon",
    "language_code",
    "normalize",
    "roman_value",
    "unicode_cleanup",
]


PIPELINE: list[Rule] = [
    broken_off,
    unicode_cleanup,
    ligatures,
    urls_and_emails,
    stray_markup,
    lexicon,
    spaced_capitals,  # before abbreviations, which spell "C.i.f." so
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
    spaced_capitals,
    neutral_capitals,
    iberian_abbreviations,
    german_dates,
    portuguese_money,
    degrees,
    number_ranges,
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
