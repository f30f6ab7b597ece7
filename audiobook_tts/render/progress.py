"""Counting a render's stored segments into progress events, whichever runner stored them."""

from __future__ import annotations

import time
from dataclasses import dataclass

from audiobook_tts.render.plan import RenderPlan
from audiobook_tts.render.types import Progress, RenderEvent


def speed(audio_seconds: float, generation_seconds: float) -> float:
    """The one speed figure, live and in the summary: seconds of audio generated per wall-clock second spent
    generating (model loading, stored segments and assembly not counted)."""
    return audio_seconds / generation_seconds if generation_seconds > 0 else 0.0


@dataclass(frozen=True)
class FirstSegment:
    """The plan's first segment, rendered in this run before the rest of the plan was built (book.py)."""

    key: str
    audio_seconds: float
    generation_seconds: float


class Tally:
    """Counts finished segments and turns each into a RenderEvent; a segment is counted once. Generation
    time runs from the tally's creation (the plan is ready) to the last segment, plus the time `first` took:
    the runner finds that one stored, yet this run rendered it."""

    def __init__(self, plan: RenderPlan, emit: Progress, first: FirstSegment | None = None):
        self.plan, self.emit, self.first = plan, emit, first
        self.counted: set[int] = set()
        self.chapter_done: dict[int, int] = {}
        self.rendered = self.reused = 0
        self.audio_seconds = 0.0
        self.started = time.perf_counter() - (first.generation_seconds if first else 0.0)
        self.generation_seconds = 0.0

    def report(self, index: int, seconds: float | None) -> None:
        """Task `index` is stored: `seconds` of audio rendered just now, or None if it was found stored."""
        if index in self.counted:
            return
        self.counted.add(index)
        if seconds is None and self.first is not None and self.plan.owner.get(self.first.key) == index:
            seconds = self.first.audio_seconds
        if seconds is None:
            self.reused += 1
        else:
            self.rendered += 1
            self.audio_seconds += seconds
            self.generation_seconds = time.perf_counter() - self.started
        chapter = self.plan.tasks[index].chapter
        self.chapter_done[chapter.index] = self.chapter_done.get(chapter.index, 0) + 1
        self.emit(
            RenderEvent(
                "segment",
                chapter.index,
                chapter.title,
                done=len(self.counted),
                total=len(self.plan.tasks),
                chapter_done=self.chapter_done[chapter.index],
                chapter_total=len(chapter.segments),
                chapters=len(self.plan.chapters),
                audio_seconds=self.audio_seconds,
                rendered_seconds=seconds or 0.0,
                generation_seconds=self.generation_seconds,
            )
        )
