"""Linear and convolution layers with their weights packed once for oneDNN's CPU kernels.

The same float32 arithmetic as the nn layers (within float rounding, ~1e-6 relative), computed by oneDNN on
weights reordered once into the blocked layout its kernels read directly, where torch would use its default
sgemm or reorder the weights on every call. Convolutions take [B, C, T] in any memory layout and answer in
oneDNN's channels-last one; Mimi hands them the channel-major view of its time-major activations, which
oneDNN reads as they are. Measured here (2-core AVX-512 EPYC, 1 thread):
- linear 1024 -> 4096: 2.0x faster for 16 rows, 1.6x for 32, 1.5x for 64; ~1.15x for Mimi's 160-row blocks.
  That is most of a batched FlowLM step.
- Mimi's convolutions on time-major input, per block of 10 frames: 1.05-1.45x each (the 24 kHz ones gain
  most), its transposed convolutions 1.1-1.6x; Mimi's last conv (64 channels -> 1) runs fastest as k
  matrix-vector products. Mimi decoding as a whole: ~8.6 -> ~6.4 ms per frame (benchmarks/mimi.py).
torch exposes these kernels only through its private `torch.ops.mkldnn` operators (the ones its compiler
uses for frozen CPU models); where they are missing the model keeps its plain layers.

Packed in bfloat16 (opt-in, `pack_layers(..., dtype=torch.bfloat16)`), a layer rounds its input and weights
to bfloat16 and oneDNN multiplies them on the CPU's bfloat16 units (AMX or AVX-512 BF16), accumulating in
float32; its output is rounded to bfloat16 and handed on as float32, so what lies between the layers
(residuals, normalisation, softmax, activations) stays float32. Two exceptions: a feed-forward's first
layer hands its GELU'd output to the second in bfloat16 (`gelu_tanh`), and the attention caches store keys
and values in bfloat16 (tts/transformer.py). Another model numerically: the audio difference is measured by
benchmarks/precision.py.
"""

from __future__ import annotations

import os

import torch
from torch import Tensor, nn

PACKED_ROWS = 32  # the row count the layout is tuned for; 8-160 rows all run close to their best with it

# oneDNN (its primitive cache) and torch's ideep layer (its LRU cache) each keep a kernel, ~1 MB, for every
# input shape met, up to 1024 each, for the life of the process. A render meets hundreds of shapes (a group's
# tail at every batch size, text prompts of every length, Mimi's shorter last blocks), so its memory grew for
# hours of audio. Rebuilding a kernel costs less than the memory they held (benchmarks/kernel_cache.py): both
# caches are bounded, unless set by the user. Read at the first kernel built, so set before any is.
KERNEL_CACHE_CAPACITY = 64
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(KERNEL_CACHE_CAPACITY))
os.environ.setdefault("LRU_CACHE_CAPACITY", str(KERNEL_CACHE_CAPACITY))


_OPS = (
    "_reorder_linear_weight",
    "_linear_pointwise",
    "_reorder_convolution_weight",
    "_convolution_pointwise",
    "_reorder_convolution_transpose_weight",
    "_convolution_transpose_pointwise",
)


def packing_available() -> bool:
    return torch.backends.mkldnn.is_available() and all(hasattr(torch.ops.mkldnn, op) for op in _OPS)


class _Packed(nn.Module):
    """A frozen layer's weight and bias in `dtype` (float32, or bfloat16 for the bfloat16 kernels)."""

    def __init__(self, layer: nn.Linear | nn.Conv1d | nn.ConvTranspose1d, dtype: torch.dtype):
        super().__init__()
        self.dtype = dtype
        self.packed_weight = layer.weight.detach().to(dtype)  # reordered by the subclass
        self.bias = None if layer.bias is None else layer.bias.detach().to(dtype)

    def kernel_input(self, x: Tensor) -> Tensor:
        return x if x.dtype == self.dtype else x.to(self.dtype)

    @staticmethod
    def output(y: Tensor, like: Tensor) -> Tensor:
        """The kernel's output in the caller's dtype (float32 stays float32 without a copy)."""
        return y if y.dtype == like.dtype else y.to(like.dtype)


class PackedLinear(_Packed):
    """A frozen nn.Linear whose weight lives in oneDNN's packed layout (inference only, no state dict)."""

    def __init__(self, linear: nn.Linear, rows: int = PACKED_ROWS, dtype: torch.dtype = torch.float32):
        super().__init__(linear, dtype)
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.packed_weight = torch.ops.mkldnn._reorder_linear_weight(self.packed_weight, rows)

    def forward(self, x: Tensor) -> Tensor:
        x_in = self.kernel_input(x)
        y = torch.ops.mkldnn._linear_pointwise(x_in, self.packed_weight, self.bias, "none", [], "")
        return self.output(y, x)

    def gelu_tanh(self, x: Tensor) -> Tensor:
        """GELU (tanh approximation) of this layer's output, applied by oneDNN as the kernel writes it (one
        pass less than applying it after: a transformer's feed-forward). The output stays in the kernel's
        dtype: in bfloat16 it feeds the next bfloat16 layer as it is."""
        return torch.ops.mkldnn._linear_pointwise(
            self.kernel_input(x), self.packed_weight, self.bias, "gelu", [], "tanh"
        )


