"""(X)HTML document -> a flat stream of blocks and anchors, shared by the EPUB and HTML readers.

The stream keeps what the chapter splitter needs (where each wanted `id` sits between blocks) and what the
matter and note rules need (which blocks sit inside front/back matter, which note each block references).
Notes never appear in the stream: their text is collected on the side, keyed "doc/path.xhtml#id".
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass, field, replace
from html import entities as html_entities
from itertools import pairwise
from urllib.parse import unquote, urlsplit

from lxml import etree

from audiobook_tts.ingest.book import BlockKind, Cue
from audiobook_tts.ingest.cues import word_cue
from audiobook_tts.ingest.matter import matter_from_gutenberg_markup, matter_from_semantics
from audiobook_tts.ingest.options import LONG_TABLE_ROWS, IngestOptions
from audiobook_tts.ingest.textfile import strip_controls

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"

_SKIP = {
    "head",
    "script",
    "style",
    "template",
    "noscript",
    "button",
    "input",
    "select",
    "textarea",
    "option",
    "map",
    "area",
    "track",
    "source",
    "param",
    "wbr",
    "rp",
    "rt",
}
_PLACEHOLDER = {  # element -> the thing a placeholder announces (a Cue's `thing`)
    "table": "table",
    "img": "image",
    "figure": "figure",
    "svg": "image",
    "picture": "image",
    "canvas": "image",
    "video": "video",
    "audio": "audio",
    "object": "image",
    "embed": "image",
    "iframe": "embed",
    "math": "math",
    "pre": "code",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LISTS = {"ol", "ul", "dl", "menu"}
_CONTAINERS = {
    "html",
    "body",
    "div",
    "section",
    "article",
    "aside",
    "nav",
    "header",
    "footer",
    "main",
    "blockquote",
    "hgroup",
    "address",
    "details",
    "summary",
    "center",
    "fieldset",
    "figcaption",
    "form",
} | _LISTS
_LEAVES = {"p", "li", "dt", "dd", "hr", "caption", "legend"} | _HEADINGS
BLOCK_TAGS = _CONTAINERS | _LEAVES | set(_PLACEHOLDER) - {"img", "math", "svg", "object", "embed", "canvas"}

_NOTE_TYPES = {"footnote", "endnote", "rearnote", "note", "annotation"}
_NOTEREF_TYPES = {"noteref", "annoref"}
_VERSE_CLASS = re.compile(r"\b(poem|poetry|verse|stanza|linegroup|lg)\b", re.I)
_NOISE_CLASS = re.compile(r"\b(lnum|linenum|line-?num(ber)?|pagenum|pageno|page-?number)\b", re.I)
_MARKER = re.compile(r"^\s*[\[(]?\s*(\d{1,4}[a-z]?|[a-z]|[ivxlc]{1,6}|[*†‡§¶‖#]+)\s*[\])]?\s*$", re.I)
_BACKLINK = re.compile(
    r"^\s*([\[(]?\s*(\d{1,4}[a-z]?|[*†‡§¶]+)\s*[\])]?\.?|↩\ufe0e?|\^|back|return)\s*$", re.I
)
_LEADING_MARKER = re.compile(r"^\s*([\[(]?\d{1,4}[\])]?\.?|[*†‡§¶]+)\s+")
SCENE_BREAK = re.compile(r"^\s*((?:[*·•~#∗]\s*){3,}|⁂+|[*∗]|§)\s*$")
_INVISIBLE = re.compile("[\u00ad\u200b\ufeff]")  # soft hyphen, zero-width space, stray BOM
_JOIN = "\x00"  # set after a drop capital that starts the next word (no parsed document holds a NUL)
_JOINED = re.compile("\x00\\s*")  # the mark and the space after it: "M" + "\nerle" -> "Merle"


@dataclass
class RawBlock:
    kind: BlockKind
    text: str
    matter: str | None = None  # reason, when this block lies inside front/back matter
    note_refs: list[str] = field(default_factory=list)  # note keys referenced from this block, in order
    level: int = 0  # 1-6 for <h1>-<h6>; 0 for the other parts of an <hgroup>
    omission: str | None = None  # what was announced or skipped here ("table, 4 rows: skipped")
    cue: Cue | None = None  # what an announcement stands for
    in_header: bool = False  # inside a <header>: a title's company (a part's summary, an epigraph)


@dataclass
class Anchor:
    id: str


Event = RawBlock | Anchor


@dataclass
class WalkSettings:
    doc_path: str  # the document's path inside the book, to resolve links
    anchor_ids: set[str] = field(default_factory=set)  # ids whose position between blocks we need
    note_keys: set[str] = field(default_factory=set)  # "path#id" of elements that are note bodies
    options: IngestOptions = field(default_factory=IngestOptions)
    doc_matter: str | None = None  # matter reason for the whole document (from landmarks/guide)


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comment, processing instruction, unresolved entity
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def epub_type(element: etree._Element) -> str:
    return element.get(EPUB_TYPE) or element.get("epub:type") or ""


def resolve_href(doc_path: str, href: str) -> tuple[str, str]:
    """A link's (document path, fragment), the path relative to the book root."""
    parts = urlsplit(href)
    target = doc_path
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), unquote(parts.path)))
    return target, unquote(parts.fragment)


