"""Mimi, the audio codec around the FlowLM: 24 kHz audio <-> 12.5 Hz latent frames (1920 samples each).

Encoder (voice prompts, whole clip at once): SEANet convs (hop 120, 200 Hz) -> windowed transformer -> strided
conv downsample x16 -> [B, P, inner_dim]. Decoder (streaming, frame by frame): 1x1 output projection ->
depthwise transposed conv upsample x16 -> windowed transformer -> SEANet transposed convs -> 1920 samples.

All convolutions are causal. Activations inside are time-major, [B, T, channels]: oneDNN's convolutions
read and write that layout directly (channels last) and run fastest on it, the transformer wants it, and
joining a stream's pieces along time is a contiguous copy. The public methods keep the usual audio layout,
[B, 1, samples]. Streaming state is plain data (`DecoderState`): per conv the tail of its input (`previous`)
or the overlap of its transposed output (`partial`), keyed by module path, plus the transformer's sliding KV
cache; every tensor has a batch dimension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from audiobook_tts.tts.config import MimiConfig, MimiTransformerConfig, SEANetConfig
from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.transformer import Transformer, WindowKVCache


@dataclass
class DecoderState:
    convs: dict[str, Tensor]  # module path -> [B, K - S, channels] (input tail or transposed-conv overlap)
    attention: WindowKVCache

    def copy(self) -> DecoderState:
        return DecoderState({k: v.clone() for k, v in self.convs.items()}, self.attention.copy())


def apply_elu(x: Tensor, out: Tensor | None = None) -> Tensor:
    """ELU (alpha 1) as max(x, e^min(x, 0) - 1), into `out` (not x itself) or a new tensor.

    The same values as torch's ELU within 1e-7 and faster here: torch's ELU kernel costs four of its exp
    passes (torch 2.13: 1.6 ms against 0.39 ms on one 24 kHz block, [1, 19200, 64]), these four plain passes
    1.3 ms (and 0.05 against 0.11 ms on the 200 Hz blocks). e^x - 1 >= x, so the max picks the right branch
    on both sides of 0. ELUs are ~15% of Mimi."""
    out = torch.clamp_max(x, 0, out=out).exp_().sub_(1)
    return torch.maximum(out, x, out=out)


class ELU(nn.Module):
    """SEANet's ELU (alpha 1) before a conv; the conv after it applies it (`elu=True`) while building its
    input. A module only to keep the checkpoint's layer indices."""


class CausalConv1d(nn.Module):
    """Conv1d over time-major x [B, T, C] with K_eff - stride samples of left context: zeros (or copies of the
    first sample, `replicate`) at the stream start, the previous call's input tail when streaming. Never pads
    on the right. The inner conv sees the channel-major view x.mT (packed, it reads the memory as it is).
    With `elu`, the input is ELU(x), written straight into the padded buffer (x itself is left as it is)."""

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        kernel: int,
        stride: int = 1,
        dilation: int = 1,
        bias: bool = True,
        pad_mode: str = "constant",
    ):
        super().__init__()
        if pad_mode not in ("constant", "replicate"):
            raise ModelError(f"seanet.pad_mode {pad_mode!r} is not supported; use constant or replicate")
        self.conv = nn.Conv1d(in_ch, out_ch, kernel, stride, dilation=dilation, bias=bias)
        self.pad_mode = pad_mode
        self.context = (kernel - 1) * dilation + 1 - stride
        self.state_key = ""  # module path, set by Mimi

    def initial_state(self, batch_size: int) -> Tensor:
        return torch.zeros(batch_size, self.context, self.conv.in_channels)

    def forward(self, x: Tensor, state: dict[str, Tensor] | None = None, elu: bool = False) -> Tensor:
        if not self.context:
            return self.conv((apply_elu(x) if elu else x).mT).mT
        if state is not None and self.pad_mode == "replicate":
            raise ValueError("streaming a replicate-padded conv is not needed by Mimi's decoder")
        b, t, c = x.shape
        padded = x.new_empty(b, self.context + t, c)
        body = padded[:, self.context :]
        if elu:
            apply_elu(x, out=body)
        else:
            body.copy_(x)
        if state is not None:  # streaming: the previous call's tail; keep a copy of this one's
            padded[:, : self.context] = state[self.state_key]
            state[self.state_key] = padded[:, -self.context :].clone()
        elif self.pad_mode == "replicate":
            padded[:, : self.context] = body[:, :1]
        else:
            padded[:, : self.context] = 0
        return self.conv(padded.mT).mT


