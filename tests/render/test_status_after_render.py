"""`status` after a real render: its length with pauses is what the finished files last."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.cli import app
from audiobook_tts.render import RenderOptions, render_book
from audiobook_tts.tts.options import GenerationOptions
from tests.fixtures.audio import decode

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "examples" / "the-lamplighters-almanac.md"


def test_status_length_with_pauses_is_the_m4b_length(tiny_checkpoint, voice_wav, tmp_path):
    out = tmp_path / "out"
    options = RenderOptions(out_dir=out, config=str(tiny_checkpoint[0]), voice=str(voice_wav),
                            generation=GenerationOptions(eos_threshold=-1e9))  # fmt: skip
    result = render_book(BOOK, options, lambda event: None)

    run = CliRunner().invoke(app, ["status", str(out), "--json"])
    assert run.exit_code == 0, run.output
    status = json.loads(run.output)
    assert status["done"] == status["total"] == result.rendered
    assert status["speech_seconds"] == pytest.approx(result.audio_seconds, abs=0.001)
    assert status["seconds_with_pauses"] > status["speech_seconds"] + 5  # the pauses are counted, and many

    ffmpeg = find_ffmpeg()
    m4b = next(p for p in result.files if p.suffix == ".m4b")
    assert status["seconds_with_pauses"] == pytest.approx(len(decode(ffmpeg, m4b)) / 24000, abs=0.1)
    assert status["seconds_with_pauses"] == pytest.approx(result.book_seconds, abs=0.001)  # as the summary
    mp3s = sorted(p for p in result.files if p.suffix == ".mp3")
    chapters = [c["seconds_with_pauses"] for c in status["chapters"]]
    assert len(mp3s) == len(chapters) == 3
    assert chapters == pytest.approx([len(decode(ffmpeg, mp3)) / 24000 for mp3 in mp3s], abs=0.1)
