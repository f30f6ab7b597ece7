"""SRT and WebVTT captions: sentence cues timed from sample positions, split to fit two 42-character lines.

A segment's start and end are exact (its samples sit at known positions in the file). Where a segment holds
several sentences, its time is shared among them in proportion to their token counts (the model spends about
the same time on each token); those inner boundaries are estimates, the segment's own are exact.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LINE_CHARACTERS = 42  # the usual subtitle limits (BBC, Netflix): 42 characters a line, two lines a cue
LINES = 2
SUBTITLE_FORMATS = ("srt", "vtt")


@dataclass(frozen=True)
class Cue:
    start: int  # samples from the start of the file
    end: int
    text: str


@dataclass(frozen=True)
class SentenceTiming:
    """How a segment's time is shared among its sentences. The caller hands both in (the text stage's
    splitter, the model's tokenizer): assembly imports neither."""

    split: Callable[[str], list[str]]
    count_tokens: Callable[[str], int]


def sentence_cues(segment: Cue, timing: SentenceTiming | None = None) -> list[Cue]:
    """One cue per sentence of a segment, its time shared by token count; without `timing`, the segment."""
    sentences = [sentence for sentence in timing.split(segment.text) if sentence.strip()] if timing else []
    if timing is None or len(sentences) <= 1:
        return [segment]
    weights = [max(1, timing.count_tokens(sentence)) for sentence in sentences]
    total, cues, done = sum(weights), [], 0
    for sentence, weight in zip(sentences, weights, strict=True):
        start = segment.start + round((segment.end - segment.start) * done / total)
        done += weight
        end = segment.start + round((segment.end - segment.start) * done / total)
        cues.append(Cue(start, end, sentence))
    return cues


def caption_cues(cues: list[Cue]) -> list[Cue]:
    """Cues whose text needs more than two 42-character lines are cut into several, timed by characters;
    each cue's text is wrapped into its lines ("\n" between them)."""
    captions = []
    for cue in cues:
        lines = textwrap.wrap(_one_line(cue.text), LINE_CHARACTERS, break_on_hyphens=False)
        chunks = ["\n".join(lines[i : i + LINES]) for i in range(0, len(lines), LINES)] or [""]
        sizes = [len(chunk) for chunk in chunks]
        done = 0
        for chunk, size in zip(chunks, sizes, strict=True):
            start = cue.start + round((cue.end - cue.start) * done / sum(sizes))
            done += size
            captions.append(Cue(start, cue.start + round((cue.end - cue.start) * done / sum(sizes)), chunk))
    return captions


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
    blocks = [
        f"{index}\n{_timestamp(cue.start, sample_rate, ',')} --> "
        f"{_timestamp(cue.end, sample_rate, ',')}\n{cue.text}\n"
        for index, cue in enumerate(caption_cues(cues), start=1)
    ]
    return "\n".join(blocks)


def vtt(cues: list[Cue], sample_rate: int) -> str:
    blocks = [
        f"{_timestamp(cue.start, sample_rate, '.')} --> {_timestamp(cue.end, sample_rate, '.')}\n{cue.text}\n"
        for cue in caption_cues(cues)
    ]
    return "\n".join(["WEBVTT\n", *blocks])


def write_subtitles(
    stem_path: Path, cues: list[Cue], sample_rate: int, formats: tuple[str, ...] = SUBTITLE_FORMATS
) -> list[Path]:
    """Write `<stem>.srt` and/or `<stem>.vtt` next to the audio file, sentence cues split into captions."""
    written = []
    for kind in formats:
        text = srt(cues, sample_rate) if kind == "srt" else vtt(cues, sample_rate)
        path = stem_path.with_name(f"{stem_path.name}.{kind}")
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)  # never a half-written file under the final name
        written.append(path)
    return written
