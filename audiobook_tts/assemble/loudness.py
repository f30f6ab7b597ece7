"""Loudness: measure each chapter, pick its gain, and keep true peaks under a ceiling.

The choice: one measurement pass gives each chapter's integrated loudness (EBU R128, `LoudnessMeter`); each
chapter then gets a single static gain to the same target, and one true-peak limiter runs over the whole
book's stream. Limiting peaks lowers loudness, so a chapter whose peaks reach the ceiling is measured again
after gain and limiter and its gain corrected (see `settle_gain` in assemble.py). Against ffmpeg's two-pass
`loudnorm` this keeps speech dynamics intact (a pure gain and a peak limiter, no compression), keeps the
sample rate (loudnorm runs at 192 kHz), and, because our limiter is sample-exact with a fixed delay we
compensate, every chapter keeps its exact length, so the MP3 files and the M4B's chapter marks line up to
the sample. ffmpeg's `alimiter` watches sample peaks only and shifts the signal by its lookahead; hence the
small limiter here.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

SILENT_LUFS = -70.0  # the R128 absolute gate: a chapter measuring at or below this holds no speech
CODEC_HEADROOM_DB = 1.5  # lossy encoding lifts true peaks by up to about this; the limiter leaves room


@dataclass(frozen=True)
class ChapterLoudness:
    lufs: float  # integrated loudness (EBU R128), SILENT_LUFS when nothing passes the gate
    rms_db: float  # plain RMS over all samples in dBFS (what ACX checks); -inf for digital silence
    samples: int
    peak_db: float  # sample peak in dBFS: tells whether the limiter can act on this chapter at a given gain


class LoudnessMeter:
    """One stream's integrated loudness (EBU R128, ITU-R BS.1770), RMS and sample peak, fed in blocks.

    K-weighted samples (`k_weighting`) are squared and averaged over each 100 ms; each 400 ms block (four of
    those, every 100 ms from the first whole one on) is gated at -70 LUFS, then at 10 LU under the mean of
    the blocks that pass, and the rest give the loudness: ffmpeg's ebur128 reading within 0.01 LU
    (tests/assemble/test_loudness.py). It plans the gains, in one to four passes over each chapter that
    each started an ffmpeg process before; a book of short chapters assembles ~12% faster without them.
    The finished files are still measured by ffmpeg's meter (verify.py), independently of this code."""

    HOP_S = 0.1
    BLOCK_HOPS = 4  # 400 ms blocks, every 100 ms

    def __init__(self, sample_rate: int):
        self._sections = k_weighting(sample_rate)
        self._state = np.zeros((len(self._sections), 2))
        self._hop = round(self.HOP_S * sample_rate)
        self._carry = np.zeros(0)  # K-weighted samples short of a whole hop
        self._hop_powers: list[np.ndarray] = []  # mean square of each 100 ms, in order
        self._sum_squares = 0.0
        self._samples = 0
        self._peak = 0.0

    def write(self, block: np.ndarray) -> None:
        from scipy.signal import sosfilt

        if not len(block):
            return  # (the limiter may give nothing yet; sosfilt takes no empty input)
        weighted, self._state = sosfilt(self._sections, block.astype(np.float64), zi=self._state)
        weighted = np.concatenate([self._carry, weighted])
        hops = len(weighted) // self._hop
        whole = weighted[: hops * self._hop].reshape(hops, self._hop)
        self._hop_powers.append(np.einsum("ij,ij->i", whole, whole) / self._hop)
        self._carry = weighted[hops * self._hop :]
        self._sum_squares += float(np.dot(block, block))
        self._samples += len(block)
        self._peak = max(self._peak, float(np.abs(block).max(initial=0.0)))

    def result(self) -> ChapterLoudness:
        hops = np.concatenate([np.zeros(0), *self._hop_powers])
        sums = np.cumsum(np.concatenate([[0.0], hops]))
        count = max(len(hops) - self.BLOCK_HOPS + 1, 0)  # (none under 400 ms)
        blocks = (sums[self.BLOCK_HOPS : self.BLOCK_HOPS + count] - sums[:count]) / self.BLOCK_HOPS
        blocks = blocks[blocks > _power(SILENT_LUFS)]
        lufs = SILENT_LUFS
        if len(blocks):
            blocks = blocks[blocks > _power(_lufs(blocks.mean()) - 10.0)]
            lufs = max(_lufs(blocks.mean()), SILENT_LUFS)
        mean_square = self._sum_squares / max(self._samples, 1)
        rms_db = 10 * math.log10(mean_square) if mean_square > 0 else -math.inf
        peak_db = 20 * math.log10(self._peak) if self._peak > 0 else -math.inf
        return ChapterLoudness(lufs, rms_db, self._samples, peak_db)


