"""The job index: one SQLite file (WAL mode) listing the plan, the finished audio and the saved voices.

SQLite's atomic commit is what makes a row trustworthy: a row is inserted only after its file is durable
under its final name, so after any crash every row points at a complete file (has_audio still verifies size
and checksum, for the disk's sake). The plan tables are replaced as a whole in one transaction.

Two kinds of failure to open it are told apart, because the advice differs: an index SQLite calls corrupt
(or not a database) is damaged, and only `--fresh` starts over; any other failure (no permission, a read-only
mount, a missing write-ahead log, a full disk) leaves the job sound, and must never lead to `--fresh`, which
deletes every rendered segment. Readers (`status`) that cannot open the index in place read a copy of it.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from audiobook_tts.jobs.errors import JobError

SCHEMA_VERSION = 3  # 3: meta and outputs tables (version 2 indexes gain them when a render opens them)

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
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,            -- the book it renders, the ffmpeg that encoded its outputs, ...
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY,            -- a finished file the job wrote, relative to the output folder
    target TEXT NOT NULL,             -- which render made it: "book", "preview", "chapters 1-3"
    size INTEGER NOT NULL,
    digest TEXT NOT NULL              -- of the segments, settings and tags it was assembled from
);
"""
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


class _Damaged(sqlite3.DatabaseError):
    """The index opened but is not one this program can use (failed check, unknown schema)."""


def corrupt(path: Path, error: Exception) -> JobError:
    """The index is really damaged: say what --fresh deletes, and how to keep a copy first."""
    job_dir = path.parent
    return JobError(
        f"job index {path} is unreadable ({error}): it is damaged. --fresh would start the job over by "
        f"deleting {job_dir}, every rendered segment in it included; to keep a copy first, run "
        f"`cp -a {job_dir} {job_dir}.bak`"
    )


def unavailable(path: Path, error: Exception) -> JobError:
    """The index could not be opened for a reason outside it: the job is sound, nothing was changed."""
    return JobError(
        f"cannot open job index {path} ({error}); check that you may write to its folder and that the disk "
        "has room: the job itself is intact and resumes once it can be opened"
    )


def _open_error(path: Path, error: sqlite3.Error) -> JobError:
    damaged = isinstance(error, _Damaged) or getattr(error, "sqlite_errorname", None) in _DAMAGED
    return corrupt(path, error) if damaged else unavailable(path, error)


def connect(path: Path, *, read_only: bool = False, name: Path | None = None) -> sqlite3.Connection:
    """Open (and for writers create or upgrade) the index; JobError if it cannot be used, saying whether the
    index is damaged or only out of reach (errors call it `name`, default `path`)."""
    name = name or path
    db = None
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
            raise _Damaged(check)
        if version > SCHEMA_VERSION:
            raise JobError(
                f"job index {name} was written by a newer audiobook-tts (schema {version}, this one reads up "
                f"to {SCHEMA_VERSION}); update audiobook-tts to resume this job"
            )
        if version < SCHEMA_VERSION and not read_only:
            # A new index (0) or an older one: every table is CREATE IF NOT EXISTS, so this only adds.
            db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        elif version < 2:
            raise _Damaged(f"schema version {version}, not a job index")
    except sqlite3.Error as error:
        if db is not None:
            db.close()
        raise _open_error(name, error) from None
    except JobError:
        if db is not None:
            db.close()
        raise
    return db


@contextlib.contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the index, for readers that hold no lock and must change nothing.

    SQLite opens a WAL index read-only only if it may create the -shm file or finds a usable one. When it
    cannot (a read-only folder, another user's job, a -wal file deleted under a running render), the index
    and its -wal are copied to a temporary folder and read there: the same committed rows, nothing written
    beside the job.
    """
    try:
        db = connect(path, read_only=True)
    except JobError:
        db = None
    if db is not None:
        try:
            yield db
        finally:
            db.close()
        return
    with tempfile.TemporaryDirectory(prefix="audiobook-tts-status-") as tmp:
        copy = Path(tmp) / path.name
        try:
            shutil.copyfile(path, copy)
            wal = path.with_name(path.name + "-wal")
            if wal.is_file():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError as error:
            raise JobError(f"cannot read job index {path}: {error.strerror or error}") from None
        db = connect(copy, name=path)
        try:
            yield db
        except sqlite3.DatabaseError as error:
            raise _open_error(path, error) from None
        finally:
            db.close()


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """For readers of an index a render has not yet upgraded (read-only connections never upgrade)."""
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(query, (name,)).fetchone() is not None


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
