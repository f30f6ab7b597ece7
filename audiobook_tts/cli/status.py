"""`status`: how far a render got."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from audiobook_tts.cli.app import app, hms
from audiobook_tts.jobs import read_status


@app.command()
def status(
    directory: Annotated[Path, typer.Argument(help="The output directory of a render.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show how far the render in DIRECTORY got: segments and audio done per chapter, and what remains."""
    job = read_status(directory)
    if as_json:
        typer.echo(json.dumps(job.to_json(), indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{directory}: {job.done}/{job.total} segments, {hms(job.seconds)} of audio")
    table.add_column("#", justify="right")
    table.add_column("chapter")
    table.add_column("segments", justify="right")
    table.add_column("audio", justify="right")
    table.add_column("remaining", justify="right")
    for c in job.chapters:
        left = f"{c.remaining} ({c.remaining_chars} chars)" if c.remaining else "done"
        table.add_row(str(c.index), c.title, f"{c.done}/{c.total}", hms(c.seconds), left)
    Console().print(table)
