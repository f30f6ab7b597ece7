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
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

PACKED_ROWS = 32  # the row count the layout is tuned for; 8-160 rows all run close to their best with it


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


class PackedLinear(nn.Module):
    """A frozen nn.Linear whose weight lives in oneDNN's packed layout (inference only, no state dict)."""

    def __init__(self, linear: nn.Linear, rows: int = PACKED_ROWS):
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.packed_weight = torch.ops.mkldnn._reorder_linear_weight(linear.weight.detach(), rows)
        self.bias = None if linear.bias is None else linear.bias.detach()

    def forward(self, x: Tensor) -> Tensor:
        return torch.ops.mkldnn._linear_pointwise(x, self.packed_weight, self.bias, "none", [], "")


class PackedConv1d(nn.Module):
    """A frozen nn.Conv1d (no padding, groups 1) run as oneDNN's 2-D convolution of height 1, packed."""

    def __init__(self, conv: nn.Conv1d):
        super().__init__()
        self.in_channels, self.out_channels = conv.in_channels, conv.out_channels
        self.stride, self.dilation = [1, conv.stride[0]], [1, conv.dilation[0]]
        weight = conv.weight.detach()[:, :, None, :]
        ops = torch.ops.mkldnn
        self.packed_weight = ops._reorder_convolution_weight(weight, [0, 0], self.stride, self.dilation, 1)
        self.bias = None if conv.bias is None else conv.bias.detach()

    def forward(self, x: Tensor) -> Tensor:
        x, no_padding, no_fusion = x[:, :, None, :], [0, 0], ("none", [], "")
        y = torch.ops.mkldnn._convolution_pointwise(
            x, self.packed_weight, self.bias, no_padding, self.stride, self.dilation, 1, *no_fusion
        )
        return y[:, :, 0]


class PackedConvTranspose1d(nn.Module):
    """A frozen nn.ConvTranspose1d (no padding, groups 1), packed like PackedConv1d."""

    def __init__(self, convtr: nn.ConvTranspose1d):
        super().__init__()
        self.in_channels, self.out_channels = convtr.in_channels, convtr.out_channels
        self.stride = [1, convtr.stride[0]]
        weight = convtr.weight.detach()[:, :, None, :]
        ops = torch.ops.mkldnn
        self.packed_weight = ops._reorder_convolution_transpose_weight(weight, [0, 0], [0, 0], self.stride)
        self.bias = None if convtr.bias is None else convtr.bias.detach()

    def forward(self, x: Tensor) -> Tensor:
        x, no_padding, no_fusion = x[:, :, None, :], [0, 0], ("none", [], "")
        y = torch.ops.mkldnn._convolution_transpose_pointwise(
            x, self.packed_weight, self.bias, no_padding, no_padding, self.stride, [1, 1], 1, *no_fusion
        )
        return y[:, :, 0]


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


def _packed(layer: nn.Module, rows: int) -> nn.Module | None:
    """The packed twin of `layer`, or None where packing does not apply."""
    if type(layer) is nn.Linear and layer.weight.dtype == torch.float32:
        return PackedLinear(layer, rows)
    if type(layer) not in (nn.Conv1d, nn.ConvTranspose1d) or layer.weight.dtype != torch.float32:
        return None
    if layer.padding != (0,) or layer.groups != 1:
        return None
    if type(layer) is nn.ConvTranspose1d:
        return PackedConvTranspose1d(layer) if layer.output_padding == (0,) else None
    if layer.out_channels == 1 and layer.stride == (1,):
        return SingleOutputConv1d(layer)
    return PackedConv1d(layer)


def pack_layers(module: nn.Module, rows: int = PACKED_ROWS) -> int:
    """Replace the float32 linear and convolution layers inside `module` by packed ones, in place; returns
    how many. Depthwise and padded convolutions stay (Mimi's only depthwise one runs at 12.5 Hz). Nothing
    changes when the kernels are unavailable."""
    if not packing_available():
        return 0
    targets = [
        (parent, name, packed)
        for parent in module.modules()
        for name, child in parent.named_children()
        if (packed := _packed(child, rows)) is not None
    ]
    for parent, name, packed in targets:
        setattr(parent, name, packed)
    return len(targets)
