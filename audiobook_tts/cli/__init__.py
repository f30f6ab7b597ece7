"""The `audiobook-tts` command: a thin shell that parses options, calls the library and prints.

app.py      the typer app, the one-line failure and the options commands share
status.py   status
speech.py   say, voices, download, export-voice
book.py     inspect, render (display.py: the render's progress)
studio.py   serve
check.py    check (the speech-recognition check)
"""

from __future__ import annotations

import sys

import typer

from audiobook_tts.cli import book, check, speech, status, studio  # noqa: F401 - each registers its commands on `app`
from audiobook_tts.cli.app import app, fail, hms
from audiobook_tts.errors import UserError

__all__ = ["app", "fail", "hms", "main"]


def main() -> None:
    """Entry point: user errors become one line and exit code 1."""
    try:
        app()
    except UserError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
