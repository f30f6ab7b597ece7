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


def load_engine(
    model: str | None, config: str | None, weights: str | None, tokenizer: str | None, **defaults
):
    from audiobook_tts.tts import load_model

    return load_model(model, config=config, weights=weights, tokenizer=tokenizer, **defaults)


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
    batch_size: BatchSizeOption = 16,
    threads: ThreadsOption = None,
    quantize: QuantizeOption = False,
) -> None:
    """Speak TEXT with one voice into a WAV file. A long text's chunks are generated together (batched):
    the first continues the --seed'ed generator, each later one gets its own seed drawn from it."""
    import time

    import torch

    from audiobook_tts.tts import default_voice_source, load_voice, use_fast_kernels
    from audiobook_tts.tts.audio import StreamingWavWriter, write_wav

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        fail("nothing to say: the text is empty")
    engine = load_engine(model, config, weights, tokenizer)
    use_fast_kernels(engine, quantize=quantize)
    if threads is not None:
        torch.set_num_threads(threads)
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
        from audiobook_tts.tts.batch import speak

        audio = speak(engine, state, text, batch_size=batch_size, threads=threads, **options)
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
    from audiobook_tts.tts import default_voice_source, load_voice

    engine = load_engine(model, config, None, None)
    for name in voice or [default_voice_source(engine)]:
        load_voice(engine, name)
    typer.echo(f"ready: {engine.weights_file} and voices {', '.join(voice or ['(default)'])}")


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


# ---- inspect: what would be read, before any audio is made ------------------------------------------------


