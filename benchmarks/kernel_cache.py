"""What oneDNN's kernel caches cost in memory and save in time, for the packed linear layers.

oneDNN (its primitive cache) and torch's ideep layer (its LRU cache) each keep a kernel for every input shape
they have met, for the life of the process, up to 1024 each. A render meets hundreds of shapes: every batch
size a group's tail passes through, every text prompt's length, Mimi's shorter last blocks. This script
calls the FlowLM's four linear shapes (1024 -> 3072, 1024 -> 1024, 1024 -> 4096, 4096 -> 1024; packed as a
render packs them, 1 thread) with every row count from 1 to --rows, --sweeps times over, each setting in a
fresh process, and prints the resident memory the sweeps left behind and the time of a sweep after the first
(the kernels all built once, if the cache keeps them).

    python benchmarks/kernel_cache.py [--rows 160] [--sweeps 3] [--capacities default,256,64]

"default" is torch's own setting (both caches 1024); a number sets both caches to it, as
audiobook_tts/tts/packed.py does for a render.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHES = ("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "LRU_CACHE_CAPACITY")


def sweep(rows: int, sweeps: int) -> dict[str, float]:
    """Run in a child process: the figures for this process's cache setting."""
    import time

    import torch
    from torch import nn

    from audiobook_tts.tts.packed import pack_layers

    def resident_mib() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    torch.set_num_threads(1)
    layers = nn.ModuleList(
        [nn.Linear(1024, 3072), nn.Linear(1024, 1024), nn.Linear(1024, 4096), nn.Linear(4096, 1024)]
    )
    pack_layers(layers)
    inputs = [torch.randn(rows, layer.in_features) for layer in layers]  # row counts are leading slices
    with torch.no_grad():
        for layer in layers:  # one shape each, so the baseline holds the process's first kernels
            layer(torch.randn(32, layer.in_features))
        before = resident_mib()
        seconds = []
        for _ in range(sweeps):
            started = time.perf_counter()
            for count in range(1, rows + 1):
                for layer, x in zip(layers, inputs, strict=True):
                    layer(x[:count])
            seconds.append(time.perf_counter() - started)
    return {
        "grown_mib": resident_mib() - before,
        "first_s": seconds[0],
        "later_s": min(seconds[1:] or seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=160)
    parser.add_argument("--sweeps", type=int, default=3)
    parser.add_argument("--capacities", default="default,256,64")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(sweep(args.rows, args.sweeps)))
        return
    print(f"4 packed FlowLM linear shapes x row counts 1-{args.rows}, {args.sweeps} sweeps, 1 thread")
    print(f"{'kernel caches':>14} {'memory kept':>12} {'first sweep':>12} {'later sweep':>12}")
    for capacity in args.capacities.split(","):
        # "default" is torch's own 1024, set explicitly: packed.py would otherwise lower it
        env = dict(os.environ, PYTHONPATH=str(ROOT)) | dict.fromkeys(
            CACHES, "1024" if capacity == "default" else capacity
        )
        command = [
            sys.executable,
            __file__,
            "--child",
            "--rows",
            str(args.rows),
            "--sweeps",
            str(args.sweeps),
        ]
        figures = json.loads(
            subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
        )
        print(
            f"{capacity:>14} {figures['grown_mib']:>8.0f} MiB {figures['first_s']:>10.2f} s "
            f"{figures['later_s']:>10.2f} s"
        )


if __name__ == "__main__":
    main()
