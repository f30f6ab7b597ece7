"""A book uploaded to the studio: kept under the first folder's `uploads/`, checked as the CLI checks a book.

The upload's size is limited by the guard before its body is read; its name is reduced to a plain file name
(no directory part can survive); then `ingest.load_book` reads it with the same hostile-input guards as
`render` (zip bombs, entity tricks, absurd sizes), and a book it refuses is deleted again.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from audiobook_tts.errors import UserError
from audiobook_tts.ingest import SUPPORTED as BOOK_SUFFIXES
from audiobook_tts.ingest import Book, load_book

UPLOADS = "uploads"


class UploadError(UserError):
    """An upload that is not a book the studio can read; the message says why."""


def safe_name(filename: str) -> str:
    """A plain file name from whatever the browser sent: its last path part, harmless characters only."""
    name = re.split(r"[\\/]", filename)[-1]
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return name[:120] or "book"


def save_upload(root: Path, filename: str, data: bytes) -> Path:
    """Store an uploaded book under root/uploads/ and check it reads; UploadError (and no file) if not."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in BOOK_SUFFIXES:
        allowed = ", ".join(sorted(BOOK_SUFFIXES))
        raise UploadError(f"{name}: not a book format the studio reads ({allowed})")
    folder = root / UPLOADS
    folder.mkdir(exist_ok=True)
    path = folder / name
    if path.exists():
        path = folder / f"{Path(name).stem}-{secrets.token_hex(3)}{suffix}"
    path.write_bytes(data)
    try:
        read_upload(path)
    except UserError:
        path.unlink()
        raise
    return path


def read_upload(path: Path) -> Book:
    try:
        return load_book(path)
    except UserError as error:
        raise UploadError(f"{path.name}: {error}") from None


def uploaded(root: Path, name: str) -> Path:
    """The upload called `name` (a name from this module, nothing else); UploadError if there is none."""
    path = root / UPLOADS / safe_name(name)
    if path.name != name or not path.is_file():
        raise UploadError(f"no uploaded book named {name!r}")
    return path
