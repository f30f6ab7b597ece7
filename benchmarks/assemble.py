"""Memory and speed of assembly on a long book: RSS must stay flat however many hours go through.

Synthesises a book lazily (speech-like segments drawn from a small bank, with pauses; nothing kept in memory
beyond the bank), assembles it to M4B and per-chapter MP3s with real ffmpeg, and prints our resident memory
at each hour of audio encoded, the peak RSS of this process and of its ffmpeg children, and wall time and CPU
time (this process plus its finished ffmpeg children: the figure that holds on a loaded machine) per audio
hour for each pass (measure, check, encode, verify: the time up to each of a pass's progress calls counts
for that pass, since the chapters go through them one by one), and how much of the CPU is this process
(limiter, gain, meters' sums) rather than ffmpeg.

    python benchmarks/assemble.py [--hours 10] [--chapter-minutes 20] [--formats m4b,mp3] [--workdir DIR]
                                  [--tree DIR]

--tree runs the audiobook_tts package of another checkout (e.g. /work/main) with this script; --ffmpeg PATH
assembles with another ffmpeg than the one assemble() finds (e.g. a distribution's /usr/bin/ffmpeg).

The heap is first left as a render's process has it when it assembles (`render_like_heap`); --fresh-heap
measures a fresh process instead, whose glibc maps the assembler's temporaries afresh per block.

--beside SPEED assembles beside a simulated render instead (no model: each chapter becomes ready when a
render at SPEED x real time would have stored it) and reports the final step: from the last chapter ready
to finished files, against the whole assembly once the render is done.

    python benchmarks/assemble.py --hours 2 --beside 14
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if "--tree" in sys.argv:  # before the package is imported
    sys.path.insert(0, sys.argv[sys.argv.index("--tree") + 1])

from audiobook_tts.assemble import AssembleOptions, AudioPiece, BookTags, ChapterAudio, assemble  # noqa: E402

RATE = 24000
SEGMENT_SECONDS = 6.0
PAUSE = AudioPiece(round(0.45 * RATE))


def segment_bank(count: int = 16) -> list[np.ndarray]:
    """A few distinct speech-like segments (harmonics under a syllable envelope) at a TTS-like level."""
    rng = np.random.default_rng(0)
    bank = []
    for _ in range(count):
        t = np.arange(round(SEGMENT_SECONDS * RATE)) / RATE
        phase = 2 * np.pi * np.cumsum(115 + 25 * np.sin(2 * np.pi * rng.uniform(0.3, 0.9) * t)) / RATE
        voice = sum(np.sin(k * phase + rng.uniform(0, 6)) / k for k in range(1, 30))
        envelope = np.clip(np.sin(2 * np.pi * rng.uniform(3, 5) * t), 0, None) ** 1.5
        signal = voice * envelope + rng.standard_normal(len(t)) * 0.003
        bank.append((signal * 0.7 / np.abs(signal).max()).astype(np.float32))
    return bank


def book(hours: float, chapter_minutes: float) -> list[ChapterAudio]:
    bank = segment_bank()
    per_segment = SEGMENT_SECONDS + PAUSE.length / RATE
    segments_per_chapter = round(chapter_minutes * 60 / per_segment)
    chapter_count = max(1, round(hours * 60 / chapter_minutes))

    def chapter(index: int) -> ChapterAudio:
        def pieces():  # generated on each pass, as a job directory's segment files would be read
            for n in range(segments_per_chapter):
                yield AudioPiece(bank[(index * 7 + n) % len(bank)], f"Sentence {n} of chapter {index + 1}.")
                yield PAUSE

        return ChapterAudio(f"Chapter {index + 1}", pieces)

    return [chapter(index) for index in range(chapter_count)]


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def children_rss_mb() -> float:
    """Total resident memory of our running child processes (the ffmpeg encoders), in MB."""
    total = 0.0
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue  # it just exited
            rss = [line for line in status.splitlines() if line.startswith("VmRSS:")]
            total += int(rss[0].split()[1]) / 1024 if rss else 0.0
    return total


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have exited (every ffmpeg sink, once finished)."""
    return own_cpu_seconds() + children_cpu_seconds()


