"""The frame-limit flag is known on both generation paths: one segment at a time (--batch-size 1) and
batched. A chapter whose end of speech can never fire runs every chunk to its frame limit (the model's cap:
ceil((tokens / 3 + 2) s x 12.5 frames)) and is flagged; a chapter whose end of speech fires at the first
allowed frame is not, and its measures say so (False, not unknown)."""

from __future__ import annotations

import sqlite3

import pytest

from audiobook_tts.jobs import Job
from audiobook_tts.jobs.fixes import ChapterFix
from audiobook_tts.jobs.job import JOB_DIRNAME, read_flags
from audiobook_tts.render import RenderOptions, render_book
from audiobook_tts.tts.options import GenerationOptions

BOOK = "# One\n\nThe lamp was lit.\n\nThe tide came in.\n\n# Two\n\nThe clock ran fast.\n\nNobody minded.\n"
EOS_FIRST = GenerationOptions(eos_threshold=-1e9)  # the end of speech fires at the first frame it may


@pytest.mark.parametrize("batch_size", [1, 4])
def test_a_segment_that_runs_out_of_frames_is_flagged(tmp_path, tiny_checkpoint, voice_wav, batch_size):
    book = tmp_path / "book.md"
    book.write_text(BOOK)
    options = RenderOptions(
        out_dir=tmp_path / "out",
        config=str(tiny_checkpoint[0]),
        voice=str(voice_wav),
        generation=EOS_FIRST,
        batch_size=batch_size,
    )
    render_book(book, options)
    with Job.open(options.out_dir) as job:
        job.set_chapter_fix(2, ChapterFix(settings={"eos_threshold": 1e9}))  # never ends by itself
    with Job.open(options.out_dir) as job:
        chapters = [c.index for c in job.plan() for _ in c.segments]
    assert render_book(book, options).rendered == chapters.count(2) == 3  # its title and two sentences

    flagged = [[f.kind for f in s.flags] for s in read_flags(options.out_dir)]
    assert flagged == [["frame_limit"] if chapter == 2 else [] for chapter in chapters]
    with Job.open(options.out_dir) as job:
        keys = [s.key for c in job.plan() for s in c.segments]
    index = sqlite3.connect(options.out_dir / JOB_DIRNAME / "index.sqlite")
    try:
        recorded = dict(index.execute("SELECT key, frame_limit FROM quality"))
    finally:
        index.close()
    assert [recorded[key] for key in keys] == [int(chapter == 2) for chapter in chapters]  # never NULL
