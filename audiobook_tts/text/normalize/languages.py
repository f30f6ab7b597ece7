"""The languages other than English: numbers in each language's own words, German dates, French and Iberian
titles and ordinals, Portuguese réis and escudos (the neutral rules for Roman numerals, capitals and symbols
live with their subject)."""

from __future__ import annotations

import re

from num2words import num2words

from audiobook_tts.text.normalize.capitals import _CAPITALS_PAIR, _mostly_capitals
from audiobook_tts.text.normalize.context import NormalizeContext, _language
from audiobook_tts.text.normalize.numbers import _HAS_DIGIT, cardinal, ordinal
from audiobook_tts.text.normalize.roman import roman_value


def plain_numbers(text: str, ctx: NormalizeContext) -> str:
    """Other languages: whole numbers in words, by num2words' rules for that language; a glued note number
    ("gloria1") goes."""
    lang = _language(ctx)
    try:
        num2words(1, lang=lang)
    except NotImplementedError:
        return text
    return re.sub(r"(?<![\w.,])\d+(?![\w.,]\d|\w)", lambda m: cardinal(int(m[0]), lang), text)


# "20°", "3 °C", "45° de latitude": the degree sign is a word in each language, singular for one (and for
# zero in French); left a sign, it was heard "vingt°"
_DEGREES = re.compile(r"(?<![\w.,])(\d+) ?°(?: ?([CF])(?![^\W\d_]))?")
_DEGREE_WORDS = {
    "fr": ("degré", "degrés"), "es": ("grado", "grados"), "it": ("grado", "gradi"), "pt": ("grau", "graus"),
    "de": ("Grad", "Grad"), "nl": ("graad", "graden"),
}  # fmt: skip
_SCALES = {"C": "Celsius", "F": "Fahrenheit"}
_ONE_BEFORE_A_NOUN = {"fr": "un", "es": "un", "it": "un", "pt": "um", "de": "ein", "nl": "één"}  # not "uno"


def degrees(text: str, ctx: NormalizeContext) -> str:
    """Other languages: "20°" is twenty degrees in the language's word, before the number is read."""
    language = _language(ctx)
    words = _DEGREE_WORDS.get(language)
    if words is None or "°" not in text:
        return text

    def said(match: re.Match[str]) -> str:
        one = match[1] == "1" or (match[1] == "0" and language == "fr")
        number = _ONE_BEFORE_A_NOUN[language] if match[1] == "1" else match[1]
        scale = f" {_SCALES[match[2]]}" if match[2] else ""
        glued = " " if match.string[match.end() : match.end() + 1].isalpha() else ""  # "10°Cabo"
        return f"{number} {words[0] if one else words[1]}{scale}{glued}"

    return _DEGREES.sub(said, text)


# "(1741-1819)", "pp. 452-467": two numbers joined by a hyphen or a dash are a range, said with the
# language's "to"; a hyphen read aloud would glue them ("quarante et un-mille huit cent dix-neuf")
_RANGE = re.compile(r"(?<![\w.,/–-])(\d{1,4})[-–](\d{1,4})(?![\w/–-]|[.,]\d)")
_RANGE_WORDS = {"fr": "à", "de": "bis", "es": "a", "it": "a", "pt": "a"}


def number_ranges(text: str, ctx: NormalizeContext) -> str:
    """Other languages: "(1741-1819)" -> "(mille sept cent quarante et un à mille huit cent dix-neuf)", "bis"
    in German (with years said as years: "siebzehnhunderteinundvierzig bis achtzehnhundertneunzehn"), "a" in
    Spanish, Italian and Portuguese, as English says "to"."""
    language = _language(ctx)
    if language not in _RANGE_WORDS or not _HAS_DIGIT.search(text):
        return text

    def said(number: str, years: bool) -> str:
        return _german_year(number) if years else cardinal(int(number), language)

    def range_(match: re.Match[str]) -> str:
        years = language == "de" and len(match[1]) == 4  # "1914-1918", "1914-18"
        return (
            f"{said(match[1], years)} {_RANGE_WORDS[language]} {said(match[2], len(match[2]) == 4 and years)}"
        )

    return _RANGE.sub(range_, text)


