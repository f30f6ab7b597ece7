"""Voice and generation settings for one segment or a chapter, set from the chapter page: recorded as the
job's fixes, and the background render changes exactly the keys of the segments they touch (a real render
with the tiny model)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from audiobook_tts.jobs import Job
from audiobook_tts.jobs.fixes import ChapterFix, SegmentFix
from audiobook_tts.render import RenderOptions, render_book
from audiobook_tts.studio import actions
from audiobook_tts.studio.library import job_id
from audiobook_tts.studio.newbook import VOICES_DIR
from audiobook_tts.tts.options import GenerationOptions
from tests.fixtures.studio import ORIGIN, client_for, plan_of, wait_for_task
from tests.render.test_render_book import EXAMPLE_MD, FAST


@pytest.fixture
def rendered(tmp_path, tiny_checkpoint, voice_wav):
    """A studio over a rendered job of the sample book, with a second recording in the job's folder."""
    root = tmp_path / "books"
    folder = root / "almanac"
    options = RenderOptions(
        out_dir=folder, config=str(tiny_checkpoint[0]), voice=str(voice_wav), generation=FAST
    )
    render_book(EXAMPLE_MD, options)
    samples, rate = soundfile.read(voice_wav, dtype="float32")
    (folder / VOICES_DIR).mkdir()
    soundfile.write(folder / VOICES_DIR / "other.wav", samples[::-1].copy(), rate)
    return client_for(root), folder


def post(client, url: str, **fields):
    data = {"csrf": client.app.state.guard.csrf, **fields}
    return client.post(url, data=data, headers=ORIGIN, follow_redirects=False)


def changed(before: dict, after: dict) -> set:
    return {place for place in before if before[place][0] != after[place][0]}


def test_the_settings_form_offers_every_generation_option():
    import dataclasses

    assert list(actions.SETTINGS) == [field.name for field in dataclasses.fields(GenerationOptions)]


def test_voice_and_settings_rerender_only_the_touched_segments(rendered, voice_wav):
    client, folder = rendered
    ident = job_id(folder)
    other = str((folder / VOICES_DIR / "other.wav").resolve())
    page = client.get(f"/job/{ident}/chapter/1").text
    assert 'id="voice-chapter"' in page and 'id="temperature-2"' in page and 'id="decode_steps-3"' in page
    assert f'<option value="{voice_wav}">voice_espeak.wav</option>' in page
    assert f'<option value="{other}">other.wav</option>' in page
    assert 'value="alba"' not in page  # a custom model: catalogue voices cannot be rendered

    # One segment at another temperature: only its key changes.
    before = original = plan_of(folder)
    key = before[(1, 1)][0]
    response = post(client, f"/job/{ident}/segment/1/1/voice", key=key, voice="", temperature="0.5")
    assert response.status_code == 303 and response.headers["location"].endswith("/chapter/1#segment-2")
    assert wait_for_task(client, folder)["state"] == "done"
    after = plan_of(folder)
    assert changed(before, after) == {(1, 1)}
    with Job.open(folder) as job:
        assert job.fixes().segments[(1, 1)] == SegmentFix(before[(1, 1)][1], settings={"temperature": 0.5})
    page = client.get(f"/job/{ident}/chapter/1").text
    assert page.count("own settings") == 1 and 'id="temperature-2" name="temperature"' in page
    assert 'name="temperature" step="any" inputmode="decimal" value="0.5"' in page

    # A chapter in another voice: exactly that chapter's keys change, and its audio is another voice's.
    before = after
    with Job.open(folder) as job:
        audio_before = job.read_audio(before[(2, 0)][0])
    assert post(client, f"/job/{ident}/chapter/2/voice", voice=other).status_code == 303
    assert wait_for_task(client, folder)["state"] == "done"
    after = plan_of(folder)
    assert changed(before, after) == {place for place in before if place[0] == 2}
    with Job.open(folder) as job:
        assert job.fixes().chapters == {2: ChapterFix(other, {})}
        assert not np.array_equal(job.read_audio(after[(2, 0)][0]), audio_before)
    assert "Voice and settings for this chapter (changed)" in client.get(f"/job/{ident}/chapter/2").text

    # Cleared again: the segment's fix is gone and its key is its first one again.
    response = post(client, f"/job/{ident}/segment/1/1/voice", key=after[(1, 1)][0], voice="", temperature="")
    assert response.status_code == 303 and wait_for_task(client, folder)["state"] == "done"
    with Job.open(folder) as job:
        assert (1, 1) not in job.fixes().segments
    assert plan_of(folder)[(1, 1)] == original[(1, 1)]


