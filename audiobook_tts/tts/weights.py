"""Checkpoint loading: the hub bundle is the model's own state dict (`flow_lm.*`, `mimi.*`), loaded strictly.

Our module tree uses the checkpoint's names, so the mapping is the identity; the only table here lists the
spellings older exports used for a few tensors. Buffers (the flow head's `freqs`, `emb_mean`, `emb_std`) come
from the file like parameters: recomputing them would lose the rounding the checkpoint was trained with.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from audiobook_tts.tts.errors import ModelError

# Old spelling (substring) -> current one, applied to every key; training exports used these.
LEGACY_KEY_SPELLINGS = {
    ".self_attn.in_proj_weight": ".self_attn.in_proj.weight",
}


_INITIALISED = (nn.Linear, nn.modules.conv._ConvNd, nn.Embedding)  # the layers that draw random weights
_NO_INIT = threading.Lock()


@contextlib.contextmanager
def random_init_skipped() -> Iterator[None]:
    """Layers built inside skip their random initialisation, for a model whose every tensor is loaded next
    (load_into is strict). It cost ~0.4 s per load, drawing 100M numbers that were overwritten; building on
    torch's meta device instead measured slower (its first use imports ~0.4 s of meta kernels). The layers'
    classes are patched while inside, so models are built inside one at a time."""
    with _NO_INIT:
        saved = {cls: cls.__dict__["reset_parameters"] for cls in _INITIALISED}
        try:
            for cls in _INITIALISED:
                cls.reset_parameters = lambda self: None  # type: ignore[method-assign]
            yield
        finally:
            for cls, method in saved.items():
                cls.reset_parameters = method  # type: ignore[method-assign]


def read_checkpoint(path: Path) -> dict[str, torch.Tensor]:
    """All tensors of a safetensors file, legacy spellings renamed."""
    try:
        tensors = load_file(str(path))
    except FileNotFoundError:
        raise ModelError(f"model weights not found: {path}; check the path or download the model") from None
    except (SafetensorError, OSError) as e:
        raise ModelError(
            f"cannot read model weights {path}: {e}; the file may be truncated or not safetensors"
        ) from None
    renamed = {}
    for key, tensor in tensors.items():
        for old, new in LEGACY_KEY_SPELLINGS.items():
            key = key.replace(old, new)
        renamed[key] = tensor
    return renamed


def load_into(model: nn.Module, tensors: dict[str, torch.Tensor], source: Path | str) -> None:
    """Copy `tensors` into `model` (bf16 upcast to float32); every name and shape must match."""
    expected = model.state_dict()
    missing = sorted(expected.keys() - tensors.keys())
    unexpected = sorted(tensors.keys() - expected.keys())
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {', '.join(missing[:3])})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {', '.join(unexpected[:3])})")
        raise ModelError(
            f"model weights {source} do not match the model config: {'; '.join(parts)}; "
            "use the weights that belong to this config"
        )
    for key, tensor in tensors.items():
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise ModelError(
                f"model weights {source}: {key} has shape {tuple(tensor.shape)}, the config expects "
                f"{tuple(expected[key].shape)}; use the weights that belong to this config"
            )
    with torch.no_grad():
        for key, target in expected.items():  # state_dict() tensors share storage with the model
            target.copy_(tensors[key])


def load_weights(model: nn.Module, path: Path) -> None:
    load_into(model, read_checkpoint(path), path)