GERMAN_MONTHS = (
    "Januar|Jänner|Februar|März|April|Mai|Juni|Junius|Juli|Julius|August|September|Oktober|October|November"
    "|Dezember|December"
)
# "am 4. Mai 1771", "der 16. Junius", "im Jahre 1771": German writes an ordinal as the number and a period
_GERMAN_DATE = re.compile(rf"(?<![\w.])(\d{{1,2}})\. ({GERMAN_MONTHS})\b(?:(,? )(\d{{4}})\b)?")
_GERMAN_YEAR = re.compile(r"\b((?:[Ii]m )?Jahre?|[Aa]nno) (\d{4})\b")
# A day without its month, after a word that makes it one ("Am 14. früh", "zum 14.", "heut ist der 24., und")
_GERMAN_DAY = re.compile(
    r"(?i:\b(am|vom|zum|im|beim|zur|den|dem|des)|\b(der)) (\d{1,2})\.(?!\d)(?(2)(?=[,;:)]|$))"
)
# The word before an ordinal sets its ending: "der dritte Oktober", "am dritten", "ein dritter Oktober"; with
# none, a date is said in the nominative ("Hochzeitstag (3. Oktober)", "Kessin, 31. Dezember.": "dritter")
_WORD_BEFORE = re.compile(r"(?<![^\W\d_])([^\W\d_]+) $")
_WEAK_ENDING = {"der", "dieser", "jener", "jeder"}
_STRONG_ENDING = {"ein", "kein", "mein", "dein", "sein", "ihr", "unser", "euer"}
_AFTER_A_PREPOSITION = set(
    "am vom zum im beim zur bis seit ab vor nach gegen an auf für zu über um von".split()
)


def _german_year(written: str) -> str:
    """1771 -> "siebzehnhunderteinundsiebzig", as a year is said (a count is "eintausendsiebenhundert...")."""
    number = int(written)
    return num2words(number, lang="de", to="year") if 1100 <= number < 2000 else cardinal(number, "de")


def _german_ending(before: str) -> str:
    """The ending of a day's ordinal ("dritt-") after the text `before` it: -e, -en or -er."""
    word = _WORD_BEFORE.search(before)
    said = word[1].lower() if word else ""
    if said in _WEAK_ENDING:
        return "e"
    if said in _AFTER_A_PREPOSITION or (said not in _STRONG_ENDING and re.fullmatch(r"\w*e[mns]", said)):
        return "en"  # dem, den, des, einem, diesen...
    return "er"


def german_dates(text: str, ctx: NormalizeContext) -> str:
    """German: a day of the month is an ordinal, its ending set by the word before it ("am 4. Mai" -> "am
    vierten Mai", "der 4. Mai" -> "der vierte Mai", "ein 2. Dezember" -> "ein zweiter Dezember", "Kessin,
    31. Dezember." -> "Kessin, einunddreißigster Dezember."); so is a day without its month after "am",
    "zum", "den"... ("Am 14. früh" -> "Am vierzehnten früh"); the year of a date or after "im Jahre" is said
    as a year, not as a count."""
    if _language(ctx) != "de" or not _HAS_DIGIT.search(text):
        return text

    def date(match: re.Match[str]) -> str:
        day = ordinal(int(match[1]), "de")[:-1] + _german_ending(text[: match.start()])
        return f"{day} {match[2]}" + (f"{match[3]}{_german_year(match[4])}" if match[4] else "")

    def day(match: re.Match[str]) -> str:
        ending = "e" if match[2] else "en"
        return f"{match[1] or match[2]} {ordinal(int(match[3]), 'de')[:-1]}{ending}"

    text = _GERMAN_DAY.sub(day, _GERMAN_DATE.sub(date, text))
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
# "M. Bovary", "M. le curé", "M. et madame Charles", "MM. Homais et Léon", "M. son père": a title before a
# name, its article, a possessive or a second title; "MME", "MLLE" as a line in capitals has them (a
# character's name over a speech: "Mme DE SAINT-FRÉMONT", which the Roman numerals' rule puts in capitals)
_FRENCH_TITLE = re.compile(
    r"(?<![\w.])(MM?\.|Mmes?|Mlles?|Mgr|MMES?|MLLES?|MGR)\.?"
    r"(?= (?:[A-ZÀ-Ý]|(?:le|la|les|de|du|des|et|[mts]on|[mts]a|[nv]otre|leurs?|d['’]|l['’])\b))"
)
# "1er mai", "la 1re fois", "le 2e étage", "Napoléon Ier": French writes an ordinal with a raised ending
_FRENCH_ORDINAL = re.compile(r"(?<![\w.,])(?:(\d+)(er|re|ère|e|ème)|I(er|re|ère))(?!\w)")


