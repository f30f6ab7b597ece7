"""Generation options as one value: checked once, resolved against a model's config once, keyed once.

Every generation entry point (`PocketTTS.stream` / `generate` / `chunk_latents`, `batch.make_request`) takes a
`GenerationOptions` whole, as whisper's decoder takes its `DecodingOptions`. None means "the model's
default": `resolved(config)` fills in temperature and EOS threshold from the config; `frames_after_eos`
stays None when unset, because its default is decided per chunk (see text_prep.frames_after_eos).
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.text_prep import MAX_TOKENS_PER_CHUNK

if TYPE_CHECKING:
    from audiobook_tts.tts.config import Config

DEFAULT_DECODE_STEPS = 1
DEFAULT_BATCH_SIZE = 32  # rows stepping together in batched generation (see README "Speed")


def default_threads() -> int:
    """All the machine's cores: in batched generation the FlowLM and decoding threads get half each."""
    return os.cpu_count() or 1


class GenerationOptionsError(ModelError):
    """A generation setting out of its range; the message names the setting and what it may be."""


@dataclass(frozen=True)
class GenerationOptions:
    temperature: float | None = None  # noise variance; None: the config's default
    eos_threshold: float | None = None  # end-of-speech logit threshold; None: the config's default
    frames_after_eos: int | None = None  # 80 ms frames kept after end of speech; None: decided per chunk
    max_tokens: int = MAX_TOKENS_PER_CHUNK  # the model's token budget per chunk
    noise_clamp: float | None = None  # clamp the sampled noise to +-this; None: no clamp
    decode_steps: int = DEFAULT_DECODE_STEPS  # flow-matching steps per latent

    def __post_init__(self) -> None:
        for name, value, low, integer in [
            ("temperature", self.temperature, 0, False),
            ("eos_threshold", self.eos_threshold, None, False),
            ("frames_after_eos", self.frames_after_eos, 0, True),
            ("max_tokens", self.max_tokens, 1, True),
            ("noise_clamp", self.noise_clamp, 0, False),
            ("decode_steps", self.decode_steps, 1, True),
        ]:
            if value is not None:
                check_setting(name, value, low=low, integer=integer)

    def as_dict(self) -> dict[str, Any]:
        """Only the values that are set (differ from the default)."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(DEFAULT_OPTIONS, f.name)
        }

    def updated(self, other: GenerationOptions) -> GenerationOptions:
        """These options with every value `other` sets replacing ours (CLI over profile over rule)."""
        return dataclasses.replace(self, **other.as_dict())

    def resolved(self, config: Config) -> GenerationOptions:
        """The config's defaults filled in: what is keyed and what is generated are the same values."""
        return dataclasses.replace(
            self,
            temperature=config.default_temperature if self.temperature is None else self.temperature,
            eos_threshold=config.default_eos_threshold if self.eos_threshold is None else self.eos_threshold,
        )

    def key_fields(self) -> dict[str, float | int | None]:
        """What a segment key names of these (resolved) options: temperature, EOS threshold and frames after
        EOS always (the key format of every existing job), the others only when they differ from their
        default, so existing keys keep their values."""
        if self.temperature is None or self.eos_threshold is None:
            raise ValueError("key_fields() needs resolved options (GenerationOptions.resolved)")
        fields: dict[str, float | int | None] = {
            "temperature": self.temperature,
            "eos_threshold": self.eos_threshold,
            "frames_after_eos": self.frames_after_eos,
        }
        default = DEFAULT_OPTIONS
        for name in ("max_tokens", "noise_clamp", "decode_steps"):
            if getattr(self, name) != getattr(default, name):
                fields[name] = getattr(self, name)
        return fields


def check_setting(
    name: str, value: object, *, low: float | None = None, integer: bool = False
) -> float | int:
    """`value` as a setting `name` may take (finite, a whole number if `integer`, >= `low`; never nan), else
    GenerationOptionsError saying what it must be. The CLI and profiles both go through here."""
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or (integer and not isinstance(value, int))
        or not math.isfinite(value)
        or (low is not None and value < low)
    ):
        kind = "a whole number" if integer else "a number"
        bound = f" >= {low}" if low is not None else ""
        shown = f"{type(value).__name__} {value!r}" if value is not None else "nothing"
        raise GenerationOptionsError(f"{name} must be {kind}{bound}, not {shown}")
    return value


DEFAULT_OPTIONS = GenerationOptions()
