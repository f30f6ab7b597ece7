"""The render's progress on the terminal: two lines that fit 60 columns and up, JSON lines, or nothing.

    ━━━━━━━━━━━━━━━━━━━━ 123/415 segments  0:12:34 audio  12.4x real time  ETA 0:03:10
    chapter 3/12  12/40 segments  The Last Lamp on Quay Street

The book's line, then the current chapter's. Figures come first and are never cut: the bar takes the room
left over (none when there is too little), "real time" goes before any figure does, and only a chapter title
too long for the rest of its line is shortened. Before generation the first line says what is loading; during
assembly the second says which pass, which chapter and how much audio is encoded. On a terminal the lines are
redrawn in place; in a log (stderr not a terminal) each step and each finished chapter is one plain line.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.live import Live
from rich.text import Text

from audiobook_tts.cli.app import hms

if TYPE_CHECKING:  # the render is imported after the first line is shown
    from audiobook_tts.render import RenderEvent

MIN_BAR = 8  # narrower than this, a bar says nothing
ASSEMBLY_PASSES = {
    "measure": "measuring loudness",
    "check": "setting levels",
    "encode": "encoding",
    "verify": "checking the encoded files",
}


@dataclass
class RenderState:
    """The last of each kind of render event, drawn by `lines` at a width and a moment."""

    loading: str = ""  # what is loading now ("book alice.epub", "model english", "voice fantine")
    loading_since: float = 0.0
    segment: RenderEvent | None = None  # the last plan or segment event
    segment_at: float = 0.0  # when it came
    reused: int = 0  # segments found stored: counted as done, not in the pace
    assembly: RenderEvent | None = None  # the last assemble event
    actors: str = ""  # --cluster: each actor's groups in flight

    def update(self, event: RenderEvent, now: float) -> None:
        if event.kind == "load":
            self.loading, self.loading_since = event.message, now
        elif event.kind in ("plan", "segment"):
            self.segment, self.segment_at = event, now
            self.reused += event.kind == "segment" and event.rendered_seconds == 0
        elif event.kind == "assemble":
            self.assembly = event
        elif event.kind == "actors":
            self.actors = event.message

    def lines(self, width: int, now: float) -> list[str]:
        if self.segment is None:
            waited = now - self.loading_since
            return [_with_title(f"loading ({waited:.0f} s)", self.loading, width)] if self.loading else []
        book = self.book_line(self.segment, width, now)
        assembly = [assembly_line(self.assembly)] if self.assembly is not None else []
        if self.segment.done < self.segment.total or self.segment.kind == "plan":
            # still generating: the assembly of the chapters already stored runs beside it
            actors = [_with_title("actors", self.actors, width)] if self.actors else []
            return [book, chapter_line(self.segment, width), *actors, *assembly]
        return [book, *assembly]

    def book_line(self, event: RenderEvent, width: int, now: float) -> str:
        """Segments, audio made in this run, its speed and the time left; `width` 0: no bar (a log line)."""
        from audiobook_tts.render.progress import speed  # loaded by now; the CLI starts up without it

        figures = [
            f"{event.done}/{event.total} segments",
            f"{hms(event.audio_seconds)} audio",
            f"{speed(event.audio_seconds, event.generation_seconds):.1f}x real time",
            f"ETA {self.eta(event, now)}",
        ]
        text = "  ".join(figures)
        if width and len(text) > width:
            figures[2] = figures[2].removesuffix(" real time")
            text = "  ".join(figures)
        room = width - len(text) - 1
        if room < MIN_BAR:
            return text
        filled = round(room * event.done / event.total) if event.total else 0
        return "━" * filled + "╺" * (room - filled) + " " + text

    def eta(self, event: RenderEvent, now: float) -> str:
        """Time left at this run's pace (segments generated per second generating); stored ones are free."""
        if event.done == event.total:  # (the assembly beside the render does not count)
            return hms(0)
        generated = event.done - self.reused
        if event.kind != "segment" or generated <= 0 or event.generation_seconds <= 0:
            return "-:--:--"
        elapsed = event.generation_seconds + (now - self.segment_at)
        return hms(elapsed / generated * (event.total - event.done))


def chapter_line(event: RenderEvent, width: int) -> str:
    if event.kind != "segment":
        return f"{event.chapters} chapters" if event.chapters else ""
    head = f"chapter {event.chapter}/{event.chapters}  {event.chapter_done}/{event.chapter_total} segments"
    return _with_title(head, event.chapter_title, width)


