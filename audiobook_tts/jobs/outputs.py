"""What the job wrote into its output folder, and from what: the outputs manifest (`outputs` table).

Every finished file (M4B, MP3s, subtitles) is recorded with its size and the digest of what it was assembled
from (segment keys, pauses, settings, tags, the ffmpeg used), under the render's target: "book" for the whole
book, "preview" or "chapters 1-3" for a partial render. The manifest lets a render

- skip assembly when the target's files are all there and were made from the same digest (`up_to_date`);
- move away the files it wrote before and no longer makes (a chapter renamed or removed): `record` moves
  them to OUT/.audiobook-tts/old/, never deletes them, and returns them for the summary;
- and lets `status` say whether a target's files are complete, stale (the plan changed since they were
  made) or missing.

The `meta` table holds single facts about the job: the book it renders (`book`), the ffmpeg that encoded
its outputs (`ffmpeg`), and per target the plan digest its files were made from (`plan:<target>`).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

OLD_DIRNAME = "old"


@dataclass(frozen=True)
class OutputRecord:
    path: Path  # relative to the output folder
    target: str
    size: int
    digest: str


@dataclass(frozen=True)
class TargetStatus:
    target: str
    state: str  # "complete", "stale" (the plan changed since) or "missing" (a file gone or changed)
    files: list[Path]
    missing: list[Path]


def get_meta(db: sqlite3.Connection, name: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return None if row is None else row[0]


def set_meta(db: sqlite3.Connection, name: str, value: str) -> None:
    """Inside the caller's transaction."""
    db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))


def plan_digest(db: sqlite3.Connection, chapters: list[int] | None = None) -> str:
    """A digest of the recorded plan (titles, segment keys and pauses) of `chapters` (None: all)."""
    digest = hashlib.sha256(b"audiobook-tts/plan/1")
    rows = db.execute(
        "SELECT c.idx, c.title, s.key, s.pause_after FROM chapters c"
        " LEFT JOIN segments s ON s.chapter = c.idx ORDER BY c.idx, s.position"
    )
    for idx, title, key, pause in rows:
        if chapters is None or idx in chapters:
            digest.update(f"{idx}\0{title}\0{key}\0{pause!r}\n".encode())
    return digest.hexdigest()


def recorded(db: sqlite3.Connection, target: str | None = None) -> list[OutputRecord]:
    query = "SELECT path, target, size, digest FROM outputs"
    rows = (
        db.execute(query + " ORDER BY path")
        if target is None
        else db.execute(query + " WHERE target = ? ORDER BY path", (target,))
    )
    return [OutputRecord(Path(path), tgt, size, digest) for path, tgt, size, digest in rows]


def _present(out_dir: Path, record: OutputRecord) -> bool:
    try:
        return (out_dir / record.path).stat().st_size == record.size
    except OSError:
        return False


def up_to_date(db: sqlite3.Connection, out_dir: Path, target: str, digest: str) -> bool:
    """True if `target`'s files were made from `digest` and are all still there, unchanged in size."""
    records = recorded(db, target)
    return bool(records) and all(r.digest == digest and _present(out_dir, r) for r in records)


def record(
    db: sqlite3.Connection, out_dir: Path, job_dir: Path, target: str, files: list[Path], digest: str
) -> list[Path]:
    """Make `files` the outputs of `target` (inside the caller's transaction); earlier outputs of the target
    that are not among them are moved to OUT/.audiobook-tts/old/ (returned, their new paths)."""
    new = {Path(os.path.relpath(Path(f), out_dir)) for f in files}
    moved = []
    for old in recorded(db, target):
        if old.path in new:
            continue
        source = out_dir / old.path
        if source.exists():
            destination = job_dir / OLD_DIRNAME / old.path
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)
            moved.append(destination)
        db.execute("DELETE FROM outputs WHERE path = ?", (str(old.path),))
    for path in sorted(new):
        db.execute(
            "INSERT OR REPLACE INTO outputs (path, target, size, digest) VALUES (?, ?, ?, ?)",
            (str(path), target, (out_dir / path).stat().st_size, digest),
        )
    return moved


def statuses(db: sqlite3.Connection, out_dir: Path) -> list[TargetStatus]:
    """Per target with recorded outputs: complete, stale or missing (see the module docstring)."""
    targets: dict[str, list[OutputRecord]] = {}
    for r in recorded(db):
        targets.setdefault(r.target, []).append(r)
    result = []
    for target, records in targets.items():
        missing = [r.path for r in records if not _present(out_dir, r)]
        made_from = get_meta(db, f"plan:{target}")
        stale = target == "book" and made_from is not None and made_from != plan_digest(db)
        state = "missing" if missing else "stale" if stale else "complete"
        result.append(TargetStatus(target, state, [r.path for r in records], missing))
    return result
