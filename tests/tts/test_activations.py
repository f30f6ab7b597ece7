"""Our faster ELU and tanh-GELU compute torch's functions (float rounding apart), edge values included."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from audiobook_tts.tts.mimi import apply_elu
from audiobook_tts.tts.transformer import gelu_tanh

EDGES = [-1e4, -100.0, -20.0, -1.0, -1e-3, -1e-8, -0.0, 0.0, 1e-8, 1e-3, 1.0, 20.0, 1e4]


def _inputs() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.cat([torch.tensor(EDGES), torch.randn(4096) * 3, torch.linspace(-30, 30, 2001)])


def test_elu_equals_torch_elu():
    x = _inputs()
    exact = F.elu(x.double())
    ours = apply_elu(x)
    assert ours.dtype == torch.float32 and ours.shape == x.shape
    assert ((ours.double() - exact).abs() <= 2e-7 * exact.abs().clamp_min(1)).all()
    assert torch.equal(ours[x > 0], x[x > 0])  # the positive side is x itself
    assert (ours >= -1).all()


def test_elu_into_part_of_a_buffer_leaves_the_input_alone():
    x = _inputs()[:6104].reshape(-1, 8)[:, :6]  # non-contiguous
    kept = x.clone()
    padded = torch.full((x.shape[0] + 2, 6), 5.0)
    result = apply_elu(x, out=padded[2:])
    assert result.data_ptr() == padded[2:].data_ptr()
    assert torch.equal(x, kept) and torch.equal(padded[:2], torch.full((2, 6), 5.0))
    assert torch.allclose(padded[2:], F.elu(x), rtol=0, atol=2e-7)


def test_gelu_tanh_equals_torch_gelu_tanh():
    x = _inputs()
    exact = F.gelu(x.double(), approximate="tanh")
    ours = gelu_tanh(x)
    assert ((ours.double() - exact).abs() <= 1e-6 * exact.abs().clamp_min(1)).all()
    assert torch.equal(gelu_tanh(torch.tensor([0.0, 1e4])), torch.tensor([0.0, 1e4]))
