"""Content keys: the name of a segment's audio is a hash of everything that decides that audio.

Canonical encoding (version 1). The key is the SHA-256 hex digest of the UTF-8 bytes of

    json.dumps({"format": "audiobook-tts/segment/1", "text": T, "voice": V, "model": M, "settings": S},
               sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

where T is the text in Unicode NFC with every run of whitespace made one space and the ends stripped (the
model sees no difference between them), V the voice id, M the model id (name plus weights revision or hash),
and S the generation settings with mapping keys sorted (dict order never matters), tuples as lists, numpy
scalars as Python numbers and a float with an integral value written as the int (`1.0` and `1` are the same
temperature).

A re-take (fixes.py) adds `"take": N` to the document for N >= 1; take 0 adds nothing, so a segment never
re-taken keeps the key it always had, and a re-take gets a key, and so a seed, of its own.

So a rerun finds the same key and skips the segment; editing one paragraph or changing one chapter's voice
changes only the keys of the segments it touches. The seed for sampling is derived from the key, which makes
the audio a pure function of the key.

A voice id is the SHA-256 of the voice-state tensors: for each tensor in name order, the name, dtype, shape
and raw little-endian bytes, each length-prefixed so no two different states can frame to the same byte
stream.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import sys
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported only when tensors are hashed: `status` and the store never need it
    import torch

KEY_FORMAT = "audiobook-tts/segment/1"
VOICE_FORMAT = b"audiobook-tts/voice/1"


def normalise_text(text: str) -> str:
    """The text as it enters the key: NFC, whitespace runs collapsed to one space, ends stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _canonical(value: object, where: str) -> object:
    """A JSON-ready copy of a settings value in which equal settings are equal objects."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"setting {where} is {value}: keys need finite numbers")
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        out = {}
        for name, item in value.items():
            if not isinstance(name, str):
                raise TypeError(f"setting {where} has a non-string key {name!r}")
            out[name] = _canonical(item, f"{where}.{name}")
        return out
    if isinstance(value, (list, tuple)):
        return [_canonical(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"setting {where} has type {type(value).__name__}, which has no canonical encoding")


def canonical_encoding(
    text: str, voice_id: str, model_id: str, settings: Mapping[str, object], take: int = 0
) -> bytes:
    """The exact bytes the segment key hashes (see the module docstring)."""
    document: dict[str, object] = {
        "format": KEY_FORMAT,
        "text": normalise_text(text),
        "voice": voice_id,
        "model": model_id,
        "settings": _canonical(settings, "settings"),
    }
    if not isinstance(take, int) or take < 0:
        raise ValueError(f"a take is a whole number from 0, not {take!r}")
    if take:
        document["take"] = take
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return encoded.encode("utf-8")


def segment_key(
    text: str, voice_id: str, model_id: str, settings: Mapping[str, object], take: int = 0
) -> str:
    """SHA-256 hex of the canonical encoding: equal keys mean equal audio."""
    return hashlib.sha256(canonical_encoding(text, voice_id, model_id, settings, take)).hexdigest()


def segment_seed(key: str) -> int:
    """A 63-bit sampling seed taken from the key (its first 64 bits, top bit dropped): fits a signed int64."""
    if len(key) != 64:
        raise ValueError(f"not a segment key: {key!r}")
    return int(key[:16], 16) >> 1


def _tensor_bytes(tensor: torch.Tensor | np.ndarray) -> tuple[str, tuple[int, ...], bytes]:
    """(dtype name, shape, raw little-endian bytes in C order) of one tensor."""
    if isinstance(tensor, np.ndarray):
        array = np.ascontiguousarray(tensor)
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        return f"numpy.{array.dtype.name}", tuple(array.shape), array.tobytes()
    import torch

    flat = tensor.detach().cpu().contiguous().reshape(-1)
    # A uint8 view reads any dtype (bfloat16 included, which numpy lacks) as its stored bytes.
    raw = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
    return str(tensor.dtype), tuple(tensor.shape), raw


def voice_id(tensors: Mapping[str, torch.Tensor] | bytes) -> str:
    """SHA-256 hex identifying a voice state; bytes (e.g. a reference file) are hashed as they are."""
    digest = hashlib.sha256(VOICE_FORMAT)
    if isinstance(tensors, (bytes, bytearray, memoryview)):
        digest.update(b"bytes")
        digest.update(bytes(tensors))
        return digest.hexdigest()
    assert sys.byteorder == "little", "voice ids are defined over little-endian bytes"

    def field(data: bytes) -> None:
        digest.update(struct.pack("<Q", len(data)))
        digest.update(data)

    digest.update(b"tensors")
    field(struct.pack("<Q", len(tensors)))
    for name in sorted(tensors):
        dtype, shape, raw = _tensor_bytes(tensors[name])
        field(name.encode("utf-8"))
        field(dtype.encode("ascii"))
        field(struct.pack(f"<{len(shape)}Q", *shape))
        field(raw)
    return digest.hexdigest()
