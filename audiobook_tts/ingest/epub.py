"""EPUB 2 and 3 -> Book: reading order from the spine, chapters from the table of contents.

A TOC entry may point at a whole document or at an `#anchor` inside one, so a document can hold several
chapters and a chapter can start mid-document; the block stream of the spine is cut at those anchors.
Text before the first TOC target becomes a front-matter chapter rather than being lost.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import lxml.html
from lxml import etree

from audiobook_tts.ingest.book import Book, BookError
from audiobook_tts.ingest.chapters import Draft, finish
from audiobook_tts.ingest.matter import matter_from_landmark
from audiobook_tts.ingest.options import IngestOptions
from audiobook_tts.ingest.package import Package, check_drm, find_cover, read_package
from audiobook_tts.ingest.safety import (
    check_all_xml_entries,
    open_zip,
    parse_xml,
    read_book_bytes,
    read_entry,
    refuse_entity_declarations,
)
from audiobook_tts.ingest.toc import TocEntry, landmarks, nav_entries, ncx_entries
from audiobook_tts.ingest.xhtml import (
    Anchor,
    WalkSettings,
    clean_inline,
    find_note_references,
    local_name,
    walk,
)

log = logging.getLogger(__name__)


class _Documents:
    """Parsed content documents, each read and parsed once."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self.path, self.archive = path, archive
        self.names = set(archive.namelist())
        self._cache: dict[str, etree._Element | None] = {}

    def get(self, name: str) -> etree._Element | None:
        if name not in self._cache:
            self._cache[name] = self._parse(name)
        return self._cache[name]

    def _parse(self, name: str) -> etree._Element | None:
        if name not in self.names:
            log.warning("%s: %s is listed in the book but missing from the archive; skipped", self.path, name)
            return None
        data = read_entry(self.path, self.archive, name)
        try:
            return parse_xml(self.path, name, data, recover=False)
        except BookError as error:
            if "declares XML entities" in str(error):
                raise
            log.warning(
                "%s: %s is not well-formed XHTML; reading what an HTML parser recovers", self.path, name
            )
        refuse_entity_declarations(self.path, name, data)
        try:
            parser = lxml.html.HTMLParser(recover=True, no_network=True, remove_comments=True)
            return lxml.html.document_fromstring(data, parser=parser)
        except (etree.ParserError, ValueError) as error:
            log.warning("%s: %s cannot be read at all (%s); skipped", self.path, name, error)
            return None


def _table_of_contents(package: Package, documents: _Documents) -> tuple[list[TocEntry], dict[str, str]]:
    """TOC entries (nav first, NCX otherwise) and landmark/guide reasons by target."""
    entries: list[TocEntry] = []
    reasons: dict[str, str] = {}
    nav = package.nav()
    nav_root = documents.get(nav.path) if nav is not None else None
    if nav is not None and nav_root is not None:
        entries = nav_entries(nav_root, nav.path)
        for kind, target in landmarks(nav_root, nav.path):
            reason = matter_from_landmark(kind, "landmarks")
            if reason:
                reasons[target] = reason
    spine_paths = {item.path for item, _ in package.spine}
    if not any(entry.path in spine_paths for entry in entries) and package.ncx is not None:
        if package.ncx.path in documents.names:
            data = read_entry(documents.path, documents.archive, package.ncx.path)
            try:
                entries = ncx_entries(parse_xml(documents.path, package.ncx.path, data), package.ncx.path)
            except BookError as error:
                if "declares XML entities" in str(error):
                    raise
                log.warning("%s", error)
    for kind, target in package.guide:
        reason = matter_from_landmark(kind, "guide")
        if reason:
            reasons.setdefault(target, reason)
    return entries, reasons


def _lexicon(package: Package, documents: _Documents) -> dict[str, str]:
    """PLS lexicon entries that carry an <alias> (a respelling our grapheme model can read)."""
    lexicon: dict[str, str] = {}
    for item in package.manifest.values():
        if item.media_type != "application/pls+xml" or item.path not in documents.names:
            continue
        try:
            root = parse_xml(
                documents.path, item.path, read_entry(documents.path, documents.archive, item.path)
            )
        except BookError as error:
            if "declares XML entities" in str(error):
                raise
            log.warning("%s", error)
            continue
        for lexeme in root.iter("{*}lexeme"):
            alias = next(lexeme.iter("{*}alias"), None)
            if alias is None or not clean_inline(alias.text or ""):
                continue
            for grapheme in lexeme.iter("{*}grapheme"):
                if clean_inline(grapheme.text or ""):
                    lexicon[clean_inline(grapheme.text)] = clean_inline(alias.text)
    return lexicon


