"""Peak memory of cloning a voice from recordings of growing length (issue 17: a 10-minute WAV reached 12 GB).

Full-size `english` model with random weights. Each case runs in a fresh process that loads the model and
clones one voice through `load_voice` (the path `render`, `say` and `export-voice` take), and reports its
peak RSS (ru_maxrss). The baseline is a process that only loads the model; the script prints each case's
peak and its excess over the baseline, and fails if any peak reaches 2 GB.

    python benchmarks/voice_memory.py [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # for throughput.ensure_checkpoint

LIMIT_MB = 2048
CASES = {"model only": 0, "10 s": 10, "30 s": 30, "2 min": 120, "10 min": 600}

CHILD = """
import json, resource, sys, time, torch
from pathlib import Path
from audiobook_tts.tts import load_voice
from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.model import PocketTTS
from audiobook_tts.tts.tokenizer import load_tokenizer

config = load_config(Path(sys.argv[1]))
table = config.flow_lm.lookup_table
model = PocketTTS.from_files(config, Path(config.weights_path), load_tokenizer(table.tokenizer_path,
                             table.tokenizer, table.n_bins))
notes, started = [], time.perf_counter()
if sys.argv[2] != "-":
    with torch.no_grad():
        state = load_voice(model, sys.argv[2], notify=notes.append)
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - started, "notes": notes}))
"""


def speech_like(path: Path, seconds: int, rate: int = 24000) -> Path:
    """A deterministic voiced signal (120 Hz buzz, syllable-rate swell), written one second at a time."""
    import numpy as np

    with wave.open(str(path), "wb") as f:
        f.setnchannels(1), f.setsampwidth(2), f.setframerate(rate)
        t = np.arange(rate) / rate
        for second in range(seconds):
            buzz = np.sign(np.sin(2 * np.pi * 120 * t)) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * (t + second)))
            f.writeframes((0.2 * buzz * 32767).astype(np.int16).tobytes())
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    from throughput import ensure_checkpoint

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="voice_memory_"))
    yaml_path = ensure_checkpoint(workdir)
    results = {}
    for name, seconds in CASES.items():
        source = "-" if seconds == 0 else str(speech_like(workdir / f"voice_{seconds}s.wav", seconds))
        run = subprocess.run(
            [sys.executable, "-c", CHILD, str(yaml_path), source],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        if run.returncode != 0:
            raise SystemExit(f"{name}: the child failed:\n{run.stderr[-2000:]}")
        results[name] = json.loads(run.stdout.splitlines()[-1])
    base = results["model only"]["peak_mb"]
    print(f"{'recording':>12} {'peak RSS':>10} {'over model':>11} {'clone time':>11}")
    for name, result in results.items():
        print(
            f"{name:>12} {result['peak_mb']:8.0f} MB {result['peak_mb'] - base:8.0f} MB "
            f"{result['seconds']:9.1f} s"
        )
    for note in results["10 min"]["notes"]:
        print(f"note: {note}")
    worst = max(result["peak_mb"] for result in results.values())
    print(f"largest peak {worst:.0f} MB = {worst / base:.2f}x the model alone; limit {LIMIT_MB} MB")
    if worst >= LIMIT_MB:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
