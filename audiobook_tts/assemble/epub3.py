"""An EPUB 2 book upgraded to EPUB 3, as a careful tool does it, so media overlays can be added to a copy of
the publisher's own book.

The package: `version="3.0"`; the OPF 2 attributes EPUB 3 no longer allows (`opf:file-as`, `opf:role`,
`opf:scheme`, `opf:event`, `xsi:type`) become `<meta refines>` entries or go; one `dc:date` stays (the
publication date); the cover image gets `properties="cover-image"`, content documents their `svg`,
`mathml`, `scripted` or `remote-resources` property; a navigation document made from the NCX is added
(the NCX stays, for EPUB 2 reading systems), with the guide's references as its landmarks (a guide
reference to anything but a content document, such as the cover image, goes: EPUB 3 forbids it).
`dcterms:modified` is set when the package is written.

Content documents keep every byte except what EPUB 3 validity needs: the XHTML 1.1 DOCTYPE becomes
`<!DOCTYPE html>`, and what HTML5 made obsolete (`<meta http-equiv="Content-Style-Type">`, a content-type
other than `text/html; charset=utf-8`, a table's `summary`) goes; the NCX loses its DOCTYPE. File names
stay: epubcheck's advice to name them `.xhtml` is a warning, and renaming would rewrite every link.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Iterable

from lxml import etree

from audiobook_tts.assemble.xmlbytes import ByteMap, Unmappable, nodes, splice
from audiobook_tts.ingest.book import BookError
from audiobook_tts.ingest.xhtml import local_name

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
XHTML_TYPE = "application/xhtml+xml"
_DOCTYPE = re.compile(rb"<!DOCTYPE\s[^>\[]*(?:\[[^\]]*\])?\s*>", re.IGNORECASE)
_HTTP_EQUIV = {"content-type", "default-style", "refresh", "x-ua-compatible", "content-security-policy"}
_OBSOLETE_ATTRIBUTES = {"table": ("summary",)}
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def upgrade_package(
    files: dict[str, bytes],
    opf: etree._Element,
    opf_path: str,
    parse: Callable[[str, bytes], etree._Element],
    contents: Iterable[tuple[str, str]],
) -> None:
    """Upgrade the EPUB 2 in `files` (its package tree `opf`, changed in place) to EPUB 3.

    `parse` reads a content document; `contents` (title, path#anchor) is the table of contents to use when
    the book has no usable NCX."""
    opf.set("version", "3.0")
    metadata = next(opf.iter(f"{OPF}metadata"))
    manifest = next(opf.iter(f"{OPF}manifest"))
    _upgrade_metadata(metadata)
    base = posixpath.dirname(opf_path)

    def path_of(item: etree._Element) -> str:
        return posixpath.normpath(posixpath.join(base, item.get("href", "")))

    items = [item for item in manifest if isinstance(item.tag, str)]
    cover_id = next((m.get("content") for m in metadata.iter(f"{OPF}meta") if m.get("name") == "cover"), None)
    for item in items:
        path = path_of(item)
        if item.get("id") == cover_id and item.get("media-type", "").startswith("image/"):
            _add_property(item, "cover-image")
        if item.get("media-type") == XHTML_TYPE and path in files:
            try:
                files[path] = upgrade_document(path, files[path], parse)
                root = parse(path, files[path])
            except (BookError, Unmappable):
                continue  # left as it was: epubcheck will say what it lacks
            for prop in _content_properties(root):
                _add_property(item, prop)
    spine = next(opf.iter(f"{OPF}spine"), None)
    ncx_item = next(
        (i for i in items if spine is not None and i.get("id") == spine.get("toc")),
        next((i for i in items if i.get("media-type") == "application/x-dtbncx+xml"), None),
    )
    entries = []
    if ncx_item is not None and (ncx_path := path_of(ncx_item)) in files:
        # EPUB 3 allows no external identifiers in a DOCTYPE, and the NCX needs none
        files[ncx_path] = _DOCTYPE.sub(b"", files[ncx_path], count=1)
        entries = _ncx_entries(files, ncx_path)
    if not entries:
        entries = [(title, source, []) for title, source in contents]
    nav_path = _free_name(files, posixpath.join(base, "nav.xhtml"))
    language = next((e.text for e in metadata.iter(f"{DC}language") if e.text), "en")
    documents = {path_of(item) for item in items if item.get("media-type") == XHTML_TYPE}
    _drop_broken_guide_references(opf, base, documents)
    landmarks = _guide_landmarks(opf, base, documents)
    files[nav_path] = _nav_document(entries, landmarks, nav_path, language.strip())
    used = {item.get("id") for item in items}
    nav_id = next(f"nav{n or ''}" for n in range(len(used) + 1) if f"nav{n or ''}" not in used)
    etree.SubElement(
        manifest,
        f"{OPF}item",
        id=nav_id,
        href=posixpath.relpath(nav_path, base or "."),
        attrib={"media-type": XHTML_TYPE, "properties": "nav"},
    )


def _add_property(item: etree._Element, prop: str) -> None:
    props = (item.get("properties") or "").split()
    if prop not in props:
        item.set("properties", " ".join([*props, prop]))


def _upgrade_metadata(metadata: etree._Element) -> None:
    """OPF 2 attributes to EPUB 3 refinements; one dc:date (the publication date, else the first)."""
    children = [e for e in metadata if isinstance(e.tag, str)]
    used = {e.get("id") for e in children if e.get("id")}
    dates = [e for e in children if e.tag == f"{DC}date"]
    publication = next((d for d in dates if d.get(f"{OPF}event") in (None, "publication")), None)
    for extra in dates:
        if extra is not (publication if publication is not None else dates[0]):
            metadata.remove(extra)
    for number, element in enumerate(children, start=1):
        if element.getparent() is None:
            continue  # a date removed above
        refinements: list[tuple[str, str, str | None]] = []
        if (role := element.attrib.pop(f"{OPF}role", None)) is not None:
            refinements.append(("role", role, "marc:relators"))
        if (file_as := element.attrib.pop(f"{OPF}file-as", None)) is not None:
            refinements.append(("file-as", file_as, None))
        scheme = element.attrib.pop(f"{OPF}scheme", None)
        if scheme and scheme.lower() == "isbn" and element.text and not element.text.startswith("urn:"):
            element.text = f"urn:isbn:{element.text.strip()}"
        element.attrib.pop(f"{OPF}event", None)
        element.attrib.pop(XSI_TYPE, None)
        if refinements and not element.get("id"):
            element.set(
                "id",
                next(f"meta{number}-{n}" for n in range(len(used) + 1) if f"meta{number}-{n}" not in used),
            )
        for prop, value, vocabulary in refinements:
            meta = etree.SubElement(metadata, f"{OPF}meta", refines=f"#{element.get('id')}", property=prop)
            if vocabulary:
                meta.set("scheme", vocabulary)
            meta.text = value


def upgrade_document(name: str, data: bytes, parse: Callable[[str, bytes], etree._Element]) -> bytes:
    """An XHTML 1.1 content document made a valid EPUB 3 one, every other byte kept."""
    root_at = data.find(b"<html")
    doctype = _DOCTYPE.search(data, 0, root_at if root_at >= 0 else len(data))
    if doctype:
        data = data[: doctype.start()] + b"<!DOCTYPE html>" + data[doctype.end() :]
    root = parse(name, data)
    where = ByteMap(data)
    edits: list[tuple[int, int, int, bytes]] = []
    for index, node in enumerate(nodes(root)):
        tag = local_name(node)
        placed = where.nodes[index]
        if tag == "meta" and _obsolete_meta(node.get("http-equiv"), node.get("content")):
            edits.append((placed.start, placed.tail_start, 0, b""))
        for attribute in _OBSOLETE_ATTRIBUTES.get(tag, ()):
            if node.get(attribute) is None:
                continue
            tag_end = placed.text_start if placed.text_start > placed.start else placed.tail_start
            found = re.search(
                rb"\s+" + attribute.encode() + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""",
                data[placed.start : tag_end],
            )
            if found:
                edits.append((placed.start + found.start(), placed.start + found.end(), 0, b""))
    return splice(data, edits)


