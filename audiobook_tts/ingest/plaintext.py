"""Plain text -> Book: paragraphs split on blank lines, chapters at paragraphs that are headings:
"CHAPTER IV", "Chapter 12: Title", "PART ONE", "Letter 12", in French, Italian, Spanish and German too
("CHAPITRE II", "CAPITOLO PRIMO.", "CANTO XXXIV") and Chinese chapter lines ("第一回 ..."), and the
titles a "Contents" list names when the text repeats them ("Economy"); a Project Gutenberg header and
licence are set aside by their START/END marker lines, and so are a centred title page, a list with page
numbers and "[Illustration: ...]" markers, which a listener has no use for."""

from __future__ import annotations

import re
from pathlib import Path

from audiobook_tts.ingest.book import Book, Cue, Metadata
from audiobook_tts.ingest.chapters import Draft, finish
from audiobook_tts.ingest.cues import word_cue
from audiobook_tts.ingest.matter import GUTENBERG_HEADER, GUTENBERG_LICENCE
from audiobook_tts.ingest.options import IngestOptions
from audiobook_tts.ingest.plays import as_play, speakers
from audiobook_tts.ingest.sidecar import sidecar_cover
from audiobook_tts.ingest.textfile import read_text
from audiobook_tts.ingest.xhtml import SCENE_BREAK, RawBlock, clean_inline, clean_verse

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    "eighteen|nineteen|twenty|thirty|forty|fifty|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    "tenth|last|final|"
    # the first ordinals in Spanish, Portuguese, Italian, French and German ("Capítulo primero.")
    "primero|primera|primeiro|segundo|segunda|tercero|tercera|terceiro|cuarto|quarto|quinto|sexto|séptimo|"
    "sétimo|octavo|oitavo|noveno|nono|décimo|primo|secondo|terzo|sesto|settimo|ottavo|decimo|premier|"
    "première|deuxième|troisième|quatrième|cinquième|erstes|zweites|drittes|viertes|fünftes|"
    # and on past them, by the endings each language builds its ordinals with: "Sechstes Kapitel",
    # "Einundzwanzigstes Kapitel", "Chapitre vingt-et-unième", "Capitolo ventesimo", "Capítulo vigésimo",
    # "Eleventh Chapter"
    r"(?:(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)und)?"
    r"(?:ers|zwei|drei|drit|vier|fünf|sech|sieb|ach|neun|zehn|elf|zwölf|zwanzig|dreißig|dreissig|hunder|letz)"
    r"[a-zäöüß]*?s?te[srn]?|"
    r"(?:[a-zé]+[- ](?:et[- ])?)?[a-zé]+ième|"
    r"[a-zé]+[eé]sim[oa]|(?:un|duo)d[eé]cim[oa]|d[eé]cim[oa][a-zé]+|"
    r"(?:eleven|twelf|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)th|(?:twen|thir|for|fif)tieth"
)
_PART_WORDS = "part|book|volume|partie|livre|tome|parte|libro|teil|buch"
_CHAPTER_WORDS = "chapter|chapitre|capitolo|capítulo|kapitel|canto|chant|letter|lettre|lettera|stave"
_OPENING_WORDS = (
    "prologue|epilogue|épilogue|prologo|epilogo|prólogo|epílogo|prolog|epilog|preface|introduction|foreword"
)
_HEADING = re.compile(
    rf"^(?P<kind>{_PART_WORDS}|{_CHAPTER_WORDS}|{_OPENING_WORDS})\b"
    rf"(?:\s+(?P<number>\d+|[ivxlcdm]+|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))?)\b)?"
    r"(?P<rest>\s*[.:\-—–]?\s*.*)$",
    re.I,
)
# "PREMIÈRE PARTIE", "FIRST BOOK": the ordinal word before the part or chapter, alone on its line
_ORDINAL_FIRST = re.compile(rf"^(?:{_NUMBER_WORDS})\s+(?P<kind>{_PART_WORDS}|{_CHAPTER_WORDS})\.?$", re.I)
# "I", "XIV.": a chapter numbered by its Roman numeral alone (Madame Bovary), when the text has more than one
_LONE_NUMERAL = re.compile(r"^(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\.?$")
# "CANTO PRIMO", "CAPITOLO PRIMO.", "CHAPITRE PREMIER": a heading in capitals with an ordinal word of its own
_CAPITALS_HEADING = re.compile(rf"^(?:{_PART_WORDS}|{_CHAPTER_WORDS})\s+[^\W\d_]+\.?$", re.I)
# 第一回 甄士隐梦幻识通灵 / 第十二章 / 卷三: Chinese chapter (回, 章, 节) and volume (卷, 部, 篇) lines
_CHINESE_HEADING = re.compile(r"^第[一二三四五六七八九十百千零〇两\d]+(?P<unit>[回章节卷部篇])(?:[\s:：]|$)")
_GUTENBERG_START = re.compile(r"^\*\*\*\s*START OF (THE|THIS) PROJECT GUTENBERG", re.I | re.M)
_GUTENBERG_END = re.compile(r"^\*\*\*\s*END OF (THE|THIS) PROJECT GUTENBERG", re.I | re.M)
# older files say so in words just before the END marker: "End of the Project Gutenberg EBook of Faust, by",
# German ones "Ende dieses Projekt Gutenberg Etextes ..."
_GUTENBERG_END_WORDS = re.compile(
    r"^(?:End of (?:the |this )?|Ende (?:dieses|des) )Proje[ck]t Gutenberg", re.I | re.M
)
_TITLE_LINE = re.compile(r"^Title:\s*(.+)$", re.M)
_AUTHOR_LINE = re.compile(r"^Author:\s*(.+)$", re.M)
_LANGUAGE_LINE = re.compile(r"^Language:\s*(.+)$", re.M)
_MAX_HEADING = 80
_MAX_VERSE_LINE = 50


