"""A render job on disk: the plan, the finished segment audio and the voice states, in OUT/.audiobook-tts/.

    OUT/.audiobook-tts/
        lock                  flock'd by the one render using the job; holds its pid
        workers/<name>.lock   flock'd by each worker process of that render (see claims.py)
        index.sqlite          plan, audio and voice rows (WAL mode)
        audio/<key>.f32       one segment: raw float32 little-endian mono samples (sample-exact, lossless)
        voices/<id>.safetensors  voice states, named by voice_id()

Resuming is "skip every key that already exists and verifies": a file is written to a temp name, fsynced and
renamed before its row is inserted, so a kill at any moment loses at most the segment being written.

Audio whose key the current plan no longer uses is kept, as a cache: undoing an edit, or switching a chapter
back to its previous voice, costs nothing to render. `prune()` deletes it when space matters more.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from audiobook_tts.errors import no_space_message
from audiobook_tts.jobs import asr, claims, index, outputs, quality
from audiobook_tts.jobs import fixes as fix_table
from audiobook_tts.jobs import source as source_table
from audiobook_tts.jobs.errors import JobError
from audiobook_tts.jobs.keys import voice_id as compute_voice_id
from audiobook_tts.jobs.lock import JobLock
from audiobook_tts.jobs.store import file_sha256, fsync_dir, remove_stale_temps, write_atomic

if TYPE_CHECKING:  # torch is imported only to save or load a voice; `status` and the audio never need it
    import torch

JOB_DIRNAME = ".audiobook-tts"
SAMPLE_RATE = 24_000
_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class PlannedSegment:
    key: str  # segment_key() of text, voice, model and settings
    text: str
    pause_after: float  # seconds of silence after it
    voice_id: str


@dataclass(frozen=True)
class PlannedChapter:
    index: int
    title: str
    segments: list[PlannedSegment]


@dataclass
class ChapterStatus:
    index: int
    title: str
    done: int  # segments with audio in the index
    total: int
    seconds: float  # audio rendered so far: speech only
    remaining_chars: int  # text still to render: a rough measure of the work left
    pauses: float = 0.0  # the planned silence after the rendered segments

    @property
    def remaining(self) -> int:
        return self.total - self.done

    @property
    def seconds_with_pauses(self) -> float:
        """How long the rendered part lasts as assembled; for a finished chapter, its length in the M4B."""
        return self.seconds + self.pauses


@dataclass
class JobStatus:
    directory: Path
    chapters: list[ChapterStatus] = field(default_factory=list)
    outputs: list[outputs.TargetStatus] = field(default_factory=list)  # the finished files, per target
    verified: bool = False  # files checked by checksum, not only by size
    damaged: int = 0  # segments in the index whose file is missing or fails the check: a resume redoes them

    @property
    def done(self) -> int:
        return sum(chapter.done for chapter in self.chapters)

    @property
    def total(self) -> int:
        return sum(chapter.total for chapter in self.chapters)

    @property
    def seconds(self) -> float:
        return sum(chapter.seconds for chapter in self.chapters)

    @property
    def seconds_with_pauses(self) -> float:
        return sum(chapter.seconds_with_pauses for chapter in self.chapters)

    def to_json(self) -> dict:
        return {
            "directory": str(self.directory),
            "done": self.done,
            "total": self.total,
            "speech_seconds": round(self.seconds, 3),
            "seconds_with_pauses": round(self.seconds_with_pauses, 3),
            "checked": "checksum" if self.verified else "size",
            "damaged": self.damaged,
            "outputs": [
                {
                    "target": o.target,
                    "state": o.state,
                    "files": [str(f) for f in o.files],
                    "missing": [str(f) for f in o.missing],
                }
                for o in self.outputs
            ],
            "chapters": [
                {
                    "index": c.index,
                    "title": c.title,
                    "done": c.done,
                    "total": c.total,
                    "remaining": c.remaining,
                    "speech_seconds": round(c.seconds, 3),
                    "seconds_with_pauses": round(c.seconds_with_pauses, 3),
                    "remaining_chars": c.remaining_chars,
                }
                for c in self.chapters
            ],
        }


def _check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a segment key: {key!r}")


class Job:
    """An open job holding its lock until closed; use it from one thread: `with Job.open(out_dir) as job:`.

    The worker processes of the render holding the lock use `Job.open_for_worker` instead (no lock)."""

    def __init__(self, directory: Path, lock: JobLock | None, db: sqlite3.Connection):
        self.directory = directory  # OUT/.audiobook-tts
        self._lock = lock
        self._db = db

    # ---- opening and closing -------------------------------------------------------------------------------

    @classmethod
    def open(cls, out_dir: Path, *, fresh: bool = False) -> Job:
        """Create or reopen the job in `out_dir`; `fresh` discards its previous state (and nothing else)."""
        out_dir = Path(out_dir)
        directory = out_dir / JOB_DIRNAME
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            culprit = out_dir if out_dir.exists() and not out_dir.is_dir() else directory
            message = f"{culprit} is not a directory; move it away or choose another output directory"
            raise JobError(message) from None
        except OSError as error:
            raise JobError(f"cannot create {directory}: {error.strerror}") from None
        lock = JobLock.acquire(directory / "lock", directory)
        try:
            # A killed render's workers may outlive it by a moment: wait, so that nothing writes behind us.
            claims.wait_for_dead_workers(directory)
            if fresh:
                for entry in directory.iterdir():
                    if entry.name == "lock":
                        continue  # deleting a held lock file would let a second render lock a new one
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry)
                    else:
                        entry.unlink()
            for sub in ("audio", "voices"):
                try:
                    (directory / sub).mkdir(exist_ok=True)
                except FileExistsError:
                    raise JobError(
                        f"{directory / sub} is a file where the job keeps its {sub} folder; move it away and "
                        "run again (the rest of the job is kept)"
                    ) from None
            fsync_dir(directory)
            remove_stale_temps(directory)  # we hold the lock: every temp file is a dead writer's
            db = index.connect(directory / "index.sqlite")
        except BaseException:
            lock.release()
            raise
        return cls(directory, lock, db)

    @classmethod
    def open_for_worker(cls, out_dir: Path) -> Job:
        """The job as seen by a worker process of the render that holds its lock (started by that render)."""
        directory = Path(out_dir) / JOB_DIRNAME
        return cls(directory, None, index.connect(directory / "index.sqlite"))

    def close(self) -> None:
        self._db.close()  # closing a closed connection does nothing
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Job:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # ---- the plan ------------------------------------------------------------------------------------------

    def set_plan(self, chapters: list[PlannedChapter]) -> None:
        """Replace the recorded plan with `chapters` in one transaction; audio is never deleted here."""
        seen = set()
        for chapter in chapters:
            if chapter.index in seen:
                raise ValueError(f"chapter index {chapter.index} appears twice in the plan")
            seen.add(chapter.index)
            for segment in chapter.segments:
                _check_key(segment.key)
        with self._write(self.directory / "index.sqlite"):
            self._db.execute("DELETE FROM segments")
            self._db.execute("DELETE FROM chapters")
            self._db.executemany(
                "INSERT INTO chapters (idx, title) VALUES (?, ?)", [(c.index, c.title) for c in chapters]
            )
            self._db.executemany(
                "INSERT INTO segments (chapter, position, key, text, pause_after, voice_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (c.index, i, s.key, s.text, float(s.pause_after), s.voice_id)
                    for c in chapters
                    for i, s in enumerate(c.segments)
                ],
            )

    def plan(self) -> list[PlannedChapter]:
        """The recorded plan, chapters and segments in order."""
        chapters = {
            idx: PlannedChapter(idx, title, [])
            for idx, title in self._db.execute("SELECT idx, title FROM chapters ORDER BY idx")
        }
        rows = self._db.execute(
            "SELECT chapter, key, text, pause_after, voice_id FROM segments ORDER BY chapter, position"
        )
        for chapter, key, text, pause_after, voice in rows:
            chapters[chapter].segments.append(PlannedSegment(key, text, pause_after, voice))
        return list(chapters.values())

    def status(self, *, verify: bool = False) -> JobStatus:
        return _status(self._db, self.directory.parent, verify=verify)

    # ---- segment audio -------------------------------------------------------------------------------------

    def audio_path(self, key: str) -> Path:
        _check_key(key)
        return self.directory / "audio" / f"{key}.f32"

    def has_audio(self, key: str) -> bool:
        """True if the key's row exists and its file has the recorded size and checksum; else drop both."""
        row = self._db.execute("SELECT samples, sha256 FROM audio WHERE key = ?", (key,)).fetchone()
        if row is None:
            return False
        samples, sha256 = row
        path = self.audio_path(key)
        intact = _audio_intact(path, samples, sha256)
        if not intact:
            with self._write(self.directory / "index.sqlite"):
                self._db.execute("DELETE FROM audio WHERE key = ?", (key,))
            path.unlink(missing_ok=True)
        return intact

    def write_audio(self, key: str, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
        """Store one segment's mono samples: durable file first, then its row."""
        samples = np.asarray(samples)
        if samples.ndim != 1 or samples.dtype.kind != "f":
            raise ValueError(f"segment audio must be 1-D float samples, got {samples.dtype} {samples.shape}")
        data = samples.astype("<f4", copy=False).tobytes()
        path = self.audio_path(key)
        write_atomic(path, data)
        with self._write(self.directory / "index.sqlite"):
            self._db.execute(
                "INSERT OR REPLACE INTO audio (key, samples, sample_rate, sha256) VALUES (?, ?, ?, ?)",
                (key, len(samples), sample_rate, hashlib.sha256(data).hexdigest()),
            )

    def read_audio(self, key: str) -> np.ndarray:
        """The stored samples as float32 (call has_audio first to verify them)."""
        path = self.audio_path(key)
        try:
            return np.fromfile(path, dtype="<f4").astype(np.float32, copy=False)
        except FileNotFoundError:
            raise JobError(f"segment audio {path} is missing; run the render again to redo it") from None

    def prune(self) -> int:
        """Delete audio that no segment of the current plan uses; returns how many files went."""
        with self._write(self.directory / "index.sqlite"):
            self._db.execute("DELETE FROM audio WHERE key NOT IN (SELECT key FROM segments)")
        keep = {key for (key,) in self._db.execute("SELECT key FROM audio")}
        removed = 0
        for path in (self.directory / "audio").glob("*.f32"):
            if path.stem not in keep:  # includes files whose row a crash never wrote
                path.unlink()
                removed += 1
        return removed

    # ---- voice states --------------------------------------------------------------------------------------

    def voice_path(self, voice_id: str) -> Path:
        _check_key(voice_id)
        return self.directory / "voices" / f"{voice_id}.safetensors"

    def save_voice(self, voice_id: str, source: Path | Mapping[str, torch.Tensor]) -> None:
        """Keep a voice state (a safetensors file or tensors) in the job, checked against its id."""
        import safetensors.torch

        if isinstance(source, Mapping):
            tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in source.items()}
            data = safetensors.torch.save(tensors)
        else:
            data = Path(source).read_bytes()
            try:
                tensors = safetensors.torch.load(data)
            except Exception as error:
                raise JobError(f"{source} is not a safetensors voice state ({error})") from None
        if compute_voice_id(tensors) != voice_id:
            raise ValueError(f"voice state does not match voice id {voice_id}")
        write_atomic(self.voice_path(voice_id), data)
        with self._write(self.directory / "index.sqlite"):
            self._db.execute(
                "INSERT OR REPLACE INTO voices (voice_id, size, sha256) VALUES (?, ?, ?)",
                (voice_id, len(data), hashlib.sha256(data).hexdigest()),
            )

    def has_voice(self, voice_id: str) -> bool:
        """Like has_audio: the row exists and the file verifies, else the row is dropped."""
        row = self._db.execute("SELECT size, sha256 FROM voices WHERE voice_id = ?", (voice_id,)).fetchone()
        if row is None:
            return False
        path = self.voice_path(voice_id)
        try:
            intact = path.stat().st_size == row[0] and file_sha256(path) == row[1]
        except FileNotFoundError:
            intact = False
        if not intact:
            with self._write(self.directory / "index.sqlite"):
                self._db.execute("DELETE FROM voices WHERE voice_id = ?", (voice_id,))
            path.unlink(missing_ok=True)
        return intact

    def remember_voice_source(self, source_key: str, voice_id: str) -> None:
        """Record that the state computed from `source_key` is `voice_id`, so a rerun need not clone again."""
        with self._write(self.directory / "index.sqlite"):
            self._db.execute(
                "INSERT OR REPLACE INTO voice_sources (source_key, voice_id) VALUES (?, ?)",
                (source_key, voice_id),
            )

    def voice_for_source(self, source_key: str) -> str | None:
        """The voice id remembered for `source_key` (check has_voice before trusting its file)."""
        row = self._db.execute(
            "SELECT voice_id FROM voice_sources WHERE source_key = ?", (source_key,)
        ).fetchone()
        return None if row is None else row[0]

    def load_voice(self, voice_id: str) -> dict[str, torch.Tensor]:
        import safetensors.torch

        return safetensors.torch.load_file(self.voice_path(voice_id))

    # ---- the book and the finished files (outputs.py) ----------------------------------------------------

    def book(self) -> str | None:
        """The title of the book this job renders (None in a new job)."""
        return outputs.get_meta(self._db, "book")

    def check_book(self, book: str, keys: Iterable[str]) -> None:
        """Refuse to render `book` (a title naming it) into a job made for another one. A job sharing any
        segment audio with `keys` (the new plan) is the same book, its title edited: it is renamed."""
        recorded = self.book()
        if recorded is not None and recorded != book:
            shared = any(
                self._db.execute("SELECT 1 FROM audio WHERE key = ?", (key,)).fetchone() for key in keys
            )
            if not shared:
                out_dir = self.directory.parent
                raise JobError(
                    f"{out_dir} holds the job of another book ({recorded!r}, not {book!r}); render into "
                    "another folder with --out (--fresh would delete that book's rendered segments)"
                )
        with self._write(self.directory / "index.sqlite"):
            outputs.set_meta(self._db, "book", book)

    def note_ffmpeg(self, identity: str) -> str | None:
        """Record the ffmpeg encoding the outputs; returns the one recorded before if it was another."""
        previous = outputs.get_meta(self._db, "ffmpeg")
        with self._write(self.directory / "index.sqlite"):
            outputs.set_meta(self._db, "ffmpeg", identity)
        return previous if previous not in (None, identity) else None

    def outputs_up_to_date(self, target: str, digest: str) -> bool:
        return outputs.up_to_date(self._db, self.directory.parent, target, digest)

    def output_files(self, target: str) -> list[Path]:
        """The recorded files of `target`, as paths under the output folder."""
        return [self.directory.parent / r.path for r in outputs.recorded(self._db, target)]

    def record_outputs(
        self, target: str, files: list[Path], digest: str, chapters: list[int] | None = None
    ) -> list[Path]:
        """The finished `files` of `target`, made from `digest` (and the plan of `chapters`, None: all);
        returns the target's earlier files that were moved to OUT/.audiobook-tts/old/."""
        with self._write(self.directory / "index.sqlite"):
            moved = outputs.record(self._db, self.directory.parent, self.directory, target, files, digest)
            outputs.set_meta(self._db, f"plan:{target}", outputs.plan_digest(self._db, chapters))
        return moved

    # ---- groups shared by worker processes (claims.py) -----------------------------------------------------

    def reset_claims(self, groups: Iterable[int]) -> None:
        """Only the lock holder: `groups` become the unclaimed work of its workers."""
        if self._lock is None:
            raise RuntimeError("only the render holding the job lock resets the claims")
        with self._write(self.directory / "index.sqlite"):
            claims.reset(self._db, groups)

    def claim_group(self, worker: str) -> int | None:
        """A group for `worker` (a WorkerLock name) to render whole; None if none is free right now."""
        with self._write(self.directory / "index.sqlite"):
            return claims.claim(self._db, self.directory, worker)

    def finish_group(self, group: int) -> None:
        with self._write(self.directory / "index.sqlite"):
            claims.finish(self._db, group)

    def unfinished_groups(self) -> int:
        return claims.unfinished(self._db)

    # ---- the studio's tables: quality flags, fixes, source (quality.py, fixes.py, source.py) ---------------

    def record_quality(self, key: str, measures: quality.Measures) -> None:
        with self._write(self.directory / "index.sqlite"):
            quality.record(self._db, key, measures)

    def unchecked_words(self, backend: str, *, again: bool = False) -> list[tuple[str, str, int]]:
        """(key, text, sample rate) of the plan's stored segments that `backend` has not checked (asr.py);
        `again`: all of them."""
        rows = self._db.execute(
            "SELECT s.key, s.text, a.sample_rate FROM segments s JOIN audio a ON a.key = s.key"
            " ORDER BY s.chapter, s.position"
        ).fetchall()
        done = {} if again else asr.stored(self._db, (row[0] for row in rows), backend)
        return list({row[0]: row for row in rows if row[0] not in done}.values())

    def record_word_check(self, key: str, backend: str, result: asr.WordCheck) -> None:
        with self._write(self.directory / "index.sqlite"):
            asr.record(self._db, key, backend, result)

    def flags(self) -> list[quality.FlaggedSegment]:
        """Every stored segment of the plan with its quality flags (see quality.py)."""
        return plan_flags(self._db, self.directory)

    def fixes(self) -> fix_table.Fixes:
        return fix_table.load(self._db)

    def retake_flagged(self, kinds: Collection[str] | None = None) -> list[tuple[int, int]]:
        """Ask for the next take of every stored segment with a flag of `kinds` (None: any flag); returns
        their (chapter, position). The render that follows renders exactly those again."""
        fixes = self.fixes()
        chosen = []
        for segment in self.flags():
            if any(kinds is None or flag.kind in kinds for flag in segment.flags):
                place = (segment.chapter, segment.position)
                base = fixes.base_text(*place, segment.text)
                fix = fixes.for_segment(*place, base) or fix_table.SegmentFix(base)
                chosen.append((place, replace(fix, take=fix.take + 1)))
        with self._write(self.directory / "index.sqlite"):
            for place, fix in chosen:
                fix_table.set_segment(self._db, *place, fix)
        return [place for place, _ in chosen]

    def set_segment_fix(self, chapter: int, position: int, fix: fix_table.SegmentFix | None) -> None:
        with self._write(self.directory / "index.sqlite"):
            fix_table.set_segment(self._db, chapter, position, fix)

    def set_chapter_fix(self, chapter: int, fix: fix_table.ChapterFix | None) -> None:
        with self._write(self.directory / "index.sqlite"):
            fix_table.set_chapter(self._db, chapter, fix)

    def set_pronunciation(self, word: str, respelling: str | None) -> None:
        with self._write(self.directory / "index.sqlite"):
            fix_table.set_pronunciation(self._db, word, respelling)

    def record_bases(self, bases: dict[tuple[int, int], str]) -> None:
        """After set_plan: the book's text of each segment whose spoken text a fix changed (fixes.py)."""
        with self._write(self.directory / "index.sqlite"):
            fix_table.record_bases(self._db, bases)

    def record_source(self, values: Mapping[str, str | bytes]) -> None:
        with self._write(self.directory / "index.sqlite"):
            source_table.record(self._db, values)

    def source(self) -> dict[str, str | bytes]:
        return source_table.load(self._db)

    # ---- internals -----------------------------------------------------------------------------------------

    def _write(self, db_path: Path) -> _IndexWrite:
        return _IndexWrite(self._db, db_path)


