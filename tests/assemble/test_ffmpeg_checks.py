"""ffmpeg that exits 0 after a failed write: the log and the file are checked, and a full disk is the one
disk-full line the rest of the pipeline prints."""

from __future__ import annotations

import os
import signal
import subprocess
import threading

import numpy as np
import pytest

from audiobook_tts.assemble import AssembleError, AssembleOptions, BookTags, assemble
from audiobook_tts.assemble.ffmpeg import FfmpegSink, check_output
from audiobook_tts.errors import no_space_message
from tests.fixtures.audio import SAMPLE_RATE, make_chapter
from tests.fixtures.disk import tiny_tmpfs

M4B = AssembleOptions(formats=frozenset({"m4b"}))


def chapters():
    return [make_chapter("One", 0.3, 1, sentences=3), make_chapter("Two", 0.3, 2, sentences=3)]


def test_disk_full_sweep_never_reaches_the_tagger(tmp_path):
    # The M4B is ~80 kB; ffmpeg 5.1 writes its audio, fails on the trailer (+faststart rewrites the file),
    # logs "Error writing trailer ...: No space left on device" and exits 0. The user then saw
    # "cannot tag ....m4b: not a MP4 file". Every size must give the disk-full line or a sound file. The M4B
    # is copied from its AAC stream (~80 kB too), so both are on the disk at once at the end.
    outcomes = {}
    for kb in range(120, 200, 12):
        with tiny_tmpfs(tmp_path / f"disk{kb}", f"{kb}k") as disk:
            try:
                result = assemble(chapters(), BookTags(title="T"), disk, M4B, SAMPLE_RATE)
            except AssembleError as error:
                assert str(error) == no_space_message(disk / "T.m4b")
                assert list(disk.iterdir()) == []  # no partial left behind
                outcomes[kb] = "full"
            else:
                check_output(result.files[0], result.total_samples / SAMPLE_RATE, "the M4B")
                outcomes[kb] = "ok"
    assert "full" in outcomes.values() and "ok" in outcomes.values(), outcomes


def checked_sink(ffmpeg: str, out, *output_args: str) -> FfmpegSink:
    return FfmpegSink(ffmpeg, SAMPLE_RATE, [*output_args, str(out)], what=str(out), output=out)


def test_ffmpeg_exits_0_after_a_failed_trailer_and_the_sink_says_so(tmp_path, ffmpeg):
    """The fault itself, at the size where it happens: exit code 0, an error in the log."""
    audio = np.concatenate(
        [piece.samples for piece in chapters()[0].pieces() if not isinstance(piece.samples, int)]
    )
    m4a = ["-c:a", "aac", "-movflags", "+faststart", "-f", "ipod"]
    for kb in range(8, 64, 4):
        with tiny_tmpfs(tmp_path / f"d{kb}", f"{kb}k") as disk:
            out = disk / "x.m4a"
            pcm_in = ["-v", "error", "-y", "-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0"]
            pcm = audio.astype("<f4").tobytes()
            run = subprocess.run([ffmpeg, *pcm_in, *m4a, str(out)], input=pcm, capture_output=True)
            if run.returncode != 0 or b"No space left on device" not in run.stderr:
                continue
            sink = checked_sink(ffmpeg, out, *m4a)
            sink.write(audio)
            with pytest.raises(AssembleError) as error:
                sink.finish()
            assert str(error.value) == no_space_message(out)
            return
    pytest.skip("this ffmpeg never exits 0 after a failed trailer (the fault needs ffmpeg 5.1's behaviour)")


def test_an_output_shorter_than_its_audio_is_refused(tmp_path, ffmpeg):
    out = tmp_path / "short.mp3"
    sink = checked_sink(ffmpeg, out, "-af", "atempo=2", "-c:a", "libmp3lame", "-f", "mp3")
    sink.write(np.zeros(3 * SAMPLE_RATE, np.float32))  # played twice as fast: 1.5 s of 3, and exit 0
    with pytest.raises(AssembleError, match=r"with 1\.[45]\d s of audio, not 3\.00 s"):
        sink.finish()


def test_an_encoder_that_stops_reading_is_an_error_not_a_hang(tmp_path, ffmpeg):
    """The sink's writer thread meets the broken pipe; a later write or finish says so in one line."""
    sink = checked_sink(ffmpeg, tmp_path / "early.mp3", "-t", "0.1", "-c:a", "libmp3lame", "-f", "mp3")
    block = np.zeros(1 << 18, np.float32)  # 1 MB, the assembler's block
    with pytest.raises(AssembleError, match="ffmpeg stopped while writing"):
        for _ in range(40):  # more than the queue holds: the error must surface before the end
            sink.write(block)
        sink.finish()


def test_killing_a_sink_whose_encoder_is_stuck_returns(tmp_path, ffmpeg):
    """Cleanup after an interrupt kills every sink; one whose ffmpeg no longer reads (stopped here) has its
    writer thread blocked on a full pipe with blocks still queued. kill() must end both."""
    sink = checked_sink(ffmpeg, tmp_path / "stuck.mp3", "-c:a", "libmp3lame", "-f", "mp3")
    os.kill(sink._process.pid, signal.SIGSTOP)
    for _ in range(6):  # the 1 MB pipe fills, the rest waits in the queue
        sink.write(np.zeros(1 << 18, np.float32))
    killer = threading.Thread(target=sink.kill, daemon=True)
    killer.start()
    killer.join(timeout=30)
    assert not killer.is_alive() and not sink._writer.is_alive()
    assert sink._process.poll() is not None
