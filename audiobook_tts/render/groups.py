"""The one unit of work of every render: groups of the plan, rendered whole, each stored segment reported.

Resume stays exact. A batched segment's audio depends on its batch companions in the last float bits, so
the companions are fixed by the plan, not by what happens to be pending: the plan cuts its tasks into
consecutive groups (plan.py), and a group is always rendered whole, from an empty batch, even when some of
its segments are already stored (only the missing ones are written). A killed render that resumes therefore
recomputes exactly what the uninterrupted run computed, bit for bit (same options and thread count), at the
cost of re-rendering at most the groups it interrupted. A segment that occurs twice (same key) is written by
its first occurrence in plan order only. Across different batch sizes, thread counts or chapter selections
the same key's audio differs by float rounding (~1e-6 in float32, ~1e-4 with --quantize), far below
audibility.

At batch size 1 a group is only a unit of work: each segment is generated one at a time from torch's global
generator seeded from its key, like the reference, so its audio depends on nothing else.

When the engine fails inside a batch, the segments that were in flight are rendered again one at a time to
find the one that fails, so the error names it as the one-at-a-time path does.

Torch and the batch scheduler are imported on first use: planning and `inspect` never need them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import segment_seed
from audiobook_tts.jobs.job import SAMPLE_RATE
from audiobook_tts.jobs.quality import measure
from audiobook_tts.render.plan import RenderPlan
from audiobook_tts.render.types import RenderError, SegmentStore, SegmentTask
from audiobook_tts.tts.options import default_threads

if TYPE_CHECKING:
    from torch import Tensor

    from audiobook_tts.tts.batch import SpeechRequest
    from audiobook_tts.tts.model import PocketTTS, VoiceState

IN_FLIGHT_GROUPS = 2  # the FlowLM thread runs at most about one group ahead of the audio handed out

# Called once per task of the groups: (task index, seconds of audio written just now, or None when nothing
# was written: stored already, or written by the key's first task).
OnStored = Callable[[int, "float | None"], None]


def render_groups(
    job: SegmentStore,
    engine: PocketTTS,
    plan: RenderPlan,
    groups: Sequence[int],
    on_stored: OnStored,
    *,
    states: Mapping[str, VoiceState],
    threads: int | None,
) -> None:
    """Render the plan's groups numbered `groups` (those not stored yet) into the job, in order, at the plan's
    batch size; `threads` torch threads (None: torch's default at batch size 1, all cores batched)."""
    pending = [plan.groups[number] for number in skip_stored(job, plan, groups, on_stored)]
    if plan.batch_size == 1:
        import torch

        if threads is not None:
            torch.set_num_threads(threads)
        for group in pending:
            for i in group:
                task = plan.tasks[i]
                seconds = None
                if plan.owner[task.key] == i and not job.has_audio(task.key):
                    audio, frame_limit = generate_one(engine, task, states[task.voice_id])
                    seconds = store(job, plan, i, audio, frame_limit)
                on_stored(i, seconds)
        return
    requests: list[list[SpeechRequest]] = []
    same_key: dict[int, list[int]] = {}
    for group in pending:
        group_requests, same = requests_for(engine, plan, group, states)
        requests.append(group_requests)
        same_key.update(same)
    batched = render_audio(engine, plan, requests, threads=threads or default_threads())
    for request, audio in batched:
        on_stored(request.tag, store(job, plan, request.tag, audio, request.hit_frame_limit))
        for other in same_key[request.tag]:
            on_stored(other, None)


def skip_stored(job: SegmentStore, plan: RenderPlan, groups: Sequence[int], on_stored: OnStored) -> list[int]:
    """The numbers of `groups` with a segment still missing; every segment of the others is reported."""
    pending = []
    for number in groups:
        if plan.stored(job, plan.groups[number]):
            for i in plan.groups[number]:
                on_stored(i, None)
        else:
            pending.append(number)
    return pending


def generate_one(engine: PocketTTS, task: SegmentTask, state: VoiceState) -> tuple[Tensor, bool]:
    """One segment's audio the one-at-a-time way (torch's global generator seeded from its key), and whether
    a chunk of it stopped at its frame limit."""
    import torch

    from audiobook_tts.tts.model import ChunkEnds

    torch.manual_seed(segment_seed(task.key))
    ends = ChunkEnds()
    try:
        return engine.generate(state, task.segment.text, task.options, ends=ends), ends.at_frame_limit > 0
    except UserError as error:
        raise RenderError(task.where() + f": {error}") from None
    except (RuntimeError, ValueError) as error:
        raise RenderError(task.where() + f": the engine failed ({error})") from None


def requests_for(
    engine: PocketTTS, plan: RenderPlan, group: range, states: Mapping[str, VoiceState]
) -> tuple[list[SpeechRequest], dict[int, list[int]]]:
    """The group's speech requests (tagged with their task) and, per rendered task, the later tasks of the
    group with the same key (the same text twice in one group is rendered once)."""
    from audiobook_tts.tts.batch import make_request

    requests: list[SpeechRequest] = []
    same_key: dict[int, list[int]] = {}  # rendered task -> later tasks with its key
    first_in_group: dict[str, int] = {}  # key -> its first task
    for i in group:
        task = plan.tasks[i]
        if task.key in first_in_group:
            same_key[first_in_group[task.key]].append(i)
            continue
        first_in_group[task.key] = i
        same_key[i] = []
        state = states[task.voice_id]
        try:
            requests.append(
                make_request(engine, state, task.segment.text, segment_seed(task.key), task.options, tag=i)
            )
        except UserError as error:
            raise RenderError(task.where() + f": {error}") from None
    return requests, same_key


def store(job: SegmentStore, plan: RenderPlan, index: int, audio: Tensor, frame_limit: bool) -> float | None:
    """Write task `index`'s audio and its quality measures (jobs/quality.py; `frame_limit`: whether the
    generator stopped a chunk at its frame limit) if it is its key's owner and the key is missing: seconds
    written, or None when nothing was written (stored already, or written by the key's first task)."""
    key = plan.tasks[index].key
    if plan.owner[key] != index or job.has_audio(key):
        return None
    samples = audio.numpy()
    job.write_audio(key, samples)
    job.record_quality(key, measure(samples, SAMPLE_RATE, frame_limit=frame_limit))
    return audio.numel() / SAMPLE_RATE


def render_audio(
    engine: PocketTTS, plan: RenderPlan, groups: list[list[SpeechRequest]], *, threads: int
) -> Iterator[tuple[SpeechRequest, Tensor]]:
    """tts.batch.render_requests over `groups`, an engine failure turned into a RenderError naming its
    segment."""
    from audiobook_tts.tts.batch import render_requests

    finished: set[int] = set()
    try:
        for request, audio in render_requests(engine, groups, batch_size=plan.batch_size, threads=threads):
            finished.add(request.tag)
            yield request, audio
    except (RuntimeError, ValueError) as error:
        raise RenderError(name_the_failure(engine, plan, groups, finished, error)) from None


def name_the_failure(
    engine: PocketTTS,
    plan: RenderPlan,
    groups: list[list[SpeechRequest]],
    finished: set[int],
    error: Exception,
) -> str:
    """Render the requests that were in flight one at a time, in plan order, until one fails."""
    from audiobook_tts.tts.batch import render_requests

    in_flight = [g for g in groups if any(r.tag not in finished for r in g)][:IN_FLIGHT_GROUPS]
    suspects = [r for g in in_flight for r in g if r.tag not in finished]
    for request in suspects:
        try:
            for _ in render_requests(engine, [[request]], batch_size=1, threads=1):
                pass
        except (RuntimeError, ValueError) as alone:
            return plan.tasks[request.tag].where() + f": the engine failed ({alone})"
    first, last = (plan.tasks[suspects[0].tag], plan.tasks[suspects[-1].tag]) if suspects else (None, None)
    span = f"{first.short()} to {last.short()}" if first and last else "none left"
    return (
        f"the engine failed while rendering a batch of segments ({error}), yet each of the segments in "
        f"flight ({span}) renders alone; try a smaller --batch-size"
    )
