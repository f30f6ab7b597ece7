"""The bottom of render/: its options, error, progress event and unit of planned work."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from audiobook_tts.assemble import AssembleOptions
from audiobook_tts.errors import UserError
from audiobook_tts.ingest.options import CodeMode, NotesMode, TablesMode
from audiobook_tts.jobs import PlannedChapter, PlannedSegment
from audiobook_tts.tts.options import DEFAULT_BATCH_SIZE, DEFAULT_OPTIONS, GenerationOptions

if TYPE_CHECKING:
    from audiobook_tts.jobs.quality import Measures


class RenderError(UserError):
    """A render that cannot go on; what is already rendered stays in the job."""


EventKind = Literal[
    "load", "note", "voice", "first", "plan", "segment", "actors", "assemble", "loudness", "done"
]


@dataclass(frozen=True)
class RenderEvent:
    """Progress, for a progress display or a JSON line.

    load: `message` names what is loading (book, model, voice, plan); first: the plan's first segment is
    stored (`rendered_seconds` of audio in `generation_seconds`), before the rest of the plan is built;
    plan: `total` segments in `chapters` chapters;
    segment: one more segment has audio; assemble: pass `message` (measure, check, encode) finished chapter
    `chapter` of `chapters`, `encoded_seconds` of `book_seconds` written; done: the files are written.
    """

    kind: EventKind
    chapter: int = 0  # chapter number (1-based among those read)
    chapter_title: str = ""
    done: int = 0  # segments with audio, whole job
    total: int = 0
    chapter_done: int = 0
    chapter_total: int = 0
    chapters: int = 0  # chapters read
    audio_seconds: float = 0.0  # audio rendered in this run
    rendered_seconds: float = 0.0  # of it, just now (0 when a stored segment was found)
    generation_seconds: float = 0.0  # wall time this run has spent generating (see progress.speed)
    encoded_seconds: float = 0.0
    book_seconds: float = 0.0  # the whole book as assembled, pauses included
    message: str = ""  # also, for actors (--cluster): the groups in flight on each actor


Progress = Callable[[RenderEvent], None]


@dataclass(frozen=True)
class SegmentTask:
    """One segment to speak, in plan order: where it is, what it says, with which voice and options."""

    chapter: PlannedChapter
    position: int  # 1-based within the chapter
    segment: PlannedSegment
    voice_id: str
    options: GenerationOptions  # resolved against the model's config: what the key names

    @property
    def key(self) -> str:
        return self.segment.key

    def where(self) -> str:
        """How an error names this segment: chapter, position and the start of its text."""
        text = self.segment.text if len(self.segment.text) <= 60 else self.segment.text[:57] + "..."
        return f"chapter {self.chapter.index} ({self.chapter.title!r}), segment {self.position}: {text!r}"

    def short(self) -> str:
        return f"chapter {self.chapter.index} segment {self.position}"


class SegmentStore(Protocol):
    """What render_groups needs of a job: the Job itself, or a renderer actor's stand-in in memory
    (cluster.py), so that the same unit of work runs where the job folder is not."""

    def has_audio(self, key: str) -> bool: ...

    def write_audio(self, key: str, samples) -> None: ...

    def record_quality(self, key: str, measures: Measures) -> None: ...


@dataclass(frozen=True)
class ClusterOptions:
    """`render --cluster`: where the Ray actors run and how big each is (cluster.py)."""

    address: str  # "ray" (a Ray of this machine, for the render), "auto", "HOST:PORT" or "ray://HOST:PORT"
    actors: int | None = None  # None: as many as the cluster's CPUs hold
    actor_threads: int = 1  # torch threads of each actor, and the CPUs Ray reserves for it
    actor_memory: int = 2 * 1024**3  # bytes Ray reserves per actor: the full-size model peaks at ~1.8 GB
    ship_model: bool = False  # send the driver's model files through the object store (no hub on nodes)


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
    generation: GenerationOptions = DEFAULT_OPTIONS  # the values set here win over the profile's
    # Reading choices that replace the profile's when set (None: the profile's, else the default).
    include_front_matter: bool | None = None
    notes: NotesMode | None = None
    tables: TablesMode | None = None  # read, read-all, announce or skip tables
    code: CodeMode | None = None  # announce, read or skip code blocks
    # The normalisation language (numbers, numerals, dates); None: the model's, else the book's.
    language: str | None = None
    speak_titles: bool | None = None
    chapters: str | None = None  # "1-3,7": chapter numbers among those read (1 = the first)
    preview_seconds: float | None = None  # render only about this much of each chapter, into OUT/preview
    fresh: bool = False  # discard the job's previous state first
    retake: str | None = None  # "flagged" or flag kinds (jobs/quality.py): those segments' next take first
    assemble: AssembleOptions = AssembleOptions()
    # Tags: these win over the profile's `narrator:` and the book's own series (None: not set here).
    narrator: str | None = None
    series: str | None = None
    series_part: str | None = None
    layout: Literal["audiobookshelf"] | None = None  # Author/Series/Vol N - Title {Narrator}/ under out_dir
    # Speed: segments stepping together (1 = one at a time), CPU threads (None: all cores), int8 FlowLM,
    # worker processes sharing the threads (workers.py).
    batch_size: int = DEFAULT_BATCH_SIZE
    threads: int | None = None
    quantize: bool = False
    precision: str = "float32"  # or "bf16": bfloat16 kernels (tts.use_fast_kernels)
    workers: int = 1
    cluster: ClusterOptions | None = None  # render on Ray actors instead (cluster.py)

    def __post_init__(self) -> None:
        """Checked when the options are made, so a bad value fails before the model loads."""
        seconds = self.preview_seconds
        if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
            raise RenderError(f"--preview {seconds}: give the seconds of each chapter to render, more than 0")
