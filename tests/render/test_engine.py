"""The model's identity (what a segment's key says of the model): local weights are hashed beside loading."""

from __future__ import annotations

import shutil

from audiobook_tts.render.engine import ModelChoice, engine_model_id, load_engine


def test_a_local_weights_file_changed_in_place_is_another_model(tiny_checkpoint, tmp_path):
    """The hash is computed once per process and file, in a thread beside the loading; the same path with
    other bytes (same size) must still give another identity, and the same bytes the same one."""
    yaml_path, weights_path = tiny_checkpoint
    weights = tmp_path / "model.safetensors"
    shutil.copy(weights_path, weights)
    choice = ModelChoice(config=str(yaml_path), weights=str(weights))
    first = engine_model_id(load_engine(choice), choice)
    assert engine_model_id(load_engine(choice), choice) == first

    data = bytearray(weights.read_bytes())
    data[-1] ^= 0x01  # one bit of the last tensor's last value
    weights.write_bytes(bytes(data))
    changed = engine_model_id(load_engine(choice), choice)
    assert changed != first

    data[-1] ^= 0x01
    weights.write_bytes(bytes(data))
    assert engine_model_id(load_engine(choice), choice) == first
