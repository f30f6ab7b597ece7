"""Model configuration: plain dataclasses mirroring the Pocket TTS YAML schema field for field.

Attribute names equal the YAML keys and defaults equal the reference's, so a shipped YAML file loads as is.
Unknown keys are refused (the reference forbids extras too): a typo must not silently change nothing. Values
are checked too (RANGES): a size of 0 or a negative temperature must fail here, naming the key, not as a
division by zero deep in the model.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from audiobook_tts.tts.errors import ModelError

DEFAULT_EOS_THRESHOLD = -4.0


@dataclass
class FlowConfig:
    dim: int  # width of the flow-head MLP
    depth: int  # number of adaLN residual blocks
    type: str = "lsd"  # "lsd" | "flow_matching" | "drifting" | "pointwise"


@dataclass
class FlowLMTransformerConfig:
    hidden_scale: int
    max_period: int  # RoPE base
    d_model: int
    num_heads: int
    num_layers: int
    attn_dim: int | None = None  # width of queries and attention output; d_model when None
    num_kv_heads: int | None = None  # grouped-query attention; num_heads when None
    dim_feedforward: int | None = None  # d_model * hidden_scale when None


@dataclass
class LookupTableConfig:
    dim: int  # must equal the FlowLM d_model
    n_bins: int  # tokenizer vocabulary size; the table has n_bins + 1 rows
    tokenizer: str  # "tokenizers"/"json" -> HF tokenizers JSON, otherwise SentencePiece
    tokenizer_path: str
    rank: int | None = None  # low-rank table: rank-wide rows and a bias-free projection to dim


@dataclass
class FlowLMConfig:
    dtype: str
    flow: FlowConfig
    transformer: FlowLMTransformerConfig
    lookup_table: LookupTableConfig
    z_dim: int | None = None  # bias-free projection after out_norm, feeding EOS head and flow head
    weights_path: str | None = None
    insert_bos_before_voice: bool = False


@dataclass
class SEANetConfig:
    dimension: int
    channels: int
    n_filters: int
    n_residual_layers: int
    ratios: list[int]  # decoder order; the encoder uses them reversed
    kernel_size: int
    residual_kernel_size: int
    last_kernel_size: int
    dilation_base: int
    pad_mode: str
    compress: int


@dataclass
class MimiTransformerConfig:
    d_model: int
    input_dimension: int
    output_dimensions: tuple[int, ...]
    num_heads: int
    num_layers: int
    layer_scale: float
    context: int  # attention window in 200 Hz steps, the current step included
    dim_feedforward: int
    max_period: float = 10000.0


@dataclass
class QuantizerConfig:
    dimension: int  # latent width (32)
    output_dimension: int  # channels of the 1x1 output projection


@dataclass
class MimiConfig:
    dtype: str  # unused: Mimi always runs in float32
    sample_rate: int
    channels: int
    frame_rate: float
    seanet: SEANetConfig
    transformer: MimiTransformerConfig
    quantizer: QuantizerConfig
    weights_path: str | None = None
    inner_dim: int | None = None  # voice-latent width (encoder downsample output); seanet.dimension if None
    outer_dim: int | None = None  # channels into the decoder upsample; decoder dimension when None
    decoder_seanet: SEANetConfig | None = None  # a smaller decoder side; seanet when None
    decoder_transformer: MimiTransformerConfig | None = None  # transformer when None


@dataclass
class Config:
    flow_lm: FlowLMConfig
    mimi: MimiConfig
    weights_path: str | None = None
    weights_path_without_voice_cloning: str | None = None
    pad_with_spaces_for_short_inputs: bool = False
    remove_semicolons: bool = False
    append_terminal_punctuation: bool = True
    capitalize_first_letter: bool = True
    replace_characters: dict[str, str] = field(default_factory=dict)
    model_recommended_frames_after_eos: int | None = None
    default_temperature: float = 0.3
    default_eos_threshold: float = DEFAULT_EOS_THRESHOLD


def load_config(path: Path) -> Config:
    """Read a local YAML model config; every problem is a ModelError naming the file and key path."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
    except FileNotFoundError:
        raise ModelError(f"model config not found: {path}; check the path or the model name") from None
    except (OSError, yaml.YAMLError) as e:
        raise ModelError(f"cannot read model config {path}: {e}") from None
    return config_from_dict(raw, source=str(path))