def _obsolete_meta(http_equiv: str | None, content: str | None) -> bool:
    """An http-equiv HTML5 does not know, or a content-type other than the one it allows."""
    if http_equiv is None:
        return False
    if http_equiv.lower() == "content-type":
        return not re.fullmatch(r"text/html;\s*charset=utf-8", (content or "").strip(), re.IGNORECASE)
    return http_equiv.lower() not in _HTTP_EQUIV


def _content_properties(root: etree._Element) -> list[str]:
    found = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = element.tag[1:].split("}")[0] if element.tag.startswith("{") else ""
        if namespace == "http://www.w3.org/2000/svg":
            found.add("svg")
        elif namespace == "http://www.w3.org/1998/Math/MathML":
            found.add("mathml")
        elif local_name(element) in ("script", "form"):
            found.add("scripted")
        elif local_name(element) in ("img", "audio", "video", "source", "iframe") and _REMOTE.match(
            element.get("src") or ""
        ):
            found.add("remote-resources")
    return sorted(found)


_NavEntry = tuple[str, str, list]  # (label, path#fragment inside the book, children)


def _ncx_entries(files: dict[str, bytes], ncx_path: str) -> list[_NavEntry]:
    """The NCX's navMap as nested (label, book path, children); [] if there is none to read."""
    try:
        ncx = etree.fromstring(
            files[ncx_path], etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
        )
    except (KeyError, etree.XMLSyntaxError, ValueError):
        return []
    nav_map = next(ncx.iter(f"{NCX}navMap"), None)

    def entries(parent: etree._Element) -> list[_NavEntry]:
        found = []
        for point in parent.iterchildren(f"{NCX}navPoint"):
            label = (
                " ".join("".join(point.find(f"{NCX}navLabel").itertext()).split())
                if point.find(f"{NCX}navLabel") is not None
                else ""
            )
            content = point.find(f"{NCX}content")
            src = content.get("src", "") if content is not None else ""
            target, _, fragment = src.partition("#")
            path = posixpath.normpath(posixpath.join(posixpath.dirname(ncx_path), target))
            found.append((label or path, path + (f"#{fragment}" if fragment else ""), entries(point)))
        return found

    return entries(nav_map) if nav_map is not None else []