class _IndexWrite(index.transaction):
    """A transaction whose failure (mostly a full disk) is a JobError naming the index; nothing changes."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        super().__init__(db)
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            return super().__enter__()
        except sqlite3.OperationalError as error:
            raise self.failed(error) from None

    def __exit__(self, kind, value, traceback) -> None:
        try:
            super().__exit__(kind, value, traceback)
        except sqlite3.OperationalError as error:
            raise self.failed(error) from None
        if isinstance(value, sqlite3.OperationalError):
            raise self.failed(value) from None

    def failed(self, error: sqlite3.OperationalError) -> JobError:
        """A full disk is the line every stage prints for one; anything else names SQLite's reason."""
        if getattr(error, "sqlite_errorname", None) == "SQLITE_FULL":
            return JobError(no_space_message(self.path))
        return JobError(f"cannot update {self.path}: {error}; free some space and run again")


def _audio_intact(path: Path, samples: int, sha256: str, *, verify: bool = True) -> bool:
    """The file has the row's size and, with `verify`, its checksum (False for a missing file)."""
    try:
        return path.stat().st_size == 4 * samples and (not verify or file_sha256(path) == sha256)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def _status(db: sqlite3.Connection, out_dir: Path, *, verify: bool) -> JobStatus:
    """Per chapter, the segments whose audio is in the index and on disk: checked by size, or with `verify`
    by checksum too, the way a resume checks them; a segment whose file fails counts as not done."""
    audio_dir = Path(out_dir) / JOB_DIRNAME / "audio"
    status = JobStatus(Path(out_dir), verified=verify)
    chapters = {
        idx: ChapterStatus(idx, title, 0, 0, 0.0, 0)
        for idx, title in db.execute("SELECT idx, title FROM chapters ORDER BY idx")
    }
    intact: dict[str, bool] = {}
    rows = db.execute(
        """
        SELECT s.chapter, s.key, length(s.text), s.pause_after, a.samples, a.sample_rate, a.sha256
        FROM segments s LEFT JOIN audio a ON a.key = s.key ORDER BY s.chapter, s.position
        """
    )
    for chapter_index, key, chars, pause_after, samples, rate, sha256 in rows:
        chapter = chapters[chapter_index]
        chapter.total += 1
        if samples is not None and key not in intact:
            intact[key] = _audio_intact(audio_dir / f"{key}.f32", samples, sha256, verify=verify)
            status.damaged += not intact[key]
        if samples is not None and intact[key]:
            chapter.done += 1
            chapter.seconds += samples / rate
            chapter.pauses += pause_after
        else:
            chapter.remaining_chars += chars
    status.chapters = list(chapters.values())
    if index.has_table(db, "outputs"):  # an index of version 2 has none until a render opens it
        status.outputs = outputs.statuses(db, Path(out_dir))
    return status


