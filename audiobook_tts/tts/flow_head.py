"""The flow head: a small adaLN MLP that turns a backbone state and a noise vector into one latent frame.

The head (a DiT/MAR-style "SimpleMLPAdaLN") is conditioned on the backbone output c and on 0, 1 or 2 time
values depending on the decoder family (lsd: start and end; flow_matching: one; drifting, pointwise: none).
Its norms are deliberately not torch's: see `layer_norm` and `TimestepEmbedder.norm`.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

NUM_TIME_CONDITIONS = {"lsd": 2, "flow_matching": 1, "drifting": 0, "pointwise": 0}


def layer_norm(x: Tensor, eps: float) -> Tensor:
    """LayerNorm written out (biased variance, divide by sqrt): the reference's own module, bit for bit."""
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


class AffineLayerNorm(nn.Module):
    def __init__(self, channels: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.eps) * self.weight + self.bias


class VarianceNorm(nn.Module):
    """The reference calls it RMSNorm, but it scales by rsqrt(eps + unbiased variance about the mean), with x
    itself left uncentred; keep that exact formula (and its `alpha` name) or trained weights misbehave."""

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.alpha = nn.Parameter(torch.ones(channels))

    def forward(self, x: Tensor) -> Tensor:
        var = self.eps + x.var(dim=-1, keepdim=True)
        return x * (self.alpha * torch.rsqrt(var))


class TimestepEmbedder(nn.Module):
    """Scalar time t [B, 1] -> [B, C]: sinusoidal features (cos then sin), MLP, VarianceNorm."""

    freqs: Tensor  # a buffer

    def __init__(self, channels: int, frequency_size: int = 256, max_period: float = 10000.0):
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(frequency_size, channels),
            nn.SiLU(),
            nn.Linear(channels, channels),
            VarianceNorm(channels),
        )
        half = frequency_size // 2
        # Persistent buffer: loaded from the checkpoint (bf16-rounded there), never recomputed.
        self.register_buffer("freqs", torch.exp(-math.log(max_period) * torch.arange(half) / half))

    def forward(self, t: Tensor) -> Tensor:
        args = t * self.freqs
        return self.mlp(torch.cat([torch.cos(args), torch.sin(args)], dim=-1))


class ResBlock(nn.Module):
    """x + gate * MLP(LN(x) * (1 + scale) + shift), with (shift, scale, gate) from SiLU(y)."""

    def __init__(self, channels: int):
        super().__init__()
        self.in_ln = AffineLayerNorm(channels, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(channels, channels), nn.SiLU(), nn.Linear(channels, channels))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(channels, 3 * channels))

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        shift, scale, gate = self.adaLN_modulation(y).chunk(3, dim=-1)
        h = self.in_ln(x) * (1 + scale) + shift
        return x + gate * self.mlp(h)


class FinalLayer(nn.Module):
    def __init__(self, channels: int, out_channels: int):
        super().__init__()
        self.linear = nn.Linear(channels, out_channels)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(channels, 2 * channels))

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        shift, scale = self.adaLN_modulation(y).chunk(2, dim=-1)
        return self.linear(layer_norm(x, 1e-6) * (1 + scale) + shift)


class FlowHead(nn.Module):
    """head(c [B, cond], *times [B, 1], x [B, latent]) -> [B, latent]."""

    def __init__(self, latent_dim: int, channels: int, cond_dim: int, depth: int, num_time_conds: int):
        super().__init__()
        self.num_time_conds = num_time_conds
        self.time_embed = nn.ModuleList(TimestepEmbedder(channels) for _ in range(num_time_conds))
        self.cond_embed = nn.Linear(cond_dim, channels)
        self.input_proj = nn.Linear(latent_dim, channels)
        self.res_blocks = nn.ModuleList(ResBlock(channels) for _ in range(depth))
        self.final_layer = FinalLayer(channels, latent_dim)

    def forward(self, c: Tensor, *times_and_x: Tensor) -> Tensor:
        *times, x = times_and_x
        x = self.input_proj(x)
        y = self.cond_embed(c)
        if self.num_time_conds:
            # Sum from integer 0 in embedder order, then average: the reference's exact arithmetic.
            y = (
                y
                + sum(embed(t) for embed, t in zip(self.time_embed, times, strict=True)) / self.num_time_conds
            )
        for block in self.res_blocks:
            x = block(x, y)
        return self.final_layer(x, y)


def sample(head: FlowHead, kind: str, c: Tensor, noise: Tensor, steps: int = 1) -> Tensor:
    """Map noise [B, latent] to a latent frame conditioned on c, by the decoder family `kind`."""
    if kind == "lsd":  # Lagrangian self-distillation: jump from time s to t in `steps` hops
        x = noise
        for i in range(steps):
            s, t = i / steps, (i + 1) / steps
            ones = torch.ones_like(noise[..., :1])
            x = x + head(c, s * ones, t * ones, x) / steps
        return x
    if kind == "flow_matching":  # Euler integration of the velocity field
        x = noise
        for i in range(steps):
            x = x + head(c, (i / steps) * torch.ones_like(noise[..., :1]), x) / steps
        return x
    if kind == "drifting":  # one step, the head output is the sample
        return head(c, noise)
    if kind == "pointwise":  # one step, the head output is a residual on the noise
        return noise + head(c, noise)
    raise ValueError(f"unknown flow type {kind!r}")