# EPUB 2 guide reference types and the EPUB 3 structural semantics a landmarks nav names them by
_LANDMARK_TYPES = {
    "cover": "cover", "title-page": "titlepage", "toc": "toc", "text": "bodymatter", "preface": "preface",
    "foreword": "foreword", "dedication": "dedication", "epigraph": "epigraph", "copyright-page":
    "copyright-page", "acknowledgements": "acknowledgments", "bibliography": "bibliography", "glossary":
    "glossary", "index": "index", "colophon": "colophon", "loi": "loi", "lot": "lot", "notes": "endnotes",
}  # fmt: skip


def _guide_target(reference: etree._Element, base: str) -> tuple[str, str]:
    """(book path, fragment) a guide reference points at; its href is relative to the package's folder."""
    target, _, fragment = (reference.get("href") or "").partition("#")
    return posixpath.normpath(posixpath.join(base, target)), fragment


def _drop_broken_guide_references(opf: etree._Element, base: str, documents: set[str]) -> None:
    """EPUB 3 lets a guide reference only content documents (epubcheck OPF-032): a reference to the cover
    image, or to a file the book lacks, goes (and the guide with it, if nothing is left)."""
    for guide in list(opf.iter(f"{OPF}guide")):
        for reference in list(guide.iter(f"{OPF}reference")):
            if _guide_target(reference, base)[0] not in documents:
                guide.remove(reference)
        if not len(guide.findall(f"{OPF}reference")):
            guide.getparent().remove(guide)


def _guide_landmarks(opf: etree._Element, base: str, documents: set[str]) -> list[tuple[str, str, str]]:
    """The OPF 2 guide as landmarks (epub:type, label, book path#fragment): the types EPUB 3 names, pointing
    at a content document of the book, each (type, target) once."""
    landmarks: list[tuple[str, str, str]] = []
    for reference in opf.iter(f"{OPF}reference"):
        kind = _LANDMARK_TYPES.get((reference.get("type") or "").lower())
        path, fragment = _guide_target(reference, base)
        where = path + (f"#{fragment}" if fragment else "")
        if kind and path in documents and all((kind, where) != (k, w) for k, _, w in landmarks):
            label = " ".join((reference.get("title") or "").split()) or kind
            landmarks.append((kind, label, where))
    return landmarks


def _nav_document(
    entries: list[_NavEntry], landmarks: list[tuple[str, str, str]], nav_path: str, language: str
) -> bytes:
    def href(target: str) -> str:
        path, _, fragment = target.partition("#")
        relative = posixpath.relpath(path, posixpath.dirname(nav_path) or ".")
        return html.escape(relative + (f"#{fragment}" if fragment else ""))

    def items(level: list[_NavEntry]) -> str:
        lis = []
        for label, target, children in level:
            nested = f"<ol>{items(children)}</ol>" if children else ""
            lis.append(f'<li><a href="{href(target)}">{html.escape(label)}</a>{nested}</li>')
        return "\n".join(lis)

    marks = "\n".join(
        f'<li><a epub:type="{kind}" href="{href(target)}">{html.escape(label)}</a></li>'
        for kind, label, target in landmarks
    )
    landmarks_nav = (
        f'<nav epub:type="landmarks" id="landmarks" hidden="">'
        f"<h1>Landmarks</h1>\n<ol>\n{marks}\n</ol></nav>\n"
        if landmarks
        else ""
    )

    lang = html.escape(language)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" '
        f'xml:lang="{lang}">\n<head><title>Contents</title></head>\n<body>\n'
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1>\n<ol>\n{items(entries)}\n</ol></nav>\n'
        f"{landmarks_nav}</body>\n</html>\n"
    ).encode()


def _free_name(files: dict[str, bytes], path: str) -> str:
    stem, suffix = posixpath.splitext(path)
    return next(p for n in range(len(files) + 1) if (p := f"{stem}{n or ''}{suffix}") not in files)
