"""Inline pause markup: every accepted form, and a readable error for the rest."""

import pytest

from audiobook_tts.text.pauses import STRENGTHS, PausePlan, TextError, marker_seconds, split_on_markers


@pytest.mark.parametrize(
    "value, seconds",
    [(None, 0.5), ("", 0.5), ("1.5s", 1.5), ("800ms", 0.8), ("2", 2.0), (" 0.25 s ", 0.25), (".5s", 0.5)]
    + [(name, value) for name, value in STRENGTHS.items()]
    + [("X-Strong", 2.0)],
)
def test_marker_seconds(value, seconds):
    assert marker_seconds(value) == pytest.approx(seconds)


def test_strengths_grow():
    values = [STRENGTHS[name] for name in ["none", "x-weak", "weak", "medium", "strong", "x-strong"]]
    assert values == sorted(values) and values[0] == 0


@pytest.mark.parametrize("value", ["long", "1.5h", "-1s", "120s"])
def test_bad_marker_is_a_user_error(value):
    with pytest.raises(TextError, match=r"pause"):
        marker_seconds(value)


def test_split_on_markers():
    text = "One. [pause] Two.[pause:1.5s]Three [PAUSE:800ms][pause:strong] four"
    assert split_on_markers(text) == [
        ("One. ", 0.5),
        (" Two.", 1.5),
        ("Three ", 0.8),
        ("", 1.0),
        (" four", None),
    ]
    assert split_on_markers("no markers") == [("no markers", None)]
    assert split_on_markers("[not a pause] [pause-ish]") == [("[not a pause] [pause-ish]", None)]


def test_default_plan_is_a_listeners_rhythm():
    plan = PausePlan()
    assert 0 < plan.clause < plan.sentence < plan.verse_line < plan.paragraph < plan.title < plan.scene_break
    assert plan.scene_break <= plan.chapter_end
    assert PausePlan(paragraph=1.0).paragraph == 1.0
