"""`audiobook-tts status DIR` on a job built with the real store."""

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from audiobook_tts.cli import app, hms
from audiobook_tts.jobs import Job
from tests.fixtures.jobs import book_plan, samples_for

ROOT = Path(__file__).resolve().parents[2]


def build_job(out: Path) -> None:
    plan = book_plan(chapters=3, per_chapter=4)
    with Job.open(out) as job:
        job.set_plan(plan)
        # A low sample rate keeps the files small; seconds come from samples / rate either way.
        for segment in plan[0].segments:
            job.write_audio(segment.key, samples_for(segment.key, 1000 * 930), sample_rate=1000)  # 15:30 each
        first = plan[1].segments[0]
        job.write_audio(first.key, samples_for(first.key, 24_000 * 5))


def test_hms():
    assert [hms(s) for s in (0, 59.4, 61, 3600, 3 * 3600 + 62 * 60 + 5.6)] == [
        "0:00:00",
        "0:00:59",
        "0:01:01",
        "1:00:00",
        "4:02:06",
    ]


def test_status_table(tmp_path, monkeypatch):
    """At a fixed 80 columns, with a short relative path: a machine's temp path must not change the layout.
    Speech and length with pauses are told apart: each finished segment of the plan has 0.4 s after it."""
    monkeypatch.chdir(tmp_path)
    build_job(Path("job"))
    result = CliRunner().invoke(app, ["status", "job"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines) and "…" not in result.output
    assert lines[0] == "job: 5/12 segments, 1:02:05 of speech, 1:02:07 long with its pauses"
    header = next(line for line in lines if "chapter" in line)
    assert "speech" in header and "with pauses" in header
    assert "speech: the audio rendered; with pauses: its length in the M4B" in result.output
    row = {
        title: line for line in lines for title in ("Chapter 1", "Chapter 2", "Chapter 3") if title in line
    }
    assert "4/4" in row["Chapter 1"] and "1:02:00 │     1:02:02" in row["Chapter 1"]
    assert "done" in row["Chapter 1"]
    assert "1/4" in row["Chapter 2"] and "0:00:05" in row["Chapter 2"] and "3 (" in row["Chapter 2"]
    assert "0/4" in row["Chapter 3"] and "0:00:00" in row["Chapter 3"] and "4 (" in row["Chapter 3"]


def test_status_json(tmp_path):
    build_job(tmp_path)
    result = CliRunner().invoke(app, ["status", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["done"], data["total"]) == (5, 12)
    assert (data["speech_seconds"], data["seconds_with_pauses"]) == (3725.0, 3727.0)  # 5 pauses of 0.4 s
    assert [
        (c["title"], c["done"], c["total"], c["remaining"], c["speech_seconds"], c["seconds_with_pauses"])
        for c in data["chapters"]
    ] == [
        ("Chapter 1", 4, 4, 0, 3720.0, 3721.6),
        ("Chapter 2", 1, 4, 3, 5.0, 5.4),
        ("Chapter 3", 0, 4, 4, 0.0, 0.0),
    ]


def test_status_of_a_directory_without_a_job_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", "status", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1
    assert (
        result.stderr
        == f"error: {tmp_path} holds no render job (no .audiobook-tts/index.sqlite); render into it first\n"
    )
