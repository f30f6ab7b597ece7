"""`render --cluster` on this machine: local against 1 and 2 Ray actors, the per-group overhead, --ship-model.

A loopback Ray head of 2 CPUs (tests/fixtures/ray_cluster.py) and the random-weight full-size `english`
checkpoint with EOS disabled (every segment runs to its natural maximum length, as in throughput.py), on
BOOK at --batch-size B. Prints, each from a fresh job:

    local-1    render --threads 1                          the baseline of the ratios
    actors-1   render --cluster HEAD --actors 1            1 actor of 1 thread
    actors-2   render --cluster HEAD --actors 2            2 actors of 1 thread (same bytes as local-1)

then, with one actor rendering the groups one after another (nothing overlaps), per group: the actor's
compute (render_groups), the rest of the round trip (Ray's dispatch, serialising the PCM into the object
store, the transfer, deserialising) and the driver's store (the job's crash-safe writes), as shares of
compute; and what --ship-model costs (reading and putting the files, the actor's load against loading from
its own disk). Timings are wall clock on a shared machine: compare the ratios within one run.

    python benchmarks/cluster.py [--book BOOK] [--batch-size 2] [--chapters 1-2] [--workdir DIR] [--skip-runs]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.ray_cluster import loopback_environment, ray_head  # noqa: E402

os.environ.update(loopback_environment())  # before Ray is imported: the driver talks over loopback too

VOICE = ROOT / "tests" / "data" / "voice_espeak.wav"
BOOK = ROOT / "examples" / "the-lamplighters-almanac.epub"
NO_EOS = 1e9


def options(yaml_path: Path, out_dir: Path, batch_size: int, **changes):
    from audiobook_tts.render import RenderOptions
    from audiobook_tts.tts.options import GenerationOptions

    return RenderOptions(
        out_dir=out_dir,
        config=str(yaml_path),
        voice=str(VOICE),
        generation=GenerationOptions(eos_threshold=NO_EOS),
        batch_size=batch_size,
        **changes,
    )


def outputs(out_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out_dir.iterdir()) if p.is_file()}


def runs(book: Path, yaml_path: Path, workdir: Path, batch_size: int, chapters: str, head) -> None:
    from audiobook_tts.render import render_book
    from audiobook_tts.render.types import ClusterOptions

    modes = {
        "local-1": dict(threads=1),
        "actors-1": dict(cluster=ClusterOptions(head.address, actors=1)),
        "actors-2": dict(cluster=ClusterOptions(head.address, actors=2)),
    }
    baseline = None
    assembly_per_hour = []
    header = f"{'mode':10} {'wall s':>8} {'audio s':>8} {'x real time':>12} {'vs local-1':>11}"
    print(header + "  assemble s  same bytes")
    for mode, changes in modes.items():
        out = workdir / "runs" / mode
        marks = {}

        def mark(event, marks=marks):
            if event.kind in ("assemble", "done"):
                marks[event.kind] = time.perf_counter()

        started = time.perf_counter()
        result = render_book(
            book, options(yaml_path, out, batch_size, chapters=chapters, fresh=True, **changes), mark
        )
        wall = time.perf_counter() - started
        baseline = baseline or (wall, out)
        same = "-" if out == baseline[1] else ("yes" if outputs(out) == outputs(baseline[1]) else "NO")
        assembly = marks["done"] - marks["assemble"]
        print(
            f"{mode:10} {wall:8.1f} {result.audio_seconds:8.1f} {result.audio_seconds / wall:12.2f} "
            f"{baseline[0] / wall:10.2f}x  {assembly:10.1f}  {same}",
            flush=True,
        )
        assembly_per_hour.append(assembly * 3600 / result.audio_seconds)
    print(f"assembly: {min(assembly_per_hour):.0f}-{max(assembly_per_hour):.0f} s per hour of audio")


def overhead(book: Path, yaml_path: Path, workdir: Path, batch_size: int, chapters: str, head) -> None:
    """Per group, with one actor and one group at a time: compute, the rest of the round trip, the store."""
    import ray

    from audiobook_tts.jobs import Job
    from audiobook_tts.profiles import Profile
    from audiobook_tts.render.book import model_choice
    from audiobook_tts.render.cluster import ENGINE_REVISION, Renderer, ship
    from audiobook_tts.render.engine import engine_facts, engine_model_id, load_engine
    from audiobook_tts.render.plan import build_plan, read_book
    from audiobook_tts.render.voices import JobVoices

    render_options = options(yaml_path, workdir / "overhead", batch_size, chapters=chapters)
    profile = Profile(path=Path("(command line)"))
    choice = model_choice(render_options, profile)
    engine = load_engine(choice)
    model_id = engine_model_id(engine, choice)
    book_read = read_book(book, profile, render_options)
    (workdir / "overhead").mkdir(parents=True, exist_ok=True)
    with Job.open(workdir / "overhead", fresh=True) as job:
        plan = build_plan(
            book_read,
            profile,
            render_options,
            engine_facts(engine, model_id),
            JobVoices(engine, job, model_id),
        )
        voices = {ident: job.voice_path(ident).read_bytes() for ident in plan.voice_ids()}
        ray.init(address=head.address, log_to_driver=False, logging_level="ERROR")
        try:
            started = time.perf_counter()
            shipped = ship(choice)
            shipped_ref = ray.put(shipped)
            ship_seconds = time.perf_counter() - started
            shipped_mb = sum(len(data) for data in shipped.files.values()) / 1e6
            actor_class = ray.remote(Renderer).options(num_cpus=1)
            loads = {}
            for name, files in (("own disk", None), ("shipped", shipped_ref)):
                actor = actor_class.remote(choice, model_id, ENGINE_REVISION, plan, voices, files, 1)
                ray.get(actor.__ray_ready__.remote())
                started = time.perf_counter()
                ray.get(actor.load.remote())
                loads[name] = time.perf_counter() - started
            compute = trip = store = 0.0
            for number in range(len(plan.groups)):
                started = time.perf_counter()
                result = ray.get(actor.render.remote(number, []))
                arrived = time.perf_counter()
                for key, samples in result.audio.items():
                    if not job.has_audio(key):
                        job.write_audio(key, samples)
                store += time.perf_counter() - arrived
                compute += result.compute_seconds
                trip += arrived - started - result.compute_seconds
            groups = len(plan.groups)
            print(
                f"\nper group ({groups} groups of up to {batch_size * 4} segments; one actor, one at a time):"
                "\n"
                f"  compute {compute / groups:.2f} s; round trip beyond it {trip / groups * 1000:.1f} ms "
                f"({100 * trip / compute:.2f}%); store {store / groups * 1000:.1f} ms "
                f"({100 * store / compute:.2f}%); overhead {100 * (trip + store) / compute:.2f}% of compute"
            )
            print(
                f"--ship-model: {shipped_mb:.0f} MB read and put in {ship_seconds:.2f} s by the driver; "
                f"an actor loads in {loads['shipped']:.2f} s shipped against {loads['own disk']:.2f} s "
                "from its own disk (both include the voice states)"
            )
        finally:
            ray.shutdown()


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed benchmark still stops its head
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, default=BOOK)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--chapters", default="1-2", help="the chapters rendered (default 1-2: two groups)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-runs", action="store_true", help="only the overhead and --ship-model figures")
    args = parser.parse_args()
    from throughput import ensure_checkpoint  # the same full-size random-weight checkpoint

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    yaml_path = ensure_checkpoint(workdir)
    env = {
        **loopback_environment(),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    started = time.perf_counter()
    with ray_head(num_cpus=2, env=env) as head:
        print(
            f"Ray head of 2 CPUs on loopback up in {time.perf_counter() - started:.1f} s; {args.book.name} "
            f"chapters {args.chapters}, batch size {args.batch_size}, full-size random weights, EOS off\n"
        )
        if not args.skip_runs:
            runs(args.book, yaml_path, workdir, args.batch_size, args.chapters, head)
        overhead(args.book, yaml_path, workdir, args.batch_size, args.chapters, head)


if __name__ == "__main__":
    main()
