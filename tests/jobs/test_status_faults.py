"""`status` on a sound job that it cannot write to, or whose WAL vanished: the truth, never `--fresh`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audiobook_tts.jobs import Job, JobError, read_status
from tests.fixtures.disk import read_only_view
from tests.fixtures.jobs import book_plan, samples_for

ROOT = Path(__file__).resolve().parents[2]


def status_cli(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", "status", str(directory), "--json", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )


def build(out: Path, done: int = 4) -> list:
    plan = book_plan(chapters=2, per_chapter=3)
    segments = [s for c in plan for s in c.segments]
    with Job.open(out) as job:
        job.set_plan(plan)
        for segment in segments[:done]:
            job.write_audio(segment.key, samples_for(segment.key))
    return segments


def test_status_of_a_read_only_job_folder(tmp_path):
    build(tmp_path / "job")
    with read_only_view(tmp_path / "job", tmp_path / "ro") as view:
        # Before: "index.sqlite is unreadable (unable to open database file); run again with --fresh".
        result = status_cli(view)
        assert result.returncode == 0, result.stderr
        assert '"done": 4' in result.stdout and '"total": 6' in result.stdout
        assert result.stderr == ""
        assert read_status(view, verify=True).done == 4


def test_status_of_a_read_only_view_of_a_running_render(tmp_path):
    segments = build(tmp_path / "job", done=2)
    with Job.open(tmp_path / "job") as job:  # a render holds the job; its last rows are in the WAL only
        for segment in segments[2:5]:
            job.write_audio(segment.key, samples_for(segment.key))
        assert (job.directory / "index.sqlite-wal").stat().st_size > 0
        # (in another process: SQLite keeps a closed file open while its process holds locks on the inode)
        with read_only_view(tmp_path / "job", tmp_path / "ro") as view:
            result = status_cli(view)
            assert result.returncode == 0 and result.stderr == ""
            assert '"done": 5' in result.stdout


def test_status_after_the_wal_is_removed_mid_render(tmp_path):
    segments = build(tmp_path, done=3)
    job = Job.open(tmp_path)
    for segment in segments[3:5]:
        job.write_audio(segment.key, samples_for(segment.key))
    (job.directory / "index.sqlite-wal").unlink()  # e.g. a clean-up script; the render holds it open
    # Before: "index.sqlite is unreadable (disk I/O error); run again with --fresh to start over".
    result = status_cli(tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"done": 3' in result.stdout  # the rows checkpointed into the index; the rest were in the WAL
    job.write_audio(segments[5].key, samples_for(segments[5].key))
    job.close()
    # The job is intact and resumes: segments whose rows were lost are simply rendered again.
    with Job.open(tmp_path) as job:
        missing = [s for s in segments if not job.has_audio(s.key)]
        for segment in missing:
            job.write_audio(segment.key, samples_for(segment.key))
        assert job.status(verify=True).done == 6
        for segment in segments:
            np.testing.assert_array_equal(job.read_audio(segment.key), samples_for(segment.key))


def test_a_damaged_index_says_what_fresh_discards_and_how_to_keep_a_copy(tmp_path):
    build(tmp_path)
    job_dir = tmp_path / ".audiobook-tts"
    (job_dir / "index.sqlite").write_bytes(b"garbage" * 1000)
    result = status_cli(tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: job index {job_dir / 'index.sqlite'} is unreadable (file is not a database): it is damaged. "
        f"--fresh would start the job over by deleting {job_dir}, every rendered segment in it included; "
        f"to keep a copy first, run `cp -a {job_dir} {job_dir}.bak`\n"
    )


def test_status_checks_files_by_size_and_with_verify_by_checksum(tmp_path):
    segments = build(tmp_path, done=6)
    audio = tmp_path / ".audiobook-tts" / "audio"
    (audio / f"{segments[0].key}.f32").unlink()
    flipped = audio / f"{segments[1].key}.f32"
    data = bytearray(flipped.read_bytes())
    data[100] ^= 1
    flipped.write_bytes(bytes(data))
    # Before: 6/6 whatever the files held.
    assert (read_status(tmp_path).done, read_status(tmp_path).damaged) == (5, 1)  # size: the deleted one
    checked = read_status(tmp_path, verify=True)
    assert (checked.done, checked.damaged, checked.total) == (4, 2, 6)
    with Job.open(tmp_path) as job:  # a resume finds the same two and redoes them
        assert [s.key for s in segments if not job.has_audio(s.key)] == [segments[0].key, segments[1].key]


def test_an_audio_folder_that_is_a_file_is_one_line_and_the_job_resumes(tmp_path):
    segments = build(tmp_path, done=2)
    audio = tmp_path / ".audiobook-tts" / "audio"
    shutil.move(audio, tmp_path / "kept-audio")
    audio.write_text("not a folder")
    with pytest.raises(JobError) as error:  # was a FileExistsError traceback
        Job.open(tmp_path)
    assert str(error.value) == (
        f"{audio} is a file where the job keeps its audio folder; move it away and run again "
        "(the rest of the job is kept)"
    )
    audio.unlink()
    shutil.move(tmp_path / "kept-audio", audio)
    with Job.open(tmp_path) as job:
        assert [job.has_audio(s.key) for s in segments] == [True, True, False, False, False, False]
