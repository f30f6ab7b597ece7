"""A single HTML file -> Book: chapters from its h1/h2 headings, title from <title>."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from audiobook_tts.ingest.book import Book, BookError, Metadata
from audiobook_tts.ingest.chapters import chapters_from_headings, finish
from audiobook_tts.ingest.options import IngestOptions
from audiobook_tts.ingest.safety import refuse_entity_declarations
from audiobook_tts.ingest.sidecar import sidecar_cover
from audiobook_tts.ingest.textfile import read_text
from audiobook_tts.ingest.xhtml import (
    RawBlock,
    WalkSettings,
    clean_inline,
    find_note_references,
    local_name,
    walk,
)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_html(path: Path, text: str) -> etree._Element:
    """Forgiving HTML parse, no network or entities; an XML declaration goes (lxml refuses it in a str)."""
    refuse_entity_declarations(path, path.name, text.encode("utf-8"))
    parser = lxml.html.HTMLParser(recover=True, no_network=True, remove_comments=True)
    try:
        return lxml.html.document_fromstring(
            _XML_DECLARATION.sub("", text, count=1) or "<html></html>", parser
        )
    except (etree.ParserError, ValueError) as error:
        raise BookError(f"{path}: cannot be parsed as HTML ({error})") from None


def blocks_and_notes(
    root: etree._Element, source: str, options: IngestOptions
) -> tuple[list[RawBlock], dict[str, str]]:
    settings = WalkSettings(source, note_keys=find_note_references(root, source), options=options)
    events, notes = walk(root, settings)
    return [e for e in events if isinstance(e, RawBlock)], notes


def html_metadata(root: etree._Element, fallback_title: str) -> Metadata:
    def meta(*names: str) -> str | None:
        for element in root.iter("meta"):
            if (element.get("name") or element.get("property") or "").lower() in names and element.get(
                "content"
            ):
                return clean_inline(element.get("content"))
        return None

    title_element = next((el for el in root.iter() if local_name(el) == "title"), None)
    title = clean_inline("".join(title_element.itertext())) if title_element is not None else ""
    title = title.removesuffix(" | Project Gutenberg")
    author = meta("author", "dc.creator", "dcterms.creator")
    language = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return Metadata(
        title=title or fallback_title,
        authors=[author] if author else [],
        language=language,
        publisher=meta("publisher", "dc.publisher"),
        date=meta("date", "dc.date", "dcterms.date"),
        description=meta("description", "dc.description"),
    )


def load_html(path: Path, options: IngestOptions) -> Book:
    root = parse_html(path, read_text(path, html=True))
    metadata = html_metadata(root, path.stem)
    metadata.cover = sidecar_cover(path)
    blocks, found_notes = blocks_and_notes(root, path.name, options)
    drafts = chapters_from_headings(blocks, path.name, metadata.title)
    return finish(
        path,
        metadata,
        drafts,
        found_notes,
        notes_mode=options.notes,
        include_front_matter=options.include_front_matter,
    )
