"""The jobs the studio was given, read without their lock: what the library, book and chapter pages show.

A job is a folder holding `.audiobook-tts/index.sqlite`: each folder given to `serve`, and the folders
directly inside it. Pages name a job by an id derived from its path, never by the path, so a URL can only
reach a job the server found. Every file the studio serves is found here, inside a job folder.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from audiobook_tts.assemble.assemble import LOUDNESS_REPORT
from audiobook_tts.errors import UserError
from audiobook_tts.jobs import JobStatus, read_status
from audiobook_tts.jobs import fixes as fix_table
from audiobook_tts.jobs import outputs as outputs_table
from audiobook_tts.jobs import source as source_table
from audiobook_tts.jobs.errors import JobError
from audiobook_tts.jobs.fixes import ChapterFix, Fixes, SegmentFix
from audiobook_tts.jobs.index import has_table
from audiobook_tts.jobs.job import JOB_DIRNAME, plan_flags, read_only
from audiobook_tts.jobs.outputs import OutputRecord
from audiobook_tts.jobs.quality import Flag
from audiobook_tts.jobs.source import decode_options
from audiobook_tts.profiles import Profile, load_profile
from audiobook_tts.render import RenderOptions
from audiobook_tts.studio.newbook import VOICES_DIR
from audiobook_tts.tts.catalogue import VOICES

OUTPUT_SUFFIXES = (".m4b", ".mp3", ".srt", ".vtt", ".epub", ".json", ".txt", ".cue")
_KEY = re.compile(r"[0-9a-f]{64}")


def job_id(folder: Path) -> str:
    return hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]


def find_jobs(roots: list[Path]) -> dict[str, Path]:
    """id -> folder of every job in `roots` or directly inside one of them."""
    found = {}
    for root in roots:
        candidates = [root] + sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        for folder in candidates:
            if (folder / JOB_DIRNAME / "index.sqlite").is_file():
                found[job_id(folder)] = folder.resolve()
    return found


def is_locked(folder: Path) -> bool:
    """True while a render (the CLI's or the studio's) holds the job's lock."""
    try:
        fd = os.open(folder / JOB_DIRNAME / "lock", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # fails while someone holds it exclusively
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@dataclass
class Segment:
    chapter: int
    position: int  # 0-based
    key: str
    text: str  # as spoken
    seconds: float | None  # None: not rendered yet
    flags: list[Flag] = field(default_factory=list)
    take: int = 0
    edited: bool = False
    base_text: str = ""  # the book's text here, which a fix of this segment is made for
    edit_text: str = ""  # what the edit box starts with: the text override, else the book's text
    voice: str | None = None  # the segment's own voice (a fix), else None: its chapter's
    settings: dict = field(default_factory=dict)  # the segment's own generation settings (a fix)


def decibels(value: float | None) -> str:
    """-19.04 -> "−19.0" (a true minus sign, which screen readers read as minus); None -> "−∞" (silence:
    the report writes -inf as null)."""
    return "\u2212\u221e" if value is None else f"{value:.1f}".replace("-", "\u2212")


@dataclass(frozen=True)
class FileLoudness:
    name: str
    level: float | None  # in the report's unit; None: silent
    true_peak: float | None  # dBTP; None: silent
    corrected: bool  # re-encoded once after the first measurement missed
    problems: tuple[str, ...]  # what still misses; none: the file passes


@dataclass(frozen=True)
class Loudness:
    """The render's loudness report (loudness.json, written next to the outputs) as the pages show it."""

    unit: str  # "LUFS" (integrated) or "dB RMS" (ACX)
    target: float | None
    ceiling: float | None  # true-peak ceiling, dBTP
    files: tuple[FileLoudness, ...]

    @property
    def failing(self) -> int:
        return sum(bool(f.problems) for f in self.files)

    def summary(self) -> str:
        """One line: "−19.0 LUFS, −1.2 dBTP, pass" for one file; the range and the worst peak for more."""
        if not self.files:
            return "no files measured"
        levels = sorted(f.level for f in self.files if f.level is not None)
        peaks = [f.true_peak for f in self.files if f.true_peak is not None]
        level = decibels(levels[0] if levels else None)
        if len(levels) > 1 and f"{levels[0]:.1f}" != f"{levels[-1]:.1f}":
            level += f" to {decibels(levels[-1])}"
        peak = decibels(max(peaks) if peaks else None)
        if len(self.files) == 1:
            verdict = "FAIL" if self.failing else "pass"
            return f"{level} {self.unit}, {peak} dBTP, {verdict}"
        verdict = f"{self.failing} of {len(self.files)} files FAIL" if self.failing else "all files pass"
        return f"{level} {self.unit}, true peak up to {peak} dBTP, {verdict}"


def read_loudness(path: Path) -> Loudness | None:
    """The loudness report in `path`; None if it cannot be read (the render writes it whole, so only another
    program's file would be unreadable)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        unit = str(report["unit"])
        level_key = "rms_db" if unit == "dB RMS" else "lufs"
        files = tuple(
            FileLoudness(
                str(entry["path"]),
                _number(entry.get(level_key)),
                _number(entry.get("true_peak_db")),
                bool(entry.get("corrected")),
                tuple(str(problem) for problem in entry.get("problems") or ()),
            )
            for entry in report["files"]
        )
        return Loudness(
            unit, _number(report.get("target")), _number(report.get("true_peak_ceiling_db")), files
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass
class JobView:
    """One job as the pages show it."""

    id: str
    folder: Path
    status: JobStatus
    source: dict[str, str | bytes]
    fixes: Fixes
    locked: bool
    recorded: list[OutputRecord] = field(default_factory=list)  # the outputs manifest (jobs/outputs.py)

    @property
    def title(self) -> str:
        title = self.source.get("title")
        return title if isinstance(title, str) and title else self.folder.name

    @property
    def has_cover(self) -> bool:
        return isinstance(self.source.get("cover"), bytes)

    def outputs(self) -> list[str]:
        """The job's output files, as paths relative to its folder: those its renders recorded (also in
        folders of their own: --layout audiobookshelf, previews), and files of an output kind at its top (a
        job rendered before renders recorded them). Never a file outside the folder or in the job's own."""
        folder = self.folder.resolve()
        found = {p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in OUTPUT_SUFFIXES}
        for record in self.recorded:
            path = (folder / record.path).resolve()
            if path.is_file() and path.is_relative_to(folder):
                relative = path.relative_to(folder)
                if relative.parts[0] != JOB_DIRNAME:
                    found.add(relative.as_posix())
        return sorted(found)

    def output(self, name: str) -> Path:
        """The output file `name` (as `outputs()` names it); JobError unless it is one of them."""
        if name not in self.outputs():
            raise JobError(f"{self.title} has no output named {name!r}")
        return self.folder / name

    @functools.cached_property
    def recorded_options(self) -> RenderOptions | None:
        """The options the job was last rendered with, as it recorded them."""
        options = self.source.get("options")
        return decode_options(RenderOptions, options) if isinstance(options, str) else None

    @functools.cached_property
    def recorded_profile(self) -> tuple[Profile | None, str | None]:
        """(the profile the job was rendered with, loaded once per view; why it cannot be read now, if it has
        moved or broken since: its voices are then not offered, and the page says so rather than leave them
        out silently)."""
        recorded = self.recorded_options
        if recorded is None or recorded.profile is None:
            return None, None
        try:
            return load_profile(recorded.profile), None
        except UserError as error:
            return None, f"{error} (its voices are not offered here; the render will say the same)"

    def profile_problem(self) -> str | None:
        """Why the profile the job was rendered with cannot be read now, if it cannot."""
        return self.recorded_profile[1]

    def voice_choices(self) -> dict[str, str]:
        """voice source -> its name: the voices a fix may give a segment or chapter of this job. Those it was
        rendered with (--voice and its profile's), the recordings in its folder, those its fixes name, and the
        catalogue's for a released model (a custom model has none). Nothing else: a form never names a file of
        its own."""
        recorded, profile = self.recorded_options, self.recorded_profile[0]
        sources = [recorded.voice] if recorded is not None and recorded.voice else []
        if profile is not None:
            voices = [profile.voice, *(rule.voice for rule in profile.chapters)]
            sources += [voice.location for voice in voices if voice is not None]
        sources += sorted(str(path) for path in (self.folder / VOICES_DIR).glob("*") if path.is_file())
        fixes: list[ChapterFix | SegmentFix] = [*self.fixes.chapters.values(), *self.fixes.segments.values()]
        sources += sorted({fix.voice for fix in fixes if fix.voice})
        if recorded is not None and recorded.config is None:
            sources += sorted(VOICES)
        return {source: source.replace("\\", "/").split("/")[-1] for source in dict.fromkeys(sources)}

    def loudness(self) -> Loudness | None:
        """The loudness report of the whole book's files (a preview or a chapter selection has its own)."""
        reports = [name for name in self.outputs() if Path(name).name == LOUDNESS_REPORT]
        book = {record.path.as_posix() for record in self.recorded if record.target == "book"}
        chosen = [name for name in reports if name in book] or [name for name in reports if "/" not in name]
        return read_loudness(self.folder / chosen[0]) if chosen else None

    def flagged(self) -> dict[int, int]:
        """Flagged segments per chapter."""
        db = read_only(self.folder)
        try:
            flagged = plan_flags(db, self.folder / JOB_DIRNAME)
        finally:
            db.close()
        counts: dict[int, int] = {}
        for segment in flagged:
            if segment.flags:
                counts[segment.chapter] = counts.get(segment.chapter, 0) + 1
        return counts

    def segments(self, chapter: int) -> list[Segment]:
        db = read_only(self.folder)
        try:
            return _segments(db, self.folder / JOB_DIRNAME, chapter, self.fixes)
        finally:
            db.close()

    def audio_path(self, key: str) -> Path:
        """The stored audio of `key`; JobError unless `key` is a segment key with audio in this job."""
        if not _KEY.fullmatch(key):
            raise JobError(f"not a segment key: {key[:80]!r}")
        db = read_only(self.folder)
        try:
            row = db.execute("SELECT 1 FROM audio WHERE key = ?", (key,)).fetchone()
        finally:
            db.close()
        path = self.folder / JOB_DIRNAME / "audio" / f"{key}.f32"
        if row is None or not path.is_file():
            raise JobError(f"{self.title} has no audio for segment {key[:12]}")
        return path