def heading_of(paragraph: str, numerals: bool = False) -> tuple[str, str] | None:
    """(kind, heading text) if the paragraph is a chapter/part heading: one short line, or such a line plus a
    short title line ("CHAPTER I.\\nDown the Rabbit-Hole"); a numbered one's title may wrap onto a third line
    ("Capítulo VIII. Del buen suceso que el valeroso don Quijote tuvo en la\\n...\\n...recordación").
    With `numerals`, a Roman numeral alone ("IV.") is a chapter heading too."""
    lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
    if not lines or len(lines) > 3 or any(len(line) > _MAX_HEADING for line in lines):
        return None
    if numerals and len(lines) == 1 and _LONE_NUMERAL.match(lines[0]):
        return "chapter", lines[0]
    if len(lines) <= 2 and (ordinal_first := _ORDINAL_FIRST.match(lines[0])):
        kind = ordinal_first["kind"].lower()
        return ("part" if re.fullmatch(_PART_WORDS, kind) else "chapter"), " ".join(lines)
    chinese = _CHINESE_HEADING.match(lines[0])
    if chinese:
        return ("part" if chinese["unit"] in "卷部篇" else "chapter"), " ".join(lines)
    match = _HEADING.match(lines[0])
    if not match:
        return None
    kind = match.group("kind").lower()
    if re.fullmatch(_OPENING_WORDS, kind):
        return (kind, " ".join(lines)) if len(lines[0].split()) <= 6 else None
    if not match.group("number") and not (lines[0].isupper() and _CAPITALS_HEADING.match(lines[0])):
        return None  # "Chapter and verse were..." is a sentence, not a heading
    if len(lines) == 3 and (not match.group("number") or lines[2].endswith((".", "!", "?", ";", ","))):
        return None  # three lines of prose that open with "Chapter 3 covers..." end like a sentence
    if re.search(r"\s{3,}|[».…]{2,}\s*\d+$", lines[0]):
        return None  # a contents line: "Capitolo I      »     5"
    return ("part" if re.fullmatch(_PART_WORDS, kind) else "chapter"), " ".join(lines)


# "Boards.......... $ 8.03½", "Laths,.....  1.25": an item, leader dots and its figure
_LEADER = re.compile(r"\.{5,}|,\.{2,}")


# a figure after the leader: "Laths,.......  1.25"
_LEADER_FIGURE = re.compile(r"(\.{2,}\s*)(\d+\.\d\d)(?!\d)")


def _account(paragraph: str) -> str:
    """An account that gives its currency once ("Boards....... $ 8.03½", then "Laths,......  1.25") has it on
    every figure after a leader: Walden's bills were heard "Laths, one point two five", now "one dollar
    twenty-five cents", as the column's first row is."""
    if "$" not in paragraph:
        return paragraph
    return _LEADER_FIGURE.sub(r"\1$\2", paragraph)


