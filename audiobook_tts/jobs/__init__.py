"""Resumable job state on disk: which segment is done and where its audio is (see job.py for the layout).

A render is this loop; killed at any point and run again, it redoes at most the segment it was writing:

    with Job.open(out_dir, fresh=fresh) as job:            # JobError if another render holds the job
        job.set_plan(chapters)                             # keys: segment_key(text, voice, model, settings)
        for chapter in chapters:
            for segment in chapter.segments:
                if not job.has_audio(segment.key):         # missing, truncated or corrupt -> False
                    audio = generate(segment.text, seed=segment_seed(segment.key), ...)
                    job.write_audio(segment.key, audio)    # durable file first, then its index row
"""

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
