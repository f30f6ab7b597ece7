"""What a job was rendered from: the book file, the render's request and the book's title, authors and cover.

The render records them so that the studio can list the job and render it again (a re-take, an edited
sentence) exactly as it was rendered. Values are text or bytes under a name; the render decides the names.
The table is created on first write: a job from before it simply has no source recorded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from audiobook_tts.jobs.index import has_table

TABLE = "CREATE TABLE IF NOT EXISTS source (name TEXT PRIMARY KEY, value BLOB NOT NULL)"


def record(db: sqlite3.Connection, values: Mapping[str, str | bytes]) -> None:
    """Replace the recorded source with `values` (run inside the caller's transaction)."""
    db.execute(TABLE)
    db.execute("DELETE FROM source")
    db.executemany("INSERT INTO source (name, value) VALUES (?, ?)", list(values.items()))


def load(db: sqlite3.Connection) -> dict[str, str | bytes]:
    if not has_table(db, "source"):
        return {}
    return dict(db.execute("SELECT name, value FROM source"))