def _is_marker_link(link: etree._Element) -> bool:
    """A link that is only a note marker: epub:type noteref, or a short numeral/symbol in superscript."""
    if set(epub_type(link).split()) & _NOTEREF_TYPES or link.get("role") == "doc-noteref":
        return True
    text = "".join(link.itertext())
    if not _MARKER.match(text):
        return False
    parent = link.getparent()
    in_sup = parent is not None and local_name(parent) == "sup"
    has_sup = any(local_name(child) == "sup" for child in link)
    noteish_class = re.search(r"note|fn", link.get("class", ""), re.I) is not None
    return in_sup or has_sup or noteish_class


def find_note_references(root: etree._Element, doc_path: str) -> set[str]:
    """Keys of every element some marker link in this document points at: those elements are notes."""
    keys = set()
    for link in root.iter("{*}a", "a"):
        href = link.get("href")
        if href and "#" in href and _is_marker_link(link):
            target, fragment = resolve_href(doc_path, href)
            if fragment:
                keys.add(f"{target}#{fragment}")
    return keys


def _pause_markup(element: etree._Element) -> str:
    """SSML <break time="800ms"/> or strength="strong" -> [pause:0.8s] / [pause:strong] / [pause]."""
    time = (element.get("time") or "").strip().lower()
    strength = (element.get("strength") or "").strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s)", time)
    if match:
        seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
        return f" [pause:{seconds:g}s] "
    if strength in ("none", "x-weak", "weak", "medium", "strong", "x-strong"):
        return f" [pause:{strength}] "
    return " [pause] "


def entity_text(node: etree._Element) -> str:
    """An entity reference our parser left unresolved (`&nbsp;` under an XHTML 1.1 DOCTYPE whose DTD we
    never load): only the predefined HTML names are known; anything else is dropped, never looked up."""
    return html_entities.html5.get(f"{node.name};", "")


def clean_inline(text: str) -> str:
    """Collapse whitespace (no-break spaces too: str.split treats them as space) and drop invisible marks."""
    return " ".join(strip_controls(_INVISIBLE.sub("", _JOINED.sub("", text))).split())


