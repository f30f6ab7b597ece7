"""Real ffmpeg, real files: synthetic speech-like chapters, and probes that read the outputs back."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile

from audiobook_tts.assemble import AudioPiece, ChapterAudio
from audiobook_tts.assemble.ffmpeg import find_ffmpeg

SAMPLE_RATE = 24000
DATA_DIR = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    return find_ffmpeg()


def speech_like(seconds: float, level: float, seed: int) -> np.ndarray:
    """A voiced-speech stand-in: harmonics of a wandering pitch under a syllable envelope, peak at `level`."""
    rng = np.random.default_rng(seed)
    n = round(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    pitch = 110 + 25 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6))  # Hz
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    voice = sum(np.sin(k * phase + rng.uniform(0, 6)) / k for k in range(1, 30))  # harmonics up to ~3.5 kHz
    breath = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same") * 0.05
    envelope = np.clip(np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6)), 0, None) ** 1.5  # syllables
    signal = (voice + breath) * envelope
    return (signal * level / np.abs(signal).max()).astype(np.float32)


def make_chapter(title: str, level: float, seed: int, sentences: int = 3) -> ChapterAudio:
    """Spoken pieces of odd lengths with silences between, re-generated (identically) on every call."""

    def pieces():
        for index in range(sentences):
            samples = speech_like(1.0 + 0.37 * index, level, seed * 10 + index)
            yield AudioPiece(samples, f"{title}, sentence {index}.")
            yield AudioPiece(round(0.3 * SAMPLE_RATE) + 7 * index)  # silence, given as a length
    return ChapterAudio(title, pieces)


def recorded_chapter(title: str) -> ChapterAudio:
    """Real speech (the espeak voice prompt, 24 kHz), cut into two pieces with a pause between."""
    speech, rate = soundfile.read(DATA_DIR / "voice_espeak.wav", dtype="float32")
    assert rate == SAMPLE_RATE and speech.ndim == 1
    half = len(speech) // 2
    return ChapterAudio(title, lambda: [AudioPiece(speech[:half], "First half."), AudioPiece(4801),
                                        AudioPiece(speech[half:], "Second half.")])


def chapter_samples(chapter: ChapterAudio) -> int:
    return sum(piece.length for piece in chapter.pieces())


def tiny_png() -> bytes:
    """An 8x8 red PNG, built by hand so the test needs no imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def decode(ffmpeg: str, path: Path) -> np.ndarray:
    """The file's audio as ffmpeg decodes it (encoder delay and padding trimmed), float32 mono."""
    out = subprocess.run([ffmpeg, "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "pipe:1"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, np.float32)


def loudness(ffmpeg: str, path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file, by ffmpeg's EBU R128 meter."""
    log = subprocess.run([ffmpeg, "-hide_banner", "-nostats", "-i", str(path), "-af",
                          "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", log).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", log).group(1))
    return integrated, peak


def ffmetadata_chapters(ffmpeg: str, path: Path) -> list[tuple[str, int, int, str]]:
    """(timebase, start, end, title) of each chapter as ffmpeg's demuxer reads them."""
    text = subprocess.run([ffmpeg, "-v", "error", "-i", str(path), "-f", "ffmetadata", "pipe:1"],
                          capture_output=True, text=True, check=True).stdout
    chapters = []
    for block in text.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.strip().splitlines() if "=" in line)
        chapters.append((fields["TIMEBASE"], int(fields["START"]), int(fields["END"]), fields.get("title")))
    return chapters
