"""One render per job: an exclusive flock on a lock file inside the job directory.

flock belongs to the open file, so the kernel drops it when the holder exits in any way (Ctrl-C, kill -9,
crash); a stale lock never needs cleaning. The holder writes its pid into the file only so the refusal can
name it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from audiobook_tts.jobs.errors import JobError


class JobLock:
    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: Path, job_dir: Path) -> JobLock:
        """Take the lock or raise JobError naming the pid that holds it."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise JobError(f"cannot open {path}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            message = f"another render is using {job_dir} (pid {holder}); wait for it or stop it"
            raise JobError(message) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            # Empty the pid first so a reader never blames a process that has let go.
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
