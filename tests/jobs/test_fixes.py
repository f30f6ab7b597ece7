"""Per-segment fixes in the job: stored in its index, kept across reopening, discarded only by --fresh."""

import pytest

from audiobook_tts.jobs import Job
from audiobook_tts.jobs.fixes import ChapterFix, Fixes, SegmentFix
from audiobook_tts.jobs.job import read_fixes
from tests.fixtures.jobs import book_plan


def test_fixes_survive_reopening_and_apply_only_to_the_text_they_were_made_for(tmp_path):
    plan = book_plan()
    text = plan[0].segments[1].text
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        assert not job.fixes()
        job.set_segment_fix(0, 1, SegmentFix(text, text="Chapter one, sentence one, read again.", take=2))
        job.set_segment_fix(1, 0, SegmentFix(plan[1].segments[0].text, voice="marius"))
        job.set_chapter_fix(1, ChapterFix(settings={"temperature": 0.5}))
        job.set_pronunciation("Hermione", "her-MY-oh-nee")
    fixes = read_fixes(tmp_path)  # without the lock, as `render --fresh` and the studio read it
    with Job.open(tmp_path) as job:
        assert job.fixes() == fixes
    assert fixes.for_segment(0, 1, text) == SegmentFix(text, "Chapter one, sentence one, read again.", 2)
    assert fixes.for_segment(0, 1, "Another sentence now sits here.") is None
    assert fixes.for_segment(0, 2, plan[0].segments[2].text) is None
    assert fixes.chapters == {1: ChapterFix(None, {"temperature": 0.5})}
    assert fixes.lexicon == {"Hermione": "her-MY-oh-nee"}
    assert fixes.describe() == [
        "pronounce 'Hermione' as 'her-MY-oh-nee'",
        "chapter 1: temperature 0.5",
        "chapter 0 segment 2: text 'Chapter one, sentence one, read again.', take 2",
        "chapter 1 segment 1: voice marius",
    ]


def test_removing_fixes_and_refusing_negative_takes(tmp_path):
    with Job.open(tmp_path) as job:
        job.set_segment_fix(0, 0, SegmentFix("Hello.", take=1))
        job.set_pronunciation("Quay", "key")
        job.set_chapter_fix(3, ChapterFix(voice="alba"))
        with pytest.raises(ValueError):
            job.set_segment_fix(0, 1, SegmentFix("Hello.", take=-1))
        job.set_segment_fix(0, 0, None)
        job.set_pronunciation("Quay", None)
        job.set_chapter_fix(3, None)
        assert job.fixes() == Fixes()


def test_fresh_discards_fixes_and_an_old_job_reads_as_having_none(tmp_path):
    with Job.open(tmp_path) as job:
        job.set_pronunciation("Quay", "key")
        job.record_source({"book": "/books/quay.epub", "cover": b"\x89PNG"})
    with Job.open(tmp_path, fresh=True) as job:
        assert not job.fixes() and job.source() == {}
    with Job.open(tmp_path) as job:
        job.record_source({"book": "/books/quay.epub", "cover": b"\x89PNG"})
        assert job.source() == {"book": "/books/quay.epub", "cover": b"\x89PNG"}
