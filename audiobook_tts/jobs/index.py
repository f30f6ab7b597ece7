"""The job index: one SQLite file (WAL mode) listing the plan, the finished audio and the saved voices.

SQLite's atomic commit is what makes a row trustworthy: a row is inserted only after its file is durable
under its final name, so after any crash every row points at a complete file (has_audio still verifies size
and checksum, for the disk's sake). The plan tables are replaced as a whole in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from audiobook_tts.jobs.errors import JobError

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS chapters (
    idx INTEGER PRIMARY KEY,          -- the chapter's index in the book
    title TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    chapter INTEGER NOT NULL REFERENCES chapters(idx),
    position INTEGER NOT NULL,        -- order within the chapter
    key TEXT NOT NULL,                -- segment_key(): names the audio
    text TEXT NOT NULL,
    pause_after REAL NOT NULL,        -- seconds of silence after this segment
    voice_id TEXT NOT NULL,
    PRIMARY KEY (chapter, position)
);
CREATE INDEX IF NOT EXISTS segments_by_key ON segments(key);
CREATE TABLE IF NOT EXISTS audio (
    key TEXT PRIMARY KEY,
    samples INTEGER NOT NULL,         -- float32 mono samples in the file
    sample_rate INTEGER NOT NULL,
    sha256 TEXT NOT NULL              -- of the file's bytes
);
CREATE TABLE IF NOT EXISTS voices (
    voice_id TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS voice_sources (
    source_key TEXT PRIMARY KEY,      -- what a voice state was computed from (model + name or file hash)
    voice_id TEXT NOT NULL
);
"""


def corrupt(path: Path, error: Exception) -> JobError:
    return JobError(f"job index {path} is unreadable ({error}); run again with --fresh to start over")


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open (and for writers create) the index; JobError if it is not a sound index of this version."""
    try:
        if read_only:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        else:
            # Autocommit, explicit transactions. Worker processes share the index: a writer waits its turn.
            db = sqlite3.connect(path, isolation_level=None, timeout=60)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a committed row survives a power cut
        version = db.execute("PRAGMA user_version").fetchone()[0]
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(check)
        if version == 0 and not read_only:
            db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        elif version != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version}, this program reads {SCHEMA_VERSION}")
    except sqlite3.DatabaseError as error:
        raise corrupt(path, error) from None
    return db


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the index has table `name`: tables added after SCHEMA_VERSION 2 are created on first write."""
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


class transaction:
    """`with transaction(db):` runs the block in BEGIN IMMEDIATE ... COMMIT, rolling back on any exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
