"""The book commands: `inspect` shows the plan a render would follow; `render` follows it."""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audiobook_tts.cli.app import (
    CODE_MODES,
    TABLES_MODES,
    BatchSizeOption,
    CodeOption,
    ConfigOption,
    EosThresholdOption,
    FramesAfterEosOption,
    FrontMatterOption,
    LanguageOption,
    ModelOption,
    NotesOption,
    PrecisionOption,
    ProfileOption,
    QuantizeOption,
    TablesOption,
    TemperatureOption,
    ThreadsOption,
    TokenizerOption,
    VoiceOption,
    WeightsOption,
    app,
    check_choice,
    check_notes,
    fail,
    hms,
)
from audiobook_tts.cli.display import RenderDisplay, WarningSummary
from audiobook_tts.tts.options import DEFAULT_BATCH_SIZE
from audiobook_tts.tts.text_prep import MAX_TOKENS_PER_CHUNK

if TYPE_CHECKING:
    from audiobook_tts.render.types import RenderEvent
    from audiobook_tts.text import Segment


@dataclasses.dataclass
class _ChapterRow:
    """One chapter as `inspect` shows it (its fields but `spoken` are the JSON chapter, in this order)."""

    number: int | None  # as `render --chapters` and profiles count
    title: str
    included: bool
    excluded_reason: str | None
    words: int
    segments: int
    seconds: float
    max_tokens_used: int
    omissions: list[str]  # tables and code blocks announced or skipped
    spoken: list[Segment]


@app.command()
def inspect(
    book: Annotated[
        Path, typer.Argument(metavar="BOOK", help="The book file (EPUB, HTML, Markdown or plain text).")
    ],
    segments: Annotated[
        bool, typer.Option("--segments", help="Also print every segment as it will be spoken, and its pause.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print everything as JSON.")] = False,
    profile: ProfileOption = None,
    include_front_matter: FrontMatterOption = None,
    notes: NotesOption = None,
    tables: TablesOption = None,
    code: CodeOption = None,
    language: LanguageOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    tokenizer: TokenizerOption = None,
    max_tokens: Annotated[
        int, typer.Option(help="The model's token budget per segment.")
    ] = MAX_TOKENS_PER_CHUNK,
    wpm: Annotated[float, typer.Option(help="Speaking rate for the estimate (words a minute).")] = 155,
    titles: Annotated[
        bool | None,
        typer.Option(
            "--titles/--no-titles", help="Speak chapter titles, or not (default: the profile's, else yes)."
        ),
    ] = None,
) -> None:
    """Show what BOOK becomes: chapters, words, segments and estimated duration, as `render` with the same
    options would speak it; nothing is synthesised."""
    from audiobook_tts.render import RenderOptions, inspect_book
    from audiobook_tts.text.segments import estimated_seconds, word_count
    from audiobook_tts.tts.options import GenerationOptions

    notes_mode = check_notes(notes)
    check_choice("--tables", tables, TABLES_MODES)
    check_choice("--code", code, CODE_MODES)
    if max_tokens < 1 or wpm <= 0:
        fail("--max-tokens and --wpm must be positive")
    options = RenderOptions(
        profile=profile,
        model=model,
        config=config,
        tokenizer=tokenizer,
        generation=GenerationOptions(max_tokens=max_tokens),
        include_front_matter=include_front_matter,
        notes=notes_mode,
        tables=tables,  # type: ignore[arg-type]  # checked above
        code=code,  # type: ignore[arg-type]
        language=language,
        speak_titles=titles,
    )
    inspection = inspect_book(book, options)
    facts = inspection.model
    if facts.estimate_reason:
        typer.echo(f"note: token counts are estimated: {facts.estimate_reason}", err=True)
    count_tokens, meta = facts.count_tokens, inspection.book.metadata
    if not as_json:
        for warning in inspection.plan.warnings:
            typer.echo(f"warning: {warning}", err=True)
    rows = [
        _ChapterRow(
            number=c.number,
            title=c.chapter.listed_title,
            included=c.chapter.included,
            excluded_reason=c.chapter.excluded_reason,
            words=sum(word_count(s.text) for s in c.spoken),
            segments=len(c.spoken),
            seconds=round(estimated_seconds(c.spoken, wpm), 1),
            max_tokens_used=max((count_tokens(s.text) for s in c.spoken), default=0),
            omissions=c.chapter.omissions,
            spoken=c.spoken,
        )
        for c in inspection.chapters
    ]
    included = [row for row in rows if row.included]
    total_seconds = sum(row.seconds for row in included)
    if as_json:
        chapters = []
        for row in rows:
            fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(row) if f.name != "spoken"}
            if segments:
                fields["segment_list"] = [dataclasses.asdict(s) for s in row.spoken]
            chapters.append(fields)
        out = {
            "book": str(book),
            "title": meta.title,
            "authors": meta.authors,
            "language": meta.language,
            "token_counter": facts.token_counter,
            "max_tokens": max_tokens,
            "words_per_minute": wpm,
            "included_chapters": len(included),
            "words": sum(row.words for row in included),
            "segments": sum(row.segments for row in included),
            "seconds": round(total_seconds, 1),
            "warnings": inspection.plan.warnings,
            "chapters": chapters,
        }
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    console = Console()
    title = f"{meta.title}: {len(included)} of {len(rows)} chapters read, {hms(total_seconds)}"
    caption = f"{facts.token_counter}; duration at {wpm:g} words a minute plus pauses"
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
        status_text = "yes" if row.included else f"no: {row.excluded_reason or 'excluded'}"
        table.add_row(
            str(row.number or ""),
            escape(row.title),
            str(row.words),
            str(row.segments),
            hms(row.seconds) if row.included else "",
            escape(status_text),
        )
    console.print(table)
    omitted = [row for row in included if row.omissions]
    if omitted:
        console.print("Announced or skipped instead of read:")
    for row in omitted:  # "table, 4 rows: skipped" and the like, counted per chapter
        kinds = Counter((o.split(",")[0], o.rsplit(": ", 1)[-1]) for o in row.omissions)
        said = "; ".join(f"{n} {kind}{'s' * (n > 1)} {outcome}" for (kind, outcome), n in kinds.items())
        console.print(escape(f"  {row.number}. {row.title}: {said}"), highlight=False)
    if segments:
        for row in included:
            console.rule(escape(f"{row.number}. {row.title}"))
            for index, s in enumerate(row.spoken, start=1):
                console.print(
                    f"{index:>5} [dim]{s.pause_after:4.2f}s {count_tokens(s.text):>3}t[/dim] "
                    + escape(s.text),
                    highlight=False,
                    soft_wrap=not console.is_terminal,  # into a file or grep: one line a segment
                )


