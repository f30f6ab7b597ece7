"""The plan of a render: what is read, by which voice, with which options, under which keys, in which groups.

Built once, before any audio is made, and without the model's weights (`inspect` builds the same plan):

    chapters = every chapter read: its voice, its options, its segments and their keys (the job's plan)
    work     = the chapters rendered now (--chapters), each cut to --preview seconds
    tasks    = work's segments in plan order, each a SegmentTask
    groups   = tasks cut into consecutive groups of batch_size * GROUP_BATCHES: the unit of work, always
               rendered whole (groups.py says why); every runner claims groups from here, none cuts its own.
               The first task is a group of its own: alone in its batch it is stored within seconds (in a
               full batch each row runs several times slower), so a listener hears the first audio early.
               A render stores it before the rest of the plan is built (`first_task_only`, book.py)

The job's fixes (jobs/fixes.py: a segment's text, take, voice or options, a chapter's voice or options, the
job's pronunciations) win over the profile and the command line; a fixed segment gets its own key, so only
the segments a fix touches are rendered again.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from audiobook_tts.ingest import Book, Chapter, load_book
from audiobook_tts.jobs import PlannedChapter, PlannedSegment, segment_key
from audiobook_tts.jobs.fixes import ChapterFix, Fixes, SegmentFix
from audiobook_tts.profiles import Profile, parse_ranges
from audiobook_tts.render.engine import ModelFacts
from audiobook_tts.render.types import RenderError, RenderOptions, SegmentStore, SegmentTask
from audiobook_tts.text import Segment, TextOptions, UnreadableText, prepare_chapter, unreadable_text
from audiobook_tts.text.normalize import apply_lexicon, language_code
from audiobook_tts.text.scripts import cannot_read
from audiobook_tts.tts.options import GenerationOptions
from audiobook_tts.tts.voices import VoiceSource

GROUP_BATCHES = 4  # a group holds this many batches' worth of segments: the batch drains once per group
PREVIEW_WORDS_PER_SECOND = 2.6  # ~155 words a minute: how a preview guesses where its seconds end


class VoiceIds(Protocol):
    def voice_id(self, voice: VoiceSource) -> str:
        """The id of `voice`'s state (render: its tensors' hash; inspect: its name)."""
        ...


@dataclass(frozen=True)
class Narrator:
    chapter: int  # the first chapter read in this voice
    title: str
    name: str
    display_name: str | None = None  # for the narrator tag: VoiceSource.display_name


@dataclass
class RenderPlan:
    chapters: list[PlannedChapter]  # every chapter read (the job's plan)
    spoken: list[list[Segment]]  # the text stage's segments of each of them
    text_options: TextOptions
    work: list[PlannedChapter]  # the chapters rendered and assembled now
    tasks: list[SegmentTask]  # work's segments, in plan order
    groups: list[range]  # consecutive task indices
    batch_size: int
    narrators: list[Narrator]
    warnings: list[str]
    owner: dict[str, int] = field(default_factory=dict)  # key -> its first task, the only one that writes it
    bases: dict[tuple[int, int], str] = field(default_factory=dict)  # book text where a fix changed it

    def stored(self, job: SegmentStore, group: range) -> bool:
        return all(job.has_audio(self.tasks[i].key) for i in group)

    def voice_ids(self) -> set[str]:
        return {task.voice_id for task in self.tasks}


def read_book(book_path: Path, profile: Profile, options: RenderOptions) -> Book:
    """The book as the profile and the options say to read it; RenderError if no chapter is left to read."""
    overrides: dict[str, Any] = {
        "include_front_matter": options.include_front_matter,
        "notes": options.notes,
        "tables": options.tables,
        "code": options.code,
    }
    ingest_options = dataclasses.replace(
        profile.ingest_options(), **{k: v for k, v in overrides.items() if v is not None}
    )
    book = load_book(book_path, ingest_options)
    if not any(chapter.included for chapter in book.chapters):
        raise RenderError(
            f"{book_path}: no chapter to read (all are front or back matter; try --include-front-matter)"
        )
    return book


def unreadable_warnings(found: list[UnreadableText], listed: int = 3) -> list[str]:
    """One line per chapter for a few chapters; for more, one line per script with the chapters' range."""
    by_script: dict[str, list[UnreadableText]] = {}
    for item in found:
        by_script.setdefault(item.script, []).append(item)
    lines = []
    for items in by_script.values():
        if len(items) <= listed:
            lines += [item.message() for item in items]
        else:
            lines.append(
                f"{len(items)} chapters (chapter {items[0].chapter} to {items[-1].chapter}) hold "
                f"{sum(i.letters for i in items):,} letters in {items[0].script_name} script, "
                + cannot_read(all(i.spelled for i in items))
            )
    return lines


