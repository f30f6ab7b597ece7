"""Fault sweep: kill a real render at N points, and fill its disk at N sizes; every resume must end with the
files of an uninterrupted render, byte for byte, and every failure must be one line.

The real CLI renders a small book (examples/the-lamplighters-almanac.md) with a tiny random-weight model,
real ffmpeg and real files. Kill sweep: SIGKILL once k segment files exist (k spread over the book), and
once assembly has started (a `.partial` output exists); then one plain run resumes. Disk-full sweep: the
render runs on a tmpfs of each size (root only); a failed run must print one line and exit 1, and after the
disk grows a plain run must resume. Prints the counts; exit code 1 if any case failed.

    python benchmarks/fault_sweep.py [--kills 8] [--sizes 8] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BOOK = ROOT / "examples" / "the-lamplighters-almanac.md"
VOICE = ROOT / "tests" / "data" / "voice_espeak.wav"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def build_model(workdir: Path) -> Path:
    from tests.fixtures.checkpoint import TINY_OVERRIDES, build_checkpoint
    from tests.fixtures.tokenizer import build_tokenizers

    yaml_path = workdir / "english" / "model.yaml"
    if not yaml_path.exists():
        model, json_tokenizer = build_tokenizers(workdir)
        build_checkpoint(
            "english",
            workdir / "english",
            tokenizer_model=model,
            tokenizer_json=json_tokenizer,
            overrides=TINY_OVERRIDES,
        )
    return yaml_path


def command(model: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "audiobook_tts.cli",
        "render",
        str(BOOK),
        "--out",
        str(out),
        "--config",
        str(model),
        "--voice",
        str(VOICE),
        "--eos-threshold",
        "-1e9",
        "--quiet",
    ]


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def run(model: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command(model, out), capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=900)


def kill_when(model: Path, out: Path, ready) -> bool:
    """Start a render, SIGKILL it once `ready()` holds; False if it finished first."""
    process = subprocess.Popen(
        command(model, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT
    )
    while process.poll() is None:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.002)
    return False


def kill_sweep(model: Path, workdir: Path, reference: dict[str, bytes], total: int, points: int) -> list[str]:
    failures, kills = [], 0
    thresholds = sorted({max(1, round(total * (i + 1) / (points + 1))) for i in range(points)})
    cases = [(f"after {k} segments", k) for k in thresholds] + [("in assembly", None)]
    for name, k in cases:
        out = workdir / f"kill-{k or 'assembly'}"
        audio = out / ".audiobook-tts" / "audio"

        def ready(k=k, out=out, audio=audio) -> bool:
            if k is None:
                return out.is_dir() and any(p.name.endswith(".partial") for p in out.iterdir())
            return audio.is_dir() and sum(1 for _ in audio.glob("*.f32")) >= k

        killed = kill_when(model, out, ready)
        kills += killed
        resumed = run(model, out)
        same = resumed.returncode == 0 and outputs(out) == reference
        print(
            f"  kill {name}: {'killed' if killed else 'finished first'}, resume "
            f"{'identical' if same else 'DIFFERENT: ' + resumed.stderr.strip()[-300:]}"
        )
        if not same:
            failures.append(f"kill {name}")
    print(f"kill sweep: {kills} kills at {len(cases)} points, {len(cases) - len(failures)} identical resumes")
    return failures


def disk_sweep(
    model: Path, workdir: Path, reference: dict[str, bytes], needed_kb: int, sizes: int
) -> list[str]:
    from tests.fixtures.disk import tiny_tmpfs

    failures, full = [], 0
    for i in range(sizes):
        kb = max(64, needed_kb * (i + 1) // (sizes + 1))
        mount = workdir / f"disk-{kb}k"
        try:
            with tiny_tmpfs(mount, f"{kb}k"):
                out = mount / "out"
                first = run(model, out)
                lines = first.stderr.strip().splitlines()
                if first.returncode == 0:
                    verdict = "fits" if outputs(out) == reference else "fits, DIFFERENT files"
                else:
                    full += 1
                    one_line = len(lines) == 1 and lines[0].startswith("error: ")
                    verdict = f"exit {first.returncode}, " + ("one line: " if one_line else "NOT ONE LINE: ")
                    verdict += lines[-1][:160] if lines else "(nothing printed)"
                    subprocess.run(["mount", "-o", f"remount,size={needed_kb * 2}k", str(mount)], check=True)
                    resumed = run(model, out)
                    same = resumed.returncode == 0 and outputs(out) == reference
                    verdict += "; resume " + ("identical" if same else "DIFFERENT")
                    if not (one_line and same):
                        failures.append(f"disk {kb}k")
                print(f"  disk {kb:>6}k: {verdict}")
        except BaseException as error:  # pytest.skip outside pytest: not root
            if type(error).__name__ != "Skipped":
                raise
            print(f"disk sweep skipped: {error}")
            return failures
    print(
        f"disk-full sweep: {sizes} sizes, {full} ran out of space, {full - len(failures)} gave one line and "
        "resumed to identical files"
    )
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--sizes", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fault_sweep_"))
    model = build_model(workdir)
    reference_dir = workdir / "reference"
    first = run(model, reference_dir)
    if first.returncode != 0:
        raise SystemExit(f"the uninterrupted render failed: {first.stderr}")
    reference = outputs(reference_dir)
    total = sum(1 for _ in (reference_dir / ".audiobook-tts" / "audio").glob("*.f32"))
    needed_kb = sum(p.stat().st_size for p in reference_dir.rglob("*") if p.is_file()) // 1024
    print(f"{BOOK.name}: {total} segments, {len(reference)} output files, {needed_kb} kB with the job")
    failures = kill_sweep(model, workdir, reference, total, args.kills)
    failures += disk_sweep(model, workdir, reference, needed_kb, args.sizes)
    print("all held" if not failures else f"FAILED: {', '.join(failures)}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
