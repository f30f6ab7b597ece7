"""The `audiobook-tts` command: a thin shell that parses options, calls the library and prints."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import read_status

app = typer.Typer(
    help="Turn books into finished, tagged audiobooks on a CPU, with our own Pocket TTS engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _commands() -> None:
    # An explicit callback keeps every command a subcommand (`audiobook-tts status DIR`), however many exist.
    pass


def fail(message: str) -> None:
    """Print one readable line to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def hms(seconds: float) -> str:
    """Seconds as h:mm:ss."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


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


def main() -> None:
    """Entry point: user errors become one line and exit code 1."""
    try:
        app()
    except UserError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