def test_voice_and_settings_refusals(rendered):
    client, folder = rendered
    ident = job_id(folder)
    key = plan_of(folder)[(1, 0)][0]
    url = f"/job/{ident}/segment/1/0/voice"
    refusals = [
        ({"voice": "/etc/passwd"}, 400, "not one of this job's voices"),
        ({"voice": "alba"}, 400, "not one of this job's voices"),
        ({"temperature": "-1"}, 400, "temperature must be a number >= 0"),
        ({"temperature": "warm"}, 400, "temperature must be a number"),
        ({"decode_steps": "1.5"}, 400, "decode steps must be a whole number"),
        ({"eos_threshold": "nan"}, 400, "eos_threshold must be a number"),
    ]
    for fields, status, message in refusals:
        response = post(client, url, key=key, **fields)
        assert response.status_code == status and message in response.text, (fields, response.text)
    stale = post(client, url, key=plan_of(folder)[(1, 1)][0], temperature="0.5")
    assert stale.status_code == 409 and "out of date" in stale.text
    assert post(client, f"/job/{ident}/chapter/99/voice", temperature="0.5").status_code == 409
    with Job.open(folder) as job:
        assert not job.fixes()
    with Job.open(folder):  # a CLI render holding the job
        assert post(client, url, key=key, temperature="0.5").status_code == 409


def test_the_voices_offered_are_the_jobs_own(library, voice_wav, tmp_path):
    """--voice, its profile's voices, the recordings in the job's folder and the fixes' voices; the
    catalogue's only for a released model."""
    from audiobook_tts.jobs.source import encode_options
    from audiobook_tts.studio.library import load_job

    _, folder = library
    second = tmp_path / "second.wav"
    second.write_bytes(voice_wav.read_bytes())
    profile = tmp_path / "two.yaml"
    profile.write_text(f"voice: {voice_wav}\nchapters:\n  - index: 2\n    voice: {second}\n")
    (folder / VOICES_DIR).mkdir()
    (folder / VOICES_DIR / "mine.wav").write_bytes(voice_wav.read_bytes())
    with Job.open(folder) as job:
        job.set_chapter_fix(1, ChapterFix(voice="/elsewhere/fixed.wav"))

    def choices(**options) -> dict[str, str]:
        with Job.open(folder) as job:
            job.record_source({"options": encode_options(RenderOptions(**options))})
        return load_job(job_id(folder), folder).voice_choices()

    offered = choices(config="tiny.json", profile=profile)
    assert offered == {
        str(voice_wav): "voice_espeak.wav",
        str(second): "second.wav",
        str((folder / VOICES_DIR / "mine.wav").resolve()): "mine.wav",
        "/elsewhere/fixed.wav": "fixed.wav",
    }
    released = choices(model="english", voice="alba")
    assert list(released)[:3] == [
        "alba",
        str((folder / VOICES_DIR / "mine.wav").resolve()),
        "/elsewhere/fixed.wav",
    ]
    assert "marius" in released and released["alba"] == "alba"


def test_a_profile_moved_since_the_render_is_named_on_the_chapter_page(rendered, voice_wav, tmp_path):
    """Its voices cannot be offered; the page says why instead of leaving them out silently."""
    from audiobook_tts.jobs.source import encode_options
    from audiobook_tts.studio.library import load_job

    client, folder = rendered
    profile = tmp_path / "gone.yaml"
    profile.write_text(f"voice: {voice_wav}\n")
    with Job.open(folder) as job:
        job.record_source({"options": encode_options(RenderOptions(config="tiny.json", profile=profile))})
    assert load_job(job_id(folder), folder).profile_problem() is None
    profile.unlink()
    problem = load_job(job_id(folder), folder).profile_problem()
    assert problem is not None and "gone.yaml" in problem and "not offered" in problem
    page = client.get(f"/job/{job_id(folder)}/chapter/1").text
    assert 'role="alert"' in page and "gone.yaml" in page
