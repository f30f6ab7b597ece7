"""Pre-norm causal transformer shared by the FlowLM backbone and Mimi, and its key/value caches.

Numerics follow pocket-tts 4.0.1: LayerNorm(eps 1e-5), tanh-approximated GELU, RoPE over interleaved
pairs with float32 angles, scaled-dot-product attention with scale 1/sqrt(head_dim). Caches are plain
dataclasses with a batch dimension and a per-row offset, so they can be copied, saved and batched: rows may
sit at different positions, and `advance(..., active=)` lets a finished row stop moving.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from audiobook_tts.tts import vector_math  # noqa: F401  (first, before any math: see its docstring)
from audiobook_tts.tts.packed import PackedLinear


class _RowCache:
    """What every cache has: rows, each at its own position `offset` (int64 [B])."""

    if TYPE_CHECKING:  # read-only here (PrefixKVCache derives it); a type only, so no dataclass inherits it

        @property
        def offset(self) -> Tensor: ...

    def positions(self, length: int) -> Tensor:
        """Absolute positions [B, length] of the next `length` inputs of each row."""
        return self.offset[:, None] + torch.arange(length)


class _AppendingCache(_RowCache):
    """What the linear and the sliding cache share: rows that advance by offset, attention over what
    `append` returns."""

    offset: Tensor

    def append(self, layer: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def advance(self, steps: int, active: Tensor | None = None) -> None:
        """Move the offset of every row (or of the `active` [B] bool rows) forward by `steps`."""
        if active is None:
            self.offset += steps
        else:
            self.offset += steps * active.long()

    def attend(self, layer: int, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> Tensor:
        """Store k, v [B, T, kv_heads, D] and attend q [B, T, heads, D] over the row -> [B, T, heads, D]."""
        keys, values = self.append(layer, k, v)
        return attend(q.to(keys.dtype), keys, values, mask).to(q.dtype)


@dataclass
class KVCache(_AppendingCache):
    """Linear cache (FlowLM): slot i of every row holds position i; positions [0, offset) are written.

    keys[l], values[l]: [B, capacity, kv_heads, head_dim], keys already rotated by RoPE. Unwritten slots are
    zero (not NaN): a zero key is harmless once masked, which batched rows at different offsets rely on.
    """

    keys: list[Tensor]
    values: list[Tensor]
    offset: Tensor  # int64 [B]

    @classmethod
    def empty(cls, num_layers: int, batch_size: int, capacity: int, kv_heads: int, head_dim: int) -> KVCache:
        def zeros() -> Tensor:
            return torch.zeros(batch_size, capacity, kv_heads, head_dim)

        return cls(
            keys=[zeros() for _ in range(num_layers)],
            values=[zeros() for _ in range(num_layers)],
            offset=torch.zeros(batch_size, dtype=torch.long),
        )

    @property
    def capacity(self) -> int:
        return self.keys[0].shape[1]

    def copy(self, capacity: int | None = None) -> KVCache:
        """A deep copy, with room for `capacity` positions (never less than already written)."""
        capacity = max(capacity or self.capacity, int(self.offset.max()))
        used = min(self.capacity, capacity)

        def grown(t: Tensor) -> Tensor:
            out = t.new_zeros(t.shape[0], capacity, *t.shape[2:])
            out[:, :used] = t[:, :used]
            return out

        return KVCache([grown(k) for k in self.keys], [grown(v) for v in self.values], self.offset.clone())

    def attention_mask(self, length: int) -> Tensor | None:
        """[B, 1, length, keys] boolean mask, or None when every key is visible to every query."""
        offsets = self.offset.tolist()
        end = max(offsets) + length
        if length == 1 and min(offsets) == end - 1:
            return None
        pos_k = torch.arange(end)
        return (pos_k[None, None, :] <= self.positions(length)[:, :, None])[:, None]

    def append(self, layer: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Write k, v [B, T, kv_heads, head_dim] at each row's offset; return what to attend."""
        t = k.shape[1]
        offsets = self.offset.tolist()
        start, end = min(offsets), max(offsets) + t
        if end > self.capacity:
            raise ValueError(f"KV cache full: need {end} positions, capacity is {self.capacity}")
        if start + t == end:  # all rows in step: one slice write
            self.keys[layer][:, start:end] = k
            self.values[layer][:, start:end] = v
        else:
            rows = torch.arange(k.shape[0])[:, None]
            slots = self.positions(t)
            self.keys[layer][rows, slots] = k
            self.values[layer][rows, slots] = v
        return self.keys[layer][:, :end], self.values[layer][:, :end]


