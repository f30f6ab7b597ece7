"""Render a book into an audiobook: the main job, as a library function the CLI only wraps.

    book    = ingest.load_book(path)                       every chapter, front matter marked
    plan    = per chapter read: its voice and settings (profile), its segments (text stage), a key per segment
    job     = jobs.Job in OUT/.audiobook-tts: the plan, voice states and every finished segment's audio
    render  = each segment whose key has no verified audio: seed from the key, generate, store (crash-safe)
    output  = assemble: pauses between segments, loudness, MP3 per chapter and one M4B with chapters

A segment's audio is a pure function of its key (text, voice state, model, settings; the seed is derived from
the key), so a killed render resumes by skipping every key already stored, and ends with the same files.
By default segments are rendered in batches (render_batched.py): there a segment's audio also depends, in the
last float bits, on its batch companions, so batches are formed from fixed groups of the plan and a group is
always rendered whole; a resumed render still ends with byte-identical files (same options and threads).
`batch_size=1` is the one-at-a-time path, seeded through torch's global generator like the reference.
`workers > 1` shares the same groups out to worker processes (render_workers.py), with the same audio.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audiobook_tts.assemble import (
    AssembleOptions,
    AssembleResult,
    AudioPiece,
    BookTags,
    ChapterAudio,
    assemble,
)
from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.errors import UserError
from audiobook_tts.ingest import Book, Chapter, load_book
from audiobook_tts.jobs import Job, PlannedChapter, PlannedSegment, segment_key, segment_seed, voice_id
from audiobook_tts.jobs.store import file_sha256
from audiobook_tts.profiles import GenerationSettings, Profile, Voice, load_profile
from audiobook_tts.text import TextOptions, prepare_chapter

# Bump when a change to the engine changes the audio of a key, so old jobs do not mix two engines' output.
ENGINE_REVISION = "pocket-tts-4.0.1/1"
SAMPLE_RATE = 24_000


class RenderError(UserError):
    """A render that cannot go on; what is already rendered stays in the job."""


@dataclass(frozen=True)
class RenderOptions:
    out_dir: Path | None = None  # default: next to the book, named after it
    profile: Path | None = None
    # Model and voice: explicit values here win over the profile's.
    model: str | None = None
    config: str | None = None
    weights: str | None = None
    tokenizer: str | None = None
    voice: str | None = None
    generation: GenerationSettings = GenerationSettings()
    # Reading choices that replace the profile's when set (None: the profile's, else the default).
    include_front_matter: bool | None = None
    notes: str | None = None  # drop, inline or chapter_end
    chapters: str | None = None  # "1-3,7": chapter numbers among those read (1 = the first)
    preview_seconds: float | None = None  # render only about this much of each chapter, into OUT/preview
    fresh: bool = False  # discard the job's previous state first
    assemble: AssembleOptions = AssembleOptions()
    # Speed: segments stepping together (1 = one at a time), CPU threads (None: all cores), int8 FlowLM,
    # worker processes sharing the threads (render_workers.py).
    batch_size: int = 16
    threads: int | None = None
    quantize: bool = False
    workers: int = 1


@dataclass(frozen=True)
class RenderEvent:
    """Progress, for a progress bar or a JSON line: `kind` is plan, voice, segment, assemble or done."""

    kind: str
    chapter: int = 0  # chapter number (1-based) for segment events
    chapter_title: str = ""
    done: int = 0  # segments with audio, whole job
    total: int = 0
    chapter_done: int = 0
    chapter_total: int = 0
    audio_seconds: float = 0.0  # audio rendered in this run
    rendered_seconds: float = 0.0  # of it, just now (0 when a stored segment was found)
    message: str = ""


@dataclass
class RenderResult:
    out_dir: Path
    files: list[Path]
    chapters: list[PlannedChapter]
    rendered: int  # segments generated in this run
    reused: int  # segments found in the job
    audio_seconds: float  # generated in this run
    wall_seconds: float
    warnings: list[str] = field(default_factory=list)


Progress = Callable[[RenderEvent], None]


def default_out_dir(book_path: Path) -> Path:
    return (
        book_path.with_suffix("") if book_path.suffix else book_path.with_name(book_path.name + "-audiobook")
    )


def parse_chapter_selection(selection: str, count: int) -> list[int]:
    """ "1-3,7,10-" -> sorted chapter numbers (1-based) within 1..count."""
    chosen: set[int] = set()
    for part in selection.replace(" ", "").split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d*))?", part)
        if not match:
            raise RenderError(f"--chapters {selection!r}: {part!r} is not a number or a range like 1-3 or 7-")
        first = int(match[1])
        last = first if match[2] is None else (int(match[2]) if match[2] else count)
        if first < 1 or last < first:
            raise RenderError(f"--chapters {selection!r}: {part!r} is not a valid range")
        if first > count:
            raise RenderError(f"--chapters {selection!r}: the book has {count} chapters to read")
        chosen.update(range(first, min(last, count) + 1))
    return sorted(chosen)


@dataclass
class _Voices:
    """Voice states by source, each computed once per job and kept in it."""

    engine: object
    job: Job
    model_id: str
    states: dict[str, tuple[str, object]] = field(default_factory=dict)  # source key -> (voice id, state)

    def get(self, voice: Voice) -> tuple[str, object]:
        import torch

        from audiobook_tts.tts import load_voice
        from audiobook_tts.tts.model import load_voice_state, voice_state_tensors

        source_key = _source_key(voice, self.model_id)
        if source_key in self.states:
            return self.states[source_key]
        known = self.job.voice_for_source(source_key)
        if known is not None and self.job.has_voice(known):
            state = load_voice_state(self.job.voice_path(known))
            self.states[source_key] = (known, state)
            return known, state
        source = str(voice.path) if voice.path is not None else voice.name
        # Cloning draws noise in its prompt pass: the state does not depend on it, but seed it anyway.
        torch.manual_seed(int(source_key[:15], 16))
        try:
            state = load_voice(self.engine, source)
        except UserError as error:
            raise RenderError(f"voice {voice.name!r}: {error}") from None
        tensors = voice_state_tensors(state)
        ident = voice_id(tensors)
        self.job.save_voice(ident, tensors)
        self.job.remember_voice_source(source_key, ident)
        self.states[source_key] = (ident, state)
        return ident, state


def _source_key(voice: Voice, model_id: str) -> str:
    """What a voice state is computed from: the model and the voice's name or file contents."""
    digest = hashlib.sha256(model_id.encode())
    digest.update(voice.kind.encode() + b"\0" + voice.name.encode())
    if voice.path is not None:
        digest.update(file_sha256(voice.path).encode())
    return digest.hexdigest()


