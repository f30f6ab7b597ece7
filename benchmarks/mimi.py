"""Mimi decoding cost per latent frame: frame by frame (streaming) against blocks and batches of chunks.

Full-size `english` Mimi with random weights, 1 torch thread, packed layers as render uses them (and plain
for comparison). Each way decodes the same 4 chunks of 40 frames; rounds alternate and the fastest of each
is kept. Prints ms per frame and the speed-up over frame-by-frame decoding in the same run.

    python benchmarks/mimi.py [--rounds 3] [--workdir DIR] [--precision bf16] [--compile]

--precision packs the fast layers in bfloat16 (as `render --precision bf16`). --compile adds the render's way
through `torch.compile` twice: the whole decode (inductor, freezing on: its oneDNN lowerings need the packed
weights as constants), and with the packed layers left to eager so that inductor fuses only the arithmetic
between them (ELUs, padding copies, residual adds, bfloat16 conversions); it prints how long compiling took.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # for throughput.ensure_checkpoint

CHUNKS, FRAMES = 4, 40


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--precision", choices=("float32", "bf16"), default="float32")
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args()

    import torch
    from throughput import load_plain_model

    from audiobook_tts.tts import use_fast_kernels

    plain = load_plain_model(args.workdir, "mimi_bench_")
    packed = copy.deepcopy(plain)
    use_fast_kernels(packed, precision=args.precision)
    torch.set_num_threads(1)
    codes = torch.randn(CHUNKS, FRAMES, plain.mimi.quantizer.output_proj.in_channels)

    @torch.no_grad()
    def decode(model, block: int, rows: int, step=None) -> None:
        step = step or model.mimi.decode
        for first in range(0, CHUNKS, rows):
            state = model.mimi.new_decoder_state(rows)
            for start in range(0, FRAMES, block):
                step(codes[first : first + rows, start : start + block], state)

    ways = {
        "plain, frame by frame": (plain, 1, 1),
        "plain, blocks of 10": (plain, 10, 1),
        "packed, frame by frame": (packed, 1, 1),
        "packed, blocks of 5": (packed, 5, 1),
        "packed, blocks of 10 (render)": (packed, 10, 1),
        "packed, blocks of 20": (packed, 20, 1),
        "packed, blocks of 10, 2 chunks": (packed, 10, 2),
        "packed, blocks of 10, 4 chunks": (packed, 10, 4),
    }
    if args.compile:
        import torch._inductor.config

        from audiobook_tts.tts import packed as layers

        torch._inductor.config.freezing = True  # inductor's oneDNN lowerings need the weights as constants
        torch._dynamo.config.recompile_limit = 256  # each conv's forward is compiled for its own shapes
        between = load_plain_model(args.workdir, "mimi_bench_")
        use_fast_kernels(between, precision=args.precision)
        kernels = (layers.PackedLinear, layers.PackedConv1d, layers.PackedConvTranspose1d)
        for module in between.modules():  # left to eager: inductor compiles only what lies between them
            if isinstance(module, (*kernels, layers.SingleOutputConv1d)):
                module.forward = torch.compiler.disable(module.forward)
        for name, model in (("compiled", packed), ("compiled between layers", between)):
            step = torch.compile(model.mimi.decode)
            started = time.perf_counter()
            decode(model, 10, 1, step)
            print(f"torch.compile, {name}: {time.perf_counter() - started:.1f} s to compile and run once")
            ways[f"packed, blocks of 10, {name}"] = (model, 10, 1, step)
    best = {name: float("inf") for name in ways}
    for _ in range(args.rounds):
        for name, (model, block, rows, *step) in ways.items():
            started = time.perf_counter()
            decode(model, block, rows, *step)
            best[name] = min(best[name], (time.perf_counter() - started) * 1000 / (CHUNKS * FRAMES))
    base = best["plain, frame by frame"]
    print(
        f"Mimi decode, {CHUNKS} chunks x {FRAMES} frames, {args.precision}, 1 thread "
        f"(fastest of {args.rounds} rounds)"
    )
    for name, ms in best.items():
        print(f"  {name:46s} {ms:6.2f} ms/frame   x{base / ms:.2f} vs plain frame by frame")


if __name__ == "__main__":
    main()
