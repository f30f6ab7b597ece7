"""The Book: what every input format becomes, and all that later stages know of the source file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from audiobook_tts.errors import UserError


class BookError(UserError):
    """A book that cannot be read: broken, hostile, DRM-locked or empty."""


BlockKind = Literal[
    "heading", "paragraph", "verse", "list_item", "quote", "scene_break", "note", "placeholder"
]


@dataclass(frozen=True)
class Cue:
    """What an announcement stands for, so the text stage can word it in the language it reads in (the
    block's text is the English wording, which `inspect` and the tests of ingest see).

    `thing`: "code", "table", or the element a placeholder replaces ("image", "figure", "video", "audio",
    "embed", "math"); `count`: lines of code or rows of a table; `read`: a table whose rows follow.
    """

    thing: str
    count: int = 0
    caption: str = ""
    columns: tuple[str, ...] = ()
    read: bool = False


@dataclass
class Block:
    """One unit of body text, in reading order.

    `text` is plain Unicode as a reader sees it. Verse keeps its line breaks as "\\n".
    Inline pause markup is kept in one form for every input format: `[pause]` or `[pause:1.5s]`
    (SSML `<break>` is converted to it).
    A scene break has empty text. Kinds: "note" is a footnote/endnote read where IngestOptions.notes puts it;
    "placeholder" is a short spoken stand-in such as "[Table omitted]" (only when asked for).
    Pause markup forms: `[pause]`, `[pause:<seconds>s]`, `[pause:<ms>ms]`, `[pause:<strength>]` with an SSML
    strength name (none, x-weak, weak, medium, strong, x-strong).
    """

    kind: BlockKind
    text: str
    cue: Cue | None = None  # an announcement (code, table, omitted image): worded by the text stage


@dataclass
class Chapter:
    """A chapter as the book's table of contents names it.

    Front and back matter stay in the book with `included=False` and the reason, so `inspect` can show them
    and an option can bring them back.
    """

    title: str
    blocks: list[Block]
    level: int = 1  # depth in the table of contents: 1 = top level (a part), 2 = within it, ...
    included: bool = True
    excluded_reason: str | None = None
    source: str = ""  # where it came from, e.g. "text/ch01.xhtml#c1"
    # True for a chapter the book itself does not name (text before the first TOC entry, a Gutenberg
    # licence split off the end of the last chapter); False for TOC entries (EPUB) and headings (HTML,
    # Markdown, text).
    synthetic: bool = False
    # What was announced or skipped instead of read (tables, code blocks), in reading order, for `inspect`.
    omissions: list[str] = field(default_factory=list)
    # For a section titled only by its number ("I"), the title of the chapter it sits in.
    part_of: str = ""
    # True when the title is a placeholder of ours ("Front matter"), not the book's words: it names the
    # chapter in `inspect` and the chapter marks but is never spoken.
    placeholder_title: bool = False
    # True for a dictionary's or glossary's section titled by its letter ("C", "I"): a letter, not a numeral.
    letter_title: bool = False
    # True when the chapter says only its title: its headings, and what the <header> holding them says
    # besides (a part's summary, an epigraph). Such a chapter is read with its first section.
    title_only: bool = False
    # For a chapter with no text of its own, read with the section that follows it, that section's title.
    first_section: str = ""
    # Where the chapter's text goes on in other documents of the source, in reading order (the `source` of
    # that section where it starts a document of its own), so the read-along EPUB highlights it there too.
    continued_in: list[str] = field(default_factory=list)

    @property
    def listed_title(self) -> str:
        """The name a player's chapter list shows ("A Scandal in Bohemia: I", "Act I: Scene I"); `title` is
        the book's own (spoken, as its heading is)."""
        listed = f"{self.part_of}: {self.title.strip().rstrip('.')}" if self.part_of else self.title
        return (
            f"{listed.strip().rstrip('.')}: {self.first_section.strip().rstrip('.')}"
            if self.first_section
            else listed
        )


@dataclass
class Cover:
    data: bytes
    mime: str


@dataclass
class Metadata:
    title: str
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    publisher: str | None = None
    date: str | None = None
    description: str | None = None
    identifiers: list[str] = field(default_factory=list)
    cover: Cover | None = None
    # for the audiobook's tags (EPUB: dc:subject, calibre:series or belongs-to-collection, dc:rights, ...)
    subtitle: str | None = None
    subjects: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)  # the publisher's own (Standard Ebooks' se:subject)
    series: str | None = None
    series_index: str | None = None  # as the book writes it: "2", "1.5"
    rights: str | None = None
    isbn: str | None = None  # digits (and X) only
    asin: str | None = None


@dataclass
class Book:
    metadata: Metadata
    chapters: list[Chapter]
    # pronunciation hints from an EPUB's PLS lexicon: written form -> what to say instead (alias entries only;
    # IPA-only entries are left out because our model reads graphemes)
    lexicon: dict[str, str] = field(default_factory=dict)
