"""A full disk during a write: one line naming the path, no temp file, the index untouched, resumable."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audiobook_tts.jobs import Job, JobError
from audiobook_tts.jobs.store import TEMP_PREFIX
from tests.fixtures.disk import tiny_tmpfs
from tests.fixtures.jobs import book_plan, samples_for

ROOT = Path(__file__).resolve().parents[2]


def rows(job: Job) -> list[tuple]:
    return job._db.execute("SELECT * FROM audio ORDER BY key").fetchall()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs (needs root and mount rights; skipped elsewhere, the RLIMIT_FSIZE test still runs)."""
    with tiny_tmpfs(tmp_path / "disk", "1m") as mount_point:
        yield mount_point


def test_enospc_on_a_tiny_tmpfs(tiny_disk):
    plan = book_plan()
    small, big = plan[0].segments[0].key, plan[0].segments[1].key
    with Job.open(tiny_disk) as job:
        job.set_plan(plan)
        job.write_audio(small, samples_for(small, 24_000))  # 96 kB fits
        before = rows(job)
        with pytest.raises(JobError) as error:
            job.write_audio(big, samples_for(big, 500_000))  # 2 MB does not
        message = str(error.value)
        assert "\n" not in message
        assert message.startswith(f"cannot write {job.audio_path(big)}: No space left on device")
        assert list(tiny_disk.rglob(f"{TEMP_PREFIX}*")) == []
        assert not job.audio_path(big).exists()
        assert rows(job) == before and job.has_audio(small) and not job.has_audio(big)
    # The user frees space (here: the disk grows); the same job carries on.
    subprocess.run(["mount", "-o", "remount,size=8m", str(tiny_disk)], check=True)
    with Job.open(tiny_disk) as job:
        job.write_audio(big, samples_for(big, 500_000))
        assert job.has_audio(big) and job.has_audio(small)


CHILD = """
import resource, signal, sys
from audiobook_tts.jobs import Job, JobError
from tests.fixtures.jobs import samples_for

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so the limit gives EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
with Job.open(sys.argv[1]) as job:
    try:
        job.write_audio(sys.argv[2], samples_for(sys.argv[2], 500_000))
    except JobError as error:
        print(error)
        sys.exit(3)
"""


def test_file_size_limit_is_reported_like_a_full_disk(tmp_path):
    plan = book_plan()
    small, big = plan[0].segments[0].key, plan[0].segments[1].key
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        job.write_audio(small, samples_for(small))
        before = rows(job)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), big],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert child.returncode == 3, child.stderr
    lines = child.stdout.splitlines()
    assert len(lines) == 1
    with Job.open(tmp_path) as job:
        assert lines[0].startswith(f"cannot write {job.audio_path(big)}: File too large")
        assert list(tmp_path.rglob(f"{TEMP_PREFIX}*")) == []
        assert rows(job) == before and not job.has_audio(big)
        job.write_audio(big, samples_for(big, 500_000))  # without the limit, the job resumes
        np.testing.assert_array_equal(job.read_audio(big), samples_for(big, 500_000))