def _lufs(power: float) -> float:
    return -0.691 + 10 * math.log10(power)


def _power(lufs: float) -> float:
    return 10 ** ((lufs + 0.691) / 10)


@functools.cache
def k_weighting(sample_rate: int) -> np.ndarray:
    """BS.1770's K-weighting at `sample_rate` as two second-order sections: a high shelf of about +4 dB above
    1.7 kHz (the head's effect) and a high-pass at about 38 Hz. Each is the bilinear transform of the
    analog filter whose transform at 48 kHz gives the standard's coefficients (the derivation libebur128
    and ffmpeg use; the high-pass keeps its unnormalised numerator, 1 - 2z^-1 + z^-2, as theirs does)."""
    shelf = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    high = 10 ** (3.999843853973347 / 20)  # gain far above the shelf
    middle = high**0.4996667741545416
    scale = 1 + shelf / q + shelf * shelf
    pre = [
        (high + middle * shelf / q + shelf * shelf) / scale,
        2 * (shelf * shelf - high) / scale,
        (high - middle * shelf / q + shelf * shelf) / scale,
        1.0,
        2 * (shelf * shelf - 1) / scale,
        (1 - shelf / q + shelf * shelf) / scale,
    ]
    corner = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    scale = 1 + corner / q + corner * corner
    poles = [2 * (corner * corner - 1) / scale, (1 - corner / q + corner * corner) / scale]
    highpass = [1.0, -2.0, 1.0, 1.0, *poles]
    return np.array([pre, highpass])


def is_silent(loudness: ChapterLoudness) -> bool:
    """Nothing passes the R128 gate: such a chapter keeps 0 dB gain instead of being raised by 50 dB."""
    return loudness.lufs <= SILENT_LUFS or not math.isfinite(loudness.rms_db)


@functools.cache
def upsampling_phases(factor: int, reach: int, beta: float) -> np.ndarray:
    """An upsampler by `factor` as `factor` rows of taps over x[n-reach .. n+reach], row p giving the signal
    at n + p/factor: a Kaiser-windowed sinc low-pass at the input's Nyquist frequency."""
    from scipy.signal import firwin  # here: scipy.signal takes ~0.4 s to import

    half = reach * factor
    lowpass = firwin(2 * half + 1, 1 / factor, window=("kaiser", beta)) * factor
    phases = np.zeros((factor, 2 * reach + 1), np.float32)
    for phase in range(factor):
        for i in range(2 * reach + 1):
            tap = factor * (reach - i) + phase + half  # the one that weighs x[n - reach + i]
            if 0 <= tap <= 2 * half and abs(lowpass[tap]) > 1e-12:  # (sinc's zeros at whole samples)
                phases[phase, i] = lowpass[tap]
    return phases


def phase_band(taps: np.ndarray, row: int) -> np.ndarray:
    """An upsampler's phases (taps [phases, 2 * reach + 1], as upsampling_phases gives them) as a banded
    matrix [row + 2 * reach, phases x row]: a window of `row` samples with reach either side, times it, gives
    each phase's value at each of the row's positions (numpy's BLAS does such products fast)."""
    width = row + taps.shape[1] - 1
    band = np.zeros((width, len(taps), row), np.float32)
    for j in range(row):  # position j's values weigh samples j .. j + 2 * reach of its window
        band[j : j + taps.shape[1], :, j] = taps.T
    return band.reshape(width, -1)


def times_band(windows: np.ndarray, band: np.ndarray) -> np.ndarray:
    """windows @ band on one BLAS thread: more would spin beside the render for a product this size."""
    with _blas().limit(limits=1, user_api="blas"):
        return np.ascontiguousarray(windows) @ band


@functools.cache
def _limiter_band(row: int = 64) -> tuple[np.ndarray, int, int]:
    """The limiter's 4x upsampler (the low-pass scipy's resample_poly(x, 4, 1) uses: 81 taps, Kaiser window,
    beta 5) as a phase_band of all four phases (phase 0 is the sample itself within 6e-4, as resample_poly
    gives it); and its reach and row."""
    taps = upsampling_phases(4, 10, 5.0)
    return phase_band(taps, row), taps.shape[1] // 2, row


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # (finding the libraries takes a few ms: once)