def own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def children_cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def render_like_heap() -> None:
    """Free one 31 MB block, as the render's process has long done by the time it assembles (torch's model
    load and generation): glibc's dynamic thresholds then keep the assembler's temporaries of a few MB in
    its heap. A fresh process maps and faults them afresh per block instead (1.5 million page faults, 3.4 s
    of system time per audio hour here), which no render meets: books are assembled inside `render` only.
    Measured: this benchmark after loading the full model and generating 16 segments, 57 000 faults."""
    block = np.ones(31 << 20, np.uint8)
    del block


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hours", type=float, default=10.0)
    parser.add_argument("--chapter-minutes", type=float, default=20.0)
    parser.add_argument("--formats", default="m4b,mp3")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--tree", type=Path, default=None, help="the checkout whose audiobook_tts to run")
    parser.add_argument("--beside", type=float, default=None, help="simulated render speed (x real time)")
    parser.add_argument("--ffmpeg", default=None, help="the ffmpeg executable (default: as assemble() finds)")
    parser.add_argument("--fresh-heap", action="store_true", help="skip render_like_heap (a fresh process)")
    args = parser.parse_args()
    if not args.fresh_heap:
        render_like_heap()
    if args.beside:
        final_step(args)
        return

    chapters = book(args.hours, args.chapter_minutes)
    minutes_per_chapter = args.chapter_minutes
    stage_wall: dict[str, float] = {}
    stage_cpu: dict[str, float] = {}
    last_hour_printed = [0]
    children_peak = [0.0]
    start_rss = rss_mb()[0]
    print(
        f"book: {len(chapters)} chapters x {minutes_per_chapter:g} min = {args.hours:g} h; "
        f"RSS at start {start_rss:.0f} MB",
        flush=True,
    )

    def progress(stage: str, done: int, total: int) -> None:
        now, cpu = time.perf_counter(), cpu_seconds()
        stage_wall[stage] = stage_wall.get(stage, 0.0) + now - previous_end[0]
        stage_cpu[stage] = stage_cpu.get(stage, 0.0) + cpu - previous_cpu[0]
        previous_end[0], previous_cpu[0] = now, cpu
        children_peak[0] = max(children_peak[0], children_rss_mb())
        if stage == "encode":
            hour = int(done * minutes_per_chapter / 60)
            if hour > last_hour_printed[0]:
                last_hour_printed[0] = hour
                current, peak = rss_mb()
                print(
                    f"  encoded {hour:2d} h: RSS {current:.0f} MB (peak so far {peak:.0f} MB), "
                    f"ffmpeg children {children_rss_mb():.0f} MB",
                    flush=True,
                )

    with tempfile.TemporaryDirectory(dir=args.workdir) as out:
        previous_end, previous_cpu = [time.perf_counter()], [cpu_seconds()]
        began, cpu_began, own_began = previous_end[0], previous_cpu[0], own_cpu_seconds()
        result = assemble(
            chapters,
            BookTags(title="Benchmark Book", authors=["Nobody"]),
            Path(out),
            AssembleOptions(formats=frozenset(args.formats.split(",")), ffmpeg=args.ffmpeg),
            RATE,
            progress,
        )
        total, cpu_total = time.perf_counter() - began, cpu_seconds() - cpu_began
        own_total = own_cpu_seconds() - own_began
        sizes = {path.suffix: 0 for path in result.files}
        for path in result.files:
            sizes[path.suffix] += path.stat().st_size

    audio_hours = result.total_samples / RATE / 3600
    current, peak = rss_mb()
    speed = audio_hours * 3600 / total
    print(
        f"audio: {audio_hours:.2f} h in {total / 60:.1f} min wall = {speed:.0f}x real time; "
        f"{cpu_total / audio_hours:.1f} CPU s per audio hour "
        f"= {audio_hours * 3600 / cpu_total:.0f}x real time per core; of it this process "
        f"{own_total / audio_hours:.1f} CPU s per audio hour"
    )
    for stage in ("measure", "check", "encode", "verify"):
        if stage in stage_wall:
            seconds, cpu = stage_wall[stage], stage_cpu[stage]
            print(
                f"  {stage:8s} {seconds / audio_hours:6.1f} s wall, "
                f"{cpu / audio_hours:6.1f} CPU s per audio hour"
            )
    print(
        f"peak RSS: this process {peak:.0f} MB (now {current:.0f} MB, start {start_rss:.0f} MB); "
        f"ffmpeg children together at most {children_peak[0]:.0f} MB (sampled at chapter ends)"
    )
    print("output: " + ", ".join(f"{suffix} {size / 1e6:.0f} MB" for suffix, size in sorted(sizes.items())))


def final_step(args: argparse.Namespace) -> None:
    """The assembly beside a render of the book at `args.beside` x real time (chapters ready on a clock)."""
    from audiobook_tts.assemble.assemble import BackgroundAssembly

    chapters = book(args.hours, args.chapter_minutes)
    seconds = args.chapter_minutes * 60 / args.beside  # to "render" one chapter
    options = AssembleOptions(formats=frozenset(args.formats.split(",")), ffmpeg=args.ffmpeg)
    tags = BookTags(title="Benchmark Book", authors=["Nobody"])
    with tempfile.TemporaryDirectory(dir=args.workdir) as out:
        began = time.perf_counter()
        assembly = BackgroundAssembly(chapters, tags, Path(out), options, RATE)
        for index in range(len(chapters)):
            time.sleep(max(0.0, began + (index + 1) * seconds - time.perf_counter()))
            assembly.ready(index)
        last, cpu = time.perf_counter(), cpu_seconds()
        result = assembly.result()
        final, final_cpu = time.perf_counter() - last, cpu_seconds() - cpu
    audio = result.total_samples / RATE
    print(
        f"beside a render at {args.beside:g}x real time ({len(chapters)} chapters x {args.chapter_minutes:g} "
        f"min, rendered in {last - began:.0f} s): final step {final:.1f} s wall, {final_cpu:.1f} CPU s "
        f"(ffmpeg children counted when they end) = {audio / final:.0f}x real time for the book"
    )


if __name__ == "__main__":
    main()
