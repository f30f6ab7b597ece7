"""Speed of our engine against the reference pocket-tts 4.0.1, same random full-size checkpoint, one process.

Both run on 1 torch thread with EOS disabled (fixed length), alternating runs so machine noise hits both. The
reference decodes frame by frame (`max_decoder_frames_per_call = 1`, its deterministic mode, the one our
conformance tests compare against) unless --reference-batched is given (its default: decode all queued frames
per call). Either way the reference decodes in a second Python thread, so on an idle 2-core machine it can
overlap decoding with generation; we run serially. Prints audio seconds per wall second and per CPU second
(all threads of the process; robust to other load on the machine) for each, and the ratios ours / reference.

    python benchmarks/engine.py [--config english] [--rounds 2] [--reference-batched] [--frames-per-decode N]
                                [--workdir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import soundfile
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audiobook_tts.tts.config import load_config  # noqa: E402
from audiobook_tts.tts.model import PocketTTS  # noqa: E402
from audiobook_tts.tts.options import GenerationOptions  # noqa: E402
from audiobook_tts.tts.tokenizer import load_tokenizer  # noqa: E402

# One chunk of ~40 tokens: the length cap ceil((tokens / 3 + 2) * 12.5) gives ~15 s of audio.
TEXT = (
    "It was a bright cold day in April, and the clocks were striking thirteen while the old man walked "
    "slowly home along the river, thinking about his garden."
)
NO_EOS = 1e9


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default="english")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reference-batched", action="store_true")
    parser.add_argument("--frames-per-decode", type=int, default=1, help="ours: latents per Mimi call")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from pocket_tts.data.audio_utils import end_on_pause

    from tests.fixtures.checkpoint import build_checkpoint
    from tests.fixtures.reference import load_reference
    from tests.fixtures.tokenizer import build_tokenizers

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="engine_bench_"))
    if not (workdir / "tokenizer.json").exists():
        build_tokenizers(workdir)
    yaml_path = workdir / args.config / "model.yaml"
    if not yaml_path.exists():
        build_checkpoint(
            args.config,
            workdir / args.config,
            tokenizer_model=workdir / "tokenizer.model",
            tokenizer_json=workdir / "tokenizer.json",
            overrides=None,
        )
    config = load_config(yaml_path)

    ref = load_reference(yaml_path, eos_threshold=NO_EOS, threads=1)
    if args.reference_batched:
        ref.max_decoder_frames_per_call = 0
    table = config.flow_lm.lookup_table
    ours = PocketTTS.from_files(
        config, Path(config.weights_path), load_tokenizer(table.tokenizer_path, table.tokenizer, table.n_bins)
    )
    torch.set_num_threads(1)

    samples, rate = soundfile.read(
        str(Path(__file__).parents[1] / "tests/data/voice_espeak.wav"), dtype="float32"
    )
    raw = torch.from_numpy(samples)[None]
    processed = end_on_pause(raw, rate)
    torch.manual_seed(0)
    ref_voice = ref.get_state_for_audio_prompt(raw)
    torch.manual_seed(0)
    our_voice = ours.voice_from_audio(processed)

    def run_reference() -> float:
        return ref.generate_audio(ref_voice, TEXT).numel() / rate

    def run_ours() -> float:
        audio = ours.generate(
            our_voice, TEXT, GenerationOptions(eos_threshold=NO_EOS), frames_per_decode=args.frames_per_decode
        )
        return audio.numel() / rate

    wall_speed: dict[str, list[float]] = {"reference": [], "ours": []}
    cpu_speed: dict[str, list[float]] = {"reference": [], "ours": []}
    for _ in range(args.rounds):
        for name, run in (("reference", run_reference), ("ours", run_ours)):
            torch.manual_seed(1)
            start, start_cpu = time.perf_counter(), time.process_time()
            seconds = run()
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            wall_speed[name].append(seconds / wall)
            cpu_speed[name].append(seconds / cpu)
            print(
                f"{name:9s} {seconds:5.1f} s audio in {wall:5.1f} s wall, {cpu:5.1f} s CPU: "
                f"{seconds / wall:.2f} x real time"
            )
    mode = "all queued frames per call" if args.reference_batched else "frame by frame"
    print(
        f"config {args.config}, 1 torch thread each, reference decoding {mode}, ours "
        f"{args.frames_per_decode} frame(s) per Mimi call; medians of {args.rounds}"
    )
    for label, speeds in (("wall", wall_speed), ("CPU", cpu_speed)):
        ref_speed, our_speed = statistics.median(speeds["reference"]), statistics.median(speeds["ours"])
        print(
            f"audio s per {label} s: reference {ref_speed:.2f}, ours {our_speed:.2f}, "
            f"ratio ours/reference {our_speed / ref_speed:.2f}"
        )


if __name__ == "__main__":
    main()
