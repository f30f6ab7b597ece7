"""Kill -9 a real writer process at any point: the job reopens consistent and finishes with the same files.

The child is a real process running the real Job code. To kill it at an exact point of a write, the child
wraps one of the calls a write makes (fsync of the data, the rename, the fsync of the directory) so that it
announces itself and sleeps there; the parent reads the announcement and sends SIGKILL.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from audiobook_tts.jobs import Job, JobError
from audiobook_tts.jobs.store import TEMP_PREFIX, file_sha256
from tests.fixtures.jobs import book_plan, samples_for

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS, PER_CHAPTER = 3, 4

CHILD = f"""
import os, sys, time
from audiobook_tts.jobs import Job
import audiobook_tts.jobs.store as store
from tests.fixtures.jobs import book_plan, samples_for

out, stop_at, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

def stopping(name, real):
    def wrapper(*args):
        print("STOPPED", name, flush=True)
        time.sleep(600)
        return real(*args)
    return wrapper

plan = book_plan(chapters={CHAPTERS}, per_chapter={PER_CHAPTER})
with Job.open(out) as job:
    job.set_plan(plan)
    print("OPEN", os.getpid(), flush=True)
    if stop_at == "hold":
        time.sleep(600)
    # Stop points apply to segment writes only (opening the job fsyncs too).
    if stop_at == "fsync":  # data written to the temp file, not yet durable
        os.fsync = stopping("fsync", os.fsync)
    elif stop_at == "rename":  # temp file durable, not yet renamed
        os.replace = stopping("rename", os.replace)
    elif stop_at == "row":  # file renamed into place, index row not yet inserted
        store.fsync_dir = stopping("row", store.fsync_dir)
    for chapter in plan:
        for segment in chapter.segments:
            if not job.has_audio(segment.key):
                samples = samples_for(segment.key, n)
                print("WRITING", flush=True)
                job.write_audio(segment.key, samples)
print("FINISHED", flush=True)
"""


def start(out: Path, stop_at: str = "never", samples: int = 4800) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out), stop_at, str(samples)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def wait_for(child: subprocess.Popen, word: str) -> str | None:
    """The child's next line starting with `word`, or None if it finished first."""
    for line in child.stdout:
        if line.startswith(word):
            return line
    return None


def kill(child: subprocess.Popen) -> bool:
    """SIGKILL the child; True if the kill ended it (False if it had already finished)."""
    child.send_signal(signal.SIGKILL)
    code = child.wait()
    child.stdout.close()
    assert code in (0, -signal.SIGKILL)
    return code == -signal.SIGKILL


def run_to_the_end(out: Path, samples: int = 4800) -> None:
    child = start(out, samples=samples)
    out_text, _ = child.communicate()
    assert child.returncode == 0 and "FINISHED" in out_text


def temps(out: Path) -> list[Path]:
    return list((out / ".audiobook-tts").rglob(f"{TEMP_PREFIX}*"))


def check_consistent(out: Path, samples: int = 4800) -> int:
    """Every row's file verifies and holds exactly the key's audio; returns how many segments are done."""
    plan = book_plan(chapters=CHAPTERS, per_chapter=PER_CHAPTER)
    with Job.open(out) as job:
        assert temps(out) == []  # a dead writer's temp files are gone, never taken for audio
        done = 0
        for chapter in plan:
            for segment in chapter.segments:
                if job.has_audio(segment.key):
                    expected = samples_for(segment.key, samples)
                    np.testing.assert_array_equal(job.read_audio(segment.key), expected)
                    done += 1
        rows = job._db.execute("SELECT key, sha256 FROM audio").fetchall()
        assert len(rows) == done
        for key, sha in rows:
            assert file_sha256(job.audio_path(key)) == sha
    return done


def snapshot(out: Path) -> dict[str, bytes]:
    """The job's audio files and audio rows: what must equal an uninterrupted run's."""
    files = {p.name: p.read_bytes() for p in sorted((out / ".audiobook-tts" / "audio").iterdir())}
    with Job.open(out) as job:
        rows = job._db.execute("SELECT * FROM audio ORDER BY key").fetchall()
    return {"files": files, "rows": rows}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("uninterrupted")
    run_to_the_end(out)
    return snapshot(out)


@pytest.mark.parametrize("stop_at", ["fsync", "rename", "row"])
def test_kill_in_the_middle_of_a_write(tmp_path, stop_at, uninterrupted):
    child = start(tmp_path, stop_at)
    assert wait_for(child, "STOPPED")
    kill(child)
    first_key = book_plan(chapters=CHAPTERS, per_chapter=PER_CHAPTER)[0].segments[0].key
    final = tmp_path / ".audiobook-tts" / "audio" / f"{first_key}.f32"
    if stop_at == "row":
        assert final.exists() and temps(tmp_path) == []  # complete file, no row: still not done
    else:
        assert not final.exists() and len(temps(tmp_path)) == 1  # killed with a temp file on disk
    assert check_consistent(tmp_path) == 0
    run_to_the_end(tmp_path)
    assert check_consistent(tmp_path) == CHAPTERS * PER_CHAPTER
    assert snapshot(tmp_path) == uninterrupted


def test_kill_at_random_moments_then_resume(tmp_path):
    # Each run is killed after it starts its 1st to 4th write, a random part of a write's time later
    # (2 MB segments take some milliseconds to write and fsync), so many kills land inside a write.
    samples = 500_000
    rng = random.Random(1234)
    history, kills, mid_write = [], 0, 0
    for _ in range(30):  # each round is a kill or the end; a bound keeps an unlucky draw finite
        child = start(tmp_path, samples=samples)
        wait_for(child, "OPEN")
        for _ in range(rng.randrange(1, 5)):
            wait_for(child, "WRITING")
        time.sleep(rng.uniform(0.0, 0.02))
        killed = kill(child)
        kills += killed
        mid_write += bool(temps(tmp_path))
        history.append(check_consistent(tmp_path, samples))
        if not killed:
            break
    else:
        run_to_the_end(tmp_path, samples)
        history.append(check_consistent(tmp_path, samples))
    print(f"{kills} kills, {mid_write} inside a write")
    assert history[-1] == CHAPTERS * PER_CHAPTER
    assert kills >= 2  # the render really was interrupted, more than once
    assert history == sorted(history)  # progress is never lost
    for path in (tmp_path / ".audiobook-tts" / "audio").iterdir():
        np.testing.assert_array_equal(np.fromfile(path, dtype="<f4"), samples_for(path.stem, samples))


def test_second_process_is_refused_and_the_lock_dies_with_its_holder(tmp_path):
    holder = start(tmp_path, "hold")
    pid = int(wait_for(holder, "OPEN").split()[1])
    with pytest.raises(JobError, match=rf"another render is using .*\.audiobook-tts \(pid {pid}\)"):
        Job.open(tmp_path)
    # A second real render process is refused too, with the same one-line message.
    second = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from audiobook_tts.jobs import Job; Job.open(sys.argv[1])",
            tmp_path,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert second.returncode != 0 and f"(pid {pid})" in second.stderr
    kill(holder)
    with Job.open(tmp_path) as job:  # kill -9 released the lock
        assert len(job.plan()) == CHAPTERS
