"""Subtitles: sentence cues on the audio's segment boundaries, two lines of at most 42 characters."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from audiobook_tts.assemble import AssembleOptions, AudioPiece, BookTags, ChapterAudio, assemble
from audiobook_tts.assemble.subtitles import LINE_CHARACTERS, Cue, SentenceTiming, caption_cues, sentence_cues
from audiobook_tts.text.sentences import split_sentences
from tests.fixtures.audio import SAMPLE_RATE, ffmetadata_chapters, speech_like

FRAME = 0.080  # seconds: one Pocket TTS latent frame

LONG = (
    "This sentence is deliberately long enough that no subtitle line of forty-two characters could hold "
    "it, and not two lines either, so it must be cut into several cues."
)
TEXTS = [["First sentence here. And a second one!"], [LONG, "Short."]]


def words(text: str) -> int:
    return len(text.split())


TIMING = SentenceTiming(split_sentences, words)


def test_sentence_cues_share_time_by_tokens():
    cues = sentence_cues(Cue(1000, 4000, "One two. Three four five six seven."), TIMING)
    assert [(cue.start, cue.end, cue.text) for cue in cues] == [
        (1000, 1857, "One two."),
        (1857, 4000, "Three four five six seven."),
    ]
    assert sentence_cues(Cue(0, 10, "Alone.")) == [Cue(0, 10, "Alone.")]


def test_long_cues_are_split_into_two_line_captions():
    captions = caption_cues([Cue(0, 24000, LONG)])
    assert len(captions) > 1 and captions[0].start == 0 and captions[-1].end == 24000
    assert all(a.end == b.start for a, b in zip(captions, captions[1:], strict=False))
    for caption in captions:
        lines = caption.text.split("\n")
        assert 1 <= len(lines) <= 2 and all(len(line) <= LINE_CHARACTERS for line in lines)
    assert " ".join(c.text.replace("\n", " ") for c in captions) == LONG


def chapters() -> list[ChapterAudio]:
    def chapter(index: int) -> ChapterAudio:
        def pieces():
            for number, text in enumerate(TEXTS[index]):
                yield AudioPiece(speech_like(1.5 + number, 0.3, index * 10 + number), text)
                yield AudioPiece(round(0.4 * SAMPLE_RATE) + number)

        return ChapterAudio(f"Chapter {index + 1}", pieces)

    return [chapter(0), chapter(1)]


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        start, end = (
            sum(float(x) * unit for x, unit in zip(re.split("[:,]", stamp), (3600, 60, 1, 1e-3), strict=True))
            for stamp in lines[1].split(" --> ")
        )
        cues.append((start, end, "\n".join(lines[2:])))
    return cues


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("subtitled")
    result = assemble(
        chapters(),
        BookTags(title="Subtitled"),
        out,
        AssembleOptions(subtitles=("srt", "vtt")),
        SAMPLE_RATE,
        sentences=TIMING,
    )
    return out, result


def test_cues_sit_on_segment_boundaries(book, ffmpeg):
    out, result = book
    marks = [
        start * Fraction(timebase)
        for timebase, start, _, _ in ffmetadata_chapters(ffmpeg, out / "Subtitled.m4b")
    ]
    assert marks == [Fraction(start, SAMPLE_RATE) for start in result.chapter_starts]
    whole_book = parse_srt((out / "Subtitled.srt").read_text())
    for index, stem in enumerate(["01 - Chapter 1", "02 - Chapter 2"]):
        cues = parse_srt((out / f"{stem}.srt").read_text())
        boundaries = [cue.start / SAMPLE_RATE for cue in result.segment_cues[index]] + [
            cue.end / SAMPLE_RATE for cue in result.segment_cues[index]
        ]
        for boundary in boundaries:  # every segment's start and end is a cue boundary, within a frame
            assert min(abs(t - boundary) for cue in cues for t in cue[:2]) <= FRAME
        assert len(result.segment_cues[index]) == len(TEXTS[index])
        # the whole-book file holds the same cues, shifted by the M4B's chapter mark
        shifted = [(s + float(marks[index]), e + float(marks[index]), text) for s, e, text in cues]
        book_cues = [
            cue
            for cue in whole_book
            if marks[index] - 1e-3 <= cue[0] and (index + 1 == len(marks) or cue[0] < marks[index + 1] - 1e-3)
        ]
        assert [text for *_, text in book_cues] == [text for *_, text in shifted]
        assert all(
            abs(a[0] - b[0]) <= 0.002 and abs(a[1] - b[1]) <= 0.002
            for a, b in zip(book_cues, shifted, strict=True)
        )
    first = parse_srt((out / "01 - Chapter 1.srt").read_text())
    assert [text for *_, text in first] == ["First sentence here.", "And a second one!"]
    assert (out / "Subtitled.vtt").read_text().startswith("WEBVTT\n\n")


def test_subtitle_formats_can_be_chosen(tmp_path):
    assemble(
        chapters()[:1],
        BookTags(title="Only"),
        tmp_path,
        AssembleOptions(formats=frozenset({"mp3"}), subtitles=("vtt",)),
        SAMPLE_RATE,
    )
    assert sorted(p.suffix for p in tmp_path.glob("01*")) == [".mp3", ".vtt"]
