"""Quality flags: signs, read from a stored segment's samples and its text, that its audio went wrong.

Each segment is measured once, as it is stored (`measure`), and its measures are kept in the job's
`quality` table under the audio key. Flags are derived from the measures when they are read (`flag_segments`),
because one of them compares a segment with the job's other segments of the same voice, a distribution that
grows as the render goes. The flags and their thresholds:

    frame_limit   the generator stopped at its frame limit, not at an end of speech (it reports this)
    rate          characters per second of speech off the job's own median for that voice: robust z-score
                  0.6745 * (rate - median) / MAD beyond RATE_Z_THRESHOLD (Iglewicz and Hoaglin's 3.5)
    long_silence  a silence inside the speech longer than LONG_SILENCE_SECONDS
    near_silence  less than NEAR_SILENCE_SECONDS of sound in the whole segment
    clipping      at least CLIP_MIN_SAMPLES samples at full scale
    too_short     fewer seconds of speech than the text needs at MAX_CHARS_PER_SECOND
    asr_words     words missing or added, heard by the optional speech-recognition check (asr.py; it runs
                  on demand, `audiobook-tts check`, not as the segment is stored)

Silence is a 20 ms frame whose RMS is below SILENCE_DBFS. The model's speech sits around -20 dBFS, its
pauses well under -60.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

import numpy as np

from audiobook_tts.jobs.index import has_table

FRAME_SECONDS = 0.02
SILENCE_DBFS = -45.0
LONG_SILENCE_SECONDS = 1.5
NEAR_SILENCE_SECONDS = 0.25
FULL_SCALE = 0.999
CLIP_MIN_SAMPLES = 24  # 1 ms at 24 kHz: a single stray sample at full scale is not clipping
MAX_CHARS_PER_SECOND = 35.0  # twice a brisk narrator's pace (~15 characters a second, spaces included)
MIN_CHARS_FOR_LENGTH = 12  # shorter texts ("Yes.") have too little text to judge their length by
RATE_Z_THRESHOLD = 3.5
RATE_MIN_SEGMENTS = 10  # fewer segments of a voice than this: no distribution to compare with

KINDS = ("frame_limit", "rate", "long_silence", "near_silence", "clipping", "too_short")  # measured here
ASR_KIND = "asr_words"
ALL_KINDS = (*KINDS, ASR_KIND)

TABLE = """
CREATE TABLE IF NOT EXISTS quality (
    key TEXT PRIMARY KEY,             -- the audio's segment key
    seconds REAL NOT NULL,            -- whole segment
    speech_seconds REAL NOT NULL,     -- first to last sounding frame
    sound_seconds REAL NOT NULL,      -- sounding frames in total
    longest_gap REAL NOT NULL,        -- longest silence between sounding frames
    clipped INTEGER NOT NULL,         -- samples at full scale
    frame_limit INTEGER               -- 1: stopped at the frame limit; 0: at end of speech; NULL: unknown
)
"""


def parse_kinds(text: str) -> frozenset[str] | None:
    """`--retake flagged` (None: every kind) or `--retake clipping,too_short`; ValueError names a bad kind."""
    if text.strip() == "flagged":
        return None
    kinds = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(kinds - set(ALL_KINDS))
    if unknown or not kinds:
        raise ValueError(
            f"{', '.join(unknown) or text!r}: not a flag; use flagged or some of {', '.join(ALL_KINDS)}"
        )
    return kinds


@dataclass(frozen=True)
class Measures:
    """What the flags are computed from; one row of the `quality` table."""

    seconds: float
    speech_seconds: float
    sound_seconds: float
    longest_gap: float
    clipped: int
    frame_limit: bool | None = None


@dataclass(frozen=True)
class Flag:
    kind: str  # one of ALL_KINDS
    detail: str  # for a person: what was measured against what


@dataclass(frozen=True)
class FlaggedSegment:
    chapter: int
    position: int  # 0-based within the chapter, as in the plan
    key: str
    text: str
    flags: list[Flag]


def measure(samples: np.ndarray, sample_rate: int, *, frame_limit: bool | None = None) -> Measures:
    """The measures of one segment's mono float samples."""
    samples = np.asarray(samples, dtype=np.float32)
    frame = max(1, round(FRAME_SECONDS * sample_rate))
    count = len(samples) // frame
    frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1)) if count else np.zeros(0)
    sounding = np.flatnonzero(rms > 10 ** (SILENCE_DBFS / 20))
    longest_gap = 0
    if len(sounding) > 1:
        longest_gap = int(np.max(np.diff(sounding)) - 1)
    span = int(sounding[-1] - sounding[0] + 1) if len(sounding) else 0
    return Measures(
        seconds=len(samples) / sample_rate,
        speech_seconds=span * frame / sample_rate,
        sound_seconds=len(sounding) * frame / sample_rate,
        longest_gap=longest_gap * frame / sample_rate,
        clipped=int(np.count_nonzero(np.abs(samples) >= FULL_SCALE)),
        frame_limit=frame_limit,
    )


