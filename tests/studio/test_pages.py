"""The studio's read-only endpoints and its guard, on a job built through the job API (no model needed)."""

from __future__ import annotations

import io
import json
import math
import re
from urllib.parse import quote

import numpy as np
import pytest
import soundfile

from audiobook_tts.jobs import Job
from audiobook_tts.studio.library import find_jobs, job_id
from audiobook_tts.studio.security import Guard
from tests.fixtures.studio import PNG, client_for


def test_library_book_and_chapter_pages_show_the_job(library):
    root, folder = library
    client = client_for(root)
    ident = job_id(folder)
    assert find_jobs([root]) == {ident: folder.resolve()}

    page = client.get("/")
    assert page.status_code == 200
    assert "The Lamplighter&#39;s Almanac" in page.text and f"/job/{ident}/cover" in page.text
    assert "6/6 segments" in page.text and "Almanac.m4b" in page.text

    book = client.get(f"/job/{ident}")
    assert book.status_code == 200
    assert "Chapter 1" in book.text and "Chapter 2" in book.text and 'id="progress-all"' in book.text

    chapter = client.get(f"/job/{ident}/chapter/1")
    assert chapter.status_code == 200
    assert chapter.text.count('class="play"') == 3
    assert chapter.text.count("clipping") == 1  # the one clipped segment, flagged
    assert "Chapter 2, sentence 2." in chapter.text and "1.50 s" in chapter.text
    assert client.get(f"/job/{ident}/chapter/9").status_code == 404
    assert client.get("/job/0123456789abcdef").status_code == 404


def test_segment_audio_is_served_as_wav_from_the_job_store(library):
    root, folder = library
    client = client_for(root)
    with Job.open(folder) as job:
        key = job.plan()[0].segments[1].key
        stored = job.read_audio(key)
    response = client.get(f"/job/{job_id(folder)}/audio/{key}.wav")
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    samples, rate = soundfile.read(io.BytesIO(response.content), dtype="float32")
    assert rate == 24_000 and len(samples) == len(stored)
    assert np.max(np.abs(samples - stored)) < 1 / 16_000  # 16-bit PCM of the stored samples


def test_cover_outputs_progress_and_events(library):
    root, folder = library
    client = client_for(root)
    ident = job_id(folder)
    cover = client.get(f"/job/{ident}/cover")
    assert cover.content == PNG and cover.headers["content-type"] == "image/png"
    download = client.get(f"/job/{ident}/files/The Lamplighter's Almanac.m4b")
    assert download.content == b"not really an m4b"
    progress = client.get(f"/job/{ident}/progress").json()
    assert (progress["done"], progress["total"], progress["locked"]) == (6, 6, False)
    with client.stream("GET", f"/job/{ident}/events") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        first = next(line for line in events.iter_lines() if line.startswith("data: "))
    assert json.loads(first[len("data: ") :])["done"] == 6


@pytest.mark.parametrize(
    "path",
    [
        "/job/{id}/files/..%2F..%2Fsecret.txt",
        "/job/{id}/files/..%2Fsecret.txt",
        "/job/{id}/files/.audiobook-tts%2Findex.sqlite",
        "/job/{id}/files/%2Fetc%2Fpasswd",
        "/job/{id}/files/....%2F....%2Fsecret.txt",
        "/job/{id}/audio/..%2F..%2F..%2Fsecret.wav",
        "/job/{id}/audio/" + "0" * 64 + ".wav",  # a well-formed key the job does not have
        "/job/{id}/../../secret.txt",
        "/static/..%2F..%2F..%2Fjobs%2Fjob.py",
        "/static/../library.py",
    ],
)
def test_path_traversal_is_refused(library, path):
    root, folder = library
    response = client_for(root).get(path.replace("{id}", job_id(folder)))
    assert response.status_code in (404, 400), response.text
    assert b"outside every job" not in response.content and b"SQLite" not in response.content


