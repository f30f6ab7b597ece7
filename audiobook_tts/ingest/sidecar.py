"""A cover image lying next to a single-file book (HTML, Markdown, text), which has no place to embed one."""

from __future__ import annotations

import logging
from pathlib import Path

from audiobook_tts.ingest.book import Cover

log = logging.getLogger(__name__)

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
MAX_COVER_BYTES = 32 << 20


def image_cover(image: Path) -> Cover | None:
    mime = IMAGE_TYPES.get(image.suffix.lower())
    if mime is None or not image.is_file() or image.stat().st_size > MAX_COVER_BYTES:
        return None
    return Cover(image.read_bytes(), mime)


def sidecar_cover(book: Path) -> Cover | None:
    """`<book stem>.jpg|png|...`, else `cover.jpg|png|...`, in the book's folder."""
    for stem in (book.stem, "cover"):
        for suffix in IMAGE_TYPES:
            cover = image_cover(book.with_name(stem + suffix))
            if cover is not None:
                log.info("%s: using %s as the cover", book, book.with_name(stem + suffix).name)
                return cover
    return None
