"""A real render (tiny random-weight model) with every output: the M4B's chapter marks, the subtitles and the
read-along EPUB's SMIL clips agree with one another and with the segment audio stored in the job."""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree
from mutagen.mp4 import MP4

from audiobook_tts.assemble import AssembleOptions
from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.jobs import Job
from audiobook_tts.profiles import load_profile
from audiobook_tts.render import RenderOptions, render_book
from audiobook_tts.tts.options import GenerationOptions
from audiobook_tts.tts.voices import VoiceSource
from tests.assemble.test_readalong import epubcheck
from tests.fixtures.audio import ffmetadata_chapters

ROOT = Path(__file__).parent.parent.parent
EXAMPLE_EPUB = ROOT / "examples" / "the-lamplighters-almanac.epub"
SAMPLE_RATE = 24000
SMIL = "{http://www.w3.org/ns/SMIL}"
MS = Fraction(1, 1000)  # SMIL and SRT times are written to the millisecond


@pytest.fixture(scope="module")
def rendered(tiny_checkpoint, voice_wav, tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    options = RenderOptions(
        out_dir=out, config=str(tiny_checkpoint[0]), voice=str(voice_wav),
        generation=GenerationOptions(eos_threshold=-1e9), narrator="Ada Reader",
        assemble=AssembleOptions(formats=frozenset({"m4b", "mp3", "epub"}), subtitles=("srt", "vtt")),
    )  # fmt: skip
    return out, render_book(EXAMPLE_EPUB, options)


def segment_timeline(out: Path) -> list[list[tuple[int, int]]]:
    """Per chapter, each segment's (first sample, end sample) in its chapter file, from the job alone: the
    stored audio lengths and the planned pauses."""
    with Job.open(out) as job:
        chapters = []
        for chapter in job.plan():
            position, spans = 0, []
            for segment in chapter.segments:
                length = len(job.read_audio(segment.key))
                spans.append((position, position + length))
                position += length + round(segment.pause_after * SAMPLE_RATE)
            chapters.append(spans)
    return chapters


def srt_times(path: Path) -> list[tuple[Fraction, Fraction]]:
    def seconds(stamp: str) -> Fraction:
        h, m, s, ms = map(int, re.split("[:,]", stamp))
        return Fraction(h * 3600 + m * 60 + s) + ms * MS

    return [(seconds(a), seconds(b)) for a, b in re.findall(r"(\S+) --> (\S+)", path.read_text())]


def test_marks_cues_and_clips_agree_with_the_job(rendered):
    out, result = rendered
    timeline = segment_timeline(out)
    (m4b,) = [p for p in result.files if p.suffix == ".m4b"]
    marks = [start * Fraction(tb) for tb, start, _, _ in ffmetadata_chapters(find_ffmpeg(None), m4b)]
    lengths = [
        spans[-1][1] + round(chapter.segments[-1].pause_after * SAMPLE_RATE)
        for spans, chapter in zip(timeline, result.chapters, strict=True)
    ]
    expected_marks = [Fraction(sum(lengths[:i]), SAMPLE_RATE) for i in range(len(lengths))]
    assert all(abs(a - b) <= MS for a, b in zip(marks, expected_marks, strict=True))  # the M4B's own timebase

    book_cues = srt_times(m4b.with_suffix(".srt"))
    cue_bounds = {t for cue in book_cues for t in cue}
    mp3s = sorted(p for p in result.files if p.suffix == ".mp3")
    (epub,) = [p for p in result.files if p.suffix == ".epub"]
    with zipfile.ZipFile(epub) as archive:
        smils = sorted(n for n in archive.namelist() if n.endswith(".smil"))
        assert len(smils) == len(timeline)
        for number, (name, spans) in enumerate(zip(smils, timeline, strict=True)):
            clips = [
                (Fraction(a.get("clipBegin")[:-1]), Fraction(a.get("clipEnd")[:-1]))
                for a in etree.fromstring(archive.read(name)).iter(f"{SMIL}audio")
            ]
            clip_bounds = {t for clip in clips for t in clip}
            chapter_cues = srt_times(mp3s[number].with_suffix(".srt"))
            for first, end in spans:  # every segment boundary, to the millisecond, in all three
                for sample in (first, end):
                    t = Fraction(sample, SAMPLE_RATE)
                    assert min(abs(t - c) for c in clip_bounds) <= MS / 2
                    assert min(abs(t - c) for c in {x for cue in chapter_cues for x in cue}) <= MS / 2
                    assert min(abs(marks[number] + t - c) for c in cue_bounds) <= MS
            audio = posixpath.normpath(
                posixpath.join(
                    posixpath.dirname(name),
                    next(etree.fromstring(archive.read(name)).iter(f"{SMIL}audio")).get("src"),
                )
            )
            assert audio in archive.namelist()
    epubcheck(epub)


def test_narrator_and_loudness_report(rendered):
    out, result = rendered
    (m4b,) = [p for p in result.files if p.suffix == ".m4b"]
    tags = MP4(m4b).tags
    assert tags["©wrt"] == ["Ada Reader"] and tags["©pub"] == ["audiobook-tts examples"]
    report = json.loads((out / "loudness.json").read_text())
    assert len(report["files"]) == 4 and report["summary"].startswith("loudness: 4 files")
    m4b_entry = report["files"][-1]
    assert len(m4b_entry["chapters"]) == 3
    for entry in [*report["files"], *m4b_entry["chapters"]]:
        # random-weight audio is spiky noise: each file (and each M4B chapter) meets the target, or is left
        # short of it because the limiter holds it down (reaching -19 would turn most samples down), and says
        # so; no file is over the ceiling
        assert entry["true_peak_db"] <= -3.0, entry
        if abs(entry["lufs"] - -19.0) > 0.5:
            assert any("the limiter holds it down" in problem for problem in entry["problems"]), entry
        assert all(re.search(r" \((the|with the) .+\)$", problem) for problem in entry["problems"]), entry
    for entry in report["files"]:  # the render's warnings: one short line per file that misses
        said = [warning for warning in result.warnings if warning.startswith(entry["path"] + ": ")]
        assert len(said) == (1 if entry["problems"] else 0), said
        assert all(line.endswith(" (why: loudness.json)") and "holds it down" not in line for line in said)


def test_cli_layout_narrator_series_and_loudness_line(tiny_checkpoint, voice_wav, tmp_path):
    out = tmp_path / "library"
    done = subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", "render", str(EXAMPLE_EPUB), "--out", str(out),
         "--config", str(tiny_checkpoint[0]), "--voice", str(voice_wav), "--eos-threshold", "-1e9",
         "--chapters", "1", "--layout", "audiobookshelf", "--narrator", "Ada Reader", "--series", "Almanacs",
         "--series-part", "3", "--subtitles", "vtt"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # the one-line report (random-weight audio may well miss the target: the line says so, not a crash)
    line = r"loudness: 1 files at -\d+\.\d to -\d+\.\d LUFS \(target -19\), true peak <= .*(all pass|FAIL)"
    printed = " ".join((done.stdout + done.stderr).split())  # the display may wrap it to the terminal
    assert re.search(line, printed), printed
    # a partial render (--chapters) goes to its own folder under a title that says so (never the whole book)
    title = "The Lamplighter's Almanac (chapters 1)"
    folder = out / "chapters-1" / "Ada Penrose" / "Almanacs" / f"Vol 3 - {title} {{Ada Reader}}"
    names = sorted(path.name for path in folder.iterdir())
    assert names == [f"{title}.m4b", f"{title}.vtt", "cover.jpg", "desc.txt", "metadata.json", "reader.txt"]
    tags = MP4(folder / f"{title}.m4b").tags
    assert tags["©wrt"] == ["Ada Reader"] and tags["----:com.apple.iTunes:SERIES-PART"] == [b"3"]
    assert not list(out.glob("*.mp3"))  # the layout's default format is m4b alone
    assert json.loads((folder / "metadata.json").read_text())["series"] == ["Almanacs #3"]


def test_profile_names_the_narrator(voice_wav, tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text("voice: fantine\nnarrator: Jane Doe\n", encoding="utf-8")
    assert load_profile(profile).narrator == "Jane Doe"
    assert VoiceSource.parse("fantine", tmp_path).display_name == "Fantine"
    assert VoiceSource.parse(str(voice_wav), tmp_path).display_name is None  # a file name is no narrator
