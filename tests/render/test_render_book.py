"""The render command end to end: real books, the real engine (tiny random weights), real ffmpeg and files.

With random weights the end-of-speech head fires at random; an EOS threshold of -1e9 makes every segment
end at the engine's earliest stop (6 frames + frames after EOS, about 0.7 s), which keeps whole books fast.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from typer.testing import CliRunner

from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.cli import app
from audiobook_tts.ingest import load_book
from audiobook_tts.jobs import Job
from audiobook_tts.profiles import Profile
from audiobook_tts.render import RenderError, RenderOptions, inspect_book, render_book
from audiobook_tts.render.book import VoiceNames, model_choice
from audiobook_tts.render.engine import planning_facts
from audiobook_tts.render.plan import GROUP_BATCHES, build_plan, read_book
from audiobook_tts.tts.options import GenerationOptions
from tests.fixtures.audio import decode, ffmetadata_chapters
from tests.fixtures.shared import CORPUS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_EPUB = ROOT / "examples" / "the-lamplighters-almanac.epub"
EXAMPLE_MD = ROOT / "examples" / "the-lamplighters-almanac.md"
FAST = GenerationOptions(eos_threshold=-1e9)


@pytest.fixture
def options(tiny_checkpoint, voice_wav, tmp_path):
    def make(**changes) -> RenderOptions:
        values = dict(
            out_dir=tmp_path / "out", config=str(tiny_checkpoint[0]), voice=str(voice_wav), generation=FAST
        )
        values.update(changes)
        return RenderOptions(**values)

    return make


def cli_args(tiny_checkpoint, voice_wav, book: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "audiobook_tts.cli", "render", str(book), "--out", str(out),
        "--config", str(tiny_checkpoint[0]), "--voice", str(voice_wav), "--eos-threshold", "-1e9", "--quiet",
    ]  # fmt: skip


def outputs(out_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out_dir.iterdir()) if p.is_file()}


def test_example_epub_becomes_tagged_mp3s_and_chaptered_m4b(options):
    result = render_book(EXAMPLE_EPUB, options())
    book = load_book(EXAMPLE_EPUB)
    titles = [c.title for c in book.chapters if c.included]
    assert titles == [
        "Chapter 1: The Last Lamp on Quay Street",
        "Chapter 2: A Clock That Ran Fast",
        "Chapter 3: Waiting for the Tide",
    ]
    mp3s = sorted(p for p in result.files if p.suffix == ".mp3")
    (m4b,) = [p for p in result.files if p.suffix == ".m4b"]
    assert len(mp3s) == 3 and result.rendered > 10 and result.reused == 0

    ffmpeg = find_ffmpeg(None)
    chapters = ffmetadata_chapters(ffmpeg, m4b)
    assert [title for _, _, _, title in chapters] == titles
    # Each chapter's MP3 lasts as long as its chapter in the M4B (within one AAC/MP3 frame).
    for mp3, (timebase, start, end, _) in zip(mp3s, chapters, strict=True):
        num, den = map(int, timebase.split("/"))
        m4b_seconds = (end - start) * num / den
        mp3_seconds = len(decode(ffmpeg, mp3)) / 24000
        assert abs(m4b_seconds - mp3_seconds) < 0.05, (mp3.name, m4b_seconds, mp3_seconds)

    tags = ID3(mp3s[1])
    assert str(tags["TIT2"]) == titles[1]
    assert str(tags["TALB"]) == "The Lamplighter's Almanac"
    assert str(tags["TPE1"]) == "Ada Penrose"
    assert str(tags["TRCK"]) == "2/3"
    assert tags.getall("APIC") and tags.getall("APIC")[0].data == book.metadata.cover.data
    mp4 = MP4(m4b)
    assert mp4.tags["\xa9nam"] == ["The Lamplighter's Almanac"]
    assert mp4.tags["\xa9ART"] == ["Ada Penrose"]
    assert mp4.tags["stik"] == [2]
    assert mp4.tags["covr"]


def test_chapters_are_assembled_beside_the_render_into_the_files_of_the_finished_job(options):
    """A chapter is encoded as soon as its segments are stored: chapter 1's MP3 and the M4B's AAC stream are
    being written (hidden partial files) while later segments are still to come. The files are the same
    bytes as an assembly of the finished job, where every chapter is complete when it starts."""
    out = options().out_dir
    first_stored, seen = [False], []
    patterns = (".01 - *.mp3.partial", ".*.aac.mp4.partial")  # chapter 1's MP3, the M4B's AAC stream

    def progress(event):
        if event.kind != "segment":
            return
        if first_stored[0] and event.done < event.total and len(seen) < 2:
            deadline = time.monotonic() + 120  # the background assembly has been told chapter 1 is stored
            while time.monotonic() < deadline and len(seen) < 2:  # (ffmpeg creates its file when fed)
                seen[:] = sorted(p.name for pattern in patterns for p in out.glob(pattern))
                time.sleep(0.02)
        first_stored[0] |= event.chapter == 1 and event.chapter_done == event.chapter_total

    # one at a time, the segments are stored in book order (a batch of 16 would hold this whole short book)
    result = render_book(EXAMPLE_EPUB, options(batch_size=1), progress)
    assert seen == [
        ".01 - Chapter 1 The Last Lamp on Quay Street.mp3.partial",
        ".The Lamplighter's Almanac.aac.mp4.partial",
    ]
    overlapped = outputs(out)
    assert not [name for name in overlapped if name.startswith(".")]  # every partial renamed or removed

    for path in result.files:
        path.unlink()
    again = render_book(EXAMPLE_EPUB, options(batch_size=1))
    assert again.rendered == 0 and again.files == result.files
    assert outputs(out) == overlapped


def test_rerun_renders_nothing_and_writes_the_same_files(options):
    first = render_book(EXAMPLE_MD, options())
    before = outputs(first.out_dir)
    second = render_book(EXAMPLE_MD, options())
    assert second.rendered == 0 and second.reused == first.rendered
    assert outputs(second.out_dir) == before


def test_editing_one_paragraph_renders_only_its_segments(options, tmp_path):
    book = tmp_path / "book.md"
    text = EXAMPLE_MD.read_text(encoding="utf-8")
    book.write_text(text, encoding="utf-8")
    first = render_book(book, options())
    keys_before = {s.key for c in first.chapters for s in c.segments}

    edited = text.replace("The children did not understand this", "The children never understood this")
    assert edited != text
    book.write_text(edited, encoding="utf-8")
    second = render_book(book, options())
    keys_after = {s.key for c in second.chapters for s in c.segments}
    changed = keys_after - keys_before
    assert 1 <= len(changed) <= 2  # the edited paragraph's segments, nothing else
    assert second.rendered == len(changed)
    assert second.reused == len(keys_after) - len(changed)


def test_chapter_selection_and_preview(options, tmp_path):
    result = render_book(EXAMPLE_MD, options(chapters="2-3", preview_seconds=3))
    assert [c.index for c in result.chapters] == [2, 3]
    assert all(p.parent == tmp_path / "out" / "preview" for p in result.files)
    with pytest.raises(RenderError, match="the book has 3 chapters"):
        render_book(EXAMPLE_MD, options(chapters="5"))


def test_real_book_chapters_become_m4b_chapter_markers(options):
    """Alice (EPUB 2, chapters at #anchors): a short preview of every chapter, markers named as its TOC."""
    book_path = CORPUS / "alice-gutenberg-pg11.epub"
    result = render_book(book_path, options(preview_seconds=2, assemble=_m4b_only()))
    (m4b,) = [path for path in result.files if path.suffix == ".m4b"]  # and loudness.json
    titles = [title for _, _, _, title in ffmetadata_chapters(find_ffmpeg(None), m4b)]
    assert len(titles) == 12
    assert titles == [c.title for c in load_book(book_path).chapters if c.included]
    assert titles[0].startswith("CHAPTER I.")


def _m4b_only():
    from audiobook_tts.assemble import AssembleOptions

    return AssembleOptions(formats=frozenset({"m4b"}))


def test_two_narrators_profile(options, voice_wav, tmp_path):
    second_voice = tmp_path / "second.wav"
    shutil.copy(voice_wav, second_voice)
    with open(second_voice, "r+b") as f:  # a different recording: the first second of speech cut away
        f.truncate(os.path.getsize(second_voice) - 48000)
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        f"voice: {voice_wav}\nchapters:\n  - range: '2'\n    voice: second.wav\n", encoding="utf-8"
    )
    result = render_book(EXAMPLE_MD, options(voice=None, profile=profile))
    voices = [{s.voice_id for s in c.segments} for c in result.chapters]
    assert voices[0] == voices[2] and voices[0] != voices[1] and all(len(v) == 1 for v in voices)
    mp3 = next(p for p in result.files if p.suffix == ".mp3")
    assert "TCOM" not in ID3(mp3)  # cloned voices have no name to show: a file name is no narrator