def load_job(job: str, folder: Path) -> JobView:
    db = read_only(folder)
    try:
        source, fixes = source_table.load(db), fix_table.load(db)
        recorded = outputs_table.recorded(db) if has_table(db, "outputs") else []
    finally:
        db.close()
    return JobView(job, folder, read_status(folder), source, fixes, is_locked(folder), recorded)


def _segments(db: sqlite3.Connection, directory: Path, chapter: int, fixes: Fixes) -> list[Segment]:
    flags = {(s.chapter, s.position): s.flags for s in plan_flags(db, directory) if s.chapter == chapter}
    rows = db.execute(
        "SELECT s.position, s.key, s.text, 1.0 * a.samples / a.sample_rate FROM segments s"
        " LEFT JOIN audio a ON a.key = s.key WHERE s.chapter = ? ORDER BY s.position",
        (chapter,),
    )
    segments = []
    for position, key, text, seconds in rows:
        base = fixes.base_text(chapter, position, text)
        fix = fixes.for_segment(chapter, position, base)
        segments.append(
            Segment(
                chapter,
                position,
                key,
                text,
                seconds,
                flags.get((chapter, position), []),
                fix.take if fix else 0,
                bool(fix and fix.text is not None),
                base,
                fix.text if fix is not None and fix.text is not None else base,
                fix.voice if fix else None,
                fix.settings if fix else {},
            )
        )
    return segments
