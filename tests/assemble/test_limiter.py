"""The true-peak limiter: exact length and delay, untouched below the ceiling, true peaks held under it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from audiobook_tts.assemble.loudness import TruePeakLimiter, exceeds_ceiling, true_peaks

RATE = 24000


def run(limiter: TruePeakLimiter, signal: np.ndarray, seed: int = 0) -> np.ndarray:
    """Feed in blocks of random sizes (1 sample to 1.5 s), as pieces arrive in practice."""
    rng = np.random.default_rng(seed)
    out, start = [], 0
    while start < len(signal):
        size = int(rng.integers(1, 36000))
        out.append(limiter.process(signal[start : start + size]))
        start += size
    out.append(limiter.flush())
    return np.concatenate(out)


def true_peak_db(signal: np.ndarray) -> float:
    return 20 * np.log10(np.abs(resample_poly(signal.astype(np.float64), 4, 1)).max())


def loud_voice(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * RATE)) / RATE
    phase = 2 * np.pi * np.cumsum(120 + 30 * np.sin(2 * np.pi * 0.5 * t)) / RATE
    voice = sum(np.sin(k * phase + rng.uniform(0, 6)) / k for k in range(1, 40))
    bursts = 0.2 + np.abs(np.sin(2 * np.pi * 3 * t)) ** 4
    return (voice * bursts / np.abs(voice * bursts).max() * 1.4).astype(np.float32)  # peaks above full scale


def test_quiet_audio_passes_unchanged_and_in_place():
    signal = (np.random.default_rng(1).standard_normal(RATE * 3) * 0.05).astype(np.float32)  # peaks ~ -14 dB
    limiter = TruePeakLimiter(-3.0, RATE)
    out = run(limiter, signal)
    assert np.array_equal(out, signal)  # same length, no delay, bit-identical
    assert limiter.reduced_samples == 0


@pytest.mark.parametrize("ceiling_db", [-1.0, -4.5])
def test_true_peaks_stay_under_the_ceiling(ceiling_db):
    loud = loud_voice(3.0, seed=2)
    quiet = loud_voice(2.0, seed=3) * 0.1  # peaks near -17 dB
    signal = np.concatenate([loud, quiet])
    out = run(TruePeakLimiter(ceiling_db, RATE), signal)
    assert len(out) == len(signal)
    assert true_peak_db(out) <= ceiling_db + 0.01
    # the gain recovers (40 dB/s) once the loud part is over: the last second of the quiet part is untouched
    np.testing.assert_array_equal(out[-RATE:], signal[-RATE:])


def test_output_is_aligned_with_input():
    """The fixed delay is compensated: a gain-only change keeps every sample where it was."""
    signal = loud_voice(3.0, seed=3)
    out = run(TruePeakLimiter(-6.0, RATE), signal, seed=4)
    gain = out[np.abs(signal) > 0.05] / signal[np.abs(signal) > 0.05]
    assert gain.min() > 0 and gain.max() <= 1.0 + 1e-6  # same sign, never louder: no shift between them


def test_block_sizes_do_not_change_the_result():
    signal = loud_voice(2.0, seed=5)
    first = run(TruePeakLimiter(-3.0, RATE), signal, seed=6)
    second = run(TruePeakLimiter(-3.0, RATE), signal, seed=7)
    np.testing.assert_allclose(first, second, atol=1e-6)


def test_true_peaks_are_the_4x_upsampled_peaks():
    """Every chunk upsampled (threshold 0): the same peaks as scipy's resample_poly, in float32 arithmetic."""
    signal = loud_voice(1.0, seed=8)
    context = TruePeakLimiter.CONTEXT
    window = np.concatenate([np.zeros(context, np.float32), signal, np.zeros(context, np.float32)])
    ours = true_peaks(window, len(signal), threshold=0.0)
    up = np.abs(resample_poly(signal.astype(np.float64), 4, 1)).reshape(-1, 4)
    np.testing.assert_allclose(ours, up.max(axis=1), rtol=1e-6, atol=1e-7)  # (up[:, 0] is x, within 6e-4)


def test_exceeds_ceiling_says_whether_the_limiter_would_act():
    """A quarter-rate sine sampled 45 degrees off its crests: its samples stay 3 dB under its true peak. The
    check sees the true peak, and where it says no, the limiter's output is its input, bit for bit."""
    n = np.arange(RATE)
    sine = (0.8 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)  # samples +-0.566
    peak_db = true_peak_db(sine)  # 0.8, and a little more where the sine starts and stops
    assert 20 * np.log10(np.abs(sine).max()) < peak_db - 2.9
    blocks = [sine[start : start + 7000] for start in range(0, RATE, 7000)]

    assert exceeds_ceiling(iter(blocks), peak_db - 0.05)
    limiter = TruePeakLimiter(peak_db - 0.05, RATE)
    run(limiter, sine)
    assert limiter.reduced_samples > 0

    assert not exceeds_ceiling(iter(blocks), peak_db + 0.05)
    limiter = TruePeakLimiter(peak_db + 0.05, RATE)
    assert np.array_equal(run(limiter, sine), sine) and limiter.reduced_samples == 0


def reference_limiter(signal: np.ndarray, ceiling_db: float) -> np.ndarray:
    """The class docstring's definition, one sample at a time: r from the 4x true peaks at n and n+1, the
    needed gain the least r over the lookahead, recovery at the release rate, then the lookahead average."""
    limiter = TruePeakLimiter(ceiling_db, RATE)
    ceiling, lookahead, release = limiter.ceiling, limiter.lookahead, limiter.release_db
    lead = lookahead - 1
    x = np.concatenate([np.zeros(lead + 1), signal.astype(np.float64), np.zeros(lookahead + 1)])
    up = np.abs(resample_poly(x, 4, 1)).reshape(-1, 4).max(axis=1)  # max over [n, n+1)
    peak = np.maximum(up, np.concatenate([[0.0], up[:-1]]))  # ... and over [n-1, n)
    r = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    gains, g = [], 0.0
    for n in range(1, len(x) - lookahead):  # position n of x is sample n - lead - 1 of the signal
        needed = 20 * np.log10(r[n : n + lookahead + 1].min())
        g = min(needed, g + release)
        gains.append(10 ** (g / 20))
    smooth = np.convolve(gains, np.ones(lookahead) / lookahead, mode="valid")
    return (signal * smooth[: len(signal)].astype(np.float32)).astype(np.float32)


def test_gains_are_the_definition_sample_by_sample():
    """Only a few samples are turned down, so the limiter computes gains around them alone: the output still
    equals the definition computed at every sample, through a peak, its recovery and a quiet stretch."""
    signal = np.concatenate([loud_voice(0.6, seed=9) * 0.5, loud_voice(0.4, seed=10), np.zeros(RATE // 2)])
    signal = signal.astype(np.float32)
    out = run(TruePeakLimiter(-3.0, RATE), signal, seed=11)
    expected = reference_limiter(signal, -3.0)
    assert np.count_nonzero(out != signal) > RATE // 10  # the limiter acted on the loud part
    np.testing.assert_allclose(out, expected, rtol=0, atol=2e-6)
