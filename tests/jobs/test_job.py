"""Job store on real files: plan, audio, voices, verification, status, refusals."""

import os
import sqlite3

import numpy as np
import pytest
import torch

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import Job, JobError, PlannedChapter, PlannedSegment, read_status, voice_id
from tests.fixtures.jobs import VOICE, book_plan, make_key, samples_for


def test_layout_and_round_trip(tmp_path, plan):
    with Job.open(tmp_path / "out") as job:
        job.set_plan(plan)
        key = plan[0].segments[0].key
        assert not job.has_audio(key)
        audio = samples_for(key)
        job.write_audio(key, audio)
        assert job.has_audio(key)
        np.testing.assert_array_equal(job.read_audio(key), audio)  # sample-exact
        assert job.read_audio(key).dtype == np.float32
        assert job.audio_path(key) == tmp_path / "out" / ".audiobook-tts" / "audio" / f"{key}.f32"
        assert job.audio_path(key).stat().st_size == 4 * len(audio)
    # Reopened: the plan and the audio are still there.
    with Job.open(tmp_path / "out") as job:
        assert job.plan() == plan
        assert job.has_audio(key)
        db = sqlite3.connect(job.directory / "index.sqlite")
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.close()


def test_job_error_is_a_user_error():
    assert issubclass(JobError, UserError)


def test_float64_input_is_stored_as_float32_and_stereo_is_refused(tmp_path, plan):
    key = plan[0].segments[0].key
    with Job.open(tmp_path) as job:
        job.write_audio(key, np.array([0.5, -0.25, 1 / 3], dtype=np.float64))
        assert job.read_audio(key).tolist() == np.array([0.5, -0.25, 1 / 3], dtype=np.float32).tolist()
        with pytest.raises(ValueError, match="1-D float"):
            job.write_audio(key, np.zeros((2, 10), dtype=np.float32))
        with pytest.raises(ValueError, match="1-D float"):
            job.write_audio(key, np.zeros(10, dtype=np.int16))


@pytest.mark.parametrize("damage", ["delete", "truncate", "flip", "extend"])
def test_damaged_audio_is_not_trusted_and_can_be_rendered_again(tmp_path, plan, damage):
    key = plan[0].segments[1].key
    audio = samples_for(key)
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        job.write_audio(key, audio)
        path = job.audio_path(key)
    data = path.read_bytes()
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(data[:1000])
    elif damage == "flip":
        path.write_bytes(data[:500] + bytes([data[500] ^ 1]) + data[501:])
    else:
        path.write_bytes(data + b"\0\0\0\0")
    with Job.open(tmp_path) as job:
        # status checks the size, like a resume's first look; --verify checks the checksum as well
        assert job.status().done == (1 if damage == "flip" else 0)
        assert job.status(verify=True).done == 0 and job.status(verify=True).damaged == 1
        assert not job.has_audio(key)
        assert job.status().done == 0  # has_audio dropped the row
        assert not path.exists()
        job.write_audio(key, audio)  # the re-render path
        assert job.has_audio(key)
        np.testing.assert_array_equal(job.read_audio(key), audio)


def test_new_plan_keeps_audio_of_old_keys_until_pruned(tmp_path, plan):
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        for chapter in plan:
            for segment in chapter.segments:
                job.write_audio(segment.key, samples_for(segment.key))
        # Change chapter 2's voice: only its keys change.
        other_voice = "e" * 64
        edited = [plan[0], book_plan(voice=other_voice)[1]]
        job.set_plan(edited)
        assert job.plan() == edited
        status = job.status()
        assert [(c.done, c.total) for c in status.chapters] == [(3, 3), (0, 3)]
        old_key = plan[1].segments[0].key
        assert job.has_audio(old_key)  # still cached
        assert job.prune() == 3
        assert not job.has_audio(old_key)
        assert job.has_audio(plan[0].segments[0].key)


def test_status_counts_segments_seconds_and_what_remains(tmp_path):
    plan = book_plan(chapters=3, per_chapter=4)
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        for segment in plan[0].segments:
            job.write_audio(segment.key, samples_for(segment.key, 24_000 * 2))  # 2 s each
        job.write_audio(plan[1].segments[0].key, samples_for(plan[1].segments[0].key, 12_000))
        status = job.status()
    assert [(c.index, c.title, c.done, c.total, c.remaining) for c in status.chapters] == [
        (0, "Chapter 1", 4, 4, 0),
        (1, "Chapter 2", 1, 4, 3),
        (2, "Chapter 3", 0, 4, 4),
    ]
    assert [c.seconds for c in status.chapters] == [8.0, 0.5, 0.0]
    assert status.chapters[1].remaining_chars == sum(len(s.text) for s in plan[1].segments[1:])
    assert (status.done, status.total, status.seconds) == (5, 12, 8.5)
    assert read_status(tmp_path).to_json() == status.to_json()


