"""The book's own table of contents: EPUB 3 nav document or EPUB 2 NCX, with nesting depth and landmarks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from audiobook_tts.ingest.xhtml import clean_inline, epub_type, local_name, resolve_href


@dataclass
class TocEntry:
    title: str
    path: str  # document, relative to the book root
    fragment: str  # "" when the entry points at the start of the document
    level: int  # 1 = top level

    @property
    def target(self) -> str:
        return f"{self.path}#{self.fragment}" if self.fragment else self.path


def _find_nav(root: etree._Element, kind: str) -> etree._Element | None:
    for element in root.iter():
        if local_name(element) == "nav" and (
            kind in epub_type(element).split() or element.get("role") == f"doc-{kind}"
        ):
            return element
    return None


# a page number in braces, as Gutenberg's HTML marks its pages ("{ix}", "{6}"); a converter such as Pandoc
# copies it from the heading into the TOC label, where the body text walker never sees it
_PAGE_MARKER = re.compile(r"\{(?:\d+|[ivxlcdm]+)\}", re.IGNORECASE)


def _label_text(element: etree._Element) -> str:
    return clean_inline(_PAGE_MARKER.sub(" ", "".join(element.itertext())))


def nav_entries(root: etree._Element, nav_path: str) -> list[TocEntry]:
    """Entries of <nav epub:type="toc">; a heading <span> without a link is a level without an entry."""
    nav = _find_nav(root, "toc")
    if nav is None:
        return []
    top = next((child for child in nav if local_name(child) in ("ol", "ul")), None)
    entries: list[TocEntry] = []

    def walk_list(list_element: etree._Element, level: int) -> None:
        for item in list_element:
            if local_name(item) != "li":
                continue
            label = next(
                (c for c in item if local_name(c) in ("a", "span") or local_name(c).startswith("h")), None
            )
            if label is not None and local_name(label) != "a":
                label = label if label.find(".//{*}a") is None else label.find(".//{*}a")
            if label is not None and label.get("href"):
                path, fragment = resolve_href(nav_path, label.get("href"))
                entries.append(TocEntry(_label_text(label) or label.get("title", ""), path, fragment, level))
            for child in item:
                if local_name(child) in ("ol", "ul"):
                    walk_list(child, level + 1)

    if top is not None:
        walk_list(top, 1)
    return entries


def ncx_entries(root: etree._Element, ncx_path: str) -> list[TocEntry]:
    entries: list[TocEntry] = []
    nav_map = next(root.iter("{*}navMap"), None)

    def walk_points(parent: etree._Element, level: int) -> None:
        for point in parent:
            if local_name(point) != "navpoint":
                continue
            label = next(point.iter("{*}text"), None)
            content = next((c for c in point if local_name(c) == "content"), None)
            if content is not None and content.get("src"):
                path, fragment = resolve_href(ncx_path, content.get("src"))
                entries.append(
                    TocEntry(_label_text(label) if label is not None else "", path, fragment, level)
                )
            walk_points(point, level + 1)

    if nav_map is not None:
        walk_points(nav_map, 1)
    return entries


def landmarks(root: etree._Element, nav_path: str) -> list[tuple[str, str]]:
    """(type, target) pairs of <nav epub:type="landmarks">, targets as "path" or "path#fragment"."""
    nav = _find_nav(root, "landmarks")
    found = []
    if nav is not None:
        for link in nav.iter("{*}a", "a"):
            kind, href = epub_type(link), link.get("href")
            if kind and href:
                path, fragment = resolve_href(nav_path, href)
                found.append((kind.split()[0], f"{path}#{fragment}" if fragment else path))
    return found
