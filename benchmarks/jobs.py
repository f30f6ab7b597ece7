"""Cost of the job store next to the audio it keeps: crash-safe writes, resume verification, status.

Writes a book's worth of segments (float32 mono at 24 kHz, each fsynced and renamed, then indexed), reopens
the job and verifies every segment as a resume does (size + SHA-256), and reads the status. Prints each cost
per segment and as a fraction of the audio's duration (the render itself runs at some fraction of real time;
the store should be a rounding error next to it).

    python benchmarks/jobs.py [--hours 1] [--segment-seconds 6] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audiobook_tts.jobs import Job, PlannedChapter, PlannedSegment, read_status, segment_key  # noqa: E402

RATE = 24000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--segment-seconds", type=float, default=6.0)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    count = round(args.hours * 3600 / args.segment_seconds)
    samples = round(args.segment_seconds * RATE)
    audio = np.random.default_rng(0).standard_normal(samples).astype(np.float32) * 0.1
    voice = "0" * 64
    keys = [segment_key(f"Sentence number {i}.", voice, "bench", {}) for i in range(count)]
    chapters = [
        PlannedChapter(
            c + 1,
            f"Chapter {c + 1}",
            [PlannedSegment(k, "text", 0.3, voice) for k in keys[c::20]],
        )
        for c in range(20)
    ]
    work = Path(tempfile.mkdtemp(dir=args.workdir))
    audio_seconds = count * args.segment_seconds
    try:
        with Job.open(work) as job:
            job.set_plan(chapters)
            start = time.perf_counter()
            for key in keys:
                job.write_audio(key, audio)
            write = time.perf_counter() - start
        start = time.perf_counter()
        with Job.open(work) as job:
            assert all(job.has_audio(key) for key in keys)
        verify = time.perf_counter() - start
        start = time.perf_counter()
        status = read_status(work)
        status_time = time.perf_counter() - start
        assert status.done == count
    finally:
        shutil.rmtree(work)

    gigabytes = count * samples * 4 / 1e9
    hours = audio_seconds / 3600
    print(f"{count} segments of {args.segment_seconds:g} s = {hours:.2f} h of audio, {gigabytes:.2f} GB")
    for name, seconds in [("write (fsync, rename, index)", write), ("resume verify (SHA-256)", verify)]:
        print(
            f"{name:30s} {seconds:7.2f} s total, {1000 * seconds / count:6.2f} ms/segment,"
            f" {seconds / audio_seconds:.5f} x real time, {gigabytes / seconds:.2f} GB/s"
        )
    print(f"{'status':30s} {status_time * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
