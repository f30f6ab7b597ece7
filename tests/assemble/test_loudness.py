"""Our EBU R128 meter, which plans the gains, and our true-peak meter, which checks the encoded files, read
what ffmpeg's ebur128 filter reads on the same samples."""

from __future__ import annotations

import math
import re
import subprocess

import numpy as np
import pytest

from audiobook_tts.assemble.loudness import SILENT_LUFS, LoudnessMeter, TruePeakMeter
from tests.fixtures.audio import speech_like

RATE = 24000


def ffmpeg_reading(ffmpeg: str, signal: np.ndarray, rate: int, key: str, options: str = "") -> float:
    """ffmpeg's ebur128 meter's last value of metadata `key` (lavfi.r128.<key>), to a thousandth (its summary
    lines round to a tenth)."""
    result = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostats", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-",
         "-af", f"ebur128={options}metadata=1,ametadata=mode=print:key=lavfi.r128.{key}:file=-",
         "-f", "null", "-"],
        input=signal.astype(np.float32).tobytes(), capture_output=True, check=True,
    )  # fmt: skip
    return float(re.findall(rf"lavfi\.r128\.{key}=(-?[\d.]+)", result.stdout.decode())[-1])


def ffmpeg_lufs(ffmpeg: str, signal: np.ndarray, rate: int) -> float:
    """ffmpeg's integrated loudness."""
    return ffmpeg_reading(ffmpeg, signal, rate, "I")


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


# -- true peak ---------------------------------------------------------------------------------------------
def ffmpeg_true_peak(ffmpeg: str, signal: np.ndarray, rate: int) -> float:
    """ffmpeg's true peak in dBTP, from its linear reading."""
    return 20 * math.log10(ffmpeg_reading(ffmpeg, signal, rate, "true_peak", "peak=true:"))


def true_peak(signal: np.ndarray, rate: int, block: int = 262144) -> float:
    meter = TruePeakMeter(rate)
    for start in range(0, len(signal), block):
        meter.write(signal[start : start + block])
    return meter.result()


def faded(signal: np.ndarray, rate: int = RATE) -> np.ndarray:
    """Faded in and out over 50 ms: a tone that starts at full level rings differently through each meter's
    upsampling filter (0.3 dB apart for a 6 kHz sine), which no rendered file does."""
    ramp = np.minimum(np.arange(len(signal)), np.arange(len(signal))[::-1]) / (0.05 * rate)
    return (signal * np.clip(ramp, 0, 1)).astype(np.float32)


PEAK_SIGNALS = {
    "speech-like": lambda: voice(30, 11) * 4,
    "white noise": lambda: (np.random.default_rng(12).standard_normal(RATE * 20) * 0.2).astype(np.float32),
    # a quarter of the rate, sampled 45 degrees off its crests: the samples reach 0.71 of its peak
    "6 kHz between the samples": lambda: faded(0.9 * np.sin(2 * np.pi * (np.arange(RATE * 5) / 4 + 1 / 8))),
    "11 kHz (near Nyquist)": lambda: faded(tone(11000, 5) * 2),
    "square wave": lambda: faded(0.3 * np.sign(np.sin(2 * np.pi * 441 * np.arange(RATE * 5) / RATE))),
}


@pytest.mark.parametrize("name", PEAK_SIGNALS)
def test_true_peak_reads_what_ffmpeg_reads(ffmpeg, name):
    signal = PEAK_SIGNALS[name]()
    assert true_peak(signal, RATE) == pytest.approx(ffmpeg_true_peak(ffmpeg, signal, RATE), abs=0.02)


def test_true_peak_finds_the_peaks_between_samples(ffmpeg):
    signal = PEAK_SIGNALS["6 kHz between the samples"]()
    sample_peak = 20 * math.log10(np.abs(signal).max())
    assert sample_peak == pytest.approx(20 * math.log10(0.9) - 3.01, abs=0.01)
    assert true_peak(signal, RATE) == pytest.approx(20 * math.log10(0.9), abs=0.02)


def test_true_peak_at_other_sample_rates(ffmpeg):
    """Noise in the band speech has. (Full-band noise at 44.1 kHz reads up to 0.14 dB apart either way: ours
    upsamples 5x, to 220.5 kHz, ffmpeg's to 192 kHz, and each grid catches crests near Nyquist elsewhere.)"""
    from scipy.signal import butter, sosfilt

    for rate in (44100, 16000):
        noise = np.random.default_rng(rate).standard_normal(rate * 10) * 0.5
        signal = faded(sosfilt(butter(8, 0.3, output="sos"), noise), rate)
        assert true_peak(signal, rate) == pytest.approx(ffmpeg_true_peak(ffmpeg, signal, rate), abs=0.02)


def test_block_sizes_do_not_change_the_true_peak():
    signal = np.concatenate([voice(7, 14) * 3, np.zeros(RATE, np.float32), voice(3, 15)])
    readings = [true_peak(signal, RATE, block) for block in (7, 113, 2400, 262144, len(signal))]
    assert max(readings) - min(readings) < 1e-4
    assert true_peak(signal[-5:], RATE) == true_peak(signal[-5:], RATE, 1)  # shorter than the filter


def test_silence_has_no_true_peak():
    meter = TruePeakMeter(RATE)
    assert meter.result() == -math.inf
    meter.write(np.zeros(RATE, np.float32))
    assert meter.result() == -math.inf