def _is_verse(paragraph: str) -> bool:
    """Short lines throughout: a poem or song. Wrapped prose fills its lines to ~70 characters. An account
    laid out with leader dots (Walden's bills) is read line by line too: its lines are rows, not prose."""
    lines = [line for line in paragraph.split("\n") if line.strip()]
    if len(lines) >= 2 and 2 * sum(bool(_LEADER.search(line)) for line in lines) >= len(lines):
        return True
    return len(lines) >= 2 and max(len(line.strip()) for line in lines) < _MAX_VERSE_LINE


# Distributed Proofreaders' layout marks left in a text: "/* ... */" keeps lines as they are (with "NIND",
# "RIGHT" or "CENTER" for how), "/# ... #/" sets a block quote. Pride and Prejudice (Gutenberg 1342) has
# "/* RIGHT “Gracechurch Street, _Sept. 6_. */": it was heard "Right “Gracechurch Street".
_LAYOUT_MARK = re.compile(
    r"^([ \t]*)/[*#](?:[ \t]*\b(?:NIND|IND|RIGHT|LEFT|CENTER|CENTRE|[RLC])\b)?[ \t]*|[ \t]*[*#]/[ \t]*$", re.M
)


# "_italics_": an underscore at a word's start or end ("_Sept. 6_." had the sentence cut after "Sept.")
_ITALICS = re.compile(r"(?<!\w)_+(?=[^\s_])|(?<=[^\s_])_+(?!\w)")


