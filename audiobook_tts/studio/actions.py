"""What the studio's buttons change in a job: a re-take, a new text, a pronunciation, a voice or generation
settings for one segment or a chapter. Each is recorded as a fix (jobs/fixes.py) under the job's lock, then a
background render (tasks.py) renders what it touched.

A request names its segment by chapter, position and the key the page showed: if the plan has changed since
(a render re-planned the job), the request is refused rather than applied to another sentence.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import Job, PlannedSegment
from audiobook_tts.jobs.fixes import ChapterFix, Fixes, SegmentFix
from audiobook_tts.jobs.keys import normalise_text
from audiobook_tts.render.plan import spoken_text
from audiobook_tts.tts.options import GenerationOptions

MAX_TEXT = 2000  # characters of an edited segment; the segmenter's segments are far shorter
MAX_WORD = 100
STALE = "this page is out of date (the job was planned again): reload it and try again"
# The generation settings a voice-and-settings fix may set (GenerationOptions' fields): type and label.
SETTINGS: dict[str, tuple[type[int] | type[float], str]] = {
    "temperature": (float, "Temperature (how varied the delivery is)"),
    "eos_threshold": (float, "End-of-speech threshold (higher: speaks longer)"),
    "frames_after_eos": (int, "Frames kept after the end of speech (80 ms each)"),
    "max_tokens": (int, "Most tokens per chunk"),
    "noise_clamp": (float, "Noise clamp"),
    "decode_steps": (int, "Flow steps per frame"),
}


class ActionError(UserError):
    """A studio action that cannot be applied: the message says why (HTTP 400/409 in the app)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _segment(job: Job, chapter: int, position: int, key: str) -> PlannedSegment:
    for planned in job.plan():
        if planned.index == chapter and 0 <= position < len(planned.segments):
            segment = planned.segments[position]
            if segment.key == key:
                return segment
            break
    raise ActionError(STALE, 409)


def _fix_for(fixes: Fixes, chapter: int, position: int, segment: PlannedSegment) -> SegmentFix:
    base = fixes.base_text(chapter, position, segment.text)
    return fixes.for_segment(chapter, position, base) or SegmentFix(base)


def retake(folder: Path, chapter: int, position: int, key: str) -> int:
    """Ask for the next take of one segment; returns its take number."""
    with Job.open(folder) as job:
        segment = _segment(job, chapter, position, key)
        fix = _fix_for(job.fixes(), chapter, position, segment)
        job.set_segment_fix(chapter, position, replace(fix, take=fix.take + 1))
        return fix.take + 1


def edit_text(folder: Path, chapter: int, position: int, key: str, text: str) -> None:
    """Speak `text` instead of the segment's book text (the book's text again removes the override)."""
    text = normalise_text(text)
    if not text:
        raise ActionError("the new text is empty; to skip a sentence, edit the book")
    if len(text) > MAX_TEXT:
        raise ActionError(f"the new text is {len(text)} characters long; at most {MAX_TEXT}")
    with Job.open(folder) as job:
        segment = _segment(job, chapter, position, key)
        fix = _fix_for(job.fixes(), chapter, position, segment)
        job.set_segment_fix(chapter, position, replace(fix, text=None if text == fix.base_text else text))


def check_pronunciation(word: str, respelling: str) -> tuple[str, str]:
    word, respelling = word.strip(), normalise_text(respelling)
    if not word or not respelling or " " in word or len(word) > MAX_WORD or len(respelling) > MAX_WORD:
        raise ActionError(f"a pronunciation is one word (at most {MAX_WORD} characters) and its respelling")
    return word, respelling


def touched_by(folder: Path, word: str, respelling: str) -> list[tuple[int, int, str, str]]:
    """(chapter, position, text now, text then) of every planned segment the pronunciation would change."""
    with Job.open(folder) as job:
        fixes, plan = job.fixes(), job.plan()
    lexicon = {**fixes.lexicon, word: respelling}
    touched = []
    for planned in plan:
        for position, segment in enumerate(planned.segments):
            base = fixes.base_text(planned.index, position, segment.text)
            fix = fixes.for_segment(planned.index, position, base)
            now, then = spoken_text(base, fix, fixes.lexicon), spoken_text(base, fix, lexicon)
            if then != now:
                touched.append((planned.index, position, now, then))
    return touched


def add_pronunciation(folder: Path, word: str, respelling: str) -> None:
    with Job.open(folder) as job:
        job.set_pronunciation(word, respelling)


def parse_settings(fields: dict[str, str]) -> dict[str, Any]:
    """The generation settings filled in on a form (empty: not set), checked as the CLI checks them."""
    settings: dict[str, Any] = {}
    for name, (kind, _) in SETTINGS.items():
        value = fields.get(name, "").strip()
        if not value:
            continue
        try:
            settings[name] = kind(value)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise ActionError(f"{name.replace('_', ' ')} must be {what}, not {value[:40]!r}") from None
    try:
        GenerationOptions(**settings)
    except UserError as error:
        raise ActionError(str(error)) from None
    return settings


def set_segment_voice(
    folder: Path, chapter: int, position: int, key: str, voice: str | None, settings: dict
) -> None:
    """Render one segment with `voice` and `settings` over its chapter's (None and {}: as its chapter)."""
    with Job.open(folder) as job:
        segment = _segment(job, chapter, position, key)
        fix = replace(_fix_for(job.fixes(), chapter, position, segment), voice=voice, settings=settings)
        job.set_segment_fix(chapter, position, None if fix == SegmentFix(fix.base_text) else fix)


def set_chapter_voice(folder: Path, chapter: int, voice: str | None, settings: dict) -> None:
    """Render a chapter with `voice` and `settings` over the job's (None and {}: as the job renders it)."""
    with Job.open(folder) as job:
        if chapter not in {planned.index for planned in job.plan()}:
            raise ActionError(STALE, 409)
        job.set_chapter_fix(chapter, ChapterFix(voice, settings) if voice or settings else None)