def _title_of(root: etree._Element) -> str | None:
    for element in root.iter():
        if local_name(element) in ("h1", "h2", "h3", "title"):
            text = clean_inline("".join(element.itertext()))
            if text:
                return text
    return None


def load_epub(path: Path, options: IngestOptions) -> Book:
    archive = open_zip(path, read_book_bytes(path))
    check_drm(path, archive)
    check_all_xml_entries(path, archive)
    package = read_package(path, archive)
    documents = _Documents(path, archive)
    entries, reasons = _table_of_contents(package, documents)
    if package.metadata.cover is None:  # EPUB 3 landmarks may name a cover page the OPF does not
        pages = [
            target.split("#")[0]
            for target, reason in reasons.items()
            if reason.startswith("front matter: cover")
        ]
        package.metadata.cover = find_cover(path, archive, package.manifest, [], pages)

    toc_paths = {entry.path for entry in entries}
    reading = [item.path for item, linear in package.spine if linear or item.path in toc_paths]
    reading = list(dict.fromkeys(p for p in reading if documents.get(p) is not None))
    entries = [entry for entry in entries if entry.path in reading]
    if not entries:
        log.info("%s: no usable table of contents; one chapter per spine document", path)
        entries = [TocEntry("", p, "", 1) for p in reading]
    if not reading:
        raise BookError(f"{path}: the book contains no readable text (no spine document could be read)")

    # notes may be referenced from any document, and may live in any (often non-linear) one
    all_docs = list(dict.fromkeys(reading + [item.path for item, _ in package.spine]))
    note_keys: set[str] = set()
    for doc in all_docs:
        root = documents.get(doc)
        if root is not None:
            note_keys |= find_note_references(root, doc)
    doc_matter = {target: reason for target, reason in reasons.items() if "#" not in target}

    found_notes: dict[str, str] = {}
    drafts = [Draft("", 1, reading[0], synthetic=True, doc=reading[0])]
    started: set[int] = set()

    def start(index: int, entry: TocEntry) -> None:
        started.add(index)
        drafts.append(Draft(entry.title, entry.level, entry.target, doc=entry.path))

    for doc in all_docs:
        root = documents.get(doc)
        if root is None:
            continue
        mine = [(i, e) for i, e in enumerate(entries) if e.path == doc]
        settings = WalkSettings(
            doc, {e.fragment for _, e in mine if e.fragment}, note_keys, options, doc_matter.get(doc)
        )
        events, doc_notes = walk(root, settings)
        found_notes.update(doc_notes)
        if doc not in reading:
            continue  # non-linear document walked only for its notes
        anchors = {event.id for event in events if isinstance(event, Anchor)}
        for index, entry in mine:
            if not entry.fragment or entry.fragment not in anchors:
                if entry.fragment:
                    log.warning(
                        "%s: TOC target %s not found; using the start of its document", path, entry.target
                    )
                start(index, entry)
        for event in events:
            if isinstance(event, Anchor):
                for index, entry in mine:
                    if index not in started and entry.fragment == event.id:
                        start(index, entry)
            else:
                drafts[-1].add(event, doc)

    for draft in drafts[1:]:
        draft.title = _without_heading_caption(draft)
        if not draft.title:  # spine fallback, or an entry without a label
            root = documents.get(draft.doc)
            found = next((b.text for b in draft.blocks if b.kind == "heading"), None) or (
                _title_of(root) if root is not None else None
            )
            # a number of ours when the book gives none: shown, never spoken
            draft.title, draft.placeholder_title = found or f"Section {drafts.index(draft)}", not found

    return finish(
        path,
        package.metadata,
        drafts,
        found_notes,
        notes_mode=options.notes,
        include_front_matter=options.include_front_matter,
        landmarks={t: r for t, r in reasons.items() if "#" in t},
        lexicon=_lexicon(package, documents),
        declared_title=package.metadata.title,
    )


def _without_heading_caption(draft: Draft) -> str:
    """The TOC label without an illustration caption a converter copied into it from the heading.

    Gutenberg puts a picture's caption inside the chapter's <h2>; Pandoc makes the label of the whole heading
    ("I hope Mr. Bingley will like it. CHAPTER II."), while the walker reads the caption as a paragraph of
    its own. The heading alone is the title when the rest of the label is that caption, word for word."""
    heading = next((b.text for b in draft.blocks[:1] if b.kind == "heading"), None)
    if not heading or draft.title == heading or not draft.title.endswith(heading):
        return draft.title
    caption = draft.title[: -len(heading)].strip()
    return heading if any(b.text.strip() == caption for b in draft.blocks[1:4]) else draft.title