def _paragraphs(text: str) -> list[str]:
    if "/*" in text or "/#" in text:
        text = _LAYOUT_MARK.sub(lambda m: m[1] or "", text)
    text = _ITALICS.sub("", text)
    return [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


_CONTENTS = re.compile(r"^(?:table of )?contents\.?$", re.I)
# a contents line's page number or leader dots: "Economy .... 1", "Reading   45"
_CONTENTS_PAGE = re.compile(r"(?:\s*\.{2,}|\s{2,})\s*\d*$|\s+\d+$")
_MIN_LISTED = 3  # titles the body must repeat before its contents list is believed
_MAX_LISTED = 300
_SKIPPABLE = 2
_PROSE_WIDTH = 55  # characters: Gutenberg wraps prose at ~70, contents titles are rarely this long


def _is_prose(lines: list[str]) -> bool:
    """Wrapped prose: a line too long for a title, or three and more lines as long as a text file wraps."""
    widths = [len(_title_key(line)) for line in lines]
    return max(widths) > _MAX_HEADING or (len(widths) >= 3 and sum(widths) / len(widths) > _PROSE_WIDTH)


def _title_key(line: str) -> str:
    """A title as a contents line and its heading in the text both write it: case, spacing, a final stop
    and a page number aside."""
    return " ".join(_CONTENTS_PAGE.sub("", line.strip()).rstrip(".").split()).casefold()


# a play's list of persons: "DRAMATIS PERSONAE", "THE PERSONS OF THE PLAY", "Characters", "PERSONNAGES"
_CAST = re.compile(
    r"^(?:dramatis person(?:ae|æ)|(?:the )?persons (?:of the (?:play|drama)|represented)|(?:the )?characters"
    r"(?: of the (?:play|drama))?|cast of characters|personnages|personaggi|personen|personajes)\.?:?$",
    re.I,
)


def _said_once(paragraphs: list[str], index: int) -> bool:
    """No later paragraph repeats this one's line: it is no contents title that the text takes up again
    (a novel's chapter "Characters")."""
    key = _title_key(paragraphs[index])
    return all(_title_key(p) != key for p in paragraphs[index + 1 :] if "\n" not in p.strip())


def contents_headings(paragraphs: list[str]) -> dict[int, tuple[str, str]]:
    """Headings named by the book's own contents list: a paragraph "Contents" whose lines (and the short lines
    after it) list titles the text then repeats, in that order, as paragraphs of their own ("Economy",
    "Where I Lived, and What I Lived For"): Walden, essay and story collections name their chapters no
    other way. -> {paragraph index: (kind, text)}, the "Contents" paragraph itself included, so the list
    is a chapter of its own that matter_from_title leaves out; the list's own paragraphs are "entry", never
    headings ("Letter 1 / Chapter 1 / Chapter 2" looked like one). A title in capitals among titles that
    are not is a part ("WALDEN", then its chapters). A play's persons after the list ("DRAMATIS PERSONAE")
    are no titles of it but a chapter that is read."""
    start = next(
        (i for i, p in enumerate(paragraphs[:200]) if _CONTENTS.match(p.split("\n", 1)[0].strip())), None
    )
    if start is None:
        return {}
    titles: list[str] = [line.strip() for line in paragraphs[start].split("\n")[1:] if line.strip()]
    keys = {_title_key(title) for title in titles}
    body = cast = None
    for index in range(start + 1, len(paragraphs)):
        lines = [line.strip() for line in paragraphs[index].split("\n") if line.strip()]
        if len(lines) == 1 and _title_key(lines[0]) in keys:
            body = index  # the first title again: the list is over and the text begins
            break
        if cast is None and len(lines) == 1 and _CAST.match(lines[0]) and _said_once(paragraphs, index):
            cast = index  # a play's persons end the list: they are read, as a chapter of their own
        if cast is not None:
            continue
        if _is_prose(lines) or len(titles) > _MAX_LISTED:
            return {}  # prose, and no title repeated: not a list this rule understands
        titles += lines
        keys.update(_title_key(line) for line in lines)
    if body is None:
        return {}
    wanted = [_title_key(title) for title in titles]
    found: dict[int, str] = {}
    for index in range(body, len(paragraphs)):
        paragraph = paragraphs[index].strip()
        if "\n" in paragraph or len(paragraph) > _MAX_HEADING:
            continue
        key = _title_key(paragraph)
        # titles come in the list's order; one or two the text leaves out are skipped, but a short line that
        # only happens to be a later title ("Spring.") does not jump the rest
        if key in wanted[: _SKIPPABLE + 1]:
            found[index] = paragraph
            wanted = wanted[wanted.index(key) + 1 :]
    if len(found) < _MIN_LISTED:
        return {}
    mixed = any(not text.isupper() for text in found.values())
    # the list itself is a chapter, never a part: the book's chapters are not nested under it
    headings = {start: ("chapter", paragraphs[start].split("\n", 1)[0].strip())}
    listed_end = body if cast is None else cast
    headings |= {index: ("entry", "") for index in range(start + 1, listed_end)}  # the list's lines
    if cast is not None:
        headings[cast] = ("chapter", paragraphs[cast].strip())
    for index, text in found.items():
        headings[index] = ("part" if mixed and text.isupper() else "chapter", text)
    return headings


# in the languages we read: "[Illustrazione: RENZO]" (Manzoni), "[Ilustración]", "[Abbildung: ...]"
_ILLUSTRATION = re.compile(
    r"^\[(?:Illustration|Frontispiece|Illustrazione|Ilustraci[oó]n|Ilustra[cç][aã]o|Gravura|Gravure|Abbildung)\b",
    re.I,
)
_MAX_ILLUSTRATION = 8  # paragraphs: a bracket open longer than this is no illustration marker


def illustrations(paragraphs: list[str]) -> dict[int, bool]:
    """Gutenberg's "[Illustration: caption]" markers, which may run over several paragraphs and hold brackets
    of their own ("[_Copyright 1894 by George Allen._]"): {paragraph index: True where the marker starts}.
    A transcriber's note that a picture stood here, not the author's text: Pride and Prejudice (Gutenberg
    1342) read "Illustration. Copyright eighteen ninety-four by George Allen." 166 times."""
    inside: dict[int, bool] = {}
    index = 0
    while index < len(paragraphs):
        if not _ILLUSTRATION.match(paragraphs[index].lstrip()):
            index += 1
            continue
        depth, end = 0, None
        for offset, paragraph in enumerate(paragraphs[index : index + _MAX_ILLUSTRATION]):
            depth += paragraph.count("[") - paragraph.count("]")
            if depth <= 0:
                end = index + offset
                break
        if end is None:
            index += 1
            continue
        for covered in range(index, end + 1):
            inside[covered] = covered == index
        index = end + 1
    return inside


# "Heading to Chapter I.          1", "Frontispiece ..... iv": a line of a list that gives page numbers
_PAGE_LINE = re.compile(r"^\S.*?(?:\s{3,}|\s*\.{3,}\s*)(?:\d{1,4}|[ivxlcdm]{1,8})\.?$|^page$", re.I)
_MIN_PAGE_LINES = 3
PAGE_LIST = "front matter: list with page numbers"


def page_lists(paragraphs: list[str]) -> set[int]:
    """Paragraphs of a contents or illustrations list with page numbers, which a listener has no use for:
    Pride and Prejudice (Gutenberg 1342) read its 160 illustrations, "Frontispiece iv. Title-page v. ...".
    Three lines running, or more, in paragraphs of their own or together."""

    def listing(paragraph: str) -> bool:
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        return bool(lines) and all(_PAGE_LINE.match(line) for line in lines)

    found: set[int] = set()
    run: list[int] = []
    for index, paragraph in enumerate([*paragraphs, ""]):
        if paragraph and listing(paragraph):
            run.append(index)
            continue
        lines = sum(paragraphs[i].count("\n") + 1 for i in run)
        if lines >= _MIN_PAGE_LINES:
            found.update(run)
        run = []
    return found


_CENTRED = re.compile(r"^ {8,}\S")
_TITLE_PAGE_WORDS = 150
CENTRED_TITLE_PAGE = "front matter: title page (centred lines before the text)"


def centred_title_page(paragraphs: list[str], skip: set[int] | dict[int, bool]) -> set[int]:
    """The paragraphs of a title page set out centred, every line indented ("PRIDE. / and / PREJUDICE / by /
    Jane Austen, / with a Preface by ..."), from the start of the text to its first paragraph that is not:
    Pride and Prejudice (Gutenberg 1342) read "Pride. and, Prejudice. By, Jane Austen. ... Chiswick press"
    because its preface made the text before chapter I too long to be taken for a title page. A centred
    poem or epigraph after the first ordinary paragraph is read."""
    found: set[int] = set()
    for index, paragraph in enumerate(paragraphs):
        if index in skip:
            continue
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines or not all(_CENTRED.match(line) for line in lines):
            break
        found.add(index)
    else:
        return set()  # the whole text is indented (a poem set so): no title page
    words = sum(len(paragraphs[index].split()) for index in found)
    return found if len(found) >= 2 and words <= _TITLE_PAGE_WORDS else set()


# What the producer of an etext says of it after the START marker: "The Project Gutenberg Etext of Candide",
# "Produced by Carlo Traverso", "***", and thanks for the scans ("...the preparation of the etext through
# OCR", "www://gallica.bnf.fr"), in any language
_PRODUCER = re.compile(
    r"^(?:the project gutenberg e-?(?:text|book)|(?:produced|prepared|transcribed|scanned|digiti[sz]ed) by)\b"
    r"|^\*+$|\be-?texts?\b|\bOCR\b|\bwww[.:]|https?://|\bproof-?read",
    re.I,
)


def producer_notes(paragraphs: list[str]) -> set[int]:
    """The paragraphs that open a text with what its producer says of the etext: Candide (Gutenberg 4650)
    read its credits and its thanks to the Bibliothèque nationale in French and English as a chapter, and
    its centred title page after them, which `centred_title_page` looks for only at the text's start."""
    found: set[int] = set()
    for index, paragraph in enumerate(paragraphs):
        if not _PRODUCER.search(" ".join(paragraph.split())):
            break
        found.add(index)
    return found


def _blocks(paragraphs: list[str], matter: str | None, placeholders: bool = False) -> list[RawBlock]:
    blocks = []
    numerals = sum(1 for paragraph in paragraphs if _LONE_NUMERAL.match(paragraph.strip())) > 1
    listed = contents_headings(paragraphs)
    pictures = illustrations(paragraphs)
    pages = page_lists(paragraphs) if matter is None else set()
    producer = producer_notes(paragraphs) if matter is None else set()
    title_page = centred_title_page(paragraphs, set(pictures) | producer) if matter is None else set()
    names = speakers(paragraphs) if matter is None else []
    for index, paragraph in enumerate(paragraphs):
        if index in producer:
            blocks.append(RawBlock("paragraph", clean_inline(paragraph), GUTENBERG_HEADER))
            continue
        if index in pages or index in title_page:
            reason = PAGE_LIST if index in pages else CENTRED_TITLE_PAGE
            blocks.append(RawBlock("paragraph", clean_inline(paragraph), reason))
            continue
        if index in pictures:
            # a chapter heading set inside the brackets ("[Illustration: ...\n\nChapter I.]") is kept
            inner = _ILLUSTRATION.sub("", paragraph.strip()).strip(" :[]")
            if inner and (found := heading_of(inner, numerals)):
                level = 1 if found[0] == "part" else 2
                blocks.append(RawBlock("heading", clean_inline(found[1]), matter, level=level))
            elif pictures[index] and placeholders:
                cue = Cue("image")
                blocks.append(RawBlock("placeholder", word_cue(cue), matter, cue=cue))
            continue
        found = listed.get(index) or heading_of(paragraph, numerals)
        if found and found[0] != "entry":
            level = 1 if found[0] == "part" else 2
            blocks.append(RawBlock("heading", clean_inline(found[1]), matter, level=level))
        elif SCENE_BREAK.match(clean_inline(paragraph)):
            blocks.append(RawBlock("scene_break", "", matter))
        elif _is_verse(paragraph):
            blocks.append(RawBlock("verse", as_play(clean_verse(_account(paragraph)), names), matter))
        else:
            blocks.append(RawBlock("paragraph", as_play(clean_inline(paragraph), names), matter))
    return blocks


_NOTE_BODY = re.compile(r"^\[(\d{1,3}|[*†‡])\]\s+(\S.*)$", re.S)
_NOTE_MARK = re.compile(r"(?<=[^\W\d_]|[»”’\".,;:!?)])\[(\d{1,3}|[*†‡])\]")


def footnotes(blocks: list[RawBlock], source: str) -> tuple[list[RawBlock], dict[str, str]]:
    """Gutenberg-style notes in plain text: a "[1]" glued to a word marks a note, and a paragraph that starts
    with "[1]" after it is that note's text. Markers leave the text; notes follow the notes option."""
    notes: dict[str, str] = {}
    open_refs: dict[str, list[RawBlock]] = {}  # label -> blocks whose marker awaits its note, in order
    kept: list[RawBlock] = []
    for block in blocks:
        body = _NOTE_BODY.match(block.text) if block.kind in ("paragraph", "verse") else None
        if body and open_refs.get(body[1]):
            key = f"{source}#note{len(notes) + 1}"
            notes[key] = clean_inline(body[2])
            open_refs[body[1]].pop(0).note_refs.append(key)
            continue
        for label in _NOTE_MARK.findall(block.text):
            open_refs.setdefault(label, []).append(block)
        # a heading's too: Candide (Gutenberg 4650) listed its chapter "CHAPITRE XXII[1].", the one chapter
        # of thirty not named within its part
        block.text = _NOTE_MARK.sub("", block.text)
        kept.append(block)
    return kept, notes


def _chapters(blocks: list[RawBlock], path: Path, title: str, before: int) -> list[Draft]:
    """A chapter at each heading, the text before the first in a draft of its own; with no heading at all the
    whole text is one chapter named `title`. `before` drafts precede these (their sources are numbered)."""
    has_parts = any(b.kind == "heading" and b.level == 1 for b in blocks)
    drafts = [Draft("", 1, path.name, synthetic=True, doc=path.name)]
    for block in blocks:
        if block.kind == "heading":
            level = block.level if has_parts else 1
            drafts.append(Draft(block.text, level, f"{path.name}#{before + len(drafts)}", doc=path.name))
        drafts[-1].add(block, path.name)
    if len(drafts) == 1:
        drafts[0].synthetic, drafts[0].title = False, title
    return drafts


_PARTICLES = {"von", "van", "de", "da", "du", "di", "la", "le"}  # in names, lower case
# "by" and its word in our other languages before the name or alone on its line ("de", "di", "por" alone
# only: a line of a French, Italian or Spanish title page may begin with the preposition)
_BY = re.compile(r"^(?:(?:by|von|par|door)\b[\s,:]*(?P<name>.*)|(?:de|di|por))$", re.I)
# a name: up to six words, each capitalised but for its particles ("Johann Wolfgang von Goethe")
_NAME = re.compile(rf"^(?:(?:[(\[]?[A-ZÀ-Þ][^\s]*|{'|'.join(_PARTICLES)})\s?){{1,6}}$")
_TITLE_PAGE_LINES = 12  # non-empty lines: a title page's "by" comes before this
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def title_page(text: str) -> tuple[str, str] | None:
    """(title, author) from a title page that opens the text: its lines, then "by" and the name
    ("Frankenstein; | or, the Modern Prometheus | by Mary Wollstonecraft (Godwin) Shelley", "DIE VERWANDLUNG |
    VON | FRANZ KAFKA"), "[Illustration: ...]" markers passed over. A text without a Gutenberg header had
    its file's name for title ("pride-pg1342") and no author, in the M4B's tags and name."""
    lines: list[str] = []
    for line in re.sub(r"\[Illustration[^\]]*\]", "", text[:3000]).splitlines():
        if line.strip():
            lines.append(" ".join(line.split()))
        if len(lines) > _TITLE_PAGE_LINES:
            break
    for index, line in enumerate(lines[1:_TITLE_PAGE_LINES], start=1):
        by = _BY.match(line)
        if by is None:
            continue
        name = (by["name"] or (lines[index + 1] if index + 1 < len(lines) else "")).rstrip(".,;")
        title = " ".join(part.rstrip(".") for part in lines[:index])
        if not _NAME.match(name) or len(title) > 160 or index > 4 or _HEADING.match(lines[0]):
            return None
        return _from_capitals(title), _from_capitals(name, names=True)
    return None


def _from_capitals(text: str, names: bool = False) -> str:
    """A title page's line in capitals as a title is written ("PRIDE and PREJUDICE" -> "Pride and
    Prejudice", "FRANZ KAFKA" -> "Franz Kafka"); one mostly in lower case is kept as it is."""
    letters = [ch for ch in text if ch.isalpha()]
    if 3 * sum(ch.islower() for ch in letters) > len(letters):
        return text
    small = _PARTICLES if names else _SMALL_WORDS
    words = text.lower().split()
    return " ".join(
        word if index and word in small else word[:1].upper() + word[1:] for index, word in enumerate(words)
    )


def _licence_start(text: str, end_marker: int) -> int:
    """Where the licence before `end_marker` (an END marker's offset) begins: at the "End of the Project
    Gutenberg EBook of ..." line a few lines above it, when there is one, else at the marker."""
    window = max(0, end_marker - 1000)
    words = list(_GUTENBERG_END_WORDS.finditer(text, window, end_marker))
    return words[-1].start() if words else end_marker


def load_text(path: Path, options: IngestOptions) -> Book:
    text = read_text(path)
    first = ""  # a book before this file's Gutenberg header, ended by its own END marker (two files joined)
    if (start := _GUTENBERG_START.search(text)) and (end := _GUTENBERG_END.search(text, 0, start.start())):
        cut = _licence_start(text, end.start())
        first, text = text[:cut], text[cut:]  # its licence goes with the header
    header, body, footer = "", text, ""
    if start := _GUTENBERG_START.search(text):
        line_end = text.find("\n", start.start()) % (len(text) + 1)  # -1 (last line) -> len(text)
        header, body = text[:line_end], text[line_end + 1 :]
    if end := _GUTENBERG_END.search(body):
        cut = _licence_start(body, end.start())
        body, footer = body[:cut], body[cut:]

    title = _TITLE_LINE.search(header)
    author = _AUTHOR_LINE.search(header)
    language = _LANGUAGE_LINE.search(header)
    page = title_page(body) if not title else None
    metadata = Metadata(
        title=title.group(1).strip() if title else page[0] if page else path.stem,
        authors=[author.group(1).strip()] if author else [page[1]] if page else [],
        language=language.group(1).strip() if language else None,
        cover=sidecar_cover(path),
    )

    # each book its own notes: a "[1]" in the second is not the first one's note 1
    pictures = options.placeholders
    first_blocks, notes = footnotes(_blocks(_paragraphs(first), None, pictures), f"{path.name}#first")
    blocks, body_notes = footnotes(_blocks(_paragraphs(body), None, pictures), path.name)
    notes |= body_notes
    drafts = _chapters(first_blocks, path, path.stem, 0) if first_blocks else []
    if header.strip():
        drafts.append(Draft("", 1, path.name, synthetic=True, doc=path.name))
        for block in _blocks(_paragraphs(header), GUTENBERG_HEADER):
            drafts[-1].add(block, path.name)
    drafts += _chapters(blocks, path, metadata.title, len(drafts))
    if footer.strip():
        drafts.append(Draft("", 1, path.name, synthetic=True, doc=path.name))
        for block in _blocks(_paragraphs(footer), GUTENBERG_LICENCE):
            drafts[-1].add(block, path.name)
    return finish(
        path,
        metadata,
        [d for d in drafts if d.blocks or not d.synthetic],
        notes,
        notes_mode=options.notes,
        include_front_matter=options.include_front_matter,
    )