def test_foreign_host_header_is_refused_on_loopback(library):
    root, _ = library
    client = client_for(root)
    assert client.get("/", headers={"host": "evil.example:8000"}).status_code == 403
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_other_addresses_need_the_token(library):
    root, folder = library
    assert Guard.for_address("127.0.0.1", 8000).token is None
    client = client_for(root, host="0.0.0.0", token="s3cret-token")
    assert client.get("/").status_code == 401
    assert client.get("/", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
    first = client.get("/?token=s3cret-token", follow_redirects=False)
    assert first.status_code == 303 and "token" not in first.headers["location"]
    assert client.get(f"/job/{job_id(folder)}").status_code == 200  # the cookie carries it from now on
    generated = Guard.for_address("192.168.1.20", 8000)
    assert generated.token and len(generated.token) >= 24


def test_loudness_report_on_the_library_and_book_pages(library):
    """The loudness.json a render writes (made here by the assembler's own report class): one line per book
    on the library page, a row per file on the book page."""
    from audiobook_tts.assemble.assemble import LOUDNESS_REPORT
    from audiobook_tts.assemble.verify import FileCheck, FileLoudness, LoudnessReport

    root, folder = library
    client = client_for(root)
    assert "Loudness" not in client.get("/").text  # not assembled yet: no report, no line

    def measured(name: str, lufs: float, true_peak: float) -> FileLoudness:
        return FileLoudness(folder / name, lufs, true_peak, lufs - 1, true_peak - 0.3, -70.0)

    m4b = FileCheck(measured("Almanac.m4b", -19.04, -1.23))
    report = LoudnessReport(-19.0, "LUFS", -1.0, [m4b])
    report.write(folder / LOUDNESS_REPORT)
    assert "Loudness: −19.0 LUFS, −1.2 dBTP, pass" in client.get("/").text

    mp3 = FileCheck(measured("01 Chapter 1.mp3", -18.62, -0.4), corrected=True)
    mp3.problems.append("true peak above the ceiling")
    silent = FileCheck(measured("02 Chapter 2.mp3", -math.inf, -math.inf))
    LoudnessReport(-19.0, "LUFS", -1.0, [m4b, mp3, silent]).write(folder / LOUDNESS_REPORT)
    line = "Loudness: −19.0 to −18.6 LUFS, true peak up to −0.4 dBTP, 1 of 3 files FAIL"
    assert line in client.get("/").text

    book = client.get(f"/job/{job_id(folder)}").text
    assert "(target −19.0 LUFS, true-peak ceiling −1.0 dBTP)" in book
    rows = re.findall(
        r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", book
    )
    assert rows == [
        ("Almanac.m4b", "−19.0", "−1.2", "pass"),
        ("01 Chapter 1.mp3", "−18.6", "−0.4", "FAIL: true peak above the ceiling (re-encoded once)"),
        ("02 Chapter 2.mp3", "−∞", "−∞", "pass"),
    ]

    (folder / LOUDNESS_REPORT).write_text("{ not json")
    assert "Loudness" not in client.get("/").text and client.get(f"/job/{job_id(folder)}").status_code == 200


def test_flags_of_any_kind_are_listed_by_name():
    """A check the studio does not know (e.g. a speech-recognition flag) still shows, by its kind."""
    from audiobook_tts.studio.app import flag_name

    assert flag_name("clipping") == "clipping" and flag_name("frame_limit") == "hit the frame limit"
    assert flag_name("missing_words") == "missing words"


def test_recorded_outputs_in_folders_of_their_own_are_listed_and_served(library):
    """--layout audiobookshelf writes into Author/Title/ under the job: the studio lists and serves what the
    render recorded there (and reads its loudness report), and nothing a tampered record points outside."""
    import sqlite3

    from audiobook_tts.assemble.assemble import LOUDNESS_REPORT
    from audiobook_tts.assemble.verify import FileCheck, FileLoudness, LoudnessReport

    root, folder = library
    book = folder / "Ada Penrose" / "The Almanac"
    book.mkdir(parents=True)
    (book / "The Almanac.m4b").write_bytes(b"an m4b in its own folder")
    measured = FileLoudness(book / "The Almanac.m4b", -18.96, -1.5, -20.0, -2.0, -70.0)
    LoudnessReport(-19.0, "LUFS", -1.0, [FileCheck(measured)]).write(book / LOUDNESS_REPORT)
    with Job.open(folder) as job:
        job.record_outputs("book", [book / "The Almanac.m4b", book / LOUDNESS_REPORT], "digest")
    index = sqlite3.connect(folder / ".audiobook-tts" / "index.sqlite")
    with index:
        for path in ("../../secret.txt", ".audiobook-tts/index.sqlite"):
            index.execute(
                "INSERT INTO outputs (path, target, size, digest) VALUES (?, 'book', 1, 'x')", (path,)
            )
    index.close()

    client = client_for(root)
    ident = job_id(folder)
    listed = client.get("/").text
    assert "Ada Penrose/The Almanac/The Almanac.m4b" in listed and "secret" not in listed
    assert "Loudness: −19.0 LUFS, −1.5 dBTP, pass" in listed
    served = client.get(f"/job/{ident}/files/Ada%20Penrose/The%20Almanac/The%20Almanac.m4b")
    assert served.status_code == 200 and served.content == b"an m4b in its own folder"
    for path in ("../../secret.txt", ".audiobook-tts/index.sqlite", "Ada Penrose/../../../secret.txt"):
        assert client.get(f"/job/{ident}/files/{quote(path, safe='')}").status_code == 404, path
        assert client.get(f"/job/{ident}/files/{quote(path)}").status_code == 404, path
