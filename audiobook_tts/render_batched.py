"""The render's segment loop, batched: many segments through the engine at once (see tts/batch.py).

Resume stays exact. A batched segment's audio depends on its batch companions in the last float bits, so
the companions are fixed by the plan, not by what happens to be pending: the work (segments of the chapters
being rendered, in plan order) is cut into consecutive groups of `group_size` segments, and a group is
always rendered whole, from an empty batch, even when some of its segments are already stored (only the
missing ones are written). A killed render that resumes therefore recomputes exactly what the uninterrupted
run computed, bit for bit (same options and thread count), at the cost of re-rendering at most the groups it
interrupted. A segment that occurs twice (same key) is written by its first occurrence in plan order only.
Across different batch sizes, thread counts or chapter selections the same key's audio differs by float
rounding (~1e-6 in float32, ~1e-4 with --quantize), far below audibility.
"""

from __future__ import annotations

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import Job, segment_seed

GROUP_BATCHES = 4  # a group holds this many batches' worth of segments: the batch drains once per group


def render_segments_batched(job: Job, engine, work, emit, *, batch_size: int, threads: int):
    """Like render._render_segments, batched; returns (rendered, reused, audio seconds)."""
    from audiobook_tts.render import SAMPLE_RATE, RenderError, RenderEvent, _where
    from audiobook_tts.tts.batch import make_request, render_requests

    entries = [
        (chapter, position, segment, state, generation)
        for chapter, state, generation in work
        for position, segment in enumerate(chapter.segments, start=1)
    ]
    total = len(entries)
    emit(RenderEvent("plan", total=total))
    owner: dict[str, int] = {}  # key -> index of its first entry: the one that writes it
    for index, (_, _, segment, _, _) in enumerate(entries):
        owner.setdefault(segment.key, index)
    chapter_done = {chapter.index: 0 for chapter, _, _ in work}
    counts = {"done": 0, "rendered": 0, "reused": 0}
    audio_seconds = 0.0

    def report(index: int, seconds: float) -> None:
        chapter = entries[index][0]
        counts["done"] += 1
        chapter_done[chapter.index] += 1
        emit(
            RenderEvent(
                "segment",
                chapter.index,
                chapter.title,
                done=counts["done"],
                total=total,
                chapter_done=chapter_done[chapter.index],
                chapter_total=len(chapter.segments),
                audio_seconds=audio_seconds,
                rendered_seconds=seconds,
            )
        )

    group_size = batch_size * GROUP_BATCHES
    groups = []
    same_key: dict[int, list[int]] = {}  # rendered entry -> later entries of its group with its key
    for start in range(0, total, group_size):
        members = range(start, min(start + group_size, total))
        if all(job.has_audio(entries[i][2].key) for i in members):
            for i in members:
                counts["reused"] += 1
                report(i, 0.0)
            continue
        requests, first_in_group = [], {}
        for i in members:
            chapter, position, segment, state, generation = entries[i]
            if segment.key in first_in_group:  # the same text twice in one group: rendered once
                same_key[first_in_group[segment.key]].append(i)
                continue
            first_in_group[segment.key] = i
            same_key[i] = []
            try:
                requests.append(
                    make_request(engine, state, segment.text, segment_seed(segment.key), tag=i, **generation)
                )
            except UserError as error:
                raise RenderError(_where(chapter, position, segment) + f": {error}") from None
        groups.append(requests)

    try:
        for request, audio in render_requests(engine, groups, batch_size=batch_size, threads=threads):
            index = request.tag
            key = entries[index][2].key
            if owner[key] == index and not job.has_audio(key):
                job.write_audio(key, audio.numpy())
                seconds = audio.numel() / SAMPLE_RATE
                audio_seconds += seconds
                counts["rendered"] += 1
                report(index, seconds)
            else:
                counts["reused"] += 1
                report(index, 0.0)
            for other in same_key[index]:
                counts["reused"] += 1
                report(other, 0.0)
    except (RuntimeError, ValueError) as error:
        raise RenderError(f"the engine failed while rendering a batch of segments ({error})") from None
    return counts["rendered"], counts["reused"], audio_seconds
