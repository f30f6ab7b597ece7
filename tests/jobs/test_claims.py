"""The claim protocol of worker processes, with real processes racing on a real index."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from audiobook_tts.jobs import Job, JobError
from audiobook_tts.jobs.claims import WORKERS_DIRNAME, WorkerLock, wait_for_dead_workers

ROOT = Path(__file__).resolve().parents[2]

# A worker: claims groups until none is left, printing each and holding it 5 ms as if rendering it; `hold`
# keeps its first claim and sleeps.
WORKER = """
import sys, time
from audiobook_tts.jobs import Job
from audiobook_tts.jobs.claims import WorkerLock

out, mode = sys.argv[1], sys.argv[2]
job = Job.open_for_worker(out)
with WorkerLock.acquire(job.directory) as me:
    print("READY", flush=True)
    sys.stdin.readline()  # start together
    while (group := job.claim_group(me.name)) is not None:
        print(group, flush=True)
        time.sleep(600 if mode == "hold" else 0.005)
        job.finish_group(group)
"""


def start_worker(out: Path, mode: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(out), mode],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout.readline() == "READY\n"
    return process


def test_two_processes_never_claim_the_same_group(tmp_path):
    groups = range(200)  # >= 1 s of work for one worker alone: the other one surely gets some
    with Job.open(tmp_path) as job:
        job.reset_claims(groups)
        workers = [start_worker(tmp_path, "all") for _ in range(2)]
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        claimed = [[int(line) for line in worker.communicate(timeout=120)[0].split()] for worker in workers]
        assert all(worker.returncode == 0 for worker in workers)
        assert all(claimed), "both workers got some groups"  # they really raced
        assert sorted(claimed[0] + claimed[1]) == list(groups)  # each group exactly once
        assert job.unfinished_groups() == 0


def test_a_dead_workers_claim_is_taken_again(tmp_path):
    with Job.open(tmp_path) as job:
        job.reset_claims([0, 1, 2])
        holder = start_worker(tmp_path, "hold")
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline() == "0\n"
        with WorkerLock.acquire(job.directory) as me:
            assert job.claim_group(me.name) == 1  # group 0's holder is alive
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            assert job.claim_group(me.name) == 0  # its holder died: free again
            assert job.claim_group(me.name) == 2
            assert job.claim_group(me.name) is None
            assert job.unfinished_groups() == 3  # claimed, none finished
            for group in (0, 1, 2):
                job.finish_group(group)
            assert job.unfinished_groups() == 0


def test_reset_forgets_every_earlier_claim(tmp_path):
    with Job.open(tmp_path) as job:
        job.reset_claims([0, 1])
        with WorkerLock.acquire(job.directory) as me:
            assert job.claim_group(me.name) == 0
            job.finish_group(0)
            job.reset_claims([5])
            assert job.unfinished_groups() == 1
            assert job.claim_group(me.name) == 5


def test_only_the_lock_holder_resets_claims(tmp_path):
    with Job.open(tmp_path) as job:
        job.reset_claims([0])
        worker_view = Job.open_for_worker(tmp_path)
        try:
            with pytest.raises(RuntimeError, match="lock"):
                worker_view.reset_claims([1])
        finally:
            worker_view.close()


def test_opening_a_job_waits_for_the_workers_of_a_killed_render(tmp_path):
    with Job.open(tmp_path) as job:
        job.reset_claims([0])
    orphan = start_worker(tmp_path, "hold")  # a worker whose render is gone, still running
    job_dir = tmp_path / ".audiobook-tts"
    try:
        with pytest.raises(JobError, match=f"a worker \\(pid {orphan.pid}\\) of an earlier render"):
            wait_for_dead_workers(job_dir, timeout=0.2)
    finally:
        os.kill(orphan.pid, signal.SIGKILL)
        orphan.wait()
    with Job.open(tmp_path):
        assert list((job_dir / WORKERS_DIRNAME).iterdir()) == []  # its lock file is cleaned away
