"""Loudness measured on the encoded files, the way a listener's player and ACX's checker meet them.

Gains are chosen before encoding, but the encoders change loudness (libmp3lame's low-pass takes a few
tenths of a LU off bright audio, more at low bitrates; its CBR input scale is undone before it, see
encode.mp3_input_gain) and lift true peaks. So each finished file is decoded once more through ffmpeg's EBU
R128 meter (integrated loudness), while the decoded samples give the true peak (loudness.TruePeakMeter:
upsampled to 192 kHz as ffmpeg's meter does, in a third of its time), the RMS, the sample peak and the noise
floor ACX checks (RMS of the quietest 500 ms). assemble.py re-encodes a file that misses; the report
here says what each file measured, in one line and as JSON.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import mutagen
import numpy as np

from audiobook_tts.assemble.errors import AssembleError
from audiobook_tts.assemble.ffmpeg import FfmpegSink
from audiobook_tts.assemble.loudness import CODEC_HEADROOM_DB, SILENT_LUFS, TruePeakMeter

TOLERANCE_LU = 0.5  # a file further than this from the target is corrected
NOISE_WINDOW_S = 0.5  # ACX: noise floor = RMS of the quietest half second
ACX_RMS_RANGE = (-23.0, -18.0)
ACX_PEAK_DB = -3.0
ACX_NOISE_FLOOR_DB = -60.0
READ_BYTES = 1 << 20
# the decoded samples leave ffmpeg in frames of this many, not the codec's 576 or 1024: ffmpeg 7 and later
# hand every frame from thread to thread, which cost as much CPU as the decoding (the bundled ffmpeg 9's
# decode and meter of an MP3: 2.19 -> 1.61 CPU s, of the Waste Land's M4B 3.97 -> 2.89; the same samples)
OUTPUT_FRAME = 16384
INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf|nan) LUFS")  # ebur128's summary


@dataclass(frozen=True)
class FileLoudness:
    path: Path
    lufs: float  # integrated, EBU R128
    true_peak_db: float  # dBTP
    rms_db: float  # over the whole file, dBFS
    peak_db: float  # sample peak, dBFS
    noise_floor_db: float  # RMS of the quietest 500 ms window, dBFS


def _db(power: float) -> float:
    return 10 * math.log10(power) if power > 0 else -math.inf


class _SampleStats:
    """RMS, sample peak, noise floor (RMS of the quietest NOISE_WINDOW_S) and, given a meter, true peak of
    samples fed in order."""

    def __init__(self, window: int, true_peak: TruePeakMeter | None = None):
        self.window = window
        self.true_peak = true_peak
        self.sum_squares, self.count, self.peak = 0.0, 0, 0.0
        self.quietest, self.carry = math.inf, np.zeros(0, np.float32)

    def feed(self, samples: np.ndarray) -> None:
        samples = np.concatenate([self.carry, samples])
        whole = len(samples) // self.window * self.window
        if whole:
            powers = np.mean(samples[:whole].reshape(-1, self.window).astype(np.float64) ** 2, axis=1)
            self.quietest = min(self.quietest, float(powers.min()))
        self.carry = samples[whole:]
        self._add(samples[:whole])
        if self.true_peak is not None:
            self.true_peak.write(samples[:whole])

    def _add(self, samples: np.ndarray) -> None:
        self.sum_squares += float(np.dot(samples, samples))
        self.count += len(samples)
        self.peak = max(self.peak, float(np.abs(samples).max(initial=0.0)))

    def result(self, path: Path, lufs: float, true_peak_db: float = math.nan) -> FileLoudness:
        """The figures, with the meter's true peak if there is one (else `true_peak_db`), to a tenth of a dB
        as ffmpeg's meter gives it and the loudness beside it (a file is over the ceiling when it reads
        over at that precision)."""
        self._add(self.carry)
        if self.true_peak is not None:
            self.true_peak.write(self.carry)
            true_peak_db = round(self.true_peak.result(), 1)
        self.carry = np.zeros(0, np.float32)
        rms = _db(self.sum_squares / max(self.count, 1))
        floor = _db(self.quietest) if math.isfinite(self.quietest) else rms
        return FileLoudness(path, lufs, true_peak_db, rms, _db(self.peak * self.peak), floor)


def measure_file(ffmpeg: str, path: Path, nice: int = 0) -> FileLoudness:
    """Decode `path` once: ffmpeg's ebur128 meter passes the samples through to us for RMS, peak and floor.
    `nice` > 0 lowers the ffmpeg's priority (beside a render)."""
    return _measure(ffmpeg, path, nice, [])[0]


