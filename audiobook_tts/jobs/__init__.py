"""Resumable job state on disk: which segment is done and where its audio is (see job.py for the layout)."""

from audiobook_tts.jobs.errors import JobError
from audiobook_tts.jobs.job import (
    ChapterStatus,
    Job,
    JobStatus,
    PlannedChapter,
    PlannedSegment,
    read_status,
)
from audiobook_tts.jobs.keys import segment_key, segment_seed, voice_id

__all__ = [
    "ChapterStatus",
    "Job",
    "JobError",
    "JobStatus",
    "PlannedChapter",
    "PlannedSegment",
    "read_status",
    "segment_key",
    "segment_seed",
    "voice_id",
]