def test_same_text_twice_in_the_book_is_rendered_once(tmp_path):
    key = make_key("* * *")
    plan = [PlannedChapter(0, "One", [PlannedSegment(key, "* * *", 1.0, VOICE)] * 2)]
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        job.write_audio(key, samples_for(key))
        assert job.status().chapters[0].done == 2


def test_voice_states_are_kept_and_checked(tmp_path):
    state = {"layer/cache": torch.randn(2, 1, 3, 2, 4), "layer/offset": torch.tensor([3])}
    vid = voice_id(state)
    exported = tmp_path / "narrator.safetensors"
    import safetensors.torch

    safetensors.torch.save_file(state, exported)
    with Job.open(tmp_path / "out") as job:
        assert not job.has_voice(vid)
        job.save_voice(vid, state)
        assert job.has_voice(vid)
        loaded = job.load_voice(vid)
        assert voice_id(loaded) == vid
        job.save_voice(vid, exported)  # from a file: same id, same state
        assert job.has_voice(vid)
        with pytest.raises(ValueError, match="does not match"):
            job.save_voice("0" * 64, state)
        not_safetensors = tmp_path / "voice.safetensors"
        not_safetensors.write_bytes(b"nonsense")
        with pytest.raises(JobError, match="not a safetensors voice state"):
            job.save_voice(vid, not_safetensors)
        job.voice_path(vid).write_bytes(b"x")
        assert not job.has_voice(vid)


def test_voice_sources_are_remembered_across_runs(tmp_path):
    source, vid = "a" * 64, "b" * 64
    with Job.open(tmp_path) as job:
        assert job.voice_for_source(source) is None
        job.remember_voice_source(source, vid)
        assert job.voice_for_source(source) == vid
    with Job.open(tmp_path) as job:
        assert job.voice_for_source(source) == vid
    with Job.open(tmp_path, fresh=True) as job:
        assert job.voice_for_source(source) is None


def test_opening_removes_temp_files_of_a_dead_writer(tmp_path):
    with Job.open(tmp_path) as job:
        audio_temp = job.directory / "audio" / ".tmp-x.f32.123.abcd"
        voice_temp = job.directory / "voices" / ".source.tmp.safetensors"
        audio_temp.write_bytes(b"half")
        voice_temp.write_bytes(b"half")
    with Job.open(tmp_path) as job:
        assert not audio_temp.exists() and not voice_temp.exists()


def test_fresh_discards_only_the_job(tmp_path, plan):
    (tmp_path / "chapter01.mp3").write_bytes(b"finished audio")
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        key = plan[0].segments[0].key
        job.write_audio(key, samples_for(key))
    with Job.open(tmp_path, fresh=True) as job:
        assert job.plan() == []
        assert not job.has_audio(key)
        assert list((job.directory / "audio").iterdir()) == []
    assert (tmp_path / "chapter01.mp3").read_bytes() == b"finished audio"


def test_second_open_in_the_same_process_is_refused_until_closed(tmp_path):
    job = Job.open(tmp_path)
    with pytest.raises(JobError, match=rf"another render is using .*\.audiobook-tts \(pid {os.getpid()}\)"):
        Job.open(tmp_path)
    with pytest.raises(JobError, match="another render"):
        Job.open(tmp_path, fresh=True)  # fresh never breaks a lock
    job.close()
    Job.open(tmp_path).close()


def test_refusals_are_one_line_job_errors(tmp_path):
    a_file = tmp_path / "book.txt"
    a_file.write_text("not a directory")
    with pytest.raises(JobError, match="is not a directory"):
        Job.open(a_file)
    with pytest.raises(JobError, match="holds no render job"):
        read_status(tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / ".audiobook-tts").write_text("a file where the job directory goes")
    with pytest.raises(JobError, match=r"taken/\.audiobook-tts is not a directory; move it away"):
        Job.open(tmp_path / "taken")
    with Job.open(tmp_path / "out"):
        pass
    (tmp_path / "out" / ".audiobook-tts" / "index.sqlite").write_bytes(b"garbage" * 1000)
    for path in (tmp_path / "out" / ".audiobook-tts").glob("index.sqlite-*"):
        path.unlink()
    with pytest.raises(JobError, match="unreadable .*damaged.* --fresh would .*`cp -a ") as error:
        Job.open(tmp_path / "out")
    assert "\n" not in str(error.value)
    with pytest.raises(JobError, match="--fresh"):
        read_status(tmp_path / "out")
    with Job.open(tmp_path / "out", fresh=True) as job:  # the way out the message suggests
        assert job.plan() == []


def test_status_reads_while_a_render_holds_the_lock(tmp_path, plan):
    with Job.open(tmp_path) as job:
        job.set_plan(plan)
        job.write_audio(plan[0].segments[0].key, samples_for(plan[0].segments[0].key))
        assert read_status(tmp_path).done == 1
    assert read_status(tmp_path).done == 1  # and after it closed (WAL checkpointed away)
