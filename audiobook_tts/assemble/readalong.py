"""Read-along EPUB 3: the book with every spoken sentence wrapped in a <span id>, and SMIL media overlays that
point each span at its stretch of the chapter's audio (AAC), so a reading system highlights the text as it is
spoken.

Timings are exact where they can be: every segment's first and last sample are known. A segment holding
several sentences has its time shared among them by token count (subtitles.sentence_cues), so sentence
boundaries inside a segment are estimates, good to a word or so.

Which text a sentence is: the spoken sentences (normalised: "1865" is read "eighteen sixty-five") are
aligned word by word with the document's visible words as the text stage would say them (difflib; see
_sentence_words); a sentence spans from its first to its last matched word, with neighbouring punctuation.
A sentence running across blocks (verse lines, each a <div>) gets one span per block and one clip per span,
its time shared among them by length (an estimate, like the sentences inside a segment). The wrap never
changes text, only adds a <span>; where no word matched, or a span cannot be placed, the sentence gets no
(or not every) overlay entry and the count goes into the warnings. benchmarks/readalong.py counts them.
A chapter read on into another document (a part's title page read with its first chapter: see
Chapter.continued_in) is aligned as one text across its documents; each document's overlay points at its
own spans, their clips in the chapter's one audio file.

An EPUB source is copied entry by entry, only the documents read aloud and the package document changed
(front matter, notes and whatever is not spoken keep no overlay). A document read aloud keeps every byte the
publisher wrote: the span tags are inserted into its bytes (xmlbytes.py), and only where its bytes cannot be
matched to its tree is it written out by lxml instead (the same markup, reserialised). An EPUB 2 source is
first upgraded to EPUB 3 (epub3.py: package, nav document, what HTML5 requires of its documents). Other
inputs (Markdown, HTML, text) become an EPUB 3 built from the parsed book.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import html
import posixpath
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from audiobook_tts.assemble.epub3 import upgrade_package
from audiobook_tts.assemble.errors import AssembleError
from audiobook_tts.assemble.subtitles import Cue
from audiobook_tts.assemble.xmlbytes import ByteMap, Unmappable, nodes, splice
from audiobook_tts.ingest.book import Book, BookError, Chapter
from audiobook_tts.ingest.package import read_package
from audiobook_tts.ingest.safety import parse_xml, refuse_entity_declarations
from audiobook_tts.ingest.xhtml import local_name

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
ACTIVE_CLASS = "-epub-media-overlay-active"
CSS = f".{ACTIVE_CLASS} {{ background-color: #ffe680; color: inherit; border-radius: 0.15em; }}\n"
_INVISIBLE = {"head", "script", "style", "template", "noscript"}
# Elements a <span> may not hold: a sentence needing one of these inside its span gets no overlay entry.
_BLOCKS = set(
    "address article aside blockquote body dd details div dl dt figcaption figure footer form h1 h2 h3"
    " h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_PAUSE_MARKUP = re.compile(r"\[pause(?::[^\]]*)?\]")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _parse_document(name: str, data: bytes) -> etree._Element:
    """A book's XHTML, comments and all (the copy keeps the publisher's markup), never resolving entities."""
    refuse_entity_declarations(Path(name), name, data)
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, remove_comments=False)
    try:
        return etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise BookError(f"{name} is not well-formed XML ({error})") from None


def _serialize_document(root: etree._Element) -> bytes:
    """Empty non-void elements keep their end tag (`<script src=..></script>`), as an HTML parser needs."""
    for element in root.iter():
        if (
            isinstance(element.tag, str)
            and element.text is None
            and len(element) == 0
            and local_name(element) not in _VOID
        ):
            element.text = ""
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8")


@dataclass(frozen=True)
class ReadAlongSource:
    """What assemble() needs to make the read-along EPUB besides the audio."""

    book: Book
    source: Path | None  # the book file: an EPUB 3 is copied; anything else is rebuilt from `book`
    chapters: list[Chapter]  # the ingested chapter behind each assembled chapter, in the same order
    say: Say | None = None  # how the text stage reads a written word, to find what it rewrote


@dataclass(frozen=True)
class ReadAlongChapter:
    chapter: Chapter  # the ingested chapter: where its text is (`source`), its title and blocks
    audio: Path  # AAC in MP4 holding exactly the chapter's samples
    cues: list[Cue]  # one per spoken sentence, in samples from the chapter's start
    samples: int


@dataclass
class ReadAlongResult:
    path: Path
    spans: int  # sentences with an overlay entry
    missed: list[str] = field(
        default_factory=list
    )  # sentences that got none (text not found, or not wrappable)
    rewritten: list[str] = field(default_factory=list)  # documents written out by lxml, not byte-spliced


# -- text slots: the document's visible text as lxml holds it (element.text and element.tail pieces) ---------
@dataclass
class _Slot:
    element: etree._Element
    kind: str  # "text" (element.text) or "tail" (element.tail)
    start: int  # offset in the flattened visible text

    @property
    def text(self) -> str:
        """Read live: a wrap further on in the document shortens the slot it starts in."""
        return (self.element.text if self.kind == "text" else self.element.tail) or ""

    @property
    def container(self) -> etree._Element:
        return self.element if self.kind == "text" else self.element.getparent()


def _slots(body: etree._Element) -> list[_Slot]:
    slots: list[_Slot] = []
    position = 0

    def add(element: etree._Element, kind: str, text: str | None) -> None:
        nonlocal position
        if text:
            slots.append(_Slot(element, kind, position))
            position += len(text)

    def visit(element: etree._Element) -> None:
        if isinstance(element.tag, str) and local_name(element) not in _INVISIBLE:
            add(element, "text", element.text)
            for child in element:
                visit(child)
                add(child, "tail", child.tail)

    visit(body)
    return slots


def _find(slots: list[_Slot], position: int, end: bool) -> _Slot:
    """The slot holding `position` (for an end, the slot it closes: a slot never starts at an end)."""
    index = (
        bisect.bisect_left(slots, position, key=lambda slot: slot.start)
        if end
        else bisect.bisect_right(slots, position, key=lambda slot: slot.start)
    )
    return slots[index - 1]


def _ancestors(element: etree._Element) -> list[etree._Element]:
    chain = [element]
    while (parent := chain[-1].getparent()) is not None:
        chain.append(parent)
    return chain


_WORD_CHARACTER = re.compile(r"\w")
_Point = tuple[etree._Element, str, int]  # (node, "text" or "tail", character offset): a place in the text


def _extent(slots: list[_Slot], element: etree._Element) -> tuple[int, int]:
    """Where an element's visible text (its tail aside) starts and ends in the flat text."""
    inside = [i for i, slot in enumerate(slots) if element in _ancestors(slot.container)]
    after = inside[-1] + 1
    return slots[inside[0]].start, slots[after].start if after < len(slots) else slots[-1].start + len(
        slots[-1].text
    )