def measure_chapters(
    ffmpeg: str, path: Path, lengths: list[int], sample_rate: int
) -> tuple[FileLoudness, list[FileLoudness]]:
    """The whole file as measure_file measures it, and each chapter's span of it (`lengths` in samples at
    `sample_rate`; the last chapter takes whatever the decoder gives past the others), from one decode."""
    return _measure(ffmpeg, path, 0, lengths, sample_rate)


def _measure(
    ffmpeg: str, path: Path, nice: int, lengths: list[int], sample_rate: int = 0
) -> tuple[FileLoudness, list[FileLoudness]]:
    info = mutagen.File(path)
    if info is None:
        raise AssembleError(f"cannot read the encoded file {path} back to measure it")
    rate = info.info.sample_rate
    window = max(1, round(NOISE_WINDOW_S * rate))
    # with chapters, the file's true peak is their highest (each chapter's span is metered, not the whole too)
    stats = _SampleStats(window, None if lengths else TruePeakMeter(rate))
    ends = [round(end * rate / sample_rate) for end in np.cumsum(lengths[:-1])] if lengths else []
    parts = [_SampleStats(window, TruePeakMeter(rate)) for _ in lengths]
    meters = _ChapterMeters(ffmpeg, rate, ends, path.name) if lengths else None
    position = 0
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [ffmpeg, "-hide_banner", "-nostats", "-v", "info", "-i", str(path),
             "-af", f"ebur128=framelog=verbose,asetnsamples=n={OUTPUT_FRAME}:p=0",
             "-ac", "1", "-f", "f32le", "pipe:1"],
            stdout=subprocess.PIPE,
            stderr=log,
        )  # fmt: skip
        if nice:
            with contextlib.suppress(AttributeError, OSError):  # (no setpriority on Windows)
                os.setpriority(os.PRIO_PROCESS, process.pid, nice)
        assert process.stdout is not None  # (stdout=PIPE)
        try:
            current = 0  # the chapter being read
            while chunk := process.stdout.read(READ_BYTES):
                samples = np.frombuffer(chunk[: len(chunk) // 4 * 4], np.float32)
                stats.feed(samples)
                if meters is not None:
                    meters.write(samples)
                while parts and len(samples):
                    end = ends[current] if current < len(ends) else math.inf
                    take = int(min(len(samples), end - position))
                    parts[current].feed(samples[:take])
                    samples, position = samples[take:], position + take
                    current += position == end
            if process.wait() != 0:
                raise AssembleError(f"ffmpeg could not decode {path} to measure its loudness")
            if lengths and position <= (ends[-1] if ends else 0):
                short = f"{path} decodes shorter than its {len(lengths)} chapters"
                raise AssembleError(f"{short}: assemble it again")
            readings = meters.readings() if meters is not None else []
        except BaseException:
            process.kill()
            if meters is not None:
                meters.kill()
            raise
        log.seek(0)
        lufs = meter_reading(log.read().decode("utf-8", "replace"))
    chapters = [part.result(path, reading) for part, reading in zip(parts, readings, strict=True)]
    if not chapters:
        return stats.result(path, lufs), []
    return stats.result(path, lufs, max(chapter.true_peak_db for chapter in chapters)), chapters


def meter_reading(summary: str) -> float:
    """Integrated LUFS from an ebur128 meter's summary; a measurement the R128 gate leaves empty reads
    SILENT_LUFS."""
    integrated = INTEGRATED.search(summary)
    if integrated is None:
        raise AssembleError(f"could not read the loudness from ffmpeg's output ({summary[-200:]!r})")
    lufs = float(integrated[1])
    if not math.isfinite(lufs) or lufs < SILENT_LUFS:
        lufs = SILENT_LUFS
    return lufs


class _ChapterMeters:
    """Consecutive chapters of one stream, each through its own EBU R128 meter, in one ffmpeg
    beside our decoding (asegment cuts the stream at `ends`, sample positions). One process for any number of
    chapters: a process each cost ~57 ms to start (38 s for a book of 664 poems)."""

    SUMMARY = re.compile(r"\[Parsed_ebur128_(\d+) @ [^\]]*\] Summary:(.*?)(?=^\[|\Z)", re.S | re.M)

    def __init__(self, ffmpeg: str, rate: int, ends: list[int], name: str):
        labels = [f"[c{i}]" for i in range(len(ends) + 1)]
        split = f"[0:a]asegment=samples={'|'.join(map(str, ends))}" if ends else "[0:a]anull"
        meters = [f"{label}ebur128=framelog=verbose,anullsink" for label in labels[:-1]]
        meters.append(f"{labels[-1]}ebur128=framelog=verbose[out]")  # ffmpeg needs an output
        graph = ";".join([split + "".join(labels), *meters])
        self.count = len(labels)
        self._sink = FfmpegSink(
            ffmpeg,
            rate,
            ["-filter_complex", graph, "-map", "[out]", "-f", "null", "-"],
            what=f"the chapters' loudness measurement of {name}",
            loglevel="info",
        )

    def write(self, samples: np.ndarray) -> None:
        self._sink.write(samples)

    def readings(self) -> list[float]:
        """LUFS per chapter. A meter may print a summary while ffmpeg sets the graph up,
        then its real one at the end: the last counts; meters number in graph order."""
        log = self._sink.finish()
        found = {int(number): summary for number, summary in self.SUMMARY.findall(log)}
        if len(found) != self.count:
            raise AssembleError(f"could not read chapter loudness from ffmpeg's output ({log[-200:]!r})")
        return [meter_reading(found[number]) for number in sorted(found)]

    def kill(self) -> None:
        self._sink.kill()


def acx_problems(measured: FileLoudness) -> list[str]:
    """What ACX's checker would reject in this file (RMS -23..-18 dB, peak <= -3 dB, floor <= -60 dB)."""
    problems = []
    low, high = ACX_RMS_RANGE
    if not low <= measured.rms_db <= high:
        problems.append(f"RMS {measured.rms_db:.1f} dB is outside {low:g} to {high:g} dB")
    if measured.peak_db > ACX_PEAK_DB:
        problems.append(f"peak {measured.peak_db:.1f} dB is above {ACX_PEAK_DB:g} dB")
    if measured.noise_floor_db > ACX_NOISE_FLOOR_DB:
        problems.append(f"noise floor {measured.noise_floor_db:.1f} dB is above {ACX_NOISE_FLOOR_DB:g} dB")
    return problems


@dataclass
class FileCheck:
    measured: FileLoudness
    corrected: bool = False  # re-encoded after the first measurement missed
    problems: list[str] = field(default_factory=list)  # what still misses (ACX rules, target, ceiling)
    passes: int = 0  # how many times it was re-encoded (at most MAX_CORRECTIONS)
    chapters: list[FileCheck] = field(default_factory=list)  # the M4B's: each chapter's span, checked alone


@dataclass
class LoudnessReport:
    target: float
    unit: str  # "LUFS" (integrated) or "dB RMS" (ACX)
    ceiling_db: float  # true-peak ceiling
    files: list[FileCheck] = field(default_factory=list)

    def level(self, measured: FileLoudness) -> float:
        return measured.rms_db if self.unit == "dB RMS" else measured.lufs

    def summary(self) -> str:
        """One line: the range every file measured, the worst true peak, what was corrected or still fails."""
        if not self.files:
            return "loudness: no files"
        levels = [self.level(check.measured) for check in self.files]
        peak = max(check.measured.true_peak_db for check in self.files)
        line = (
            f"loudness: {len(self.files)} files at {min(levels):.1f} to {max(levels):.1f} {self.unit} "
            f"(target {self.target:g}), true peak <= {peak:.1f} dBTP (ceiling {self.ceiling_db:g})"
        )
        corrected = sum(check.corrected for check in self.files)
        twice = sum(check.passes > 1 for check in self.files)
        if corrected:
            line += f", {corrected} re-encoded" + (f" ({twice} twice)" if twice else " once")
        failing = [check for check in self.files if check.problems]
        line += f"; {len(failing)} files FAIL: see the report" if failing else "; all pass"
        return line

    def to_json(self) -> dict:
        def file(check: FileCheck) -> dict:
            values = {
                key: (value if not isinstance(value, float) or math.isfinite(value) else None)
                for key, value in asdict(check.measured).items()
            }
            values["path"] = check.measured.path.name
            entry = {**values, "corrected": check.corrected, "passes": check.passes}
            entry["problems"] = check.problems
            if check.chapters:
                entry["chapters"] = [file(chapter) for chapter in check.chapters]
            return entry

        return {
            "target": self.target,
            "unit": self.unit,
            "true_peak_ceiling_db": self.ceiling_db,
            "tolerance_lu": TOLERANCE_LU,
            "summary": self.summary(),
            "files": [file(check) for check in self.files],
        }

    def write(self, path: Path) -> Path:
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial.replace(path)
        return path


# -- correcting a file that missed ------------------------------------------------------------------------
MAX_CORRECTIONS = 2  # a re-encode, and at most one more when the first still misses
PEAK_MARGIN_DB = 0.2  # a lowered ceiling aims this far under the true-peak excess it corrects
SETTLE_LU = 0.1  # the gain search stops this close to the level it aims at
MAX_EXTRA_GAIN_DB = 6.0  # more gain than the level change alone needs, to make up for the limiter
MAX_LIMITED_SHARE = 0.5  # a level that cannot be reached is not neared by turning more samples down than this


@dataclass(frozen=True)
class Setting:
    """How a file is encoded: a gain added to each of its chapters (silent ones excepted), and the true-peak
    ceiling given to the limiter (which keeps the codec headroom under it)."""

    gain_db: float
    ceiling_db: float


@dataclass(frozen=True)
class StreamLevel:
    """The level of the stream an encoder is fed (after gain and limiter, before encoding)."""

    level: float  # in the report's unit (integrated LUFS, or RMS dB for ACX)
    limited: float  # the share of samples the limiter turned down


def _next_setting(
    measured: FileLoudness,
    setting: Setting,
    report: LoudnessReport,
    stream: Callable[[Setting], StreamLevel],
    lift: float,
) -> tuple[Setting, StreamLevel, float]:
    """The setting that should bring this file to the target under the ceiling: (setting, what its stream
    measured, the level the stream must have).

    Both effects of encoding are taken from the file itself: how far the encoder moved its level (the
    measured file against its stream) and how far it lifts true peaks over the ceiling it was given (`lift`,
    the most seen on this file so far: on noisy audio it varies from one encode to the next, 1.8 then 1.0
    then 1.6 dB on tests/assemble/test_verify.py's noise bursts). The limiter's ceiling is set that far
    under the file's: lower when peaks went over, higher into unused room when the file is too quiet (the
    codec headroom it keeps is a guess; here it is measured). The gain is then searched (secant steps on
    the stream, whose level rises with the gain more slowly as the limiter works harder) so that the stream
    reaches the target less the encoder's shift."""
    level = report.level(measured)
    encoder_shift = level - stream(setting).level
    excess = measured.true_peak_db - report.ceiling_db
    ceiling = setting.ceiling_db
    if excess > 0 or (level < report.target - TOLERANCE_LU and excess < -PEAK_MARGIN_DB):
        # peaks over the ceiling lower it; a file short of the target whose encoded peaks sit under the
        # ceiling gives the limiter the room its largest lift leaves (never past full scale)
        ceiling = min(report.ceiling_db - lift - PEAK_MARGIN_DB, CODEC_HEADROOM_DB)
    wanted = report.target - encoder_shift
    plain = setting.gain_db + report.target - level  # the gain a level change alone would need
    gain, previous = plain, None
    for _ in range(3):
        got = stream(Setting(gain, ceiling))
        if abs(got.level - wanted) <= SETTLE_LU:
            break
        slope = 1.0
        if previous is not None and gain != previous[0]:
            slope = min(1.0, max(0.2, (got.level - previous[1]) / (gain - previous[0])))
        previous = (gain, got.level)
        gain = min(plain + MAX_EXTRA_GAIN_DB, gain + (wanted - got.level) / slope)
        if gain == previous[0]:
            break  # at the limit: the limiter will not give more
    else:
        got = stream(Setting(gain, ceiling))
    return Setting(gain, ceiling), got, wanted


def check_parts(
    measured: list[FileLoudness],
    report: LoudnessReport,
    silent: list[bool],
    encode: Callable[[list[Setting]], list[FileLoudness]],
    stream: Callable[[int, Setting], StreamLevel],
) -> list[FileCheck]:
    """Check the parts of one encoded file (an MP3: the file; the M4B: each chapter's span of it) against
    the target and ceiling; while some miss, encode the file again with a setting per part computed from
    that part's own measurement (at most MAX_CORRECTIONS times), and say precisely what still misses.

    Each part is corrected by its own error alone: every chapter of the M4B meets the target (not just the
    book on average), and re-rendering one chapter changes no other chapter's audio.

    A part within the ceiling whose stream cannot reach the level wanted (the limiter holds it down) is
    corrected only when that brings it at least the tolerance nearer with at most MAX_LIMITED_SHARE of its
    samples turned down; otherwise more gain would only flatten it against the ceiling (random-weight noise
    took +15 dB with 80% of its samples turned down, and still missed).

    `encode` writes the file again with a setting per part and measures each part; `stream(i, setting)`
    measures what the encoder would be fed for part i. The first encode had Setting(0, ceiling) for all."""
    settings = [Setting(0.0, report.ceiling_db)] * len(measured)
    checks = [FileCheck(found) for found in measured]
    reasons = [""] * len(measured)

    def misses(index: int) -> bool:
        found = checks[index].measured
        level_off = abs(report.target - report.level(found)) > TOLERANCE_LU
        return not silent[index] and (level_off or found.true_peak_db > report.ceiling_db)

    lifts = [-math.inf] * len(measured)  # the most each part's true peak went over its ceiling setting
    for _ in range(MAX_CORRECTIONS):
        proposed = list(settings)
        streams: dict[int, tuple[StreamLevel, bool]] = {}  # part -> what its stream will measure, held down
        for index, check in enumerate(checks):
            lifts[index] = max(lifts[index], check.measured.true_peak_db - settings[index].ceiling_db)
            if not misses(index):
                continue
            setting, got, wanted = _next_setting(
                check.measured, settings[index], report, functools.partial(stream, index), lifts[index]
            )
            held_down = abs(got.level - wanted) > TOLERANCE_LU
            if held_down:
                reasons[index] = (
                    f" (the limiter holds it down: at {setting.gain_db:+.1f} dB more gain it turns "
                    f"{got.limited:.0%} of the samples down under its ceiling of "
                    f"{setting.ceiling_db - CODEC_HEADROOM_DB:.1f} dB, and the level still reaches only "
                    f"{got.level:.1f} {report.unit} before encoding)"
                )
                nearer = abs(report.target - report.level(check.measured)) - abs(got.level - wanted)
                worth_it = nearer >= TOLERANCE_LU and got.limited <= MAX_LIMITED_SHARE
                if check.measured.true_peak_db <= report.ceiling_db and not worth_it:
                    continue  # left as it is
            proposed[index], streams[index] = setting, (got, held_down)
        if not streams:
            break
        settings = proposed
        for check, found in zip(checks, encode(settings), strict=True):
            check.measured = found
        for index, (got, held_down) in streams.items():
            checks[index].corrected, checks[index].passes = True, checks[index].passes + 1
            if not held_down:
                shift = report.level(checks[index].measured) - got.level
                reasons[index] = (
                    f" (the encoder moves its level by {shift:+.1f} {report.unit} and by a different "
                    "amount on each pass)"
                )
    for index, check in enumerate(checks):
        level = report.level(check.measured)
        if not silent[index] and abs(report.target - level) > TOLERANCE_LU:
            check.problems.append(f"{level:.1f} {report.unit}, target {report.target:g}{reasons[index]}")
        if check.measured.true_peak_db > report.ceiling_db:
            ceiling = f" (with the limiter's ceiling set to {settings[index].ceiling_db:.1f})"
            check.problems.append(
                f"true peak {check.measured.true_peak_db:.1f} dBTP above {report.ceiling_db:g}"
                + (ceiling if check.passes else "")
            )
    return checks


def book_check(whole: FileLoudness, chapters: list[FileCheck]) -> FileCheck:
    """The M4B's entry in the report: the whole file as measured, what its chapters still miss (by chapter),
    re-encoded if any chapter was."""
    check = FileCheck(whole, chapters=chapters)
    check.corrected = any(chapter.corrected for chapter in chapters)
    check.passes = max((chapter.passes for chapter in chapters), default=0)
    check.problems = [
        f"chapter {number}: {problem}"
        for number, chapter in enumerate(chapters, start=1)
        for problem in chapter.problems
    ]
    return check
