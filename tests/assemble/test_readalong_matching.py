"""Which text a spoken sentence is: the real text stage's sentences (normalised for speech) found again in
small inline documents, one test per way the two can differ."""

from __future__ import annotations

import functools
import re
import zipfile
from fractions import Fraction
from pathlib import Path

from lxml import etree

from audiobook_tts.assemble.readalong import ReadAlongChapter, ReadAlongResult, write_readalong_epub
from audiobook_tts.assemble.subtitles import Cue
from audiobook_tts.ingest import load_book
from audiobook_tts.text import TextOptions, prepare_chapter
from audiobook_tts.text.chapter import normalized_words
from audiobook_tts.text.sentences import split_sentences
from tests.fixtures.epub import simple_epub

XHTML = "{http://www.w3.org/1999/xhtml}"
SMIL = "{http://www.w3.org/ns/SMIL}"
RATE = 1000  # cue positions below are in milliseconds


def read_along(
    tmp_path: Path, body: str
) -> tuple[ReadAlongResult, list[str], dict[str, str], etree._Element]:
    """The read-along EPUB of a one-chapter book: (result, spoken sentences after the chapter's title, span
    text by span id, SMIL)."""
    source = simple_epub(tmp_path / "book.epub", f"<h1>Chapter One</h1>{body}")
    book = load_book(source)
    chapter = book.chapters[0]
    segments = prepare_chapter(chapter, lambda text: max(1, len(text) // 4), TextOptions())
    sentences = [s for segment in segments for s in split_sentences(segment.text) if s.strip()]
    cues = [Cue(1000 * i, 1000 * (i + 1), sentence) for i, sentence in enumerate(sentences)]
    audio = tmp_path / "chapter.m4a"
    audio.write_bytes(b"\0")
    result = write_readalong_epub(
        tmp_path / "out.epub",
        book,
        source,
        [ReadAlongChapter(chapter, audio, cues, 1000 * len(cues))],
        RATE,
        say=functools.partial(normalized_words, options=TextOptions(), heading=False),
    )
    with zipfile.ZipFile(result.path) as archive:
        document = etree.fromstring(archive.read("OEBPS/ch1.xhtml"))
        smil = etree.fromstring(archive.read(next(n for n in archive.namelist() if n.endswith(".smil"))))
    spans = {s.get("id"): "".join(s.itertext()) for s in document.iter(f"{XHTML}span")}
    assert sentences[0] == "Chapter One." and spans["ra1-1"] == "Chapter One"
    return result, sentences[1:], spans, smil


def sentence_text(spans: dict[str, str], number: int) -> str:
    """The highlighted text of sentence `number` after the title, its pieces (ra1-N, ra1-N-2, ...) joined
    by " | "."""
    pieces = [text for span_id, text in spans.items() if re.fullmatch(rf"ra1-{number + 1}(-\d+)?", span_id)]
    return " | ".join(pieces)


def test_a_sentence_across_verse_lines_is_one_span_per_line(tmp_path):
    """A span cannot hold block elements: a sentence running over three verse lines (each a <div>) gets a
    span in each line, and a clip for each; the sentence's time is shared, its start and end kept."""
    result, sentences, spans, smil = read_along(
        tmp_path,
        '<div class="linegroup"><div>April is the cruellest month, breeding</div>'
        "<div>Lilacs out of the dead land, mixing</div><div>Memory and desire.</div></div>",
    )
    assert result.missed == [] and len(sentences) == 1
    assert sentence_text(spans, 1) == (
        "April is the cruellest month, breeding | Lilacs out of the dead land, mixing | Memory and desire."
    )
    clips = [
        (Fraction(a.get("clipBegin")[:-1]), Fraction(a.get("clipEnd")[:-1]))
        for a in smil.iter(f"{SMIL}audio")
    ]
    assert len(clips) == 4 and clips[1][0] == 1 and clips[-1][1] == 2  # the title's clip, then the verse's
    assert all(clips[k][1] == clips[k + 1][0] and clips[k][0] < clips[k][1] for k in range(1, 3))


def test_words_the_text_stage_rewrote_are_part_of_the_span(tmp_path):
    """A number read as words or an abbreviation spelled out at a sentence's edge, or a whole sentence of
    them, still marks the written words."""
    result, sentences, spans, _ = read_along(
        tmp_path, "<p>1865 was a warm year. Mr. Smith came in 1865.</p><p>1865.</p><p>Dr. Who?</p>"
    )
    assert sentences[:3] == [
        "Eighteen sixty-five was a warm year.",
        "Mister Smith came in eighteen sixty-five.",
        "Eighteen sixty-five.",
    ]
    assert result.missed == []
    assert [sentence_text(spans, n) for n in range(1, 5)] == [
        "1865 was a warm year.",
        "Mr. Smith came in 1865.",
        "1865.",
        "Dr. Who?",
    ]


def test_ligatures_and_soft_hyphens(tmp_path):
    result, sentences, spans, _ = read_along(tmp_path, "<p>The \ufb01sh swam up the ri\u00adver.</p>")
    assert sentences == ["The fish swam up the river."]  # the text stage reads them plainly
    assert result.missed == [] and sentence_text(spans, 1) == "The \ufb01sh swam up the ri\u00adver."


def test_a_footnote_marker_stays_outside_the_spans(tmp_path):
    result, sentences, spans, _ = read_along(
        tmp_path,
        '<p>A sentence with a note.<a epub:type="noteref" href="#n1">1</a> Next one.</p>'
        '<aside epub:type="footnote" id="n1"><p>The note.</p></aside>',
    )
    assert sentences == ["A sentence with a note.", "Next one."]
    assert result.missed == []
    assert [sentence_text(spans, 1), sentence_text(spans, 2)] == ["A sentence with a note.", "Next one."]


def test_text_split_across_inline_elements_and_entities(tmp_path):
    result, sentences, spans, _ = read_along(
        tmp_path, "<p>It was <i>very</i> remark<b>able</b>, Tom &amp; Jerry said.</p>"
    )
    assert result.missed == []
    assert sentence_text(spans, 1) == "It was very remarkable, Tom & Jerry said."


def test_a_sentence_starting_inside_an_inline_element_never_takes_in_the_one_before(tmp_path):
    """ "<i>One. Two</i> more.": the span of "Two more." cannot start before <i> (it would take "One." in,
    and nest the spans); it starts after it instead, and "One." keeps its own span."""
    result, sentences, spans, _ = read_along(tmp_path, "<p><i>It was late. The lamps</i> were lit.</p>")
    assert sentences == ["It was late.", "The lamps were lit."]
    assert [sentence_text(spans, 1), sentence_text(spans, 2)] == ["It was late.", "were lit."]
    with zipfile.ZipFile(result.path) as archive:
        document = etree.fromstring(archive.read("OEBPS/ch1.xhtml"))
    assert not [
        s for s in document.iter(f"{XHTML}span") if s.find(f".//{XHTML}span") is not None
    ]  # no nesting
    assert result.rewritten == []  # the spans went into the publisher's bytes