def _wrap(slots: list[_Slot], flat: str, start: int, end: int, span_id: str) -> tuple[_Point, _Point] | None:
    """Wrap visible text [start, end) of `flat` in <span id=span_id>; None where that would enclose a block
    or another sentence's words, else where the span's start and end tags went, as places in the document
    before any wrap.

    `slots` are the document's before any wrap; wraps must come last first (each leaves what precedes it
    where the slots say)."""
    first, last = _find(slots, start, end=False), _find(slots, end, end=True)
    a, b = start - first.start, end - last.start
    top = next(e for e in _ancestors(first.container) if e in _ancestors(last.container))
    # A boundary inside an inline element below the common container moves out to that element's edge. Where
    # that would take in another sentence's words ("<i>one. Two</i> more." for "Two more."), the span stops
    # short of the element instead: what of the sentence is inside it is not highlighted.
    low, high = start, end
    if first.container is not top:
        child = next(e for e in _ancestors(first.container) if e.getparent() is top)
        child_start, child_end = _extent(slots, child)
        if _WORD_CHARACTER.search(flat[child_start:start]):
            first, low = _Slot(child, "tail", 0), child_end
            a = len(first.text) - len(first.text.lstrip())
    if last.container is not top:
        child = next(e for e in _ancestors(last.container) if e.getparent() is top)
        child_start, child_end = _extent(slots, child)
        if _WORD_CHARACTER.search(flat[end:child_end]):
            previous = child.getprevious()
            last = _Slot(previous, "tail", 0) if previous is not None else _Slot(top, "text", 0)
            b, high = len(last.text), child_start
    if not _WORD_CHARACTER.search(flat[low:high]):
        return None
    if first.container is not top:
        child = next(e for e in _ancestors(first.container) if e.getparent() is top)
        previous = child.getprevious()
        first = _Slot(previous, "tail", 0) if previous is not None else _Slot(top, "text", 0)
        a = len(first.text)
    if last.container is not top:
        child = next(e for e in _ancestors(last.container) if e.getparent() is top)
        last, b = _Slot(child, "tail", 0), 0
    children = list(top)
    first_index = 0 if first.kind == "text" else children.index(first.element) + 1
    last_index = first_index - 1 if last.kind == "text" else children.index(last.element)
    moved = children[first_index : last_index + 1]
    if any(isinstance(e.tag, str) and local_name(e) in _BLOCKS for e in moved):
        return None
    first_text, last_text = first.text, last.text
    span = etree.Element(f"{{{XHTML_NS}}}span" if top.tag.startswith("{") else "span", id=span_id)
    if first.element is last.element and first.kind == last.kind:
        span.text, span.tail = first_text[a:b], first_text[b:]
        moved = []
    else:
        span.text, span.tail = first_text[a:], last_text[b:]
        moved[-1].tail = last_text[:b] or None
    if first.kind == "text":
        top.text = first_text[:a] or None
    else:
        first.element.tail = first_text[:a] or None
    for element in moved:
        span.append(element)  # keeps the element's own tail, now inside the span
    top.insert(first_index, span)
    return (first.element, first.kind, a), (last.element, last.kind, b)


