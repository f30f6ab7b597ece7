"""Loudness measured on the encoded files, the way a listener's player and ACX's checker meet them.

Gains are chosen before encoding, but the encoders change loudness (libmp3lame's low-pass takes up to a LU
off noisy audio) and lift true peaks. So each finished file is decoded once more through ffmpeg's EBU R128
meter (integrated loudness, true peak), while the decoded samples give the RMS, the sample peak and the noise
floor ACX checks (RMS of the quietest 500 ms). assemble.py re-encodes a file that misses; the report here
says what each file measured, in one line and as JSON.
"""

from __future__ import annotations

import contextlib
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
from audiobook_tts.assemble.loudness import CODEC_HEADROOM_DB

TOLERANCE_LU = 0.5  # a file further than this from the target is corrected
NOISE_WINDOW_S = 0.5  # ACX: noise floor = RMS of the quietest half second
ACX_RMS_RANGE = (-23.0, -18.0)
ACX_PEAK_DB = -3.0
ACX_NOISE_FLOOR_DB = -60.0
READ_BYTES = 1 << 20


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


def measure_file(ffmpeg: str, path: Path, nice: int = 0) -> FileLoudness:
    """Decode `path` once: ffmpeg's ebur128 meter passes the samples through to us for RMS, peak and floor.
    `nice` > 0 lowers the ffmpeg's priority (beside a render)."""
    info = mutagen.File(path)
    if info is None:
        raise AssembleError(f"cannot read the encoded file {path} back to measure it")
    window = max(1, round(NOISE_WINDOW_S * info.info.sample_rate))
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                ffmpeg,
                "-hide_banner",
                "-nostats",
                "-v",
                "info",
                "-i",
                str(path),
                "-af",
                "ebur128=peak=true",
                "-ac",
                "1",
                "-f",
                "f32le",
                "pipe:1",
            ],
            stdout=subprocess.PIPE,
            stderr=log,
        )
        if nice:
            with contextlib.suppress(AttributeError, OSError):  # (no setpriority on Windows)
                os.setpriority(os.PRIO_PROCESS, process.pid, nice)
        sum_squares, count, peak = 0.0, 0, 0.0
        quietest, carry = math.inf, np.zeros(0, np.float32)
        assert process.stdout is not None  # (stdout=PIPE)
        while chunk := process.stdout.read(READ_BYTES):
            samples = np.concatenate([carry, np.frombuffer(chunk[: len(chunk) // 4 * 4], np.float32)])
            whole = len(samples) // window * window
            if whole:
                powers = np.mean(samples[:whole].reshape(-1, window).astype(np.float64) ** 2, axis=1)
                quietest = min(quietest, float(powers.min()))
            carry = samples[whole:]
            sum_squares += float(np.dot(samples[:whole], samples[:whole]))
            count += whole
            peak = max(peak, float(np.abs(samples[:whole]).max(initial=0.0)))
        sum_squares += float(np.dot(carry, carry))
        count += len(carry)
        peak = max(peak, float(np.abs(carry).max(initial=0.0)))
        if process.wait() != 0:
            raise AssembleError(f"ffmpeg could not decode {path} to measure its loudness")
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    integrated = re.search(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS", text)
    true_peak = re.search(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf) dBFS", text)
    if integrated is None or true_peak is None:
        raise AssembleError(f"could not read the loudness of {path} from ffmpeg's output ({text[-200:]!r})")
    return FileLoudness(
        path,
        float(integrated[1]),
        float(true_peak[1]),
        _db(sum_squares / max(count, 1)),
        20 * math.log10(peak) if peak > 0 else -math.inf,
        _db(quietest) if math.isfinite(quietest) else _db(sum_squares / max(count, 1)),
    )


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
            return {
                **values,
                "corrected": check.corrected,
                "passes": check.passes,
                "problems": check.problems,
            }

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
    measured: FileLoudness, setting: Setting, report: LoudnessReport, stream: Callable[[Setting], StreamLevel]
) -> tuple[Setting, StreamLevel, float]:
    """The setting that should bring this file to the target under the ceiling: (setting, what its stream
    measured, the level the stream must have).

    Both effects of encoding are taken from the file itself: how far the encoder moved its level (the
    measured file against its stream) and where its true peak landed against the ceiling. The limiter's
    ceiling moves by that difference only: down by an excess, or up into unused room when the file is too
    quiet (the codec headroom it keeps is a guess; here it is measured). The gain is then searched (secant
    steps on the stream, whose level rises with the gain more slowly as the limiter works harder) so that
    the stream reaches the target less the encoder's shift."""
    level = report.level(measured)
    encoder_shift = level - stream(setting).level
    excess = measured.true_peak_db - report.ceiling_db
    ceiling = setting.ceiling_db
    if excess > 0 or (level < report.target - TOLERANCE_LU and excess < -PEAK_MARGIN_DB):
        # peaks over the ceiling lower it by the excess; a file short of the target whose encoded peaks sit
        # under the ceiling gives the limiter that room (never past full scale)
        ceiling = min(setting.ceiling_db - excess - PEAK_MARGIN_DB, CODEC_HEADROOM_DB)
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


def check_file(
    measured: FileLoudness,
    report: LoudnessReport,
    silent: bool,
    encode: Callable[[Setting], FileLoudness],
    stream: Callable[[Setting], StreamLevel],
) -> FileCheck:
    """Check one encoded file against the target and ceiling; while it misses, re-encode it with a setting
    computed from its own measurement (at most MAX_CORRECTIONS times), and say precisely what still misses.

    `encode` writes the file again with a setting and measures it; `stream` measures what the encoder would
    be fed with a setting. The first encode had Setting(0, ceiling)."""
    setting = Setting(0.0, report.ceiling_db)
    check = FileCheck(measured)
    reason = ""

    def misses(found: FileLoudness) -> bool:
        level_off = abs(report.target - report.level(found)) > TOLERANCE_LU
        return (not silent and level_off) or found.true_peak_db > report.ceiling_db

    while not silent and misses(check.measured) and check.passes < MAX_CORRECTIONS:
        setting, got, wanted = _next_setting(check.measured, setting, report, stream)
        check.measured = encode(setting)
        check.corrected, check.passes = True, check.passes + 1
        if abs(got.level - wanted) > TOLERANCE_LU:
            reason = (
                f" (the limiter holds it down: at {setting.gain_db:+.1f} dB more gain it turns "
                f"{got.limited:.0%} of the samples down under its ceiling of "
                f"{setting.ceiling_db - CODEC_HEADROOM_DB:.1f} dB, and the level still reaches only "
                f"{got.level:.1f} {report.unit} before encoding)"
            )
        else:
            reason = (
                f" (the encoder moves its level by {report.level(check.measured) - got.level:+.1f} "
                f"{report.unit} and by a different amount on each pass)"
            )
    level = report.level(check.measured)
    if not silent and abs(report.target - level) > TOLERANCE_LU:
        check.problems.append(f"{level:.1f} {report.unit}, target {report.target:g}{reason}")
    if check.measured.true_peak_db > report.ceiling_db:
        check.problems.append(
            f"true peak {check.measured.true_peak_db:.1f} dBTP above {report.ceiling_db:g}"
            + (f" (with the limiter's ceiling set to {setting.ceiling_db:.1f})" if check.passes else "")
        )
    return check
