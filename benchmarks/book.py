"""A whole book, ingest to finished M4B + MP3s, as `audiobook-tts render` runs it: where the time goes.

Full-size `english` architecture with random weights (benchmarks/throughput.py builds the checkpoint), the
voice cloned from tests/data/voice_espeak.wav, end of speech off (every segment runs to its maximum length,
as the reference would with the same setting), a fresh job. Reports audio x real time for generation (start
of the render to the last segment stored), the final step (last segment stored to finished files: what the
assembly beside the render left to do) and end to end; CPU seconds per audio second (this process and its
finished ffmpeg children); peak RSS; and the time from the start of this script (before torch is imported)
to the first progress event and to the first segment stored.

    python benchmarks/book.py [--book /work/shared/corpus/wasteland.epub] [--workdir DIR] [--chapters 1-3]
                              [--precision bf16] [--batch-size N] [--tree DIR] [--timeline]
                              [--compare DIR,DIR,... [--rounds N]]

--timeline also lists where the final step went: each assembly stage (measure, check, encode, verify) that
ended after the last segment was stored, with wall and CPU seconds since then, and how far the assembly
beside the render had got by then.

--tree benchmarks the audiobook_tts package of another checkout (e.g. /work/main) with this script;
--compare runs the script once per tree, one after the other in this invocation, and prints them side by
side (on a loaded machine, run order matters less than it seems: compare CPU seconds first). With --rounds N
it runs all the trees N times over, alternating, and reports each figure's median: one run of the same code
can differ from the next by a fifth on a shared machine.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
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


def run(args: argparse.Namespace) -> dict[str, float]:
    """One render of the book; the figures as a dict (printed by `report`)."""
    from throughput import ensure_checkpoint  # (puts this checkout on sys.path: --tree goes before it)

    if args.tree is not None:
        sys.path.insert(0, str(args.tree))
        os.environ["PYTHONPATH"] = str(args.tree)  # and in any worker process
    import audiobook_tts
    from audiobook_tts.render import RenderEvent, RenderOptions, render_book
    from audiobook_tts.tts.options import GenerationOptions

    check_tree(args.tree, Path(audiobook_tts.__file__))

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="book_bench_"))
    yaml_path = ensure_checkpoint(workdir)
    out_dir = Path(tempfile.mkdtemp(prefix="out_", dir=workdir))
    options = RenderOptions(
        out_dir=out_dir,
        config=str(yaml_path),
        voice=str(VOICE),
        generation=GenerationOptions(eos_threshold=NO_EOS),
        precision=args.precision,
        chapters=args.chapters,
        fresh=True,
    )
    if args.batch_size is not None:
        options = dataclasses.replace(options, batch_size=args.batch_size)
    marks: dict[str, float] = {}
    last_report = [0.0]
    stages: list[tuple[float, float, str]] = []  # (wall, CPU s, "encode 2/5") of each assembly stage ended

    def progress(event: RenderEvent) -> None:
        now = time.perf_counter() - STARTED
        marks.setdefault("first progress", now)
        marks.setdefault(f"first {event.kind}", now)
        if event.kind == "assemble":
            stages.append((now, cpu_seconds(), f"{event.message} {event.chapter}/{event.chapters}"))
        if event.kind == "first":  # the plan's first segment, stored before the rest of the plan
            marks.setdefault("first segment stored", now)
        if event.kind == "segment":
            marks["last segment"], marks["cpu at last segment"] = now, cpu_seconds()
            if event.rendered_seconds > 0:
                marks.setdefault("first segment stored", now)
            if now - last_report[0] > 30:
                last_report[0] = now
                print(
                    f"  {now:6.0f} s: {event.done}/{event.total} segments, "
                    f"{event.audio_seconds:.0f} s of audio",
                    file=sys.stderr,
                    flush=True,
                )

    load = os.getloadavg()[0]
    began = time.perf_counter() - STARTED
    result = render_book(args.book, options, progress)
    ended = time.perf_counter() - STARTED
    cpu = cpu_seconds()
    if args.timeline:
        last, last_cpu = marks["last segment"], marks["cpu at last segment"]
        before = [stage for when, _, stage in stages if when <= last]
        print(f"by the last segment stored, the assembly had ended: {', '.join(before) or 'nothing'}")
        for when, used, stage in stages:
            if when > last:
                print(f"  +{when - last:6.2f} s  {used - last_cpu:6.1f} CPU s  {stage}")
    return {
        "segments": result.rendered,
        "files": len(result.files),
        "audio": result.audio_seconds,
        "generation": marks["last segment"] - began,
        "generating": result.generation_seconds,
        "final step": ended - marks["last segment"],
        "final step cpu": cpu - marks["cpu at last segment"],
        "assembly began": marks.get("first assemble", ended) - marks["last segment"],
        "end to end": ended,
        "cpu": cpu,
        "cpu to last segment": marks["cpu at last segment"],
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "first progress": marks["first progress"],
        "first segment stored": marks["first segment stored"],
        "load at start": load,
        "load at end": os.getloadavg()[0],
    }


def check_tree(tree: Path | None, package: Path) -> None:
    """Stop if --tree's package is not the one imported: an A/B of one tree against itself reads as "no
    difference" (a script that put its tree on sys.path before an import putting this checkout first did)."""
    if tree is not None and not package.resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"--tree {tree}: audiobook_tts was imported from {package.parent} instead")


