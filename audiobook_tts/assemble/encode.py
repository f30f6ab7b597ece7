"""ffmpeg output arguments for the two formats; audio reaches each as raw float32 PCM on stdin.

MP3: one CBR libmp3lame file per chapter with a Xing/LAME header (encoder delay and padding recorded, so
gapless decoders return the exact sample count); tags are left to mutagen. M4B: the whole book as ONE AAC
stream (AAC encoded per chapter and joined would leave a priming gap at every join), written to a plain MP4
as the chapters come, then copied (not re-encoded) into the M4B with the chapters from an FFMETADATA file;
the MP4 edit list hides the AAC priming, so chapter times are exact on the decoded timeline.

Encoder settings are chosen for CPU time at these rates (24 kHz mono, 128k MP3 = 5.3 bits a sample, 64k AAC
= 2.7), measured against the defaults. LAME at -q 7 (its noise shaping off) instead of its -q 3: -q 3 and
-q 5 shape the coding error under what their model deems masked, which at these bits a sample leaves it
20-30 dB higher in every band than -q 7 does, at about twice the CPU. 5 minutes of the assembly benchmark's
speech-like audio at 128k: SNR 52.0 dB against 26.1 (-q 3) and 26.2 (-q 5), per band 0-1 / 1-4 / 4-8 / 8-12
kHz -60 / -46 / -26 / -7 dB against -29 / -16 / -12 / -4; 83 s of espeak-ng speech, 43.9 dB against 24.3,
-52 / -43 / -31 / -23 against -30 / -22 / -11 / -11 (lower in every band at 32-96k too); 0.13-0.17 CPU s
per audio minute against 0.25-0.31. ffmpeg's AAC "fast" coder instead of the default "twoloop" takes half
the time at a higher SNR (30.9 against 27.2 dB) -- its authors found twoloop sounds worse than fast above
low bit rates (FFmpeg commit fcb681ac, 2018).
"""

from __future__ import annotations

import re
from pathlib import Path

ACX_SAMPLE_RATE = 44100
ACX_MP3_BITRATE = "192k"


# LAME encodes CBR through its ABR presets, which scale the input down by a factor of the bitrate against
# clipping (LAME 3.100's presets.c: 0.95 up to 160 kb/s, 0.97 at 192, 0.98 at 224, 1 from 256; a rate between
# two of its table's rates takes the nearer one, the higher on a tie): (kb/s below which, scale)
LAME_CBR_SCALES = ((176, 0.95), (208, 0.97), (240, 0.98))
BITRATE = re.compile(r"(\d+(?:\.\d+)?)([kKM]?)")  # ffmpeg's "128k", "128000", "0.128M"


def mp3_input_gain(bitrate: str) -> float:
    """The gain that undoes LAME's CBR input scale at `bitrate`, so that an MP3 plays at the level its stream
    was planned at: without it every MP3 came out 0.445 dB quieter than its stream (a sine and espeak speech,
    64-160 kb/s, at 24 and 44.1 kHz), and the check re-encoded any chapter the low-pass took 0.06 LU more
    from. A bitrate ffmpeg would not read gets 1 (ffmpeg's own error names it)."""
    number = BITRATE.fullmatch(bitrate.strip())
    if number is None:
        return 1.0
    kbps = float(number[1]) * {"": 1e-3, "k": 1, "K": 1, "M": 1e3}[number[2]]
    return next((1 / scale for below, scale in LAME_CBR_SCALES if kbps < below), 1.0)


def resample_args(sample_rate: int, output_rate: int) -> list[str]:
    if output_rate == sample_rate:
        return []
    return ["-af", f"aresample={output_rate}:resampler=soxr", "-ar", str(output_rate)]


def mp3_args(path: Path, sample_rate: int, bitrate: str, output_rate: int) -> list[str]:
    return [
        *resample_args(sample_rate, output_rate),
        "-c:a",
        "libmp3lame",
        "-b:a",
        bitrate,
        "-compression_level",
        "7",
        "-write_xing",
        "1",
        "-id3v2_version",
        "0",
        "-write_id3v1",
        "0",
        "-map_metadata",
        "-1",
        "-f",
        "mp3",
        str(path),
    ]


def aac_stream_args(path: Path, bitrate: str) -> list[str]:
    """The book's AAC stream into a plain MP4 (no chapters, no tags) that m4b_args copies into the M4B: the
    stream is encoded while chapters are still being rendered, before their marks are known."""
    return [*aac_args(bitrate), "-map_metadata", "-1", "-f", "mp4", str(path)]


def m4b_args(stream: Path, chapters_file: Path, path: Path, language: str | None = None) -> list[str]:
    """Copy the AAC stream into the M4B with its chapter marks: no re-encode, and the edit list that hides
    the priming samples carries over (the result is the same bytes as encoding straight into the M4B)."""
    # input 1: the FFMETADATA chapters ("-map_metadata -1" would drop their titles); tags come from mutagen,
    # except the track's language (ISO 639-2, in the mdhd box), which only the muxer writes
    track_language = ["-metadata:s:a:0", f"language={language}"] if language else []
    return [
        "-i",
        str(stream),
        "-i",
        str(chapters_file),
        "-map",
        "0:a",
        "-map_metadata",
        "1",
        "-map_chapters",
        "1",
        *track_language,
        "-c",
        "copy",
        "-brand",
        "M4B ",
        "-movflags",
        "+faststart",
        "-f",
        "ipod",
        str(path),
    ]


def aac_args(bitrate: str) -> list[str]:
    """AAC-LC with ffmpeg's `fast` coder: half the CPU of its default `twoloop`, as good at speech rates."""
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", bitrate]


def chapter_aac_args(path: Path, bitrate: str) -> list[str]:
    """One chapter as AAC-LC in MP4, for the read-along EPUB; the edit list hides the priming samples."""
    return [
        *aac_args(bitrate),
        "-map_metadata",
        "-1",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(path),
    ]
