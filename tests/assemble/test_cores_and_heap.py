"""What the assembler asks of the operating system for speed: each encoder's threads on one core, and a C heap
that keeps what numpy frees. Both are Linux (glibc) matters; elsewhere they change nothing."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from audiobook_tts.assemble.ffmpeg import FfmpegSink, start_on_one_core

ROOT = Path(__file__).resolve().parents[2]
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
        time.sleep(0.5)  # ffmpeg has started its demuxer, decoder, filter, encoder and muxer threads
        assert len(os.sched_getaffinity(sink._process.pid)) == 1
        cores = thread_cores(sink._process.pid)
        assert len(cores) >= 3 and len(set(cores)) == 1  # threads made after the start inherit the core
    finally:
        sink.finish()
    assert os.sched_getaffinity(0) == allowed  # the thread that started it holds its cores again


@linux_only
@pytest.mark.skipif(len(getattr(os, "sched_getaffinity", lambda _: ())(0)) < 2, reason="needs two cores")
def test_processes_running_together_get_different_cores():
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


# bursts of numpy temporaries, 10 x 3 MB alive at once and then all freed, as the limiter and the meters make
# them per block; the page faults of the last bursts, once the heap had its chance to keep the memory
BURSTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from audiobook_tts.assemble.heap import keep_freed_memory
    keep_freed_memory()
def burst():
    arrays = [np.ones(3 << 18, np.float32) for _ in range(10)]
    return sum(float(a[-1]) for a in arrays)
for _ in range(5):
    burst()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    burst()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(mode: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", BURSTS, mode], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return int(run.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's heap")
def test_kept_heap_memory_is_not_faulted_in_again():
    kept, default = faults("keep"), faults("default")
    # 20 bursts of 30 MB: ~150 000 pages faulted afresh when the heap gives them back, none when it keeps them
    assert kept < 2000
    assert default > 50 * kept
