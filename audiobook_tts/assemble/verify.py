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
from dataclasses import asdict, dataclass, field
from pathlib import Path

import mutagen
import numpy as np

from audiobook_tts.assemble.errors import AssembleError

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
    corrected: bool = False  # re-encoded once after the first measurement missed
    problems: list[str] = field(default_factory=list)  # what still misses (ACX rules, target, ceiling)


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
        if corrected:
            line += f", {corrected} re-encoded once"
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
            return {**values, "corrected": check.corrected, "problems": check.problems}

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
