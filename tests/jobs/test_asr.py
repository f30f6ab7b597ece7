"""The speech-recognition check (jobs/asr.py) on espeak-ng speech made at test time, with words dropped."""

import io
import json
import shutil
import subprocess
import sys
from importlib.util import find_spec

import numpy as np
import pytest
import soundfile
from typer.testing import CliRunner

from audiobook_tts.cli import app
from audiobook_tts.jobs import Job, PlannedChapter, PlannedSegment
from audiobook_tts.jobs.asr import PocketsphinxChecker, WhisperChecker, compare_words
from audiobook_tts.jobs.errors import JobError
from audiobook_tts.jobs.quality import parse_kinds
from tests.fixtures.jobs import VOICE, make_key

ABSENT = [
    name
    for name, found in [
        ("pocketsphinx (the [asr] extra)", find_spec("pocketsphinx")),
        ("espeak-ng", shutil.which("espeak-ng")),
    ]
    if not found
]
speech = pytest.mark.skipif(bool(ABSENT), reason=f"{' and '.join(ABSENT)} not installed")

# espeak-ng's en-us+f3 voice at 175 words a minute: the one benchmarks/asr.py measures by default
VOICE_ARGS = ["-v", "en-us+f3", "-s", "175"]
KING = "The King turned pale, and shut his note-book hastily."
LESSONS = "How can you learn lessons in here?"


def espeak(text: str) -> tuple[np.ndarray, int]:
    wav = subprocess.run(["espeak-ng", *VOICE_ARGS, "--stdout", text], capture_output=True, check=True).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return samples, rate


@pytest.fixture(scope="module")
def checker():
    return PocketsphinxChecker()


@speech
@pytest.mark.parametrize(
    ("text", "spoken", "dropped"),
    [
        (KING, "The King turned pale, and shut note-book hastily.", "his"),
        (LESSONS, "How can you learn lessons in?", "here"),
    ],
)
def test_a_dropped_word_is_flagged_by_name_and_the_intact_sentence_passes(checker, text, spoken, dropped):
    intact = checker.check(*espeak(text), text)
    assert intact.flag() is None, intact
    result = checker.check(*espeak(spoken), text)
    assert result.missing == (dropped,)
    flag = result.flag()
    assert flag is not None and flag.kind == "asr_words" and f"missing: {dropped}" in flag.detail


@speech
def test_added_speech_is_flagged_where_it_is(checker):
    text = "I wonder what they'll do next?"
    result = checker.check(*espeak("I wonder what they'll do next, house?"), text)
    assert result.missing == ()
    assert len(result.added) == 1 and "after 'next'" in result.added[0]


@speech
def test_a_word_outside_the_dictionary_leaves_the_segment_unchecked(checker):
    result = checker.check(*espeak("Zorblax said hello there."), "Zorblax said hello there.")
    assert result.unknown == ("zorblax",) and result.flag() is None


@speech
def test_check_command_flags_the_segment_for_status_and_retake_and_resumes(tmp_path):
    texts = [KING, LESSONS, "I quite forgot you didn't like cats."]
    spoken = [KING, "How can you learn lessons in?", texts[2]]
    segments = [PlannedSegment(make_key(text), text, 0.4, VOICE) for text in texts]
    with Job.open(tmp_path) as job:
        job.set_plan([PlannedChapter(0, "Chapter 1", segments)])
        for segment, said in zip(segments, spoken, strict=True):
            samples, rate = espeak(said)
            job.write_audio(segment.key, samples, rate)

    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "checked 3 segments with pocketsphinx: 1 flagged asr_words" in result.output

    listed = json.loads(CliRunner().invoke(app, ["status", str(tmp_path), "--flags", "--json"]).output)
    flags = [(s["chapter"], s["segment"], f["kind"], f["detail"]) for s in listed for f in s["flags"]]
    assert flags == [(0, 2, "asr_words", "missing: here")]  # chapter index, segment counted from 1

    again = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert "checked 0 segments" in again.output  # already checked: nothing heard twice
    with Job.open(tmp_path) as job:
        assert job.retake_flagged(parse_kinds("asr_words")) == [(0, 1)]


def test_check_refuses_a_folder_without_a_job(tmp_path):
    result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert result.exit_code != 0 and "holds no render job" in result.output


def test_a_missing_extra_is_one_line_with_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)  # as if the [asr] extra were not installed
    with pytest.raises(JobError, match=r'pip install "audiobook-tts\[asr\]"'):
        PocketsphinxChecker()
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    with pytest.raises(JobError, match=r'pip install "audiobook-tts\[whisper\]"'):
        WhisperChecker()


@speech
def test_check_refuses_a_job_a_render_holds(tmp_path):
    with Job.open(tmp_path) as job:  # stands for a running render: it holds the job's lock
        job.set_plan([PlannedChapter(0, "Chapter 1", [PlannedSegment(make_key(KING), KING, 0.4, VOICE)])])
        result = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert isinstance(result.exception, JobError) and "another render is using" in str(result.exception)


def test_a_transcript_is_compared_word_by_word_with_numbers_spelled_out():
    """The faster-whisper backend's comparison (its model needs the hub: the transcripts here are written)."""
    result = compare_words(
        "He paid twenty-five pounds for the old horse.", " He paid 25 pounds for the horse."
    )
    assert (result.missing, result.added) == (("old",), ())
    result = compare_words(
        "It was one thousand, two hundred miles away.", " It was 1,200 miles away, far away."
    )
    assert (result.missing, result.added) == ((), ("far", "away"))
    assert compare_words("The King turned pale.", "the king turned pale").flag() is None
