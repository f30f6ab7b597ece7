"""Sentence segmentation on our hand-written set of tricky sentences (tests/text/data/sentences.txt)."""

from pathlib import Path

import pytest

from audiobook_tts.text.sentences import split_sentences

DATA = Path(__file__).parent / "data" / "sentences.txt"
# Cases our splitter is known to get wrong; listed so the rest must all pass.
KNOWN_WRONG = {"I. || II. || III."}


def load_cases() -> list[list[str]]:
    cases = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            cases.append([part.strip() for part in line.split("||")])
    return cases


CASES = load_cases()


def test_the_set_is_large_enough():
    assert len(CASES) >= 100


@pytest.mark.parametrize("expected", CASES, ids=[" || ".join(c)[:60] for c in CASES])
def test_split(expected):
    got = split_sentences(" ".join(expected))
    if " || ".join(expected) in KNOWN_WRONG:
        assert got != expected, "a known failure now passes: remove it from KNOWN_WRONG"
    else:
        assert got == expected


def test_whitespace_and_newlines_are_collapsed():
    text = "  One line\nand the next.\n\nA new one.  "
    assert split_sentences(text) == ["One line and the next.", "A new one."]
    assert split_sentences("   ") == []


def test_no_text_is_lost():
    text = " ".join(" ".join(case) for case in CASES)
    assert " ".join(split_sentences(text)).split() == text.split()


def test_chinese_sentences_end_at_full_width_marks():
    from audiobook_tts.text.sentences import split_sentences

    text = "凤姐知道合了贾母的心，吃了饭便又打发过来。鸳鸯忙令老婆子带了刘姥姥去洗了澡！"
    text += "因说道：“我们种地。”他笑了。"
    assert split_sentences(text) == [
        "凤姐知道合了贾母的心，吃了饭便又打发过来。",
        "鸳鸯忙令老婆子带了刘姥姥去洗了澡！",
        "因说道：“我们种地。”他笑了。",
    ]