def read_status(out_dir: Path, *, verify: bool = False) -> JobStatus:
    """The progress of the job in `out_dir`, read without its lock (a render may be running) and without
    writing anything; each finished segment's file is checked by size, or with `verify` by checksum."""
    path = _index_path(out_dir)
    with index.reading(path) as db:
        try:
            return _status(db, Path(out_dir), verify=verify)
        except sqlite3.DatabaseError as error:
            raise index.corrupt(path, error) from None


def _index_path(out_dir: Path) -> Path:
    path = Path(out_dir) / JOB_DIRNAME / "index.sqlite"
    if not path.is_file():
        raise JobError(f"{out_dir} holds no render job (no {JOB_DIRNAME}/index.sqlite); render into it first")
    return path


def plan_flags(db: sqlite3.Connection, directory: Path) -> list[quality.FlaggedSegment]:
    """Flags of the plan's stored segments; audio stored before measures were kept is measured here."""
    rows = db.execute(
        "SELECT s.chapter, s.position, s.key, s.text, s.voice_id, a.sample_rate FROM segments s"
        " JOIN audio a ON a.key = s.key ORDER BY s.chapter, s.position"
    ).fetchall()
    measures = quality.stored(db, (row[2] for row in rows))
    for _, _, key, _, _, sample_rate in rows:
        if key not in measures:
            path = directory / "audio" / f"{key}.f32"
            if path.is_file():
                measures[key] = quality.measure(np.fromfile(path, dtype="<f4"), sample_rate)
    flagged = quality.flag_segments([row[:5] for row in rows], measures)
    heard = asr.stored(db, measures)  # the speech-recognition check's results, where it ran
    for segment in flagged:
        flag = heard[segment.key].flag() if segment.key in heard else None
        if flag is not None:
            segment.flags.append(flag)
    return flagged


def read_only(out_dir: Path) -> sqlite3.Connection:
    """The index of the job in `out_dir`, opened read-only (a render may be running)."""
    return index.connect(_index_path(out_dir), read_only=True)


def read_flags(out_dir: Path) -> list[quality.FlaggedSegment]:
    """Job.flags() without the job's lock, read as `status` reads (index.reading)."""
    with index.reading(_index_path(out_dir)) as db:
        return plan_flags(db, Path(out_dir) / JOB_DIRNAME)


def read_fixes(out_dir: Path) -> fix_table.Fixes:
    """Job.fixes() without the job's lock, read as `status` reads: what `--fresh` would discard."""
    with index.reading(_index_path(out_dir)) as db:
        return fix_table.load(db)
