"""Our EBU R128 meter, which plans the gains, reads what ffmpeg's ebur128 filter reads on the same samples."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest

from audiobook_tts.assemble.loudness import SILENT_LUFS, LoudnessMeter
from tests.fixtures.audio import speech_like

RATE = 24000


def ffmpeg_lufs(ffmpeg: str, signal: np.ndarray, rate: int) -> float:
    """ffmpeg's integrated loudness to a thousandth (its summary line rounds to a tenth)."""
    result = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostats", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-",
         "-af", "ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I:file=-", "-f", "null", "-"],
        input=signal.astype(np.float32).tobytes(), capture_output=True, check=True,
    )  # fmt: skip
    return float(re.findall(r"lavfi\.r128\.I=(-?[\d.]+)", result.stdout.decode())[-1])


def ours(signal: np.ndarray, rate: int, block: int = 262144) -> float:
    meter = LoudnessMeter(rate)
    for start in range(0, len(signal), block):
        meter.write(signal[start : start + block])
    return meter.result().lufs


def voice(seconds: float, seed: int) -> np.ndarray:
    return speech_like(seconds, 0.18, seed)


def tone(hz: float, seconds: float, rate: int = RATE) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * hz * np.arange(round(seconds * rate)) / rate)).astype(np.float32)


SIGNALS = {
    "speech-like": lambda: voice(30, 1),
    "white noise": lambda: (np.random.default_rng(2).standard_normal(RATE * 20) * 0.1).astype(np.float32),
    "40 Hz (the high-pass)": lambda: tone(40, 10),
    "10 kHz (the shelf)": lambda: tone(10000, 10),
    # the relative gate drops the quiet first half; the absolute gate drops the silence in the middle
    "quiet then loud": lambda: np.concatenate([voice(15, 3) * 0.01, voice(15, 4)]),
    "with silence": lambda: np.concatenate([voice(5, 5), np.zeros(RATE * 5, np.float32), voice(5, 6)]),
}


@pytest.mark.parametrize("name", SIGNALS)
def test_reads_what_ffmpeg_reads(ffmpeg, name):
    signal = SIGNALS[name]()
    assert ours(signal, RATE) == pytest.approx(ffmpeg_lufs(ffmpeg, signal, RATE), abs=0.02)


def test_other_sample_rates(ffmpeg):
    signal = (np.random.default_rng(7).standard_normal(44100 * 10) * 0.1).astype(np.float32)
    assert ours(signal, 44100) == pytest.approx(ffmpeg_lufs(ffmpeg, signal, 44100), abs=0.02)


def test_block_sizes_do_not_change_the_reading():
    signal = np.concatenate([voice(7, 8), np.zeros(RATE, np.float32), voice(3, 9) * 0.2])
    readings = {ours(signal, RATE, block) for block in (113, 1000, 2400, 262144, len(signal))}
    assert max(readings) - min(readings) < 1e-9


def test_shorter_than_a_block_or_silent_reads_silent(ffmpeg):
    short = voice(0.35, 10)  # under one 400 ms block: ffmpeg's meter reads -70 too
    assert ffmpeg_lufs(ffmpeg, short, RATE) == SILENT_LUFS
    assert ours(short, RATE) == SILENT_LUFS
    meter = LoudnessMeter(RATE)
    for block in (np.zeros(0, np.float32), np.zeros(RATE * 2, np.float32), np.zeros(0, np.float32)):
        meter.write(block)
    measured = meter.result()
    assert measured.lufs == SILENT_LUFS and measured.rms_db == -np.inf and measured.samples == RATE * 2
