"""Throughput of a batch of segments: the reference pocket-tts 4.0.1 one at a time against our engine.

Same random-weight full-size `english` checkpoint, same voice (tests/data/voice_espeak.wav), same texts: a
fixed set of varied one-chunk segments of 5-50 tokens with EOS disabled (threshold 1e9), so every segment
runs to its natural maximum length, ceil((tokens / 3 + 2) x 12.5) frames, on both sides. Modes, each in its
own process (so peak RSS is its own):

    reference      pocket-tts 4.0.1 as a user runs it: generate_audio per segment, its defaults (1 torch
                   thread, decoding in its second thread)
    single         ours one segment at a time (render --batch-size 1), 1 torch thread
    batched        ours with the render defaults (batch size, threads, groups)
    batched-int8   the same with --quantize (int8 FlowLM)
    batched-bf16   the same with --precision bf16 (bfloat16 Mimi and FlowLM linears)
    say-reference  pocket-tts 4.0.1 on ONE long text (the segments' texts as sentences): generate_audio
    say            ours on the same text as `audiobook-tts say` runs it (tts.batch.speak)
    say-bf16       the same with --precision bf16

Each prints audio seconds per wall second, CPU seconds (all threads) per audio second and peak RSS, and the
ratio of each to the reference's. Also the first-audio latency of streaming (`say --stream`): ours and the
reference's, on one short sentence after a warm-up.

    python benchmarks/throughput.py [--segments 40] [--modes reference,single,batched,batched-int8]
                                    [--rounds 1] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NO_EOS = 1e9
VOICE = ROOT / "tests" / "data" / "voice_espeak.wav"
STREAM_TEXT = "Hello there, this is the first sentence of a long book."
WORDS = (
    "the lamplighter walked slowly along the quay while the tide came in and gulls cried over the "
    "harbour where seven boats waited for morning light and an old clock in the square ran fast "
    "every winter so nobody trusted it except the baker who opened his shop at five"
).split()
MODES = ("reference", "single", "batched", "batched-int8", "batched-bf16", "say-reference", "say", "say-bf16")
COMPARED = 5  # segments whose audio is compared between our modes


def segment_texts(count: int, tokenizer) -> list[str]:
    """`count` texts whose prepared token counts spread evenly over 5..50, each a single chunk."""
    from audiobook_tts.tts.text_prep import TextRules, prepare_prompt

    rules = TextRules()
    texts = []
    for i in range(count):
        target = 5 + (45 * i) // max(count - 1, 1)
        words = []
        j = i * 7
        text = ""
        while True:
            words.append(WORDS[j % len(WORDS)])
            j += 1
            candidate = " ".join(words)
            if len(tokenizer.encode(prepare_prompt(candidate, rules)[0])) > target:
                break
            text = candidate
        texts.append(text or WORDS[i % len(WORDS)])
    return texts


def ensure_checkpoint(workdir: Path) -> Path:
    """The full-size english checkpoint with random weights in `workdir`, built on first use. Once built, the
    test fixtures (and torch with them) are not imported: book.py times our startup, not theirs."""
    yaml_path = workdir / "english" / "model.yaml"
    if yaml_path.exists():
        return yaml_path
    from tests.fixtures.checkpoint import build_checkpoint
    from tests.fixtures.tokenizer import build_tokenizers

    if not (workdir / "tokenizer.json").exists():
        build_tokenizers(workdir)
    build_checkpoint(
        "english",
        workdir / "english",
        tokenizer_model=workdir / "tokenizer.model",
        tokenizer_json=workdir / "tokenizer.json",
        overrides=None,
    )
    return yaml_path


def load_plain_model(workdir: Path | None, prefix: str):
    """The benchmark checkpoint (built in `workdir`, else a new temp dir) as a PocketTTS with plain layers."""
    from audiobook_tts.tts.config import load_config
    from audiobook_tts.tts.model import PocketTTS
    from audiobook_tts.tts.tokenizer import load_tokenizer

    config = load_config(ensure_checkpoint(workdir or Path(tempfile.mkdtemp(prefix=prefix))))
    table = config.flow_lm.lookup_table
    tokenizer = load_tokenizer(table.tokenizer_path, table.tokenizer, table.n_bins)
    return PocketTTS.from_files(config, Path(config.weights_path), tokenizer)


def run_mode(mode: str, yaml_path: Path, count: int) -> dict:
    """One mode in this process: returns audio seconds, wall and CPU seconds, first-audio latency."""
    import soundfile
    import torch

    from audiobook_tts.tts.audio import end_on_pause
    from audiobook_tts.tts.config import load_config
    from audiobook_tts.tts.model import PocketTTS
    from audiobook_tts.tts.tokenizer import load_tokenizer

    config = load_config(yaml_path)
    table = config.flow_lm.lookup_table
    tokenizer = load_tokenizer(table.tokenizer_path, table.tokenizer, table.n_bins)
    texts = segment_texts(count, tokenizer)
    samples, rate = soundfile.read(str(VOICE), dtype="float32")
    raw = torch.from_numpy(samples)[None]

    long_text = " ".join(f"{text[0].upper()}{text[1:]}." for text in texts)
    if mode in ("reference", "say-reference"):
        from pocket_tts import TTSModel

        ref = TTSModel.load_model(config=str(yaml_path), eos_threshold=NO_EOS)  # sets 1 torch thread
        state = ref.get_state_for_audio_prompt(raw)
        first_audio = _first_audio(lambda: ref.generate_audio_stream(state, STREAM_TEXT))

        def render() -> float:
            if mode == "say-reference":
                return ref.generate_audio(state, long_text).numel() / rate
            return sum(ref.generate_audio(state, text).numel() for text in texts) / rate

    else:
        from audiobook_tts.render.plan import GROUP_BATCHES
        from audiobook_tts.tts import use_fast_kernels
        from audiobook_tts.tts.batch import (
            DEFAULT_BATCH_SIZE,
            default_threads,
            make_request,
            render_requests,
            speak,
        )
        from audiobook_tts.tts.options import GenerationOptions

        model = PocketTTS.from_files(config, Path(config.weights_path), tokenizer)
        precision = "bf16" if mode.endswith("-bf16") else "float32"
        use_fast_kernels(model, quantize=mode == "batched-int8", precision=precision)  # as render and say do
        torch.set_num_threads(1)
        torch.manual_seed(0)
        voice = model.voice_from_audio(end_on_pause(raw, rate))
        first_audio = _first_audio(lambda: model.stream(voice, STREAM_TEXT))

        def render() -> float:
            if mode.startswith("say"):
                torch.manual_seed(0)
                audio = speak(model, voice, long_text, GenerationOptions(eos_threshold=NO_EOS))
                kept[0] = audio
                return audio.numel() / rate
            if mode == "single":
                total = 0
                for seed, text in enumerate(texts):
                    torch.manual_seed(seed)
                    audio = model.generate(voice, text, GenerationOptions(eos_threshold=NO_EOS))
                    kept[seed] = audio if seed < COMPARED else None
                    total += audio.numel()
                return total / rate
            requests = [
                make_request(model, voice, text, seed, GenerationOptions(eos_threshold=NO_EOS), tag=seed)
                for seed, text in enumerate(texts)
            ]
            size = DEFAULT_BATCH_SIZE * GROUP_BATCHES
            groups = [requests[i : i + size] for i in range(0, len(requests), size)]
            total = 0
            for request, audio in render_requests(
                model, groups, batch_size=DEFAULT_BATCH_SIZE, threads=default_threads()
            ):
                kept[request.tag] = audio if request.tag < COMPARED else None
                total += audio.numel()
            return total / rate

    kept: dict[int, torch.Tensor | None] = {}
    start, start_cpu = time.perf_counter(), time.process_time()
    seconds = render()
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if kept:
        compared = [kept[i] for i in sorted(kept) if kept[i] is not None]
        torch.save(compared, yaml_path.parent / f"audio-{mode}.pt")
    return {"mode": mode, "audio": seconds, "wall": wall, "cpu": cpu, "rss": peak, "first_audio": first_audio}


def _first_audio(start_stream) -> float:
    """Seconds to the first audio of a stream, after one warm-up stream (its first chunk only)."""
    for _ in start_stream():
        break
    started = time.perf_counter()
    for _ in start_stream():
        return time.perf_counter() - started
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--rounds", type=int, default=1, help="runs of every mode, alternating")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="throughput_bench_"))
    yaml_path = ensure_checkpoint(workdir)
    if args.child:
        print(json.dumps(run_mode(args.child, yaml_path, args.segments)))
        return

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    load = os.getloadavg()[0]
    print(f"{args.segments} segments, full-size english (random weights), EOS off; load {load:.1f}")
    results: dict[str, list[dict]] = {m: [] for m in modes}
    for _ in range(args.rounds):
        for mode in modes:
            command = [sys.executable, __file__, "--child", mode, "--segments", str(args.segments)]
            out = subprocess.run(
                [*command, "--workdir", str(workdir)], check=True, capture_output=True, text=True
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            results[mode].append(result)
            print(
                f"  {mode:13s} {result['audio']:7.1f} s audio in {result['wall']:6.1f} s wall "
                f"(load {os.getloadavg()[0]:.1f})",
                flush=True,
            )

    def best(mode: str) -> dict:  # the fastest round: the one least disturbed by other load
        return max(results[mode], key=lambda r: r["audio"] / r["wall"])

    base = best("reference") if "reference" in results else None
    say_base = best("say-reference") if "say-reference" in results else None
    print(
        f"{'mode':13s} {'audio s/wall s':>15s} {'CPU s/audio s':>14s} {'peak RSS':>9s} {'first audio':>12s}"
    )
    for mode in modes:
        r = best(mode)
        speed, cost = r["audio"] / r["wall"], r["cpu"] / r["audio"]
        rss, first = r["rss"] / 2**30, r["first_audio"] * 1000
        line = f"{mode:13s} {speed:15.2f} {cost:14.3f} {rss:6.2f} GiB {first:9.0f} ms"
        against = say_base if mode.startswith("say") else base
        if against is not None:
            ratio_speed = speed / (against["audio"] / against["wall"])
            ratio_cost = cost / (against["cpu"] / against["audio"])
            ratio_rss = r["rss"] / against["rss"]
            line += f"   x{ratio_speed:.2f} speed, x{ratio_cost:.2f} CPU, x{ratio_rss:.2f} RSS"
            line += f" vs {against['mode']}"
        print(line)

    compare(yaml_path.parent, "single", "batched", modes)
    compare(yaml_path.parent, "batched", "batched-int8", modes)
    compare(yaml_path.parent, "batched", "batched-bf16", modes)
    compare(yaml_path.parent, "say", "say-bf16", modes)


def compare(directory: Path, first: str, second: str, modes: list[str]) -> None:
    """Max abs difference and RMS difference / RMS of the first, over the compared segments."""
    import torch

    if first not in modes or second not in modes:
        return
    a = torch.cat(torch.load(directory / f"audio-{first}.pt"))
    b = torch.cat(torch.load(directory / f"audio-{second}.pt"))
    if a.shape != b.shape:
        print(f"{second} vs {first}: lengths differ ({b.numel()} vs {a.numel()} samples)")
        return
    rms = (a - b).pow(2).mean().sqrt() / a.pow(2).mean().sqrt()
    print(
        f"{second} vs {first} audio, first {COMPARED} segments: max abs diff {(a - b).abs().max():.2e} "
        f"(peak {a.abs().max():.3f}), RMS diff / RMS {rms:.2e}"
    )


if __name__ == "__main__":
    main()