class PackedConv1d(_Packed):
    """A frozen nn.Conv1d (no padding, groups 1) run as oneDNN's 2-D convolution of height 1, packed."""

    def __init__(self, conv: nn.Conv1d, dtype: torch.dtype = torch.float32):
        super().__init__(conv, dtype)
        self.in_channels, self.out_channels = conv.in_channels, conv.out_channels
        self.stride, self.dilation = [1, conv.stride[0]], [1, conv.dilation[0]]
        self.packed_weight = torch.ops.mkldnn._reorder_convolution_weight(
            self.packed_weight[:, :, None, :], [0, 0], self.stride, self.dilation, 1
        )

    def forward(self, x: Tensor) -> Tensor:
        no_padding = [0, 0]
        no_fusion: tuple[str, list[float], str] = ("none", [], "")
        y = torch.ops.mkldnn._convolution_pointwise(
            self.kernel_input(x)[:, :, None, :],
            self.packed_weight,
            self.bias,
            no_padding,
            self.stride,
            self.dilation,
            1,
            *no_fusion,
        )
        return self.output(y[:, :, 0], x)


class PackedConvTranspose1d(_Packed):
    """A frozen nn.ConvTranspose1d (no padding, groups 1), packed like PackedConv1d."""

    def __init__(self, convtr: nn.ConvTranspose1d, dtype: torch.dtype = torch.float32):
        super().__init__(convtr, dtype)
        self.in_channels, self.out_channels = convtr.in_channels, convtr.out_channels
        self.stride = [1, convtr.stride[0]]
        self.packed_weight = torch.ops.mkldnn._reorder_convolution_transpose_weight(
            self.packed_weight[:, :, None, :], [0, 0], [0, 0], self.stride
        )

    def forward(self, x: Tensor) -> Tensor:
        no_padding = [0, 0]
        no_fusion: tuple[str, list[float], str] = ("none", [], "")
        y = torch.ops.mkldnn._convolution_transpose_pointwise(
            self.kernel_input(x)[:, :, None, :],
            self.packed_weight,
            self.bias,
            no_padding,
            no_padding,
            self.stride,
            [1, 1],
            1,
            *no_fusion,
        )
        return self.output(y[:, :, 0], x)


class SingleOutputConv1d(nn.Module):
    """A frozen nn.Conv1d with one output channel (no padding, stride 1, groups 1) as a sum of k shifted
    matrix-vector products: [1, C] x [C, T] per kernel tap."""

    def __init__(self, conv: nn.Conv1d):
        super().__init__()
        self.in_channels, self.out_channels = conv.in_channels, 1
        self.dilation = conv.dilation[0]
        self.taps = conv.weight.detach().permute(2, 0, 1).contiguous()  # [k, 1, C]
        self.bias = None if conv.bias is None else conv.bias.detach()

    def forward(self, x: Tensor) -> Tensor:
        span = self.dilation * (self.taps.shape[0] - 1)
        length = x.shape[-1] - span
        y = self.taps[0] @ x[..., :length]
        for tap in range(1, self.taps.shape[0]):
            start = tap * self.dilation
            y += self.taps[tap] @ x[..., start : start + length]
        return y if self.bias is None else y + self.bias[:, None]


def _packed(layer: nn.Module, rows: int, dtype: torch.dtype) -> nn.Module | None:
    """The packed twin of `layer`, or None where packing does not apply."""
    if type(layer) is nn.Linear and layer.weight.dtype == torch.float32:
        return PackedLinear(layer, rows, dtype)
    kinds = (nn.Conv1d, nn.ConvTranspose1d)  # these exactly: a subclass may compute something else
    if not isinstance(layer, kinds) or type(layer) not in kinds or layer.weight.dtype != torch.float32:
        return None
    if layer.padding != (0,) or layer.groups != 1:
        return None
    if isinstance(layer, nn.ConvTranspose1d):
        return PackedConvTranspose1d(layer, dtype) if layer.output_padding == (0,) else None
    if layer.out_channels == 1 and layer.stride == (1,):
        return SingleOutputConv1d(layer)
    return PackedConv1d(layer, dtype)


def bfloat16_available() -> bool:
    """oneDNN has bfloat16 kernels on this CPU (AVX-512 BF16 or AMX; without them it would emulate)."""
    return packing_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def pack_layers(module: nn.Module, rows: int = PACKED_ROWS, dtype: torch.dtype = torch.float32) -> int:
    """Replace the float32 linear and convolution layers inside `module` by packed ones, in place; returns
    how many. Depthwise and padded convolutions stay (Mimi's only depthwise one runs at 12.5 Hz), and so
    does the single-output conv (float32 either way). Nothing changes when the kernels are unavailable."""
    if not packing_available():
        return 0
    targets = [
        (parent, name, packed)
        for parent in module.modules()
        for name, child in parent.named_children()
        if (packed := _packed(child, rows, dtype)) is not None
    ]
    for parent, name, packed in targets:
        setattr(parent, name, packed)
    return len(targets)
