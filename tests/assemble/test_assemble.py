"""End to end: synthetic chapters through real ffmpeg, read back with mutagen and ffmpeg."""

from __future__ import annotations

import dataclasses
import subprocess

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from audiobook_tts.assemble import AssembleOptions, BookTags, assemble
from audiobook_tts.assemble.tags import cover_as_jpeg_or_png
from tests.fixtures.audio import (
    SAMPLE_RATE,
    chapter_samples,
    decode,
    ffmetadata_chapters,
    loudness,
    make_chapter,
    recorded_chapter,
    tiny_png,
)

TITLES = ["Chapter One: Beginnings", "Two / Middle?", "Three", "The End"]
LEVELS = [0.05, 0.9, 0.3]  # very different input levels: every chapter must still come out at the target
TAGS = BookTags(
    title="A Test: Book",
    authors=["Ada Author", "Bo Writer"],
    narrator="Pocket Voice",
    year="2024",
    language="eng",
    description="A book made of noise.",
    cover=tiny_png(),
)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    chapters = [make_chapter(TITLES[seed], level, seed) for seed, level in enumerate(LEVELS)]
    chapters.append(recorded_chapter(TITLES[-1]))  # and real speech
    events = []
    result = assemble(
        chapters,
        TAGS,
        out,
        AssembleOptions(subtitles=True),
        sample_rate=SAMPLE_RATE,
        progress=lambda *event: events.append(event),
    )
    return out, chapters, result, events


def test_files_are_named_and_complete(book):
    out, _, result, events = book
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(
        [
            *(f"01 - Chapter One Beginnings.{ext}" for ext in ("mp3", "srt", "vtt")),
            *(f"02 - Two Middle.{ext}" for ext in ("mp3", "srt", "vtt")),
            *(f"03 - Three.{ext}" for ext in ("mp3", "srt", "vtt")),
            *(f"04 - The End.{ext}" for ext in ("mp3", "srt", "vtt")),
            "A Test Book.m4b",
            "A Test Book.srt",
            "A Test Book.vtt",
            "loudness.json",
        ]
    )  # and no hidden .partial or chapter-list files left behind
    assert sorted(path.name for path in result.files) == names
    assert events[-1] == ("verify", 5, 5) and ("encode", 4, 4) in events and ("measure", 4, 4) in events
    assert ("check", 4, 4) in events


def test_chapters_line_up_to_the_sample(book, ffmpeg):
    """MP3 lengths are the chapters' exact sample counts, summing to the M4B; its marks sit at their sums."""
    out, chapters, result, _ = book
    lengths = [chapter_samples(chapter) for chapter in chapters]
    assert result.chapter_starts == [sum(lengths[:index]) for index in range(4)]
    mp3s = [decode(ffmpeg, out / name) for name in sorted(p.name for p in out.glob("*.mp3"))]
    assert [len(audio) for audio in mp3s] == lengths
    m4b_path = out / "A Test Book.m4b"
    m4b = decode(ffmpeg, m4b_path)
    assert len(m4b) == sum(lengths)

    marks = ffmetadata_chapters(ffmpeg, m4b_path)
    assert [title for *_, title in marks] == TITLES
    assert [(timebase, start) for timebase, start, _, _ in marks] == [
        (f"1/{SAMPLE_RATE}", start) for start in result.chapter_starts
    ]
    nero = MP4(m4b_path).chapters  # the chpl atom, 100 ns units
    assert [chapter.title for chapter in nero] == TITLES
    assert [chapter.start for chapter in nero] == pytest.approx(result.chapter_start_seconds, abs=1e-6)

    # the audio itself is aligned, not only the numbers: each MP3 best matches its M4B span at lag 0
    for audio, start in zip(mp3s, result.chapter_starts, strict=True):
        span = m4b[start : start + len(audio)]
        lags = range(-40, 41)
        scores = [
            np.dot(audio[100 + lag : len(audio) - 100 + lag], span[100 : len(audio) - 100]) for lag in lags
        ]
        assert lags[int(np.argmax(scores))] == 0


def test_loudness_and_true_peak_meet_the_target(book, ffmpeg):
    out, _, result, _ = book
    gains = result.chapter_gains_db
    assert gains[0] > gains[2] > gains[1]  # per-chapter gain, ordered by the input levels
    for path in [*sorted(out.glob("*.mp3")), out / "A Test Book.m4b"]:
        integrated, true_peak = loudness(ffmpeg, path)
        assert integrated == pytest.approx(-19.0, abs=1.0), path.name
        assert true_peak <= -3.0, path.name


def test_mp3_tags(book):
    out, _, _, _ = book
    path = out / "02 - Two Middle.mp3"
    id3 = ID3(path)
    assert id3.version == (2, 4, 0)
    assert id3["TIT2"].text == ["Two / Middle?"]
    assert id3["TALB"].text == ["A Test: Book"]
    assert id3["TPE1"].text == ["Ada Author, Bo Writer"]
    assert id3["TPE2"].text == ["Ada Author, Bo Writer"]
    assert id3["TCOM"].text == ["Pocket Voice"]
    assert id3["TXXX:NARRATOR"].text == ["Pocket Voice"]
    assert id3["TRCK"].text == ["2/4"]
    assert str(id3["TDRC"].text[0]) == "2024"
    assert id3["TCON"].text == ["Audiobook"]
    assert id3["TLAN"].text == ["eng"]
    cover = id3.getall("APIC")[0]
    assert (cover.type, cover.mime, cover.data) == (3, "image/png", TAGS.cover)
    info = MP3(path).info
    assert info.sample_rate == SAMPLE_RATE and info.bitrate == 128000


