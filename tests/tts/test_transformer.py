"""The plain-data KV caches: rows of one batch at different positions give each row's own result."""

from __future__ import annotations

import torch

from audiobook_tts.tts.transformer import PrefixKVCache, Transformer, apply_rope, rope_rotation


def _transformer(context=None):
    torch.manual_seed(0)
    model = Transformer(
        d_model=32,
        num_heads=4,
        num_layers=2,
        dim_feedforward=64,
        context=context,
        attn_dim=48,
        num_kv_heads=2,
        layer_scale=0.5 if context else None,
    )
    for p in model.parameters():  # LayerNorm starts at 1/0; make every weight matter
        torch.nn.init.normal_(p, std=0.3)
    return model.eval()


@torch.no_grad()
def test_rows_at_different_offsets_match_single_row_runs():
    model = _transformer()
    a_prompt, b_prompt = torch.randn(1, 7, 32), torch.randn(1, 3, 32)
    steps = torch.randn(2, 4, 1, 32)

    singles = []
    for row, prompt in enumerate((a_prompt, b_prompt)):
        cache = model.empty_cache(1, 20)
        model(prompt, cache)
        singles.append(torch.cat([model(steps[row, t][None], cache) for t in range(4)], 1))

    cache = model.empty_cache(2, 20)
    first = model.empty_cache(1, 20)
    model(a_prompt, first)
    second = model.empty_cache(1, 20)
    model(b_prompt, second)
    for layer in range(2):  # batch the two prompt caches: row 0 at offset 7, row 1 at offset 3
        cache.keys[layer][0], cache.values[layer][0] = first.keys[layer][0], first.values[layer][0]
        cache.keys[layer][1], cache.values[layer][1] = second.keys[layer][0], second.values[layer][0]
    cache.offset = torch.tensor([7, 3])
    batched = torch.cat([model(steps[:, t], cache) for t in range(4)], 1)
    assert cache.offset.tolist() == [11, 7]
    for row in range(2):
        assert (batched[row] - singles[row][0]).abs().max() < 1e-5


@torch.no_grad()
def test_shared_prefix_cache_matches_single_row_runs():
    """Three rows over two voice prefixes (of different lengths), each with its own text prompt, stepping
    together: each row equals its own one-row run; dropping a row leaves the others unchanged."""
    model = _transformer()
    voices = []
    for length in (5, 9):
        voice = model.empty_cache(1, length)
        model(torch.randn(1, length, 32), voice)
        voices.append(voice)
    rows = [(0, torch.randn(1, 4, 32)), (1, torch.randn(1, 2, 32)), (0, torch.randn(1, 6, 32))]
    steps = torch.randn(3, 5, 1, 32)

    singles, prompted = [], []
    for row, (voice, text) in enumerate(rows):
        cache = voices[voice].copy(capacity=voices[voice].capacity + 6 + 5)
        model(text, cache)
        prompted.append(cache.copy())
        singles.append(torch.cat([model(steps[row, t][None], cache) for t in range(5)], 1)[0])

    cache = PrefixKVCache.empty(voices, 3, capacity=6 + 5)
    for row, (voice, _) in enumerate(rows):
        cache.place(row, voice, prompted[row])
    assert cache.offset.tolist() == [9, 11, 11]
    batched = torch.cat([model(steps[:, t], cache) for t in range(3)], 1)
    cache.keep(torch.tensor([0, 2]))  # row 1 finishes
    rest = torch.cat([model(steps[[0, 2], t], cache) for t in range(3, 5)], 1)
    assert cache.offset.tolist() == [14, 16]
    for row in range(3):
        assert (batched[row] - singles[row][:3]).abs().max() < 1e-5
    for index, row in enumerate((0, 2)):
        assert (rest[index] - singles[row][3:]).abs().max() < 1e-5


