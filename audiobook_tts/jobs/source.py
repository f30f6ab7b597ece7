"""What a job was rendered from: the book file, the render's request and the book's title, authors and cover.

The render records them so that the studio can list the job and render it again (a re-take, an edited
sentence) exactly as it was rendered. Values are text or bytes under a name; the render decides the names.
The table is created on first write: a job from before it simply has no source recorded. The render's
options are kept as JSON (`encode_options` / `decode_options`, for any options dataclass).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from audiobook_tts.jobs.index import has_table

T = TypeVar("T")
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


def encode_options(options: object) -> str:
    """A frozen options dataclass (nested ones, paths and sets included) as JSON text."""
    return json.dumps(_plain(options), sort_keys=True)


def decode_options(cls: type[T], text: str) -> T:
    """`encode_options` undone for `cls`; fields the text lacks keep their defaults, unknown ones are ignored
    (a job recorded by an older or newer version still renders)."""
    return _build(cls, json.loads(text))


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _build(cls: type[T], data: dict) -> T:
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name not in data:
            continue
        value, default = data[field.name], field.default
        if dataclasses.is_dataclass(default) and isinstance(value, dict):
            value = _build(type(default), value)
        elif isinstance(default, frozenset):
            value = frozenset(value)
        elif isinstance(value, str) and Path in typing.get_args(hints[field.name]) + (hints[field.name],):
            value = Path(value)
        values[field.name] = value
    return cls(**values)
