"""Crash-safe files: a file under its final name is always complete.

A write goes to a temp name in the same directory, is flushed and fsynced, renamed over the final name, and
the directory is fsynced so the rename itself survives a power cut. A crash at any point leaves either no
file or the whole file under the final name, plus at worst a stale temp file, which `remove_stale_temps`
deletes when the next run opens the job. A full disk (or a file-size limit) raises JobError naming the path
and removes the temp file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from pathlib import Path

from audiobook_tts.errors import no_space_message
from audiobook_tts.jobs.errors import JobError

TEMP_PREFIX = ".tmp-"
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def no_space_error(path: Path, error: OSError) -> JobError:
    """The one-line message for a write that ran out of room."""
    return JobError(no_space_message(path, os.strerror(error.errno) if error.errno else str(error)))


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | memoryview) -> None:
    """Write `data` to `path` so that after any crash `path` is absent, the old file, or all of `data`."""
    temp = path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        with open(temp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        if error.errno in _NO_SPACE:
            raise no_space_error(path, error) from None
        raise
    except BaseException:  # Ctrl-C or SIGTERM mid-write: leave no temp file behind
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def remove_stale_temps(directory: Path) -> int:
    """Delete temp files left by a killed writer (call only while holding the job lock); returns how many.

    Stored files are named by their key, so every dot-file in the store's directories is a temp file.
    """
    removed = 0
    for temp in directory.glob("*/.*"):
        if temp.is_file():
            temp.unlink()
            removed += 1
    return removed