def clean_verse(text: str) -> str:
    lines = (clean_inline(line) for line in _JOINED.sub("", text).split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass
class _Context:
    matter: str | None = None
    quote: bool = False
    heading: bool = False  # inside an <hgroup>: every paragraph is part of the heading
    header: bool = False  # inside a <header>


class _Walker:
    def __init__(self, settings: WalkSettings):
        self.settings = settings
        self.events: list[Event] = []
        self.notes: dict[str, str] = {}
        self.numbered: set[etree._Element] = set()  # paragraphs that head chapters by a numeral alone
        self.numbered_level = 2

    # --- classification -------------------------------------------------------------------------------
    def _key(self, element: etree._Element) -> str | None:
        element_id = element.get("id")
        return f"{self.settings.doc_path}#{element_id}" if element_id else None

    def _is_note_body(self, element: etree._Element) -> bool:
        if set(epub_type(element).split()) & _NOTE_TYPES or element.get("role") in (
            "doc-footnote",
            "doc-endnote",
        ):
            return True
        if local_name(element) == "aside":  # footnotes, pull quotes (a repeat); a sidebar is body text
            return "sidebar" not in epub_type(element).split()
        return self._key(element) in self.settings.note_keys

    def _leaf_note_key(self, element: etree._Element) -> str | None:
        """Gutenberg-style notes put the target id on an empty <a id> inside the note's paragraph."""
        for child in element.iter():
            if child is element or not isinstance(child.tag, str):
                continue
            key = self._key(child)
            if key in self.settings.note_keys and not "".join(child.itertext()).strip():
                return key
        return None

    def _is_noise(self, element: etree._Element) -> bool:
        """Page numbers and poem line numbers: printed for the eye, never spoken."""
        if "pagebreak" in epub_type(element).split() or element.get("role") == "doc-pagebreak":
            return True
        return _NOISE_CLASS.search(element.get("class", "")) is not None

    def _is_verse(self, element: etree._Element) -> bool:
        return _VERSE_CLASS.search(element.get("class", "")) is not None or "z3998:verse" in epub_type(
            element
        )

    # --- anchors --------------------------------------------------------------------------------------
    def _anchors_in(self, element: etree._Element, deep: bool) -> None:
        wanted = self.settings.anchor_ids
        if not wanted:
            return
        nodes = element.iter() if deep else [element]
        for node in nodes:
            if not isinstance(node.tag, str):
                continue
            for value in (node.get("id"), node.get("name") if local_name(node) == "a" else None):
                if value and value in wanted:
                    self.events.append(Anchor(value))

    # --- inline text ----------------------------------------------------------------------------------
    def _inline(
        self, element: etree._Element, pieces: list[str], refs: list[str], verse: bool, br: str = " "
    ) -> None:
        """Text of `element`'s content; in verse, block boundaries and <br> become line breaks, else a <br> is
        `br`."""
        if element.text:
            pieces.append(element.text)
        for child in element:
            name = local_name(child)
            if child.tag is etree.Entity:
                pieces.append(entity_text(child))
            elif not name:
                pass
            elif name == "br":
                pieces.append("\n" if verse else br)
            elif name == "break":
                pieces.append(_pause_markup(child))
            elif name == "img" and (drop_cap := _drop_cap(child.get("alt") or "")):
                pieces.append(drop_cap)  # a drop capital drawn as an image: "M" + "R. BENNET"
            elif (
                name in _SKIP
                or name in _PLACEHOLDER
                or self._is_noise(child)
                or child.get("hidden") is not None
            ):
                pass
            elif name == "a" and self._note_link(child, refs):
                pass
            elif self._is_note_body(child):
                self._collect_note(child)
            elif "z3998:stage-direction" in epub_type(child).split():
                pieces.append(_APART)
                self._inline(child, pieces, refs, verse, br)
                pieces.append(_APART)
            else:
                block_boundary = verse and name in BLOCK_TAGS
                if block_boundary:
                    pieces.append("\n")
                self._inline(child, pieces, refs, verse, br)
                if block_boundary:
                    pieces.append("\n")
            if child.tail:
                pieces.append(child.tail)

    def _note_link(self, link: etree._Element, refs: list[str]) -> bool:
        """A note reference adds the note's key to refs; True (link dropped) if its text is only a marker.

        A typed reference on a real word (`<a epub:type="annoref">Emperor's</a>`) keeps the word."""
        href = link.get("href")
        if not href or "#" not in href or not _is_marker_link(link):
            return False
        target, fragment = resolve_href(self.settings.doc_path, href)
        refs.append(f"{target}#{fragment}")
        return _MARKER.match("".join(link.itertext())) is not None

    def _collect_note(self, element: etree._Element) -> None:
        key = self._key(element) or self._leaf_note_key(element)
        pieces: list[str] = []
        self._note_text(element, pieces)
        text = _LEADING_MARKER.sub("", clean_inline("".join(pieces)), count=1)
        if key and text:
            self.notes[key] = text

    def _note_text(self, element: etree._Element, pieces: list[str]) -> None:
        """A note's text without its back-link marker ("[1]", "↩")."""
        if element.text:
            pieces.append(element.text)
        for child in element:
            name = local_name(child)
            if child.tag is etree.Entity:
                pieces.append(entity_text(child))
            elif not name or name in _SKIP or name in _PLACEHOLDER or self._is_noise(child):
                pass
            elif name == "a" and _BACKLINK.match("".join(child.itertext())):
                pass
            elif name == "br":
                pieces.append(" ")
            elif name == "break":
                pieces.append(_pause_markup(child))
            else:
                if name in BLOCK_TAGS:
                    pieces.append(" ")
                self._note_text(child, pieces)
                if name in BLOCK_TAGS:
                    pieces.append(" ")
            if child.tail:
                pieces.append(child.tail)

    # --- blocks ---------------------------------------------------------------------------------------
    def _emit(
        self, kind: BlockKind, text: str, context: _Context, refs: list[str] | None = None, level: int = 0
    ) -> None:
        text = _set_apart(text)
        text = clean_verse(text) if kind == "verse" else clean_inline(text)
        if kind == "scene_break":
            text = ""
        elif not text:
            return
        matter = context.matter or self.settings.doc_matter
        self.events.append(RawBlock(kind, text, matter, list(refs or []), level, in_header=context.header))

    def _paragraph(self, element: etree._Element, context: _Context) -> None:
        refs: list[str] = []
        pieces: list[str] = []
        breaks = sum(1 for child in element if local_name(child) == "br")
        self._inline(element, pieces, refs, verse=breaks >= 2, br=_BR)
        broken = "".join(pieces)
        text = broken.replace(_BR, " ")
        if SCENE_BREAK.match(clean_inline(text)):
            self._emit("scene_break", "", context)
            return
        lines = [line for line in clean_verse(text).split("\n") if line]
        if context.heading:  # level 0: a part of the heading above it, which starts no chapter of its own
            self._emit("heading", " ".join(lines), context, refs)
        elif (
            breaks >= 2
            and len(lines) >= 3
            and sum(map(len, lines)) / len(lines) < 70
            and not _printed_prose(lines)
        ):
            self._emit("verse", text, context, refs)
        else:
            said = _broken_lines([clean_inline(line) for line in broken.split(_BR)])
            self._emit("quote" if context.quote else "paragraph", said, context, refs)

    def block(self, element: etree._Element, context: _Context) -> None:
        name = local_name(element)
        if not name or name in _SKIP:
            return
        if element.get("hidden") is not None or self._is_noise(element) or _only_media_links(element):
            self._anchors_in(element, deep=True)  # a TOC may point into it; its text is not read
            return
        if self._is_note_body(element) or (name in _LEAVES and self._leaf_note_key(element)):
            self._collect_note(element)
            return
        matter = (
            matter_from_semantics(epub_type(element), element.get("role"))
            or matter_from_gutenberg_markup(element.get("id"), element.get("class"))
            or context.matter
        )
        if matter != context.matter:
            context = replace(context, matter=matter)
        if name in _CONTENTS_CANDIDATES and _is_contents_list(element):
            self._skip_contents(element, context)
            return
        if name == "hr":
            self._anchors_in(element, deep=True)
            self._emit("scene_break", "", context)
        elif name == "pre" and _is_code(element):
            self._anchors_in(element, deep=True)
            self._code(element, context)
        elif name == "table":
            self._anchors_in(element, deep=True)
            self._table(element, context)
        elif name == "pre":
            self._anchors_in(
                element, deep=True
            )  # preformatted prose or verse (old Gutenberg poems): keep lines
            pieces: list[str] = []
            self._inline(element, pieces, [], verse=True)
            self._emit("verse", "".join(pieces), context)
        elif name == "figure" and clean_inline("".join(element.itertext())):
            self._anchors_in(element, deep=False)  # a figure holding a caption or a table: its text is read
            self._container(element, context)
        elif name in _PLACEHOLDER:
            self._anchors_in(element, deep=True)
            if self.settings.options.placeholders:
                cue = Cue(_PLACEHOLDER[name])
                self.events.append(RawBlock("placeholder", word_cue(cue), context.matter, cue=cue))
        elif element in self.numbered:
            self._anchors_in(element, deep=True)
            self._emit(
                "heading", clean_inline("".join(element.itertext())), context, level=self.numbered_level
            )
        elif name in _HEADINGS:
            self._anchors_in(element, deep=True)
            refs: list[str] = []
            pieces = []
            heading, captions = _without_captions(element)
            self._inline(heading, pieces, refs, verse=False, br=_BR)
            self._emit("heading", _heading_lines("".join(pieces)), context, refs, level=int(name[1]))
            for caption in captions:  # an illustration's caption set inside the heading: read after it
                self._paragraph(caption, context)
        elif self._is_verse(element) and not any(self._is_verse(d) for d in element.iterdescendants()):
            self._anchors_in(element, deep=True)
            refs = []
            pieces = []
            self._inline(element, pieces, refs, verse=True)
            self._emit("verse", "".join(pieces), context, refs)
        elif name in ("li", "dt", "dd") and self._holds_verse(element):
            self._anchors_in(element, deep=False)  # a definition quoting a poem: its lines stay lines
            self._container(element, context)
        elif name in ("li", "dt", "dd"):
            self._list_item(element, context)
        elif name == "hgroup":  # "II" + "Mr. and Mrs. S. F. Ukridge", or a title + its subtitle: one heading
            self._anchors_in(element, deep=False)
            self._container(element, replace(context, heading=True))
        elif name == "blockquote":
            self._anchors_in(element, deep=False)
            self._container(element, replace(context, quote=True))
        elif name == "header":
            self._anchors_in(element, deep=False)
            self._container(element, replace(context, header=True))
        elif name in _CONTAINERS or self._has_block_children(element):
            self._anchors_in(element, deep=False)
            self._container(element, context)
        else:
            self._anchors_in(element, deep=True)
            self._paragraph(element, context)

    # --- tables and code ------------------------------------------------------------------------------
    def _omit(self, description: str, cue: Cue | None, context: _Context) -> None:
        """Record what was announced (`cue`) or skipped (None); an announcement is a block of its own."""
        matter = context.matter or self.settings.doc_matter
        spoken = word_cue(cue) if cue else ""
        self.events.append(RawBlock("placeholder", spoken, matter, omission=description, cue=cue))

    def _code(self, pre: etree._Element, context: _Context) -> None:
        lines = [line for line in "".join(pre.itertext()).strip("\n").split("\n") if line.strip()]
        mode = self.settings.options.code
        count = f"{len(lines)} line{'s' if len(lines) != 1 else ''}"
        if mode == "read":
            self._emit("verse", "\n".join(lines), context)
        elif mode == "announce":
            self._omit(f"code block, {count}: announced", Cue("code", len(lines)), context)
        else:
            self._omit(f"code block, {count}: skipped", None, context)

    def _cell_text(self, cell: etree._Element, refs: list[str]) -> str:
        pieces: list[str] = []
        holder = etree.Element("span")
        holder.append(_copy_without_tail(cell))
        self._inline(holder, pieces, refs, verse=False)
        return clean_inline(_set_apart("".join(pieces)))

    def _table(self, table: etree._Element, context: _Context) -> None:
        """A data table row by row ("header: cell; header: cell"), after its caption or column names; a layout
        table (cells holding paragraphs or tables, or a single column) as the text it holds."""
        rows = [row for row in _rows(table)]
        cells = [[cell for cell in row if local_name(cell) in ("td", "th")] for row in rows]
        cells = [row for row in cells if row]
        if not cells:
            return
        caption = next((child for child in table if local_name(child) == "caption"), None)
        layout = any(len(row) == 1 for row in cells) and max((len(row) for row in cells), default=0) <= 1
        layout = layout or any(
            local_name(inner) in BLOCK_TAGS - {"br"}
            for row in cells
            for cell in row
            for inner in cell.iter()
            if inner is not cell
        )
        if layout:
            if caption is not None:
                self.block(caption, context)
            for row in cells:
                for cell in row:
                    self._container(cell, context)
            return
        refs: list[str] = []
        caption_text = self._cell_text(caption, refs) if caption is not None else ""
        header = [self._cell_text(cell, refs) for cell in cells[0]] if _is_header(rows[0], cells[0]) else []
        header = _money_columns(header)
        body = cells[1:] if header else cells
        texts = [[self._cell_text(cell, []) for cell in row] for row in body]
        longest = max((len(text) for row in texts for text in row), default=0)
        # dialogue or prose set out in columns, or one row without a header (a letter's place and date beside
        # its signature, which Entre nous (Gutenberg 44157) announced as "Tableau."): read as text
        if not header and (longest > _PROSE_CELL or len(body) == 1):
            for row in body:
                refs = []
                self._emit(
                    "paragraph", _joined_cells([self._cell_text(cell, refs) for cell in row]), context, refs
                )
            return
        count = f"{len(body)} row{'s' if len(body) != 1 else ''}"
        mode = self.settings.options.tables
        if mode == "read" and len(body) > LONG_TABLE_ROWS and _figures(texts):
            mode = "announce"
        caption_text = caption_text.rstrip(".")
        if mode == "skip":
            self._omit(f"table, {count}: skipped", None, context)
            return
        if mode == "announce":
            self._omit(f"table, {count}: announced", Cue("table", len(body), caption_text), context)
            return
        cue = Cue("table", len(body), caption_text, tuple(h for h in header if h), read=True)
        matter = context.matter or self.settings.doc_matter
        self.events.append(RawBlock("paragraph", word_cue(cue), matter, list(refs), cue=cue))
        for row in body:
            refs = []
            cell_texts = [self._cell_text(cell, refs) for cell in row]
            said = [
                f"{header[i]}: {text}" if i < len(header) and header[i] and text else text
                for i, text in enumerate(cell_texts)
                if text
            ]
            self._emit("list_item", "; ".join(said), context, refs)

    def _has_block_children(self, element: etree._Element) -> bool:
        return any(local_name(child) in BLOCK_TAGS for child in element)

    def _holds_verse(self, element: etree._Element) -> bool:
        return any(
            self._is_verse(inner)
            or "z3998:poem" in epub_type(inner)
            or (local_name(inner) == "p" and sum(local_name(child) == "br" for child in inner) >= 2)
            for inner in element.iterdescendants()
        )

    def _list_item(self, element: etree._Element, context: _Context) -> None:
        """The item's own text is one block; nested lists inside it follow as their own items."""
        self._anchors_in(element, deep=False)
        refs: list[str] = []
        pieces: list[str] = []
        if element.text:
            pieces.append(element.text)
        nested = []
        for child in element:
            if local_name(child) in _LISTS or local_name(child) in _PLACEHOLDER:
                nested.append(child)
            else:
                self._anchors_in(child, deep=True)
                holder = etree.Element("span")
                holder.append(_copy_without_tail(child))
                self._inline(holder, pieces, refs, verse=False)
                if local_name(child) in BLOCK_TAGS:
                    pieces.append(" ")  # two <p> in one item are two sentences, not one run-on word
            if child.tail:
                pieces.append(child.tail)
        kind: BlockKind = "list_item" if local_name(element) == "li" else "paragraph"
        self._emit(kind, "".join(pieces), context, refs)
        for child in nested:
            self.block(child, context)

    def _skip_contents(self, element: etree._Element, context: _Context) -> None:
        self._anchors_in(element, deep=True)
        links = sum(1 for link in element.iter("{*}a", "a") if _INTERNAL_ANCHOR.match(link.get("href") or ""))
        self._omit(f"contents list, {links} links: skipped", None, context)

    def _container(self, element: etree._Element, context: _Context) -> None:
        """Block children are walked; loose text between them becomes paragraphs of its own."""
        run: list[etree._Element | str] = []

        def flush() -> None:
            if not run:
                return
            holder = etree.Element("p")
            last = None
            for item in run:
                if isinstance(item, str):
                    if last is None:
                        holder.text = (holder.text or "") + item
                    else:
                        last.tail = (last.tail or "") + item
                else:
                    last = _copy_without_tail(item)
                    holder.append(last)
            run.clear()
            if _is_contents_list(holder):  # the King James Bible's "2 3 4 ... 50", a link to each chapter
                self._skip_contents(holder, context)
            elif clean_inline("".join(holder.itertext())) or len(holder):
                for item in holder:
                    self._anchors_in(item, deep=True)
                self._paragraph(holder, context)

        if element.text and element.text.strip():
            run.append(element.text)
        for child in element:
            # an image or formula standing between blocks is a block of its own (a placeholder when asked)
            if local_name(child) in BLOCK_TAGS or local_name(child) in _PLACEHOLDER:
                flush()
                self.block(child, context)
            elif child.tag is etree.Entity:
                run.append(entity_text(child))
            elif isinstance(child.tag, str):
                run.append(child)
            if child.tail and (child.tail.strip() or run):  # keep the space in "<em>a</em> <em>b</em>"
                run.append(child.tail)
        flush()


_QUOTES = "\"'“”‘’"
_DROP_CAP = re.compile(rf"^[{_QUOTES}]?[A-Za-zÀ-ÿ]{{1,2}}[{_QUOTES}]?$")


def _drop_cap(alt: str) -> str | None:
    """What a drop capital drawn as an image reads, from its alt ("M", '"M' opening a quotation), else None.

    A consonant is never a word on its own, so it joins the word after it across the line break Gutenberg
    sets after the image ("M" + "erle"); a vowel may be a word ("A long time") and keeps the space."""
    if not _DROP_CAP.match(alt):
        return None
    letters = alt.strip(_QUOTES)
    consonant = unicodedata.normalize("NFD", letters)[0].upper() not in "AEIOUY"
    return alt + _JOIN if len(letters) == 1 and alt.endswith(letters) and consonant else alt


_CAPTION_CLASS = re.compile(r"\b(caption|illus\w*)\b", re.I)


def _without_captions(heading: etree._Element) -> tuple[etree._Element, list[etree._Element]]:
    """A heading without the illustration captions set inside it (Gutenberg HTML), and those captions."""

    def is_caption(element: etree._Element, root: etree._Element) -> bool:
        return element is not root and bool(_CAPTION_CLASS.search(element.get("class", "")))

    captions = [element for element in heading.iter() if is_caption(element, heading)]
    if not captions:
        return heading, []
    clone = deepcopy(heading)
    for element in list(clone.iter()):
        if is_caption(element, clone) and element.getparent() is not None:
            _remove_keeping_tail(element)
    return clone, [_copy_without_tail(caption) for caption in captions]


def _remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


_CONTENTS_CANDIDATES = {"table", "ul", "ol", "p", "div", "dl", "blockquote"}
_INTERNAL_ANCHOR = re.compile(r"(?:[^:/?#]+\.x?html?)?#", re.IGNORECASE)  # "#c1", "ch001.xhtml#c1"


def _is_contents_list(element: etree._Element) -> bool:
    """A list of links into the book (a contents list of an HTML edition): navigation, not text to read.

    At least four links to anchors in the book ("#c1", or "ch001.xhtml#c1" as Pandoc writes them when it
    splits a book into files), holding nearly all of the element's words."""
    links = [link for link in element.iter("{*}a", "a") if _INTERNAL_ANCHOR.match(link.get("href") or "")]
    if len(links) < 4:
        return False
    text = " ".join("".join(element.itertext()).split())
    if len(text) > 20_000:
        return False
    linked = sum(len(" ".join("".join(link.itertext()).split())) for link in links)
    # page numbers and "Chapter" labels beside the links are allowed; prose with a few links is not
    return linked >= 0.5 * len(text) and len(re.findall(r"[.!?] [A-Z]", text)) < len(links)


_SHORT_LINE = 40  # characters: a line this short that a <br> ends is a name, an address line, a signature

# A heading's first line that only numbers it: "II", "CHAPTER I", "Capítulo 3" (a Roman numeral must be one:
# "CIVIL" is a word)
_ROMAN = r"(?=[ivxlcdm]+\s*$)m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER_LINE = re.compile(rf"(?i)\s*(?:[^\W\d_]+\s+)?(?:{_ROMAN}|\d+)\s*")


_PRINTED_LINE = 40  # characters: a printed page's full line is longer on average; a song's, often shorter
_LINE_END_STOP = re.compile(r"[.,;:!?…—–\-\"'”’)\]»]$")
_LINE_START_LOWER = re.compile(r"^[\W\d_]*[^\W\d_]")


def _printed_prose(lines: list[str]) -> bool:
    """Prose set out line by line as a printed page had it (a <br> at each line's end): its lines are as
    long as a page is wide and a third or more run on, mid-sentence, into a word in lower case (half left
    some 50 of El sombrero's dialogues verse: "¿Qué me, importa a mí"). A poem's lines open
    with a capital, or are short. El sombrero de tres picos (Gutenberg 29506) was heard as verse, a stop
    and a pause after every printed line: "Pocos españoles, aun contando a los menos sabios y. | Leídos,
    desconocerán ...", 1,821 times."""
    full = lines[:-1]  # a paragraph's last line is as short as it happens to be
    if sum(map(len, full)) / len(full) < _PRINTED_LINE:
        return False
    running_on = sum(_runs_on(line, after) for line, after in pairwise(lines))
    return 3 * running_on >= len(lines) - 1


def _runs_on(line: str, after: str) -> bool:
    """`line` stops on no punctuation and the next line goes on with a word in lower case."""
    start = _LINE_START_LOWER.match(after)
    return not _LINE_END_STOP.search(line) and start is not None and start[0][-1].islower()


_BR = "\x02"  # a <br> in a paragraph too short for verse, until its lines are joined
_APART = "\ue000"  # either side of a stage direction, until its block's text is known (see _set_apart)
_APART_AT_ENDS = re.compile(f"^[\\s{_APART}]+|[\\s{_APART}]+$")


def _set_apart(text: str) -> str:
    """A stage direction among the words of a speech is said apart from them, between pauses: Hamlet's "Give
    you good night. Exit." was said in one breath, as if Bernardo said "Exit". A direction that starts or
    ends its block (or cell) is apart already."""
    if _APART not in text:
        return text
    return _APART_AT_ENDS.sub("", text).replace(_APART, " [pause] ")


def _broken_lines(lines: list[str]) -> str:
    """A paragraph's lines (a <br> between them, too few for verse) as one text: two short lines are kept
    apart by a comma when the first has no stop of its own. Hamlet's two speakers of one line,
    "Marcellus<br/>Horatio", were heard as one name, "Marcellus Horatio"; now "Marcellus, Horatio". A prose
    line broken in the middle runs on as before."""
    lines = [line for line in lines if line]
    said = lines[:1]
    for line in lines[1:]:
        short = len(said[-1]) <= _SHORT_LINE and len(line) <= _SHORT_LINE
        if short and said[-1][-1] not in _CELL_CLOSED:
            said[-1] += ","
        said.append(line)
    return " ".join(said)


# a sound or a score the book links to: "music/cocorico.mid", "tune.mp3", "score.ly", "score.pdf"
_MEDIA_HREF = re.compile(r"\.(?:midi?|mp3|ogg|oga|wav|m4a|flac|ly|mxl|musicxml|pdf)(?:[?#].*)?$", re.I)


def _only_media_links(element: etree._Element) -> bool:
    """A block whose words are all links to sounds or scores ("Ecouter Partition", "[Listen] [MIDI]"):
    buttons for a reader to click, which a listener cannot. Entre nous (Gutenberg 44157) said "Ecouter
    Partition." under each of its five songs."""
    links = [a for a in element.iter("{*}a", "a") if _MEDIA_HREF.search(a.get("href") or "")]
    if not links or any(link is element for link in links):
        return False
    linked = "".join("".join(link.itertext()) for link in links)
    return "".join("".join(element.itertext()).split()) == "".join(linked.split())


def _heading_lines(text: str) -> str:
    """A heading's lines (a <br> between them) as one text, the number on a line of its own ending there:
    Dom Casmurro's "XX<br/>MIL PADRE-NOSSOS" was heard as one phrase, "Vinte mil padre-nossos" (twenty
    thousand), and Ruskin's "CHAPTER I<br/>HOW THE AGRICULTURAL SYSTEM..." ran on as "Chapter one how the";
    now "Vinte. Mil padre-nossos", "Chapter one. How the". Other lines run on ("THE KING OF THE GOLDEN
    RIVER<br/>OR"), and so does a lone "I", which may be a word: "I<br/>PROMESSI SPOSI"."""
    first, _, rest = text.partition(_BR)
    if rest.strip() and first.strip() not in ("", "I") and _NUMBER_LINE.fullmatch(first):
        text = first.rstrip() + ". " + rest
    return text.replace(_BR, " ")


# Columns of pounds, shillings and pence, as British accounts head them: "£ | s. | d."
_MONEY_COLUMNS = {"£": "pounds", "s.": "shillings", "s": "shillings", "d.": "pence", "d": "pence"}


def _money_columns(header: list[str]) -> list[str]:
    """Column names "£", "s.", "d." said as words: The Wealth of Nations' accounts were heard "£: seven
    hundred and twenty-two thousand and twenty-three; s. eleven; d. eleven", the pound sign left to the
    model; now "pounds: ...; shillings: eleven; pence: eleven"."""
    if "£" not in header and not {"s.", "d."} <= set(header):
        return header
    return [_MONEY_COLUMNS.get(name, name) for name in header]


_PROSE_CELL = 60  # characters: a table without a header whose cells run longer holds text, not data
_WORD = re.compile(r"[^\W\d_]{2,}")


def _figures(texts: list[list[str]]) -> bool:
    """A table of figures: fewer than a third of its cells hold a word (The Wealth of Nations' prices by
    year; a list of governors and their years is names, and is read)."""
    cells = [text for row in texts for text in row if text]
    return 3 * sum(bool(_WORD.search(text)) for text in cells) < len(cells)


def _joined_cells(texts: list[str]) -> str:
    """A row of prose cells as one text; a cell ending unpunctuated (a play's speaker, "Algernon") is closed
    with a stop, so the name is not run into the speech that follows ("Algernon. Did you hear...")."""
    said = [text for text in texts if text]
    return " ".join(
        text if i == len(said) - 1 or text[-1] in _CELL_CLOSED else text + "." for i, text in enumerate(said)
    )


_CELL_CLOSED = ".,;:!?…—–-\"'”’)]»" + _APART


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (thead, tbody, tfoot or direct), not those of a table nested in a cell."""
    rows = []
    for child in table:
        name = local_name(child)
        if name == "tr":
            rows.append(child)
        elif name in ("thead", "tbody", "tfoot"):
            rows += [row for row in child if local_name(row) == "tr"]
    return rows


def _is_header(row: etree._Element, cells: list[etree._Element]) -> bool:
    parent = row.getparent()
    return (parent is not None and local_name(parent) == "thead") or all(local_name(c) == "th" for c in cells)


def _is_code(pre: etree._Element) -> bool:
    """<pre><code> (Markdown, most HTML) or a class naming a language is code; a bare <pre> is text."""
    classes = " ".join(el.get("class", "") for el in pre.iter() if isinstance(el.tag, str))
    return any(local_name(el) in ("code", "samp", "kbd") for el in pre.iter()) or bool(
        re.search(r"\b(code|source|program|listing|lang(uage)?-\w+|highlight)", classes, re.I)
    )


def _copy_without_tail(element: etree._Element) -> etree._Element:
    clone = deepcopy(element)
    clone.tail = None
    return clone


# "I", "XIV.": a paragraph that only numbers the chapter it opens
_LONE_ROMAN = re.compile(r"(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\.?")
_MIN_NUMBERED = 3
_CHAPTER_WORDS = 300  # a document's words per numbered paragraph, at least, when they number chapters


def numbered_chapters(body: etree._Element) -> tuple[set[etree._Element], int]:
    """Paragraphs that head a chapter by its Roman numeral alone ("<p class="cap">I</p>"), as the plain text
    rule has them: three or more, from "I", in a document long enough for them to number chapters, not
    stanzas, numbering on ("C", "L" heading a vocabulary's letters after "XXXVI" do not); and the level of
    the document's most frequent heading (h2 if none), theirs. El sombrero de tres picos (Gutenberg 29506)
    heads all but one of its 36 chapters so ("XIII." is an h3): its preface and first twelve chapters were
    one chapter of an hour, the other 24 one of two."""
    found = [
        element
        for element in body.iter()
        if local_name(element) == "p" and _LONE_ROMAN.fullmatch(" ".join("".join(element.itertext()).split()))
    ]
    numbered, last = [], 0
    for element in found:  # in order, one after the other (or one headed otherwise between): "I", "II", ...
        value = _roman_value("".join(element.itertext()).strip().rstrip("."))
        if last < value <= last + 2 and (last or value == 1):
            numbered.append(element)
            last = value
    if len(numbered) < _MIN_NUMBERED or len(" ".join(body.itertext()).split()) < _CHAPTER_WORDS * len(
        numbered
    ):
        return set(), 2
    levels = Counter(int(local_name(el)[1]) for el in body.iter() if local_name(el) in _HEADINGS - {"h1"})
    return set(numbered), (levels.most_common(1)[0][0] if levels else 2)


_ROMAN_DIGITS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_value(numeral: str) -> int:
    """The value of a Roman numeral ("XIV" -> 14): a digit before a larger one is taken away."""
    digits = [_ROMAN_DIGITS[letter] for letter in numeral]
    return sum(-d if d < after else d for d, after in zip(digits, [*digits[1:], 0], strict=True))


def walk(root: etree._Element, settings: WalkSettings) -> tuple[list[Event], dict[str, str]]:
    """Blocks and wanted anchors of one document, in order, plus the notes found in it."""
    body = next((el for el in root.iter() if local_name(el) == "body"), root)
    walker = _Walker(settings)
    walker.numbered, walker.numbered_level = numbered_chapters(body)
    walker.block(body, _Context())
    return walker.events, walker.notes