def test_inspect_with_a_profile_prints_what_the_render_stored(options, tiny_checkpoint, voice_wav, tmp_path):
    """inspect and render build one plan: the segments (text and pause) `inspect --segments --profile` prints
    are those the render's job stored, profile choices (lexicon, pauses, titles) included."""
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        f"voice: {voice_wav}\ntext:\n  speak_titles: false\n"
        "lexicon:\n  lamp: lantern\npauses:\n  sentence: 0.5\n",
        encoding="utf-8",
    )
    result = render_book(EXAMPLE_MD, options(voice=None, profile=profile, chapters="2", preview_seconds=1))
    with Job.open(result.out_dir) as job:
        stored = [[(s.text, s.pause_after) for s in c.segments] for c in job.plan()]
    args = ["inspect", str(EXAMPLE_MD), "--segments", "--json", "--profile", str(profile)]
    inspected = CliRunner().invoke(app, [*args, "--config", str(tiny_checkpoint[0])])
    assert inspected.exit_code == 0, inspected.output
    chapters = [c for c in json.loads(inspected.stdout)["chapters"] if c["included"]]
    printed = [[(s["text"], s["pause_after"]) for s in c["segment_list"]] for c in chapters]
    assert printed == stored and len(stored) == 3
    texts = [text for chapter in printed for text, _ in chapter]
    assert any("lantern" in text for text in texts) and not any(" lamp " in text for text in texts)
    assert not any(text.startswith("Chapter 1") for text in texts)  # titles are not spoken