def model_identity(engine, weights_file: Path, tokenizer_file: Path) -> str:
    """Everything about the model that decides its audio: architecture and defaults, weights, tokenizer."""
    digest = hashlib.sha256(ENGINE_REVISION.encode())
    digest.update(repr(engine.config).encode())
    for path in (weights_file, tokenizer_file):
        # Files in the hub cache are named by content revision; anything else is hashed.
        snapshot = re.search(r"/snapshots/([0-9a-f]{40})/", str(path))
        digest.update((f"{snapshot[1]}:{path.name}" if snapshot else file_sha256(path)).encode())
    return digest.hexdigest()


def load_engine(model: str | None, config: str | None, weights, tokenizer, quantize: bool):
    """(engine, model id): the model as the render uses it, also in each --workers process."""
    from audiobook_tts.tts import load_model, use_fast_kernels

    engine = load_model(model, config=config, weights=weights, tokenizer=tokenizer)
    model_id = model_identity(engine, engine.weights_file, engine.tokenizer.path)
    use_fast_kernels(engine, quantize=quantize)
    if quantize:  # int8 is another model numerically: its own voices and keys
        model_id = hashlib.sha256(f"{model_id}/int8-dynamic-flow-lm".encode()).hexdigest()
    return engine, model_id


def _voice_from_cli(source: str) -> Voice:
    if source.startswith("hf://"):
        return Voice("state" if source.split("@")[0].endswith(".safetensors") else "audio", source)
    path = Path(source)
    if path.suffix.lower() == ".safetensors":
        return Voice("state", source, path.resolve())
    if path.suffix and path.exists():
        return Voice("audio", source, path.resolve())
    if path.suffix:
        raise RenderError(f"--voice {source}: no such file")
    return Voice("name", source)


def _book_tags(book: Book, narrators: list[str]) -> BookTags:
    meta = book.metadata
    year = re.match(r"\d{4}", meta.date or "")
    return BookTags(
        title=meta.title,
        authors=list(meta.authors),
        narrator=", ".join(narrators) or None,
        year=year[0] if year else None,
        language=meta.language,
        description=meta.description,
        cover=meta.cover.data if meta.cover else None,
        cover_mime=meta.cover.mime if meta.cover else None,
    )


