"""`serve`: the studio, a local web app over render jobs (audiobook_tts/studio)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audiobook_tts.cli.app import (
    BatchSizeOption,
    ConfigOption,
    EosThresholdOption,
    FramesAfterEosOption,
    ModelOption,
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
def serve(
    folders: Annotated[
        list[Path] | None,
        typer.Argument(help="Folders holding render jobs (or whose subfolders do); default: this folder."),
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; any other than 127.0.0.1 requires the token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None, typer.Option(help="The token other machines must give (default: generated and printed).")
    ] = None,
    max_upload_mb: Annotated[int, typer.Option(min=1, help="Largest book upload accepted, in MB.")] = 64,
    voice: VoiceOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    weights: WeightsOption = None,
    tokenizer: TokenizerOption = None,
    temperature: TemperatureOption = None,
    eos_threshold: EosThresholdOption = None,
    frames_after_eos: FramesAfterEosOption = None,
    batch_size: BatchSizeOption = DEFAULT_BATCH_SIZE,
    threads: ThreadsOption = None,
) -> None:
    """Open the studio: listen to each segment of your renders, see the flagged ones, re-take or edit a
    sentence, add a pronunciation, upload a new book. The model and voice options are those of books
    started from the studio; jobs rendered before keep their own."""
    try:
        from audiobook_tts.studio.server import serve as run
    except ImportError as error:
        fail(f"the studio needs its extra ({error.name} is missing): pip install 'audiobook-tts[studio]'")
    from audiobook_tts.render import RenderOptions
    from audiobook_tts.tts.options import GenerationOptions

    new_books = RenderOptions(
        model=model,
        config=config,
        weights=weights,
        tokenizer=tokenizer,
        voice=voice,
        generation=GenerationOptions(temperature, eos_threshold, frames_after_eos),
        batch_size=batch_size,
        threads=threads,
    )
    run(folders or [Path.cwd()], host, port, token, max_upload_mb, new_books=new_books, announce=typer.echo)
