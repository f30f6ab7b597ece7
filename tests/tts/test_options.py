"""GenerationOptions: checked once, resolved against the config once, keyed as every existing job keyed it."""

import math

import pytest

from audiobook_tts.jobs import segment_key
from audiobook_tts.tts.catalogue import load_catalogue_config
from audiobook_tts.tts.options import GenerationOptions, GenerationOptionsError

CONFIG = load_catalogue_config("english")  # the packaged config: default temperature 0.3, EOS threshold -4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(temperature=math.nan), "temperature must be a number >= 0, not float nan"),
        (dict(temperature=-0.5), "temperature must be a number >= 0, not float -0.5"),
        (dict(eos_threshold=math.inf), "eos_threshold must be a number, not float inf"),
        (dict(frames_after_eos=2.5), "frames_after_eos must be a whole number >= 0, not float 2.5"),
        (dict(max_tokens=0), "max_tokens must be a whole number >= 1, not int 0"),
        (dict(decode_steps=True), "decode_steps must be a whole number >= 1, not bool True"),
    ],
)
def test_bad_values_are_refused_with_what_is_allowed(changes, message):
    with pytest.raises(GenerationOptionsError) as error:
        GenerationOptions(**changes)
    assert str(error.value) == message


def test_resolved_options_key_as_before():
    """The settings a segment key names: what render.py keyed before GenerationOptions existed (the
    config's defaults filled in, frames_after_eos None when unset), so old jobs resume."""
    resolved = GenerationOptions().resolved(CONFIG)
    assert resolved.key_fields() == {"temperature": 0.3, "eos_threshold": -4.0, "frames_after_eos": None}
    cli = GenerationOptions(eos_threshold=-1e9, frames_after_eos=2).resolved(CONFIG)
    assert cli.key_fields() == {"temperature": 0.3, "eos_threshold": -1e9, "frames_after_eos": 2}
    before = segment_key(
        "Hello.", "v" * 64, "m" * 64, {"temperature": 0.3, "eos_threshold": -4.0, "frames_after_eos": None}
    )
    assert segment_key("Hello.", "v" * 64, "m" * 64, resolved.key_fields()) == before
    # A setting that was never keyed enters the key only when it is not its default.
    assert GenerationOptions(decode_steps=3).resolved(CONFIG).key_fields()["decode_steps"] == 3
    with pytest.raises(ValueError, match="resolved"):
        GenerationOptions().key_fields()


def test_layers_override_only_what_they_set():
    profile = GenerationOptions(temperature=0.5, frames_after_eos=2)
    rule = GenerationOptions(frames_after_eos=5)
    cli = GenerationOptions(eos_threshold=-3.0)
    merged = profile.updated(rule).updated(cli)
    assert merged == GenerationOptions(temperature=0.5, eos_threshold=-3.0, frames_after_eos=5)
    assert merged.as_dict() == {"temperature": 0.5, "eos_threshold": -3.0, "frames_after_eos": 5}