def reading_warnings(
    book: Book, readable: list[Chapter], language: str, model: ModelFacts, replace: dict[str, str]
) -> list[str]:
    """What the listener would hear wrong, said before any audio is made: text in a script the model cannot
    read (chapter and count; `replace` is the text stage's character table), a book in another language
    than the model speaks, what was announced or skipped instead of read."""
    warnings = unreadable_warnings(unreadable_text(readable, spelled=replace))
    book_language = language_code(book.metadata.language or "")
    if model.language and book_language and book_language != language_code(model.language):
        warnings.append(
            f"the book is in {book_language!r} but the model speaks {model.language!r}: numbers are read "
            f"in {language_code(language)!r}; choose a model of the book's language (--model) or --language"
        )
    # "table, 4 rows: skipped" -> ("table", "skipped"), counted over the book
    omitted = Counter(
        (omission.split(",")[0], omission.rsplit(": ", 1)[-1]) for c in readable for omission in c.omissions
    )
    warnings += [
        f"{count} {what}{'s' if count > 1 else ''} {outcome}, not read (inspect lists them by chapter)"
        for (what, outcome), count in sorted(omitted.items())
    ]
    return warnings


def book_characters(book: Book) -> set[str]:
    """Every character of the book's titles and blocks, also as the text stage may make them: NFKC'd, and
    capitalised (a segment starts with a capital)."""
    seen: set[str] = set()
    for chapter in book.chapters:
        for text in (chapter.title, chapter.listed_title, *(block.text for block in chapter.blocks)):
            seen.update(text)
    every = "".join(seen)
    return seen | set(unicodedata.normalize("NFKC", every)) | set(every.upper())


def select_chapters(selection: str, count: int) -> list[int]:
    """ "1-3,7,10-" -> sorted chapter numbers (1-based) within 1..count."""
    chosen: set[int] = set()
    for first, last in parse_ranges(selection, "--chapters"):
        if first > count:
            raise RenderError(f"--chapters {selection!r}: the book has {count} chapters to read")
        chosen.update(range(first, min(last or count, count) + 1))
    return sorted(chosen)


def spoken_text(base_text: str, fix: SegmentFix | None, lexicon: dict[str, str]) -> str:
    """What a segment says: its fixed text (else the book's), with the job's pronunciations applied."""
    text = fix.text if fix is not None and fix.text is not None else base_text
    return apply_lexicon(text, lexicon) if lexicon else text


