"""Would int8 (VNNI/AMX) convolutions make Mimi faster than `--precision bf16`, at what error? Measured here.

Issue 15 asks for int8 in Mimi's convolutions if it measures better than bfloat16 at an acceptable error.
Three decoders of the full-size `english` Mimi (random weights), 1 torch thread, blocks of 10 frames as render
decodes them:

    float32   the default (packed float32 layers)
    bf16      `--precision bf16`
    int8      bf16, but the SEANet decoder's convolutions in int8 through oneDNN (`onednn::qconv_pointwise`,
              VNNI/AMX): weights quantised per output channel, each call's input per tensor to uint8 from
              its own range (dynamic, as real speech's levels vary), output dequantised by the kernel

Prints each decoder's time per latent frame (fastest of --rounds, alternating), the decoder convolutions'
own time per block (int8: and how much of it quantising their inputs takes), and the audio difference from
float32 (benchmarks/precision.py's figures) on random latents and on the espeak prompt's round trip (encoded
in float32 for all three, so that only the decoders differ). torch 2.13 warns that its quantised tensors,
used here to quantise the inputs, are deprecated.

    python benchmarks/int8_mimi.py [--rounds 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
import warnings
from pathlib import Path

import torch
from torch import Tensor, nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

BLOCK = 10  # latent frames per Mimi call, as render decodes


class Int8Conv1d(nn.Module):
    """A frozen nn.Conv1d (no padding, groups 1) in int8: per-channel weights, per-call uint8 input."""

    def __init__(self, conv: nn.Conv1d):
        super().__init__()
        weight = conv.weight.detach()
        self.weight_scale = weight.abs().amax(dim=(1, 2)).clamp_min(1e-12) / 127
        quantised = torch.round(weight / self.weight_scale[:, None, None]).to(torch.int8)[:, :, None, :]
        self.stride, self.dilation = [1, conv.stride[0]], [1, conv.dilation[0]]
        self.packed_weight = torch.ops.onednn.qconv_prepack(
            quantised, self.weight_scale, 1.0, 0, self.stride, [0, 0], self.dilation, 1, None
        )
        self.in_channels, self.out_channels = conv.in_channels, conv.out_channels
        self.weight_zero = torch.zeros(conv.out_channels, dtype=torch.long)
        self.bias = None if conv.bias is None else conv.bias.detach()

    quantising = 0.0  # seconds all instances spent quantising their inputs

    def forward(self, x: Tensor) -> Tensor:  # [B, C, T], a channel-major view of time-major memory
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # quantised tensors: deprecated in torch 2.13
            q = torch.quantize_per_tensor_dynamic(x.mT, torch.quint8, False)
        Int8Conv1d.quantising += time.perf_counter() - started
        y = torch.ops.onednn.qconv_pointwise(
            q.int_repr().mT[:, :, None, :],
            q.q_scale(),
            q.q_zero_point(),
            self.packed_weight,
            self.weight_scale,
            self.weight_zero,
            self.bias,
            self.stride,
            [0, 0],
            self.dilation,
            1,
            1.0,
            0,
            torch.float32,
            "none",
            [],
            "",
        )
        return y[:, :, 0]


def int8_decoder(plain) -> int:
    """Give `plain`'s SEANet decoder int8 convolutions (the single-output last one stays), in place."""
    from audiobook_tts.tts.mimi import CausalConv1d

    plain.mimi.use_phase_convs()
    convs = [m for m in plain.mimi.decoder.modules() if isinstance(m, CausalConv1d)]
    for layer in convs:
        if layer.conv.out_channels > 1:
            layer.conv = Int8Conv1d(layer.conv)
    return len(convs) - 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    import soundfile
    from precision import differences
    from throughput import VOICE, load_plain_model

    from audiobook_tts.tts import use_fast_kernels
    from audiobook_tts.tts.audio import end_on_pause
    from audiobook_tts.tts.mimi import CausalConv1d
    from audiobook_tts.tts.packed import bfloat16_available

    if not bfloat16_available() or not hasattr(torch.ops.onednn, "qconv_pointwise"):
        sys.exit("needs oneDNN's bfloat16 and int8 kernels (AVX-512 BF16/VNNI or AMX)")
    plain = load_plain_model(args.workdir, "int8_bench_")
    models = {"float32": copy.deepcopy(plain), "bf16": copy.deepcopy(plain), "int8": plain}
    replaced = int8_decoder(models["int8"])
    for name, model in models.items():
        use_fast_kernels(model, precision="float32" if name == "float32" else "bf16")
    torch.set_num_threads(1)
    rate = plain.sample_rate

    conv_time: dict[str, float] = {}

    def timed_convs(model, name: str) -> None:
        def start(module, _inputs) -> None:
            module.started = time.perf_counter()

        def stop(module, _inputs, _output) -> None:
            conv_time[name] += time.perf_counter() - module.started

        for layer in model.mimi.decoder.modules():
            if isinstance(layer, CausalConv1d) and layer.conv.out_channels > 1:
                layer.conv.register_forward_pre_hook(start)
                layer.conv.register_forward_hook(stop)

    for name, model in models.items():
        timed_convs(model, name)

    latents = torch.randn(2, 50, plain.mimi.quantizer.output_proj.in_channels, generator=torch.manual_seed(0))
    samples, file_rate = soundfile.read(str(VOICE), dtype="float32")
    prompt = end_on_pause(torch.from_numpy(samples)[None], file_rate)
    with torch.no_grad():
        prompt_codes = models["float32"].mimi.encode_to_latent(prompt[None])

    @torch.no_grad()
    def decode(model, codes: Tensor) -> Tensor:
        state = model.mimi.new_decoder_state(codes.shape[0])
        blocks = [model.mimi.decode(codes[:, i : i + BLOCK], state) for i in range(0, codes.shape[1], BLOCK)]
        return torch.cat(blocks, dim=-1).flatten()

    frames = latents.shape[0] * latents.shape[1]
    blocks = latents.shape[0] * -(-latents.shape[1] // BLOCK)
    best = {name: float("inf") for name in models}
    best_convs, best_quantising = dict(best), float("inf")
    for _ in range(args.rounds):
        for name, model in models.items():
            conv_time[name], Int8Conv1d.quantising = 0.0, 0.0
            started = time.perf_counter()
            decode(model, latents)
            best[name] = min(best[name], (time.perf_counter() - started) * 1000 / frames)
            best_convs[name] = min(best_convs[name], conv_time[name] * 1000 / blocks)
            if name == "int8":
                best_quantising = min(best_quantising, Int8Conv1d.quantising * 1000 / blocks)

    print(
        f"Mimi decode, full-size english, random weights, 1 thread, blocks of {BLOCK}; int8: {replaced} "
        f"decoder convolutions (fastest of {args.rounds} rounds)"
    )
    for name in models:
        print(
            f"  {name:8s} {best[name]:5.2f} ms per frame (x{best['float32'] / best[name]:.2f} vs float32); "
            f"its decoder convolutions {best_convs[name]:5.2f} ms per block"
            + (f", {best_quantising:.2f} of them quantising inputs" if name == "int8" else "")
        )
    for what, codes in (("random latents", latents), ("round trip of the espeak prompt", prompt_codes)):
        reference = decode(models["float32"], codes).numpy()
        print(f"{what}: {len(reference) / rate:.1f} s of audio, difference from float32")
        for name in ("bf16", "int8"):
            figures = differences(reference, decode(models[name], codes).numpy(), rate)
            print(f"  {name:5s} " + ", ".join(f"{key} {value:.3g}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