class CausalConvTranspose1d(nn.Module):
    """ConvTranspose1d over time-major x [B, T, C] emitting exactly T * stride samples per T inputs; the
    overlapping tail (bias excluded) is carried into the next call, so streaming equals one transposed conv
    over the whole stream."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, stride: int, groups: int = 1, bias: bool = True):
        super().__init__()
        self.convtr = nn.ConvTranspose1d(in_ch, out_ch, kernel, stride, groups=groups, bias=bias)
        self.overlap = kernel - stride
        self.state_key = ""

    def initial_state(self, batch_size: int) -> Tensor:
        return torch.zeros(batch_size, self.overlap, self.convtr.out_channels)

    def forward(self, x: Tensor, state: dict[str, Tensor], elu: bool = False) -> Tensor:
        y = self.convtr((apply_elu(x) if elu else x).mT).mT
        if self.overlap == 0:
            return y
        y[:, : self.overlap] += state[self.state_key]
        tail = y[:, -self.overlap :]  # kept as a copy, not a view pinning y
        state[self.state_key] = tail.clone() if self.convtr.bias is None else tail - self.convtr.bias
        return y[:, : -self.overlap]


class PhaseConvTranspose1d(CausalConv1d):
    """A CausalConvTranspose1d of kernel 2 x stride (groups 1) computed as a causal conv of kernel 2.

    Output sample t * stride + r of the transposed conv is W[:, :, r] . x[t] + W[:, :, r + stride] . x[t - 1]:
    a conv over the input and its previous frame with stride * out_channels outputs (phase r major), whose
    time-major output [B, T, stride * C] is, read as [B, T * stride, C], the transposed conv's. The overlap
    it carried becomes the previous input frame carried as conv context. The same audio within float
    rounding, and the regular conv kernels run it faster in bfloat16 (3.6 -> 1.4 ms for Mimi's last one per
    block here; float32 about even)."""

    def __init__(self, transposed: CausalConvTranspose1d):
        convtr = transposed.convtr
        (stride,), (kernel,) = convtr.stride, convtr.kernel_size
        if convtr.groups != 1 or kernel != 2 * stride:
            raise ValueError("the phase form needs groups 1 and a kernel of twice the stride")
        self.channels_out = convtr.out_channels
        super().__init__(convtr.in_channels, stride * convtr.out_channels, 2, bias=convtr.bias is not None)
        self.state_key = transposed.state_key
        weight = convtr.weight.detach()  # [in, out, kernel], kernel index = tap * stride + phase
        phases = weight.view(convtr.in_channels, convtr.out_channels, 2, stride).permute(3, 1, 0, 2)
        with torch.no_grad():  # conv taps run oldest first: tap 1 (x[t - 1]) goes first
            self.conv.weight.copy_(phases.flip(-1).reshape(self.conv.weight.shape))
            if convtr.bias is not None and self.conv.bias is not None:
                self.conv.bias.copy_(convtr.bias.detach().repeat(stride))

    def forward(self, x: Tensor, state: dict[str, Tensor] | None = None, elu: bool = False) -> Tensor:
        y = super().forward(x, state, elu)
        return y.reshape(y.shape[0], -1, self.channels_out)


class ResidualBlock(nn.Module):
    """x + conv1x1(ELU(conv_k(ELU(x)))), hidden width dim / compress; parameters at block.1 and block.3."""

    def __init__(self, dim: int, kernel: int, dilation: int, pad_mode: str, compress: int):
        super().__init__()
        hidden = dim // compress
        self.block = nn.ModuleList(
            [
                ELU(),
                CausalConv1d(dim, hidden, kernel, dilation=dilation, pad_mode=pad_mode),
                ELU(),
                CausalConv1d(hidden, dim, 1, pad_mode=pad_mode),
            ]
        )

    def forward(self, x: Tensor, state: dict[str, Tensor] | None = None, elu: bool = False) -> Tensor:
        if elu:
            raise ValueError("SEANet never puts an ELU before a residual block")
        _, conv1, _, conv2 = self.block
        return x + conv2(conv1(x, state, elu=True), state, elu=True)


def _run(layers: nn.ModuleList, x: Tensor, state: dict[str, Tensor] | None) -> Tensor:
    """The layers in order; an ELU is applied by the layer after it, as that layer reads its input."""
    elu = False
    for layer in layers:
        if isinstance(layer, ELU):
            elu = True
        else:
            x, elu = layer(x, state, elu=elu), False
    return x


class SEANetEncoder(nn.Module):
    """Audio [B, S, channels] -> [B, S / hop, dimension]; module indices match the checkpoint."""

    def __init__(self, c: SEANetConfig):
        super().__init__()
        layers: list[nn.Module] = [CausalConv1d(c.channels, c.n_filters, c.kernel_size, pad_mode=c.pad_mode)]
        mult = 1
        for ratio in reversed(c.ratios):
            width = mult * c.n_filters
            for j in range(c.n_residual_layers):
                layers.append(
                    ResidualBlock(width, c.residual_kernel_size, c.dilation_base**j, c.pad_mode, c.compress)
                )
            layers += [
                ELU(),
                CausalConv1d(width, width * 2, 2 * ratio, stride=ratio, pad_mode=c.pad_mode),
            ]
            mult *= 2
        layers += [
            ELU(),
            CausalConv1d(mult * c.n_filters, c.dimension, c.last_kernel_size, pad_mode=c.pad_mode),
        ]
        self.model = nn.ModuleList(layers)
        self.hop_length = math.prod(c.ratios)

    def forward(self, x: Tensor) -> Tensor:
        return _run(self.model, x, None)


class SEANetDecoder(nn.Module):
    """[B, T, dimension] -> audio [B, T * hop, channels], streaming; no final tanh or clamp."""

    def __init__(self, c: SEANetConfig):
        super().__init__()
        mult = 2 ** len(c.ratios)
        layers: list[nn.Module] = [
            CausalConv1d(c.dimension, mult * c.n_filters, c.kernel_size, pad_mode=c.pad_mode)
        ]
        for ratio in c.ratios:
            width = mult * c.n_filters
            layers += [ELU(), CausalConvTranspose1d(width, width // 2, 2 * ratio, ratio)]
            for j in range(c.n_residual_layers):
                layers.append(
                    ResidualBlock(
                        width // 2, c.residual_kernel_size, c.dilation_base**j, c.pad_mode, c.compress
                    )
                )
            mult //= 2
        layers += [
            ELU(),
            CausalConv1d(c.n_filters, c.channels, c.last_kernel_size, pad_mode=c.pad_mode),
        ]
        self.model = nn.ModuleList(layers)
        self.dimension = c.dimension

    def forward(self, x: Tensor, state: dict[str, Tensor]) -> Tensor:
        return _run(self.model, x, state)


class MimiTransformer(nn.Module):
    """[B, T, C] -> [B, T, C] through a windowed transformer (named `transformer` as in the checkpoint)."""

    def __init__(self, c: MimiTransformerConfig):
        super().__init__()
        if c.input_dimension != c.d_model or tuple(c.output_dimensions) != (c.d_model,):
            raise ModelError(
                "mimi transformer input_dimension/output_dimensions must equal d_model; "
                "projected Mimi transformers are not supported"
            )
        self.transformer = Transformer(
            d_model=c.d_model,
            num_heads=c.num_heads,
            num_layers=c.num_layers,
            dim_feedforward=c.dim_feedforward,
            max_period=c.max_period,
            context=c.context,
            layer_scale=c.layer_scale,
        )

    def forward(self, x: Tensor, cache: WindowKVCache | None = None) -> Tensor:
        return self.transformer(x, cache)


class OutputProjection(nn.Module):
    """The codec's quantizer, reduced to what TTS uses: a bias-free 1x1 conv from the latent to outer_dim."""

    def __init__(self, dimension: int, output_dimension: int):
        super().__init__()
        self.output_proj = nn.Conv1d(dimension, output_dimension, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:  # [B, T, dimension] -> [B, T, output_dimension]
        return self.output_proj(x.mT).mT


class Downsample(nn.Module):
    def __init__(self, stride: int, in_dim: int, out_dim: int):
        super().__init__()
        self.conv = CausalConv1d(in_dim, out_dim, 2 * stride, stride=stride, bias=False, pad_mode="replicate")

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x)


