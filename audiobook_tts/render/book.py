"""Render a book into an audiobook: the main job, as a library function the CLI only wraps.

    profile = the voice profile (or none) with the options over it
    book    = ingest.load_book(path)                       every chapter, front matter marked
    plan    = plan.build_plan: per chapter read its voice and options, its segments and their keys, the groups
    job     = jobs.Job in OUT/.audiobook-tts: the plan, voice states and every finished segment's audio
    runner  = local.py (this process) or workers.py (--workers N): each group of the plan through groups.py
    output  = assemble, beside the runner (each chapter once its segments are stored): pauses, loudness,
              MP3 per chapter and one M4B with chapters

A segment's audio is a pure function of its key (text, voice state, model, settings; the seed is derived from
the key) and of its group's companions when batched (groups.py), so a killed render resumes by skipping every
group already stored, and ends with the same files (same options and threads).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audiobook_tts.assemble import AudioPiece, BookTags, ChapterAudio
from audiobook_tts.assemble.assemble import BackgroundAssembly, assembly_digest, preflight, trial_encode
from audiobook_tts.assemble.layout import arrange_for_audiobookshelf
from audiobook_tts.assemble.readalong import ReadAlongSource
from audiobook_tts.assemble.subtitles import SentenceTiming
from audiobook_tts.assemble.tags import book_tags
from audiobook_tts.ingest import Book, Chapter
from audiobook_tts.jobs import Job, PlannedChapter
from audiobook_tts.jobs.fixes import Fixes
from audiobook_tts.jobs.job import SAMPLE_RATE
from audiobook_tts.jobs.quality import parse_kinds
from audiobook_tts.jobs.source import encode_options
from audiobook_tts.profiles import Profile, load_profile
from audiobook_tts.render.engine import (
    ModelChoice,
    ModelFacts,
    engine_facts,
    engine_model_id,
    load_engine,
    planning_facts,
)
from audiobook_tts.render.groups import render_groups
from audiobook_tts.render.local import render_locally
from audiobook_tts.render.plan import RenderPlan, build_plan, read_book
from audiobook_tts.render.progress import FirstSegment, Tally, speed
from audiobook_tts.render.types import Progress, RenderError, RenderEvent, RenderOptions
from audiobook_tts.render.voices import JobVoices
from audiobook_tts.render.workers import render_with_workers, worker_threads
from audiobook_tts.text import Segment, prepare_chapter
from audiobook_tts.text.chapter import normalized_words
from audiobook_tts.text.sentences import split_sentences
from audiobook_tts.tts import catalogue, check_model_files, default_voice_source
from audiobook_tts.tts.options import default_threads
from audiobook_tts.tts.voices import VoiceSource

if TYPE_CHECKING:
    from audiobook_tts.tts.model import PocketTTS


@dataclass
class RenderResult:
    out_dir: Path
    files: list[Path]
    chapters: list[PlannedChapter]
    rendered: int  # segments generated in this run
    reused: int  # segments found in the job
    audio_seconds: float  # generated in this run
    wall_seconds: float  # the whole run: loading, generation and assembly
    warnings: list[str] = field(default_factory=list)
    generation_seconds: float = 0.0  # of it, generating
    book_seconds: float = 0.0  # the assembled audio's length, pauses included

    @property
    def speed(self) -> float:
        return speed(self.audio_seconds, self.generation_seconds)


def render_book(
    book_path: Path, options: RenderOptions | None = None, progress: Progress | None = None
) -> RenderResult:
    """Render (or resume) `book_path` into finished audiobook files; returns what was written."""
    options = options or RenderOptions()
    started = time.perf_counter()
    emit = progress or (lambda event: None)
    book_path = Path(book_path)
    emit(RenderEvent("load", message=f"book {book_path.name}"))
    profile = load_profile(options.profile) if options.profile else Profile(path=Path("(command line)"))
    book = read_book(book_path, profile, options)
    choice = model_choice(options, profile)
    if options.cluster is not None:
        from audiobook_tts.render.cluster import preflight as cluster_preflight

        cluster_preflight(options.cluster.address)  # no Ray, or no cluster there: say so before loading
    ffmpeg = preflight(options.assemble)  # no ffmpeg, or none that runs: say so before loading
    check_model_files(
        choice.model, config=choice.config, weights=choice.weights, tokenizer=choice.tokenizer,
        voices=voice_names(options, profile, choice),
    )  # fmt: skip
    emit(RenderEvent("load", message=f"model {choice.model or choice.config or catalogue.DEFAULT_MODEL}"))
    engine = load_engine(choice)
    model_id = engine_model_id(engine, choice)
    out_dir = Path(options.out_dir) if options.out_dir else default_out_dir(book_path)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RenderError(
            f"cannot create the output directory {out_dir}: {error.strerror or error}"
        ) from None
    with Job.open(out_dir, fresh=options.fresh) as job:
        if options.retake is not None:
            retake_flagged(job, options.retake)
        voices = JobVoices(
            engine, job, model_id, announce=lambda what: emit(RenderEvent("load", message=what))
        )
        facts, fixes = engine_facts(engine, model_id), job.fixes()
        first = render_first_segment(job, engine, book, profile, options, facts, voices, fixes, emit)
        emit(RenderEvent("load", message="encoders (a one-second test encode)"))
        trial_encode(options.assemble)  # after the first segment: its ~1 s need not delay the first audio
        read = sum(chapter.included for chapter in book.chapters)
        emit(RenderEvent("load", message=f"plan of {read} chapter" + "s" * (read != 1)))
        plan = build_plan(book, profile, options, facts, voices, fixes)
        job.check_book(book_label(book), [s.key for c in plan.chapters for s in c.segments])
        job.set_plan(plan.chapters)
        job.record_bases(plan.bases)
        job.record_source(job_source(book_path, book, options, out_dir))
        for note in voices.notes:
            emit(RenderEvent("note", message=note))
        for narrator in plan.narrators:
            emit(RenderEvent("voice", narrator.chapter, narrator.title, message=narrator.name))
        emit(RenderEvent("plan", total=len(plan.tasks), chapters=len(plan.chapters)))
        target = output_target(plan, options)
        tags = render_tags(book, plan, profile, options, target.title_suffix)
        digest = assembly_digest(
            [(c.title, [(s.key, s.pause_after) for s in c.segments]) for c in plan.work],
            tags, options.assemble, ffmpeg, SAMPLE_RATE, layout=options.layout,
        )  # fmt: skip
        directory = target.directory(out_dir)
        assembly = None
        if not job.outputs_up_to_date(target.name, digest):
            readable = [chapter for chapter in book.chapters if chapter.included]
            spoken = [readable[chapter.index - 1] for chapter in plan.work]
            say = functools.partial(normalized_words, options=plan.text_options, heading=False)
            assembly = BackgroundAssembly(
                [chapter_audio(job, chapter) for chapter in plan.work],
                tags,
                directory,
                options.assemble,
                sample_rate=SAMPLE_RATE,
                progress=AssemblyProgress(job, plan.work, emit),
                sentences=SentenceTiming(split_sentences, planning_facts(choice).count_tokens),
                readalong=ReadAlongSource(book, book_path, spoken, say)
                if "epub" in options.assemble.formats
                else None,
            )
        tally = Tally(plan, assembling_beside(emit, assembly, plan.work), first)
        threads = options.threads or default_threads()
        notes = voices.notes
        try:
            if options.cluster is not None:
                from audiobook_tts.render.cluster import render_on_cluster

                del engine, voices  # the actors load their own models
                gc.collect()
                warnings = render_on_cluster(job, choice, model_id, plan, tally, emit, options.cluster)
            elif options.workers > 1:
                # each worker loads its own model: ours would only hold memory from here on
                del engine, voices
                gc.collect()
                warnings = render_with_workers(
                    job, choice, model_id, plan, tally, workers=options.workers, threads=threads
                )
            else:
                warnings = render_locally(
                    job, engine, plan, tally, states=voices.states, threads=options.threads
                )
        except BaseException:
            if assembly is not None:
                assembly.cancel()
            raise
        warnings = notes + warnings
        if assembly is None:
            book_seconds = sum(chapter_seconds(job, chapter) for chapter in plan.work)
            files = job.output_files(target.name)
            warnings.append(f"the {target.name}'s files are up to date: nothing to assemble")
        else:
            result = assembly.result()
            if result.loudness is not None:
                emit(RenderEvent("loudness", message=result.loudness.summary()))
            files = result.files
            if options.layout == "audiobookshelf":
                ends = [*result.chapter_start_seconds[1:], result.total_samples / SAMPLE_RATE]
                titles = [c.title for c in plan.work]
                marks = list(zip(titles, result.chapter_start_seconds, ends, strict=True))
                files = arrange_for_audiobookshelf(directory, files, tags, marks)
            book_seconds = result.total_samples / result.sample_rate
            warnings += result.warnings
            previous = job.note_ffmpeg(ffmpeg)
            if previous is not None:
                warnings.append(
                    f"this job's files were encoded with {previous}, this run used {ffmpeg}: the audio was "
                    "encoded anew (its bytes may differ from before); every rendered segment was kept"
                )
            chapters = None if target.name == "book" else [c.index for c in plan.work]
            for moved in job.record_outputs(target.name, files, digest, chapters):
                warnings.append(
                    f"{moved.name} is no longer part of the {target.name} (a chapter renamed or removed): "
                    f"moved to {moved.parent}"
                )
    wall = time.perf_counter() - started
    emit(RenderEvent("done", audio_seconds=tally.audio_seconds, message=f"{len(files)} files"))
    warnings = plan.warnings + warnings
    return RenderResult(
        out_dir, files, plan.work, tally.rendered, tally.reused, tally.audio_seconds, wall, warnings,
        tally.generation_seconds, book_seconds,
    )  # fmt: skip


def render_first_segment(
    job: Job,
    engine: PocketTTS,
    book: Book,
    profile: Profile,
    options: RenderOptions,
    facts: ModelFacts,
    voices: JobVoices,
    fixes: Fixes,
    emit: Progress,
) -> FirstSegment | None:
    """Render and store the plan's first segment before the rest of the plan is built: a long book takes
    seconds to plan (Moby Dick ~7 s), and the first audio need not wait for them. The first task is a group
    of its own (plan.py), so its audio is what a runner would make of it (bit for bit: it is rendered at
    the runner's thread count, `runner_threads`); the runner then finds it stored. Nothing is written into a
    job of another book (the plan's check_book says so) or when it is stored already."""
    if job.book() not in (None, book_label(book)):
        return None
    lead = build_plan(book, profile, options, facts, voices, fixes, first_task_only=True)
    if not lead.tasks or job.has_audio(lead.tasks[0].key):
        return None
    started = time.perf_counter()
    stored: list[float | None] = []
    render_groups(
        job, engine, lead, [0], lambda _, seconds: stored.append(seconds), states=voices.states,
        threads=runner_threads(options),
    )  # fmt: skip
    task, audio_seconds = lead.tasks[0], stored[0] or 0.0
    took = time.perf_counter() - started
    emit(RenderEvent("first", task.chapter.index, task.chapter.title, audio_seconds=audio_seconds,
                     rendered_seconds=audio_seconds, generation_seconds=took))  # fmt: skip
    return FirstSegment(task.key, audio_seconds, took)


def runner_threads(options: RenderOptions) -> int | None:
    """The torch threads the runner renders each group with: a worker's share, a cluster actor's own, or
    the render's (None: its default). The first segment is rendered here with them, since a segment's last
    bits depend on the thread count (on AMD EPYC, a short segment at 2 threads differed from 1 by 9e-8)."""
    if options.cluster is not None:
        return options.cluster.actor_threads
    if options.workers > 1:
        return worker_threads(options.threads or default_threads(), options.workers)
    return options.threads


@dataclass(frozen=True)
class OutputTarget:
    """Where a render's files go and what they are called: a partial render (--chapters, --preview) writes
    into its own folder, under a title that says what it holds, so it can never pass for the whole book."""

    name: str  # "book", "preview" or "chapters 1-3,7"
    title_suffix: str  # "" or " (preview)" / " (chapters 1-3,7)": in the M4B's name and title tag

    def directory(self, out_dir: Path) -> Path:
        return out_dir if self.name == "book" else out_dir / self.name.replace(" ", "-")


def output_target(plan: RenderPlan, options: RenderOptions) -> OutputTarget:
    if options.preview_seconds is not None:
        return OutputTarget("preview", " (preview)")
    chosen = [c.index for c in plan.work]
    if chosen == [c.index for c in plan.chapters]:
        return OutputTarget("book", "")
    runs: list[list[int]] = []
    for number in chosen:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    ranges = ",".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return OutputTarget(f"chapters {ranges}", f" (chapters {ranges})")


def book_label(book: Book) -> str:
    """How the job names the book it renders (see Job.check_book)."""
    meta = book.metadata
    return f"{meta.title} by {', '.join(meta.authors)}" if meta.authors else meta.title


@dataclass
class InspectedChapter:
    number: int | None  # as --chapters and profiles count (1 = the first read); None: not read
    chapter: Chapter
    spoken: list[Segment]  # what it speaks; for a chapter not read, what it would speak


def retake_flagged(job: Job, which: str) -> list[tuple[int, int]]:
    """`--retake flagged|KIND,...`: the next take of every segment the job flagged so."""
    try:
        kinds = parse_kinds(which)
    except ValueError as error:
        raise RenderError(f"--retake {error}") from None
    return job.retake_flagged(kinds)


def job_source(book_path: Path, book: Book, options: RenderOptions, out_dir: Path) -> dict[str, str | bytes]:
    """What the job records of this render, so that the studio can render it again the same way: the book,
    the options (paths made absolute; never --fresh or --retake again), title and cover."""
    files: dict[str, Any] = {}  # RenderOptions field -> its file made absolute (a Path for the profile)
    for name in ("profile", "config", "weights", "tokenizer", "voice"):
        value = getattr(options, name)
        if value is not None and Path(value).is_file():
            files[name] = Path(value).resolve() if name == "profile" else str(Path(value).resolve())
    again = dataclasses.replace(options, out_dir=out_dir.resolve(), fresh=False, retake=None, **files)
    source: dict[str, str | bytes] = {
        "book": str(book_path.resolve()),
        "options": encode_options(again),
        "title": book.metadata.title,
    }
    if book.metadata.cover is not None:
        source["cover"], source["cover_mime"] = book.metadata.cover.data, book.metadata.cover.mime
    return source


@dataclass
class Inspection:
    """What a render of the book would speak: its plan, built without the model's weights (so its keys are
    not the render's), and every chapter of the book."""

    book: Book
    plan: RenderPlan
    model: ModelFacts
    chapters: list[InspectedChapter]


class VoiceNames:
    """The plan's `VoiceIds` without a model: a voice is known by its name."""

    def voice_id(self, voice: VoiceSource) -> str:
        return voice.name


def inspect_book(book_path: Path, options: RenderOptions | None = None) -> Inspection:
    """The plan `render_book` would follow with these options, built without loading the model's weights."""
    options = options or RenderOptions()
    profile = load_profile(options.profile) if options.profile else Profile(path=Path("(command line)"))
    book = read_book(Path(book_path), profile, options)
    model = planning_facts(model_choice(options, profile))
    plan = build_plan(book, profile, options, model, VoiceNames())
    read = iter(plan.spoken)
    chapters, number = [], 0
    for chapter in book.chapters:
        number += chapter.included
        spoken = (
            next(read)
            if chapter.included
            else prepare_chapter(chapter, model.count_tokens, plan.text_options)
        )
        chapters.append(InspectedChapter(number if chapter.included else None, chapter, spoken))
    return Inspection(book, plan, model, chapters)


def model_choice(options: RenderOptions, profile: Profile) -> ModelChoice:
    choice = ModelChoice(
        options.model, options.config, options.weights, options.tokenizer, options.quantize, options.precision
    )
    return choice.with_profile(profile)


def default_out_dir(book_path: Path) -> Path:
    return (
        book_path.with_suffix("") if book_path.suffix else book_path.with_name(book_path.name + "-audiobook")
    )


def render_tags(
    book: Book, plan: RenderPlan, profile: Profile, options: RenderOptions, title_suffix: str = ""
) -> BookTags:
    """The book's tags with who reads it: --narrator, else the profile's `narrator:`, else the display names
    of the catalogue voices read in (a cloned voice's file name is never shown as a narrator). A partial
    render's title says what it holds (`title_suffix`)."""
    voices = ", ".join(n.display_name for n in plan.narrators if n.display_name)
    narrator = options.narrator or profile.narrator or voices or None
    tags = book_tags(book.metadata, narrator, series=options.series, series_part=options.series_part)
    return dataclasses.replace(tags, title=tags.title + title_suffix)


def chapter_seconds(job: Job, chapter: PlannedChapter) -> float:
    """How long the chapter's stored audio lasts with its pauses, from the files' sizes (float32 samples)."""
    samples = sum(job.audio_path(segment.key).stat().st_size // 4 for segment in chapter.segments)
    return samples / SAMPLE_RATE + sum(segment.pause_after for segment in chapter.segments)


def voice_names(options: RenderOptions, profile: Profile, choice: ModelChoice) -> list[str]:
    """Every voice the render may load, as written (to check the hub cache for all of them at once)."""
    if options.voice:
        return [options.voice]
    sources = [profile.voice, *(rule.voice for rule in profile.chapters)]
    names = [source.location for source in sources if source is not None]
    return names if profile.voice else [*names, default_voice_source(choice.catalogue_name)]


def assembling_beside(
    emit: Progress, assembly: BackgroundAssembly | None, chapters: list[PlannedChapter]
) -> Progress:
    """`emit`, which also tells the background assembly of each chapter whose segments are all stored and
    hands on its progress (so every event is emitted from this thread)."""
    if assembly is None:
        return emit
    position = {chapter.index: number for number, chapter in enumerate(chapters)}

    def on_event(event: RenderEvent) -> None:
        emit(event)
        if event.kind == "segment":
            if event.chapter_done == event.chapter_total:
                assembly.ready(position[event.chapter])
            assembly.poll()

    return on_event


class AssemblyProgress:
    """The assembly's (stage, chapters done, chapters) as events, with the seconds encoded so far; the
    book's length once every chapter is stored (0 until then)."""

    def __init__(self, job: Job, chapters: list[PlannedChapter], emit: Progress):
        self.job, self.chapters, self.emit = job, chapters, emit
        self.seconds: list[float] = []  # of the chapters from the first on, as far as measured

    def length(self, count: int) -> float:
        """Seconds of the first `count` chapters (all stored)."""
        while len(self.seconds) < count:
            self.seconds.append(chapter_seconds(self.job, self.chapters[len(self.seconds)]))
        return sum(self.seconds[:count])

    def __call__(self, stage: str, done: int, total: int) -> None:
        encoded = self.length(done) if stage == "encode" else 0.0
        finished = stage == "verify" or done == len(self.chapters)  # (verify counts files)
        book = self.length(len(self.chapters)) if finished else 0.0
        self.emit(RenderEvent("assemble", chapter=done, chapters=total, message=stage,
                              encoded_seconds=encoded, book_seconds=book))  # fmt: skip


def chapter_audio(job: Job, chapter: PlannedChapter) -> ChapterAudio:
    def pieces() -> Iterator[AudioPiece]:
        for segment in chapter.segments:
            yield AudioPiece(job.read_audio(segment.key), segment.text)
            yield AudioPiece.silence(segment.pause_after, SAMPLE_RATE)

    return ChapterAudio(chapter.title, pieces)
