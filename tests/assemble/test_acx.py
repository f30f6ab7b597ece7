"""The ACX preset: 44.1 kHz 192k CBR MP3s, RMS in -23..-18 dB, peaks under -3 dB, room tone at both ends."""

from __future__ import annotations

import numpy as np
import pytest
from mutagen.mp3 import MP3, BitrateMode

from audiobook_tts.assemble import (
    AssembleError,
    AssembleOptions,
    AudioPiece,
    BookTags,
    ChapterAudio,
    assemble,
)
from audiobook_tts.assemble.assemble import ACX_HEAD_SECONDS, ACX_TAIL_SECONDS
from tests.fixtures.audio import SAMPLE_RATE, chapter_samples, decode, loudness, make_chapter

ACX_RATE = 44100


@pytest.fixture(scope="module")
def acx_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("acx")
    chapters = [make_chapter("Opening", 0.2, 1), make_chapter("Closing", 0.7, 2, sentences=2)]
    result = assemble(
        chapters, BookTags(title="ACX Book"), out, AssembleOptions(preset="acx"), sample_rate=SAMPLE_RATE
    )
    return out, chapters, result


def test_mp3_format_is_acx(acx_book):
    out, _, _ = acx_book
    for path in sorted(out.glob("*.mp3")):
        info = MP3(path).info
        assert (info.sample_rate, info.bitrate_mode) == (ACX_RATE, BitrateMode.CBR)  # LAME's "Info" tag: CBR
        assert info.bitrate == pytest.approx(192000, abs=100)  # mutagen derives it from bytes / duration
        assert info.channels == 1


def test_room_tone_at_head_and_tail(acx_book, ffmpeg):
    (
        out,
        chapters,
        result,
    ) = acx_book
    head, tail = round(ACX_HEAD_SECONDS * SAMPLE_RATE), round(ACX_TAIL_SECONDS * SAMPLE_RATE)
    assert result.chapter_starts[1] == head + chapter_samples(chapters[0]) + tail
    for path, chapter in zip(sorted(out.glob("*.mp3")), chapters, strict=True):
        audio = decode(ffmpeg, path)
        expected = (head + chapter_samples(chapter) + tail) * ACX_RATE / SAMPLE_RATE
        assert abs(len(audio) - expected) <= 2  # resampled 24 -> 44.1 kHz: a fraction of a sample per file
        for tone in (audio[: int(0.5 * ACX_RATE)], audio[-int(1.0 * ACX_RATE) :]):
            rms_db = 10 * np.log10(np.mean(tone.astype(np.float64) ** 2))
            assert -90 < rms_db < -60  # quiet room tone: neither digital silence nor speech


def test_levels_meet_acx(acx_book, ffmpeg):
    out, _, _ = acx_book
    for path in sorted(out.glob("*.mp3")):
        audio = decode(ffmpeg, path).astype(np.float64)
        rms_db = 10 * np.log10(np.mean(audio**2))
        assert -23 <= rms_db <= -18, path.name
        assert 20 * np.log10(np.abs(audio).max()) <= -3.0
        assert loudness(ffmpeg, path)[1] <= -3.0  # true peak too


def test_chapter_over_two_hours_is_refused(tmp_path):
    long = ChapterAudio(
        "Endless",
        lambda: [AudioPiece(np.full(1000, 0.1, np.float32), "x"), AudioPiece(121 * 60 * SAMPLE_RATE)],
    )
    with pytest.raises(AssembleError, match="Endless.*120 min"):
        assemble([long], BookTags(title="Long"), tmp_path, AssembleOptions(preset="acx"), SAMPLE_RATE)
    assert list(tmp_path.iterdir()) == []
