"""`check`: the optional speech-recognition check of a render's segments (jobs/asr.py, extra [asr])."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import track

from audiobook_tts.cli.app import app, fail
from audiobook_tts.jobs import Job
from audiobook_tts.jobs.asr import BACKENDS, load_checker
from audiobook_tts.jobs.job import JOB_DIRNAME


@app.command()
def check(
    directory: Annotated[Path, typer.Argument(help="The output directory of a render.")],
    backend: Annotated[
        str,
        typer.Option(
            help="pocketsphinx (its model ships inside the package) or faster-whisper (downloads its model "
            "from the Hugging Face hub on first use).",
        ),
    ] = "pocketsphinx",
    again: Annotated[bool, typer.Option("--again", help="Check segments already checked, too.")] = False,
) -> None:
    """Listen to each rendered segment in DIRECTORY with a speech recogniser and flag those whose words
    differ from their text: a word missing, or speech the text does not have (flag asr_words; list them with
    `status --flags`, render them again with `render BOOK --retake asr_words`). Needs the [asr] extra:
    pip install "audiobook-tts[asr]". English only; a segment with a word outside the recogniser's
    dictionary (a name, a foreign word) is left unchecked and counted. It resumes: a segment already checked
    is skipped, a re-take is checked anew. benchmarks/asr.py measures how often it is right."""
    if backend not in BACKENDS:
        fail(f"--backend {backend}: use one of {', '.join(BACKENDS)}")
    if not (directory / JOB_DIRNAME / "index.sqlite").is_file():
        fail(f"{directory} holds no render job; render into it first")
    checker = load_checker(backend)
    with Job.open(directory) as job:  # JobError if a render holds it
        todo = job.unchecked_words(backend, again=again)
        flagged, unchecked, lost, unknown = 0, 0, 0, set[str]()
        for key, text, sample_rate in track(todo, description="listening", transient=True):
            result = checker.check(job.read_audio(key), sample_rate, text)
            job.record_word_check(key, backend, result)
            flagged += result.flag() is not None
            unchecked += bool(result.unknown)
            lost += not result.aligned
            unknown.update(result.unknown)
    checked = len(todo) - unchecked
    typer.echo(f"checked {segments(checked)} with {backend}: {flagged} flagged asr_words")
    if lost > max(2, checked // 5):
        typer.echo(
            f"the recogniser could not follow {lost} of them at all: its model may not suit this voice, so "
            "take these flags as hints (benchmarks/asr.py measures a voice)"
        )
    if unchecked:
        words = ", ".join(sorted(unknown)[:8]) + (", ..." if len(unknown) > 8 else "")
        typer.echo(
            f"{segments(unchecked)} left unchecked: words outside the recogniser's dictionary ({words})"
        )
    if flagged:
        typer.echo(f"list them: audiobook-tts status {directory} --flags")


def segments(count: int) -> str:
    return f"{count} segment{'' if count == 1 else 's'}"
