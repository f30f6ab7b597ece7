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


# ---- the engine: say, voices, export-voice ---------------------------------------------------------------

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


def load_engine(
    model: str | None, config: str | None, weights: str | None, tokenizer: str | None, **defaults
):
    from audiobook_tts.tts import load_model

    return load_model(model, config=config, weights=weights, tokenizer=tokenizer, **defaults)


def default_voice_source(engine) -> str:
    """The catalogue's voice for a released model; with custom weights, that voice's recording is cloned."""
    from audiobook_tts.tts import catalogue

    name = catalogue.default_voice(engine.catalogue_name or catalogue.DEFAULT_MODEL)
    return name if engine.catalogue_name else catalogue.VOICES[name].source


@app.command()
def say(
    text: Annotated[str, typer.Argument(help="The text to speak; '-' reads it from standard input.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output WAV file (24 kHz mono 16-bit).")],
    voice: VoiceOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    weights: WeightsOption = None,
    tokenizer: TokenizerOption = None,
    seed: Annotated[
        int | None,
        typer.Option(help="Seed torch's generator just before the voice is loaded: same seed, same audio."),
    ] = None,
    temperature: Annotated[
        float | None, typer.Option(help="Sampling temperature (noise variance); default from the model.")
    ] = None,
    eos_threshold: Annotated[
        float | None, typer.Option(help="End-of-speech logit threshold; default from the model.")
    ] = None,
    frames_after_eos: Annotated[
        int | None, typer.Option(help="80 ms frames kept after end-of-speech; default 3 (5 for short texts).")
    ] = None,
    stream: Annotated[
        bool, typer.Option("--stream", help="Write audio to OUT as it is generated, frame by frame.")
    ] = False,
) -> None:
    """Speak TEXT with one voice into a WAV file."""
    import time

    import torch

    from audiobook_tts.tts import load_voice
    from audiobook_tts.tts.audio import StreamingWavWriter, write_wav

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        fail("nothing to say: the text is empty")
    engine = load_engine(model, config, weights, tokenizer)
    if seed is not None:
        torch.manual_seed(seed)
    state = load_voice(engine, voice or default_voice_source(engine))
    options = dict(temperature=temperature, eos_threshold=eos_threshold, frames_after_eos=frames_after_eos)
    started = time.perf_counter()
    if stream:
        first_audio = None
        with StreamingWavWriter(out, engine.sample_rate) as writer:
            for frame in engine.stream(state, text, **options):
                first_audio = first_audio or time.perf_counter() - started
                writer.write(frame)
        seconds = writer.samples / engine.sample_rate
        typer.echo(f"first audio after {first_audio or 0:.2f} s", err=True)
    else:
        audio = engine.generate(state, text, **options)
        write_wav(out, audio, engine.sample_rate)
        seconds = audio.numel() / engine.sample_rate
    elapsed = time.perf_counter() - started
    typer.echo(
        f"{out}: {seconds:.1f} s of audio in {elapsed:.1f} s ({seconds / max(elapsed, 1e-9):.2f}x real time)"
    )


@app.command()
def voices() -> None:
    """List the catalogue's predefined voices, with language and where each recording comes from."""
    from audiobook_tts.tts import catalogue

    table = Table(
        title=f"Predefined voices (licences of the source recordings: {catalogue.VOICE_LICENCES_URL})"
    )
    table.add_column("voice")
    table.add_column("language")
    table.add_column("source recording")
    table.add_column("collection")
    for v in sorted(catalogue.VOICES.values(), key=lambda v: (v.language != "en", v.language, v.name)):
        table.add_row(v.name, v.language, v.source, v.collection)
    Console().print(table)
    typer.echo("Models: " + ", ".join(catalogue.model_names()))
    typer.echo(
        "Any audio file (WAV/MP3/FLAC, a few seconds of clean speech) can be cloned with --voice FILE."
    )


@app.command("export-voice")
def export_voice(
    audio: Annotated[
        str, typer.Argument(help="Audio to clone (WAV/MP3/FLAC/OGG), or a catalogue voice name.")
    ],
    out: Annotated[Path, typer.Argument(help="Where to write the voice state (.safetensors).")],
    model: ModelOption = None,
    config: ConfigOption = None,
    weights: WeightsOption = None,
    tokenizer: TokenizerOption = None,
    max_seconds: Annotated[
        float | None, typer.Option(help="Use only the first SECONDS of the audio (default: all).")
    ] = None,
) -> None:
    """Compute a voice state once and save it; `--voice OUT.safetensors` then skips the cloning step."""
    from audiobook_tts.tts import load_voice
    from audiobook_tts.tts.model import save_voice_state

    engine = load_engine(model, config, weights, tokenizer)
    state = load_voice(engine, audio, max_seconds=max_seconds)
    save_voice_state(state, out)
    typer.echo(f"{out}: voice state of {int(state.offset.max())} positions")


def main() -> None:
    """Entry point: user errors become one line and exit code 1."""
    try:
        app()
    except UserError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
