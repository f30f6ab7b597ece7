"""All-caps words and sentences: headings and shouting, acronyms, words in capitals for emphasis."""

from __future__ import annotations

import re

from audiobook_tts.text.normalize.context import NormalizeContext

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


# "F I N.", "E N D": a word set in spaced capitals alone on its line (the last line of a play, a heading);
# inside a sentence spaced letters are as likely initials ("the S P C A") and stay
_SPACED_WORD = re.compile(r"^(\W*)((?:[A-ZÀ-Ý] ){2,}[A-ZÀ-Ý])(\W*)$")


def spaced_capitals(text: str, ctx: NormalizeContext) -> str:
    """A line that is one word in spaced capitals is that word: L'esclavage des Noirs ends on "F I N.",
    heard letter by letter; now "Fin."."""
    match = _SPACED_WORD.match(text)
    if not match or not re.search("[AEIOUYÀ-ÆÈ-ÏÒ-ÖÙ-Ý]", match[2]):
        return text
    return match[1] + match[2].replace(" ", "").capitalize() + match[3]


# A name in capitals, as a play gives its characters: opening a line ("ZAMOR.", "ZAMOR, entrant", "VALERE,
# LE MAJOR, L'INDIEN, Grenadiers") or after a title ("Monsieur DE BELFORT", "Monsieur de SAINT-FRÉMONT").
# Elsewhere a word in capitals is the author's ("reso come MAIUSCOLO") and stays.
_CAPITALS_WORD = re.compile(r"(?<![\w-])(?<!\w\w['’])[A-ZÀ-Ý]{2,}(?:-[A-ZÀ-Ý]{2,})*(?![\w'’-])")  # "L'INDIEN"
_LEADING_CAPITALS = re.compile(
    r"^\W*(?:[A-ZÀ-Ý]['’])?[A-ZÀ-Ý]{2,}(?:[-' ’,]+(?:[A-ZÀ-Ý]['’])?[A-ZÀ-Ý]{2,}\b)*"
)
_TITLE = (
    "Monsieur|Madame|Mademoiselle|Messieurs|Mesdames|Monseigneur|Don|Doña|Señor|Señora|Herr|Frau|Signor"
    "|Signora|Signorina|Senhor|Senhora|Dom|Dona"
)
_AFTER_A_TITLE = re.compile(
    rf"\b({_TITLE}) ((?i:de|du|des|von|van|di|da|del|dos|de la) )?([A-ZÀ-Ý]{{2,}}(?:-[A-ZÀ-Ý]{{2,}})*\b)"
)
_PARTICLE = re.compile(
    r"(?<![\w'’-])(DE|DU|DES|LA|LE|LES|UN|UNE|ET|AU|AUX|VON|VAN|DER|DIE|DAS|DEN|DEM|DEL|DI|DA|DOS|EL|LOS|LAS)"
    r"(?= [A-ZÀ-Ý][a-zà-ÿ])"
)


def _name_in_capitals(match: re.Match[str]) -> str:
    word = match[0]
    if len(word.replace("-", "")) < 4 or not re.search("[AEIOUYÀ-ÆÈ-ÏÒ-ÖÙ-Ý]", word):
        return word  # an acronym ("SNCF", "ONU") or a short word, as the model may know it
    if re.fullmatch("[IVXLCDM]+", word):
        return word
    return "-".join(part.capitalize() for part in word.split("-"))


def _names_in_capitals(names: str, at_start: bool) -> str:
    names = _CAPITALS_WORD.sub(_name_in_capitals, names)
    return _PARTICLE.sub(lambda m: m[1].capitalize() if at_start and m.start() == 0 else m[1].lower(), names)


def neutral_capitals(text: str, ctx: NormalizeContext) -> str:
    """Other languages: a heading in capitals ("NOTE DEL TRASCRITTORE") becomes sentence case, so the model
    reads words, not letters; a name in capitals opening a line or after a title is capitalised: L'esclavage
    des Noirs heads its speeches "ZAMOR.", "MIRZA.", "AZOR.", "BETZI.", "SOPHIE, à Valère." and names
    "Monsieur de SAINT-FRÉMONT", now "Zamor.", "Sophie, à Valère.", "Monsieur de Saint-Frémont"; an acronym
    stays ("SNCF", "ONU")."""
    if not _CAPITALS_PAIR.search(text):
        return text
    if _mostly_capitals(text):
        return _sentence_case(text.lower())
    text = _LEADING_CAPITALS.sub(lambda m: _names_in_capitals(m[0], True), text)
    return _AFTER_A_TITLE.sub(
        lambda m: f"{m[1]} {(m[2] or '').lower()}{_names_in_capitals(m[3], False)}", text
    )


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