def french_abbreviations(text: str, ctx: NormalizeContext) -> str:
    """French: the titles before a name are said in full ("M. Bovary" -> "Monsieur Bovary", "Mme" ->
    "Madame"), and an ordinal with its ending is a word ("1er" -> "premier", "2e" -> "deuxième")."""
    if _language(ctx) != "fr":
        return text
    shouted = bool(_CAPITALS_PAIR.search(text)) and _mostly_capitals(text)

    def title(match: re.Match[str]) -> str:
        said = _FRENCH_TITLES.get(match[1]) or _FRENCH_TITLES[match[1].capitalize()]
        return said.upper() if shouted else said  # for the capitals' rule to lower with the rest

    text = _FRENCH_TITLE.sub(title, text)

    def ordinal_word(match: re.Match[str]) -> str:
        number, ending = (int(match[1]), match[2]) if match[1] else (1, match[3])
        if number == 1:
            return "première" if ending in ("re", "ère") else "premier"
        return ordinal(number, "fr") if ending in ("e", "ème") else match[0]

    text = _FRENCH_ORDINAL.sub(ordinal_word, text)
    return _REPUBLICAN_YEAR.sub(_republican_year, text)


# A year of the French Republic's calendar, "l'an II", "an XI-1803" (its year of our era after a hyphen): the
# numeral is a number even of one letter or glued to the year, which the Roman numerals' rule leaves alone
_REPUBLICAN_YEAR = re.compile(r"\b([Aa]n) ([IVX]{1,5})(?:(-)(?=\d{4}\b)|(?![\w'’-]))")


def _republican_year(match: re.Match[str]) -> str:
    value = roman_value(match[2])
    if not value:
        return match[0]
    return f"{match[1]} {cardinal(value, 'fr')}" + (", " if match[3] else "")


# "1º", "2.ª", "4º)": Portuguese, Spanish and Italian write an ordinal with a raised o (a) for its gender,
# which NFKC would make a plain letter ("1o"); "N.º 5" is a number, "§ 4º" a paragraph
_ORDINAL_INDICATOR = re.compile(r"(?<![\w.,])(\d+)\.?([ºª])(?!\w)")
_NUMERO = re.compile(r"(?<![\w.])([Nn])\.?[º°]\.?(?= ?\d)")
_NUMERO_WORDS = {"pt": "número", "es": "número", "it": "numero", "fr": "numéro"}
_PARAGRAPH_WORDS = {"pt": "parágrafo", "es": "párrafo", "it": "paragrafo"}


def ordinal_indicators(text: str, ctx: NormalizeContext) -> str:
    """Portuguese, Spanish and Italian: "1º" -> "primeiro" ("primero", "primo"), "2ª" -> "segunda", "N.º"
    -> "número", "§" -> "parágrafo". Papéis avulsos' "— 1º, que verificara" was given to the model as
    "1o" (NFKC makes º an o), which no rule read."""
    language = _language(ctx)
    if language == "fr":
        return _french_indicators(text)
    if language not in _NUMERO_WORDS or not re.search("[ºª§°]", text):
        return text

    def said(match: re.Match[str]) -> str:
        words = ordinal(int(match[1]), language)
        return re.sub(r"o\b", "a", words) if match[2] == "ª" else words

    text = _NUMERO.sub(
        lambda m: _NUMERO_WORDS[language].capitalize() if m[1] == "N" else _NUMERO_WORDS[language], text
    )
    text = re.sub(r"§§?", _PARAGRAPH_WORDS[language], text)
    return _ORDINAL_INDICATOR.sub(said, text)


# French: "Nº 24" (or "N° 24") is numéro; "1º", "2º" (or "1<sup>o</sup>", a plain o by now) number a list's
# points, premièrement, deuxièmement; "in-8º", "in-4º", "in-fº" are a book's formats, in-octavo, in-quarto,
# in-folio ("in-12" is in-douze as it stands)
_FRENCH_FORMAT = re.compile(r"(?<![\w-])([Ii]n)-(?:(4|8)[º°o]?|f[º°o])(?!\w)")
_FRENCH_FORMATS = {"4": "quarto", "8": "octavo", None: "folio"}
_FRENCH_POINT = re.compile(r"(?<![\w.,])(\d{1,2})[ºo](?!\w)(\.)?")