# Batched renders are exact on resume because a group of the plan is always re-rendered whole (see
# render/groups.py); trees.epub has 53 segments: one group by default, four groups at batch size 4.
@pytest.mark.parametrize(
    "batch_args", [[], pytest.param(["--batch-size", "4"], marks=pytest.mark.slow)], ids=["default", "batch4"]
)
def test_kill_at_random_points_then_resume_gives_identical_files(
    tiny_checkpoint, voice_wav, tmp_path, batch_args
):
    book = CORPUS / "trees.epub"
    reference = tmp_path / "uninterrupted"
    subprocess.run(
        cli_args(tiny_checkpoint, voice_wav, book, reference) + batch_args, check=True, timeout=600
    )

    crashed = tmp_path / "crashed"
    audio_dir = crashed / ".audiobook-tts" / "audio"
    rng = random.Random(1234)
    total = len(list((reference / ".audiobook-tts" / "audio").glob("*.f32")))
    kills = 0
    for threshold in sorted(rng.sample(range(1, total), 3)):
        process = subprocess.Popen(cli_args(tiny_checkpoint, voice_wav, book, crashed) + batch_args)
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            if audio_dir.exists() and len(list(audio_dir.glob("*.f32"))) >= threshold:
                time.sleep(rng.uniform(0, 0.3))  # land anywhere: mid-segment, mid-write, between
                process.send_signal(signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.005)
        process.wait()
    assert kills >= 1
    subprocess.run(cli_args(tiny_checkpoint, voice_wav, book, crashed) + batch_args, check=True, timeout=600)
    assert outputs(crashed) == outputs(reference)
    with Job.open(crashed) as job:
        assert job.status().done == job.status().total


@pytest.mark.slow
def test_second_render_of_the_same_job_is_refused(tiny_checkpoint, voice_wav, tmp_path):
    out = tmp_path / "out"
    book = CORPUS / "moby-dick.epub"  # long enough that the first render still runs when the second starts
    process = subprocess.Popen(cli_args(tiny_checkpoint, voice_wav, book, out))
    try:
        while not (out / ".audiobook-tts" / "index.sqlite").exists():
            time.sleep(0.01)
        second = subprocess.run(
            cli_args(tiny_checkpoint, voice_wav, book, out), capture_output=True, text=True
        )
        assert second.returncode == 1
        assert "another render is using" in second.stderr and len(second.stderr.strip().splitlines()) == 1
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # One voice parser and one range reader for the CLI and profiles, with their messages.
        (["--voice", "no-such-voice.wav"], "--voice audio 'no-such-voice.wav' not found: no file"),
        (["--chapters", "3-1"], "'3-1' runs backwards; write it as 1-3"),
        (["--format", "ogg"], "choose m4b, mp3"),
    ],
)
def test_bad_options_give_one_line(tiny_checkpoint, voice_wav, tmp_path, args, message):
    base = cli_args(tiny_checkpoint, voice_wav, EXAMPLE_MD, tmp_path / "out")
    run = subprocess.run(base + args, capture_output=True, text=True)
    assert run.returncode == 1
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_missing_ffmpeg_stops_before_any_rendering(options, tmp_path):
    from audiobook_tts.assemble import AssembleError, AssembleOptions

    with pytest.raises(AssembleError, match="ffmpeg not found"):
        render_book(EXAMPLE_MD, options(assemble=AssembleOptions(ffmpeg=str(tmp_path / "no-ffmpeg"))))
    assert not (tmp_path / "out" / ".audiobook-tts").exists()