def chars_per_second(text: str, measures: Measures) -> float | None:
    """The speaking rate, over the speech only (leading and trailing silence left out)."""
    return len(text) / measures.speech_seconds if measures.speech_seconds > 0 else None


def segment_flags(measures: Measures, text: str) -> list[Flag]:
    """The flags one segment earns on its own (every kind but `rate`)."""
    flags = []
    if measures.frame_limit:
        flags.append(Flag("frame_limit", "the generator stopped at its frame limit, not at an end of speech"))
    if measures.longest_gap > LONG_SILENCE_SECONDS:
        flags.append(Flag("long_silence", f"{measures.longest_gap:.2f} s of silence inside the speech"))
    if measures.sound_seconds < NEAR_SILENCE_SECONDS:
        flags.append(Flag("near_silence", f"only {measures.sound_seconds:.2f} s of sound"))
    if measures.clipped >= CLIP_MIN_SAMPLES:
        flags.append(Flag("clipping", f"{measures.clipped} samples at full scale"))
    needed = len(text) / MAX_CHARS_PER_SECOND
    if len(text) >= MIN_CHARS_FOR_LENGTH and measures.speech_seconds < needed:
        flags.append(
            Flag("too_short", f"{measures.speech_seconds:.2f} s of speech for {len(text)} characters")
        )
    return flags


def robust_z(values: np.ndarray) -> np.ndarray | None:
    """Modified z-scores 0.6745 * (x - median) / MAD; None when the MAD is 0 (no spread to measure by)."""
    median = np.median(values)
    mad = np.median(np.abs(values - median))
    if mad == 0:
        return None
    return 0.6745 * (values - median) / mad


def rate_flags(rates: dict[str, float]) -> dict[str, Flag]:
    """Rate flags among one voice's segments, by key: those whose rate is an outlier of the others."""
    if len(rates) < RATE_MIN_SEGMENTS:
        return {}
    keys = list(rates)
    values = np.array([rates[k] for k in keys])
    scores = robust_z(values)
    if scores is None:
        return {}
    median = float(np.median(values))
    return {
        key: Flag(
            "rate",
            f"{rates[key]:.1f} characters/s against this voice's median {median:.1f} (robust z {z:+.1f})",
        )
        for key, z in zip(keys, scores.tolist(), strict=True)
        if abs(z) > RATE_Z_THRESHOLD
    }


# ---- the table: written by the render as it stores audio, read by `status --flags` and the studio ---------


def record(db: sqlite3.Connection, key: str, measures: Measures) -> None:
    """Insert or replace `key`'s measures (run inside the caller's transaction)."""
    db.execute(TABLE)
    row = asdict(measures)
    frame_limit = row["frame_limit"]
    row["frame_limit"] = None if frame_limit is None else int(frame_limit)
    names = ", ".join(row)
    db.execute(
        f"INSERT OR REPLACE INTO quality (key, {names}) VALUES (?{', ?' * len(row)})", (key, *row.values())
    )


def stored(db: sqlite3.Connection, keys: Iterable[str]) -> dict[str, Measures]:
    """The recorded measures of those `keys` that have them (an older job may have no table yet)."""
    if not has_table(db, "quality"):
        return {}
    names = [f.name for f in fields(Measures)]
    found = {}
    for key in set(keys):
        row = db.execute(f"SELECT {', '.join(names)} FROM quality WHERE key = ?", (key,)).fetchone()
        if row is not None:
            values = dict(zip(names, row, strict=True))
            if values["frame_limit"] is not None:
                values["frame_limit"] = bool(values["frame_limit"])
            found[key] = Measures(**values)
    return found


def flag_segments(
    segments: Iterable[tuple[int, int, str, str, str]], measures: dict[str, Measures]
) -> list[FlaggedSegment]:
    """Every segment with its flags (empty when clean), in the order given.

    `segments` are (chapter, position, key, text, voice id) rows of the plan; segments without measures
    (not rendered yet) are left out."""
    rows = [row for row in segments if row[2] in measures]
    by_voice: dict[str, dict[str, float]] = {}
    for _, _, key, text, voice in rows:
        rate = chars_per_second(text, measures[key])
        if rate is not None and len(text) >= MIN_CHARS_FOR_LENGTH:
            by_voice.setdefault(voice, {})[key] = rate
    rate_flag = {key: flag for rates in by_voice.values() for key, flag in rate_flags(rates).items()}
    flagged = []
    for chapter, position, key, text, _ in rows:
        flags = segment_flags(measures[key], text) + ([rate_flag[key]] if key in rate_flag else [])
        flags.sort(key=lambda flag: KINDS.index(flag.kind))
        flagged.append(FlaggedSegment(chapter, position, key, text, flags))
    return flagged
