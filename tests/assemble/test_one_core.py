"""Each encoder's threads on one core (Linux; elsewhere ffmpeg starts as any process)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from audiobook_tts.assemble import ffmpeg as ffmpeg_module
from audiobook_tts.assemble.ffmpeg import FfmpegSink, start_on_one_core

linux_only = pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="CPU affinity is Linux's")


def thread_cores(pid: int) -> list[str]:
    """Cpus_allowed_list of every thread of process `pid`."""
    cores = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        status = (task / "status").read_text()
        cores.append(next(line for line in status.splitlines() if line.startswith("Cpus_allowed_list")))
    return cores


@linux_only
def test_an_encoders_threads_all_run_on_one_core_and_the_caller_keeps_its_cores(tmp_path, ffmpeg):
    allowed = os.sched_getaffinity(0)
    sink = FfmpegSink(ffmpeg, 24000, ["-c:a", "aac", "-f", "mp4", str(tmp_path / "a.mp4")], what="a.mp4")
    try:
        sink.write(np.zeros(48000, np.float32))
        deadline = time.monotonic() + 30  # until ffmpeg has started its demuxer, decoder, ... threads
        while len(cores := thread_cores(sink._process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(os.sched_getaffinity(sink._process.pid)) == 1
        assert len(cores) >= 3 and len(set(cores)) == 1  # threads made after the start inherit the core
    finally:
        sink.finish()
    assert os.sched_getaffinity(0) == allowed  # the thread that started it holds its cores again


@linux_only
@pytest.mark.skipif(len(getattr(os, "sched_getaffinity", lambda _: ())(0)) < 2, reason="needs two cores")
def test_processes_running_together_get_different_cores(monkeypatch):
    monkeypatch.setattr(ffmpeg_module, "_on_core", [])  # none of another test's ffmpegs still counted
    sleepers = [start_on_one_core([sys.executable, "-c", "import time; time.sleep(30)"]) for _ in range(2)]
    try:
        first, second = (os.sched_getaffinity(process.pid) for process in sleepers)
        assert len(first) == len(second) == 1 and first != second
        sleepers[0].kill()
        sleepers[0].wait()
        third = start_on_one_core([sys.executable, "-c", "import time; time.sleep(30)"])
        sleepers.append(third)
        assert os.sched_getaffinity(third.pid) == first  # the core the ended one held is free again
    finally:
        for process in sleepers:
            process.kill()
            process.wait()
