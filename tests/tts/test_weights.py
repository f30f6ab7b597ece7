"""Checkpoint layout and strict loading: our module tree uses the reference's state-dict names and shapes."""

from __future__ import annotations

import ast

import pytest
import torch
from safetensors.torch import load_file, save_file

from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.model import PocketTTS
from tests.fixtures.checkpoint import reference_config_path
from tests.fixtures.shared import REFERENCE_KEYS

KEYS_DIR = REFERENCE_KEYS
KEY_LISTS = {
    "english": "english",
    "english_2026-01": "english_2026-01",
    "v1.0.3_b6369a24": "english_2026-01",  # the same weights re-hosted
    "english_2m_2026-10": "english_2m_2026-10",
    "english_7m_2026-10": "english_7m_2026-10",
    "english_18m_2026-10": "english_18m_2026-10",
    "english_drifting_26-09": "english_drifting_26-09",
}


@pytest.mark.parametrize("key_list", list(KEY_LISTS))
def test_state_dict_and_decoder_state_equal_the_reference_listing(key_list):
    config = load_config(reference_config_path(KEY_LISTS[key_list]))
    with torch.device("meta"):  # full size, no memory
        model = PocketTTS(config, tokenizer=None)
        decoder_state = model.mimi.new_decoder_state(1)
    listing = (KEYS_DIR / f"{key_list}.txt").read_text().splitlines()

    ours = sorted(f"{k} {tuple(v.shape)}" for k, v in model.state_dict().items())
    expected = [line for line in listing if line.startswith(("flow_lm.", "mimi."))]
    assert ours == sorted(line.removesuffix(" float32") for line in expected)  # v1.0.3's listing has no dtype
    assert all(v.dtype == torch.float32 for v in model.state_dict().values())

    # Streaming conv states: "MIMISTATE decoder.model.2 {'partial': ((1, 256, 6), 'torch.float32')}"
    expected_convs = {}
    for line in listing:
        if line.startswith("MIMISTATE ") and line.split()[1].startswith(("decoder.", "upsample.")):
            name, fields = line.split(" ", 2)[1:]
            fields = ast.literal_eval(fields)
            batch, channels, length = (fields.get("previous") or fields["partial"])[0]
            expected_convs[name] = (batch, length, channels)  # ours are time-major
    if expected_convs:
        assert {k: tuple(v.shape) for k, v in decoder_state.convs.items()} == expected_convs


@pytest.fixture
def tiny(tiny_checkpoint):
    yaml_path, weights_path = tiny_checkpoint
    return load_config(yaml_path), weights_path


def test_loads_every_tensor_buffers_included(tiny, tmp_path):
    config, weights_path = tiny
    stored = load_file(str(weights_path))
    # Buffers must come from the file too: give them values construction would never produce.
    for key in ("flow_lm.emb_std", "flow_lm.emb_mean", "flow_lm.flow_net.time_embed.0.freqs"):
        stored[key] = torch.rand_like(stored[key]) + 0.5
    save_file(stored, str(tmp_path / "model.safetensors"))
    model = PocketTTS.from_files(config, tmp_path / "model.safetensors", tokenizer=None)
    for key, value in model.state_dict().items():
        assert torch.equal(value, stored[key]), key


def test_bf16_file_is_upcast_to_float32(tiny, tmp_path):
    config, weights_path = tiny
    half = {
        k: v.to(torch.bfloat16) if v.is_floating_point() else v
        for k, v in load_file(str(weights_path)).items()
    }
    save_file(half, str(tmp_path / "bf16.safetensors"))
    model = PocketTTS.from_files(config, tmp_path / "bf16.safetensors", tokenizer=None)
    freqs = model.flow_lm.flow_net.time_embed[0].freqs
    assert freqs.dtype == torch.float32
    assert torch.equal(freqs, half["flow_lm.flow_net.time_embed.0.freqs"].float())  # rounded, not recomputed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("flow_lm.out_norm.weight"), r"1 missing \(e\.g\. flow_lm\.out_norm\.weight\)"),
        (lambda d: d.update({"mimi.extra": torch.zeros(1)}), r"1 unexpected \(e\.g\. mimi\.extra\)"),
        (lambda d: d.update({"flow_lm.bos_emb": torch.zeros(33)}), r"flow_lm\.bos_emb has shape \(33,\)"),
    ],
)
def test_mismatched_checkpoint_is_a_model_error(tiny, tmp_path, change, message):
    config, weights_path = tiny
    tensors = load_file(str(weights_path))
    change(tensors)
    save_file(tensors, str(tmp_path / "bad.safetensors"))
    with pytest.raises(ModelError, match=message):
        PocketTTS.from_files(config, tmp_path / "bad.safetensors", tokenizer=None)


def test_unreadable_checkpoint_is_a_model_error(tiny, tmp_path):
    config, _ = tiny
    with pytest.raises(ModelError, match="not found"):
        PocketTTS.from_files(config, tmp_path / "missing.safetensors", tokenizer=None)
    (tmp_path / "junk.safetensors").write_bytes(b"not a safetensors file at all")
    with pytest.raises(ModelError, match="cannot read model weights"):
        PocketTTS.from_files(config, tmp_path / "junk.safetensors", tokenizer=None)


def test_layers_built_outside_a_weights_load_are_initialised_as_usual():
    """from_files skips the layers' random initialisation while it builds (the file fills every tensor);
    the layers' own initialisation is back afterwards, for the test fixtures that build random checkpoints."""
    from torch import nn

    from audiobook_tts.tts.weights import random_init_skipped

    with random_init_skipped():
        nn.Linear(4, 4)
    torch.manual_seed(0)
    after = nn.Linear(4, 4).weight
    torch.manual_seed(0)
    expected = torch.empty(4, 4)
    nn.init.kaiming_uniform_(expected, a=5**0.5)
    assert torch.equal(after, expected)