def config_from_dict(raw: object, source: str = "<dict>") -> Config:
    """Build a Config from parsed YAML, checking keys and value types the way the reference does, and every
    number against RANGES."""
    config = _build(Config, raw, "", source)
    _check_ranges(config, "", source)
    return config


# What a number may be, by field name; a field not listed may be any finite number.
_POSITIVE = "greater than 0"
_NON_NEGATIVE = "0 or more"
_ANY = "a finite number"
RANGES: dict[str, str] = {
    **dict.fromkeys(
        [
            "dim",
            "depth",
            "hidden_scale",
            "max_period",
            "d_model",
            "num_heads",
            "num_layers",
            "attn_dim",
            "num_kv_heads",
            "dim_feedforward",
            "n_bins",
            "rank",
            "z_dim",
            "dimension",
            "channels",
            "n_filters",
            "kernel_size",
            "residual_kernel_size",
            "last_kernel_size",
            "dilation_base",
            "compress",
            "input_dimension",
            "context",
            "output_dimension",
            "sample_rate",
            "frame_rate",
            "inner_dim",
            "outer_dim",
            "ratios",
            "output_dimensions",
        ],
        _POSITIVE,
    ),
    **dict.fromkeys(
        ["n_residual_layers", "model_recommended_frames_after_eos", "default_temperature"], _NON_NEGATIVE
    ),
}
_HOLDS = {_POSITIVE: lambda x: x > 0, _NON_NEGATIVE: lambda x: x >= 0, _ANY: lambda x: True}


def _check_ranges(value, where: str, source: str) -> None:
    """ModelError naming the first number outside its range (NaN and infinities are outside every range)."""
    if dataclasses.is_dataclass(value):
        prefix = f"{where}." if where else ""
        for f in dataclasses.fields(value):
            _check_ranges(getattr(value, f.name), prefix + f.name, source)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_ranges(item, f"{where}[{i}]", source)
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    name = where.rsplit(".", 1)[-1].split("[")[0]
    rule = RANGES.get(name, _ANY)
    if not (math.isfinite(value) and _HOLDS[rule](value)):
        raise ModelError(f"{source}: key '{where}' is {value!r}; it must be {rule}")


def _build(cls: type, raw: object, where: str, source: str):
    if not isinstance(raw, dict):
        raise ModelError(f"{source}: {where or 'top level'} must be a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in fields:
            raise ModelError(f"{source}: unknown key '{where}{key}'; remove it or fix its spelling")
    values = {}
    for name, f in fields.items():
        if name in raw:
            values[name] = _convert(hints[name], raw[name], f"{where}{name}", source)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ModelError(f"{source}: missing required key '{where}{name}'")
    return cls(**values)


def _convert(tp, value, where: str, source: str):
    def bad() -> ModelError:
        return ModelError(f"{source}: key '{where}' has invalid value {value!r} (expected {_type_name(tp)})")

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):  # only "X | None" occurs
        if value is None:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, where, source)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build(tp, value, where + ".", source)
    if origin is list or origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise bad()
        items = [_convert(args[0], v, f"{where}[{i}]", source) for i, v in enumerate(value)]
        return items if origin is list else tuple(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise bad()
        return {
            _convert(args[0], k, where, source): _convert(args[1], v, f"{where}.{k}", source)
            for k, v in value.items()
        }
    if tp is bool:
        if not isinstance(value, bool):
            raise bad()
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
            raise bad()
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad()
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise bad()
        return value
    raise TypeError(f"unsupported config field type {tp}")


def _type_name(tp) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")
