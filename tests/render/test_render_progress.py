"""What a render tells a person while it runs, and after: its events, the summary and its first line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.render import RenderOptions, render_book
from audiobook_tts.tts.options import GenerationOptions
from tests.fixtures.audio import decode

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "examples" / "the-lamplighters-almanac.md"


@pytest.fixture
def args(tiny_checkpoint, voice_wav, tmp_path) -> list[str]:
    out, config = tmp_path / "out", tiny_checkpoint[0]
    return ["--out", str(out), "--config", str(config), "--voice", str(voice_wav), "--eos-threshold", "-1e9"]


def test_events_name_what_loads_then_count_segments_then_assembly(tiny_checkpoint, voice_wav, tmp_path):
    options = RenderOptions(out_dir=tmp_path / "out", config=str(tiny_checkpoint[0]), voice=str(voice_wav),
                            generation=GenerationOptions(eos_threshold=-1e9))  # fmt: skip
    events = []
    result = render_book(BOOK, options, events.append)

    loads = [f"book {BOOK.name}", f"model {tiny_checkpoint[0]}", "voice voice_espeak",
             "encoders (a one-second test encode)", "plan of 3 chapters"]  # fmt: skip
    assert [e.message for e in events if e.kind == "load"] == loads
    assert events[0].kind == "load"
    (plan,) = [e for e in events if e.kind == "plan"]
    segments = [e for e in events if e.kind == "segment"]
    assert plan.chapters == 3 and plan.total == len(segments) == result.rendered
    assert all(e.chapters == 3 and 1 <= e.chapter <= 3 for e in segments)
    times = [e.generation_seconds for e in segments]
    assert times == sorted(times) and times[-1] == result.generation_seconds > 0
    assert segments[-1].audio_seconds == result.audio_seconds
    assert result.speed == result.audio_seconds / result.generation_seconds  # one figure, live and after

    assembly = [e for e in events if e.kind == "assemble"]
    # chapter by chapter as each is stored: measured, levelled, and its MP3 closed once the next chapter's
    # audio has pushed the limiter's tail through; then every file checked (3 MP3s, the M4B)
    assert [(e.message, e.chapter) for e in assembly] == [
        ("measure", 1), ("check", 1), ("measure", 2), ("check", 2), ("encode", 1), ("measure", 3),
        ("check", 3), ("encode", 2), ("encode", 3), ("verify", 1), ("verify", 2), ("verify", 3),
        ("verify", 4),
    ]  # fmt: skip
    encoded = [e.encoded_seconds for e in assembly if e.message == "encode"]
    assert encoded == sorted(encoded) and encoded[-1] == pytest.approx(result.book_seconds, abs=0.01)
    # the audio's real length, pauses included: what the M4B lasts, well over the speech alone
    m4b = next(p for p in result.files if p.suffix == ".m4b")
    assert len(decode(find_ffmpeg(), m4b)) / 24000 == pytest.approx(result.book_seconds, abs=0.001)
    assert result.book_seconds > result.audio_seconds + 5
    assert events[-1].kind == "done"


def test_summary_gives_length_with_pauses_total_time_and_the_speed(args):
    run = subprocess.run([sys.executable, "-m", "audiobook_tts.cli", "render", str(BOOK), *args, "--json"],
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["kind"] == "result" and result["book_seconds"] > result["audio_seconds"] > 0
    assert result["speed"] == pytest.approx(result["audio_seconds"] / result["generation_seconds"], rel=0.01)
    assert result["wall_seconds"] > result["generation_seconds"]

    again = subprocess.run([sys.executable, "-m", "audiobook_tts.cli", "render", str(BOOK), *args],
                           capture_output=True, text=True)  # fmt: skip
    assert again.returncode == 0, again.stderr
    first, second = again.stdout.splitlines()[:2]
    length = round(result["book_seconds"])
    assert f": 5 files, 0:00:{length:02d} long with its pauses, made in 0:0" in first  # + loudness.json
    assert second == "0 segments rendered (0:00:00 of speech at 0.0x real time), 22 already done"
    # stderr is not a terminal here: plain lines, the first naming the book at once
    log = again.stderr.splitlines()
    assert log[0] == f"loading book {BOOK.name}" and "rendering 22 segments, 3 chapters" in log
    assert not any(line.startswith("first segment stored") for line in log)  # stored by the first run
