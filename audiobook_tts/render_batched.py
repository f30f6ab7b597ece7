"""The render's segment loop, batched: many segments through the engine at once (see tts/batch.py).

Resume stays exact. A batched segment's audio depends on its batch companions in the last float bits, so
the companions are fixed by the plan, not by what happens to be pending: the work (segments of the chapters
being rendered, in plan order) is cut into consecutive groups of `group_size` segments, and a group is
always rendered whole, from an empty batch, even when some of its segments are already stored (only the
missing ones are written). A killed render that resumes therefore recomputes exactly what the uninterrupted
run computed, bit for bit (same options and thread count), at the cost of re-rendering at most the groups it
interrupted. A segment that occurs twice (same key) is written by its first occurrence in plan order only.
Across different batch sizes, thread counts or chapter selections the same key's audio differs by float
rounding (~1e-6 in float32, ~1e-4 with --quantize), far below audibility. The groups are also the unit of
work of `render --workers` (render_workers.py).

When the engine fails inside a batch, the segments that were in flight are rendered again one at a time to
find the one that fails, so the error names it as the one-at-a-time path does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import Job, PlannedChapter, PlannedSegment, segment_seed

GROUP_BATCHES = 4  # a group holds this many batches' worth of segments: the batch drains once per group
IN_FLIGHT_GROUPS = 2  # the FlowLM thread runs at most about one group ahead of the audio handed out


@dataclass
class GroupPlan:
    """The work in plan order, cut into the fixed groups that are rendered whole."""

    # (chapter, position in it, segment, voice state, generation settings) in plan order
    entries: list[tuple[PlannedChapter, int, PlannedSegment, object, dict]]
    groups: list[range]  # consecutive entry indices
    owner: dict[str, int] = field(default_factory=dict)  # key -> its first entry, the only one that writes it

    @classmethod
    def cut(cls, work, batch_size: int) -> GroupPlan:
        entries = [
            (chapter, position, segment, state, generation)
            for chapter, state, generation in work
            for position, segment in enumerate(chapter.segments, start=1)
        ]
        size = batch_size * GROUP_BATCHES
        plan = cls(entries, [range(s, min(s + size, len(entries))) for s in range(0, len(entries), size)])
        for index, (_, _, segment, _, _) in enumerate(entries):
            plan.owner.setdefault(segment.key, index)
        return plan

    def stored(self, job: Job, group: range) -> bool:
        return all(job.has_audio(self.entries[i][2].key) for i in group)

    def where(self, index: int) -> str:
        from audiobook_tts.render import _where

        chapter, position, segment, _, _ = self.entries[index]
        return _where(chapter, position, segment)


class Tally:
    """Counts finished segments and turns each into a RenderEvent; a segment is counted once."""

    def __init__(self, plan: GroupPlan, emit: Callable):
        self.plan, self.emit = plan, emit
        self.counted: set[int] = set()
        self.chapter_done: dict[int, int] = {}
        self.rendered = self.reused = 0
        self.audio_seconds = 0.0

    def report(self, index: int, seconds: float | None) -> None:
        """Entry `index` is stored: `seconds` of audio rendered just now, or None if it was found stored."""
        from audiobook_tts.render import RenderEvent

        if index in self.counted:
            return
        self.counted.add(index)
        if seconds is None:
            self.reused += 1
        else:
            self.rendered += 1
            self.audio_seconds += seconds
        chapter = self.plan.entries[index][0]
        self.chapter_done[chapter.index] = self.chapter_done.get(chapter.index, 0) + 1
        self.emit(
            RenderEvent(
                "segment",
                chapter.index,
                chapter.title,
                done=len(self.counted),
                total=len(self.plan.entries),
                chapter_done=self.chapter_done[chapter.index],
                chapter_total=len(chapter.segments),
                audio_seconds=self.audio_seconds,
                rendered_seconds=seconds or 0.0,
            )
        )


def group_requests(engine, plan: GroupPlan, group: range) -> tuple[list, dict[int, list[int]]]:
    """The group's speech requests (tagged with their entry) and, per rendered entry, the later entries of
    the group with the same key (the same text twice in one group is rendered once)."""
    from audiobook_tts.render import RenderError
    from audiobook_tts.tts.batch import make_request

    requests, same_key, first_in_group = [], {}, {}
    for i in group:
        _, _, segment, state, generation = plan.entries[i]
        if segment.key in first_in_group:
            same_key[first_in_group[segment.key]].append(i)
            continue
        first_in_group[segment.key] = i
        same_key[i] = []
        try:
            requests.append(
                make_request(engine, state, segment.text, segment_seed(segment.key), tag=i, **generation)
            )
        except UserError as error:
            raise RenderError(plan.where(i) + f": {error}") from None
    return requests, same_key


def store(job: Job, plan: GroupPlan, index: int, audio) -> float | None:
    """Write entry `index`'s audio if it is its key's owner and the key is missing: seconds written, or
    None when nothing was written (stored already, or written by the key's first entry)."""
    from audiobook_tts.render import SAMPLE_RATE

    key = plan.entries[index][2].key
    if plan.owner[key] != index or job.has_audio(key):
        return None
    job.write_audio(key, audio.numpy())
    return audio.numel() / SAMPLE_RATE


def render_audio(engine, plan: GroupPlan, groups: list[list], *, batch_size: int, threads: int) -> Iterator:
    """tts.batch.render_requests over `groups`, an engine failure turned into a RenderError naming its
    segment."""
    from audiobook_tts.render import RenderError
    from audiobook_tts.tts.batch import render_requests

    finished: set[int] = set()
    try:
        for request, audio in render_requests(engine, groups, batch_size=batch_size, threads=threads):
            finished.add(request.tag)
            yield request, audio
    except (RuntimeError, ValueError) as error:
        raise RenderError(_name_the_failure(engine, plan, groups, finished, error)) from None


def _name_the_failure(engine, plan: GroupPlan, groups: list[list], finished: set[int], error) -> str:
    """Render the requests that were in flight one at a time, in plan order, until one fails."""
    from audiobook_tts.tts.batch import render_requests

    in_flight = [g for g in groups if any(r.tag not in finished for r in g)][:IN_FLIGHT_GROUPS]
    suspects = [r for g in in_flight for r in g if r.tag not in finished]
    for request in suspects:
        try:
            for _ in render_requests(engine, [[request]], batch_size=1, threads=1):
                pass
        except (RuntimeError, ValueError) as alone:
            return plan.where(request.tag) + f": the engine failed ({alone})"

    def short(index: int) -> str:
        chapter, position, _, _, _ = plan.entries[index]
        return f"chapter {chapter.index} segment {position}"

    span = f"{short(suspects[0].tag)} to {short(suspects[-1].tag)}" if suspects else "none left"
    return (
        f"the engine failed while rendering a batch of segments ({error}), yet each of the segments in "
        f"flight ({span}) renders alone; try a smaller --batch-size"
    )


def render_segments_batched(job: Job, engine, work, emit, *, batch_size: int, threads: int):
    """Like render._render_segments, batched; returns (rendered, reused, audio seconds)."""
    from audiobook_tts.render import RenderEvent

    plan = GroupPlan.cut(work, batch_size)
    tally = Tally(plan, emit)
    emit(RenderEvent("plan", total=len(plan.entries)))
    pending, same_key = [], {}
    for group in plan.groups:
        if plan.stored(job, group):
            for i in group:
                tally.report(i, None)
            continue
        requests, same = group_requests(engine, plan, group)
        pending.append(requests)
        same_key.update(same)
    for request, audio in render_audio(engine, plan, pending, batch_size=batch_size, threads=threads):
        tally.report(request.tag, store(job, plan, request.tag, audio))
        for other in same_key[request.tag]:
            tally.report(other, None)
    return tally.rendered, tally.reused, tally.audio_seconds
