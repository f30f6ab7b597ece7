"""The render's terminal display at fixed widths: every figure present and whole, nothing over the width."""

import dataclasses
import io

import pytest
from rich.console import Console

from audiobook_tts.cli.display import RenderDisplay, RenderState, WarningSummary
from audiobook_tts.render import RenderEvent

TITLE = "Chapter 12: The Last Lamp on Quay Street"
WIDTHS = [60, 80, 120]


def rendering_state() -> RenderState:
    """A long book part-way: 1234 of 23456 segments, 100 of them found stored, 1:23:45 made in 0:10:00."""
    state = RenderState()
    state.update(RenderEvent("load", message="model english"), now=0.0)
    state.update(RenderEvent("plan", total=23456, chapters=48), now=5.0)
    for done in range(1, 101):  # found stored: done at once, no time of generation
        state.update(
            RenderEvent(
                "segment",
                1,
                "Prologue",
                done=done,
                total=23456,
                chapter_done=done,
                chapter_total=100,
                chapters=48,
            ),
            now=5.0,
        )
    state.update(
        RenderEvent(
            "segment",
            12,
            TITLE,
            done=1234,
            total=23456,
            chapter_done=34,
            chapter_total=456,
            chapters=48,
            audio_seconds=5025.0,
            rendered_seconds=4.0,
            generation_seconds=600.0,
        ),
        now=605.0,
    )
    return state  # fmt: skip


@pytest.mark.parametrize("width", WIDTHS)
def test_rendering_lines_keep_every_figure_at_each_width(width):
    book, chapter = rendering_state().lines(width, now=605.0)
    # pace: 1134 generated in 600 s; 22222 left -> 11758 s
    for figure in ("1234/23456 segments", "1:23:45 audio", "8.4x", "ETA 3:15:58"):
        assert figure in book, (width, book)
    for figure in ("chapter 12/48", "34/456 segments"):
        assert figure in chapter, (width, chapter)
    assert "…" not in book and len(book) <= width and len(chapter) <= width
    assert ("real time" in book) == (width >= 80)  # the words go before any figure does
    assert (TITLE in chapter) == (width >= 80)  # a title too long for 60 columns is the one thing shortened
    assert chapter.startswith("chapter 12/48  34/456 segments  Chapter 12")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bar_only_where_there_is_room_for_one(width):
    book = rendering_state().lines(width, now=605.0)[0]
    bar = len(book) - len(book.lstrip("━╺"))
    assert (bar > 0) == (width >= 80) and len(book) == (width if bar else len(book))


def test_eta_counts_down_between_events_and_stored_segments_are_free():
    state = rendering_state()
    assert "ETA 3:15:58" in state.lines(80, now=605.0)[0]
    assert "ETA 3:16:17" in state.lines(80, now=606.0)[0]  # 601 s for 1134 now: the pace slows
    fresh = RenderState()
    fresh.update(RenderEvent("plan", total=10, chapters=1), now=0.0)
    assert "ETA -:--:--" in fresh.lines(80, now=1.0)[0]  # nothing generated yet: no guess


@pytest.mark.parametrize("width", WIDTHS)
def test_first_line_names_what_is_loading(width):
    state = RenderState()
    state.update(RenderEvent("load", message="voice fantine"), now=0.0)
    assert state.lines(width, now=3.2) == ["loading (3 s)  voice fantine"]


@pytest.mark.parametrize("width", WIDTHS)
def test_assembly_line_names_pass_chapter_and_encoded_audio(width):
    state = rendering_state()
    eta = state.lines(width, now=700.0)[0].split("ETA ")[1]
    state.update(RenderEvent("assemble", chapter=3, chapters=48, message="measure"), now=700.0)
    book, chapter, line = state.lines(width, now=700.0)  # assembled beside the render: a third line
    assert line == "measuring loudness: chapter 3/48" and chapter.startswith("chapter ")
    assert book.split("ETA ")[1] == eta != "0:00:00"  # the render's ETA is its own
    state.update(RenderEvent("assemble", chapter=7, chapters=48, message="encode", encoded_seconds=4000.0),
                 now=800.0)  # fmt: skip
    assert state.lines(width, now=800.0)[2] == "encoding: chapter 7/48  1:06:40 encoded"
    state.update(dataclasses.replace(state.segment, done=23456), now=900.0)  # every segment stored
    state.update(RenderEvent("assemble", chapter=7, chapters=48, message="encode", encoded_seconds=4000.0,
                             book_seconds=40000.0), now=901.0)  # fmt: skip
    book, line = state.lines(width, now=901.0)
    assert line == "encoding: chapter 7/48  1:06:40 of 11:06:40 encoded"
    assert "23456/23456 segments" in book and "ETA 0:00:00" in book and len(line) <= width


def test_a_log_gets_plain_lines_for_each_step_and_finished_chapter():
    out = io.StringIO()
    display = RenderDisplay("rich", Console(file=out, width=80, force_terminal=False))
    display(RenderEvent("load", message="book trees.epub"))
    display(RenderEvent("first", 1, "Trees", rendered_seconds=3.0, generation_seconds=1.0))
    display(RenderEvent("load", message="plan of 1 chapter"))
    display(RenderEvent("plan", total=2, chapters=1))
    display(
        RenderEvent(
            "segment",
            1,
            "Trees",
            done=1,
            total=2,
            chapter_done=1,
            chapter_total=2,
            chapters=1,
            audio_seconds=3.0,
            rendered_seconds=3.0,
            generation_seconds=1.0,
        )
    )
    display(RenderEvent("segment", 1, "Trees", done=2, total=2, chapter_done=2, chapter_total=2, chapters=1,
                        audio_seconds=6.0, rendered_seconds=3.0, generation_seconds=2.0))  # fmt: skip
    display.stop()
    assert out.getvalue().splitlines() == [
        "loading book trees.epub",
        "first segment stored (3.0 s of audio in 1.0 s): chapter 1  Trees",
        "loading plan of 1 chapter",
        "rendering 2 segments, 1 chapter",
        "chapter 1/1 done: 2/2 segments  0:00:06 audio  3.0x real time  ETA 0:00:00",
    ]


def test_warnings_of_one_kind_are_shown_once_with_their_count():
    import logging

    summary = WarningSummary()
    logger = logging.getLogger("audiobook_tts.test_display")
    logger.addHandler(summary)
    try:
        for n in (60, 61, 62):
            logger.warning("chunk of %d tokens exceeds %d, words may be skipped: %.50r", n, 50, "text")
        logger.warning("another kind")
    finally:
        logger.removeHandler(summary)
    assert summary.lines() == [
        "chunk of 60 tokens exceeds 50, words may be skipped: 'text' (and 2 more like it)",
        "another kind",
    ]