@dataclasses.dataclass
class Stop:
    """The stop signals (SIGTERM, SIGHUP) a render has received; `check` turns them into an interrupt."""

    signals: list[int] = dataclasses.field(default_factory=list)

    def check(self) -> None:
        """Raise KeyboardInterrupt, in the main thread, once a stop signal has come: at every check, so an
        interrupt some code swallowed is raised again at the next one, but never while one is already
        being handled (a `finally` or `except` block cleaning up after it, or a generator closing)."""
        handled = sys.exc_info()[1]
        if (
            self.signals
            and threading.current_thread() is threading.main_thread()
            and not isinstance(handled, (KeyboardInterrupt, GeneratorExit))
        ):
            raise KeyboardInterrupt

    @property
    def exit_code(self) -> int:
        return 128 + (self.signals[0] if self.signals else signal.SIGINT)  # as the shell expects


@contextmanager
def stop_on_signals() -> Iterator[Stop]:
    """SIGTERM (`kill`, a service manager, a closing terminal's SIGHUP) stops the render the way Ctrl-C does:
    a KeyboardInterrupt unwinds it, removing its temp files, and the same message is printed. The handler
    raises it at once, wherever the main thread is; where that code swallows it (a finalizer, which can only
    print it; the render then ran to its end), `Stop.check` raises it again at the next progress event.
    Only noting the signal and leaving the raise to `check` would wait for that event: a group's segments
    are stored together, so a full-size render went on for 10-16 s after SIGTERM."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def interrupt(number: int, frame: object) -> None:
        stop.signals.append(number)
        raise KeyboardInterrupt

    def unraisable(error) -> None:
        if not isinstance(error.exc_value, KeyboardInterrupt):  # ours, swallowed: `check` raises it again
            hook(error)

    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGTERM, signal.SIGHUP)}
    hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield stop
    finally:
        sys.unraisablehook = hook
        for number, handler in previous.items():
            signal.signal(number, handler)


@app.command()
def render(
    book: Annotated[
        Path, typer.Argument(metavar="BOOK", help="The book: EPUB, HTML, Markdown or plain text.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: next to the book, named after it)."),
    ] = None,
    voice: VoiceOption = None,
    profile: ProfileOption = None,
    model: ModelOption = None,
    config: ConfigOption = None,
    weights: WeightsOption = None,
    tokenizer: TokenizerOption = None,
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            help="Outputs, comma-separated: m4b, mp3, epub (a read-along EPUB 3: the book's text highlighted "
            "sentence by sentence as it is spoken). Default: m4b,mp3; m4b with --layout audiobookshelf.",
        ),
    ] = "",
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
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --fresh: discard the job's fixes without asking.")
    ] = False,
    retake: Annotated[
        str | None,
        typer.Option(
            help="Render again, each with its next take, the segments flagged so: 'flagged' (any flag) or "
            "flag kinds, e.g. clipping,too_short (see `status --flags`).",
        ),
    ] = None,
    temperature: TemperatureOption = None,
    eos_threshold: EosThresholdOption = None,
    frames_after_eos: FramesAfterEosOption = None,
    include_front_matter: FrontMatterOption = None,
    notes: NotesOption = None,
    tables: TablesOption = None,
    code: CodeOption = None,
    language: LanguageOption = None,
    subtitles: Annotated[
        str | None,
        typer.Option(help="Captions beside each MP3 and the M4B, one cue per sentence: srt, vtt or srt,vtt."),
    ] = None,
    narrator: Annotated[
        str | None,
        typer.Option(help="Who reads, for the tags (default: the profile's narrator:, else the voice name)."),
    ] = None,
    series: Annotated[
        str | None, typer.Option(help="Series name for the tags (default: the book's).")
    ] = None,
    series_part: Annotated[
        str | None, typer.Option(help="Number in the series, e.g. 2 or 1.5 (default: the book's).")
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            help="audiobookshelf: put the book in OUT/Author/Series/Vol N - Title {Narrator}/ with desc.txt, "
            "reader.txt and metadata.json, as Audiobookshelf's scanner reads a library."
        ),
    ] = None,
    acx: Annotated[
        bool, typer.Option("--acx", help="ACX preset: 44.1 kHz 192k CBR MP3, room tone, loudness for ACX.")
    ] = False,
    lufs: Annotated[float, typer.Option(help="Integrated loudness target (LUFS).")] = -19.0,
    ffmpeg: Annotated[
        str | None,
        typer.Option(
            help="The ffmpeg to use (default: the one bundled with imageio-ffmpeg). One older than 7, e.g. "
            "Debian 12's /usr/bin/ffmpeg, assembles with ~15% less CPU (README, Speed)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Progress and result as JSON lines.")] = False,
    batch_size: BatchSizeOption = DEFAULT_BATCH_SIZE,
    threads: ThreadsOption = None,
    quantize: QuantizeOption = False,
    precision: PrecisionOption = "float32",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Processes rendering at once, sharing --threads (each gets threads/N); for many cores.",
        ),
    ] = 1,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Render on Ray actors: ray (a Ray of this machine), auto (the cluster this machine is in), "
            'HOST:PORT or ray://HOST:PORT. Needs pip install "audiobook-tts[cluster]".',
        ),
    ] = None,
    actors: Annotated[
        int | None,
        typer.Option("--actors", min=1, help="Renderer actors (default: as many as the cluster's CPUs fit)."),
    ] = None,
    actor_threads: Annotated[
        int,
        typer.Option("--actor-threads", min=1, help="Torch threads per actor (Ray reserves as many CPUs)."),
    ] = 1,
    actor_memory: Annotated[
        float, typer.Option("--actor-memory", min=0.1, help="GB of memory Ray reserves for each actor.")
    ] = 2.0,
    ship_model: Annotated[
        bool,
        typer.Option("--ship-model", help="Send the model files to the actors (nodes without hub access)."),
    ] = False,
) -> None:
    """Render BOOK into an M4B with chapters and an MP3 per chapter. Interrupt it at any time and run the
    same command again: it resumes where it stopped."""
    if layout not in (None, "audiobookshelf"):
        fail(f"--layout {layout!r}: the one layout is audiobookshelf")
    formats = formats or ("m4b" if layout else "m4b,mp3")
    chosen = frozenset(f.strip().lower() for f in formats.split(",") if f.strip())
    if not chosen or not chosen <= {"m4b", "mp3", "epub"}:
        fail(f"--format {formats!r}: choose m4b, mp3, epub or several, comma-separated (e.g. m4b,epub)")
    captions = tuple(s.strip().lower() for s in (subtitles or "").split(",") if s.strip())
    if not set(captions) <= {"srt", "vtt"}:
        fail(f"--subtitles {subtitles!r}: choose srt, vtt or srt,vtt")
    notes_mode = check_notes(notes)
    check_choice("--tables", tables, TABLES_MODES)
    check_choice("--code", code, CODE_MODES)
    if cluster is not None and workers > 1:
        fail("--cluster and --workers: choose one (on a cluster, --actors and --actor-threads size the work)")
    if fresh:  # before the progress display starts: it may ask a question
        from audiobook_tts.render import default_out_dir

        confirm_discarding_fixes(out or default_out_dir(book), yes)
    display = RenderDisplay("json" if as_json else "quiet" if quiet else "rich")
    display.loading(f"book {book.name}")  # at once: importing the render takes seconds on a slow machine

    from audiobook_tts.assemble import AssembleOptions
    from audiobook_tts.render import RenderOptions, render_book
    from audiobook_tts.render.types import ClusterOptions
    from audiobook_tts.tts.options import GenerationOptions

    options = RenderOptions(
        out_dir=out,
        profile=profile,
        model=model,
        config=config,
        weights=weights,
        tokenizer=tokenizer,
        voice=voice,
        generation=GenerationOptions(temperature, eos_threshold, frames_after_eos),
        include_front_matter=include_front_matter,
        notes=notes_mode,
        tables=tables,  # type: ignore[arg-type]  # checked above
        code=code,  # type: ignore[arg-type]
        language=language,
        chapters=chapters,
        preview_seconds=preview,
        fresh=fresh,
        retake=retake,
        batch_size=batch_size,
        threads=threads,
        quantize=quantize,
        precision=precision,
        workers=workers,
        cluster=None
        if cluster is None
        else ClusterOptions(cluster, actors, actor_threads, int(actor_memory * 1024**3), ship_model),
        narrator=narrator,
        series=series,
        series_part=series_part,
        layout="audiobookshelf" if layout else None,  # (the one layout, checked above)
        assemble=AssembleOptions(
            formats=chosen,
            target_lufs=lufs,
            preset="acx" if acx else None,
            subtitles=captions,
            ffmpeg=ffmpeg,
        ),
    )
    warnings = WarningSummary()  # the library's warnings, each kind once, after the display
    logging.getLogger("audiobook_tts").addHandler(warnings)
    stop = Stop()
    try:
        with stop_on_signals() as stop:

            def progress(event: RenderEvent) -> None:
                stop.check()
                display(event)

            result = render_book(book, options, progress)
            stop.check()
    except KeyboardInterrupt:
        display.stop()
        typer.echo("interrupted: finished segments are kept; run the same command again to resume", err=True)
        raise typer.Exit(stop.exit_code) from None
    finally:
        display.stop()
        logging.getLogger("audiobook_tts").removeHandler(warnings)
        for line in warnings.lines():
            typer.echo(f"warning: {line}", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    summary = {
        "out_dir": str(result.out_dir),
        "files": [str(f) for f in result.files],
        "rendered": result.rendered,
        "reused": result.reused,
        "audio_seconds": round(result.audio_seconds, 3),
        "generation_seconds": round(result.generation_seconds, 3),
        "speed": round(result.speed, 2),
        "book_seconds": round(result.book_seconds, 3),
        "wall_seconds": round(result.wall_seconds, 3),
    }
    if as_json:
        typer.echo(json.dumps({"kind": "result", **summary}, ensure_ascii=False))
        return
    length = f"{hms(result.book_seconds)} long with its pauses"
    typer.echo(f"{result.out_dir}: {len(result.files)} files, {length}, made in {hms(result.wall_seconds)}")
    typer.echo(
        f"{result.rendered} segments rendered ({hms(result.audio_seconds)} of speech at "
        f"{result.speed:.1f}x real time), {result.reused} already done"
    )
    for path in result.files:
        typer.echo(f"  {path}")


def confirm_discarding_fixes(out_dir: Path, yes: bool) -> None:
    """--fresh deletes the job, and with it the fixes made in the studio: list them and ask first."""
    from audiobook_tts.jobs.job import JOB_DIRNAME, read_fixes

    if yes or not (out_dir / JOB_DIRNAME / "index.sqlite").is_file():
        return
    fixes = read_fixes(out_dir)
    if not fixes:
        return
    lines = fixes.describe()
    typer.echo(f"--fresh discards these {len(lines)} fixes of {out_dir}:", err=True)
    for line in lines[:20]:
        typer.echo(f"  {line}", err=True)
    if len(lines) > 20:
        typer.echo(f"  ... and {len(lines) - 20} more", err=True)
    if not sys.stdin.isatty():
        fail("--fresh would discard the fixes above; add --yes to discard them")
    if not typer.confirm("Discard them and start over?", err=True):
        raise typer.Exit(1)
