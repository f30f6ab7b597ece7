"""The typer app every command module registers on, its one-line failure, and the options commands share."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Annotated

import typer

from audiobook_tts.ingest.options import LONG_TABLE_ROWS, CodeMode, NotesMode, TablesMode

NOTES_MODES: tuple[str, ...] = typing.get_args(NotesMode)
TABLES_MODES: tuple[str, ...] = typing.get_args(TablesMode)
CODE_MODES: tuple[str, ...] = typing.get_args(CodeMode)

app = typer.Typer(
    help="Turn books into finished, tagged audiobooks on a CPU, with our own Pocket TTS engine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: a flag is `--fresh`, not `--fresh <bool>`; fits 80 columns
)


@app.callback()
def _commands() -> None:
    # An explicit callback keeps every command a subcommand (`audiobook-tts status DIR`), however many exist.
    pass


def fail(message: str) -> typing.NoReturn:
    """Print one readable line to stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def hms(seconds: float) -> str:
    """Seconds as h:mm:ss."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def check_notes(notes: str | None) -> NotesMode | None:
    """`--notes` as a notes mode (None: the profile's or the default), or the one-line error."""
    check_choice("--notes", notes, NOTES_MODES)
    return typing.cast("NotesMode | None", notes)  # one of NOTES_MODES, checked just above


def check_choice(option: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        fail(f"{option} must be {', '.join(choices[:-1])} or {choices[-1]}, not {value!r}")


NotesOption = Annotated[
    str | None, typer.Option("--notes", help="Footnotes and endnotes: drop (default), inline or chapter_end.")
]
TablesOption = Annotated[
    str | None,
    typer.Option(
        "--tables",
        help="Tables: read (default; row by row, 'header: cell'; a table of figures over "
        f"{LONG_TABLE_ROWS} rows is announced), read-all, announce or skip.",
    ),
]
CodeOption = Annotated[
    str | None,
    typer.Option("--code", help="Code blocks: announce (default; 'Code example: ...'), read or skip."),
]
LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--language",
        help="Language numbers, Roman numerals and dates are read in (en, fr, de, it, es, pt); "
        "default: the model's, else the book's.",
    ),
]


FrontMatterOption = Annotated[
    bool | None,
    typer.Option(
        "--include-front-matter/--no-include-front-matter",
        help="Read front and back matter too, or not (default: as the profile says, else not).",
    ),
]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="Catalogue model name (see `voices`); default: english.")
]
ConfigOption = Annotated[
    str | None,
    typer.Option("--config", help="Model config: a local YAML file or an hf://repo/path@rev path."),
]
WeightsOption = Annotated[
    str | None,
    typer.Option("--weights", help="Weights .safetensors replacing the config's (local or hf://)."),
]
TokenizerOption = Annotated[
    str | None, typer.Option("--tokenizer", help="Tokenizer (.model or .json) replacing the config's.")
]
VoiceOption = Annotated[
    str | None,
    typer.Option(
        "--voice",
        help="A catalogue voice name (see `voices`), an audio file to clone (WAV/MP3/FLAC), "
        "or a voice-state .safetensors file. Default: the model's default voice.",
    ),
]
BatchSizeOption = Annotated[
    int,
    typer.Option(
        "--batch-size",
        min=1,
        help="Segments generated together (faster on a CPU); 1 = one at a time, the reference's exact noise.",
    ),
]
ThreadsOption = Annotated[
    int | None, typer.Option("--threads", min=1, help="CPU threads to use (default: all cores).")
]
QuantizeOption = Annotated[
    bool,
    typer.Option(
        "--quantize",
        help="int8 weights for the FlowLM: faster, slightly different audio (quality unmeasured).",
    ),
]
PrecisionOption = Annotated[
    str,
    typer.Option(
        "--precision",
        help="float32 (default, matches the reference) or bf16: bfloat16 Mimi and FlowLM linear layers on "
        "CPUs with AVX-512 BF16 / AMX; faster, slightly different audio (SNR ~48 dB vs float32 on random "
        "weights; quality with the real weights unmeasured).",
    ),
]
TemperatureOption = Annotated[
    float | None, typer.Option(help="Sampling temperature (noise variance, >= 0); default from the model.")
]
EosThresholdOption = Annotated[
    float | None, typer.Option(help="End-of-speech logit threshold; default from the model.")
]
FramesAfterEosOption = Annotated[
    int | None, typer.Option(help="80 ms frames kept after end-of-speech; default 3 (5 for short texts).")
]
ProfileOption = Annotated[
    Path | None, typer.Option(help="A voice profile (YAML): voices per chapter, settings, lexicon.")
]