class Upsample(nn.Module):
    """Depthwise (groups = output channels) bias-free transposed conv, kernel 2 * stride."""

    def __init__(self, stride: int, in_dim: int, out_dim: int):
        super().__init__()
        self.convtr = CausalConvTranspose1d(in_dim, out_dim, 2 * stride, stride, groups=out_dim, bias=False)

    def forward(self, x: Tensor, state: dict[str, Tensor]) -> Tensor:
        return self.convtr(x, state)


class Mimi(nn.Module):
    def __init__(self, config: MimiConfig):
        super().__init__()
        dec_seanet = config.decoder_seanet or config.seanet
        self.encoder = SEANetEncoder(config.seanet)
        self.decoder = SEANetDecoder(dec_seanet)
        self.encoder_transformer = MimiTransformer(config.transformer)
        self.decoder_transformer = MimiTransformer(config.decoder_transformer or config.transformer)
        self.quantizer = OutputProjection(config.quantizer.dimension, config.quantizer.output_dimension)
        encoder_rate = config.sample_rate / self.encoder.hop_length
        stride = encoder_rate / config.frame_rate
        if stride != int(stride) or stride < 2:
            raise ModelError(
                f"mimi frame_rate {config.frame_rate} must divide the encoder rate {encoder_rate}"
            )
        self.steps_per_frame = int(stride)  # 200 Hz encoder steps per latent frame (16)
        self.frame_size = int(config.sample_rate / config.frame_rate)  # samples per latent frame (1920)
        self.sample_rate = config.sample_rate
        self.downsample = Downsample(
            self.steps_per_frame, config.seanet.dimension, config.inner_dim or config.seanet.dimension
        )
        self.upsample = Upsample(
            self.steps_per_frame, config.outer_dim or dec_seanet.dimension, dec_seanet.dimension
        )
        self._streaming = self._streaming_layers()
        for name, module in self._streaming:
            module.state_key = name

    def _streaming_layers(self) -> list[tuple[str, CausalConv1d | CausalConvTranspose1d]]:
        """The decoder's convs that carry state between calls, by module path."""
        return [
            (name, m)
            for name, m in self.named_modules()
            if isinstance(m, (CausalConv1d, CausalConvTranspose1d))
            and (name.startswith("decoder.") or name.startswith("upsample."))
        ]

    def use_phase_convs(self) -> None:
        """Run the SEANet decoder's transposed convs in their phase form (PhaseConvTranspose1d), in place;
        decoder states made before this do not fit after it."""
        layers = self.decoder.model
        for index, layer in enumerate(layers):
            if isinstance(layer, CausalConvTranspose1d):
                layers[index] = PhaseConvTranspose1d(layer)
        self._streaming = self._streaming_layers()

    def encode_to_latent(self, audio: Tensor) -> Tensor:
        """Audio [B, 1, S] -> unquantised latents [B, ceil(S / 1920), inner_dim] (right-padded with zeros)."""
        pad = -audio.shape[-1] % self.frame_size
        x = self.encoder(F.pad(audio, (0, pad)).mT)
        x = self.encoder_transformer(x)
        return self.downsample(x)

    def new_decoder_state(self, batch_size: int = 1) -> DecoderState:
        convs = {name: m.initial_state(batch_size) for name, m in self._streaming}
        return DecoderState(convs, self.decoder_transformer.transformer.empty_window_cache(batch_size))

    def decode(self, latents: Tensor, state: DecoderState) -> Tensor:
        """Latents [B, L, 32], de-normalised (codec space) -> audio [B, 1, 1920 * L]; advances `state`."""
        x = self.quantizer(latents)
        x = self.upsample(x, state.convs)
        x = self.decoder_transformer(x, state.attention)
        return self.decoder(x, state.convs).mT
