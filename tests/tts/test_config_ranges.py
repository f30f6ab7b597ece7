"""Model-config numbers out of range are one line naming the file and key, not a crash in the model."""

from pathlib import Path

import pytest
import yaml

from audiobook_tts.tts.config import config_from_dict, load_config
from audiobook_tts.tts.errors import ModelError


def reference_english() -> dict:
    from pocket_tts.utils.config import CONFIGS_DIR

    return yaml.safe_load((CONFIGS_DIR / "english.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        (["mimi", "frame_rate"], 0, "greater than 0"),  # was a ZeroDivisionError
        (["default_temperature"], -5, "0 or more"),  # was a TypeError (the square root of -5 is complex)
        (["default_temperature"], float("nan"), "0 or more"),
        (["default_eos_threshold"], float("inf"), "a finite number"),
        (["flow_lm", "transformer", "num_heads"], 0, "greater than 0"),
        (["mimi", "seanet", "ratios"], [8, 0, 5, 4], "greater than 0"),
    ],
)
def test_a_number_out_of_range_is_one_line(tmp_path, path, value, rule):
    raw = reference_english()
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    config = tmp_path / "model.yaml"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ModelError) as error:
        load_config(config)
    where = ".".join(path) + ("[1]" if isinstance(value, list) else "")
    shown = repr(value[1] if isinstance(value, list) else float(value) if path[-1] != "num_heads" else value)
    assert str(error.value) == f"{config}: key '{where}' is {shown}; it must be {rule}"


def test_every_shipped_config_is_in_range():
    from pocket_tts.utils.config import CONFIGS_DIR

    for path in sorted(Path(CONFIGS_DIR).glob("*.yaml")):
        load_config(path)
    config_from_dict(reference_english())
