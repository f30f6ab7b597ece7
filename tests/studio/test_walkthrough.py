"""The studio in a real browser: headless Chromium (Debian's) driven by Playwright, against
`audiobook-tts serve` on 127.0.0.1, with a tiny random-weight model. Upload the sample book and a recording
to clone (auditioned), render it, read the loudness report, play a segment, re-take one, edit one, give one
other settings (from the keyboard alone), add a pronunciation; after each, check that the job and the
re-assembled files changed exactly where they should. Screenshots (360 px wide) land in the test's tmp dir
(printed with -s).

The edit is checked on the M4B itself: decoded to PCM before and after, cut at its own chapter marks. AAC
codes 1024-sample frames whose transforms overlap their neighbours, so an edit may bleed into the frames
next to a chapter mark; the other chapters are compared away from their marks by AAC_MARGIN. Measured here:
no bleed at all (the other chapters decode bit-identical up to their marks; the samples that differ lie
inside the edited chapter). That holds because the edit keeps the chapter's length (the tiny model's end of
speech is forced at a fixed frame, and the marks are asserted unchanged): an edit that moved later chapters
by other than whole AAC frames would change how every later frame is cut, and those chapters would differ
at the level of coding noise throughout. The loudness check corrects each M4B chapter by its own error
(verify.check_parts), so the edit's chapter cannot move another chapter's gain (when the whole M4B was
corrected by one gain, an edit that moved the book's loudness changed every chapter: failed in CI).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Error as PlaywrightError

from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.studio.app import EVENT_INTERVAL
from audiobook_tts.studio.tasks import read_task
from tests.fixtures.audio import decode, ffmetadata_chapters
from tests.fixtures.studio import RENDER_SECONDS, plan_of
from tests.fixtures.studio import recording as make_recording

ROOT = Path(__file__).parent.parent.parent
EXAMPLE_EPUB = ROOT / "examples" / "the-lamplighters-almanac.epub"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
AAC_MARGIN = 2 * 1024  # samples: two AAC frames on each side of a chapter mark

pytestmark = [
    pytest.mark.slow,  # four background renders and a browser: minutes on a loaded machine
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path, tiny_checkpoint, voice_wav):
    """`audiobook-tts serve BOOKS` on a free port of 127.0.0.1, new books rendered with the tiny model."""
    books = tmp_path / "books"
    books.mkdir()
    port = free_port()
    command = [
        sys.executable, "-m", "audiobook_tts.cli", "serve", str(books), "--port", str(port),
        "--config", str(tiny_checkpoint[0]), "--voice", str(voice_wav), "--eos-threshold", "-1e9",
    ]  # fmt: skip
    log = open(tmp_path / "server.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the studio did not start"
            time.sleep(0.2)
    yield url, books
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def wait_until_idle(page, folder: Path, previous: dict | None = None) -> None:
    """Wait for the studio's background render that the last action started to end, as the page's own
    progress feed reports it, then reload the page (it also reloads itself when the job's lock comes and
    goes). `previous` is the task report from before that action: until the report differs from it, the new
    render has not begun (a form submitted by a key press may still be on its way)."""
    job = page.locator("[data-job]").get_attribute("data-job")
    deadline = time.monotonic() + RENDER_SECONDS
    while True:
        progress = page.request.get(f"{page.url.split('/job/')[0]}/job/{job}/progress").json()
        task = progress["task"]
        if not progress["locked"] and task and task != previous and task["state"] != "running":
            break
        assert time.monotonic() < deadline, progress
        time.sleep(0.5)
    assert task["state"] == "done", task
    assert read_task(folder) == task
    # The page reloads itself when it sees the lock go; let that happen, then load it afresh ourselves.
    time.sleep(2 * EVENT_INTERVAL + 0.5)
    for _ in range(5):
        try:
            page.goto(page.url)
            return
        except PlaywrightError:
            time.sleep(0.5)
    page.goto(page.url)


def chapter_audio(folder: Path) -> list[np.ndarray]:
    ffmpeg = find_ffmpeg(None)
    return [decode(ffmpeg, path) for path in sorted(folder.glob("*.mp3"))]


def m4b_chapters(folder: Path) -> tuple[list[tuple[int, int]], list[np.ndarray]]:
    """The M4B decoded to PCM and cut at its own chapter marks: ([(start, end) samples], [samples])."""
    ffmpeg = find_ffmpeg(None)
    (m4b,) = folder.glob("*.m4b")
    pcm = decode(ffmpeg, m4b)
    marks = []
    for timebase, start, end, _ in ffmetadata_chapters(ffmpeg, m4b):
        assert timebase == "1/24000", timebase  # the marks are in samples: no rounding to undo
        marks.append((start, end))
    assert marks[-1][1] == len(pcm)
    return marks, [pcm[start:end] for start, end in marks]


def differing_span(before: np.ndarray, after: np.ndarray) -> tuple[int, int] | None:
    """First and last sample where two equally long signals differ, or None."""
    where = np.flatnonzero(before != after)
    return (int(where[0]), int(where[-1])) if len(where) else None


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / "screenshots" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    print("screenshot:", path)


def test_upload_render_play_retake_edit_and_pronounce(server, browser, tmp_path, voice_wav):
    url, books = server
    page = browser.new_page(viewport={"width": 360, "height": 780})

    # Upload the sample book, see what inspect shows, start the render and watch it reach the end.
    page.goto(url + "/")
    page.get_by_role("link", name="New book…").click()
    page.get_by_label("Book file").set_input_files(str(EXAMPLE_EPUB))
    page.get_by_role("button", name="Upload and inspect").click()
    assert page.get_by_text("Chapter 2: A Clock That Ran Fast").is_visible()
    shot(page, tmp_path, "1-inspect")

    # Upload a recording of another voice to clone, listen to it, and render the book with it.
    recording = make_recording(voice_wav, tmp_path / "my voice.wav")
    page.get_by_label("Clone a voice from a recording").set_input_files(str(recording))
    page.get_by_role("button", name="Upload the recording").click()
    assert page.get_by_label("Voice", exact=True).input_value() == "recording:my voice.wav"
    page.get_by_role("button", name="Listen to this voice").click()
    page.wait_for_function("document.getElementById('audition-player').duration > 0", timeout=60_000)
    shot(page, tmp_path, "1b-inspect-recording")
    page.get_by_role("button", name="Start the render").click()
    folder = books / "the-lamplighters-almanac"
    wait_until_idle(page, folder)
    assert page.locator("#count-all").inner_text() == "22/22"
    assert len(list(folder.glob("*.mp3"))) == 3 and len(list(folder.glob("*.m4b"))) == 1
    kept = folder / ".studio-voices" / "my voice.wav"
    assert kept.read_bytes() == recording.read_bytes()  # the job renders from its own copy
    shot(page, tmp_path, "2-book-rendered")

    # The loudness report: a line on the library page, a row per file on the book page.
    summary = page.locator("p.loudness").inner_text()
    assert "LUFS" in summary and "dBTP" in summary
    measured = json.loads((folder / "loudness.json").read_text())["files"]
    assert len(measured) >= 4 and page.locator("table.loudness-files tbody tr").count() == len(measured)
    book_url = page.url
    page.goto(url + "/")
    assert page.locator("p.loudness").inner_text().startswith("Loudness: ")
    shot(page, tmp_path, "2b-library-loudness")
    page.goto(book_url)

    # Play a segment: the audio element has a duration and its time advances.
    page.get_by_role("link", name="Chapter 1: The Last Lamp on Quay Street").click()
    page.get_by_role("button", name="Play segment 2").click()
    page.wait_for_function("document.getElementById('player').currentTime > 0.05", timeout=20_000)
    assert page.evaluate("document.getElementById('player').duration") > 0
    shot(page, tmp_path, "3-chapter-playing")

    # Re-take one segment: only its key changes.
    before = plan_of(folder)
    audio_before = chapter_audio(folder)
    previous = read_task(folder)
    page.get_by_role("button", name="Re-take segment 2").click()
    wait_until_idle(page, folder, previous)
    after = plan_of(folder)
    changed = [place for place in before if before[place][0] != after[place][0]]
    assert changed == [(1, 1)]
    assert page.locator("#segment-2 .badge", has_text="take 1").is_visible()

    # Edit a segment's text in chapter 2: the stored text and the output change in that chapter only.
    page.goto(page.url.replace("/chapter/1", "/chapter/2").split("#")[0])
    before, audio_before = plan_of(folder), chapter_audio(folder)
    marks_before, m4b_before = m4b_chapters(folder)
    page.get_by_label("Edit the text of segment 3").click()
    page.get_by_label("Text to speak for segment 3").fill("The clock in the square ran seven minutes fast.")
    previous = read_task(folder)
    page.locator("#segment-3").get_by_role("button", name="Save and re-render").click()
    wait_until_idle(page, folder, previous)
    after, audio_after = plan_of(folder), chapter_audio(folder)
    assert [place for place in before if before[place] != after[place]] == [(2, 2)]
    assert after[(2, 2)][1] == "The clock in the square ran seven minutes fast."
    assert np.array_equal(audio_before[0], audio_after[0]) and np.array_equal(audio_before[2], audio_after[2])
    assert not np.array_equal(audio_before[1], audio_after[1])
    marks_after, m4b_after = m4b_chapters(folder)
    assert marks_after == marks_before  # the edit kept the chapter's length (see the module docstring)
    spans = [differing_span(b, a) for b, a in zip(m4b_before, m4b_after, strict=True)]
    print("M4B: samples that differ, per chapter:", spans)
    inner = slice(AAC_MARGIN, -AAC_MARGIN)
    assert np.array_equal(m4b_before[0][inner], m4b_after[0][inner])
    assert np.array_equal(m4b_before[2][inner], m4b_after[2][inner])
    assert not np.array_equal(m4b_before[1][inner], m4b_after[1][inner])
    edited = page.locator("#segment-3")
    assert edited.locator(".badge", has_text="edited").is_visible()
    assert "seven minutes fast" in edited.locator(".text").inner_text()
    shot(page, tmp_path, "4-chapter-edited")
    edited.screenshot(path=str(tmp_path / "screenshots" / "4-segment-edited.png"))

    # Other settings for one segment, from the keyboard alone: only its key changes.
    before = plan_of(folder)
    page.get_by_label("Voice and settings of segment 1").focus()
    page.keyboard.press("Enter")  # opens the details
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "voice-1"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "temperature-1"
    page.keyboard.type("0.5")
    shot(page, tmp_path, "4b-segment-settings")
    previous = read_task(folder)
    page.keyboard.press("Enter")  # submits the form
    wait_until_idle(page, folder, previous)
    after = plan_of(folder)
    assert [place for place in before if before[place][0] != after[place][0]] == [(2, 0)]
    assert page.locator("#segment-1 .badge", has_text="own settings").is_visible()
    assert page.get_by_label("Temperature (how varied the delivery is) for segment 1").input_value() == "0.5"

    # Add a pronunciation: exactly the listed segments render again.
    before = plan_of(folder)
    page.get_by_text("Add a pronunciation").click()
    page.get_by_label("Word").fill("lamp")
    page.get_by_label("Say it as").fill("lahmp")
    page.get_by_role("button", name="List the segments it changes").click()
    listed = {
        (int(item.get_attribute("data-chapter")), int(item.get_attribute("data-position")))
        for item in page.locator("ol.touched li").all()
    }
    assert listed, "the sample book says 'lamp'"
    shot(page, tmp_path, "5-pronunciation-preview")
    previous = read_task(folder)
    page.get_by_role("button", name="Apply and re-render these segments").click()
    wait_until_idle(page, folder, previous)
    after = plan_of(folder)
    assert {place for place in before if before[place][0] != after[place][0]} == listed
    assert all("lahmp" in after[place][1].lower() for place in listed)
    shot(page, tmp_path, "6-book-after-pronunciation")
