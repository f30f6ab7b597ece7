"""What the assembly stage is handed and what it hands back.

Nothing here knows about TTS: a chapter is a re-iterable stream of already rendered pieces, so the caller can
stream segment files from disk on each pass and the whole book never has to be in memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from audiobook_tts.assemble.errors import AssembleError
from audiobook_tts.assemble.subtitles import Cue
from audiobook_tts.assemble.verify import LoudnessReport


@dataclass(frozen=True)
class AudioPiece:
    """A spoken segment (float32 mono samples and its text) or silence (a sample count, nothing allocated)."""

    samples: np.ndarray | int  # (n,) float32 at the book's sample rate, or n for n samples of silence
    text: str | None = None

    @classmethod
    def silence(cls, seconds: float, sample_rate: int) -> AudioPiece:
        return cls(round(seconds * sample_rate))

    @property
    def length(self) -> int:
        return self.samples if isinstance(self.samples, int) else len(self.samples)


@dataclass(frozen=True)
class ChapterAudio:
    """`pieces()` is called once per pass (measure, then encode) and must yield the same pieces each time."""

    title: str
    pieces: Callable[[], Iterable[AudioPiece]]


@dataclass(frozen=True)
class BookTags:
    """What players and libraries show about the book; tags.book_tags() fills it from a Book's metadata.

    Where each field lands in the M4B and the MP3s is the table in tags.py (and the README).
    """

    title: str
    authors: list[str] = field(default_factory=list)
    narrator: str | None = None  # who reads ("Alba", "Alba, Marius"): composer/©wrt, where players look
    year: str | None = None  # kept for callers that only know the year; `date` wins when both are set
    language: str | None = None  # any BCP 47 / ISO 639 form; written as the ISO 639-2 code
    description: str | None = None
    genres: list[str] = field(default_factory=lambda: ["Audiobook"])
    cover: bytes | None = None
    cover_mime: str | None = None  # sniffed from the bytes when None
    subtitle: str | None = None
    date: str | None = None  # publication date as the book gives it ("2019", "2019-04-02")
    publisher: str | None = None
    series: str | None = None
    series_part: str | None = None  # "2", "1.5"
    isbn: str | None = None
    asin: str | None = None
    copyright: str | None = None


@dataclass(frozen=True)
class AssembleOptions:
    formats: frozenset[str] = frozenset({"m4b", "mp3"})
    target_lufs: float = -19.0  # integrated loudness every chapter is brought to
    true_peak_db: float = -3.0  # ceiling for the true (inter-sample) peak of the encoded files
    preset: Literal[None, "acx"] = None  # acx: 44.1 kHz 192k CBR MP3, RMS -20 dB, room tone, <= 120 min
    mp3_bitrate: str = "128k"
    aac_bitrate: str = "64k"  # mono speech: 64k AAC-LC is transparent and keeps a 10 h book under 300 MB
    # ("srt", "vtt") or either: captions next to each chapter MP3 and the M4B, sentence cues (True: both)
    subtitles: tuple[str, ...] | bool = ()
    ffmpeg: str | None = None  # explicit ffmpeg executable; else PATH, else the imageio-ffmpeg binary

    def __post_init__(self) -> None:
        """Checked when the options are made (the CLI's values too), not after hours of rendering."""
        unknown = set(self.formats) - {"mp3", "m4b", "epub"}
        if unknown or not self.formats:
            raise AssembleError(
                f"unknown output format(s) {sorted(unknown) or 'none'}: choose from mp3, m4b, epub"
            )
        if not (math.isfinite(self.target_lufs) and -70 <= self.target_lufs <= -5):
            raise AssembleError(f"loudness target {self.target_lufs} LUFS: give -70 to -5 (default -19)")
        if not (math.isfinite(self.true_peak_db) and -20 <= self.true_peak_db <= 0):
            raise AssembleError(f"true-peak ceiling {self.true_peak_db} dB: give -20 to 0 (default -3)")


@dataclass
class AssembleResult:
    files: list[Path]  # every file written, in order: chapter MP3s (+ subtitles), then the M4B (+ subtitles)
    chapter_starts: list[int]  # start of each chapter in samples at the book's sample rate (the M4B timeline)
    total_samples: int
    sample_rate: int
    chapter_gains_db: list[float]  # loudness gain applied to each chapter
    warnings: list[str] = field(default_factory=list)
    loudness: LoudnessReport | None = None  # what each encoded file measured (also written as loudness.json)
    # per chapter, one cue per spoken segment: its exact first and last sample in the chapter's file
    segment_cues: list[list[Cue]] = field(default_factory=list)

    @property
    def chapter_start_seconds(self) -> list[float]:
        return [start / self.sample_rate for start in self.chapter_starts]
