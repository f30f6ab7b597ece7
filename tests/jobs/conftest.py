"""Builders for job tests: real keys, real sample arrays, real job directories."""

import numpy as np
import pytest

from audiobook_tts.jobs import PlannedChapter, PlannedSegment, segment_key, segment_seed

VOICE = "f" * 64
MODEL = "test-model@0000"


def make_key(text: str, voice: str = VOICE) -> str:
    return segment_key(text, voice, MODEL, {"temperature": 0.3})


def samples_for(key: str, n: int = 2400) -> np.ndarray:
    """Deterministic 'audio' for a key: what a real render would return, a pure function of the key."""
    return np.random.default_rng(segment_seed(key)).standard_normal(n).astype(np.float32)


def book_plan(chapters: int = 2, per_chapter: int = 3, voice: str = VOICE) -> list[PlannedChapter]:
    def segment(text: str) -> PlannedSegment:
        return PlannedSegment(make_key(text, voice), text, 0.4, voice)

    return [
        PlannedChapter(
            c, f"Chapter {c + 1}", [segment(f"Chapter {c + 1}, sentence {s}.") for s in range(per_chapter)]
        )
        for c in range(chapters)
    ]


@pytest.fixture
def plan():
    return book_plan()
