"""Guards for hostile book files: zip bombs, absurd sizes, entity tricks in XML.

Nothing here ever writes to disk: zip entries are read into memory by name, so entry names such as
`../evil` or `/etc/passwd` are only dictionary keys and cannot touch the file system.
The limits are checked from the zip directory before anything is read. Reading cannot exceed them later,
because Python's zipfile stops at the declared size of an entry and checks its CRC at the end.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from audiobook_tts.ingest.book import BookError


@dataclass(frozen=True)
class ZipLimits:
    max_file_bytes: int = 1 << 30  # the book file itself
    max_entries: int = 20_000
    max_total_bytes: int = 1 << 30  # sum of declared uncompressed sizes
    max_entry_bytes: int = 512 << 20
    max_ratio: float = 200.0  # uncompressed / compressed, for entries above ratio_floor_bytes
    ratio_floor_bytes: int = (
        1 << 20
    )  # small entries may compress well (a repetitive CSS file) and harm nobody


# `<!ENTITY` in UTF-8/ASCII and both UTF-16 byte orders: a declared entity is how XXE and entity-expansion
# ("billion laughs") attacks start, and no real ebook needs one.
_ENTITY_PATTERNS = [b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be")]
_XML_SUFFIXES = (".xml", ".opf", ".ncx", ".xhtml", ".html", ".htm", ".pls", ".svg", ".smil")


def read_book_bytes(path: Path, limits: ZipLimits = ZipLimits()) -> bytes:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise BookError(
            f"{path}: file is {size / 2**20:.0f} MiB, larger than the {limits.max_file_bytes >> 20} MiB limit"
        )
    return path.read_bytes()


def open_zip(path: Path, data: bytes, limits: ZipLimits = ZipLimits()) -> zipfile.ZipFile:
    """Open an EPUB's bytes as a zip, refusing it if its directory announces a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as error:
        raise BookError(f"{path}: not a valid EPUB: it is not a readable zip archive ({error})") from None
    if len(entries) > limits.max_entries:
        raise BookError(f"{path}: zip has {len(entries)} entries (limit {limits.max_entries}); refusing it")
    total = 0
    for entry in entries:
        if entry.file_size > limits.max_entry_bytes:
            raise BookError(
                f"{path}: zip entry {entry.filename!r} declares {entry.file_size / 2**20:.0f} MiB "
                "uncompressed "
                f"(limit {limits.max_entry_bytes >> 20} MiB); refusing it as a possible zip bomb"
            )
        if entry.file_size > limits.ratio_floor_bytes and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            raise BookError(
                f"{path}: zip entry {entry.filename!r} compresses "
                f"{entry.file_size / max(entry.compress_size, 1):.0f}"
                f" to 1 (limit {limits.max_ratio:.0f}); refusing it as a possible zip bomb"
            )
        total += entry.file_size
    if total > limits.max_total_bytes:
        raise BookError(
            f"{path}: zip would unpack to {total / 2**20:.0f} MiB "
            f"(limit {limits.max_total_bytes >> 20} MiB); "
            "refusing it as a possible zip bomb"
        )
    return archive


def read_entry(path: Path, archive: zipfile.ZipFile, name: str) -> bytes:
    """One entry's bytes, with every way a damaged archive can fail turned into a BookError."""
    try:
        return archive.read(name)
    except KeyError:
        raise BookError(f"{path}: the EPUB names {name!r}, which is not in the archive") from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as error:
        raise BookError(f"{path}: zip entry {name!r} is damaged or truncated ({error})") from None


def refuse_entity_declarations(path: Path, name: str, data: bytes) -> None:
    if any(pattern in data for pattern in _ENTITY_PATTERNS):
        raise BookError(
            f"{path}: {name} declares XML entities (<!ENTITY>), which ebooks never need and attacks use "
            "(external entities, entity expansion); refusing to read it"
        )


def check_all_xml_entries(path: Path, archive: zipfile.ZipFile) -> None:
    """Scan every XML-like entry before any parser (ours or ebooklib's) sees it."""
    for entry in archive.infolist():
        if entry.filename.lower().endswith(_XML_SUFFIXES):
            refuse_entity_declarations(path, entry.filename, read_entry(path, archive, entry.filename))


def xml_parser(recover: bool = True) -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads a DTD or touches the network (defence in depth)."""
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )


_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def parse_xml(path: Path, name: str, data: bytes, recover: bool = True) -> etree._Element:
    """Parse one XML document from the book; BookError if nothing usable comes out."""
    refuse_entity_declarations(path, name, data)
    try:
        root = etree.fromstring(data, parser=xml_parser(recover))
    except etree.XMLSyntaxError as error:
        raise BookError(f"{path}: {name} is not well-formed XML ({error})") from None
    except ValueError as error:  # e.g. an encoding declaration lxml cannot honour
        try:
            root = etree.fromstring(_XML_DECLARATION.sub(b"", data), parser=xml_parser(recover))
        except (etree.XMLSyntaxError, ValueError):
            raise BookError(f"{path}: {name} cannot be parsed as XML ({error})") from None
    if root is None:
        raise BookError(f"{path}: {name} is empty or not XML")
    return root
