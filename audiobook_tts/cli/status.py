"""`status`: how far a render got."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audiobook_tts.cli.app import app, hms
from audiobook_tts.jobs import read_status
from audiobook_tts.jobs.job import read_flags


@app.command()
def status(
    directory: Annotated[Path, typer.Argument(help="The output directory of a render.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
    flags: Annotated[
        bool, typer.Option("--flags", help="List the segments with quality flags (see `render --retake`).")
    ] = False,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify", help="Check every segment file's checksum, not only its size (reads all the audio)."
        ),
    ] = False,
) -> None:
    """Show how far the render in DIRECTORY got: segments done per chapter, their speech and how long it
    lasts with its pauses (as in the M4B), what remains, and whether the finished files (M4B, MP3s) are
    complete, stale or missing. Nothing in DIRECTORY is changed."""
    if flags:
        show_flags(directory, as_json)
        return
    job = read_status(directory, verify=verify)
    if as_json:
        typer.echo(json.dumps(job.to_json(), indent=2, ensure_ascii=False))
        return
    table = Table(
        title=f"{directory}: {job.done}/{job.total} segments, {hms(job.seconds)} of speech, "
        f"{hms(job.seconds_with_pauses)} long with its pauses",
        caption="speech: the audio rendered; with pauses: its length in the M4B",
    )
    table.add_column("#", justify="right")
    table.add_column("chapter")
    table.add_column("segments", justify="right")
    table.add_column("speech", justify="right")
    table.add_column("with pauses", justify="right")
    table.add_column("remaining", justify="right")
    for c in job.chapters:
        left = f"{c.remaining} ({c.remaining_chars} chars)" if c.remaining else "done"
        table.add_row(
            str(c.index), c.title, f"{c.done}/{c.total}", hms(c.seconds), hms(c.seconds_with_pauses), left
        )
    Console().print(table)
    checked = "checksum" if job.verified else "size (--verify checks checksums)"
    if job.damaged:
        typer.echo(
            f"{job.damaged} segment files are missing or damaged (checked by {checked}); the next render "
            "redoes them"
        )
    for output in job.outputs:
        state = {
            "complete": "complete",
            "stale": "stale: the book or settings changed since; render again to update them",
            "missing": f"missing {', '.join(map(str, output.missing))}; render again to make them",
        }[output.state]
        typer.echo(f"{output.target} files ({len(output.files)}): {state}")
    if not job.outputs:
        typer.echo("finished files: none yet")


def show_flags(directory: Path, as_json: bool) -> None:
    """Every flagged segment of the job: where it is, what it says and what was measured."""
    flagged = [segment for segment in read_flags(directory) if segment.flags]
    if as_json:
        rows = [
            {
                "chapter": s.chapter,
                "segment": s.position + 1,
                "key": s.key,
                "text": s.text,
                "flags": [{"kind": f.kind, "detail": f.detail} for f in s.flags],
            }
            for s in flagged
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{directory}: {len(flagged)} flagged segments")
    table.add_column("chapter", justify="right")
    table.add_column("segment", justify="right")
    table.add_column("flags")
    table.add_column("text")
    for s in flagged:
        kinds = "\n".join(f"{f.kind}: {f.detail}" for f in s.flags)
        text = s.text if len(s.text) <= 60 else s.text[:57] + "..."
        table.add_row(str(s.chapter), str(s.position + 1), escape(kinds), escape(text))
    Console().print(table)
