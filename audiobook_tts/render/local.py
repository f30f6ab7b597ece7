"""The one-process runner: every group of the plan, in order, in this process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from audiobook_tts.jobs import Job
from audiobook_tts.render.groups import render_groups
from audiobook_tts.render.plan import RenderPlan
from audiobook_tts.render.progress import Tally

if TYPE_CHECKING:
    from audiobook_tts.tts.model import PocketTTS, VoiceState


def render_locally(
    job: Job,
    engine: PocketTTS,
    plan: RenderPlan,
    tally: Tally,
    *,
    states: Mapping[str, VoiceState],
    threads: int | None,
) -> list[str]:
    """Render every group here; returns warnings (none: a failure here is an error)."""
    render_groups(job, engine, plan, range(len(plan.groups)), tally.report, states=states, threads=threads)
    return []