def report(name: str, figures: dict[str, float]) -> None:
    audio = figures["audio"]
    print(
        f"{name}: {figures['segments']:.0f} segments, {audio / 60:.1f} min of audio, {figures['files']:.0f} "
        f"files; load {figures['load at start']:.1f} at start, {figures['load at end']:.1f} at end"
    )
    print(
        f"  generation  {figures['generation']:7.1f} s wall  {audio / figures['generation']:6.1f}x real time "
        f"(render start to last segment stored)"
    )
    began = figures["assembly began"]
    when = f"{-began:.0f} s before" if began < 0 else f"{began:.0f} s after"
    print(
        f"  final step  {figures['final step']:7.1f} s wall  {figures['final step cpu']:6.1f} CPU s "
        f"(last segment stored to finished files; assembly began {when} it)"
    )
    print(
        f"  end to end  {figures['end to end']:7.1f} s wall  {audio / figures['end to end']:6.1f}x real time "
        f"(from script start, imports and model load included)"
    )
    print(
        f"  CPU s per audio s: {figures['cpu'] / audio:.3f} in all "
        f"({figures['cpu to last segment'] / audio:.3f} to the last segment stored)"
    )
    print(f"  peak RSS {figures['rss']:.2f} GiB (this process; ffmpeg's encoders add ~60 MiB)")
    print(
        f"  first progress after {figures['first progress']:.2f} s, first segment stored after "
        f"{figures['first segment stored']:.2f} s (from script start)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--book", type=Path, default=Path("/work/shared/corpus/wasteland.epub"))
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--chapters", default=None, help="a chapter selection, as render --chapters takes")
    parser.add_argument("--precision", default="float32", help="float32 (default) or bf16")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="as render --batch-size (default: its own)"
    )
    parser.add_argument("--tree", type=Path, default=None, help="the checkout whose audiobook_tts to run")
    parser.add_argument("--compare", default=None, help="checkouts to run one after another, comma separated")
    parser.add_argument(
        "--rounds", type=int, default=1, help="with --compare: rounds of all the trees; each figure's median"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument("--timeline", action="store_true", help="list where the final step went")
    args = parser.parse_args()

    if args.compare is None:
        figures = run(args)
        if args.json:
            print(json.dumps(figures))
        else:
            report(f"{args.book.name} ({args.tree or ROOT})", figures)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="book_bench_"))
    trees = args.compare.split(",")
    runs: dict[str, list[dict[str, float]]] = {tree: [] for tree in trees}
    for number in range(1, args.rounds + 1):
        for tree in trees:  # alternating, so a machine that slows down or speeds up weighs on every tree
            command = [sys.executable, __file__, "--book", str(args.book), "--workdir", str(workdir)]
            command += ["--precision", args.precision, "--tree", tree, "--json"]
            command += ["--chapters", args.chapters] if args.chapters else []
            command += ["--batch-size", str(args.batch_size)] if args.batch_size else []
            print(f"round {number}/{args.rounds}: running {tree} ...", file=sys.stderr, flush=True)
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs[tree].append(json.loads(output.splitlines()[-1]))
    results = {
        tree: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for tree, rs in runs.items()
    }
    if args.rounds > 1:
        print(f"each figure is the median of {args.rounds} rounds; end to end in each round:")
        for tree, rs in runs.items():
            print(f"  {tree}: " + ", ".join(f"{r['audio'] / r['end to end']:.1f}x" for r in rs))
    for tree, figures in results.items():
        report(f"{args.book.name} ({tree})", figures)
    (first, base), *others = results.items()
    for tree, figures in others:
        print(
            f"{tree} against {first}: generation {base['generation'] / figures['generation']:.2f}x "
            f"as fast, final step {base['final step'] / max(figures['final step'], 1e-9):.1f}x shorter, "
            f"end to end {base['end to end'] / figures['end to end']:.2f}x as fast, "
            f"CPU {figures['cpu'] / base['cpu']:.2f}x"
        )


if __name__ == "__main__":
    main()
