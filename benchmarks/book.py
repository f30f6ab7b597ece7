"""A whole book, ingest to finished M4B + MP3s, as `audiobook-tts render` runs it: where the time goes.

Full-size `english` architecture with random weights (benchmarks/throughput.py builds the checkpoint), the
voice cloned from tests/data/voice_espeak.wav, end of speech off (every segment runs to its maximum length,
as the reference would with the same setting), a fresh job. Reports audio x real time for generation (start
to the assemble event), assembly (to the end) and end to end; CPU seconds per audio second (this process and
its ffmpeg children); peak RSS; and the time from the start of this script (before torch is imported) to
the first progress event and to the first segment stored.

    python benchmarks/book.py [--book /work/shared/corpus/wasteland.epub] [--workdir DIR] [--chapters 1-3]
                              [--precision bf16]
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

NO_EOS = 1e9
VOICE = ROOT / "tests" / "data" / "voice_espeak.wav"


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--book", type=Path, default=Path("/work/shared/corpus/wasteland.epub"))
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--chapters", default=None, help="a chapter selection, as render --chapters takes")
    parser.add_argument("--precision", default="float32", help="float32 (default) or bf16")
    args = parser.parse_args()

    from throughput import ensure_checkpoint

    from audiobook_tts.render import RenderEvent, RenderOptions, render_book
    from audiobook_tts.tts.options import GenerationOptions

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="book_bench_"))
    yaml_path = ensure_checkpoint(workdir)
    out_dir = workdir / "out"
    options = RenderOptions(
        out_dir=out_dir,
        config=str(yaml_path),
        voice=str(VOICE),
        generation=GenerationOptions(eos_threshold=NO_EOS),
        precision=args.precision,
        chapters=args.chapters,
        fresh=True,
    )
    marks: dict[str, float] = {}
    last_report = [0.0]

    def progress(event: RenderEvent) -> None:
        now = time.perf_counter() - STARTED
        marks.setdefault("first progress", now)
        marks.setdefault(f"first {event.kind}", now)
        if event.kind == "segment" and event.rendered_seconds > 0:
            marks.setdefault("first segment stored", now)
            if now - last_report[0] > 30:
                last_report[0] = now
                print(
                    f"  {now:6.0f} s: {event.done}/{event.total} segments, "
                    f"{event.audio_seconds:.0f} s of audio",
                    flush=True,
                )
        if event.kind == "assemble":
            marks["assemble"], marks["cpu at assemble"] = now, cpu_seconds()

    load = os.getloadavg()[0]
    began = time.perf_counter() - STARTED
    result = render_book(args.book, options, progress)
    ended = time.perf_counter() - STARTED
    cpu = cpu_seconds()
    audio = result.audio_seconds
    generation = marks["assemble"] - began
    assembly = ended - marks["assemble"]
    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    print(
        f"{args.book.name}: {result.rendered} segments, {audio / 60:.1f} min of audio, "
        f"{len(result.files)} files; full-size english, {args.precision}, random weights, EOS off; "
        f"load at start {load:.1f}, "
        f"at end {os.getloadavg()[0]:.1f}"
    )
    print(f"  generation  {generation:7.1f} s wall  {audio / generation:6.1f}x real time")
    print(f"  assembly    {assembly:7.1f} s wall  {audio / assembly:6.1f}x real time")
    print(
        f"  end to end  {ended:7.1f} s wall  {audio / ended:6.1f}x real time (from script start, imports "
        f"and model load included)"
    )
    print(
        f"  CPU s per audio s: {cpu / audio:.3f} in all ({marks['cpu at assemble'] / audio:.3f} to the "
        f"assemble step)"
    )
    print(f"  peak RSS {own_rss:.2f} GB (this process; ffmpeg's encoders add ~60 MB, benchmarks/assemble.py)")
    print(
        f"  first progress after {marks['first progress']:.2f} s, first segment stored after "
        f"{marks['first segment stored']:.2f} s (from script start)"
    )


if __name__ == "__main__":
    main()
