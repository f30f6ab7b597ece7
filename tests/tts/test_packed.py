"""Packed layers compute what the nn layers they replace compute (float rounding apart)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from audiobook_tts.tts.packed import (
    PackedConv1d,
    PackedConvTranspose1d,
    PackedLinear,
    SingleOutputConv1d,
    bfloat16_available,
    pack_layers,
    packing_available,
)
from audiobook_tts.tts.transformer import gelu_tanh

needs_packing = pytest.mark.skipif(
    not packing_available(), reason="torch has no oneDNN packing operators here"
)


def close(a: torch.Tensor, b: torch.Tensor) -> bool:
    assert a.shape == b.shape
    return bool((a - b).abs().max() <= 1e-5 * b.abs().max())


@needs_packing
@torch.no_grad()
def test_each_packed_layer_equals_the_nn_layer():
    torch.manual_seed(0)
    linear = nn.Linear(96, 200)
    for x in (torch.randn(1, 96), torch.randn(7, 1, 96), torch.randn(2, 160, 96)):  # any row count
        assert close(PackedLinear(linear)(x), linear(x))
    # Convolutions take [B, C, T] in either layout: contiguous, or the channel-major view of time-major
    # [B, T, C] memory that Mimi hands them.
    conv = nn.Conv1d(256, 48, 3, dilation=2)
    for x in (torch.randn(2, 256, 41), torch.randn(2, 41, 256).mT):
        assert close(PackedConv1d(conv)(x), conv(x))
    convtr = nn.ConvTranspose1d(64, 32, 10, 5)
    for x in (torch.randn(1, 64, 1), torch.randn(3, 64, 16), torch.randn(3, 16, 64).mT):
        assert close(PackedConvTranspose1d(convtr)(x), convtr(x))
    last = nn.Conv1d(64, 1, 3)
    for x in (torch.randn(2, 64, 500), torch.randn(2, 500, 64).mT):
        assert close(SingleOutputConv1d(last)(x), last(x))


@needs_packing
@torch.no_grad()
def test_packed_linear_applies_the_feed_forward_gelu_as_it_writes():
    torch.manual_seed(0)
    linear = nn.Linear(96, 384, bias=False)
    for x in (torch.randn(1, 96), torch.randn(32, 1, 96), torch.randn(1, 160, 96)):
        expected = gelu_tanh(linear(x))
        assert close(PackedLinear(linear).gelu_tanh(x), expected)
        assert not close(PackedLinear(linear)(x), expected)  # the GELU is there
    if bfloat16_available():
        rounded = PackedLinear(linear, dtype=torch.bfloat16).gelu_tanh(x)
        assert rounded.dtype == torch.bfloat16  # feeds the next bfloat16 layer without a conversion
        assert 1e-5 < (rounded.float() - expected).abs().max() / expected.abs().max() < 3e-2


@needs_packing
def test_pack_layers_picks_what_pays():
    model = nn.Sequential(
        nn.Linear(8, 8),
        nn.Conv1d(512, 512, 7),
        nn.Conv1d(64, 32, 3, padding=1),  # padded: left alone (Mimi pads causally itself)
        nn.ConvTranspose1d(128, 64, 8, 4),
        nn.ConvTranspose1d(16, 16, 32, 16, groups=16, bias=False),  # depthwise: left alone
        nn.Conv1d(64, 1, 3),
    )
    assert pack_layers(model) == 4
    kinds = [type(layer) for layer in model]
    assert kinds == [
        PackedLinear,
        PackedConv1d,
        nn.Conv1d,
        PackedConvTranspose1d,
        nn.ConvTranspose1d,
        SingleOutputConv1d,
    ]


needs_bfloat16 = pytest.mark.skipif(not bfloat16_available(), reason="no bfloat16 oneDNN kernels on this CPU")


@needs_bfloat16
@torch.no_grad()
def test_bfloat16_layers_take_and_give_float32_within_bfloat16_rounding():
    torch.manual_seed(0)
    layers = [
        (PackedLinear, nn.Linear(96, 200), torch.randn(16, 96)),
        (PackedConv1d, nn.Conv1d(256, 48, 3, dilation=2), torch.randn(2, 41, 256).mT),
        (PackedConvTranspose1d, nn.ConvTranspose1d(64, 32, 10, 5), torch.randn(3, 16, 64).mT),
    ]
    for kind, layer, x in layers:
        packed = kind(layer, dtype=torch.bfloat16)
        y, expected = packed(x), layer(x)
        assert y.dtype == torch.float32 and y.shape == expected.shape
        error = (y - expected).abs().max() / expected.abs().max()
        assert 1e-5 < error < 3e-2  # rounded to bfloat16 (8 significant bits), not float32 any more
    model = nn.Sequential(nn.Linear(8, 8), nn.Conv1d(64, 1, 3))
    assert pack_layers(model, dtype=torch.bfloat16) == 2
    assert model[0].packed_weight.dtype == torch.bfloat16
    assert model[1].taps.dtype == torch.float32  # the single-output conv stays float32


def test_unknown_precision_is_refused():
    from audiobook_tts.tts import ModelError, use_fast_kernels

    with pytest.raises(ModelError, match="unknown precision 'fp8'"):
        use_fast_kernels(nn.Module(), precision="fp8")


SHAPE_SWEEP = """
import os, sys, torch
from torch import nn
from audiobook_tts.tts.packed import pack_layers
torch.set_num_threads(1)
def resident():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
shapes = [(1024, 3072), (1024, 1024), (1024, 4096), (4096, 1024)]  # the FlowLM's linear layers
layers = nn.ModuleList([nn.Linear(*shape) for shape in shapes])
pack_layers(layers)
inputs = [torch.randn(96, layer.in_features) for layer in layers]
with torch.no_grad():
    for layer, x in zip(layers, inputs):
        layer(x[:32])
    before = resident()
    for rows in range(1, 97):
        for layer, x in zip(layers, inputs):
            layer(x[:rows])
print(resident() - before)
"""


def test_kernels_for_every_input_shape_are_not_all_kept():
    """oneDNN's and ideep's caches keep a kernel per input shape met (up to 1024 each, ~1 MB apiece);
    packed.py bounds both, so 384 shapes (the FlowLM's four linear layers at 1-96 rows) leave far less
    memory behind than with torch's own capacity (set here as a user may, which packed.py keeps)."""
    import os
    import subprocess
    import sys

    def memory_kept(**caches: str) -> int:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "LRU_CACHE_CAPACITY")
        }
        result = subprocess.run(
            [sys.executable, "-c", SHAPE_SWEEP], env=env | caches, capture_output=True, text=True, check=True
        )
        return int(result.stdout)

    bounded = memory_kept()
    torchs_own = memory_kept(ONEDNN_PRIMITIVE_CACHE_CAPACITY="1024", LRU_CACHE_CAPACITY="1024")
    assert torchs_own > 100 * 2**20  # the growth is real here
    assert bounded < torchs_own / 2, (bounded, torchs_own)
