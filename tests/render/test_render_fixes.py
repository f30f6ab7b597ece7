"""The job's fixes in a real render (tiny random weights, real files): each changes exactly its segments'
keys, survives resume, and --retake / --fresh / status --flags do what they say."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from typer.testing import CliRunner

from audiobook_tts.cli import app
from audiobook_tts.jobs import Job
from audiobook_tts.jobs.fixes import ChapterFix, SegmentFix
from audiobook_tts.jobs.quality import Measures
from audiobook_tts.jobs.source import decode_options
from audiobook_tts.render import RenderError, RenderOptions, render_book
from tests.render import test_render_book
from tests.render.test_render_book import EXAMPLE_MD, FAST

options = test_render_book.options  # the same fixture: render options for the tiny checkpoint


def plan_of(out_dir: Path) -> dict[tuple[int, int], tuple[str, str]]:
    with Job.open(out_dir) as job:
        return {(c.index, p): (s.key, s.text) for c in job.plan() for p, s in enumerate(c.segments)}


def changed(before: dict, after: dict) -> set:
    assert before.keys() == after.keys()
    return {place for place in before if before[place][0] != after[place][0]}


def test_fixes_rerender_only_their_segments_and_survive_resume(options, voice_wav, tmp_path):
    first = render_book(EXAMPLE_MD, options())
    before = plan_of(first.out_dir)
    other_voice = tmp_path / "other.wav"
    samples, rate = soundfile.read(voice_wav, dtype="float32")
    soundfile.write(other_voice, samples[::-1].copy(), rate)
    with Job.open(first.out_dir) as job:
        source = job.source()
        job.set_segment_fix(1, 1, SegmentFix(before[(1, 1)][1], text="Every evening, at a quarter past six."))
        job.set_segment_fix(2, 0, SegmentFix(before[(2, 0)][1], voice=str(other_voice)))
        job.set_chapter_fix(3, ChapterFix(settings={"temperature": 0.5}))

    second = render_book(EXAMPLE_MD, options())
    after = plan_of(second.out_dir)
    chapter_3 = {place for place in before if place[0] == 3}
    assert changed(before, after) == {(1, 1), (2, 0)} | chapter_3
    assert second.rendered == 2 + len(chapter_3)
    assert after[(1, 1)][1] == "Every evening, at a quarter past six."
    with Job.open(second.out_dir) as job:
        assert job.fixes().bases == {(1, 1): before[(1, 1)][1]}
        voices = {s.voice_id for c in job.plan() for s in c.segments}
    assert len(voices) == 2

    third = render_book(EXAMPLE_MD, options())  # a resume: the fixes hold, nothing to render
    assert third.rendered == 0 and plan_of(third.out_dir) == after

    # What the studio renders again from: the book and the options, paths absolute, never --fresh.
    recorded = decode_options(RenderOptions, source["options"])
    assert source["book"] == str(EXAMPLE_MD.resolve()) and source["title"] == "The Lamplighter's Almanac"
    assert recorded.generation == FAST and Path(recorded.voice).is_absolute() and recorded.fresh is False
    assert recorded.out_dir == (tmp_path / "out").resolve()


def test_retake_renders_the_flagged_segments_with_their_next_take(options):
    first = render_book(EXAMPLE_MD, options())
    before = plan_of(first.out_dir)
    key = before[(2, 3)][0]
    with Job.open(first.out_dir) as job:  # as if this segment had come out clipped
        job.record_quality(key, Measures(1.0, 1.0, 1.0, 0.0, clipped=500))
    runner = CliRunner()
    listed = runner.invoke(app, ["status", str(first.out_dir), "--flags", "--json"])
    assert listed.exit_code == 0, listed.output
    clipped = [row for row in json.loads(listed.output) if "clipping" in {f["kind"] for f in row["flags"]}]
    assert [(row["chapter"], row["segment"]) for row in clipped] == [(2, 4)]

    second = render_book(EXAMPLE_MD, options(retake="clipping"))
    after = plan_of(second.out_dir)
    assert changed(before, after) == {(2, 3)} and second.rendered == 1
    with Job.open(second.out_dir) as job:
        assert job.fixes().segments[(2, 3)].take == 1
    assert render_book(EXAMPLE_MD, options()).rendered == 0  # the chosen take is kept

    with pytest.raises(RenderError, match="not a flag"):
        render_book(EXAMPLE_MD, options(retake="loudness"))


def test_fresh_lists_the_fixes_and_asks_before_discarding_them(options, tiny_checkpoint, voice_wav, tmp_path):
    out = render_book(EXAMPLE_MD, options()).out_dir
    with Job.open(out) as job:
        job.set_pronunciation("lamp", "lahmp")
    args = [
        "render", str(EXAMPLE_MD), "--out", str(out), "--config", str(tiny_checkpoint[0]),
        "--voice", str(voice_wav), "--eos-threshold", "-1e9", "--quiet", "--fresh",
    ]  # fmt: skip
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1
    assert "pronounce 'lamp' as 'lahmp'" in refused.output and "--yes" in refused.output
    with Job.open(out) as job:
        assert job.fixes().lexicon == {"lamp": "lahmp"}
    done = CliRunner().invoke(app, [*args, "--yes"])
    assert done.exit_code == 0, done.output
    with Job.open(out) as job:
        assert not job.fixes()


def test_quality_is_measured_as_segments_are_stored(options):
    out = render_book(EXAMPLE_MD, options()).out_dir
    with Job.open(out) as job:
        flagged = job.flags()
        keys = [s.key for c in job.plan() for s in c.segments]
        audio = job.read_audio(keys[0])
    assert len(flagged) == len(keys)
    # Random weights stopped at the earliest end of speech: long sentences come out far too short.
    assert any("too_short" in {f.kind for f in s.flags} for s in flagged)
    assert np.isfinite(audio).all()
