"""Finding ffmpeg and running it as a sink that raw PCM is streamed into.

Every output is one ffmpeg process fed through its stdin pipe, so memory stays flat whatever the book's
length. ffprobe is never needed at runtime (imageio-ffmpeg ships none).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from audiobook_tts.assemble.errors import AssembleError


def find_ffmpeg(override: str | None = None) -> str:
    """An explicit path wins, then ffmpeg on PATH, then the binary bundled with imageio-ffmpeg."""
    if override:
        found = shutil.which(override)
        if found is None:
            raise AssembleError(f"ffmpeg not found at {override!r}: give the path of an ffmpeg executable")
        return found
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as error:
        raise AssembleError(
            "ffmpeg not found: install it (e.g. apt install ffmpeg) or pip install imageio-ffmpeg, "
            "or pass its path with --ffmpeg"
        ) from error


def error_summary(log: str) -> str:
    """ffmpeg's first and last error lines, without the "[encoder @ 0x...]" prefixes: the first usually names
    the cause ("Unable to parse option value"), the last the consequence."""
    lines = [re.sub(r"^(\[[^\]]* @ 0x[0-9a-f]+\] *)+", "", line).strip() for line in log.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "no message"
    return lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"


PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged pipe; the assembler writes 1 MB blocks


class FfmpegSink:
    """One ffmpeg process reading float32 mono PCM on stdin; stderr goes to a file so no pipe can block."""

    def __init__(self, ffmpeg: str, sample_rate: int, output_args: list[str], what: str,
                 loglevel: str = "error"):
        self.what = what  # names the output in error messages
        self._stderr = tempfile.TemporaryFile()
        args = [ffmpeg, "-hide_banner", "-nostats", "-loglevel", loglevel, "-y",
                "-f", "f32le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0", *output_args]
        try:
            self._process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                             stderr=self._stderr)
        except OSError as error:
            self._stderr.close()
            raise AssembleError(f"cannot run ffmpeg {ffmpeg!r}: {error.strerror}") from error
        # a pipe that holds a whole block lets the writer move on while this encoder works, so the M4B and
        # MP3 encoders run side by side instead of in turn (Linux; elsewhere the default size stays)
        with contextlib.suppress(ImportError, AttributeError, OSError):
            import fcntl  # POSIX only

            fcntl.fcntl(self._process.stdin, fcntl.F_SETPIPE_SZ, PIPE_BYTES)

    def write(self, block: np.ndarray) -> None:
        try:
            self._process.stdin.write(np.ascontiguousarray(block, dtype="<f4").data)
        except (BrokenPipeError, ValueError):
            self.finish()  # ffmpeg died: its own message explains why
            raise AssembleError(f"ffmpeg stopped while writing {self.what}") from None

    def finish(self) -> str:
        """Close the input, wait, and return ffmpeg's log; a non-zero exit becomes an AssembleError."""
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        code = self._process.wait()
        self._stderr.seek(0)
        log = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        if code != 0:
            if "No space left on device" in log:
                raise AssembleError(f"disk full while writing {self.what}: free some space and run again")
            raise AssembleError(f"ffmpeg failed writing {self.what}: {error_summary(log)}")
        return log

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if not self._stderr.closed:
            self._stderr.close()


def run_ffmpeg(ffmpeg: str, args: list[str], what: str, stdin: bytes | None = None) -> bytes:
    """A short ffmpeg run (cover conversion, probing in tests); returns stdout."""
    result = subprocess.run([ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", *args], input=stdin,
                            capture_output=True)
    if result.returncode != 0:
        log = result.stderr.decode("utf-8", "replace")
        raise AssembleError(f"ffmpeg failed on {what}: {error_summary(log)}")
    return result.stdout


def disk_error(error: OSError, path: Path) -> AssembleError:
    """Turn an OSError met while writing `path` into one line for the user."""
    if error.errno == errno.ENOSPC:
        return AssembleError(f"disk full while writing {path}: free some space and run again")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return AssembleError(f"cannot write {path}: permission denied; choose another output folder")
    return AssembleError(f"cannot write {path}: {error.strerror or error}")


def check_writable(out_dir: Path) -> None:
    """Fail before any audio work if the output folder cannot be created or written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        raise AssembleError(
            f"output folder {out_dir} is not writable ({error.strerror or error}); choose another with --out"
        ) from error
    if not os.access(out_dir, os.W_OK):
        raise AssembleError(f"output folder {out_dir} is not writable; choose another with --out")
