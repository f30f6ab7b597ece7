"""Any book file -> Book. `load_book` is the one entry point; it raises only BookError."""

from __future__ import annotations

import logging
import typing
from pathlib import Path

from audiobook_tts.ingest.book import Block, Book, BookError, Chapter, Cover, Metadata
from audiobook_tts.ingest.options import CodeMode, IngestOptions, NotesMode, TablesMode

log = logging.getLogger(__name__)

SUPPORTED = {
    ".epub": "EPUB",
    ".html": "HTML",
    ".htm": "HTML",
    ".xhtml": "HTML",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".txt": "plain text",
    ".text": "plain text",
}
SUPPORTED_LIST = (
    "EPUB (.epub), HTML (.html, .htm, .xhtml), Markdown (.md, .markdown), plain text (.txt, .text)"
)


def load_book(path: Path, options: IngestOptions | None = None) -> Book:
    """Read a book file of any supported format; BookError (one line) for anything unreadable."""
    options = options or IngestOptions()
    path = Path(path)
    if not path.exists():
        raise BookError(f"{path}: no such file")
    if path.is_dir():
        raise BookError(f"{path}: is a directory, not a book file; supported formats: {SUPPORTED_LIST}")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise BookError(
            f"{path}: unknown book format {suffix or '(no extension)'!r}; supported formats: {SUPPORTED_LIST}"
        )
    for name, allowed in (
        ("notes", typing.get_args(NotesMode)),
        ("tables", typing.get_args(TablesMode)),
        ("code", typing.get_args(CodeMode)),
    ):
        if getattr(options, name) not in allowed:
            choices = f"{', '.join(allowed[:-1])} or {allowed[-1]}"
            raise BookError(f"{name} option must be {choices}, not {getattr(options, name)!r}")
    try:
        if suffix == ".epub":
            from audiobook_tts.ingest.epub import load_epub

            return load_epub(path, options)
        if SUPPORTED[suffix] == "HTML":
            from audiobook_tts.ingest.html import load_html

            return load_html(path, options)
        if SUPPORTED[suffix] == "Markdown":
            from audiobook_tts.ingest.markdown import load_markdown

            return load_markdown(path, options)
        from audiobook_tts.ingest.plaintext import load_text

        return load_text(path, options)
    except BookError:
        raise
    except OSError as error:
        raise BookError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except (RecursionError, MemoryError) as error:
        raise BookError(
            f"{path}: the book is too deeply nested or too large to read ({type(error).__name__})"
        ) from None
    except Exception as error:  # a reader bug must still reach the user as one line, with the file named
        log.debug("unexpected failure reading %s", path, exc_info=True)
        raise BookError(f"{path}: could not read the book ({type(error).__name__}: {error})") from None


__all__ = ["Block", "Book", "BookError", "Chapter", "Cover", "IngestOptions", "Metadata", "load_book"]
