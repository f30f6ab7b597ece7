"""How far `--precision bf16` moves the audio from float32: full-size english model, random weights.

Three comparisons, each float32 (packed, the default path) against bfloat16 (the opt-in path), same inputs:

    mimi decode   the same random latents decoded by both (Mimi alone: no feedback)
    round trip    tests/data/voice_espeak.wav through Mimi's encoder and back through its decoder
    generation    whole segments (batched render, EOS off, same seeds): the FlowLM's bfloat16 linears
                  feed its own next steps, so differences can grow along a segment
    flowlm        the same segments' FlowLM alone: its hidden state at every step (the flow head's
                  condition) and the latents it samples. On random weights the latents are mostly the
                  noise they start from, so the audio above hardly sees the FlowLM; the hidden state does
    mimi transformer  what Mimi's decoder transformer adds to its input (output - input) on the random
                  latents: it changes the stream by a few percent here, so the audio hardly sees it either

For each: max abs difference, RMS difference / RMS, SNR in dB (signal energy over difference energy), and a
spectral comparison: per band, the difference's energy relative to the signal's (dB), and the mean absolute
difference of the two log-magnitude spectrograms (dB) over bins within 60 dB of the loudest. Random weights
say nothing of how real speech sounds; these figures bound the numerical change only. Also the time of each
comparison's work in both precisions (CPU seconds, 1 thread), as a ratio.

    python benchmarks/precision.py [--segments 8] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

BANDS = ((0, 1000), (1000, 4000), (4000, 8000), (8000, 12000))  # Hz


def differences(reference: np.ndarray, other: np.ndarray, rate: int) -> dict[str, float]:
    from scipy.signal import stft

    error = other - reference
    energy, error_energy = float(np.sum(reference**2)), float(np.sum(error**2))
    result = {
        "max abs": float(np.abs(error).max()),
        "peak": float(np.abs(reference).max()),
        "RMS diff / RMS": float(np.sqrt(error_energy / energy)),
        "SNR dB": 10 * np.log10(energy / max(error_energy, 1e-30)),
    }
    freqs, _, spec = stft(reference, rate, nperseg=1024)
    _, _, spec_other = stft(other, rate, nperseg=1024)
    _, _, spec_error = stft(error, rate, nperseg=1024)
    for low, high in BANDS:
        band = (freqs >= low) & (freqs < high)
        signal_band = np.sum(np.abs(spec[band]) ** 2)
        result[f"{low // 1000}-{high // 1000} kHz diff dB"] = 10 * np.log10(
            np.sum(np.abs(spec_error[band]) ** 2) / max(signal_band, 1e-30)
        )
    level = 20 * np.log10(np.abs(spec) + 1e-12)
    level_other = 20 * np.log10(np.abs(spec_other) + 1e-12)
    audible = level > level.max() - 60
    result["log-spectrum mean |diff| dB"] = float(np.mean(np.abs(level - level_other)[audible]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    import soundfile
    import torch
    from throughput import NO_EOS, VOICE, load_plain_model, segment_texts

    from audiobook_tts.tts import use_fast_kernels
    from audiobook_tts.tts.audio import end_on_pause
    from audiobook_tts.tts.batch import generate_latents, make_request, render_requests
    from audiobook_tts.tts.options import GenerationOptions

    plain = load_plain_model(args.workdir, "precision_bench_")
    tokenizer = plain.tokenizer
    models = {"float32": copy.deepcopy(plain), "bf16": plain}
    for precision, model in models.items():
        use_fast_kernels(model, precision=precision)
    torch.set_num_threads(1)
    rate = plain.sample_rate
    samples, file_rate = soundfile.read(str(VOICE), dtype="float32")
    prompt = end_on_pause(torch.from_numpy(samples)[None], file_rate)
    latents = torch.randn(2, 50, plain.mimi.quantizer.output_proj.in_channels, generator=torch.manual_seed(0))
    texts = segment_texts(args.segments, tokenizer)
    voice = models["float32"].voice_from_audio(prompt)  # one voice for both: generation differs only inside

    @torch.no_grad()
    def mimi_decode(model) -> np.ndarray:
        state = model.mimi.new_decoder_state(len(latents))
        blocks = [model.mimi.decode(latents[:, i : i + 10], state) for i in range(0, latents.shape[1], 10)]
        return torch.cat(blocks, dim=-1).flatten().numpy()

    @torch.no_grad()
    def round_trip(model) -> np.ndarray:
        codes = model.mimi.encode_to_latent(prompt[None])
        return model.mimi.decode(codes, model.mimi.new_decoder_state(1)).flatten().numpy()

    def segments(model) -> list:
        options = GenerationOptions(eos_threshold=NO_EOS)
        return [make_request(model, voice, text, seed, options, tag=seed) for seed, text in enumerate(texts)]

    def generation(model) -> np.ndarray:
        rendered = render_requests(model, [segments(model)], batch_size=16, threads=2)
        audio = dict((r.tag, a) for r, a in rendered)
        return torch.cat([audio[i] for i in range(len(texts))]).numpy()

    @torch.no_grad()
    def flowlm(model) -> tuple[np.ndarray, np.ndarray]:
        hidden: list[torch.Tensor] = []
        hook = model.flow_lm.out_norm.register_forward_hook(lambda _m, _i, out: hidden.append(out.clone()))
        try:
            latents = [frames for _, _, frames in generate_latents(model, segments(model), batch_size=16)]
        finally:
            hook.remove()
        return torch.cat([h.flatten() for h in hidden]).numpy(), torch.cat(latents).flatten().numpy()

    def relative(reference: np.ndarray, other: np.ndarray) -> str:
        error = other - reference
        ratio = float(np.sqrt(np.sum(error**2) / np.sum(reference**2)))
        snr = -20 * np.log10(ratio)
        return f"max abs {np.abs(error).max():.3g}, RMS diff / RMS {ratio:.3g} ({snr:.1f} dB)"

    @torch.no_grad()
    def mimi_transformer_update(model) -> np.ndarray:
        updates: list[torch.Tensor] = []

        def keep(_module, inputs, output) -> None:
            updates.append((output.float() - inputs[0].float()).flatten())

        hook = model.mimi.decoder_transformer.register_forward_hook(keep)
        try:
            mimi_decode(model)
        finally:
            hook.remove()
        return torch.cat(updates).numpy()

    print(f"full-size english, random weights; float32 (default) vs bf16; {args.segments} segments generated")
    steps = {precision: flowlm(model) for precision, model in models.items()}
    print("flowlm hidden state:     " + relative(steps["float32"][0], steps["bf16"][0]))
    print("flowlm latents:          " + relative(steps["float32"][1], steps["bf16"][1]))
    updates = {precision: mimi_transformer_update(model) for precision, model in models.items()}
    print("mimi transformer update: " + relative(updates["float32"], updates["bf16"]))
    for name, work in (("mimi decode", mimi_decode), ("round trip", round_trip), ("generation", generation)):
        outputs, cpu = {}, {}
        for precision, model in models.items():
            started = time.process_time()
            outputs[precision] = work(model)
            cpu[precision] = time.process_time() - started
        figures = differences(outputs["float32"], outputs["bf16"], rate)
        print(
            f"{name}: {len(outputs['float32']) / rate:.1f} s of audio; CPU s float32 {cpu['float32']:.2f}, "
            f"bf16 {cpu['bf16']:.2f} (x{cpu['float32'] / cpu['bf16']:.2f})"
        )
        print("  " + ", ".join(f"{key} {value:.3g}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
