"""The engine's commands: `say`, `voices`, `download` and `export-voice`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from audiobook_tts.cli.app import (
    BatchSizeOption,
    ConfigOption,
    EosThresholdOption,
    FramesAfterEosOption,
    ModelOption,
    PrecisionOption,
    QuantizeOption,
    TemperatureOption,
    ThreadsOption,
    TokenizerOption,
    VoiceOption,
    WeightsOption,
    app,
    fail,
)
from audiobook_tts.tts.options import DEFAULT_BATCH_SIZE


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
    temperature: TemperatureOption = None,
    eos_threshold: EosThresholdOption = None,
    frames_after_eos: FramesAfterEosOption = None,
    stream: Annotated[
        bool, typer.Option("--stream", help="Write audio to OUT as it is generated, frame by frame.")
    ] = False,
    batch_size: BatchSizeOption = DEFAULT_BATCH_SIZE,
    threads: ThreadsOption = None,
    quantize: QuantizeOption = False,
    precision: PrecisionOption = "float32",
) -> None:
    """Speak TEXT with one voice into a WAV file. A long text's chunks are generated together (batched):
    the first continues the --seed'ed generator, each later one gets its own seed drawn from it."""
    import time

    import torch

    from audiobook_tts.render import ModelChoice, load_engine
    from audiobook_tts.tts import check_model_files, default_voice_source, load_voice
    from audiobook_tts.tts.audio import StreamingWavWriter, write_wav
    from audiobook_tts.tts.options import GenerationOptions

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        fail("nothing to say: the text is empty")
    options = GenerationOptions(temperature, eos_threshold, frames_after_eos)
    choice = ModelChoice(model, config, weights, tokenizer, quantize, precision)
    voice = voice or default_voice_source(choice.catalogue_name)
    check_model_files(model, config=config, weights=weights, tokenizer=tokenizer, voices=[voice])
    engine = load_engine(choice)
    if threads is not None:
        torch.set_num_threads(threads)
    if seed is not None:
        torch.manual_seed(seed)
    state = load_voice(engine, voice, notify=print_note)
    started = time.perf_counter()
    if stream:
        first_audio = None
        with StreamingWavWriter(out, engine.sample_rate) as writer:
            for frame in engine.stream(state, text, options):
                first_audio = first_audio or time.perf_counter() - started
                writer.write(frame)
        seconds = writer.samples / engine.sample_rate
        typer.echo(f"first audio after {first_audio or 0:.2f} s", err=True)
    else:
        from audiobook_tts.tts.batch import speak

        audio = speak(engine, state, text, options, batch_size=batch_size, threads=threads)
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


@app.command()
def download(
    voice: Annotated[
        list[str] | None,
        typer.Option("--voice", help="Voices to fetch too (repeatable); default: the model's."),
    ] = None,
    model: ModelOption = None,
    config: ConfigOption = None,
) -> None:
    """Fetch a model and voices into the Hugging Face cache now, so later runs need no network."""
    from audiobook_tts.tts import catalogue, check_model_files, default_voice_source, load_model, load_voice

    voices = voice or [default_voice_source((model or catalogue.DEFAULT_MODEL) if config is None else None)]
    check_model_files(model, config=config, voices=voices)  # offline: every missing file named at once
    engine = load_model(model, config=config)
    for name in voices:
        load_voice(engine, name)
    typer.echo(f"ready: {engine.weights_file} and voices {', '.join(voice or ['(default)'])}")


def print_note(note: str) -> None:
    typer.echo(f"note: {note}", err=True)


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
        float | None,
        typer.Option(help="Clone from the first SECONDS of the audio (default and most: 30, as Pocket TTS)."),
    ] = None,
) -> None:
    """Compute a voice state once and save it; `--voice OUT.safetensors` then skips the cloning step."""
    from audiobook_tts.tts import load_model, load_voice
    from audiobook_tts.tts.model import save_voice_state

    engine = load_model(model, config=config, weights=weights, tokenizer=tokenizer)
    state = load_voice(engine, audio, max_seconds=max_seconds, notify=print_note)
    save_voice_state(state, out)
    typer.echo(f"{out}: voice state of {int(state.offset.max())} positions")
