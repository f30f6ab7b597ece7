"""A recording to clone on the new-book page: uploaded, decoded by the loader `render --voice` uses,
auditioned, and rendered from a copy inside the job folder (so the job resumes without the upload). Hostile
uploads are refused in one line and leave nothing behind."""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pytest
import soundfile

from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.jobs import Job
from audiobook_tts.jobs.source import decode_options
from audiobook_tts.render import RenderOptions
from audiobook_tts.studio import newbook
from audiobook_tts.studio.library import job_id
from audiobook_tts.tts.options import GenerationOptions
from tests.fixtures.studio import BOOK_MD, ORIGIN, client_for, recording, wait_for_task


@pytest.fixture(scope="module")
def spoken_wav(tmp_path_factory, voice_wav) -> bytes:
    """A real recording of speech: 2.1 s at 22.05 kHz, 16-bit WAV."""
    return recording(voice_wav, tmp_path_factory.mktemp("voice") / "spoken.wav", 2.1).read_bytes()


@pytest.fixture
def studio(library, tiny_checkpoint, voice_wav):
    """A studio whose new books render with the tiny model; the sample book uploaded already."""
    root, _ = library
    new_books = RenderOptions(
        config=str(tiny_checkpoint[0]), voice=str(voice_wav), generation=GenerationOptions(eos_threshold=-1e9)
    )
    client = client_for(root, new_books=new_books, max_upload=4 << 20)
    csrf = client.app.state.guard.csrf
    files = {"book": ("quay.md", BOOK_MD.encode(), "text/markdown")}
    assert client.post("/new", data={"csrf": csrf}, files=files, headers=ORIGIN).status_code == 200
    return client, root


def upload_recording(client, name: str, data: bytes, book: str = "quay.md"):
    form = {"csrf": client.app.state.guard.csrf, "upload": book}
    files = {"recording": (name, data, "application/octet-stream")}
    return client.post("/new/recording", data=form, files=files, headers=ORIGIN)


def audition(client, voice: str):
    headers = {"x-csrf-token": client.app.state.guard.csrf, **ORIGIN}
    return client.post("/new/audition", data={"voice": voice}, headers=headers)


def test_upload_audition_and_render_with_a_recording(studio, spoken_wav, tmp_path):
    client, root = studio
    response = upload_recording(client, "../../my voice.wav", spoken_wav)
    assert response.status_code == 200, response.text
    # Its name lost its directory part; it is offered, chosen, and the loader's note about its length shows.
    stored = root / "uploads" / "recordings" / "my voice.wav"
    assert stored.read_bytes() == spoken_wav and not (tmp_path / "my voice.wav").exists()
    assert '<option value="recording:my voice.wav" selected>' in response.text
    assert "lasts only 2." in response.text and "rarely sounds like the speaker" in response.text
    assert str(root) not in response.text  # messages name the file, not the server's folders

    # The audition clones the recording: another voice than the new books' default.
    cloned, default = audition(client, "recording:my voice.wav"), audition(client, "")
    assert cloned.status_code == default.status_code == 200
    samples = [soundfile.read(io.BytesIO(r.content), dtype="float32")[0] for r in (cloned, default)]
    assert len(samples[0]) > 0 and not np.array_equal(samples[0], samples[1][: len(samples[0])])

    form = {"csrf": client.app.state.guard.csrf, "upload": "quay.md", "voice": "recording:my voice.wav"}
    started = client.post("/new/start", data=form, headers=ORIGIN, follow_redirects=False)
    assert started.status_code == 303
    folder = root / "quay"
    task = wait_for_task(client, folder)
    assert task["state"] == "done", task
    kept = folder / newbook.VOICES_DIR / "my voice.wav"
    assert kept.read_bytes() == spoken_wav
    with Job.open(folder) as job:
        options = decode_options(RenderOptions, job.source()["options"])
        voice_ids = {s.voice_id for c in job.plan() for s in c.segments}
    assert options.voice == str(kept.resolve()) and len(voice_ids) == 1
    assert len(list(folder.glob("*.m4b"))) == 1

    # The job renders from its own copy: with the upload gone, a re-assembly from the studio still works.
    stored.unlink()
    reassembled = client.post(
        f"/job/{job_id(folder)}/assemble", data={"csrf": client.app.state.guard.csrf}, headers=ORIGIN
    )
    assert reassembled.status_code == 200
    assert wait_for_task(client, folder)["state"] == "done"


def test_hostile_recordings_are_refused_in_one_line_and_not_kept(studio, spoken_wav, monkeypatch):
    client, root = studio
    refusals = {
        "notes.wav": (b"hello, this is not audio at all" * 10, "does not begin as a .wav file does"),
        "garbage.wav": (spoken_wav[:12] + bytes(range(256)) * 8, "cannot read voice audio garbage.wav"),
        # A playlist ffmpeg would follow to another file on this machine, were it decoded.
        "playlist.mp3": (
            b"#EXTM3U\n#EXTINF:2,\n../../almanac/secret.wav\n#EXT-X-ENDLIST\n",
            "does not begin",
        ),
        "concat.flac": (b"ffconcat version 1.0\nfile ../../almanac/secret.wav\n", "does not begin"),
        "empty.flac": (b"", "cannot read voice audio empty.flac"),
        "empty.wav": (b"", "empty or cut off inside its header"),
        "cut.wav": (spoken_wav[:30], "empty or cut off inside its header"),
        "header.wav": (spoken_wav[:44], "holds no samples"),
        "fake.mp3": (b"ID3" + bytes(range(256)) * 4, "cannot read voice audio fake.mp3"),
        "voice.exe": (spoken_wav, "not a recording the studio reads"),
    }
    for name, (data, message) in refusals.items():
        response = upload_recording(client, name, data)
        assert response.status_code == 400 and message in response.text, (name, response.text)
        assert 'role="alert"' in response.text and str(root) not in response.text
    monkeypatch.setattr(newbook, "MAX_RECORDING_MB", 1)
    too_big = upload_recording(client, "long.wav", spoken_wav * 12)  # ~1.1 MB
    assert too_big.status_code == 400 and "larger than 1 MB" in too_big.text
    assert (
        upload_recording(client, "huge.wav", b"\0" * (5 << 20)).status_code == 413
    )  # over the guard's limit
    assert list((root / "uploads" / "recordings").iterdir()) == []

    # Only a recording this studio stored can be chosen, and only for a book it stored.
    assert upload_recording(client, "ok.wav", spoken_wav, book="../quay.md").status_code == 404
    for voice in [
        "recording:../quay.md",
        "recording:../../almanac/.audiobook-tts/index.sqlite",
        "/etc/passwd",
    ]:
        assert audition(client, voice).status_code in (400, 404), voice
        form = {"csrf": client.app.state.guard.csrf, "upload": "quay.md", "voice": voice}
        assert client.post("/new/start", data=form, headers=ORIGIN).status_code in (400, 404), voice
    assert not (root / "quay").exists()


def test_the_studio_reads_recordings_in_every_format_the_cli_does(studio, spoken_wav, tmp_path):
    """A FLAC and an MP3 of the same speech are read (the MP3 through ffmpeg, as `render --voice` does)."""
    client, _ = studio
    source = tmp_path / "spoken.wav"
    source.write_bytes(spoken_wav)
    for suffix in (".flac", ".mp3"):
        encoded = tmp_path / f"spoken{suffix}"
        subprocess.run([find_ffmpeg(), "-v", "error", "-i", str(source), str(encoded)], check=True)
        response = upload_recording(client, encoded.name, encoded.read_bytes())
        assert response.status_code == 200 and f"recording:{encoded.name}" in response.text, response.text
