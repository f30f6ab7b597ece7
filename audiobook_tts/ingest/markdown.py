"""Markdown -> Book: rendered by markdown-it-py to HTML, then read by the same walker as HTML and EPUB.

That way emphasis marks vanish, links keep their text, tables and code blocks follow the table and code
options, footnotes (`[^label]` markers and `[^label]: text` definitions, as pandoc and GitHub write them, via
mdit-py-plugins) follow the notes option like EPUB notes, and a `***` or `---` line between paragraphs (a
thematic break) becomes a scene break, all by CommonMark's own rules.
An optional YAML front-matter block gives the metadata.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from audiobook_tts.ingest.book import Book, Metadata
from audiobook_tts.ingest.chapters import chapters_from_headings, finish, title_heading
from audiobook_tts.ingest.html import blocks_and_notes, parse_html
from audiobook_tts.ingest.options import IngestOptions
from audiobook_tts.ingest.sidecar import image_cover, sidecar_cover
from audiobook_tts.ingest.textfile import read_text

log = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(path: Path, text: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        log.warning("%s: front matter is not valid YAML (%s); ignored", path, str(error).splitlines()[0])
        data = {}
    if not isinstance(data, dict):
        data = {}
    return data, text[match.end() :]


def _strings(value) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if str(v).strip()]


def _metadata(path: Path, data: dict, fallback_title: str) -> Metadata:
    def first(*keys: str) -> str | None:
        for key in keys:
            values = _strings(data.get(key))
            if values:
                return values[0]
        return None

    cover = None
    cover_name = first("cover", "cover-image", "cover_image")
    if cover_name:
        cover = image_cover(path.parent / cover_name)
        if cover is None:
            log.warning("%s: cover %s not found or not an image; ignored", path, cover_name)
    return Metadata(
        title=first("title") or fallback_title,
        authors=_strings(data.get("authors"))
        or _strings(data.get("author"))
        or _strings(data.get("creator")),
        language=first("lang", "language"),
        publisher=first("publisher"),
        date=first("date"),
        description=first("description", "abstract"),
        identifiers=_strings(data.get("identifier")) or _strings(data.get("isbn")),
        cover=cover or sidecar_cover(path),
    )


def load_markdown(path: Path, options: IngestOptions) -> Book:
    data, body = split_front_matter(path, read_text(path))
    markdown = MarkdownIt("commonmark", {"html": True}).use(footnote_plugin)
    markdown.enable(["table", "strikethrough"])
    rendered = markdown.render(body)
    root = parse_html(path, f"<html><body>{rendered}</body></html>")
    blocks, found_notes = blocks_and_notes(root, path.name, options)
    metadata = _metadata(path, data, title_heading(blocks) or path.stem)
    drafts = chapters_from_headings(blocks, path.name, metadata.title)
    return finish(
        path,
        metadata,
        drafts,
        found_notes,
        notes_mode=options.notes,
        include_front_matter=options.include_front_matter,
    )