def _french_indicators(text: str) -> str:
    """Entre nous' preface was heard "1o. nous supposons", Candide's title page "Rue jacob, no
    vingt-quatre" and "deux volumes in-8o"; now "Premièrement, nous supposons", "numéro vingt-quatre",
    "in-octavo"."""
    if not re.search(r"[º°]|\do\b", text):
        return text
    text = _FRENCH_FORMAT.sub(lambda m: f"{m[1]}-{_FRENCH_FORMATS[m[2]]}", text)
    text = _NUMERO.sub(lambda m: "Numéro" if m[1] == "N" else "numéro", text)

    def point(match: re.Match[str]) -> str:
        number = int(match[1])
        said = "premièrement" if number == 1 else ordinal(number, "fr") + "ment"
        said = said.capitalize() if _SENTENCE_OPENS.search(text[: match.start()]) else said
        return said + ("," if match[2] else "")

    return _FRENCH_POINT.sub(point, text)


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
    if language == "es":
        text = _spanish_usted(text)
    if language == "pt":
        text = _EXCELLENCY.sub(lambda m: ("Vossa" if m[1] == "V" else "Sua") + " Excelência", text)
    return text


# Spanish "V." (Vd., Ud.) is usted, "VV." (Vds., Uds.) ustedes, where no name follows: before a lower-case
# word ("¿Viene V. de confesar?"), a stop or the sentence's end ("Háblame de V."). Not an initial ("V.
# Blasco Ibáñez", "Ch. V. Langlois"), nor "V." for véase before a reference ("V. nota 3", "V. pág. 12").
_USTED = re.compile(
    r"(?<![\w.])(?<![A-Z]\. )(V|VV|[VvUu]ds?)\."
    r"(?= [a-zà-ÿ¡¿«(—–]| ?[.,;:!?…)»”\"'—–]|$)(?! (?:p[áa]gs?|pp?|notas?|caps?|n[úu]m|vols?|t)\b)"
)
_VERBIGRACIA = re.compile(r"(?<![\w.])([Vv])\. ?gr\.")
# Nor a numeral: after a capitalised word inside a sentence ("el emperador Carlos V. murió"), or after a
# king's or pope's name or a numbered part that opens one ("Carlos V. murió", "Acto V."); a capitalised
# word that opens a sentence is a verb ("Médielo V.", "Lea V. la orden")
_CAPITALISED_BEFORE = re.compile(r"(?:(?<=[^\s.!?…¡¿—–«\"“(])\s+|^)([A-ZÀ-Ý][\wà-ÿ]*) $")
_NUMERAL_AFTER = set(
    "Alfonso Carlos Felipe Fernando Enrique Jaime Juan Pedro Sancho Luis Pío León Gregorio Clemente Inocencio"
    " Benedicto Urbano Sixto Pablo Alejandro Martín Nicolás Bonifacio Julio Eugenio Paulo Adriano Acto Escena"
    " Jornada Cuadro Canto Libro Tomo Parte Capítulo Lección Título Artículo Tratado Número".split()
)
_SENTENCE_OPENS = re.compile(r"(?:^|[.!?…] )[\s¡¿«\"“—–(]*$")


def _spanish_usted(text: str) -> str:
    """ "¡Diga V. otra vez!" -> "¡Diga usted otra vez!", "todos Vds." -> "todos ustedes", "v. gr." ->
    "verbigracia": El sombrero de tres picos' "V." was left to the model 125 times."""

    def usted(match: re.Match[str]) -> str:
        word = _CAPITALISED_BEFORE.search(text[: match.start()])
        if word and (word.start(1) > 0 or word[1] in _NUMERAL_AFTER):
            return match[0]
        said = "ustedes" if match[1] in ("VV", "Vds", "Uds", "vds", "uds") else "usted"
        said = said.capitalize() if _SENTENCE_OPENS.search(text[: match.start()]) else said
        return said + "." if re.match(r"\.\.(?!\.)", text[match.end() :]) else said  # "mire V..."

    text = _VERBIGRACIA.sub(lambda m: "Verbigracia" if m[1] == "V" else "verbigracia", text)
    return _USTED.sub(usted, text)
