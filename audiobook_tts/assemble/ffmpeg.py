"""Finding ffmpeg and running it as a sink that raw PCM is streamed into.

Every output is one ffmpeg process fed through its stdin pipe, so memory stays flat whatever the book's
length. ffprobe is never needed at runtime (imageio-ffmpeg ships none).

An exit code of 0 does not prove the file was written: Debian's ffmpeg 5.1 logs "Error writing trailer ...:
No space left on device" and exits 0. So after every encode the log is read for errors, and the output is
opened (mutagen) and its duration compared with the samples fed in.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

import numpy as np

from audiobook_tts.assemble.errors import AssembleError
from audiobook_tts.errors import no_space_message

DURATION_TOLERANCE = 0.25  # seconds an encoded file's duration may differ from the samples fed in


def find_ffmpeg(override: str | None = None) -> str:
    """An explicit path wins, then the binary bundled with imageio-ffmpeg, then ffmpeg on PATH.

    The bundled build comes first so every machine encodes and decodes with one known version (an older
    distribution ffmpeg may, for one, not trim AAC end padding); PATH is the fallback where none is bundled.
    """
    if override:
        found = shutil.which(override)
        if found is None:
            raise AssembleError(f"ffmpeg not found at {override!r}: give the path of an ffmpeg executable")
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        found = shutil.which("ffmpeg")
    if found is None:
        raise AssembleError(
            "ffmpeg not found: pip install imageio-ffmpeg or install ffmpeg (e.g. apt install ffmpeg), "
            "or pass its path with --ffmpeg"
        )
    return found


def ffmpeg_identity(ffmpeg: str) -> str:
    """The executable and its version line, e.g. "/usr/bin/ffmpeg (ffmpeg version 5.1.9-0+deb12u1)": two
    ffmpeg builds encode the same audio to different bytes. AssembleError if it does not run as ffmpeg."""
    try:
        result = subprocess.run([ffmpeg, "-hide_banner", "-version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        reason = getattr(error, "strerror", None) or error
        raise AssembleError(f"cannot run ffmpeg {ffmpeg!r}: {reason}; give another with --ffmpeg") from None
    first = result.stdout.decode("utf-8", "replace").partition("\n")[0].strip()
    if result.returncode != 0 or not first.startswith("ffmpeg version"):
        shown = first or error_summary(result.stderr.decode("utf-8", "replace"))
        raise AssembleError(
            f"{ffmpeg} is not a working ffmpeg (`-version` gave exit code {result.returncode}: {shown}); "
            "give another with --ffmpeg"
        )
    return f"{ffmpeg} ({' '.join(first.split()[:3])})"


def error_summary(log: str) -> str:
    """ffmpeg's first and last error lines, without the "[encoder @ 0x...]" prefixes: the first usually names
    the cause ("Unable to parse option value"), the last the consequence."""
    lines = [re.sub(r"^(\[[^\]]* @ 0x[0-9a-f]+\] *)+", "", line).strip() for line in log.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "no message"
    return lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"


# our running ffmpegs, each with the core it was started on (start_on_one_core)
_on_core: list[tuple[subprocess.Popen, int]] = []
_on_core_lock = threading.Lock()


def start_on_one_core(args: list[str], **popen: Any) -> subprocess.Popen:
    """subprocess.Popen(args, **popen) with every thread of the new process held to one core: the allowed
    core that the fewest of our other running ffmpegs hold.

    ffmpeg 7 and later run the demuxer, the decoder, the filters, the encoder and the muxer each in a thread
    of their own and hand every frame on to the next (~23 a second of audio for AAC); across cores each
    hand-off wakes the other core. 20 minutes to AAC from a file with the bundled ffmpeg 9: 3.5 s user and
    0.7-0.8 s system, held to one core 3.1-3.2 s and 0.25-0.4 s, in the same wall time (Debian's 5.1, with
    no such threads: 0.14 s system). For the sinks, whose work is their encoder's; a decoder whose samples
    the caller waits for (the checks) keeps its threads free: the M4B's, the last step, was slower held.
    The process inherits the mask of the thread that starts it, so the calling thread holds the core for the
    moment of the start (no thread of ffmpeg's begins elsewhere). Elsewhere than Linux, a plain Popen."""
    try:
        allowed = os.sched_getaffinity(0)
    except AttributeError:  # (no affinity outside Linux)
        return subprocess.Popen(args, **popen)
    with _on_core_lock:
        _on_core[:] = [(process, core) for process, core in _on_core if process.poll() is None]
        held = collections.Counter(core for _, core in _on_core)
        core = min(sorted(allowed), key=lambda candidate: held[candidate])
        try:
            os.sched_setaffinity(0, {core})
        except OSError:  # (a core gone offline since): started as any process
            return subprocess.Popen(args, **popen)
        try:
            process = subprocess.Popen(args, **popen)
        finally:
            os.sched_setaffinity(0, allowed)
        _on_core.append((process, core))
    return process


PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged pipe; the assembler writes 1 MB blocks
# audio waiting for the pipe in a sink's writer thread: while the assembler measures the next chapter, the
# encoders work through it (24 MB of float32 is 4.4 min at 24 kHz, ~1 s of the AAC encoder's work)
QUEUE_BYTES = 24 << 20


class FfmpegSink:
    """One ffmpeg process reading float32 mono PCM on stdin; stderr goes to a file so no pipe can block.

    `write` queues the block and returns; a thread of the sink's feeds the pipe, and a failed write there
    (ffmpeg gone) surfaces at the next `write` or at `finish`. At full priority up to QUEUE_BYTES wait;
    niced (beside a render, whose memory the queue would add to) one block at a time, as a plain pipe.

    With `output` (the file the arguments write), finish() also checks that file: it opens as audio and
    lasts as long as the samples written. `nice` > 0 lowers its priority (beside a render it yields to);
    `gain` multiplies what is written (an encoder's own input scale undone)."""

    def __init__(
        self,
        ffmpeg: str,
        sample_rate: int,
        output_args: list[str],
        what: str,
        loglevel: str = "error",
        output: Path | None = None,
        nice: int = 0,
        gain: float = 1.0,
    ):
        self.what = what  # names the output in error messages
        self.gain = np.float32(gain)
        self.output = output
        self.sample_rate = sample_rate
        self.samples = 0
        self._stderr = tempfile.TemporaryFile()
        args = [
            ffmpeg,
            "-hide_banner",
            "-nostats",
            "-loglevel",
            loglevel,
            "-y",
            "-f",
            "f32le",
            "-ar",
            str(sample_rate),
            "-ac",
            "1",
            "-i",
            "pipe:0",
            *output_args,
        ]
        try:
            self._process = start_on_one_core(
                args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr
            )
        except OSError as error:
            self._stderr.close()
            raise AssembleError(f"cannot run ffmpeg {ffmpeg!r}: {error.strerror}") from error
        self._queue_limit = QUEUE_BYTES
        if nice:
            self.renice(nice)
        assert self._process.stdin is not None  # stdin=PIPE above
        self._stdin: IO[bytes] = self._process.stdin
        # a pipe that holds a whole block lets the writer move on while this encoder works, so the M4B and
        # MP3 encoders run side by side instead of in turn (Linux; elsewhere the default size stays)
        with contextlib.suppress(ImportError, AttributeError, OSError):
            import fcntl  # POSIX only

            fcntl.fcntl(self._stdin, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self._queue: collections.deque[bytes | None] = collections.deque()
        self._queued_bytes = 0
        self._changed = threading.Condition()
        self._failed = False
        self._writer = threading.Thread(target=self._feed, name=f"feed {what}", daemon=True)
        self._writer.start()

    def renice(self, nice: int) -> None:
        """Set the process's nice value (where it may not be lowered, not root, it stays as it was) and the
        queue's bound that goes with it."""
        self._queue_limit = 0 if nice > 0 else QUEUE_BYTES
        with contextlib.suppress(AttributeError, OSError):  # (no setpriority on Windows)
            os.setpriority(os.PRIO_PROCESS, self._process.pid, nice)

    def write(self, block: np.ndarray) -> None:
        """Queue `block` for the encoder and return: the caller goes on (to the next chapter's measuring)
        while the encoder still has audio (a 1 MB pipe holds 11 s of it, which AAC encodes in 40 ms)."""
        if self._failed:
            self.finish()  # ffmpeg died: its own message explains why
            raise AssembleError(f"ffmpeg stopped while writing {self.what}")
        if self.gain != 1:
            block = block * self.gain
        self._put(np.ascontiguousarray(block, dtype="<f4").tobytes())
        self.samples += len(block)

    def _put(self, data: bytes | None) -> None:
        """Queue `data` (None: the end) once it fits under the queue's bound (or the queue is empty)."""
        with self._changed:
            while self._queued_bytes and self._queued_bytes + len(data or b"") > self._queue_limit:
                self._changed.wait()
            self._queue.append(data)
            self._queued_bytes += len(data or b"")
            self._changed.notify_all()

    def _feed(self) -> None:
        """The writer thread: the queue into the pipe, in order, until the end; after a failed write it only
        empties the queue (so no `_put` waits forever) until the end comes."""
        while True:
            with self._changed:
                while not self._queue:
                    self._changed.wait()
                data = self._queue.popleft()
            if data is None:
                return
            if not self._failed:
                try:
                    self._stdin.write(data)
                except (BrokenPipeError, ValueError, OSError):
                    self._failed = True
            with self._changed:
                self._queued_bytes -= len(data)
                self._changed.notify_all()

    def finish(self) -> str:
        """Close the input, wait, and return ffmpeg's log; a non-zero exit, an error in the log or an output
        that does not hold the audio fed in becomes an AssembleError."""
        if self._writer.is_alive():
            self._put(None)
            self._writer.join()
        try:
            self._stdin.close()
        except BrokenPipeError:
            pass
        code = self._process.wait()
        self._stderr.seek(0)
        log = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        check_written(code, log, self.what)
        if self._failed:
            raise AssembleError(f"ffmpeg stopped while writing {self.what}")
        if self.output is not None:
            check_output(self.output, self.samples / self.sample_rate, self.what)
        return log

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._writer.is_alive():  # its write fails now that ffmpeg is gone, and it empties the queue
            self._put(None)
            self._writer.join()
        if not self._stderr.closed:
            self._stderr.close()


# Lines ffmpeg logs for a failed write even when it exits 0 (an encoder's warnings at -loglevel error are
# not failures, so only these count).
_LOGGED_FAILURE = re.compile(
    r"Error writing trailer|Error closing file|No space left on device|Input/output error|"
    r"Disk quota exceeded|File too large|av_interleaved_write_frame\(\)|Error muxing"
)


def check_written(code: int, log: str, what: str) -> None:
    """AssembleError if ffmpeg's exit code or log says writing `what` failed."""
    failed = code != 0 or _LOGGED_FAILURE.search(log)
    if failed and "No space left on device" in log:
        raise AssembleError(no_space_message(what))
    if failed:
        raise AssembleError(f"ffmpeg failed writing {what}: {error_summary(log)}")


def write_file(ffmpeg: str, args: list[str], output: Path, seconds: float, what: str) -> None:
    """An ffmpeg run that writes `output` from files (the M4B from its AAC stream), checked as a sink's
    output is: the exit code, the log, and the file's duration."""
    result = subprocess.run([ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-y", *args],
                            stdin=subprocess.DEVNULL, capture_output=True)  # fmt: skip
    check_written(result.returncode, result.stderr.decode("utf-8", "replace"), what)
    check_output(output, seconds, what)


def check_output(path: Path, expected_seconds: float, what: str) -> None:
    """AssembleError unless `path` opens as audio lasting `expected_seconds` (give or take the tolerance)."""
    import mutagen

    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError) as error:
        raise AssembleError(f"ffmpeg wrote a broken {what} ({error}); run again to encode it anew") from None
    if audio is None or audio.info is None:
        raise AssembleError(f"ffmpeg wrote a broken {what} (no audio in it); run again to encode it anew")
    if abs(audio.info.length - expected_seconds) > DURATION_TOLERANCE:
        raise AssembleError(
            f"ffmpeg wrote {what} with {audio.info.length:.2f} s of audio, not {expected_seconds:.2f} s; "
            "run again to encode it anew"
        )


def run_ffmpeg(ffmpeg: str, args: list[str], what: str, stdin: bytes | None = None) -> bytes:
    """A short ffmpeg run (cover conversion, probing in tests); returns stdout."""
    result = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", *args], input=stdin, capture_output=True
    )
    if result.returncode != 0:
        log = result.stderr.decode("utf-8", "replace")
        raise AssembleError(f"ffmpeg failed on {what}: {error_summary(log)}")
    return result.stdout


def disk_error(error: OSError, path: Path) -> AssembleError:
    """Turn an OSError met while writing `path` into one line for the user."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return AssembleError(no_space_message(path, os.strerror(error.errno)))
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