class TruePeakMeter:
    """A stream's true peak (ITU-R BS.1770: the largest |value| of the signal upsampled to at least 192 kHz,
    which is what ffmpeg's ebur128 meter upsamples to: 8x at 24 kHz, 5x at 44.1 kHz), fed in blocks.

    The values between samples for ROW consecutive positions are one row of a matrix product: the ROW
    samples with REACH either side, times a banded matrix of the upsampler's taps, which numpy's BLAS does
    fast. Rows whose samples are too small for any value between them to pass the peak found so far (the
    taps' magnitudes bound how far a value can exceed its samples) are skipped: most of speech's. Together
    ~2 CPU s per audio hour at 24 kHz on noise, less on speech, where ffmpeg's ebur128=peak=true took 5.8
    (benchmarks/assemble.py); the readings agree within 0.02 dB (tests/assemble/test_loudness.py)."""

    ROW = 64
    ROWS_AT_ONCE = 256  # short blocks wait until this many rows are there (a product has its overhead)
    REACH = 16  # taps either side: 33 per phase
    BETA = 8.0  # Kaiser window: stopband ~80 dB down

    def __init__(self, sample_rate: int):
        factor = max(2, math.ceil(192000 / sample_rate))
        taps = upsampling_phases(factor, self.REACH, self.BETA)[1:]  # phase 0 is the sample itself
        self._bound = float(np.abs(taps).sum(axis=1).max())  # |value| <= bound x its samples' largest |x|
        self._band = phase_band(taps, self.ROW)
        self._pending = np.zeros(self.REACH, np.float32)  # silence before the stream, then what is unread
        self._peak = 0.0

    def write(self, block: np.ndarray) -> None:
        samples = np.concatenate([self._pending, block.astype(np.float32, copy=False)])
        rows = (len(samples) - 2 * self.REACH) // self.ROW
        if rows < self.ROWS_AT_ONCE:
            self._pending = samples
            return
        # row r's window spans ROW-sample pieces r and r + 1 (2 * REACH <= ROW): their largest |x| bounds it
        magnitudes = np.zeros((rows + 1) * self.ROW, np.float32)
        np.abs(samples[: len(magnitudes)], out=magnitudes[: min(len(samples), len(magnitudes))])
        pieces = magnitudes.reshape(rows + 1, self.ROW).max(axis=1)
        self._peak = max(self._peak, float(pieces.max()))
        hot = np.flatnonzero(np.maximum(pieces[:-1], pieces[1:]) * self._bound > self._peak)
        if len(hot):
            between = times_band(self._windows(samples, rows)[hot], self._band)
            self._peak = max(self._peak, float(np.abs(between).max()))
        self._pending = samples[rows * self.ROW :]

    def result(self) -> float:
        """The true peak in dBTP (-inf for digital silence)."""
        count = len(self._pending) - self.REACH  # positions left, up to the last sample's
        if count > 0:
            rows = -(-count // self.ROW)
            tail = np.zeros(rows * self.ROW + 2 * self.REACH, np.float32)  # silence after the end
            tail[: len(self._pending)] = self._pending
            self._peak = max(self._peak, float(np.abs(tail).max()))
            between = times_band(self._windows(tail, rows), self._band).reshape(rows, -1, self.ROW)
            between = between.transpose(0, 2, 1).reshape(rows * self.ROW, -1)[:count]  # by position
            self._peak = max(self._peak, float(np.abs(between).max()))
            self._pending = self._pending[count:]
        return 20 * math.log10(self._peak) if self._peak > 0 else -math.inf

    def _windows(self, samples: np.ndarray, rows: int) -> np.ndarray:
        """Each row's samples with REACH either side (a view), rows from samples[REACH] on."""
        windows = np.lib.stride_tricks.sliding_window_view(samples, self.ROW + 2 * self.REACH)
        return windows[: rows * self.ROW : self.ROW]


def limiter_may_act(loudness: ChapterLoudness, gain_db: float, ceiling_db: float) -> bool:
    """True-peak overshoot of band-limited audio stays within a few dB of the sample peak; 6 dB is safe."""
    return loudness.peak_db + gain_db > ceiling_db - 6.0


class TruePeakLimiter:
    """A lookahead limiter on 4x-oversampled peaks, streaming, with an exact fixed delay.

    For each sample the largest |value| among it and its three inter-sample points (4x polyphase upsampling,
    as in ITU-R BS.1770) gives the gain it needs, r = min(1, ceiling / peak). The applied gain is a lookahead
    minimum of r, recovering at a fixed dB/s rate, then averaged over the lookahead window, so it glides down
    before a peak instead of stepping, and never exceeds r at any sample it covers. Output lags input by
    `delay` samples; `flush` releases the tail, so total output length always equals total input length.
    """

    CONTEXT = 16  # input samples either side the upsampling filter needs to be exact at a block's edge
    NEIGHBOUR = 1  # peaks between n and n+1 are credited to n; widening by one sample covers both sides
    CHUNK = 256  # true peaks are computed for chunks of this many samples that may reach the ceiling
    PEAK_BOUND = 2.25  # sum of |filter taps| of the worst (half-sample) phase of the 4x upsampler: 2.24

    def __init__(
        self, ceiling_db: float, sample_rate: int, lookahead_s: float = 0.005, release_db_per_s: float = 40.0
    ):
        self.ceiling = 10 ** (ceiling_db / 20)
        self.lookahead = max(2, round(lookahead_s * sample_rate))
        self.release_db = release_db_per_s / sample_rate  # dB of recovery per sample
        self.history = self.NEIGHBOUR + self.CONTEXT
        self.delay = self.lookahead - 1 + self.NEIGHBOUR + self.CONTEXT
        # Gains are also computed for lookahead-1 silent samples before position 0 (and thrown away), so the
        # average at the first real samples is over gains that have all seen them.
        lead = self.lookahead - 1
        self._x = np.zeros(self.history + lead, np.float32)  # input from absolute position _x0 on
        self._x0 = -lead - self.history
        self._next = -lead  # next output position
        self._received = 0
        self._tail_loss = np.zeros(lead)  # 1 - gain of the lookahead-1 samples before _next (for the average)
        self._gain_last_db = 0.0
        self.reduced_samples = 0  # how many samples the limiter turned down (for reporting)

    def set_ceiling(self, ceiling_db: float) -> None:
        """From the next block on (an M4B's chapters may each have their own ceiling)."""
        self.ceiling = 10 ** (ceiling_db / 20)

    def process(self, block: np.ndarray) -> np.ndarray:
        self._x = np.concatenate([self._x, block.astype(np.float32, copy=False)])
        self._received += len(block)
        return self._emit(self._x0 + len(self._x) - self.delay)

    def flush(self) -> np.ndarray:
        self._x = np.concatenate([self._x, np.zeros(self.delay, np.float32)])  # silence after the end
        return self._emit(self._received)

    def _emit(self, end: int) -> np.ndarray:
        start = self._next
        if end <= start:
            return np.zeros(0, np.float32)
        count = end - start
        first = start - self.history - self._x0
        # positions [start - history, end + delay)
        window = self._x[first : first + self.history + count + self.delay]
        gain = self._gain(window, count)
        out = self._x[first + self.history : first + self.history + count] * gain.astype(np.float32)
        self._next = end
        keep_from = end - self.history - self._x0
        self._x = self._x[keep_from:]
        self._x0 = end - self.history
        return out[max(0, -start) :]

    def _gain(self, window: np.ndarray, count: int) -> np.ndarray:
        """Gains (float64, (count,)) for the `count` samples after the window's history.

        The dB conversions and the recovery run only where a gain can differ from 1 (2% of the samples of
        benchmarks/assemble.py's levelled book), which halves the limiter's time there; what each gain is
        stays as the class docstring says (tests/assemble/test_limiter.py checks it sample by sample)."""
        span = self.lookahead + 2 * self.NEIGHBOUR  # r positions each gain must respect
        lead = self.lookahead - 1
        over = np.zeros(0, np.intp)  # r positions (start - NEIGHBOUR on) with a true peak over the ceiling
        # inter-sample peaks of band-limited audio stay well within 6 dB of the sample peaks
        if np.abs(window).max(initial=0.0) * 2 >= self.ceiling:
            peaks = true_peaks(window, count + span - 1, self.ceiling)
            over = np.flatnonzero(peaks > self.ceiling)
        if self._gain_last_db == 0.0 and not self._tail_loss.any() and not len(over):
            return np.ones(count)  # nothing to turn down, gain recovered: what the lines below give, exactly
        # needed[i]: the least r over [i, i+span-1] (a centred minimum filter, read shifted by span//2)
        needed_db = np.zeros(0)
        turned = np.zeros(0, np.intp)  # outputs whose needed gain is under 1
        if len(over):
            from scipy.ndimage import minimum_filter1d

            r = np.ones(count + span - 1)
            r[over] = self.ceiling / peaks[over]
            needed = minimum_filter1d(r, span, mode="nearest")[span // 2 : span // 2 + count]
            turned = np.flatnonzero(needed < 1.0)
            needed_db = 20 * np.log10(needed[turned])
        # recovery, g[n] = min(needed_db[n], g[n-1] + release), in closed form: the least of the carried gain
        # and every earlier turned-down sample, each risen by `release` per sample since (0 where all have)
        release = self.release_db
        recovers = np.ceil(-needed_db / release).astype(np.intp) + 1  # samples until g is back at 0 dB
        starts = np.concatenate([[0], turned])
        ends = np.concatenate([[math.ceil(-self._gain_last_db / release) + 1], turned + recovers])
        edges = np.zeros(count + 1, np.intp)
        np.add.at(edges, np.minimum(starts, count), 1)
        np.add.at(edges, np.minimum(ends, count), -1)
        active = np.flatnonzero(np.cumsum(edges[:count]) > 0)  # where g may be under 0 dB
        lowest = np.minimum.accumulate(needed_db - turned * release)  # least needed_db[k] - k * release
        latest = np.searchsorted(turned, active, side="right") - 1  # the last turned-down sample <= n
        gain_db = np.minimum(self._gain_last_db + (active + 1) * release, 0.0)
        has = latest >= 0
        gain_db[has] = np.minimum(gain_db[has], lowest[latest[has]] + active[has] * release)
        # average over the lookahead, of the losses 1 - gain (so exactly 1 wherever nothing is turned down);
        # each term covers the current sample, so the mean cannot exceed its r
        loss = np.zeros(lead + count)
        loss[:lead] = self._tail_loss
        loss[lead + active] = 1.0 - 10 ** (gain_db / 20)
        sums = np.cumsum(np.concatenate([[0.0], loss]))
        smooth = 1.0 - (sums[self.lookahead :] - sums[: -self.lookahead]) / self.lookahead
        self._tail_loss = loss[-lead:]
        self._gain_last_db = float(gain_db[-1]) if len(active) and active[-1] == count - 1 else 0.0
        self.reduced_samples += int(np.count_nonzero(smooth < 0.9999))
        return smooth


def true_peaks(window: np.ndarray, count: int, threshold: float) -> np.ndarray:
    """max |x| over [n, n+1) on the 4x-upsampled signal, for the `count` window positions after CONTEXT
    (float64), exact wherever it reaches `threshold`; below it the sample peak may stand in.

    Only chunks where an inter-sample peak could reach the threshold are upsampled: an upsampled value is a
    weighted sum of its CONTEXT neighbours either side, with weights whose magnitudes sum to at most
    PEAK_BOUND, so where those neighbours all stay under threshold / PEAK_BOUND no peak can reach it and the
    sample peak stands in. Speech at a normal level keeps most chunks under a limiter's ceiling that way,
    which makes the limiter ~5x cheaper than upsampling everything."""
    size, context = TruePeakLimiter.CHUNK, TruePeakLimiter.CONTEXT
    chunks = -(-count // size)
    # window positions [j * size, (j + 1) * size + 2 * context) hold chunk j and its context
    padded = np.zeros((chunks + 1) * size, np.float32)
    padded[: len(window)] = window
    magnitude = np.abs(padded)
    chunk_max = magnitude.reshape(-1, size).max(axis=1)
    hot = np.flatnonzero(np.maximum(chunk_max[:-1], chunk_max[1:]) * TruePeakLimiter.PEAK_BOUND >= threshold)
    peaks = magnitude[context : context + chunks * size].astype(np.float64)
    if len(hot):
        # each 64-position row of a hot chunk, with the low-pass's reach either side, times the banded
        # matrix of the four phases' taps (_limiter_band): one BLAS product for all of them
        band, reach, row = _limiter_band()
        rows_per_chunk = size // row
        windows = np.lib.stride_tricks.sliding_window_view(padded[context - reach :], row + 2 * reach)[::row]
        picked = (hot[:, None] * rows_per_chunk + np.arange(rows_per_chunk)).ravel()
        between = times_band(windows[picked], band)  # [rows, phase x position]
        best = np.abs(between).reshape(len(picked), -1, row).max(axis=1).reshape(len(hot), size)
        rows = peaks.reshape(chunks, size)
        rows[hot] = np.maximum(best, rows[hot])
    return peaks[:count]


def exceeds_ceiling(blocks: Iterable[np.ndarray], ceiling_db: float) -> bool:
    """Whether any true peak of the stream `blocks` exceeds the ceiling: whether a TruePeakLimiter with that
    ceiling would turn any of it down (if not, its output is its input, sample for sample). Stops at the
    first such peak."""
    ceiling = 10 ** (ceiling_db / 20)
    context = TruePeakLimiter.CONTEXT
    carry = np.zeros(2 * context, np.float32)  # the last positions' context, and those not yet looked at
    for block in itertools.chain(blocks, [np.zeros(context, np.float32)]):  # silence after the end
        window = np.concatenate([carry, block])
        if true_peaks(window, len(block), ceiling).max(initial=0.0) > ceiling:  # (upsamples only hot chunks)
            return True
        carry = window[-2 * context :]
    return False
