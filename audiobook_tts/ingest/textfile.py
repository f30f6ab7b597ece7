"""Bytes of a text-like book file (HTML, Markdown, plain text) -> str with "\\n" line ends.

Order: a byte-order mark, then strict UTF-8, then the charset the HTML itself declares, then Windows-1252
(what old Western e-texts use), then charset-normalizer for bytes cp1252 cannot hold. charset-normalizer is
not first because on short Western texts it picks Baltic or DOS code pages (cp775, cp1257) over cp1252.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
MAX_TEXT_BYTES = 256 << 20
# Terminal colour codes (ESC [ 31 m) go whole; then every other C0/C1 control but tab and newline.
_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Drop control characters a reader never sees (the model would spell out "^[[31m")."""
    if not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub("", _ANSI_ESCAPE.sub("", text))


def read_text(path: Path, *, html: bool = False) -> str:
    from audiobook_tts.ingest.book import BookError

    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise BookError(f"{path}: file is {size >> 20} MiB, larger than the {MAX_TEXT_BYTES >> 20} MiB limit")
    data = path.read_bytes()
    if b"\x00" in data[:8192] and not any(data.startswith(bom) for bom, _ in _BOMS):
        raise BookError(f"{path}: this is a binary file, not text (is it a PDF or a renamed ebook?)")
    return decode(data, html=html, name=str(path))


def decode(data: bytes, *, html: bool = False, name: str = "") -> str:
    text = _decode(data, html, name)
    return strip_controls(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))


def _decode(data: bytes, html: bool, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"), errors="replace")
            except LookupError:
                pass
    try:
        text = data.decode("cp1252")
        log.info("%s is not UTF-8; read as Windows-1252", name)
        return text
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None:
        log.info("%s is not UTF-8; read as %s (detected)", name, best.encoding)
        return str(best)
    return data.decode("latin-1")
