"""EPUB container and package document (OPF): metadata, manifest, spine, guide, and the DRM check.

Read with the hardened lxml parser from safety.py rather than ebooklib: ebooklib refuses whole books whose
NCX is missing or whose nav has no toc (where we want a spine fallback), and it reads every manifest item into
memory; here only what is needed is read, and every failure becomes one BookError line.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from audiobook_tts.ingest.book import BookError, Cover, Metadata
from audiobook_tts.ingest.safety import parse_xml, read_entry
from audiobook_tts.ingest.xhtml import local_name, resolve_href

log = logging.getLogger(__name__)

# Font obfuscation is not DRM: reading systems de-obfuscate fonts with the book's own identifier.
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
CONTAINER = "META-INF/container.xml"
_DOCUMENT_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}


@dataclass
class ManifestItem:
    id: str
    path: str  # relative to the book root
    media_type: str
    properties: set[str] = field(default_factory=set)


@dataclass
class Package:
    opf_path: str
    metadata: Metadata
    manifest: dict[str, ManifestItem]  # by id
    spine: list[tuple[ManifestItem, bool]]  # (item, linear), reading order
    ncx: ManifestItem | None
    guide: list[tuple[str, str]]  # (type, href resolved to book root, possibly with #fragment)

    def nav(self) -> ManifestItem | None:
        return next((item for item in self.manifest.values() if "nav" in item.properties), None)

    def by_path(self) -> dict[str, ManifestItem]:
        return {item.path: item for item in self.manifest.values()}


def check_drm(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a book whose content is encrypted; font obfuscation alone is fine."""
    names = set(archive.namelist())
    if "META-INF/encryption.xml" not in names:
        return
    data = read_entry(path, archive, "META-INF/encryption.xml")
    try:
        root = parse_xml(path, "META-INF/encryption.xml", data, recover=False)
    except BookError:
        raise BookError(
            f"{path}: META-INF/encryption.xml is unreadable, so the book may be DRM-protected; "
            "use a DRM-free copy"
        ) from None
    encrypted = []
    for data_element in root.iter("{*}EncryptedData"):
        method = next(data_element.iter("{*}EncryptionMethod"), None)
        algorithm = method.get("Algorithm", "") if method is not None else ""
        reference = next(data_element.iter("{*}CipherReference"), None)
        uri = unquote(reference.get("URI", "")) if reference is not None else ""
        if algorithm not in FONT_OBFUSCATION:
            encrypted.append(uri or "?")
    if encrypted:
        drm = "Adobe ADEPT " if "META-INF/rights.xml" in names else ""
        raise BookError(
            f"{path}: the book is {drm}DRM-protected ({len(encrypted)} encrypted content file(s), e.g. "
            f"{encrypted[0]!r}); we cannot read it. Use a DRM-free copy of the book"
        )


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def read_package(path: Path, archive: zipfile.ZipFile) -> Package:
    names = set(archive.namelist())
    if CONTAINER not in names:
        raise BookError(f"{path}: not a valid EPUB: META-INF/container.xml is missing")
    try:
        container = parse_xml(path, CONTAINER, read_entry(path, archive, CONTAINER), recover=False)
    except BookError as error:
        raise BookError(
            f"{path}: not a valid EPUB: META-INF/container.xml is broken ({_cause(error)})"
        ) from None
    rootfiles = [el for el in container.iter("{*}rootfile") if el.get("full-path")]
    preferred = [el for el in rootfiles if el.get("media-type") == "application/oebps-package+xml"]
    if not rootfiles:
        raise BookError(f"{path}: not a valid EPUB: META-INF/container.xml names no package document (OPF)")
    opf_path = posixpath.normpath(unquote((preferred or rootfiles)[0].get("full-path", "")).lstrip("/"))
    if opf_path not in names:
        raise BookError(
            f"{path}: not a valid EPUB: package document {opf_path!r} is missing from the archive"
        )
    opf_bytes = read_entry(path, archive, opf_path)
    try:
        opf = parse_xml(path, opf_path, opf_bytes, recover=False)
    except BookError as error:
        # real books often have a stray "&" in a title: recover, and refuse only if no spine survives
        try:
            opf = parse_xml(path, opf_path, opf_bytes, recover=True)
        except BookError:
            opf = None
        if opf is None or next(opf.iter("{*}itemref"), None) is None:
            raise BookError(f"{path}: broken package document {opf_path} ({_cause(error)})") from None
        log.warning(
            "%s: package document %s is not well-formed (%s); read what was recoverable",
            path,
            opf_path,
            _cause(error),
        )
    if local_name(opf) != "package":
        raise BookError(
            f"{path}: broken package document {opf_path}: its root is <{local_name(opf)}>, not <package>"
        )

    manifest: dict[str, ManifestItem] = {}
    for element in opf.iter("{*}item"):
        href, item_id = element.get("href"), element.get("id")
        if href and item_id:
            target, _ = resolve_href(opf_path, href)
            media_type = (element.get("media-type") or "").strip().lower()
            manifest[item_id] = ManifestItem(
                item_id, target, media_type, set((element.get("properties") or "").split())
            )
    spine_element = next(opf.iter("{*}spine"), None)
    spine = []
    if spine_element is not None:
        for ref in spine_element.iter("{*}itemref"):
            item = manifest.get(ref.get("idref", ""))
            if item is not None and (
                item.media_type in _DOCUMENT_TYPES or item.path.endswith((".html", ".xhtml", ".htm"))
            ):
                spine.append((item, ref.get("linear", "yes").strip().lower() != "no"))
    if not spine:
        raise BookError(f"{path}: broken package document {opf_path}: its spine lists no readable documents")
    ncx = manifest.get(spine_element.get("toc", "")) if spine_element is not None else None
    if ncx is None:
        ncx = next((i for i in manifest.values() if i.media_type == "application/x-dtbncx+xml"), None)
    guide = []
    for reference in opf.iter("{*}reference"):
        if reference.get("href") and reference.get("type"):
            target, fragment = resolve_href(opf_path, reference.get("href"))
            guide.append((reference.get("type"), f"{target}#{fragment}" if fragment else target))

    metadata = _metadata(opf, manifest, guide, path, archive)
    return Package(opf_path, metadata, manifest, spine, ncx, guide)