# -- alignment of spoken sentences with the visible text -----------------------------------------------------


Say = Callable[[str], list[str]]  # the text stage's reading of a written word: "1865" -> eighteen sixty five
_INVISIBLE_CHARACTERS = dict.fromkeys(
    map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff")
)  # soft hyphen, zero widths
_GAP = 12  # at most this many words on either side of a stretch the normaliser rewrote


def _words(text: str, begin: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """The words of text[begin:end], as (start, end, comparable form): NFKC and case folded (a ligature is
    its letters), soft hyphens and zero-width characters ignored (a hyphenated word is one)."""
    words = []
    for match in re.finditer(r"[\w\u00ad\u200b-\u200d\u2060\ufeff]+", text[begin:end]):
        form = unicodedata.normalize("NFKC", match.group().translate(_INVISIBLE_CHARACTERS)).casefold()
        if form:
            words.append((begin + match.start(), begin + match.end(), form))
    return words


# A written word as the text stage reads it: a number with its separators and sign, a word with its inner
# apostrophes and an abbreviation's full stop, or a symbol said as a word.
_WRITTEN_WORD = re.compile(
    r"[$£€]?\d+(?:[.,:]\d+)*%?|[\w\u00ad\u200b-\u200d\u2060\ufeff]+(?:['’][\w]+)*\.?|[&@%+=]"
)


def _said_words(text: str, begin: int, end: int, say: Say) -> list[tuple[int, int, str]]:
    """The words of text[begin:end] as the text stage says them, each written word on its own: one entry
    per spoken word, all at the written word's place ("1865" gives eighteen, sixty, five)."""
    words = []
    for token in _WRITTEN_WORD.finditer(text[begin:end]):
        letters = _words(token.group())  # where the written word is, without its punctuation
        start = begin + token.start() + (letters[0][0] if letters else 0)
        stop = begin + token.start() + (letters[-1][1] if letters else len(token.group()))
        for spoken in say(token.group()):
            words += [(start, stop, form) for *_, form in _words(spoken)]
    return words


def _sentence_words(
    flat: str, runs: list[int], sentences: list[str], begin: int, say: Say | None = None
) -> list[list[tuple[int, int]]]:
    """For each spoken sentence, the [start, end) of the visible words it reads (from `begin` on, in order);
    [] where none matched. A word never runs from one block into the next (see _block_runs).

    The spoken words are aligned with the visible ones (difflib over the comparable forms); with `say`
    (the text stage's reading of a written word), with the visible words as they are said, so "1865"
    matches "eighteen sixty-five" and "Mr." matches "Mister". What the text stage says differently in
    context (a heading's "I." read "One") leaves a small gap on both sides between two matches: the spoken
    words there read the visible words there, shared in order."""
    ends = [*runs[1:], len(flat)]
    dom = [
        w
        for start, end in zip(runs, ends, strict=True)
        if end > begin
        for w in (
            _words(flat, max(start, begin), end)
            if say is None
            else _said_words(flat, max(start, begin), end, say)
        )
    ]
    spoken, owner = [], []
    for index, sentence in enumerate(sentences):
        for *_, form in _words(sentence):
            spoken.append(form)
            owner.append(index)
    matched: dict[int, int] = {}  # spoken word -> dom word
    matcher = difflib.SequenceMatcher(None, spoken, [form for *_, form in dom], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 <= _GAP and j2 - j1 <= _GAP):
            for k in range(i1, i2):
                matched[k] = j1 + (k - i1) * (j2 - j1) // (i2 - i1)
    words_of: list[list[tuple[int, int]]] = [[] for _ in sentences]
    for k, index in enumerate(owner):
        if k in matched and (not words_of[index] or words_of[index][-1] != dom[matched[k]][:2]):
            words_of[index].append(dom[matched[k]][:2])
    return words_of


def _block_runs(slots: list[_Slot]) -> list[int]:
    """Where each stretch of visible text inside one block (a paragraph, a verse line) starts: a span may
    hold text of one stretch, never cross into the next."""
    starts: list[int] = []
    previous = None
    for slot in slots:
        block = next((e for e in _ancestors(slot.container) if local_name(e) in _BLOCKS), slot.container)
        if block is not previous:
            starts.append(slot.start)
            previous = block
    return starts


def _pieces(flat: str, words: list[tuple[int, int]], runs: list[int], floor: int) -> list[tuple[int, int]]:
    """A sentence's words as the ranges to wrap: one per block it runs through (a sentence across verse
    lines is one piece per line), each with its neighbouring punctuation, none reaching back before
    `floor` (the previous sentence's end)."""
    if not words or words[0][0] < floor:
        return []
    groups: list[list[tuple[int, int]]] = []
    run_of = [bisect.bisect_right(runs, start) - 1 for start, _ in words]
    for word, run in zip(words, run_of, strict=True):
        if groups and run == bisect.bisect_right(runs, groups[-1][-1][0]) - 1:
            groups[-1].append(word)
        else:
            groups.append([word])
    pieces = []
    for group in groups:
        run = bisect.bisect_right(runs, group[0][0]) - 1
        run_start, run_end = runs[run], runs[run + 1] if run + 1 < len(runs) else len(flat)
        start, end = group[0][0], group[-1][1]
        while (
            start > max(floor, run_start) and not flat[start - 1].isspace() and not flat[start - 1].isalnum()
        ):
            start -= 1  # opening quote or bracket
        while end < run_end and not flat[end].isspace() and not flat[end].isalnum():
            end += 1  # closing punctuation
        pieces.append((start, end))
        floor = end
    return pieces


def _shared(cue: Cue, pieces: list[tuple[int, int]]) -> list[Cue]:
    """A sentence's time shared among its pieces by their length in characters (an estimate, as the
    sentences inside a segment are); the first starts and the last ends with the sentence."""
    total, done, cues = sum(end - start for start, end in pieces), 0, []
    for start, end in pieces:
        begin = cue.start + round((cue.end - cue.start) * done / total)
        done += end - start
        cues.append(Cue(begin, cue.start + round((cue.end - cue.start) * done / total), cue.text))
    return cues


# -- the package ---------------------------------------------------------------------------------------------
def _clock(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"{int(hours)}:{int(minutes):02d}:{rest:06.3f}"


def _seconds(samples: int, sample_rate: int) -> str:
    return f"{samples / sample_rate:.3f}s"


def _smil(
    doc_href: str, audio_hrefs: list[str], entries: list[list[tuple[str, Cue]]], sample_rate: int
) -> bytes:
    """One SMIL for one document: a <seq> per chapter (pointing at its first sentence), a <par> per sentence
    (text id + audio clip)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">',
        "<body>",
    ]
    number = 0
    for chapter, (audio, pars) in enumerate(zip(audio_hrefs, entries, strict=True), start=1):
        if not pars:
            continue
        lines.append(f'<seq id="seq{chapter}" epub:textref="{html.escape(doc_href)}#{pars[0][0]}">')
        for span_id, cue in pars:
            number += 1
            lines.append(
                f'<par id="par{number}"><text src="{html.escape(doc_href)}#{span_id}"/>'
                f'<audio src="{html.escape(audio)}" clipBegin="{_seconds(cue.start, sample_rate)}" '
                f'clipEnd="{_seconds(cue.end, sample_rate)}"/></par>'
            )
        lines.append("</seq>")
    lines += ["</body>", "</smil>", ""]
    return "\n".join(lines).encode("utf-8")


def _relative(target: str, from_doc: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(from_doc) or ".")


class _Epub:
    """The files of an EPUB 3 being made into a read-along book: zip entries by path, the OPF as a tree."""

    def __init__(self, files: dict[str, bytes], opf_path: str):
        self.files = files
        self.opf_path = opf_path
        self.opf = parse_xml(Path(opf_path), opf_path, files[opf_path], recover=False)
        self.manifest = next(self.opf.iter(f"{{{OPF_NS}}}manifest"))
        self.metadata = next(self.opf.iter(f"{{{OPF_NS}}}metadata"))
        self.base = posixpath.dirname(opf_path)

    def href(self, path: str) -> str:
        return _relative(path, self.opf_path)

    def item_for(self, path: str) -> etree._Element | None:
        for item in self.manifest:
            if (
                isinstance(item.tag, str)
                and posixpath.normpath(posixpath.join(self.base, item.get("href", ""))) == path
            ):
                return item
        return None

    def add_item(self, item_id: str, path: str, media_type: str, data: bytes) -> None:
        self.files[path] = data
        etree.SubElement(
            self.manifest,
            f"{{{OPF_NS}}}item",
            id=item_id,
            href=self.href(path),
            attrib={"media-type": media_type},
        )

    def add_meta(self, prop: str, value: str, refines: str | None = None) -> None:
        meta = etree.SubElement(self.metadata, f"{{{OPF_NS}}}meta", property=prop)
        if refines:
            meta.set("refines", f"#{refines}")
        meta.text = value

    def write(self, path: Path) -> None:
        modified = [
            m for m in self.metadata.iter(f"{{{OPF_NS}}}meta") if m.get("property") == "dcterms:modified"
        ]
        for meta in modified:
            self.metadata.remove(meta)
        self.add_meta("dcterms:modified", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.files[self.opf_path] = etree.tostring(
            self.opf.getroottree(), xml_declaration=True, encoding="utf-8"
        )
        partial = path.with_name(f".{path.name}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED
            )
            for name, data in self.files.items():
                if name != "mimetype":
                    stored = name.endswith((".m4a", ".jpg", ".jpeg", ".png"))  # compressed already
                    archive.writestr(
                        name, data, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                    )
        partial.replace(path)


def _from_source(source: Path, book: Book) -> _Epub | None:
    """The source EPUB as files, an EPUB 2 upgraded to EPUB 3 (epub3.py); None if it cannot be read as one
    (then the book is rebuilt from its parsed text)."""
    try:
        with zipfile.ZipFile(source) as archive:
            package = read_package(source, archive)
            opf = parse_xml(source, package.opf_path, archive.read(package.opf_path), recover=False)
            version = opf.get("version", "")
            if not version.startswith(("2", "3")):
                return None
            files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
        epub = _Epub(files, package.opf_path)
        if version.startswith("2"):
            contents = [(chapter.title, chapter.source) for chapter in book.chapters]
            upgrade_package(epub.files, epub.opf, epub.opf_path, _parse_document, contents)
    except (zipfile.BadZipFile, BookError, KeyError, StopIteration):
        return None
    return epub


def _built(book: Book, chapters: list[ReadAlongChapter]) -> tuple[_Epub, list[Chapter]]:
    """An EPUB 3 made from the parsed book: one XHTML document per chapter read, a nav, the cover."""
    meta = book.metadata
    language = meta.language or "en"
    files: dict[str, bytes] = {
        "META-INF/container.xml": (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<container version="1.0" '
            b'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            b'<rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>'
            b"</rootfiles></container>\n"
        )
    }
    items, spine, toc, placed = [], [], [], []
    for number, entry in enumerate(chapters, start=1):
        chapter = entry.chapter
        name = f"text/chapter{number:03d}.xhtml"
        body = [f'<h1 id="chapter{number}">{html.escape(chapter.title)}</h1>']
        for block in chapter.blocks:
            text = _PAUSE_MARKUP.sub("", block.text).strip()
            if block.kind == "scene_break":
                body.append("<hr/>")
            elif block.kind == "heading" and text.casefold() != chapter.title.casefold():
                body.append(f"<h2>{html.escape(text)}</h2>")
            elif block.kind == "verse":
                body.append("<p>" + "<br/>".join(html.escape(line) for line in text.split("\n")) + "</p>")
            elif block.kind == "quote":
                body.append(f"<blockquote><p>{html.escape(text)}</p></blockquote>")
            elif text and block.kind != "heading":
                body.append(f"<p>{html.escape(text)}</p>")
        files[f"EPUB/{name}"] = _xhtml(chapter.title, language, "\n".join(body)).encode("utf-8")
        items.append(f'<item id="c{number}" href="{name}" media-type="application/xhtml+xml"/>')
        spine.append(f'<itemref idref="c{number}"/>')
        toc.append(f'<li><a href="{name}">{html.escape(chapter.title)}</a></li>')
        placed.append(Chapter(chapter.title, chapter.blocks, source=f"EPUB/{name}"))
    nav = f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{"".join(toc)}</ol></nav>'
    files["EPUB/nav.xhtml"] = _xhtml("Contents", language, nav).encode("utf-8")
    items.append('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>')
    if meta.cover is not None and meta.cover.mime in (
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/svg+xml",
    ):
        cover = "cover." + {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}.get(
            meta.cover.mime, "svg"
        )
        files[f"EPUB/{cover}"] = meta.cover.data
        items.append(
            f'<item id="cover" href="{cover}" media-type="{meta.cover.mime}" properties="cover-image"/>'
        )
    identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, meta.title + '|' + '|'.join(meta.authors))}"
    creators = "".join(f"<dc:creator>{html.escape(a)}</dc:creator>" for a in meta.authors)
    files["EPUB/package.opf"] = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="{language}">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">{identifier}</dc:identifier><dc:title>{html.escape(meta.title)}</dc:title>
<dc:language>{html.escape(language)}</dc:language>{creators}
</metadata>
<manifest>{"".join(items)}</manifest>
<spine>{"".join(spine)}</spine>
</package>
""".encode()
    return _Epub(files, "EPUB/package.opf"), placed


def _xhtml(title: str, language: str, body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="{XHTML_NS}" '
        f'xmlns:epub="http://www.idpf.org/2007/ops" lang="{language}" xml:lang="{language}">\n'
        f"<head><title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _anchor_offset(body: etree._Element, fragment: str) -> int:
    """Where the chapter's anchor (an id in the document) starts in the visible text; 0 if not found."""
    elements = list(body.iter())  # holds the proxies, so the same element is the same key below
    order = {element: index for index, element in enumerate(elements)}
    target = next((e for e in elements if isinstance(e.tag, str) and e.get("id") == fragment), None)
    if target is None:
        return 0
    slots = _slots(body)
    return next(
        (slot.start for slot in slots if order[slot.element] >= order[target]),
        sum(len(slot.text) for slot in slots),
    )


def _spliced(
    name: str,
    original: bytes,
    root: etree._Element,
    order: list[etree._Element],
    tags: dict[str, tuple[_Point, _Point]],
    link: etree._Element | None,
) -> bytes | None:
    """The source document's bytes with the spans' tags (and the stylesheet link) inserted and nothing else
    changed; None where the bytes cannot be matched to the tree (then lxml writes the document out)."""
    index = {node: number for number, node in enumerate(order)}
    try:
        where = ByteMap(original)
        edits = []
        for span_id, ((first, first_kind, a), (last, last_kind, b)) in tags.items():
            start = where.position(index[first], first_kind, a)
            end = where.position(index[last], last_kind, b)
            edits += [(start, start, 1, f'<span id="{span_id}">'.encode()), (end, end, 0, b"</span>")]
        if link is not None:
            head_end = where.nodes[index[link.getparent()]].end_tag
            attributes = " ".join(f'{key}="{html.escape(value)}"' for key, value in link.items())
            edits.append((head_end, head_end, 2, f"<link {attributes}/>".encode()))
        data = splice(original, edits)
        same = etree.tostring(_parse_document(name, data), method="c14n") == etree.tostring(
            root, method="c14n"
        )
    except (Unmappable, BookError, KeyError):
        return None
    return data if same else None


@dataclass
class _Document:
    """A document read aloud, as it was before any wrap: its bytes, its tree and its visible text."""

    name: str
    item: etree._Element
    original: bytes
    root: etree._Element
    body: etree._Element
    order: list[etree._Element]  # its nodes, as ByteMap numbers them
    slots: list[_Slot]
    flat: str
    runs: list[int]
    chapters: list[int] = field(default_factory=list)  # the chapters (numbers) read in it, in order


def _document(epub: _Epub, name: str) -> _Document | None:
    """The package's document `name`; None where the package has no such document or it is not XML."""
    item = epub.item_for(name)
    if item is None or name not in epub.files:
        return None
    try:
        root = _parse_document(name, epub.files[name])
    except BookError:
        return None
    body = next((e for e in root.iter() if isinstance(e.tag, str) and local_name(e) == "body"), root)
    order = nodes(root)
    slots = _slots(body)
    flat = "".join(slot.text for slot in slots)
    return _Document(name, item, epub.files[name], root, body, order, slots, flat, _block_runs(slots))


@dataclass(frozen=True)
class _Piece:
    """A stretch of a sentence's text to wrap in a span, and its share of the sentence's time."""

    document: str
    span_id: str
    start: int  # [start, end) in the document's visible text
    end: int
    cue: Cue


def _placed_sentences(
    number: int, cues: list[Cue], parts: list[tuple[_Document, int]], say: Say | None
) -> list[list[_Piece]]:
    """The pieces of visible text each sentence of chapter `number` reads. The chapter's text is its parts
    one after another, each a document from the chapter's anchor in it (`floor`) on: a chapter starts in one
    document and may go on in others (Chapter.continued_in)."""
    flat, runs, starts = "", [], []
    for document, floor in parts:
        starts.append(len(flat))
        runs += [len(flat)] + [len(flat) + run - floor for run in document.runs if run > floor]
        flat += document.flat[floor:]
    sentence_words = _sentence_words(flat, runs, [cue.text for cue in cues], 0, say)
    placed, floor = [], 0
    for index, (cue, words) in enumerate(zip(cues, sentence_words, strict=True)):
        ranges = _pieces(flat, words, runs, floor)  # none runs from one part into the next: see _block_runs
        pieces = []
        for k, ((start, end), share) in enumerate(zip(ranges, _shared(cue, ranges), strict=True)):
            part = bisect.bisect_right(starts, start) - 1
            document, shift = parts[part][0], parts[part][1] - starts[part]
            span_id = f"ra{number}-{index + 1}" + (f"-{k + 1}" if k else "")
            pieces.append(_Piece(document.name, span_id, start + shift, end + shift, share))
        placed.append(pieces)
        floor = ranges[-1][1] if ranges else floor
    return placed


def _wrap_document(document: _Document, pieces: list[_Piece], css_path: str) -> tuple[bytes, set[str], bool]:
    """The document with its pieces wrapped in spans and the stylesheet linked: its bytes, the ids of the
    spans placed, and whether its bytes were spliced (else lxml wrote it out)."""
    # spans never overlap (two chapters in one document may both claim a stretch): the first one keeps it
    kept, reached = [], -1
    for start, end, span_id in sorted((p.start, p.end, p.span_id) for p in pieces):
        if start >= reached:
            kept.append((start, end, span_id))
            reached = end
    tags: dict[str, tuple[_Point, _Point]] = {}
    for start, end, span_id in reversed(kept):  # last first: see _wrap
        if (where := _wrap(document.slots, document.flat, start, end, span_id)) is not None:
            tags[span_id] = where
    root = document.root
    head = next((e for e in document.order if isinstance(e.tag, str) and local_name(e) == "head"), None)
    link = None
    if head is not None:
        link = etree.SubElement(
            head,
            f"{{{XHTML_NS}}}link" if root.tag.startswith("{") else "link",
            rel="stylesheet",
            type="text/css",
            href=_relative(css_path, document.name),
        )
    spliced = _spliced(document.name, document.original, root, document.order, tags, link)
    return spliced if spliced is not None else _serialize_document(root), set(tags), spliced is not None


def _shares(samples: int, firsts: list[int | None]) -> list[int]:
    """A chapter's samples shared among the documents it is read in, in order: each from its first clip
    (`firsts`, None where it has none) to the next one's, the first from the chapter's start, the last to its
    end; so the overlays' durations add up to the book's."""
    ends = [samples]
    for first in reversed(firsts[1:]):
        ends.append(min(ends[-1], ends[-1] if first is None else first))
    bounds = [0, *reversed(ends)]
    return [end - start for start, end in zip(bounds, bounds[1:], strict=False)]


def write_readalong_epub(
    path: Path,
    book: Book,
    source: Path | None,
    chapters: list[ReadAlongChapter],
    sample_rate: int,
    narrator: str | None = None,
    say: Say | None = None,
) -> ReadAlongResult:
    """Write the read-along EPUB 3 to `path`; see the module docstring."""
    epub = _from_source(source, book) if source is not None and source.suffix.lower() == ".epub" else None
    if epub is None:
        epub, placed = _built(book, chapters)
        chapters = [
            ReadAlongChapter(c, e.audio, e.cues, e.samples) for c, e in zip(placed, chapters, strict=True)
        ]
    result = ReadAlongResult(path, 0)
    said = functools.cache(say) if say is not None else None  # a book says the same words again and again
    css_path = posixpath.join(epub.base, "readalong.css")
    epub.add_item("readalong-css", css_path, "text/css", CSS.encode())
    documents: dict[str, _Document | None] = {}  # in reading order; None: not found or not XML
    read_in: list[list[str]] = []  # per chapter, the documents it is read in
    sentences: list[list[list[_Piece]]] = []  # per chapter, per sentence
    for number, entry in enumerate(chapters, start=1):
        audio_path = posixpath.join(epub.base, "audio", f"chapter{number:03d}.m4a")
        epub.add_item(f"audio{number}", audio_path, "audio/mp4", entry.audio.read_bytes())
        parts = []
        for where in [entry.chapter.source, *entry.chapter.continued_in]:
            name, _, fragment = where.partition("#")
            if name not in documents:
                documents[name] = _document(epub, name)
            document = documents[name]
            if document is not None and number not in document.chapters:
                parts.append((document, _anchor_offset(document.body, fragment) if fragment else 0))
                document.chapters.append(number)
        read_in.append([document.name for document, _ in parts])
        sentences.append(
            _placed_sentences(number, entry.cues, parts, said) if parts else [[] for _ in entry.cues]
        )
    wrapped: set[str] = set()
    for name, document in documents.items():
        if document is not None:
            pieces = [
                p for chapter in sentences for sentence in chapter for p in sentence if p.document == name
            ]
            epub.files[name], placed_ids, spliced = _wrap_document(document, pieces, css_path)
            wrapped |= placed_ids
            if not spliced:
                result.rewritten.append(name)
    shares: dict[tuple[int, str], int] = {}  # (chapter, document): the chapter's samples read along with it
    for number, (entry, chapter, names) in enumerate(zip(chapters, sentences, read_in, strict=True), start=1):
        for cue, pieces in zip(entry.cues, chapter, strict=True):
            if pieces and all(p.span_id in wrapped for p in pieces):
                result.spans += 1
            else:
                result.missed.append(cue.text)  # (a piece that did wrap keeps its span and clip)
        firsts = [
            min(
                (p.cue.start for s in chapter for p in s if p.document == n and p.span_id in wrapped),
                default=None,
            )
            for n in names
        ]
        shares.update(zip([(number, n) for n in names], _shares(entry.samples, firsts), strict=True))
    total = 0.0
    for overlay, (name, document) in enumerate(documents.items(), start=1):
        if document is None:
            continue
        pars = [
            [
                (p.span_id, p.cue)
                for s in sentences[number - 1]
                for p in s
                if p.document == name and p.span_id in wrapped
            ]
            for number in document.chapters
        ]
        smil_path = posixpath.join(epub.base, "overlays", f"overlay{overlay:03d}.smil")
        audio_hrefs = [
            _relative(posixpath.join(epub.base, "audio", f"chapter{number:03d}.m4a"), smil_path)
            for number in document.chapters
        ]
        epub.add_item(
            f"overlay{overlay}",
            smil_path,
            "application/smil+xml",
            _smil(_relative(name, smil_path), audio_hrefs, pars, sample_rate),
        )
        document.item.set("media-overlay", f"overlay{overlay}")
        seconds = sum(shares[number, name] for number in document.chapters) / sample_rate
        epub.add_meta("media:duration", _clock(seconds), refines=f"overlay{overlay}")
        total += seconds
    epub.add_meta("media:duration", _clock(total))
    epub.add_meta("media:active-class", ACTIVE_CLASS)
    if narrator:
        epub.add_meta("media:narrator", narrator)
    try:
        epub.write(path)
    except OSError as error:
        raise AssembleError(f"cannot write {path}: {error.strerror or error}") from error
    return result