def build_plan(
    book: Book,
    profile: Profile,
    options: RenderOptions,
    model: ModelFacts,
    voices: VoiceIds,
    fixes: Fixes | None = None,
    *,
    first_task_only: bool = False,
) -> RenderPlan:
    """The render's plan; with `first_task_only`, the plan of the chapters up to the first one with a task
    (whose first task, key and group are the whole plan's)."""
    readable = [chapter for chapter in book.chapters if chapter.included]
    numbers = select_chapters(options.chapters, len(readable)) if options.chapters else None
    warnings = profile.unmatched_rules((n, c.listed_title) for n, c in enumerate(readable, start=1))
    cli_voice = VoiceSource.parse(options.voice, Path.cwd(), "--voice") if options.voice else None
    default_voice = cli_voice or profile.voice or VoiceSource.parse(model.default_voice, Path.cwd())
    language = options.language or model.language or book.metadata.language or "en"
    replace = dict(model.config.replace_characters)
    if model.fold_table is not None:  # what the model reads the characters it cannot read as (â -> a, ′ -> ')
        replace.update(model.fold_table(book_characters(book)))
    text_options = profile.text_options(
        TextOptions(max_tokens=options.generation.max_tokens, replace_characters=replace, language=language)
    )
    warnings += reading_warnings(book, readable, language, model, replace)
    if options.speak_titles is not None:
        text_options.speak_titles = options.speak_titles

    fixes = fixes or Fixes()
    plan = RenderPlan([], [], text_options, [], [], [], options.batch_size, [], warnings)
    for number, chapter in enumerate(readable, start=1):
        if first_task_only and plan.tasks:
            break
        if first_task_only and numbers is not None and number not in numbers:
            continue  # (its segments are not needed for the first task)
        title = chapter.listed_title
        settings = profile.settings_for_chapter(number, title)
        chapter_fix = fixes.chapters.get(number)
        fixed = fixed_voice(chapter_fix.voice if chapter_fix else None)
        voice = fixed or cli_voice or settings.voice or default_voice
        generation = fixed_options(settings.generation.updated(options.generation), chapter_fix)
        spoken = prepare_chapter(chapter, model.count_tokens, text_options)
        segments, readings = [], []
        for position, s in enumerate(spoken):
            fix = fixes.for_segment(number, position, s.text)
            text = spoken_text(s.text, fix, fixes.lexicon)
            if text != s.text:
                plan.bases[(number, position)] = s.text
            reader = fixed_voice(fix.voice if fix else None) or voice
            reading = fixed_options(generation, fix).resolved(model.config)
            ident = voices.voice_id(reader)
            if reader.narrator not in [n.name for n in plan.narrators]:
                plan.narrators.append(Narrator(number, title, reader.narrator, reader.display_name))
            key = segment_key(text, ident, model.model_id, reading.key_fields(), take=fix.take if fix else 0)
            segments.append(PlannedSegment(key, text, s.pause_after, ident))
            readings.append(reading)
        planned = PlannedChapter(number, title, segments)
        plan.chapters.append(planned)
        plan.spoken.append(spoken)
        if numbers is not None and number not in numbers:
            continue
        if options.preview_seconds is not None:
            planned = dataclasses.replace(planned, segments=preview(segments, options.preview_seconds))
        plan.work.append(planned)
        readings = readings[: len(planned.segments)]  # a preview keeps the first segments
        for position, (segment, reading) in enumerate(zip(planned.segments, readings, strict=True), start=1):
            plan.tasks.append(SegmentTask(planned, position, segment, segment.voice_id, reading))

    size, lead = options.batch_size * GROUP_BATCHES, min(1, len(plan.tasks))
    plan.groups = [range(0, lead)] if lead else []
    plan.groups += [range(s, min(s + size, len(plan.tasks))) for s in range(lead, len(plan.tasks), size)]
    for index, task in enumerate(plan.tasks):
        plan.owner.setdefault(task.key, index)
    return plan


def fixed_voice(source: str | None) -> VoiceSource | None:
    """The voice a fix names, if it names one."""
    return VoiceSource.parse(source, Path.cwd(), "fixed voice") if source else None


def fixed_options(options: GenerationOptions, fix: SegmentFix | ChapterFix | None) -> GenerationOptions:
    """`options` with the generation settings a fix sets over them."""
    return options.updated(GenerationOptions(**fix.settings)) if fix is not None and fix.settings else options


def preview(segments: list[PlannedSegment], seconds: float) -> list[PlannedSegment]:
    """The first segments of a chapter, up to about `seconds` of speech."""
    kept, total = [], 0.0
    for segment in segments:
        if total >= seconds:
            break
        kept.append(segment)
        total += len(segment.text.split()) / PREVIEW_WORDS_PER_SECOND + segment.pause_after
    return kept
