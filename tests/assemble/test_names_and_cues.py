"""File names, FFMETADATA chapters and subtitle text: the pure parts of assembly."""

from __future__ import annotations

from audiobook_tts.assemble.chapters import chapter_file_stems, ffmetadata, safe_filename
from audiobook_tts.assemble.subtitles import Cue, srt, vtt


def test_safe_filename_removes_separators_and_reserved_characters():
    assert safe_filename('A/B\\C: "D"? <E>|*', "x") == "A B C D E"
    assert safe_filename("  ..hidden.  ", "x") == "hidden"
    assert safe_filename("CON", "Chapter 1") == "Chapter 1"
    assert safe_filename("///", "Chapter 2") == "Chapter 2"
    assert len(safe_filename("word " * 100, "x")) <= 150
    long_cjk = safe_filename("章" * 200, "x")
    assert long_cjk == "章" * 50 and len(long_cjk.encode()) == 150  # cut by bytes, never inside a character


def test_chapter_stems_are_numbered_and_padded():
    assert chapter_file_stems(["Intro", "Intro"]) == ["01 - Intro", "02 - Intro"]
    stems = chapter_file_stems([f"Part {n}" for n in range(120)])
    assert stems[0] == "001 - Part 0" and stems[-1] == "120 - Part 119"


def test_ffmetadata_is_exact_and_escaped():
    text = ffmetadata(["One = first; #1", "Two"], [0, 36001], 72000, 24000)
    assert text.startswith(";FFMETADATA1\n")
    assert "TIMEBASE=1/24000\nSTART=0\nEND=36001\ntitle=One \\= first\\; \\#1\n" in text
    assert "START=36001\nEND=72000\ntitle=Two\n" in text


def test_srt_and_vtt_timestamps():
    cues = [Cue(0, 36000, "Hello\nworld."), Cue(90_000_000, 90_024_000, "a --> b")]
    assert srt(cues, 24000) == (
        "1\n00:00:00,000 --> 00:00:01,500\nHello world.\n\n2\n01:02:30,000 --> 01:02:31,000\na -> b\n"
    )
    assert vtt(cues, 24000).startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello world.\n")
