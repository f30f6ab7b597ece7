"""Roman numerals, read only where they are numerals (after a numbered thing, before "century", after a
monarch's name, opening a heading), in every language with its own number words."""

from __future__ import annotations

import re

from audiobook_tts.text.normalize.capitals import _CAPITALS_PAIR, _mostly_capitals
from audiobook_tts.text.normalize.context import NormalizeContext, _language
from audiobook_tts.text.normalize.numbers import cardinal, ordinal

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


# Words before a sovereign's name ("King Henry VIII", "Pope Pius IX", "In Ptolemy II's reign"): the numeral
# after the name is still "the eighth", "the ninth", "the second"
_BEFORE_A_NAME = set(
    """
King Queen Pope Emperor Empress Tsar Czar Tsarina Czarina Kaiser Sultan Shah Pharaoh Prince Princess Duke
Duchess Archduke Elector Doge Saint St Sir Lord Lady Count Countess Earl Grand Good Old Young Holy Blessed
The A An In On At By For From To With Of And But Or Nor As So Then When While After Before During Since
Until Under Upon Unto Against Like That This Whom Where Both Between Did Was Is
""".split()
)
_WORD_BEFORE = re.compile(r"\b([A-Z][a-z]+) $")


def _names_a_thing(before: str, name: str, heading: bool) -> bool:
    """A numeral after two capitalised words that make one title names a thing, counted with a cardinal:
    "Egg Sauce II", "Brown Stock III", "World War II"; a sovereign's title, a second given name or a little
    word before the name leave the regnal reading ("King Henry VIII", "Frederick William III"), and so does
    the word that opens a sentence ("Meanwhile Ptolemy II"), unless the sentence is a heading."""
    if name in _MONARCHS:
        return False
    previous = _WORD_BEFORE.search(before)
    if previous is None or previous[1] in _BEFORE_A_NAME or previous[1] in _MONARCHS:
        return False
    return heading or bool(before[: previous.start()].strip(" \"'“‘([«"))


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
        if name == "War" or _names_a_thing(match.string[: match.start()], name, ctx.heading):
            return f"{name} {cardinal(value)}"
        return f"{name} the {ordinal(value)}"

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


# Sovereigns and popes of our other languages, after whose name a numeral of one letter is a number too ("pape
# Urbain X", "Carlos V", "Pio X"), where a lone I, V or X is otherwise a letter
_SOVEREIGNS_ABROAD = set(
    """
Louis Henri Charles Philippe François Jean Urbain Clément Grégoire Pie Léon Innocent Benoît Alexandre Sixte
Jules Boniface Nicolas Pierre Napoléon Guillaume Frédéric Carlos Felipe Fernando Alfonso Enrique Jaime Juan
Pedro Sancho Luis Pío León Gregorio Clemente Inocencio Benedicto Urbano Sixto Pablo Alejandro Carlo Luigi
Enrico Filippo Pio Leone Innocenzo Benedetto Sisto Paolo Giovanni Vittorio Umberto Ferdinando Federico Pietro
Alessandro Giulio Karl Heinrich Friedrich Wilhelm Ludwig Otto Leopold Franz Rudolf Georg Maximilian Pius Leo
Gregor Clemens Innozenz Benedikt Urban Sixtus Johann Napoleon João Manuel Afonso Sebastião Luís
""".split()
)


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
    text = re.sub(  # "Urbain X et", "Carlos V. murió": the numeral's period is no stop before a small word
        r"\b([A-Z][a-zà-ÿ]+) ([IVX])\b(?:\.(?= [a-zà-ÿ]))?(?!['’-]|\.\w|\. [A-ZÀ-Ý])",  # "Juan I. Gómez"
        lambda m: regnal(m) if m[1] in _SOVEREIGNS_ABROAD else m[0],
        text,
    )
    if ctx.heading:
        text = re.sub(r"^([IVXLC]+)(\.|\s*$|:)", heading_numeral, text)
    return standalone_numerals(text, ctx)
