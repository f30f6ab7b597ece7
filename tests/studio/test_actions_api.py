"""The studio's state-changing endpoints: what they record in the job, and every refusal (foreign origin, no
CSRF token, oversize body, locked job, stale page). Rendering itself is tested in test_walkthrough.py."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile

from audiobook_tts.jobs import Job
from audiobook_tts.jobs.fixes import SegmentFix
from audiobook_tts.studio.library import job_id
from audiobook_tts.studio.tasks import read_task
from tests.fixtures.studio import BOOK_MD, ORIGIN, client_for, wait_for_task


def first_key(folder, chapter=0, position=0) -> str:
    with Job.open(folder) as job:
        return job.plan()[chapter].segments[position].key


@pytest.fixture
def studio(library):
    root, folder = library
    return client_for(root, max_upload=4096), folder


def test_retake_records_the_next_take_and_starts_a_render(studio):
    client, folder = studio
    guard = client.app.state.guard
    url = f"/job/{job_id(folder)}/segment/0/1/retake"
    form = {"csrf": guard.csrf, "key": first_key(folder, 0, 1)}
    response = client.post(url, data=form, headers=ORIGIN, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/chapter/0#segment-2")
    task = wait_for_task(client, folder)
    # This job was built without a render, so it has no recorded book: the render says so.
    assert task["state"] == "failed" and "recorded their book" in task["message"]
    with Job.open(folder) as job:
        fix = job.fixes().segments[(0, 1)]
    assert fix == SegmentFix("Chapter 1, sentence 1.", take=1)


def test_edit_text_and_pronunciation_preview(studio):
    client, folder = studio
    csrf = client.app.state.guard.csrf
    ident = job_id(folder)
    key = first_key(folder, 1, 0)
    response = client.post(
        f"/job/{ident}/segment/1/0/text",
        data={"csrf": csrf, "key": key, "text": "  Chapter two  begins here. "},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303
    wait_for_task(client, folder)
    with Job.open(folder) as job:
        assert job.fixes().segments[(1, 0)] == SegmentFix(
            "Chapter 2, sentence 0.", "Chapter two begins here."
        )
    preview = client.post(
        f"/job/{ident}/pronunciation/preview",
        data={"csrf": csrf, "word": "sentence", "respelling": "SEN-tence"},
        headers=ORIGIN,
    )
    assert preview.status_code == 200
    # Every segment says "sentence" except the edited one, which now says other words.
    assert preview.text.count("<li data-chapter=") == 5
    assert 'data-chapter="1" data-position="0"' not in preview.text
    empty = client.post(
        f"/job/{ident}/pronunciation/preview", data={"csrf": csrf, "word": "two words", "respelling": "x"}
    )
    assert empty.status_code == 400


def test_cross_site_and_tokenless_posts_are_refused(studio):
    client, folder = studio
    csrf = client.app.state.guard.csrf
    url = f"/job/{job_id(folder)}/assemble"
    assert client.post(url, data={"csrf": csrf}, headers={"origin": "http://evil.example"}).status_code == 403
    referer = {"referer": "http://evil.example/page"}
    assert client.post(url, data={"csrf": csrf}, headers=referer).status_code == 403
    assert client.post(url, data={}, headers=ORIGIN).status_code == 403
    assert client.post(url, data={"csrf": "guessed"}, headers=ORIGIN).status_code == 403
    assert client.post(url, headers={"x-csrf-token": "guessed", **ORIGIN}).status_code == 403
    assert read_task(folder) is None  # nothing was started


def test_oversize_bodies_are_refused_before_they_are_read(studio):
    client, folder = studio
    csrf = client.app.state.guard.csrf
    url = f"/job/{job_id(folder)}/segment/0/0/text"
    big = {"csrf": csrf, "key": first_key(folder), "text": "x" * 5000}
    assert client.post(url, data=big, headers=ORIGIN).status_code == 413
    files = {"book": ("book.epub", b"\0" * 5000, "application/epub+zip")}
    assert client.post(url, data={"csrf": csrf}, files=files, headers=ORIGIN).status_code == 413


def test_a_locked_job_is_read_only(studio):
    client, folder = studio
    csrf = client.app.state.guard.csrf
    ident = job_id(folder)
    key = first_key(folder)
    with Job.open(folder):  # a CLI render holding the job
        chapter = client.get(f"/job/{ident}/chapter/0")
        assert (
            "read-only" in chapter.text and "Re-take" not in chapter.text and 'class="play"' in chapter.text
        )
        assert client.get(f"/job/{ident}/progress").json()["locked"] is True
        form = {"csrf": csrf, "key": key}
        assert client.post(f"/job/{ident}/segment/0/0/retake", data=form, headers=ORIGIN).status_code == 409
        assert client.post(f"/job/{ident}/assemble", data={"csrf": csrf}, headers=ORIGIN).status_code == 409
    with Job.open(folder) as job:
        assert not job.fixes()
    assert read_task(folder) is None


def test_a_stale_page_is_refused(studio):
    client, folder = studio
    csrf = client.app.state.guard.csrf
    form = {"csrf": csrf, "key": first_key(folder, 0, 2)}  # the key of another segment
    response = client.post(f"/job/{job_id(folder)}/segment/0/0/retake", data=form, headers=ORIGIN)
    assert response.status_code == 409 and "out of date" in response.text


XXE = """<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Secret: &xxe;</p></body></html>"""


def test_upload_a_book_and_see_what_inspect_shows(studio, tmp_path):
    client, folder = studio
    root = folder.parent
    csrf = client.app.state.guard.csrf
    files = {"book": ("../../quay.md", BOOK_MD.encode(), "text/markdown")}
    response = client.post("/new", data={"csrf": csrf}, files=files, headers=ORIGIN)
    assert response.status_code == 200, response.text
    assert "The Quay" in response.text and "The Tide" in response.text and "Start the render" in response.text
    assert (root / "uploads" / "quay.md").read_text() == BOOK_MD  # the name lost its directory part
    assert not (tmp_path / "quay.md").exists()
    assert 'value="alba"' in response.text  # the catalogue's voices to choose from


def test_hostile_or_foreign_uploads_are_refused_and_not_kept(studio):
    from tests.fixtures.epub import simple_epub

    client, folder = studio
    csrf = client.app.state.guard.csrf
    root = folder.parent
    xxe = XXE.encode("utf-16")
    hostile = simple_epub(root.parent / "x.epub", "<p>x</p>", extra={"OEBPS/ch1.xhtml": xxe}).read_bytes()
    refusals = {"evil.exe": "not a book format", "broken.epub": "zip", "xxe.epub": "declares XML entities"}
    for name, data in [("evil.exe", b"MZ"), ("broken.epub", b"PK\x03\x04 not a zip"), ("xxe.epub", hostile)]:
        files = {"book": (name, data, "application/octet-stream")}
        response = client.post("/new", data={"csrf": csrf}, files=files, headers=ORIGIN)
        assert response.status_code == 400 and refusals[name] in response.text, (name, response.text)
    assert not (root / "uploads").exists() or list((root / "uploads").iterdir()) == []
    start = {"csrf": csrf, "upload": "../almanac/.audiobook-tts/index.sqlite", "voice": ""}
    assert client.post("/new/start", data=start, headers=ORIGIN).status_code == 404


def test_audition_renders_a_short_sample_of_the_new_books_voice(library, tiny_checkpoint, voice_wav):
    from audiobook_tts.render import RenderOptions
    from audiobook_tts.tts.options import GenerationOptions

    root, _ = library
    new_books = RenderOptions(
        config=str(tiny_checkpoint[0]), voice=str(voice_wav), generation=GenerationOptions(eos_threshold=-1e9)
    )
    client = client_for(root, new_books=new_books)
    headers = {"x-csrf-token": client.app.state.guard.csrf, **ORIGIN}
    response = client.post("/new/audition", data={"voice": ""}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    samples, rate = soundfile.read(io.BytesIO(response.content), dtype="float32")
    assert rate == 24_000 and len(samples) > 1920 and np.abs(samples).max() > 0
    assert client.post("/new/audition", data={"voice": "nobody"}, headers=headers).status_code == 400
    assert client.post("/new/audition", data={"voice": ""}, headers=ORIGIN).status_code == 403  # no CSRF
