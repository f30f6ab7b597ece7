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