def _cause(error: BookError) -> str:
    return str(error).split(": ", 1)[-1]


def _metadata(
    opf: etree._Element, manifest: dict[str, ManifestItem], guide: list[tuple[str, str]], path: Path, archive
) -> Metadata:
    meta = next(opf.iter("{*}metadata"), opf)

    def dc(name: str) -> list[etree._Element]:
        return [el for el in meta.iter() if local_name(el) == name and el.getparent() is not None]

    refinements: dict[str, dict[str, str]] = {}
    for element in meta.iter("{*}meta"):
        refines, prop = element.get("refines", ""), element.get("property")
        if refines.startswith("#") and prop:
            refinements.setdefault(refines[1:], {})[prop] = _text(element)

    titles = dc("title")
    main = [t for t in titles if refinements.get(t.get("id", ""), {}).get("title-type") == "main"]
    title = _text((main or titles or [None])[0]) or path.stem

    def first(name: str) -> str | None:
        values = [_text(el) for el in dc(name) if _text(el)]
        return values[0] if values else None

    subtitles = [t for t in titles if refinements.get(t.get("id", ""), {}).get("title-type") == "subtitle"]
    series, series_index = _series(meta, refinements)
    isbn, asin = _isbn_and_asin(dc("identifier"))

    return Metadata(
        title=title,
        authors=[_text(el) for el in dc("creator") if _text(el)],
        language=first("language"),
        publisher=first("publisher"),
        date=first("date"),
        description=first("description"),
        identifiers=[_text(el) for el in dc("identifier") if _text(el)],
        cover=_cover(meta, manifest, guide, path, archive),
        subtitle=_text(subtitles[0]) if subtitles else None,
        subjects=[_text(el) for el in dc("subject") if _text(el)],
        genres=[_text(el) for el in meta.iter("{*}meta") if el.get("property") == "se:subject" and _text(el)],
        series=series,
        series_index=series_index,
        rights=first("rights"),
        isbn=isbn,
        asin=asin,
    )


