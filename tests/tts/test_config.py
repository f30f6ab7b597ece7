import pytest

from audiobook_tts.errors import UserError
from audiobook_tts.tts.config import Config, load_config
from audiobook_tts.tts.errors import ModelError
from tests.fixtures.checkpoint import reference_config_path, reference_configs_dir

REFERENCE_CONFIGS = sorted(reference_configs_dir().glob("*.yaml"))


@pytest.mark.parametrize("path", REFERENCE_CONFIGS, ids=lambda p: p.stem)
def test_every_reference_config_loads(path):
    config = load_config(path)
    assert isinstance(config, Config)
    assert config.flow_lm.lookup_table.n_bins == 4000
    assert config.mimi.quantizer.dimension == 32


def test_fields_match_the_reference_schema():
    english = load_config(reference_config_path("english"))
    assert english.flow_lm.insert_bos_before_voice is True
    assert english.replace_characters == {"’": "'", "‘": "'"}
    assert english.pad_with_spaces_for_short_inputs is False
    assert english.default_eos_threshold == -4.0
    assert english.mimi.transformer.output_dimensions == (512,)
    assert english.mimi.transformer.max_period == 10000.0
    assert english.flow_lm.flow.type == "lsd"
    assert english.flow_lm.lookup_table.tokenizer_path.startswith("hf://kyutai/")
    small = load_config(reference_config_path("english_2m_2026-10"))
    assert small.flow_lm.transformer.num_kv_heads == 1 and small.flow_lm.lookup_table.rank == 32
    assert small.mimi.decoder_transformer.context == 50 and small.default_eos_threshold == -1.0
    old = load_config(reference_config_path("english_2026-01"))
    assert old.pad_with_spaces_for_short_inputs and not old.flow_lm.insert_bos_before_voice


def test_unknown_key_is_rejected_with_its_path_and_file(tmp_path):
    text = reference_config_path("english").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("    depth: 6\n", "    depth: 6\n    dept: 7\n"), encoding="utf-8")
    with pytest.raises(ModelError, match=r"flow_lm\.flow\.dept") as err:
        load_config(bad)
    assert "bad.yaml" in str(err.value)
    assert isinstance(err.value, UserError)


def test_wrong_type_and_missing_key_and_missing_file(tmp_path):
    text = reference_config_path("english").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("num_layers: 6", "num_layers: six"), encoding="utf-8")
    with pytest.raises(ModelError, match=r"flow_lm\.transformer\.num_layers"):
        load_config(bad)
    bad.write_text(text.replace("    n_bins: 4000\n", ""), encoding="utf-8")
    with pytest.raises(ModelError, match=r"missing required key 'flow_lm\.lookup_table\.n_bins'"):
        load_config(bad)
    with pytest.raises(ModelError, match="not found"):
        load_config(tmp_path / "nope.yaml")
