"""`audiobook-tts inspect BOOK` on real corpus books, with the session tokenizer and with the estimate."""

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from audiobook_tts.cli import app
from tests.fixtures.shared import CORPUS

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def inspect_json(*args: str) -> dict:
    result = runner.invoke(app, ["inspect", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_summary_with_the_models_tokenizer(tokenizer_files):
    out = inspect_json(str(CORPUS / "alice-gutenberg-pg11.epub"), "--tokenizer", str(tokenizer_files[0]))
    assert out["title"].startswith("Alice")
    assert out["token_counter"] == f"tokenizer {tokenizer_files[0]}"
    chapters = out["chapters"]
    read = [c for c in chapters if c["included"]]
    assert len(read) == 12 and read[0]["title"].startswith("CHAPTER I")
    assert all(0 < c["max_tokens_used"] <= 50 for c in read)
    assert all(c["excluded_reason"] for c in chapters if not c["included"])
    assert out["words"] == sum(c["words"] for c in read) > 25_000
    # About 27,000 words at 155 a minute is close to three hours, plus the pauses.
    assert 2.8 * 3600 < out["seconds"] < 3.6 * 3600


def test_segments_in_json_are_what_will_be_spoken(tokenizer_files):
    out = inspect_json(str(CORPUS / "trees.epub"), "--segments", "--tokenizer", str(tokenizer_files[0]))
    first = next(c for c in out["chapters"] if c["included"])
    assert first["segment_list"][0] == {
        "text": "Classification.",
        "pause_after": 1.2,
        "block_index": 0,
        "kind": "title",
    }
    assert len(first["segment_list"]) == first["segments"]
    assert first["segment_list"][-1]["pause_after"] == 2.5


def test_front_matter_option_reads_it(tokenizer_files):
    args = [str(CORPUS / "trees.epub"), "--tokenizer", str(tokenizer_files[0])]
    default = inspect_json(*args)
    with_front = inspect_json(*args, "--include-front-matter")
    assert with_front["included_chapters"] > default["included_chapters"]
    assert with_front["words"] > default["words"]


def test_table_and_segments(tokenizer_files):
    result = runner.invoke(
        app, ["inspect", str(CORPUS / "wasteland.epub"), "--segments", "--tokenizer", str(tokenizer_files[0])]
    )
    assert result.exit_code == 0, result.output
    assert "The Waste Land" in result.stdout
    assert "no: back matter" in result.stdout
    assert "April is the cruellest month, breeding, Lilacs" in result.stdout  # verse lines packed
    assert "0.40s" in result.stdout  # a verse line's pause


def test_estimate_when_the_model_tokenizer_is_unavailable():
    # The session's HF cache is empty and offline: the default model's tokenizer cannot be had.
    result = runner.invoke(app, ["inspect", str(CORPUS / "trees.epub"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["token_counter"].startswith("estimated token counts")
    assert out["segments"] > 0


def test_bad_input_is_one_line_and_exit_1(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    missing = subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", "inspect", str(tmp_path / "nope.epub")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and missing.stderr.startswith("error: ")
    assert "nope.epub" in missing.stderr
    bad_notes = runner.invoke(app, ["inspect", str(CORPUS / "trees.epub"), "--notes", "sideways"])
    assert bad_notes.exit_code == 1
    assert "--notes must be drop, inline or chapter_end" in bad_notes.output