def _chapter_audio(job: Job, chapter: PlannedChapter) -> ChapterAudio:
    def pieces() -> Iterator[AudioPiece]:
        for segment in chapter.segments:
            yield AudioPiece(job.read_audio(segment.key), segment.text)
            yield AudioPiece.silence(segment.pause_after, SAMPLE_RATE)

    return ChapterAudio(chapter.title, pieces)


def render_book(
    book_path: Path, options: RenderOptions = RenderOptions(), progress: Progress | None = None
) -> RenderResult:
    """Render (or resume) `book_path` into finished audiobook files; returns what was written."""
    from audiobook_tts.tts import default_voice_source

    started = time.perf_counter()
    emit = progress or (lambda event: None)
    book_path = Path(book_path)
    profile = load_profile(options.profile) if options.profile else Profile(path=Path("(command line)"))

    overrides = {"include_front_matter": options.include_front_matter, "notes": options.notes}
    ingest_options = dataclasses.replace(
        profile.ingest_options(), **{k: v for k, v in overrides.items() if v is not None}
    )
    book = load_book(book_path, ingest_options)
    readable = [chapter for chapter in book.chapters if chapter.included]
    if not readable:
        raise RenderError(
            f"{book_path}: no chapter to read (all are front or back matter; try --include-front-matter)"
        )
    numbers = parse_chapter_selection(options.chapters, len(readable)) if options.chapters else None
    warnings = profile.unmatched_rules((n, c.title) for n, c in enumerate(readable, start=1))

    model_name = options.model or (None if options.config else profile.model)
    config = options.config
    if model_name and Path(model_name).suffix in (".yaml", ".yml"):  # a profile may name a config file
        model_name, config = None, model_name
    find_ffmpeg(
        options.assemble.ffmpeg
    )  # a missing encoder should stop us before hours of rendering, not after
    engine, model_id = load_engine(model_name, config, options.weights, options.tokenizer, options.quantize)
    default_voice = (
        _voice_from_cli(options.voice)
        if options.voice
        else profile.voice or _voice_from_cli(default_voice_source(engine))
    )

    out_dir = Path(options.out_dir) if options.out_dir else default_out_dir(book_path)
    text_base = TextOptions(
        replace_characters=dict(engine.config.replace_characters), language=book.metadata.language or "en"
    )
    text_options = profile.text_options(text_base)

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RenderError(
            f"cannot create the output directory {out_dir}: {error.strerror or error}"
        ) from None
    with Job.open(out_dir, fresh=options.fresh) as job:
        voices = _Voices(engine, job, model_id)
        plan: list[PlannedChapter] = []
        work: list[tuple[PlannedChapter, object, dict]] = []  # chapter, voice state, generation settings
        narrators: list[str] = []
        for number, chapter in enumerate(readable, start=1):
            settings = profile.settings_for_chapter(number, chapter.title)
            voice = default_voice if options.voice else (settings.voice or default_voice)
            generation = settings.generation.updated(options.generation)
            ident, state = voices.get(voice)
            narrator = voice.name if voice.kind == "name" else Path(voice.name.split("@")[0]).stem
            if narrator not in narrators:
                narrators.append(narrator)
                emit(RenderEvent("voice", number, chapter.title, message=narrator))
            planned = _plan_chapter(number, chapter, text_options, ident, model_id, engine, generation)
            plan.append(planned)
            if numbers is None or number in numbers:
                work.append((planned, state, _generation_kwargs(engine, generation)))
        job.set_plan(plan)

        if options.preview_seconds is not None:
            work = [
                (dataclasses.replace(c, segments=_preview_planned(c.segments, options.preview_seconds)), s, g)
                for c, s, g in work
            ]
        if options.workers > 1:
            from audiobook_tts.render_workers import ModelChoice, render_with_workers
            from audiobook_tts.tts.batch import default_threads

            choice = ModelChoice(
                model_name, config, options.weights, options.tokenizer, options.quantize, model_id
            )
            del engine, voices  # each worker loads its own model: ours would only hold memory from here on
            gc.collect()
            rendered, reused, audio_seconds, lost = render_with_workers(
                job,
                choice,
                work,
                emit,
                workers=options.workers,
                batch_size=options.batch_size,
                threads=options.threads or default_threads(),
            )
            warnings += lost
        elif options.batch_size > 1:
            from audiobook_tts.render_batched import render_segments_batched
            from audiobook_tts.tts.batch import default_threads

            rendered, reused, audio_seconds = render_segments_batched(
                job,
                engine,
                work,
                emit,
                batch_size=options.batch_size,
                threads=options.threads or default_threads(),
            )
        else:
            rendered, reused, audio_seconds = _render_segments(job, engine, work, emit, options.threads)

        emit(RenderEvent("assemble", message=f"assembling {len(work)} chapters"))
        target = out_dir / "preview" if options.preview_seconds is not None else out_dir
        result: AssembleResult = assemble(
            [_chapter_audio(job, chapter) for chapter, _, _ in work],
            _book_tags(book, narrators),
            target,
            options.assemble,
            sample_rate=SAMPLE_RATE,
        )
        warnings += result.warnings
    wall = time.perf_counter() - started
    emit(RenderEvent("done", audio_seconds=audio_seconds, message=f"{len(result.files)} files in {target}"))
    return RenderResult(
        out_dir, result.files, [c for c, _, _ in work], rendered, reused, audio_seconds, wall, warnings
    )


