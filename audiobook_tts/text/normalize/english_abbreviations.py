"""Abbreviations in English text: titles ("Mr.", "Dr.", "St."), Latin and reference abbreviations ("e.g.",
"No. 5", "2nd ed."), shortened given names ("Geo."), a Frenchman's "M.", compass points, degrees, dotted
initialisms ("U.S."), and Acts of Parliament cited by regnal year ("4 Geo. III. c. 15")."""

from __future__ import annotations

import re

from audiobook_tts.text.normalize.context import NormalizeContext
from audiobook_tts.text.normalize.numbers import cardinal, ordinal
from audiobook_tts.text.normalize.roman import roman_value

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


# The chapter of an act cited by its sovereign's name in full: "the 3d of George I. c. 7", "the 12th of
# Queen Anne too, stat. 1. c. 18", "the 13th of the present king, c. 43" (The Wealth of Nations, 25 times,
# heard "circa seven"); after the rule above, also "George the third therefore, chap. 37". A chapter has at
# most three digits: "Henry VIII, c. 1540" is circa.
_SOVEREIGNS = "George|William|Charles|Henry|Edward|Elizabeth|James|Richard|Philip|Victoria|Anne|Mary"
_REIGN_CHAPTER = re.compile(
    rf"\b(?P<who>(?:{_SOVEREIGNS})(?: [IVX]{{1,4}}\b\.?| the [a-z]+)?|(?:same|present) king)"
    r"(?P<aside>,? (?:too|therefore),?)?,?(?: (?:stat|st)\. ?(?P<statute>\d{1,2})\.?,?)?"
    r" (?:c|cap|ch|chap)\. ?(?=\d{1,3}\b)"
)


def _reign_chapter(match: re.Match[str]) -> str:
    statute = f"statute {match['statute']}, " if match["statute"] else ""
    return f"{match['who']}{match['aside'] or ''}, {statute}chapter "


def statutes(text: str, ctx: NormalizeContext) -> str:
    """4 Geo. III. c. 15 -> the fourth of George the third, chapter fifteen; 13 and 14 Car. II. -> the
    thirteenth and fourteenth of Charles the second. The Wealth of Nations cites 54 acts so, which were heard
    "four Geo. three. circa fifteen" and "twelve Car. two"; 25 more by the name (the pattern above)."""

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

    return _REIGN_CHAPTER.sub(_reign_chapter, _STATUTE.sub(said, text))


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
    # a manuscript: Pepys' editor cites "Add. MSS. 10,116" (heard "M S S."); "MS." in capitals, not "Ms."
    "MS.": "manuscript",
    "MSS.": "manuscripts",
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

    def abbreviation(match: re.Match[str]) -> str:
        said = _ABBREVIATIONS[match[1]]
        if match.start() == 0 or not match[1].isupper():  # "Esq.": "Esquire"; "MS." inside: "manuscript"
            said = _with_capital(said, match[1])
        return said + ("." if match[2] is not None else "")

    text = _ABBREVIATION_PATTERN.sub(abbreviation, text)

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