def test_an_encoder_that_fails_stops_the_render_after_its_first_segment(options, tmp_path):
    """The one-second test encode runs once the first segment is stored (it must not delay it), and before
    the rest: a bad encoder option stops the render with one line, keeping that segment for the next run."""
    from audiobook_tts.assemble import AssembleError, AssembleOptions

    with pytest.raises(AssembleError, match="failed a one-second test encode"):
        render_book(EXAMPLE_MD, options(assemble=AssembleOptions(mp3_bitrate="lots")))
    assert len(list((tmp_path / "out" / ".audiobook-tts" / "audio").iterdir())) == 1
    result = render_book(EXAMPLE_MD, options())
    assert result.reused == 1 and result.rendered > 1


@pytest.mark.slow
def test_quick_start_command_with_the_catalogue_model_from_the_hub_cache(fake_hub_files, tmp_path):
    """The README's command (`render BOOK --voice fantine`), the full-size english model and voice coming
    from the Hugging Face cache (random weights under the real names); chapter 1 only, to stay quick."""
    book = tmp_path / EXAMPLE_EPUB.name
    shutil.copy(EXAMPLE_EPUB, book)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(fake_hub_files.cache_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", "render", str(book), "--voice", "fantine",
         "--chapters", "1", "--eos-threshold", "-1e9", "--quiet"],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = tmp_path / "the-lamplighters-almanac" / "chapters-1"  # a partial render: its own folder and title
    assert (out / "The Lamplighter's Almanac (chapters 1).m4b").is_file()
    assert str(ID3(out / "01 - Chapter 1 The Last Lamp on Quay Street.mp3")["TCOM"]) == "Fantine"


def test_the_first_segment_is_a_group_of_its_own(options):
    """Alone in its batch the first segment is stored within seconds (a row of a full batch runs ~5x
    slower); the other groups are whole batches' worth, as before."""
    plan = inspect_book(EXAMPLE_MD, options(batch_size=4)).plan
    assert plan.groups[0] == range(0, 1)
    assert all(len(group) == 4 * GROUP_BATCHES for group in plan.groups[1:-1])
    assert [i for group in plan.groups for i in group] == list(range(len(plan.tasks)))


@pytest.mark.parametrize(
    "changes",
    [{}, {"chapters": "2-3"}, {"chapters": "2", "preview_seconds": 2}],
    ids=["book", "chapters", "preview"],
)
def test_the_first_task_planned_alone_is_the_whole_plans(options, changes):
    """A render stores the first segment before it plans the rest: planned alone, it has the whole plan's key
    and group."""
    opts = options(**changes)
    profile = Profile(path=Path("(command line)"))
    book = read_book(EXAMPLE_MD, profile, opts)
    facts = planning_facts(model_choice(opts, profile))
    whole = build_plan(book, profile, opts, facts, VoiceNames())
    alone = build_plan(book, profile, opts, facts, VoiceNames(), first_task_only=True)
    assert alone.tasks[0].key == whole.tasks[0].key and alone.groups[0] == whole.groups[0] == range(0, 1)
    assert alone.chapters[-1].index == whole.work[0].index < whole.chapters[-1].index


def test_the_first_segment_stored_before_the_plan_is_what_the_runner_stores(options, tmp_path, monkeypatch):
    events = []
    first = render_book(EXAMPLE_MD, options(chapters="1"), events.append)
    kinds = [e.kind for e in events]
    assert kinds.index("first") < kinds.index("plan")
    early = events[kinds.index("first")]
    segments = [e for e in events if e.kind == "segment"]
    # counted as rendered in this run, with the time it took
    assert segments[0].rendered_seconds == early.rendered_seconds > 0 and first.rendered == len(segments)
    assert segments[0].generation_seconds > early.generation_seconds > 0

    # the same render with the runner storing the first segment itself: the same files, bit for bit
    monkeypatch.setattr("audiobook_tts.render.book.render_first_segment", lambda *args: None)
    events = []
    second = render_book(EXAMPLE_MD, options(chapters="1", out_dir=tmp_path / "runner"), events.append)
    assert "first" not in [e.kind for e in events] and second.rendered == first.rendered
    assert outputs(tmp_path / "runner" / "chapters-1") == outputs(tmp_path / "out" / "chapters-1")