def first_segment_line(event: RenderEvent) -> str:
    audio = f"{event.rendered_seconds:.1f} s of audio in {event.generation_seconds:.1f} s"
    return _with_title(f"first segment stored ({audio}): chapter {event.chapter}", event.chapter_title, 0)


def assembly_line(event: RenderEvent) -> str:
    unit = "file" if event.message == "verify" else "chapter"  # (verify counts the MP3s and the M4B)
    line = f"{ASSEMBLY_PASSES.get(event.message, event.message)}: {unit} {event.chapter}/{event.chapters}"
    if event.message == "encode":
        of_book = f" of {hms(event.book_seconds)}" if event.book_seconds else ""  # (known once all is stored)
        line += f"  {hms(event.encoded_seconds)}{of_book} encoded"
    return line


def _with_title(head: str, title: str, width: int) -> str:
    """`head` and then `title`, the title shortened to the rest of `width` (0: no limit)."""
    room = width - len(head) - 2
    if width and len(title) > room:
        title = title[: room - 1].rstrip() + "…" if room > 3 else ""
    return f"{head}  {title}" if title else head


class _Lines:
    """Draws the state at the console's width whenever Live refreshes (so the ETA keeps counting down)."""

    def __init__(self, state: RenderState):
        self.state = state

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.state.lines(options.max_width, time.monotonic())
        yield Group(*(Text(line, no_wrap=True, overflow="crop") for line in lines))


class RenderDisplay:
    """Render events -> the live display on a terminal, plain lines in a log, JSON lines, or nothing."""

    def __init__(self, mode: str, console: Console | None = None):
        self.mode = mode  # rich, json or quiet
        self.console = console or Console(stderr=True)
        self.state = RenderState()
        self.live: Live | None = None

    def __call__(self, event: RenderEvent) -> None:
        if self.mode == "json":
            typer.echo(json.dumps(dataclasses.asdict(event), ensure_ascii=False))
            return
        if self.mode == "quiet" or (event.kind == "load" and event.message == self.state.loading):
            return  # (the book's name, already shown by `loading`)
        now = time.monotonic()
        self.state.update(event, now)
        if event.kind == "note":
            self.print(f"note: {event.message}")
        elif event.kind == "voice":
            self.print(f"voice {event.message} (from chapter {event.chapter})")
        elif event.kind == "first":
            self.print(first_segment_line(event))
        elif event.kind == "loudness" or (event.kind == "actors" and "in flight" not in event.message):
            self.print(event.message)  # the loudness report; actors starting or lost, not every group out
        if self.console.is_terminal:
            self.start()
        else:
            self.log(event, now)

    def loading(self, what: str) -> None:
        """The first line, before the render (and its events) is even imported: what is loading."""
        if self.mode == "rich":
            self.state.loading, self.state.loading_since = what, time.monotonic()
            if self.console.is_terminal:
                self.start()
            else:
                self.print(f"loading {what}")

    def start(self) -> None:
        if self.live is None:
            self.live = Live(_Lines(self.state), console=self.console, refresh_per_second=4)
            self.live.start(refresh=True)

    def log(self, event: RenderEvent, now: float) -> None:
        """Plain lines for a log: each step, each finished chapter, each assembly pass's chapter."""
        if event.kind == "load":
            self.print(f"loading {event.message}")
        elif event.kind == "plan":
            chapters = f"{event.chapters} chapter" + "s" * (event.chapters != 1)
            self.print(f"rendering {event.total} segments, {chapters}")
        elif event.kind == "segment" and event.chapter_done == event.chapter_total:
            self.print(
                f"chapter {event.chapter}/{event.chapters} done: {self.state.book_line(event, 0, now)}"
            )
        elif event.kind == "assemble":
            self.print(assembly_line(event))

    def print(self, line: str) -> None:
        """A line above the live display."""
        self.console.print(line, highlight=False, markup=False)

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


class WarningSummary(logging.Handler):
    """Holds the library's warnings while the display runs; `lines` gives each kind once, with its count."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        kinds: dict[tuple[str, str], list[logging.LogRecord]] = {}
        for record in self.records:
            kinds.setdefault((record.name, str(record.msg)), []).append(record)
        return [
            records[0].getMessage() + (f" (and {len(records) - 1} more like it)" if len(records) > 1 else "")
            for records in kinds.values()
        ]