@dataclass
class WindowKVCache(_AppendingCache):
    """Sliding cache (Mimi decoder): the last `context - 1` steps before `offset`, oldest first.

    keys[l], values[l]: [B, context - 1, heads, head_dim]; slots before the stream start are zero and masked.
    Memory stays bounded however long the stream, and the attended keys are exactly the window. Stored in
    float32, or bfloat16 for `--precision bf16` (`Transformer.kv_dtype`): queries are then rounded too, and
    the output handed back in float32.
    """

    keys: list[Tensor]
    values: list[Tensor]
    offset: Tensor  # int64 [B], steps seen so far
    context: int

    @classmethod
    def empty(
        cls,
        num_layers: int,
        batch_size: int,
        context: int,
        heads: int,
        head_dim: int,
        dtype: torch.dtype = torch.float32,
    ) -> WindowKVCache:
        def zeros() -> Tensor:
            return torch.zeros(batch_size, context - 1, heads, head_dim, dtype=dtype)

        return cls(
            keys=[zeros() for _ in range(num_layers)],
            values=[zeros() for _ in range(num_layers)],
            offset=torch.zeros(batch_size, dtype=torch.long),
            context=context,
        )

    def copy(self) -> WindowKVCache:
        return WindowKVCache(
            [k.clone() for k in self.keys],
            [v.clone() for v in self.values],
            self.offset.clone(),
            self.context,
        )

    def attention_mask(self, length: int) -> Tensor:
        kept = self.context - 1
        pos_q = self.positions(length)  # [B, T]
        pos_k = self.offset[:, None] - kept + torch.arange(kept + length)  # [B, kept + T]
        delta = pos_q[:, :, None] - pos_k[:, None, :]
        return ((pos_k[:, None, :] >= 0) & (delta >= 0) & (delta < self.context))[:, None]

    def append(self, layer: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        keys = torch.cat([self.keys[layer], k.to(self.keys[layer].dtype)], dim=1)
        values = torch.cat([self.values[layer], v.to(self.keys[layer].dtype)], dim=1)
        kept = self.context - 1
        self.keys[layer] = keys[:, keys.shape[1] - kept :]
        self.values[layer] = values[:, values.shape[1] - kept :]
        return keys, values


@dataclass
class PrefixKVCache(_RowCache):
    """Batched-generation cache (FlowLM): voice prefixes stored once and read by every row that uses them,
    plus each row's own suffix ([text | latents], written one position per step).

    Sharing the prefix saves memory (one copy per voice, not per row) and time: a decode step is bound by
    reading keys and values, and a prefix's are read once for all its rows instead of once per row. A step
    attends in two parts, each by torch's fused CPU attention kernel, which reads keys and values once at
    memory speed (matrix-vector products ran at under half of it): every row of a voice over its prefix as one
    batch of queries, and each row over its own suffix; the two are joined by their log-sum-exps (the split
    softmax of flash decoding), which equals one softmax over [prefix | suffix] within float rounding.

    prefix_keys[l], prefix_values[l]: [V, kv_heads, prefix capacity, D]; zero beyond a voice's length.
    keys[l], values[l]: [B, kv_heads, capacity, D], head-major so each (row, head) block is contiguous. Row b
    sits at position offset[b] = prefix_length[voice[b]] + length[b], which is what RoPE sees, as in one row's
    linear KVCache.

    Keys and values are stored in float32, or in bfloat16 for `--precision bf16` (`Transformer.kv_dtype`): a
    step's attention reads every row's keys and values from memory and is bound by it, so bfloat16 halves it.
    Queries are then rounded to bfloat16 too (the kernel takes one dtype); scores and softmax stay float32.
    """

    prefix_keys: list[Tensor]
    prefix_values: list[Tensor]
    prefix_length: Tensor  # int64 [V]
    voice: Tensor  # int64 [B], each row's prefix
    keys: list[Tensor]
    values: list[Tensor]
    length: Tensor  # int64 [B], suffix positions written

    @classmethod
    def empty(
        cls, prefixes: list[KVCache], batch_size: int, capacity: int, dtype: torch.dtype = torch.float32
    ) -> PrefixKVCache:
        """Rows with room for `capacity` suffix positions over the single-row caches `prefixes` (voices),
        keys and values stored in `dtype`."""
        kv_heads, head_dim = prefixes[0].keys[0].shape[2:]
        lengths = [int(p.offset[0]) for p in prefixes]
        longest = max(lengths)

        def stacked(tensors: list[Tensor]) -> Tensor:  # [1, L, H, D] each -> [V, H, longest, D]
            out = torch.zeros(len(tensors), kv_heads, longest, head_dim, dtype=dtype)
            for i, (t, n) in enumerate(zip(tensors, lengths, strict=True)):
                out[i, :, :n] = t[0, :n].transpose(0, 1)
            return out

        layers = range(len(prefixes[0].keys))
        return cls(
            prefix_keys=[stacked([p.keys[i] for p in prefixes]) for i in layers],
            prefix_values=[stacked([p.values[i] for p in prefixes]) for i in layers],
            prefix_length=torch.tensor(lengths, dtype=torch.long),
            voice=torch.zeros(batch_size, dtype=torch.long),
            keys=[torch.zeros(batch_size, kv_heads, capacity, head_dim, dtype=dtype) for _ in layers],
            values=[torch.zeros(batch_size, kv_heads, capacity, head_dim, dtype=dtype) for _ in layers],
            length=torch.zeros(batch_size, dtype=torch.long),
        )

    @property
    def offset(self) -> Tensor:
        return self.prefix_length[self.voice] + self.length

    def place(self, row: int, voice: int, source: KVCache) -> None:
        """Make `row` continue `source` (one row: prefix `voice` then more positions, e.g. a text prompt)."""
        start, end = int(self.prefix_length[voice]), int(source.offset[0])
        capacity = self.keys[0].shape[2]
        if end - start > capacity:
            raise ValueError(f"KV cache full: need {end - start} positions, capacity is {capacity}")
        for layer in range(len(self.keys)):
            self.keys[layer][row, :, : end - start] = source.keys[layer][0, start:end].transpose(0, 1)
            self.values[layer][row, :, : end - start] = source.values[layer][0, start:end].transpose(0, 1)
        self.voice[row] = voice
        self.length[row] = end - start

    def keep(self, rows: Tensor) -> None:
        """Keep only the given rows (int64 [B'], strictly ascending), moved to the front of the same storage:
        a batch draining row by row at the end of a group allocates nothing (copies of the kept rows held the
        cache twice over for a moment, and were the render's peak memory)."""
        kept = rows.tolist()
        if any(a >= b for a, b in itertools.pairwise(kept)):
            raise ValueError("rows to keep must be strictly ascending")
        n = len(kept)
        for tensors in (self.keys, self.values):
            for layer, tensor in enumerate(tensors):
                for to, source in enumerate(kept):
                    if source != to:  # source > to, and not yet overwritten: the rows move only forward
                        tensor[to] = tensor[source]
                tensors[layer] = tensor[:n]
        self.voice = self.voice.index_select(0, rows)
        self.length = self.length.index_select(0, rows)

    def attention_mask(self, length: int) -> Tensor:
        """[B, 1, 1, seen] float: 0 where a row's next position may look in its own suffix (up to and
        including the slot this step writes; seen = the longest row's length + 1), -inf beyond. Made once per
        step, for every layer; a row sees its voice's whole prefix, so that part needs no mask."""
        if length != 1:
            raise ValueError("a PrefixKVCache takes one position per row per call")
        capacity, longest = self.keys[0].shape[2], int(self.length.max())
        if longest >= capacity:
            raise ValueError(f"KV cache full: capacity is {capacity}")
        beyond = torch.arange(longest + 1) > self.length[:, None]
        return torch.zeros(beyond.shape).masked_fill_(beyond, float("-inf"))[:, None, None]

    def advance(self, steps: int) -> None:
        self.length += steps

    def attend(self, layer: int, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> Tensor:
        """One step: q [B, 1, heads, D], k, v [B, 1, kv_heads, D], mask from `attention_mask` ->
        [B, 1, heads, D]."""
        if mask is None:
            raise ValueError("a PrefixKVCache attends with the mask of its attention_mask, never None")
        b, _, heads, d = q.shape
        keys, values = self.keys[layer], self.values[layer]
        kv_heads = keys.shape[1]
        rows = torch.arange(b)
        keys[rows, :, self.length] = k[:, 0].to(keys.dtype)
        values[rows, :, self.length] = v[:, 0].to(keys.dtype)
        seen = mask.shape[-1]
        q = q[:, 0].reshape(b, kv_heads, heads // kv_heads, d).to(keys.dtype)  # grouped by KV head
        out, lse = _attention(q, keys[:, :, :seen], values[:, :, :seen], mask)
        prefix_out, prefix_lse = torch.empty_like(out), torch.empty_like(lse)
        for voice, members in self._rows_by_voice():
            length = int(self.prefix_length[voice])
            voice_q = q[members]  # [n, kv_heads, group, D] -> one batch of n * group queries per head
            joined = voice_q.transpose(0, 1).reshape(1, kv_heads, -1, d)
            o, s = _attention(
                joined,
                self.prefix_keys[layer][voice : voice + 1, :, :length],
                self.prefix_values[layer][voice : voice + 1, :, :length],
                None,
            )
            prefix_out[members] = o.view(kv_heads, -1, *voice_q.shape[2:]).transpose(0, 1)
            prefix_lse[members] = s.view(kv_heads, -1, voice_q.shape[2]).transpose(0, 1)
        top = torch.maximum(lse, prefix_lse)
        own_weight, prefix_weight = (lse - top).exp_()[..., None], (prefix_lse - top).exp_()[..., None]
        out = (out.float() * own_weight + prefix_out.float() * prefix_weight) / (own_weight + prefix_weight)
        return out.reshape(b, 1, heads, d)

    def _rows_by_voice(self) -> list[tuple[int, Tensor | slice]]:
        voices = self.voice.tolist()
        if len(set(voices)) == 1:  # one voice (the usual case): every row, as a slice (no gather/scatter)
            return [(voices[0], slice(None))]
        return [
            (voice, torch.tensor([i for i, x in enumerate(voices) if x == voice]))
            for voice in sorted(set(voices))
        ]


def _attention(q: Tensor, keys: Tensor, values: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
    """Softmax attention, q [B, H, T, D] over keys, values [B, H, S, D] with an additive float mask
    broadcastable to [B, H, T, S] -> (out [B, H, T, D], natural log-sum-exp of the scaled scores [B, H, T]),
    by torch's fused CPU kernel (the log-sum-exp is what lets two parts of one softmax be joined)."""
    return torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(q, keys, values, attn_mask=mask)


def attend(q: Tensor, keys: Tensor, values: Tensor, mask: Tensor | None) -> Tensor:
    """Scaled dot-product attention, q [B, T, heads, D] over keys, values [B, S, kv_heads, D] -> like q."""
    out = F.scaled_dot_product_attention(
        q.transpose(1, 2),
        keys.transpose(1, 2),
        values.transpose(1, 2),
        attn_mask=mask,
        enable_gqa=keys.shape[2] != q.shape[2],
    )
    return out.transpose(1, 2)


Cache = KVCache | WindowKVCache | PrefixKVCache


def rope_rotation(positions: Tensor, head_dim: int, max_period: float) -> Tensor:
    """cos + i sin [B, T, 1, head_dim/2] (complex64) of the rotation at integer `positions` [B, T], angles,
    cos and sin in float32."""
    half = torch.arange(head_dim // 2, dtype=torch.float32)
    freqs = torch.exp(half * (-math.log(max_period) * 2 / head_dim))
    angles = freqs * positions.to(torch.float32)[:, :, None, None]
    return torch.complex(torch.cos(angles), torch.sin(angles))


def apply_rope(x: Tensor, rotation: Tensor) -> Tensor:
    """Rotate x [B, T, H, D] pairwise: (x[2i], x[2i+1]) is one complex number (not the split-half layout),
    multiplied by its rotation. One complex product computes (re cos - im sin, re sin + im cos), the same
    values as those four real products written out, ~10x faster than them (one pass instead of seven)."""
    b, t, h, d = x.shape
    pairs = torch.view_as_complex(x.view(b, t, h, d // 2, 2))
    return torch.view_as_real(pairs * rotation).view(b, t, h, d)


GELU_SCALE = 2 * math.sqrt(2 / math.pi)


def gelu_tanh(x: Tensor) -> Tensor:
    """GELU with the tanh approximation, x (1 + tanh(z)) / 2 for z = sqrt(2/pi) (x + 0.044715 x^3), as
    x sigmoid(2z): the same function (equal within float rounding, ~4e-7), twice as fast as torch's
    tanh-based kernel on this CPU (its sigmoid is fast, its tanh is not)."""
    return torch.mul(x, x).mul_(0.044715 * GELU_SCALE).add_(GELU_SCALE).mul_(x).sigmoid_().mul_(x)


class Attention(nn.Module):
    """Multi-head self-attention with RoPE and grouped-query heads (a KV head serves num_heads/kv_heads)."""

    def __init__(
        self, d_model: int, num_heads: int, attn_dim: int | None = None, num_kv_heads: int | None = None
    ):
        super().__init__()
        self.num_heads = num_heads
        self.num_kv_heads = num_kv_heads or num_heads
        self.attn_dim = attn_dim or d_model
        self.head_dim = self.attn_dim // num_heads
        kv_dim = self.head_dim * self.num_kv_heads
        # Output rows of in_proj: Q (attn_dim) | K (kv_dim) | V (kv_dim), each head-major.
        self.in_proj = nn.Linear(d_model, self.attn_dim + 2 * kv_dim, bias=False)
        self.out_proj = nn.Linear(self.attn_dim, d_model, bias=False)

    def forward(
        self, x: Tensor, rotation: Tensor, mask: Tensor | None, cache: Cache | None, layer: int
    ) -> Tensor:
        b, t, _ = x.shape
        projected = self.in_proj(x)
        q = projected[..., : self.attn_dim].view(b, t, self.num_heads, self.head_dim)
        kv = projected[..., self.attn_dim :].view(b, t, 2, self.num_kv_heads, self.head_dim)
        k, v = kv.unbind(dim=2)
        q, k = apply_rope(q, rotation), apply_rope(k, rotation)
        out = attend(q, k, v, mask) if cache is None else cache.attend(layer, q, k, v, mask)
        return self.out_proj(out.reshape(b, t, self.attn_dim))


class LayerScale(nn.Module):
    """Learned per-channel gain on a residual branch (Mimi only)."""

    def __init__(self, channels: int, init: float):
        super().__init__()
        self.scale = nn.Parameter(torch.full((channels,), init))

    def forward(self, x: Tensor) -> Tensor:
        return self.scale * x


class TransformerLayer(nn.Module):
    def __init__(
        self,
        d_model: int,
        num_heads: int,
        dim_feedforward: int,
        layer_scale: float | None = None,
        attn_dim: int | None = None,
        num_kv_heads: int | None = None,
    ):
        super().__init__()
        self.self_attn = Attention(d_model, num_heads, attn_dim, num_kv_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=1e-5)
        self.norm2 = nn.LayerNorm(d_model, eps=1e-5)
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=False)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=False)
        self.layer_scale_1 = LayerScale(d_model, layer_scale) if layer_scale is not None else nn.Identity()
        self.layer_scale_2 = LayerScale(d_model, layer_scale) if layer_scale is not None else nn.Identity()

    def forward(
        self, x: Tensor, rotation: Tensor, mask: Tensor | None, cache: Cache | None, layer: int
    ) -> Tensor:
        x = x + self.layer_scale_1(self.self_attn(self.norm1(x), rotation, mask, cache, layer))
        return x + self.layer_scale_2(self.feed_forward(self.norm2(x)))

    def feed_forward(self, x: Tensor) -> Tensor:
        if isinstance(self.linear1, PackedLinear):  # packed: oneDNN applies the GELU as it writes
            return self.linear2(self.linear1.gelu_tanh(x))
        return self.linear2(gelu_tanh(self.linear1(x)))


class Transformer(nn.Module):
    """A stack of layers; no final norm (the FlowLM adds its own, Mimi has none)."""

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        num_layers: int,
        dim_feedforward: int,
        max_period: float = 10000.0,
        context: int | None = None,
        layer_scale: float | None = None,
        attn_dim: int | None = None,
        num_kv_heads: int | None = None,
    ):
        super().__init__()
        self.max_period = float(max_period)
        self.context = context  # attention window in steps, the current one included; None = unbounded
        layers = [
            TransformerLayer(d_model, num_heads, dim_feedforward, layer_scale, attn_dim, num_kv_heads)
            for _ in range(num_layers)
        ]
        self.layers = nn.ModuleList(layers)
        attention = layers[0].self_attn
        self.head_dim, self.num_kv_heads = attention.head_dim, attention.num_kv_heads
        self.kv_dtype = torch.float32  # of the batched and the window caches (bfloat16: --precision bf16)

    def forward(self, x: Tensor, cache: Cache | None = None) -> Tensor:
        """x [B, T, d_model] -> [B, T, d_model]. With a cache, x continues each row's stream and the cache
        advances by T; without one, x is a whole stream starting at position 0."""
        b, t, _ = x.shape
        mask: Tensor | None
        if cache is None:
            positions = torch.arange(t).expand(b, t)
            delta = positions[0, :, None] - positions[0, None, :]
            causal = delta >= 0
            if self.context is not None:
                causal = causal & (delta < self.context)
            mask = causal[None, None]
        else:
            positions = cache.positions(t)
            mask = cache.attention_mask(t)
        rotation = rope_rotation(positions, self.head_dim, self.max_period)
        for i, layer in enumerate(self.layers):
            x = layer(x, rotation, mask, cache, i)
        if cache is not None:
            cache.advance(t)
        return x

    def empty_cache(self, batch_size: int, capacity: int) -> KVCache:
        return KVCache.empty(len(self.layers), batch_size, capacity, self.num_kv_heads, self.head_dim)

    def empty_window_cache(self, batch_size: int) -> WindowKVCache:
        if self.context is None:
            raise ValueError("a window cache needs a transformer with a context window")
        return WindowKVCache.empty(
            len(self.layers), batch_size, self.context, self.num_kv_heads, self.head_dim, self.kv_dtype
        )
