"""Every failure is one readable line, and no half-written file is left under a final name."""

from __future__ import annotations

import numpy as np
import pytest

from audiobook_tts.assemble import (
    AssembleError,
    AssembleOptions,
    AudioPiece,
    BookTags,
    ChapterAudio,
    assemble,
)
from tests.fixtures.audio import SAMPLE_RATE, make_chapter
from tests.fixtures.disk import tiny_tmpfs

TAGS = BookTags(title="Broken")


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message and message
    return message


def test_missing_ffmpeg_override(tmp_path):
    missing = tmp_path / "no" / "ffmpeg"
    with pytest.raises(AssembleError) as error:
        assemble([make_chapter("One", 0.3, 1)], TAGS, tmp_path / "out", AssembleOptions(ffmpeg=str(missing)))
    assert str(missing) in one_line(error)
    assert not (tmp_path / "out").exists()


def test_output_folder_not_writable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(AssembleError) as error:
        assemble([make_chapter("One", 0.3, 1)], TAGS, blocker / "out", AssembleOptions())
    assert "not writable" in one_line(error) and str(blocker / "out") in one_line(error)


def test_ffmpeg_failure_shows_its_last_line_and_leaves_nothing(tmp_path):
    chapters = [make_chapter("One", 0.3, 1), make_chapter("Two", 0.3, 2)]
    with pytest.raises(AssembleError) as error:
        assemble(chapters, TAGS, tmp_path, AssembleOptions(mp3_bitrate="lots"), SAMPLE_RATE)
    message = one_line(error)
    assert message.startswith("ffmpeg failed writing") and "01 - One.mp3" in message
    assert "'lots'" in message and "@ 0x" not in message  # the cause, without ffmpeg's log prefixes
    assert list(tmp_path.iterdir()) == []  # the M4B in progress and every .partial are gone


def test_pieces_must_repeat_on_every_pass(tmp_path):
    calls = []

    def pieces():
        calls.append(1)
        return [AudioPiece(np.full(1000 * len(calls), 0.1, np.float32), "grows")]

    with pytest.raises(AssembleError) as error:
        assemble([ChapterAudio("Fickle", pieces)], TAGS, tmp_path, AssembleOptions(), SAMPLE_RATE)
    assert "Fickle" in one_line(error) and "second pass" in one_line(error)
    assert list(tmp_path.iterdir()) == []


def test_stereo_piece_is_refused(tmp_path):
    stereo = ChapterAudio("Wide", lambda: [AudioPiece(np.zeros((100, 2), np.float32), "x")])
    with pytest.raises(AssembleError) as error:
        assemble([stereo], TAGS, tmp_path, AssembleOptions(), SAMPLE_RATE)
    assert "mono" in one_line(error)


def test_empty_chapter_is_refused(tmp_path):
    with pytest.raises(AssembleError) as error:
        assemble([ChapterAudio("Blank", lambda: [])], TAGS, tmp_path, AssembleOptions(), SAMPLE_RATE)
    assert "Blank" in one_line(error) and "no audio" in one_line(error)


def test_an_empty_chapter_measured_ahead_is_refused_and_leaves_nothing(tmp_path):
    """Chapter 2 is measured in the measurer's thread while chapter 1 is encoded: its error is the same line,
    and chapter 1's files in progress are removed."""
    chapters = [make_chapter("One", 0.3, 1), ChapterAudio("Blank", lambda: []), make_chapter("Three", 0.3, 3)]
    with pytest.raises(AssembleError) as error:
        assemble(chapters, TAGS, tmp_path, AssembleOptions(), SAMPLE_RATE)
    assert one_line(error) == "chapter 2 ('Blank') has no audio: render it again"
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def tiny_disk(tmp_path):
    """A 96 KiB tmpfs (needs root and mount rights; skipped elsewhere)."""
    with tiny_tmpfs(tmp_path / "disk", "96k") as mount_point:
        yield mount_point


def test_disk_full_is_one_line_naming_the_file(tiny_disk):
    chapters = [make_chapter("One", 0.3, 1, sentences=8), make_chapter("Two", 0.3, 2, sentences=8)]
    with pytest.raises(AssembleError) as error:
        assemble(chapters, TAGS, tiny_disk, AssembleOptions(), SAMPLE_RATE)
    message = one_line(error)
    assert message.startswith(f"cannot write {tiny_disk}") and "No space left on device" in message
    assert list(tiny_disk.iterdir()) == []


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(AssembleError) as error:
        assemble([make_chapter("One", 0.3, 1)], TAGS, tmp_path, AssembleOptions(formats=frozenset({"ogg"})))
    assert "ogg" in one_line(error) and "mp3, m4b" in one_line(error)


def test_m4b_only_writes_no_mp3(tmp_path):
    result = assemble(
        [make_chapter("One", 0.3, 1), make_chapter("Two", 0.3, 2)],
        TAGS,
        tmp_path,
        AssembleOptions(formats=frozenset({"m4b"})),
        SAMPLE_RATE,
    )
    assert [path.name for path in result.files] == ["Broken.m4b", "loudness.json"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["Broken.m4b", "loudness.json"]