@torch.no_grad()
def test_bfloat16_prefix_cache_stores_bfloat16_and_attends_within_its_rounding():
    """`--precision bf16` keeps a batch's keys and values in bfloat16: half the memory a step reads. The
    rows still answer in float32, within bfloat16's rounding of the float32 cache (and not equal to it)."""
    model = _transformer()
    voice = model.empty_cache(1, 6)
    model(torch.randn(1, 6, 32), voice)
    prompted = voice.copy(capacity=6 + 3 + 4)
    model(torch.randn(1, 3, 32), prompted)
    steps = torch.randn(4, 2, 1, 32)
    outputs = {}
    for dtype in (torch.float32, torch.bfloat16):
        cache = PrefixKVCache.empty([voice], 2, capacity=3 + 4, dtype=dtype)
        for row in range(2):
            cache.place(row, 0, prompted)
        outputs[dtype] = torch.cat([model(steps[t], cache) for t in range(4)], 1)
        stored = cache.keys + cache.values + cache.prefix_keys + cache.prefix_values
        assert {t.dtype for t in stored} == {dtype}
    exact, rounded = outputs[torch.float32], outputs[torch.bfloat16]
    assert rounded.dtype == torch.float32
    error = (rounded - exact).abs().max() / exact.abs().max()
    assert 1e-5 < error < 2e-2


@torch.no_grad()
def test_finished_row_stops_advancing():
    model = _transformer()
    cache = model.empty_cache(2, 10)
    model(torch.randn(2, 2, 32), cache)
    cache.advance(1, active=torch.tensor([True, False]))
    assert cache.offset.tolist() == [3, 2]


@torch.no_grad()
def test_window_cache_streaming_equals_whole_stream():
    model = _transformer(context=5)
    x = torch.randn(1, 24, 32)
    whole = model(x)
    cache = model.empty_window_cache(1)
    streamed = torch.cat([model(x[:, i : i + 3], cache) for i in range(0, 24, 3)], 1)
    assert (streamed - whole).abs().max() < 1e-5
    assert cache.keys[0].shape[1] == 4  # bounded: context - 1 steps, whatever the stream length

    model.kv_dtype = torch.bfloat16  # --precision bf16: the window's keys and values in bfloat16
    cache = model.empty_window_cache(1)
    rounded = torch.cat([model(x[:, i : i + 3], cache) for i in range(0, 24, 3)], 1)
    assert cache.keys[0].dtype == cache.values[0].dtype == torch.bfloat16
    assert rounded.dtype == torch.float32
    assert 1e-5 < (rounded - whole).abs().max() / whole.abs().max() < 2e-2


@torch.no_grad()
def test_cache_copy_is_independent_and_grows():
    model = _transformer()
    cache = model.empty_cache(1, 4)
    model(torch.randn(1, 4, 32), cache)
    bigger = cache.copy(capacity=9)
    model(torch.randn(1, 5, 32), bigger)
    assert bigger.capacity == 9 and int(bigger.offset) == 9 and int(cache.offset) == 4
    assert torch.equal(bigger.keys[0][:, :4], cache.keys[0])


def test_rope_rotates_each_pair_by_its_position_angle():
    """RoPE by one complex product equals the rotation written out in real numbers, on the strided query slice
    of a projection as Attention hands it over; position p turns pair i by p * max_period^(-2i/D)."""
    torch.manual_seed(0)
    projected = torch.randn(3, 5, 2 * 4 * 8)
    x = projected[..., : 4 * 8].view(3, 5, 4, 8)  # B, T, heads, D: not contiguous
    positions = torch.tensor([[0, 1, 2, 3, 4], [7, 8, 9, 10, 11], [100, 101, 102, 103, 104]])
    rotation = rope_rotation(positions, 8, 10000.0)
    angles = positions[:, :, None, None] * 10000.0 ** (-torch.arange(4) / 4)
    cos, sin = torch.cos(angles), torch.sin(angles)
    real, imag = x[..., 0::2], x[..., 1::2]
    expected = torch.stack([real * cos - imag * sin, real * sin + imag * cos], dim=-1).view(3, 5, 4, 8)
    rotated = apply_rope(x, rotation)
    assert torch.allclose(rotated, expected, atol=1e-5)
    assert torch.equal(rotated[0, 0], x[0, 0])  # position 0: no turn
    assert not torch.allclose(rotated[2], x[2], atol=1e-2)
