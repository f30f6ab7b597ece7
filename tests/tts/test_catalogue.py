"""Our catalogue (configs as data, voices, defaults, voice-state paths) agrees with pocket-tts 4.0.1."""

from __future__ import annotations

import re

import pytest
import yaml

from audiobook_tts.tts import catalogue
from audiobook_tts.tts.config import load_config
from audiobook_tts.tts.errors import ModelError

REQUIRED_MODELS = [
    "english",
    "english_2026-01",
    "english_2m_2026-10",
    "english_7m_2026-10",
    "english_18m_2026-10",
    *(
        f"{lang}{suffix}"
        for lang in ["french", "german", "spanish", "italian", "portuguese", "dutch"]
        for suffix in ("", "_24l")
    ),
]


def test_every_reference_config_is_in_the_catalogue_with_equal_values():
    from pocket_tts.utils.config import CONFIGS_DIR

    reference = sorted(p.stem for p in CONFIGS_DIR.glob("*.yaml"))
    assert catalogue.model_names() == reference
    assert set(REQUIRED_MODELS) <= set(reference)
    for name in reference:
        ours = yaml.safe_load(catalogue.config_path(name).read_text(encoding="utf-8"))
        theirs = yaml.safe_load((CONFIGS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        assert ours == theirs, name


@pytest.mark.parametrize("name", catalogue.model_names())
def test_every_catalogue_config_loads(name):
    config = catalogue.load_catalogue_config(name)
    assert config == load_config(catalogue.config_path(name))
    assert config.weights_path.startswith("hf://kyutai/pocket-tts/") and "@" in config.weights_path
    assert config.weights_path_without_voice_cloning.startswith(
        "hf://kyutai/pocket-tts-without-voice-cloning/"
    )
    for url in (
        config.weights_path,
        config.weights_path_without_voice_cloning,
        config.flow_lm.lookup_table.tokenizer_path,
    ):
        # pinned to a full commit hash: huggingface_hub then serves a cached file with no network request
        assert re.fullmatch(r"[0-9a-f]{40}", url.rsplit("@", 1)[1]), url
    assert config.flow_lm.lookup_table.n_bins == 4000


def test_voices_match_reference_origins():
    from pocket_tts.utils.utils import _ORIGINS_OF_PREDEFINED_VOICES

    assert len(catalogue.VOICES) == 27
    assert {name: v.source for name, v in catalogue.VOICES.items()} == _ORIGINS_OF_PREDEFINED_VOICES
    assert {v.language for v in catalogue.VOICES.values()} == {"en", "fr", "de", "es", "it", "pt", "nl"}


@pytest.mark.parametrize("name", catalogue.model_names())
def test_default_voice_and_state_path_match_reference(name):
    from pocket_tts.default_parameters import get_default_voice_for_language
    from pocket_tts.utils.utils import get_predefined_voice

    assert catalogue.default_voice(name) == get_default_voice_for_language(name)
    for voice in ("alba", "estelle", "daan"):
        assert catalogue.voice_state_url(name, voice) == get_predefined_voice(name, voice)


def test_unknown_names_are_model_errors():
    with pytest.raises(ModelError, match="unknown model 'klingon'; choose one of: dutch"):
        catalogue.config_path("klingon")
    with pytest.raises(ModelError, match="unknown voice 'nobody'"):
        catalogue.voice_state_url("english", "nobody")
