"""The `audiobook-tts` command: a thin shell that parses options, calls the library and prints."""

from __future__ import annotations

import sys

import typer

from audiobook_tts.errors import UserError

app = typer.Typer(
    help="Turn books into finished, tagged audiobooks on a CPU, with our own Pocket TTS engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> None:
    """Print one readable line to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def main() -> None:
    """Entry point: user errors become one line and exit code 1."""
    try:
        app()
    except UserError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