def _series(meta: etree._Element, refinements: dict[str, dict[str, str]]) -> tuple[str | None, str | None]:
    """EPUB 3 `belongs-to-collection` (type series, or untyped) first, else calibre's `calibre:series`."""
    for element in meta.iter("{*}meta"):
        if element.get("property") == "belongs-to-collection" and _text(element):
            refined = refinements.get(element.get("id", ""), {})
            if refined.get("collection-type", "series") == "series":
                return _text(element), refined.get("group-position")
    named = {element.get("name"): element.get("content", "").strip() for element in meta.iter("{*}meta")}
    if named.get("calibre:series"):
        index = named.get("calibre:series_index") or None
        if index and re.fullmatch(r"\d+\.0", index):
            index = index[:-2]  # calibre writes 2.0 for the second book
        return named["calibre:series"], index
    return None, None


def _isbn_and_asin(identifiers: list[etree._Element]) -> tuple[str | None, str | None]:
    """ISBN from `urn:isbn:`, `isbn:`, an ISBN scheme or a bare 978/979 number; ASIN from `urn:asin:`,
    `amazon:` (calibre) or an ASIN scheme."""
    isbn = asin = None
    for element in identifiers:
        value = _text(element)
        scheme = next((v for k, v in element.attrib.items() if k.endswith("scheme")), "").lower()
        prefixed = re.fullmatch(r"(?:urn:)?(isbn|asin|amazon|mobi-asin):\s*(.+)", value, re.IGNORECASE)
        if prefixed:
            scheme, value = prefixed.group(1).lower(), prefixed.group(2)
        code = re.sub(r"[\s-]", "", value).upper()
        if isbn is None and (scheme == "isbn" or re.fullmatch(r"97[89]\d{10}", code)):
            isbn = code if re.fullmatch(r"\d{9}[\dX]|\d{13}", code) else None
        elif asin is None and scheme in {"asin", "amazon", "mobi-asin"} and re.fullmatch(r"\w{10}", code):
            asin = code
    return isbn, asin


def _cover(meta, manifest: dict[str, ManifestItem], guide, path: Path, archive) -> Cover | None:
    """EPUB 3 cover-image property, else EPUB 2 <meta name="cover">, else the guide's cover page's image."""
    candidates = [item for item in manifest.values() if "cover-image" in item.properties]
    for element in meta.iter("{*}meta"):
        if element.get("name") == "cover" and element.get("content") in manifest:
            candidates.append(manifest[element.get("content")])
    pages = [href.split("#")[0] for kind, href in guide if kind.lower() == "cover"]
    return find_cover(path, archive, manifest, candidates, pages)


def find_cover(
    path: Path, archive, manifest: dict[str, ManifestItem], images: list[ManifestItem], pages: list[str]
) -> Cover | None:
    """The first usable cover among image items, then among cover pages (their first <img>/<svg:image>)."""
    candidates = images + [ManifestItem("", page, "application/xhtml+xml") for page in pages]
    by_path = {item.path: item for item in manifest.values()}
    for item in candidates:
        if item.media_type in _DOCUMENT_TYPES and item.path in archive.namelist():
            try:
                page = parse_xml(path, item.path, read_entry(path, archive, item.path))
            except BookError as error:
                if "declares XML entities" in str(error):
                    raise
                continue
            image = next((el for el in page.iter() if local_name(el) in ("img", "image")), None)
            src = None
            if image is not None:
                src = image.get("src") or image.get("{http://www.w3.org/1999/xlink}href") or image.get("href")
            if not src:
                continue
            target, _ = resolve_href(item.path, src)
            item = by_path.get(target, ManifestItem("", target, ""))
        if item.path in archive.namelist():
            mime = item.media_type if item.media_type.startswith("image/") else _guess_image_type(item.path)
            if mime:
                return Cover(read_entry(path, archive, item.path), mime)
    return None


def _guess_image_type(name: str) -> str | None:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "gif": "image/gif",
        "webp": "image/webp",
        "svg": "image/svg+xml",
    }.get(suffix)
