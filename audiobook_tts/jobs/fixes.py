"""Fixes a user made to a job, kept in its index so that every later render (and resume) applies them.

    segment_fixes   one segment: its text, its take, its voice or generation settings
    chapter_fixes   one chapter: its voice or generation settings
    lexicon         the job's own pronunciations: word -> respelling, applied to the text as spoken
    plan_bases      the book's text of each planned segment whose spoken text a fix changed

A segment is named by its chapter number and its position in the chapter (0-based, as in the plan), and a
fix remembers the text the plan had there when it was made (`base_text`): if the book changes under it so
that another sentence sits at that place, the fix no longer applies (`Fixes.for_segment` returns none)
rather than landing on the wrong sentence. The take is part of the segment's key (keys.segment_key), so a
re-take is a new key with its own seed, and take 0 is the key the segment had before any re-take.

The tables are created on first write, so jobs from before them read as having no fixes.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from audiobook_tts.jobs.index import has_table

TABLES = (
    """
CREATE TABLE IF NOT EXISTS segment_fixes (
    chapter INTEGER NOT NULL,
    position INTEGER NOT NULL,
    base_text TEXT NOT NULL,          -- the planned text the fix was made for
    text TEXT,                        -- spoken instead of base_text; NULL: base_text
    take INTEGER NOT NULL DEFAULT 0,  -- 0: the first rendering
    voice TEXT,                       -- a voice source, as --voice takes it (NULL: the chapter's)
    settings TEXT NOT NULL DEFAULT '{}',  -- JSON generation settings over the chapter's
    PRIMARY KEY (chapter, position)
)""",
    """
CREATE TABLE IF NOT EXISTS chapter_fixes (
    chapter INTEGER PRIMARY KEY,
    voice TEXT,
    settings TEXT NOT NULL DEFAULT '{}'
)""",
    "CREATE TABLE IF NOT EXISTS lexicon (word TEXT PRIMARY KEY, respelling TEXT NOT NULL)",
    # Where the plan speaks other text than the book gives (a fix applied), the book's text: the base_text
    # a new fix of that segment is made for. Replaced with each plan.
    """
CREATE TABLE IF NOT EXISTS plan_bases (
    chapter INTEGER NOT NULL,
    position INTEGER NOT NULL,
    base_text TEXT NOT NULL,
    PRIMARY KEY (chapter, position)
)""",
)


@dataclass(frozen=True)
class SegmentFix:
    base_text: str
    text: str | None = None
    take: int = 0
    voice: str | None = None
    settings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChapterFix:
    voice: str | None = None
    settings: dict = field(default_factory=dict)


@dataclass
class Fixes:
    segments: dict[tuple[int, int], SegmentFix] = field(default_factory=dict)
    chapters: dict[int, ChapterFix] = field(default_factory=dict)
    lexicon: dict[str, str] = field(default_factory=dict)
    bases: dict[tuple[int, int], str] = field(default_factory=dict)  # plan_bases: not fixes themselves

    def __bool__(self) -> bool:
        return bool(self.segments or self.chapters or self.lexicon)

    def for_segment(self, chapter: int, position: int, base_text: str) -> SegmentFix | None:
        """The fix of the segment at (chapter, position) if it was made for `base_text`."""
        fix = self.segments.get((chapter, position))
        return fix if fix is not None and fix.base_text == base_text else None

    def base_text(self, chapter: int, position: int, planned_text: str) -> str:
        """The book's text of a planned segment, which a new fix of it is made for."""
        return self.bases.get((chapter, position), planned_text)

    def describe(self) -> list[str]:
        """One line per fix, for a person deciding whether to discard them."""
        lines = [f"pronounce {word!r} as {respelling!r}" for word, respelling in self.lexicon.items()]
        for chapter, chapter_fix in sorted(self.chapters.items()):
            lines.append(f"chapter {chapter}: {_changes(chapter_fix.voice, chapter_fix.settings)}")
        for (chapter, position), fix in sorted(self.segments.items()):
            changes = [f"text {fix.text!r}"] if fix.text is not None else []
            changes += [f"take {fix.take}"] if fix.take else []
            changes += [_changes(fix.voice, fix.settings)] if fix.voice or fix.settings else []
            lines.append(f"chapter {chapter} segment {position + 1}: {', '.join(changes) or 'none'}")
        return lines


def _changes(voice: str | None, settings: dict) -> str:
    parts = [f"voice {voice}"] if voice else []
    return ", ".join(parts + [f"{name} {value}" for name, value in sorted(settings.items())])


def _create(db: sqlite3.Connection) -> None:
    # Statement by statement: executescript would commit the caller's open transaction.
    for statement in TABLES:
        db.execute(statement)


def load(db: sqlite3.Connection) -> Fixes:
    fixes = Fixes()
    if not has_table(db, "segment_fixes"):
        return fixes
    for chapter, position, base, text, take, voice, settings in db.execute(
        "SELECT chapter, position, base_text, text, take, voice, settings FROM segment_fixes"
    ):
        fixes.segments[(chapter, position)] = SegmentFix(base, text, take, voice, json.loads(settings))
    for chapter, voice, settings in db.execute("SELECT chapter, voice, settings FROM chapter_fixes"):
        fixes.chapters[chapter] = ChapterFix(voice, json.loads(settings))
    fixes.lexicon = dict(db.execute("SELECT word, respelling FROM lexicon ORDER BY word"))
    fixes.bases = load_bases(db)
    return fixes


# The writers run inside a transaction of the caller (Job's index writes).


def set_segment(db: sqlite3.Connection, chapter: int, position: int, fix: SegmentFix | None) -> None:
    """Record (or with None, remove) the fix of one segment."""
    _create(db)
    if fix is None:
        db.execute("DELETE FROM segment_fixes WHERE chapter = ? AND position = ?", (chapter, position))
        return
    if fix.take < 0:
        raise ValueError(f"a take is a number from 0, not {fix.take}")
    db.execute(
        "INSERT OR REPLACE INTO segment_fixes (chapter, position, base_text, text, take, voice, settings)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (chapter, position, fix.base_text, fix.text, fix.take, fix.voice, json.dumps(fix.settings)),
    )


def set_chapter(db: sqlite3.Connection, chapter: int, fix: ChapterFix | None) -> None:
    _create(db)
    if fix is None:
        db.execute("DELETE FROM chapter_fixes WHERE chapter = ?", (chapter,))
        return
    db.execute(
        "INSERT OR REPLACE INTO chapter_fixes (chapter, voice, settings) VALUES (?, ?, ?)",
        (chapter, fix.voice, json.dumps(fix.settings)),
    )


def record_bases(db: sqlite3.Connection, bases: dict[tuple[int, int], str]) -> None:
    """Replace the recorded book texts of the segments whose spoken text a fix changed."""
    _create(db)
    db.execute("DELETE FROM plan_bases")
    db.executemany(
        "INSERT INTO plan_bases (chapter, position, base_text) VALUES (?, ?, ?)",
        [(chapter, position, text) for (chapter, position), text in bases.items()],
    )


def load_bases(db: sqlite3.Connection) -> dict[tuple[int, int], str]:
    if not has_table(db, "plan_bases"):
        return {}
    rows = db.execute("SELECT chapter, position, base_text FROM plan_bases")
    return {(chapter, position): text for chapter, position, text in rows}


def set_pronunciation(db: sqlite3.Connection, word: str, respelling: str | None) -> None:
    _create(db)
    if respelling is None:
        db.execute("DELETE FROM lexicon WHERE word = ?", (word,))
    else:
        db.execute("INSERT OR REPLACE INTO lexicon (word, respelling) VALUES (?, ?)", (word, respelling))
