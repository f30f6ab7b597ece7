"""Issue 17's faults through the real command: each reproduces what a user did, and checks the one line, the
exit code, and a job that is intact and resumes (tiny random-weight model, real ffmpeg, real files)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from audiobook_tts.jobs import read_status

ROOT = Path(__file__).resolve().parents[2]
BOOK = """---
title: A Small Book
author: Ann Author
---

# The First Chapter

The lamp was lit at dusk. Nobody saw who lit it.

# The Second Chapter

Morning came over the quay. The lamp went out by itself.
"""


def cli(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        cwd=ROOT,
        timeout=timeout,
    )


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "small.md"
    path.write_text(BOOK, encoding="utf-8")
    return path


@pytest.fixture
def render(tiny_checkpoint, voice_wav, tmp_path):
    def run(book: Path, *extra: str, out: Path | None = None, voice: Path | str = voice_wav, env=None):
        args = ["render", book, "--out", out or tmp_path / "out", "--config", tiny_checkpoint[0]]
        return cli(*args, "--voice", voice, "--eos-threshold", "-1e9", "--quiet", *extra, env=env)

    return run


def one_line(run: subprocess.CompletedProcess, code: int = 1) -> str:
    lines = run.stderr.strip().splitlines()
    assert run.returncode == code and len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    return lines[0].removeprefix("error: ")


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".partial") or p.name.startswith(".tmp-")]


# ---- 1 and 4: voices ---------------------------------------------------------------------------------------


def test_an_empty_wav_voice_is_one_line_in_render_say_and_export_voice(
    render, book, tiny_checkpoint, tmp_path
):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    expected = f"voice audio {empty} is empty or cut off inside its header; export the recording again"
    assert one_line(render(book, voice=empty)) == f"voice '{empty}': {expected}"  # was "Aborted."
    config = ["--config", tiny_checkpoint[0]]
    assert one_line(cli("say", "Hello.", "--out", tmp_path / "a.wav", "--voice", empty, *config)) == expected
    assert one_line(cli("export-voice", empty, tmp_path / "v.safetensors", *config)) == expected
    assert render(book).returncode == 0  # the job the failure left behind resumes


def test_a_long_recording_is_cut_with_a_note(tiny_checkpoint, tmp_path):
    long = tmp_path / "long.wav"
    with wave.open(str(long), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(24000)
        for second in range(600):  # ten minutes of a quiet buzz, written a second at a time
            f.writeframes(bytes([second % 7, 1]) * 24000)
    run = cli("export-voice", long, tmp_path / "v.safetensors", "--config", tiny_checkpoint[0])
    assert run.returncode == 0, run.stderr
    assert (
        f"note: voice recording {long} lasts 600 s: the voice is cloned from its first 30 s only"
        in run.stderr
    )


@pytest.mark.parametrize("kind", ["missing state", "folder named .wav"])
def test_voice_files_that_are_not_files_are_one_line(render, book, tmp_path, kind):
    voice = tmp_path / ("gone.safetensors" if kind == "missing state" else "x.wav")
    if kind == "folder named .wav":
        voice.mkdir()
    message = one_line(render(book, voice=voice))  # were FileNotFoundError / IsADirectoryError tracebacks
    assert "not found: no file" in message and voice.name in message


@pytest.mark.parametrize(
    ("option", "value"),
    [("--temperature", "-1"), ("--temperature", "nan"), ("--eos-threshold", "nan")],
)
def test_generation_values_out_of_range_are_one_line(render, book, option, value):
    message = one_line(render(book, option, value))  # were TypeError ... complex, ValueError
    assert option.removeprefix("--").replace("-", "_") in message.replace("-", "_")


# ---- 5: every option checked, ffmpeg run once, before the model loads --------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--lufs", "100"], {}, "loudness target 100.0 LUFS: give -70 to -5 (default -19)"),
        (["--lufs", "nan"], {}, "loudness target nan LUFS: give -70 to -5 (default -19)"),
        (["--ffmpeg", "/bin/false"], {}, "/bin/false is not a working ffmpeg (`-version` gave exit code 1"),
        (["--preview", "-1"], {}, "--preview -1.0: give the seconds of each chapter to render, more than 0"),
        ([], "bad imageio", "is not a working ffmpeg"),
    ],
    ids=["lufs-100", "lufs-nan", "ffmpeg-false", "preview-negative", "imageio-ffmpeg-exe"],
)
def test_bad_values_fail_before_any_rendering(render, book, tmp_path, args, env, expected):
    if env == "bad imageio":  # no ffmpeg on PATH, so the imageio-ffmpeg one is used: here /bin/true
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        os.symlink(sys.executable, bin_dir / "python")
        env = {"PATH": str(bin_dir), "IMAGEIO_FFMPEG_EXE": "/bin/true"}
    started = time.monotonic()
    message = one_line(render(book, *args, env=env))
    assert expected in message
    assert not (tmp_path / "out" / ".audiobook-tts").exists()  # no model loaded, no job, nothing rendered
    print(f"failed after {time.monotonic() - started:.1f} s")


# ---- 6: outputs manifest -----------------------------------------------------------------------------------


def test_a_renamed_chapter_leaves_no_stale_mp3(render, book, tmp_path):
    out = tmp_path / "out"
    assert render(book).returncode == 0
    assert "02 - The Second Chapter.mp3" in files(out)
    book.write_text(BOOK.replace("The Second Chapter", "The Last Chapter"), encoding="utf-8")
    run = render(book)
    assert run.returncode == 0, run.stderr
    assert sorted(p for p in files(out) if p.endswith(".mp3")) == [
        "01 - The First Chapter.mp3",
        "02 - The Last Chapter.mp3",
    ]
    old = out / ".audiobook-tts" / "old" / "02 - The Second Chapter.mp3"
    assert old.is_file()
    assert "warning: 02 - The Second Chapter.mp3 is no longer part of the book" in run.stderr


def test_a_partial_render_never_replaces_the_whole_book(render, book, tmp_path):
    out = tmp_path / "out"
    assert render(book).returncode == 0
    whole = files(out)
    run = render(book, "--chapters", "1")
    assert run.returncode == 0, run.stderr
    assert files(out) == whole  # the whole-book M4B and MP3s untouched
    partial = files(out / "chapters-1")
    assert sorted(partial) == ["01 - The First Chapter.mp3", "A Small Book (chapters 1).m4b", "loudness.json"]
    states = {o.target: o.state for o in read_status(out).outputs}
    assert states == {"book": "complete", "chapters 1": "complete"}


def test_a_folder_holding_another_book_is_refused(render, book, tmp_path):
    out = tmp_path / "out"
    assert render(book).returncode == 0
    before, audio = files(out), sorted((out / ".audiobook-tts" / "audio").iterdir())
    other = tmp_path / "other.md"
    other.write_text("---\ntitle: Another Book\n---\n\n# One\n\nSomething else entirely.\n", encoding="utf-8")
    message = one_line(render(other))
    assert message == (
        f"{out} holds the job of another book ('A Small Book by Ann Author', not 'Another Book'); render "
        "into another folder with --out (--fresh would delete that book's rendered segments)"
    )
    assert files(out) == before and render(book).returncode == 0
    assert sorted((out / ".audiobook-tts" / "audio").iterdir()) == audio  # not even its first segment


def test_assembly_is_skipped_when_the_outputs_are_up_to_date(render, book, tmp_path):
    out = tmp_path / "out"
    assert render(book).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    run = render(book)
    assert "the book's files are up to date: nothing to assemble" in run.stderr
    assert {p: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == before
    (out / "A Small Book.m4b").unlink()
    assert {o.target: o.state for o in read_status(out).outputs} == {"book": "missing"}
    assert render(book).returncode == 0 and (out / "A Small Book.m4b").is_file()
    status = cli("status", out)
    assert "book files (4): complete" in status.stdout  # the M4B, two MP3s and loudness.json


# ---- 7: SIGTERM --------------------------------------------------------------------------------------------


def test_sigterm_stops_like_ctrl_c_and_leaves_no_temp_files(render, tiny_checkpoint, voice_wav, tmp_path):
    # each sentence its own, so that no segment is reused and the render runs for seconds after its first
    # segment is stored (CI once sent the signal after a shorter render had ended)
    long_book = tmp_path / "long.md"
    chapters = "".join(
        f"## Part {part}\n\n"
        + " ".join(f"The {HILLS[line % 6]} hill of part {part} goes on, line {line}." for line in range(30))
        + "\n\n"
        for part in range(6)
    )
    long_book.write_text("# Long\n\n" + chapters, encoding="utf-8")
    out = tmp_path / "out"
    args = ["render", long_book, "--out", out, "--config", tiny_checkpoint[0], "--voice", voice_wav,
            "--eos-threshold", "-1e9", "--quiet"]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "audiobook_tts.cli", *map(str, args)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
    )  # fmt: skip
    audio = out / ".audiobook-tts" / "audio"
    deadline = time.monotonic() + 300
    while not (audio.is_dir() and any(audio.glob("*.f32"))) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr.strip()) == (
        128 + signal.SIGTERM,  # was 143 too, but silent
        "interrupted: finished segments are kept; run the same command again to resume",
    )
    assert leftovers(out) == []
    assert cli(*args).returncode == 0 and read_status(out).done == read_status(out).total


HILLS = ["amber", "birch", "cedar", "dune", "ember", "heather"]


class _SignalledInFinalizer:
    """Sends SIGTERM from its finalizer and runs on, so the handler's KeyboardInterrupt lands there, where
    Python can only print it (as when a generator closes during a render)."""

    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(100_000))


def _interrupts(call) -> bool:
    try:
        call()
    except KeyboardInterrupt:
        return True
    return False


def test_an_interrupt_python_swallowed_still_stops_the_render(capsys):
    from audiobook_tts.cli.book import stop_on_signals

    with stop_on_signals() as stop:
        _SignalledInFinalizer()  # dropped at once: its finalizer runs here
        assert stop.signals == [signal.SIGTERM]
        assert _interrupts(stop.check)  # at the render's next progress event
        try:
            stop.check()
        except KeyboardInterrupt:
            assert not _interrupts(stop.check)  # a cleanup step's event: the interrupt is being handled
        assert _interrupts(stop.check)  # swallowed again: the next event raises it again
    assert stop.exit_code == 128 + signal.SIGTERM
    assert capsys.readouterr().err == ""  # not printed as an ignored exception
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


# ---- 8: status checks the files ----------------------------------------------------------------------------


def test_status_counts_only_segments_whose_files_check(render, book, tmp_path):
    out = tmp_path / "out"
    assert render(book).returncode == 0
    segments = sorted((out / ".audiobook-tts" / "audio").glob("*.f32"))
    segments[0].unlink()
    data = bytearray(segments[1].read_bytes())
    data[8] ^= 0xFF
    segments[1].write_bytes(bytes(data))
    total = len(segments)
    assert f"{total - 1}/{total} segments" in " ".join(cli("status", out).stdout.split())  # wrapped or not
    verified = cli("status", out, "--verify")
    assert f"{total - 2}/{total} segments" in " ".join(verified.stdout.split())
    assert "2 segment files are missing or damaged (checked by checksum)" in verified.stdout
    assert render(book).returncode == 0 and read_status(out, verify=True).done == total


# ---- 10: another ffmpeg on resume --------------------------------------------------------------------------


def test_a_resume_with_another_ffmpeg_says_so_and_keeps_every_segment(render, book, tmp_path):
    import imageio_ffmpeg

    out = tmp_path / "out"
    bundled = imageio_ffmpeg.get_ffmpeg_exe()
    other = tmp_path / "bin" / "ffmpeg"  # another executable (no system ffmpeg needed): a copy elsewhere
    other.parent.mkdir()
    shutil.copy2(bundled, other)
    assert render(book, "--ffmpeg", str(other)).returncode == 0
    segments = {p.name: p.stat().st_mtime_ns for p in (out / ".audiobook-tts" / "audio").iterdir()}
    run = render(book, "--ffmpeg", bundled)
    assert run.returncode == 0, run.stderr
    assert f"this job's files were encoded with {other} (ffmpeg version" in run.stderr
    assert (
        f"this run used {bundled} (ffmpeg version" in run.stderr
        and "every rendered segment was kept" in run.stderr
    )
    assert {p.name: p.stat().st_mtime_ns for p in (out / ".audiobook-tts" / "audio").iterdir()} == segments
