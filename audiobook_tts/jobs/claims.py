"""Worker processes of one render sharing its job: which worker renders which group of segments.

The render holding the job lock lists the groups still to render in a `claims` table of the job's index
(`job.reset_claims(groups)`), then starts its workers. Each worker:

    job = Job.open_for_worker(out_dir)
    with WorkerLock.acquire(job.directory) as me:   # flock on workers/<name>.lock, held until it exits
        while (group := job.claim_group(me.name)) is not None:
            ...render the whole group, write its missing audio...
            job.finish_group(group)

`claim` runs in BEGIN IMMEDIATE (SQLite lets one writer in at a time), so two workers never take the same
group. A worker is alive exactly while the kernel holds its flock, which it drops however the process ends
(kill -9 included), so a claim whose holder's lock is free belongs to a dead worker and is taken again. The
claims table is scratch state of the running render: `reset` creates it if needed and empties it, which is
safe only for the lock holder, after `wait_for_dead_workers` (called by Job.open) has seen every worker of
an earlier render gone.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from audiobook_tts.jobs.errors import JobError

WORKERS_DIRNAME = "workers"
CLAIMS_TABLE = """
CREATE TABLE IF NOT EXISTS claims (
    grp INTEGER PRIMARY KEY,          -- a group of the render's plan, numbered by the render
    holder TEXT,                      -- name of the worker rendering it; NULL: nobody yet
    done INTEGER NOT NULL DEFAULT 0   -- 1 once every segment of the group is stored
)
"""


class WorkerLock:
    """A worker's proof of life: an exclusive flock on OUT/.audiobook-tts/workers/<name>.lock."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self.name = path.stem
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, job_dir: Path) -> WorkerLock:
        directory = job_dir / WORKERS_DIRNAME
        directory.mkdir(exist_ok=True)
        path = directory / f"{os.getpid()}-{secrets.token_hex(4)}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)  # a fresh name: nobody else can hold it
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> WorkerLock:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def _lock_is_free(path: Path) -> bool:
    """True if no process holds the flock on `path` (or the file is gone): its worker has exited."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also drops the flock if we just took it
    return True


def worker_alive(job_dir: Path, name: str) -> bool:
    return not _lock_is_free(job_dir / WORKERS_DIRNAME / f"{name}.lock")


def wait_for_dead_workers(job_dir: Path, timeout: float = 30.0) -> None:
    """Block until every worker of an earlier render has exited, then delete their lock files.

    Workers exit within a second of their render's death (they watch their parent), so this waits only when
    a render was just killed. Call it holding the job lock: no new worker can start meanwhile."""
    directory = job_dir / WORKERS_DIRNAME
    if not directory.is_dir():
        return
    deadline = time.monotonic() + timeout
    for path in sorted(directory.glob("*.lock")):
        while not _lock_is_free(path):
            if time.monotonic() > deadline:
                pid = path.stem.split("-")[0]
                raise JobError(
                    f"a worker (pid {pid}) of an earlier render is still running in {job_dir}; stop it"
                )
            time.sleep(0.05)
        path.unlink(missing_ok=True)


# The three writers below run inside a BEGIN IMMEDIATE transaction of the caller (Job's index writes).


def reset(db: sqlite3.Connection, groups: Iterable[int]) -> None:
    """Make `groups` the render's unclaimed work, forgetting every earlier claim."""
    db.execute(CLAIMS_TABLE)
    db.execute("DELETE FROM claims")
    db.executemany("INSERT INTO claims (grp) VALUES (?)", [(int(group),) for group in groups])


def claim(db: sqlite3.Connection, job_dir: Path, worker: str) -> int | None:
    """Take the first unfinished group that nobody holds or whose holder died; None if there is none now
    (see `unfinished`: groups held by live workers may still come free if those workers die)."""
    rows = db.execute("SELECT grp, holder FROM claims WHERE done = 0 ORDER BY grp").fetchall()
    for group, holder in rows:
        if holder is None or (holder != worker and not worker_alive(job_dir, holder)):
            db.execute("UPDATE claims SET holder = ? WHERE grp = ?", (worker, group))
            return group
    return None


def finish(db: sqlite3.Connection, group: int) -> None:
    db.execute("UPDATE claims SET done = 1 WHERE grp = ?", (group,))


def unfinished(db: sqlite3.Connection) -> int:
    """How many groups are not finished yet (claimed or not)."""
    return db.execute("SELECT COUNT(*) FROM claims WHERE done = 0").fetchone()[0]
