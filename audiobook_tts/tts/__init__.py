"""Our Pocket TTS engine: load a model by catalogue name or config, pick a voice, generate 24 kHz audio.

    model = load_model("english")                   # config, tokenizer and weights from the HF cache/hub
    voice = load_voice(model, "fantine")            # catalogue voice, audio file to clone, or state file
    audio = model.generate(voice, "Hello world.")   # float32 [samples] at model.sample_rate

Torch is imported on first use, so importing the package (or its catalogue) stays cheap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from audiobook_tts.tts.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import torch

    from audiobook_tts.tts.config import Config
    from audiobook_tts.tts.model import PocketTTS, VoiceState
    from audiobook_tts.tts.tokenizer import Tokenizer

__all__ = [
    "ModelError",
    "check_model_files",
    "default_voice_source",
    "is_voice_state_source",
    "load_model",
    "load_model_config",
    "load_model_tokenizer",
    "load_voice",
    "PRECISIONS",
    "use_fast_kernels",
]

_LOCAL_VOICE = "--voice and a local audio or .safetensors file"


def load_model_config(model: str | None = None, *, config: str | Path | None = None) -> Config:
    """The config of catalogue `model` (default "english") or of a `config` file (local YAML or hf://)."""
    from audiobook_tts.tts import catalogue, hub
    from audiobook_tts.tts.config import load_config

    if model is not None and config is not None:
        raise ModelError("give either a catalogue model name or a config file, not both")
    if config is None:
        return catalogue.load_catalogue_config(model or catalogue.DEFAULT_MODEL)
    return load_config(hub.resolve(config, what="model config", local_option="--config FILE"))


def load_model_tokenizer(model_config: Config, tokenizer: str | Path | None = None) -> Tokenizer:
    """The config's tokenizer, or an explicit `tokenizer` file (its suffix says the format); the vocabulary
    size is checked against the config's lookup table."""
    from audiobook_tts.tts import hub
    from audiobook_tts.tts.tokenizer import is_json_tokenizer, load_tokenizer

    table = model_config.flow_lm.lookup_table
    path: str | Path
    if tokenizer is None:
        path, kind = table.tokenizer_path, table.tokenizer
    else:
        path, kind = tokenizer, ("json" if is_json_tokenizer("", tokenizer) else "sentencepiece")
    option = "--tokenizer FILE (render, say, inspect, export-voice)"
    local = hub.resolve(path, what="tokenizer", local_option=option)
    return load_tokenizer(local, kind, vocab_size=table.n_bins)


def check_model_files(
    model: str | None = None,
    *,
    config: str | Path | None = None,
    weights: str | Path | None = None,
    tokenizer: str | Path | None = None,
    voices: Sequence[str] = (),
) -> None:
    """Before anything loads: when the hub cannot be reached, one ModelError listing every file this model
    and these voices need that is not cached, with the one `download` command that fetches them all."""
    from audiobook_tts.tts import catalogue, hub

    model_config = load_model_config(model, config=config)
    needed: list[tuple[str, list[str]]] = []  # files given explicitly (--tokenizer, --weights) are not ours
    if tokenizer is None:
        needed.append(("tokenizer", [model_config.flow_lm.lookup_table.tokenizer_path]))
    if weights is None and model_config.weights_path is not None:
        bundles = [model_config.weights_path, model_config.weights_path_without_voice_cloning]
        needed.append(("model weights", [url for url in bundles if url]))
    which = f"--model {model}" if model else f"--config {config}" if config else ""
    command = ["audiobook-tts download", which]
    for voice in dict.fromkeys(voices):  # each once, in order
        if voice in catalogue.VOICES and config is None:
            url = catalogue.voice_state_url(model or catalogue.DEFAULT_MODEL, voice)
        elif hub.is_hub_url(voice):
            url = voice
        else:
            continue  # a local file: its own error if it is missing
        needed.append(("voice", [url]))  # the file's name names the voice
        if not hub.is_cached(url):
            command.append(f"--voice {voice}")
    needed = [(what, urls) for what, urls in needed if all(map(hub.is_hub_url, urls))]
    hub.check_cached(needed, " ".join(part for part in command if part))


def load_model(
    model: str | None = None,
    *,
    config: str | Path | None = None,
    weights: str | Path | None = None,
    tokenizer: str | Path | None = None,
    temperature: float | None = None,
    eos_threshold: float | None = None,
) -> PocketTTS:
    """A ready model: catalogue `model` name (default "english") or `config` (local YAML or hf:// path).

    `weights` / `tokenizer` replace the config's files (local paths or hf:// addresses); `temperature` and
    `eos_threshold` replace the config's defaults for every generation with this model.
    """
    from audiobook_tts.tts import catalogue, hub
    from audiobook_tts.tts.model import PocketTTS

    model_config = load_model_config(model, config=config)
    if temperature is not None:
        model_config = dataclasses.replace(model_config, default_temperature=float(temperature))
    if eos_threshold is not None:
        model_config = dataclasses.replace(model_config, default_eos_threshold=float(eos_threshold))
    text_tokenizer = load_model_tokenizer(model_config, tokenizer)

    if weights is not None:
        resolved = hub.ResolvedWeights(hub.resolve(weights, what="model weights"), has_voice_cloning=True)
    elif model_config.weights_path is not None:
        resolved = hub.resolve_weights(
            model_config.weights_path, model_config.weights_path_without_voice_cloning
        )
    else:
        raise ModelError(
            f"model config {config} names no weights_path (separate flow_lm/mimi training exports are not "
            "supported); pass a bundle with --weights FILE"
        )
    engine = PocketTTS.from_files(model_config, resolved.path, text_tokenizer)
    # What voices this model can take: catalogue voice states exist only for the released configs, and
    # cloning needs the gated bundle.
    engine.catalogue_name = (model or catalogue.DEFAULT_MODEL) if config is None else None
    engine.has_voice_cloning = resolved.has_voice_cloning
    engine.weights_file = resolved.path  # with the tokenizer's path, what identifies the model's audio
    return engine


def default_voice_source(catalogue_name: str | None) -> str:
    """The catalogue's voice for a released model (`model.catalogue_name`); for a custom config (None), the
    default model's voice recording, to be cloned."""
    from audiobook_tts.tts import catalogue

    name = catalogue.default_voice(catalogue_name or catalogue.DEFAULT_MODEL)
    return name if catalogue_name else catalogue.VOICES[name].source


def is_voice_state_source(source: str | Path) -> bool:
    """True for a .safetensors voice-state file (local or hf://, before any @revision)."""
    text = str(source)
    if text.startswith("hf://"):
        text = text.rsplit("@", 1)[0]
    return text.endswith(".safetensors")


def load_voice(
    model: PocketTTS,
    source: str | Path | torch.Tensor,
    *,
    max_seconds: float | None = None,
    notify: Callable[[str], None] | None = None,
) -> VoiceState:
    """A voice state for `model` from a catalogue voice name, a .safetensors voice-state file (ours or
    exported by pocket-tts), an audio file to clone (WAV/FLAC/MP3/OGG, local or hf://), or a [channels,
    samples] 24 kHz tensor. Cloning draws one noise sample from torch's global generator, like the reference.

    A recording is cloned from its first `max_seconds` (default and most: audio.PROMPT_SECONDS, the
    reference's prompt); `notify` hears one line when a recording is cut or too short to clone well.
    """
    import torch

    from audiobook_tts.tts import catalogue, hub
    from audiobook_tts.tts.audio import PROMPT_SECONDS, end_on_pause, load_voice_audio
    from audiobook_tts.tts.model import load_voice_state

    if isinstance(source, torch.Tensor):
        audio = source.float()
        if audio.dim() != 2:
            raise ModelError(f"voice audio tensor must be [channels, samples], got {tuple(audio.shape)}")
        return model.voice_from_audio(end_on_pause(audio.mean(dim=0, keepdim=True), model.sample_rate))

    if is_voice_state_source(source):
        state = load_voice_state(hub.resolve(source, what="voice state", local_option=_LOCAL_VOICE))
        model.check_voice(state)
        return state

    name = str(source)
    if name in catalogue.VOICES:
        catalogue_name = getattr(model, "catalogue_name", None)
        if catalogue_name is None:
            raise ModelError(
                f"catalogue voice {name!r} exists only for the released models (--model NAME); with a custom "
                "config or weights, pass an audio file to clone or a voice-state .safetensors file"
            )
        url = catalogue.voice_state_url(catalogue_name, name)
        state = load_voice_state(hub.resolve(url, what=f"voice {name!r}", local_option=_LOCAL_VOICE))
        model.check_voice(state)
        return state

    if not getattr(model, "has_voice_cloning", True):
        raise ModelError(
            f"cannot clone a voice from {name}: this model was loaded without voice cloning (its gated "
            f"weights were unavailable); {hub.CLONING_ACCESS_FIX}, or use a catalogue voice "
            f"({', '.join(sorted(catalogue.VOICES))})"
        )
    path = hub.resolve(name, what="voice audio", local_option=_LOCAL_VOICE)
    if not path.exists() and not path.suffix:
        raise ModelError(
            f"unknown voice {name!r}: neither a catalogue voice ({', '.join(sorted(catalogue.VOICES))}) "
            "nor an existing audio or .safetensors file"
        )
    if max_seconds is not None and not 0 < max_seconds <= PROMPT_SECONDS:
        raise ModelError(f"voice prompt of {max_seconds} s: give more than 0, at most {PROMPT_SECONDS:g} s")
    audio = load_voice_audio(path, max_seconds or PROMPT_SECONDS, notify)
    return model.voice_from_audio(end_on_pause(audio, model.sample_rate))


PRECISIONS = ("float32", "bf16")


def use_fast_kernels(model: PocketTTS, *, quantize: bool = False, precision: str = "float32") -> None:
    """Swap the model's linear layers for faster CPU kernels, in place: with `quantize` the FlowLM's become
    int8 (another model numerically, see tts/quantize.py); the float32 linear and convolution layers left
    are packed for oneDNN where that pays (the same model within float rounding, see tts/packed.py).

    `precision="bf16"` (opt-in) packs them in bfloat16 instead, for the CPU's bfloat16 units: Mimi's
    convolutions and linears and the FlowLM's linears multiply in bfloat16 with float32 accumulation, and the
    keys and values of a batch and of Mimi's decoder are stored in bfloat16; all else stays float32. Another
    model numerically (benchmarks/precision.py measures how far)."""
    import torch

    from audiobook_tts.tts.packed import bfloat16_available, pack_layers

    if precision not in PRECISIONS:
        raise ModelError(f"unknown precision {precision!r}: choose from {', '.join(PRECISIONS)}")
    if precision == "bf16" and not bfloat16_available():
        raise ModelError(
            "--precision bf16 needs a CPU with bfloat16 instructions (AVX-512 BF16 or AMX) and "
            "torch's oneDNN kernels; this one has none: use the default float32"
        )
    if quantize:
        from audiobook_tts.tts.quantize import quantize_flow_lm

        quantize_flow_lm(model)
    model.mimi.use_phase_convs()  # plain convs, which pack_layers then packs
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    pack_layers(model, dtype=dtype)
    for transformer in (model.flow_lm.transformer, model.mimi.decoder_transformer.transformer):
        transformer.kv_dtype = dtype  # the batched FlowLM's and Mimi's decoding caches (tts/transformer.py)