def token_counter(model: str | None, tokenizer: str | None):
    """(count_tokens, what it is, the model's character replacements) for the text stage.

    The model's own tokenizer when it can be had (a --tokenizer file, or the catalogue model's from the HF
    cache/hub); otherwise a character-based estimate, said so in the output.
    """
    from audiobook_tts.tts import catalogue, load_model_config, load_model_tokenizer

    config = load_model_config(model)
    replace = dict(config.replace_characters)
    try:
        loaded = load_model_tokenizer(config, tokenizer)
    except UserError as error:
        if tokenizer:
            raise
        typer.echo(f"note: token counts are estimated: {error}", err=True)
        note = "estimated token counts (2.5 characters a token; pass --tokenizer FILE for exact ones)"
        return (lambda text: len(text) * 2 // 5 + 1), note, replace
    name = (
        f"tokenizer {tokenizer}" if tokenizer else f"the {model or catalogue.DEFAULT_MODEL} model's tokenizer"
    )
    return (lambda text: len(loaded.encode(text))), name, replace


@app.command()
def inspect(
    book: Annotated[Path, typer.Argument(help="The book file (EPUB, HTML, Markdown or plain text).")],
    segments: Annotated[
        bool, typer.Option("--segments", help="Also print every segment as it will be spoken, and its pause.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print everything as JSON.")] = False,
    include_front_matter: Annotated[
        bool, typer.Option("--include-front-matter", help="Read front and back matter too.")
    ] = False,
    notes: Annotated[
        str, typer.Option("--notes", help="Footnotes and endnotes: drop, inline or chapter_end.")
    ] = "drop",
    model: ModelOption = None,
    tokenizer: TokenizerOption = None,
    max_tokens: Annotated[int, typer.Option(help="The model's token budget per segment.")] = 50,
    wpm: Annotated[float, typer.Option(help="Speaking rate for the estimate (words a minute).")] = 155,
    no_titles: Annotated[bool, typer.Option("--no-titles", help="Do not speak chapter titles.")] = False,
) -> None:
    """Show what BOOK becomes: chapters, words, segments and estimated duration; nothing is synthesised."""
    import dataclasses

    from rich.markup import escape

    from audiobook_tts.ingest import IngestOptions, load_book
    from audiobook_tts.text import TextOptions, prepare_chapter
    from audiobook_tts.text.segments import estimated_seconds, word_count

    if notes not in ("drop", "inline", "chapter_end"):
        fail(f"--notes must be drop, inline or chapter_end, not {notes!r}")
    if max_tokens < 1 or wpm <= 0:
        fail("--max-tokens and --wpm must be positive")
    loaded = load_book(book, IngestOptions(notes=notes, include_front_matter=include_front_matter))
    count_tokens, counter, replace = token_counter(model, tokenizer)
    options = TextOptions(max_tokens=max_tokens, speak_titles=not no_titles, replace_characters=replace)
    if loaded.metadata.language:
        options.language = loaded.metadata.language
    rows = []
    read = 0
    for chapter in loaded.chapters:
        spoken = prepare_chapter(chapter, count_tokens, options)
        read += chapter.included
        rows.append(
            {
                "number": read if chapter.included else None,  # as `render --chapters` and profiles count
                "title": chapter.title,
                "included": chapter.included,
                "excluded_reason": chapter.excluded_reason,
                "words": sum(word_count(s.text) for s in spoken),
                "segments": len(spoken),
                "seconds": round(estimated_seconds(spoken, wpm), 1),
                "max_tokens_used": max((count_tokens(s.text) for s in spoken), default=0),
                "spoken": spoken,
            }
        )
    included = [row for row in rows if row["included"]]
    total_seconds = sum(row["seconds"] for row in included)
    if as_json:
        out = {
            "book": str(book),
            "title": loaded.metadata.title,
            "authors": loaded.metadata.authors,
            "language": loaded.metadata.language,
            "token_counter": counter,
            "max_tokens": max_tokens,
            "words_per_minute": wpm,
            "included_chapters": len(included),
            "words": sum(row["words"] for row in included),
            "segments": sum(row["segments"] for row in included),
            "seconds": round(total_seconds, 1),
            "chapters": [{k: v for k, v in row.items() if k != "spoken"} for row in rows],
        }
        if segments:
            for chapter_out, row in zip(out["chapters"], rows, strict=True):
                chapter_out["segment_list"] = [dataclasses.asdict(s) for s in row["spoken"]]
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    console = Console()
    title = f"{loaded.metadata.title}: {len(included)} of {len(rows)} chapters read, {hms(total_seconds)}"
    caption = f"{counter}; duration at {wpm:g} words a minute plus pauses"
    table = Table(title=escape(title), caption=escape(caption))
    for name, justify in [
        ("#", "right"),
        ("chapter", "left"),
        ("words", "right"),
        ("segments", "right"),
        ("duration", "right"),
        ("read", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        status_text = "yes" if row["included"] else f"no: {row['excluded_reason'] or 'excluded'}"
        table.add_row(
            str(row["number"] or ""),
            escape(row["title"]),
            str(row["words"]),
            str(row["segments"]),
            hms(row["seconds"]) if row["included"] else "",
            escape(status_text),
        )
    console.print(table)
    if segments:
        for row in included:
            console.rule(escape(f"{row['number']}. {row['title']}"))
            for index, s in enumerate(row["spoken"], start=1):
                console.print(
                    f"{index:>5} [dim]{s.pause_after:4.2f}s {count_tokens(s.text):>3}t[/dim] "
                    + escape(s.text),
                    highlight=False,
                )


# ---- render ------------------------------------------------------------------------------------------------


class RenderDisplay:
    """Turns render events into a rich progress display, JSON lines, or nothing (quiet)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.console = Console(stderr=True)
        self.progress = None
        self.started = None

    def __call__(self, event) -> None:
        import dataclasses
        import time

        if self.mode == "json":
            typer.echo(json.dumps(dataclasses.asdict(event), ensure_ascii=False))
            return
        if self.mode == "quiet":
            return
        if event.kind == "voice":
            self.console.print(
                f"[dim]voice {event.message} (from chapter {event.chapter})[/dim]", highlight=False
            )
        elif event.kind == "plan":
            self.started = time.perf_counter()
            self.start(event.total)
        elif event.kind == "segment":
            elapsed = time.perf_counter() - self.started
            rtf = event.audio_seconds / elapsed if elapsed > 0 else 0.0
            self.progress.update(
                self.book_task,
                completed=event.done,
                info=f"{hms(event.audio_seconds)} audio, {rtf:.1f}x real time",
            )
            self.progress.update(
                self.chapter_task,
                completed=event.chapter_done,
                total=event.chapter_total,
                description=f"ch. {event.chapter}: {event.chapter_title[:30]}",
            )
        elif event.kind == "assemble":
            self.stop()
            self.console.print(event.message + " ...")

    def start(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("segments"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
        )
        self.progress.start()
        self.book_task = self.progress.add_task("book", total=total, info="")
        self.chapter_task = self.progress.add_task("chapter", total=1, info="")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


@app.command()
def render(
    book: Annotated[Path, typer.Argument(help="The book: EPUB, HTML, Markdown or plain text.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: next to the book, named after it)."),
    ] = None,
    voice: VoiceOption = None,
    profile: Annotated[
        Path | None, typer.Option(help="A voice profile (YAML): voices per chapter, settings, lexicon.")
    ] = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    weights: WeightsOption = None,
    tokenizer: TokenizerOption = None,
    formats: Annotated[str, typer.Option("--format", help="Outputs, comma-separated: m4b, mp3.")] = "m4b,mp3",
    chapters: Annotated[
        str | None, typer.Option(help="Render only these chapters, e.g. 1-3,7 (1 = the first one read).")
    ] = None,
    preview: Annotated[
        float | None,
        typer.Option(help="Render about SECONDS of each chapter into OUT/preview, for a quick listen."),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Discard this book's earlier job and start over.")
    ] = False,
    temperature: Annotated[
        float | None, typer.Option(help="Sampling temperature; default from the model.")
    ] = None,
    eos_threshold: Annotated[
        float | None, typer.Option(help="End-of-speech logit threshold; default from the model.")
    ] = None,
    frames_after_eos: Annotated[
        int | None, typer.Option(help="80 ms frames kept after end-of-speech.")
    ] = None,
    include_front_matter: Annotated[
        bool, typer.Option("--include-front-matter", help="Also read front and back matter.")
    ] = False,
    notes: Annotated[
        str | None, typer.Option(help="Footnotes and endnotes: drop (default), inline or chapter_end.")
    ] = None,
    subtitles: Annotated[bool, typer.Option("--subtitles", help="Write .srt/.vtt beside each file.")] = False,
    acx: Annotated[
        bool, typer.Option("--acx", help="ACX preset: 44.1 kHz 192k CBR MP3, room tone, loudness for ACX.")
    ] = False,
    lufs: Annotated[float, typer.Option(help="Integrated loudness target (LUFS).")] = -19.0,
    ffmpeg: Annotated[
        str | None, typer.Option(help="The ffmpeg to use (default: PATH, else bundled).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Progress and result as JSON lines.")] = False,
    batch_size: BatchSizeOption = 16,
    threads: ThreadsOption = None,
    quantize: QuantizeOption = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Processes rendering at once, sharing --threads (each gets threads/N); for many cores.",
        ),
    ] = 1,
) -> None:
    """Render BOOK into an M4B with chapters and an MP3 per chapter. Interrupt it at any time and run the
    same command again: it resumes where it stopped."""
    from audiobook_tts.assemble import AssembleOptions
    from audiobook_tts.profiles import GenerationSettings
    from audiobook_tts.render import RenderOptions, render_book

    chosen = frozenset(f.strip().lower() for f in formats.split(",") if f.strip())
    if not chosen or not chosen <= {"m4b", "mp3"}:
        fail(f"--format {formats!r}: choose m4b, mp3 or both (m4b,mp3)")
    if notes is not None and notes not in ("drop", "inline", "chapter_end"):
        fail(f"--notes {notes!r}: choose drop, inline or chapter_end")
    options = RenderOptions(
        out_dir=out,
        profile=profile,
        model=model,
        config=config,
        weights=weights,
        tokenizer=tokenizer,
        voice=voice,
        generation=GenerationSettings(temperature, eos_threshold, frames_after_eos),
        include_front_matter=include_front_matter or None,
        notes=notes,
        chapters=chapters,
        preview_seconds=preview,
        fresh=fresh,
        batch_size=batch_size,
        threads=threads,
        quantize=quantize,
        workers=workers,
        assemble=AssembleOptions(
            formats=chosen,
            target_lufs=lufs,
            preset="acx" if acx else None,
            subtitles=subtitles,
            ffmpeg=ffmpeg,
        ),
    )
    display = RenderDisplay("json" if as_json else "quiet" if quiet else "rich")
    try:
        result = render_book(book, options, display)
    except KeyboardInterrupt:
        display.stop()
        typer.echo("interrupted: finished segments are kept; run the same command again to resume", err=True)
        raise typer.Exit(130) from None
    finally:
        display.stop()
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    summary = {
        "out_dir": str(result.out_dir),
        "files": [str(f) for f in result.files],
        "rendered": result.rendered,
        "reused": result.reused,
        "audio_seconds": round(result.audio_seconds, 3),
        "wall_seconds": round(result.wall_seconds, 3),
    }
    if as_json:
        typer.echo(json.dumps({"kind": "result", **summary}, ensure_ascii=False))
        return
    speed = result.audio_seconds / result.wall_seconds if result.wall_seconds else 0.0
    typer.echo(
        f"{result.out_dir}: {len(result.files)} files; {result.rendered} segments rendered "
        f"({hms(result.audio_seconds)} of audio, {speed:.1f}x real time), {result.reused} already done"
    )
    for path in result.files:
        typer.echo(f"  {path}")


def main() -> None:
    """Entry point: user errors become one line and exit code 1."""
    try:
        app()
    except UserError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
