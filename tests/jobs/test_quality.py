"""Quality flags on constructed audio: a fault injected into clean speech-like audio raises its flag only."""

import numpy as np
import pytest

from audiobook_tts.jobs import Job
from audiobook_tts.jobs.job import read_flags
from audiobook_tts.jobs.quality import (
    LONG_SILENCE_SECONDS,
    RATE_Z_THRESHOLD,
    Measures,
    flag_segments,
    measure,
    parse_kinds,
    rate_flags,
    robust_z,
    segment_flags,
)
from tests.fixtures.jobs import book_plan

RATE = 24_000
TEXT = "The lamplighter walked along the quay as the tide came in."  # 59 characters


def speech(seconds: float, seed: int = 0) -> np.ndarray:
    """Speech-like audio: 0.25 s bursts of a wobbling tone at about -20 dBFS, with 0.1 s gaps."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    tone = 0.15 * np.sin(2 * np.pi * (180 + 40 * np.sin(2 * np.pi * 3 * t)) * t)
    gate = (t % 0.35) < 0.25
    return (tone * gate + 1e-4 * rng.standard_normal(len(t))).astype(np.float32)


def kinds(samples: np.ndarray, text: str = TEXT, **kwargs) -> list[str]:
    return [flag.kind for flag in segment_flags(measure(samples, RATE, **kwargs), text)]


def test_clean_speech_has_no_flag():
    assert kinds(speech(4.0)) == []  # ~15 characters a second


def test_internal_silence_over_the_limit_is_flagged_and_under_it_is_not():
    clean = speech(4.0)
    long_gap = np.concatenate([clean[: 2 * RATE], np.zeros(int(1.8 * RATE), np.float32), clean[2 * RATE :]])
    short_gap = np.concatenate([clean[: 2 * RATE], np.zeros(int(1.0 * RATE), np.float32), clean[2 * RATE :]])
    assert kinds(long_gap) == ["long_silence"]
    assert kinds(short_gap) == []
    # Silence before and after the speech is not internal.
    padded = np.concatenate([np.zeros(2 * RATE, np.float32), clean, np.zeros(2 * RATE, np.float32)])
    assert kinds(padded) == []
    gap = measure(long_gap, RATE).longest_gap
    assert LONG_SILENCE_SECONDS < gap == pytest.approx(1.8, abs=0.15)


def test_clipping_is_flagged():
    clipped = speech(4.0) * 8  # peaks at 1.2
    assert "clipping" in kinds(np.clip(clipped, -1, 1))
    one_spike = speech(4.0)
    one_spike[1000] = 1.0
    assert kinds(one_spike) == []


def test_near_silence_is_flagged():
    hiss = (1e-4 * np.random.default_rng(1).standard_normal(3 * RATE)).astype(np.float32)
    assert kinds(hiss) == ["near_silence", "too_short"]  # no speech at all: both hold
    assert kinds(hiss, text="Yes.") == ["near_silence"]


def test_truncated_audio_is_too_short_for_its_text():
    assert kinds(speech(4.0)[: int(0.8 * RATE)]) == ["too_short"]
    assert kinds(speech(0.8), text="Yes, sir.") == []  # short texts are not judged by length


def test_frame_limit_is_what_the_generator_reported():
    assert kinds(speech(4.0), frame_limit=True) == ["frame_limit"]
    assert kinds(speech(4.0), frame_limit=False) == kinds(speech(4.0), frame_limit=None) == []


def test_robust_z_and_rate_outliers():
    assert robust_z(np.array([1.0, 1.0, 1.0, 5.0])) is None  # MAD 0: no spread to measure against
    rates = {f"k{i}": 15.0 + 0.5 * np.sin(i) for i in range(20)}
    assert rate_flags(rates) == {}
    slow = {**rates, "slow": 5.0, "fast": 25.0}
    flagged = rate_flags(slow)
    assert set(flagged) == {"slow", "fast"}
    assert "median 15" in flagged["slow"].detail
    z = float(flagged["slow"].detail.split("robust z ")[1].rstrip(")"))
    assert z < -RATE_Z_THRESHOLD
    assert rate_flags(dict(list(slow.items())[-5:])) == {}  # too few segments to judge


def test_rate_is_compared_within_one_voice():
    rows, measures = [], {}
    for i in range(12):
        for voice, seconds in (("narrator", 4.0), ("whisper", 2.0)):  # 15 and 30 characters a second
            key, seconds = f"{voice}-{i}", seconds + 0.1 * np.sin(i)
            rows.append((1, len(rows), key, TEXT, voice))
            measures[key] = Measures(seconds, seconds, seconds * 0.7, 0.1, 0)
    assert all(not segment.flags for segment in flag_segments(rows, measures))
    measures["narrator-3"] = Measures(10.0, 10.0, 7.0, 0.1, 0)  # 6 characters a second
    flagged = [s for s in flag_segments(rows, measures) if s.flags]
    assert [(s.key, [f.kind for f in s.flags]) for s in flagged] == [("narrator-3", ["rate"])]


def test_stored_segments_get_their_flags_and_old_audio_is_measured_on_reading(tmp_path):
    plan = book_plan(chapters=2, per_chapter=3)
    faults = {
        (1, 0): np.concatenate([speech(1.0), np.zeros(2 * RATE, np.float32), speech(1.0)]),
        (1, 2): np.clip(speech(2.0) * 10, -1, 1),
    }
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        for chapter in plan:
            for position, segment in enumerate(chapter.segments):
                audio = faults.get((chapter.index, position), speech(1.5, seed=position))
                job.write_audio(segment.key, audio)
                if chapter.index == 0:  # chapter 1 stands for audio stored before measures were kept
                    job.record_quality(segment.key, measure(audio, RATE, frame_limit=position == 1))
        flagged = {(s.chapter, s.position): [f.kind for f in s.flags] for s in job.flags()}
    assert flagged == {
        (0, 0): [],
        (0, 1): ["frame_limit"],
        (0, 2): [],
        (1, 0): ["long_silence"],
        (1, 1): [],
        (1, 2): ["clipping"],
    }
    assert {(s.chapter, s.position): [f.kind for f in s.flags] for s in read_flags(tmp_path)} == flagged


def test_retake_flagged_asks_the_next_take_of_flagged_segments_only(tmp_path):
    plan = book_plan(chapters=1, per_chapter=4)
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        for position, segment in enumerate(plan[0].segments):
            audio = speech(1.5, seed=position)
            if position == 1:
                audio = np.clip(audio * 10, -1, 1)
            if position == 3:
                audio = np.concatenate([audio, np.zeros(2 * RATE, np.float32), audio])
            job.write_audio(segment.key, audio)
        assert job.retake_flagged(parse_kinds("clipping")) == [(0, 1)]
        assert job.retake_flagged(parse_kinds("flagged")) == [(0, 1), (0, 3)]
        takes = {place: fix.take for place, fix in job.fixes().segments.items()}
    assert takes == {(0, 1): 2, (0, 3): 1}
    with pytest.raises(ValueError, match="loud"):
        parse_kinds("clipping,loud")
