"""IngestOptions: every choice about what of a book is read, as one frozen value handed to every reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NotesMode = Literal["drop", "inline", "chapter_end"]
TablesMode = Literal["read", "read-all", "announce", "skip"]
LONG_TABLE_ROWS = 12  # "read": a table of figures with more rows is announced instead
CodeMode = Literal["announce", "read", "skip"]


@dataclass(frozen=True)
class IngestOptions:
    """What is read aloud. Nothing is dropped silently: a table or code block that is announced or skipped is
    recorded in its chapter's `omissions`, so `inspect` can list it.

    notes: footnotes/endnotes (EPUB, HTML, Markdown `[^label]`) are dropped, read where they are referenced,
        or read at the chapter's end; a note read aloud starts with the cue "Note:".
    tables: read row by row ("header: cell"), except a long table of figures, which is announced (nobody
        listens to The Wealth of Nations' 180 years of wheat prices); every table read whole (read-all);
        announced in one sentence; or skipped. A layout table (one column, or cells holding paragraphs) is
        always read as the text it holds.
    code: code blocks are announced ("Code example: five lines, not read."), read line by line, or skipped.
        Inline code in prose is always read as words.
    placeholders: images, formulas and media become "[Image omitted]"-style spoken blocks instead of silence.
    """

    notes: NotesMode = "drop"
    include_front_matter: bool = False  # read front/back matter too (it is always kept in the Book, marked)
    placeholders: bool = False
    tables: TablesMode = "read"
    code: CodeMode = "announce"
