"""Segment keys and voice ids: deterministic, and sensitive to every input that decides the audio."""

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from audiobook_tts.jobs.keys import segment_key, segment_seed, voice_id

SETTINGS = {"temperature": 0.3, "eos_threshold": -4.0, "frames_after_eos": 2, "lsd_steps": [1, 2]}
BASE = dict(
    text="It was the best of times.", voice_id="a" * 64, model_id="english@db04f0e6", settings=SETTINGS
)


def key(**changes):
    args = {**BASE, **changes}
    return segment_key(args["text"], args["voice_id"], args["model_id"], args["settings"])


def test_key_matches_the_documented_encoding():
    document = {
        "format": "audiobook-tts/segment/1",
        "text": "It was the best of times.",
        "voice": "a" * 64,
        "model": "english@db04f0e6",
        "settings": {"eos_threshold": -4, "frames_after_eos": 2, "lsd_steps": [1, 2], "temperature": 0.3},
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert key() == hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def test_key_is_stable_across_processes():
    code = (
        "from audiobook_tts.jobs.keys import segment_key;"
        f"print(segment_key({BASE['text']!r}, {BASE['voice_id']!r}, {BASE['model_id']!r}, {SETTINGS!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == key()


@pytest.mark.parametrize(
    "change",
    [
        {"text": "It was the worst of times."},
        {"text": "It was the best of times!"},
        {"voice_id": "b" * 64},
        {"model_id": "english@00000000"},
        {"settings": {**SETTINGS, "temperature": 0.31}},
        {"settings": {**SETTINGS, "eos_threshold": -3.5}},
        {"settings": {**SETTINGS, "frames_after_eos": 3}},
        {"settings": {**SETTINGS, "lsd_steps": [2, 1]}},
        {"settings": {**SETTINGS, "seed": 1}},
        {"settings": {k: v for k, v in SETTINGS.items() if k != "lsd_steps"}},
    ],
)
def test_changing_any_input_changes_the_key(change):
    assert key(**change) != key()


def test_equivalent_inputs_give_the_same_key():
    reordered = dict(reversed(list(SETTINGS.items())))
    assert key(settings=reordered) == key()
    assert key(settings={**SETTINGS, "temperature": np.float64(0.3), "lsd_steps": (1, 2)}) == key()
    assert key(settings={**SETTINGS, "frames_after_eos": 2.0}) == key()
    assert key(text="  It was the best\n of   times. ") == key()
    # NFC: "é" as one code point or as e + combining acute is the same text.
    assert key(text="Caf\u00e9") == key(text="Cafe\u0301")


def test_key_refuses_settings_without_a_canonical_form():
    with pytest.raises(ValueError):
        key(settings={"temperature": float("nan")})
    with pytest.raises(TypeError):
        key(settings={"temperature": object()})


def test_seed_is_63_bit_and_follows_the_key():
    seeds = {segment_seed(key(text=f"Sentence {i}.")) for i in range(200)}
    assert len(seeds) == 200
    assert all(0 <= s < 2**63 for s in seeds)
    assert max(seeds) >= 2**61  # uses the high bits, not a small range
    assert segment_seed(key()) == segment_seed(key())
    assert segment_seed(key()) == int(key()[:16], 16) >> 1


def voice_state(seed=0):
    g = torch.Generator().manual_seed(seed)
    return {
        "transformer.layers.0.self_attn/cache": torch.randn(2, 1, 5, 2, 4, generator=g),
        "transformer.layers.0.self_attn/offset": torch.tensor([5], dtype=torch.int64),
    }


def test_voice_id_depends_on_values_dtype_shape_and_names_not_order():
    state = voice_state()
    base = voice_id(state)
    assert voice_id(dict(reversed(list(state.items())))) == base
    assert voice_id(voice_state()) == base
    assert voice_id(voice_state(seed=1)) != base
    cache = state["transformer.layers.0.self_attn/cache"]
    renamed = {
        "renamed": cache,
        "transformer.layers.0.self_attn/offset": state["transformer.layers.0.self_attn/offset"],
    }
    changed_value = cache.clone()
    changed_value[0, 0, 0, 0, 0] += 1e-6
    variants = [
        {**state, "transformer.layers.0.self_attn/cache": changed_value},
        {**state, "transformer.layers.0.self_attn/cache": cache.to(torch.float64)},
        {**state, "transformer.layers.0.self_attn/cache": cache.reshape(2, 1, 5, 4, 2)},
        renamed,
    ]
    assert len({voice_id(v) for v in variants} | {base}) == len(variants) + 1


def test_voice_id_reads_non_contiguous_bfloat16_and_bytes():
    tensor = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    assert voice_id({"x": tensor.t()}) == voice_id({"x": tensor.t().contiguous()})
    assert voice_id({"x": tensor.bfloat16()}) != voice_id({"x": tensor})
    assert voice_id(b"RIFF....") == voice_id(b"RIFF....") != voice_id(b"RIFF...!")
    assert len(voice_id(b"")) == 64


def test_take_zero_is_the_key_without_takes_and_other_takes_get_their_own_key_and_seed():
    base = key()
    assert segment_key(BASE["text"], BASE["voice_id"], BASE["model_id"], SETTINGS, take=0) == base
    args = (BASE["text"], BASE["voice_id"], BASE["model_id"], SETTINGS)
    takes = [segment_key(*args, take=t) for t in range(4)]
    assert len(set(takes)) == 4 and len({segment_seed(k) for k in takes}) == 4
    document = {
        "format": "audiobook-tts/segment/1",
        "text": BASE["text"],
        "voice": BASE["voice_id"],
        "model": BASE["model_id"],
        "settings": {"eos_threshold": -4, "frames_after_eos": 2, "lsd_steps": [1, 2], "temperature": 0.3},
        "take": 2,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert takes[2] == hashlib.sha256(encoded.encode("utf-8")).hexdigest()
    with pytest.raises(ValueError):
        segment_key(BASE["text"], BASE["voice_id"], BASE["model_id"], SETTINGS, take=-1)