def test_m4b_tags(book, ffmpeg):
    out, chapters, result, _ = book
    mp4 = MP4(out / "A Test Book.m4b")
    atoms = mp4.tags
    assert atoms["©nam"] == ["A Test: Book"] and atoms["©alb"] == ["A Test: Book"]
    assert atoms["©ART"] == ["Ada Author, Bo Writer"] and atoms["aART"] == ["Ada Author, Bo Writer"]
    assert atoms["©wrt"] == ["Pocket Voice"]
    assert atoms["©day"] == ["2024"]
    assert atoms["©gen"] == ["Audiobook"]
    assert atoms["desc"] == ["A book made of noise."]
    assert atoms["stik"] == [2]
    assert bytes(atoms["covr"][0]) == TAGS.cover
    streams = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(out / "A Test Book.m4b")], capture_output=True, text=True
    ).stderr
    assert "(attached pic)" in streams  # ffmpeg (and players built on it) see covr as the cover picture
    # mutagen's duration counts the 1024 priming samples the edit list hides (one AAC frame)
    assert mp4.info.length == pytest.approx(result.total_samples / SAMPLE_RATE, abs=2048 / SAMPLE_RATE)


def test_subtitles_follow_pieces(book):
    out, chapters, result, _ = book
    srt = (out / "02 - Two Middle.srt").read_text()
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,000\nTwo / Middle?, sentence 0.\n")
    assert srt.count(" --> ") == 3
    book_vtt = (out / "A Test Book.vtt").read_text()
    assert book_vtt.startswith("WEBVTT\n")
    assert book_vtt.count(" --> ") == 3 * 3 + 2
    second_chapter = result.chapter_starts[1] / SAMPLE_RATE
    stamp = f"00:00:{int(second_chapter):02d}.{round(second_chapter * 1000) % 1000:03d} --> "
    assert f"{stamp}" in book_vtt


def test_other_cover_formats_become_jpeg(ffmpeg):
    make_gif = [
        ffmpeg,
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=16x16",
        "-frames:v",
        "1",
        "-f",
        "gif",
        "pipe:1",
    ]
    gif = subprocess.run(make_gif, capture_output=True, check=True).stdout
    assert gif.startswith(b"GIF")
    data, mime = cover_as_jpeg_or_png(BookTags(title="x", cover=gif), ffmpeg)
    assert mime == "image/jpeg" and data.startswith(b"\xff\xd8\xff")


def test_an_svg_cover_becomes_jpeg(ffmpeg):
    """A Standard Ebooks source's cover is an SVG: from a pipe ffmpeg found no picture in it and the render
    of Keats's Poetry failed at its first chapter's encode."""
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="48"><rect width="32" height="48"/></svg>'
    )
    data, mime = cover_as_jpeg_or_png(BookTags(title="x", cover=svg), ffmpeg)
    assert mime == "image/jpeg" and data.startswith(b"\xff\xd8\xff")
    probe = subprocess.run(
        [ffmpeg, "-hide_banner", "-f", "mjpeg", "-i", "pipe:0"], input=data, capture_output=True
    ).stderr.decode()
    assert ", 1400x2100" in probe  # drawn at a cover's width, in its proportions (not 32x48)


def test_a_cover_ffmpeg_cannot_read_leaves_the_files_without_one(tmp_path):
    chapters = [make_chapter(title, 0.3, seed) for seed, title in enumerate(TITLES[:2])]
    tags = dataclasses.replace(TAGS, cover=b"<html>not a picture</html>")
    result = assemble(chapters, tags, tmp_path, AssembleOptions(), SAMPLE_RATE)
    (warning,) = [w for w in result.warnings if "cover" in w]
    assert warning.startswith("ffmpeg failed on the cover image: ")
    assert warning.endswith("; the audio files have no cover")
    assert "covr" not in MP4(tmp_path / "A Test Book.m4b").tags
    assert not ID3(tmp_path / "01 - Chapter One Beginnings.mp3").getall("APIC")


def test_measuring_the_next_chapter_while_one_is_encoded_gives_the_same_bytes(tmp_path):
    """assemble() measures and levels chapter n+1 in a thread of its own while chapter n is encoded; one
    chapter at a time (as beside a render) must write the same files: the levelling needs no state of the
    book's limiter."""
    from audiobook_tts.assemble.assemble import _finish, _prepare

    levels = zip(TITLES[:3], LEVELS, strict=True)
    chapters = [make_chapter(title, level, seed) for seed, (title, level) in enumerate(levels)]
    ahead = assemble(chapters, TAGS, tmp_path / "ahead", AssembleOptions(), SAMPLE_RATE)
    job = _prepare(chapters, TAGS, tmp_path / "in-turn", AssembleOptions(), SAMPLE_RATE, None, None, None)
    try:
        for _ in chapters:
            job.add(measure_next=False)
        in_turn = _finish(job, None)
    finally:
        job.cleanup()
    assert [path.name for path in ahead.files] == [path.name for path in in_turn.files]
    for one, other in zip(ahead.files, in_turn.files, strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name