def _generation_kwargs(engine, generation: GenerationSettings) -> dict:
    """The settings as the engine takes them, defaults filled in, so the key names actual values."""
    config = engine.config
    values = {
        "temperature": config.default_temperature,
        "eos_threshold": config.default_eos_threshold,
        "frames_after_eos": None,
    }
    values.update(generation.as_dict())
    return values


def _plan_chapter(number, chapter: Chapter, text_options, ident, model_id, engine, generation):
    segments = prepare_chapter(chapter, engine.count_tokens, text_options)
    settings = _generation_kwargs(engine, generation)
    planned = [
        PlannedSegment(segment_key(s.text, ident, model_id, settings), s.text, s.pause_after, ident)
        for s in segments
    ]
    return PlannedChapter(number, chapter.title, planned)


def _preview_planned(segments: list[PlannedSegment], seconds: float) -> list[PlannedSegment]:
    kept, total = [], 0.0
    for segment in segments:
        if total >= seconds:
            break
        kept.append(segment)
        total += len(segment.text.split()) / 2.6 + segment.pause_after  # ~155 words a minute
    return kept


def _render_segments(job: Job, engine, work, emit: Progress, threads: int | None) -> tuple[int, int, float]:
    import torch

    if threads is not None:
        torch.set_num_threads(threads)

    total = sum(len(chapter.segments) for chapter, _, _ in work)
    done = rendered = reused = 0
    audio_seconds = 0.0
    emit(RenderEvent("plan", total=total))
    for chapter, state, generation in work:
        for position, segment in enumerate(chapter.segments, start=1):
            seconds = 0.0
            if job.has_audio(segment.key):
                reused += 1
            else:
                audio = generate_one(engine, chapter, position, segment, state, generation)
                job.write_audio(segment.key, audio.numpy())
                seconds = audio.numel() / SAMPLE_RATE
                audio_seconds += seconds
                rendered += 1
            done += 1
            emit(
                RenderEvent(
                    "segment",
                    chapter.index,
                    chapter.title,
                    done=done,
                    total=total,
                    chapter_done=position,
                    chapter_total=len(chapter.segments),
                    audio_seconds=audio_seconds,
                    rendered_seconds=seconds,
                )
            )
    return rendered, reused, audio_seconds


def generate_one(engine, chapter: PlannedChapter, position: int, segment: PlannedSegment, state, generation):
    """One segment's audio the one-at-a-time way: torch's global generator seeded from its key."""
    import torch

    torch.manual_seed(segment_seed(segment.key))
    try:
        return engine.generate(state, segment.text, **generation)
    except UserError as error:
        raise RenderError(_where(chapter, position, segment) + f": {error}") from None
    except (RuntimeError, ValueError) as error:
        raise RenderError(_where(chapter, position, segment) + f": the engine failed ({error})") from None


def _where(chapter: PlannedChapter, position: int, segment: PlannedSegment) -> str:
    text = segment.text if len(segment.text) <= 60 else segment.text[:57] + "..."
    return f"chapter {chapter.index} ({chapter.title!r}), segment {position}: {text!r}"
