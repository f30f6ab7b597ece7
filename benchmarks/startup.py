"""Time to first use: loading the default `english` model by name and getting a voice, ours vs reference.

Builds a fake offline Hugging Face cache holding a full-size random-weight `english` model (the real one
cannot be downloaded here), then alternates ours and pocket-tts 4.0.1 on the same files: model load, a
catalogue voice (a KV-state file), and cloning a 6 s WAV. Prints seconds (median of --runs) and speed-ups.

    python benchmarks/startup.py [--runs 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from tests.fixtures.hub import build_fake_hub  # noqa: E402
from tests.fixtures.tokenizer import build_tokenizers  # noqa: E402

VOICE_WAV = Path(__file__).resolve().parents[1] / "tests" / "data" / "voice_espeak.wav"


def timed(times: dict[str, list[float]], name: str, fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    times.setdefault(name, []).append(time.perf_counter() - start)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import huggingface_hub.constants as hf_constants
    from pocket_tts import TTSModel

    from audiobook_tts.tts import load_model, load_voice

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tokenizer_model, tokenizer_json = build_tokenizers(tmp / "tok")
        hub = build_fake_hub(
            tmp / "cache",
            tmp / "src",
            tokenizer_model=tokenizer_model,
            tokenizer_json=tokenizer_json,
            voice_wav=VOICE_WAV,
        )
        hf_constants.HF_HUB_CACHE = str(hub.cache_dir)
        torch.set_num_threads(args.threads)

        times: dict[str, list[float]] = {}
        for _ in range(args.runs):
            ours = timed(times, "ours: load_model('english')", load_model, "english")
            ref = timed(
                times, "reference: load_model(config)", TTSModel.load_model, None, str(hub.local_yaml)
            )
            torch.set_num_threads(args.threads)  # pocket_tts resets it when imported
            timed(times, "ours: catalogue voice", load_voice, ours, "fantine")
            timed(times, "reference: voice-state file", ref.get_state_for_audio_prompt, hub.voices["fantine"])
            timed(times, "ours: clone 6 s WAV", load_voice, ours, VOICE_WAV)
            timed(times, "reference: clone 6 s WAV", ref.get_state_for_audio_prompt, VOICE_WAV)

    medians = {k: statistics.median(v) for k, v in times.items()}
    for name, seconds in medians.items():
        print(f"{name:34s} {seconds:7.3f} s")
    for what, ours_key, ref_key in [
        ("model load", "ours: load_model('english')", "reference: load_model(config)"),
        ("catalogue voice", "ours: catalogue voice", "reference: voice-state file"),
        ("cloning", "ours: clone 6 s WAV", "reference: clone 6 s WAV"),
    ]:
        print(f"speed-up {what:16s} {medians[ref_key] / medians[ours_key]:5.2f}x")


if __name__ == "__main__":
    main()
