"""SRT and WebVTT captions: one cue per spoken piece, timed from sample positions."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Cue:
    start: int  # samples from the start of the file
    end: int
    text: str


def _timestamp(samples: int, sample_rate: int, separator: str) -> str:
    ms = round(samples * 1000 / sample_rate)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{ms:03d}"


def _one_line(text: str) -> str:
    # a blank line would end the cue early in both formats; "-->" would confuse a VTT parser
    return " ".join(text.split()).replace("-->", "->")


def srt(cues: list[Cue], sample_rate: int) -> str:
    blocks = [f"{index}\n{_timestamp(cue.start, sample_rate, ',')} --> "
              f"{_timestamp(cue.end, sample_rate, ',')}\n{_one_line(cue.text)}\n"
              for index, cue in enumerate(cues, start=1)]
    return "\n".join(blocks)


def vtt(cues: list[Cue], sample_rate: int) -> str:
    blocks = [f"{_timestamp(cue.start, sample_rate, '.')} --> {_timestamp(cue.end, sample_rate, '.')}\n"
              f"{_one_line(cue.text)}\n" for cue in cues]
    return "\n".join(["WEBVTT\n", *blocks])


def write_subtitles(stem_path: Path, cues: list[Cue], sample_rate: int) -> list[Path]:
    """Write `<stem>.srt` and `<stem>.vtt` next to the audio file; returns both paths."""
    written = []
    for suffix, text in ((".srt", srt(cues, sample_rate)), (".vtt", vtt(cues, sample_rate))):
        path = stem_path.with_name(stem_path.name + suffix)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)  # never a half-written file under the final name
        written.append(path)
    return written
