"""The outputs manifest: what the job wrote, from what, and what became of files it no longer makes."""

from __future__ import annotations

import dataclasses

import pytest

from audiobook_tts.jobs import Job, JobError, read_status
from tests.fixtures.jobs import book_plan, samples_for


def write(path, text="audio"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_renamed_chapter_s_old_file_is_moved_to_old_with_a_note(tmp_path):
    plan = book_plan()
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        first = [write(tmp_path / "01 - Chapter 1.mp3"), write(tmp_path / "02 - Chapter 2.mp3")]
        assert job.record_outputs("book", first, "digest-1") == []
        assert job.outputs_up_to_date("book", "digest-1") and not job.outputs_up_to_date("book", "digest-2")
        # Chapter 2 is renamed: the new render writes another name; the old file must not stay beside it.
        second = [first[0], write(tmp_path / "02 - The Return.mp3")]
        moved = job.record_outputs("book", second, "digest-2")
        assert moved == [tmp_path / ".audiobook-tts" / "old" / "02 - Chapter 2.mp3"]
        assert moved[0].read_text() == "audio"  # kept, out of the way
        assert sorted(p.name for p in tmp_path.glob("*.mp3")) == ["01 - Chapter 1.mp3", "02 - The Return.mp3"]
        assert job.outputs_up_to_date("book", "digest-2")
        (tmp_path / "02 - The Return.mp3").unlink()
        assert not job.outputs_up_to_date("book", "digest-2")  # a file gone: assemble again


def test_status_says_complete_stale_or_missing(tmp_path):
    plan = book_plan()
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        files = [write(tmp_path / "Book.m4b"), write(tmp_path / "01 - Chapter 1.mp3")]
        job.record_outputs("book", files, "d")
        preview = [write(tmp_path / "preview" / "Book (preview).m4b")]
        job.record_outputs("preview", preview, "p", chapters=[0])
    states = {o.target: o.state for o in read_status(tmp_path).outputs}
    assert states == {"book": "complete", "preview": "complete"}
    edited = [dataclasses.replace(plan[0], title="Chapter One"), plan[1]]
    with Job.open(tmp_path) as job:
        job.set_plan(edited)  # a render started after an edit and was stopped before assembling
    assert {o.target: o.state for o in read_status(tmp_path).outputs}["book"] == "stale"
    (tmp_path / "Book.m4b").unlink()
    book = next(o for o in read_status(tmp_path).outputs if o.target == "book")
    assert book.state == "missing" and [str(p) for p in book.missing] == ["Book.m4b"]
    assert read_status(tmp_path).to_json()["outputs"][0]["state"] == "missing"


def test_a_folder_holding_another_book_s_job_is_refused(tmp_path):
    plan = book_plan()
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        job.check_book("The First Book", [s.key for c in plan for s in c.segments])
        job.write_audio(plan[0].segments[0].key, samples_for(plan[0].segments[0].key))
    other = book_plan(voice="e" * 64)  # other keys: nothing in common
    with Job.open(tmp_path) as job:
        with pytest.raises(JobError) as error:
            job.check_book("A Second Book", [s.key for c in other for s in c.segments])
        assert str(error.value) == (
            f"{tmp_path} holds the job of another book ('The First Book', not 'A Second Book'); render into "
            "another folder with --out (--fresh would delete that book's rendered segments)"
        )
        # The same book with its title edited shares segment audio: accepted, and renamed.
        job.check_book("The First Book, Revised", [s.key for c in plan for s in c.segments])
        job.check_book("The First Book, Revised", [])


def test_the_ffmpeg_used_is_recorded_and_a_change_reported(tmp_path):
    with Job.open(tmp_path) as job:
        assert job.note_ffmpeg("/usr/bin/ffmpeg (ffmpeg version 5.1)") is None
        assert job.note_ffmpeg("/usr/bin/ffmpeg (ffmpeg version 5.1)") is None
    with Job.open(tmp_path) as job:
        assert job.note_ffmpeg("/opt/ffmpeg (ffmpeg version 9.0)") == "/usr/bin/ffmpeg (ffmpeg version 5.1)"
