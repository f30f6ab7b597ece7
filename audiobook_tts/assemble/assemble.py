"""Rendered chapters in, finished files out: chapter by chapter, measure, level and encode; then the files.

Each chapter in book order (`_Assembly.add`): stream it through the loudness meter (collecting subtitle
cues); if its peaks reach the limiter, measure it again after gain and limiter and correct its gain
(limiting lowers loudness); then feed it, gained, through the one true-peak limiter that runs over the
whole book into the M4B's AAC stream (one encoder for the whole book) and the chapter's MP3 encoder. Chapter
boundaries are exact sums of piece lengths, so every MP3 holds exactly the samples its M4B chapter spans.
At the end (`finish`) the AAC stream is copied into the M4B with its chapter marks, tags and cover, and the
files are checked (verify.py). Outputs are written under a hidden `.name.partial` and renamed into place
only at the end, once complete and tagged.

`assemble` runs this once every chapter is rendered; `BackgroundAssembly` runs the same calls beside a
render, each chapter as soon as its audio is stored, so little is left once the last segment is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from mutagen import MutagenError

from audiobook_tts.assemble import encode
from audiobook_tts.assemble.chapters import chapter_file_stems, ffmetadata, safe_filename
from audiobook_tts.assemble.errors import AssembleError
from audiobook_tts.assemble.ffmpeg import (
    FfmpegSink,
    check_writable,
    disk_error,
    ffmpeg_identity,
    find_ffmpeg,
    write_file,
)
from audiobook_tts.assemble.loudness import (
    CODEC_HEADROOM_DB,
    ChapterLoudness,
    LoudnessMeter,
    TruePeakLimiter,
    exceeds_ceiling,
    is_silent,
    limiter_may_act,
)
from audiobook_tts.assemble.model import AssembleOptions, AssembleResult, AudioPiece, BookTags, ChapterAudio
from audiobook_tts.assemble.readalong import ReadAlongChapter, ReadAlongSource, write_readalong_epub
from audiobook_tts.assemble.subtitles import (
    SUBTITLE_FORMATS,
    Cue,
    SentenceTiming,
    sentence_cues,
    write_subtitles,
)
from audiobook_tts.assemble.tags import cover_as_jpeg_or_png, iso639_2, tag_m4b, tag_mp3
from audiobook_tts.assemble.verify import (
    FileCheck,
    FileLoudness,
    LoudnessReport,
    Setting,
    StreamLevel,
    acx_problems,
    book_check,
    check_parts,
    measure_chapters,
    measure_file,
)

# (stage "measure" | "check" | "encode" | "verify", chapters (files for verify) done, count)
Progress = Callable[[str, int, int], None]
LOUDNESS_REPORT = "loudness.json"  # what every encoded file measured, next to them

BLOCK = 1 << 18  # samples handed to the limiter and encoders at a time (~11 s at 24 kHz)
ACX_RMS_DB = -20.0  # ACX asks for RMS between -23 and -18 dBFS; aim for the middle
ACX_MAX_SECONDS = 120 * 60
ACX_HEAD_SECONDS = 0.75  # ACX: 0.5-1 s of room tone at the start of each file
ACX_TAIL_SECONDS = 2.0  # and 1-5 s at the end
ROOM_TONE_DB = -72.0  # room tone RMS: inaudible, yet not digital silence (ACX floor: <= -60 dB)


def piece_blocks(piece: AudioPiece, chapter_title: str) -> Iterator[np.ndarray]:
    """A piece as float32 blocks of at most BLOCK samples; silence is never allocated beyond one block."""
    if isinstance(piece.samples, int):
        zeros = np.zeros(min(piece.samples, BLOCK), np.float32)
        for start in range(0, piece.samples, BLOCK):
            yield zeros[: min(BLOCK, piece.samples - start)]
        return
    samples = np.asarray(piece.samples, dtype=np.float32)
    if samples.ndim != 1:
        raise AssembleError(f"chapter {chapter_title!r}: a piece has shape {samples.shape}, not mono (n,)")
    for start in range(0, len(samples), BLOCK):
        yield samples[start : start + BLOCK]


def room_tone(samples: int, sample_rate: int) -> np.ndarray:
    """Low-level noise, the same every run; band-limited a little so it sounds like air, not hiss."""
    rng = np.random.default_rng(sample_rate)
    noise = rng.standard_normal(samples + 1)
    noise = (noise[1:] + noise[:-1]) / np.sqrt(2)  # gentle low-pass, unit RMS kept
    return (noise * 10 ** (ROOM_TONE_DB / 20)).astype(np.float32)


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """OSError (disk full, permissions) and mutagen's wrapped I/O errors become one line naming the path."""
    try:
        yield
    except OSError as error:
        raise disk_error(error, path) from error
    except MutagenError as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, OSError):
            raise disk_error(cause, path) from error
        raise AssembleError(f"cannot tag {path}: {error}") from error


@dataclasses.dataclass
class _ChapterOutputs:
    """Where the encode is: the chapter being written, its samples so far, its open MP3 and AAC encoders."""

    chapter: int = 0
    done: int = 0
    sink: FfmpegSink | None = None  # the chapter's MP3 encoder
    partial: Path | None = None  # the MP3 it writes, renamed into place when the whole book is done
    aac: FfmpegSink | None = None  # the chapter's AAC for the read-along EPUB


class _Stopped(Exception):
    """The assembly was told to stop (the render it runs beside failed or was interrupted)."""


class _Assembly:
    """State of one assembly: paths, sinks, the partial files to clean up if anything fails, and how far
    the chapters have got. `add` takes the chapters one by one, in book order; `finish` writes the rest."""

    def __init__(
        self,
        chapters: list[ChapterAudio],
        tags: BookTags,
        out_dir: Path,
        options: AssembleOptions,
        sample_rate: int,
        progress: Progress | None,
        sentences: SentenceTiming | None,
    ):
        self.chapters = chapters
        self.sentence_timing = sentences
        self.subtitles = SUBTITLE_FORMATS if options.subtitles is True else tuple(options.subtitles or ())
        self.tags = tags
        self.out_dir = out_dir
        self.options = options
        self.sample_rate = sample_rate
        self.progress = progress or (lambda stage, done, total: None)
        self.acx = options.preset == "acx"
        self.target = ACX_RMS_DB if self.acx else options.target_lufs
        self.ffmpeg = find_ffmpeg(options.ffmpeg)
        self.head = round(ACX_HEAD_SECONDS * sample_rate) if self.acx else 0
        self.tail = round(ACX_TAIL_SECONDS * sample_rate) if self.acx else 0
        stems = chapter_file_stems([chapter.title for chapter in chapters])
        self.mp3_paths = [out_dir / f"{stem}.mp3" for stem in stems]
        self.m4b_path = out_dir / f"{safe_filename(tags.title, 'Audiobook')}.m4b"
        self.sinks: list[FfmpegSink] = []  # killed on failure
        self.partials: list[Path] = []
        self.written: list[Path] = []
        self.warnings: list[str] = []
        self.chapter_aac: list[Path] = []  # read-along audio (hidden partial files, packed into the EPUB)
        self.stop = threading.Event()  # set from another thread: the next piece read raises _Stopped
        self.nice = 0  # niceness of the encoders started from now on (19 beside a running render)
        # per chapter added so far
        self.loudness: list[ChapterLoudness] = []
        self.cues: list[list[Cue]] = []
        self.gains_db: list[float] = []
        self.lengths: list[int] = []
        self.mp3_partials: list[Path] = []  # encoded and tagged, renamed into place by finish()
        self.report = LoudnessReport(self.target, "dB RMS" if self.acx else "LUFS", options.true_peak_db)
        # each MP3 is checked (and corrected) once it is encoded, in a thread of the checker's, so that the
        # next chapter's measuring and encoding go on meanwhile; the M4B's check goes beside the last MP3's
        self.checker = ThreadPoolExecutor(max_workers=2, thread_name_prefix="check")
        # the next chapter is measured and levelled in a thread of its own while this one is encoded (add)
        self.measurer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="measure")
        self.levelling: dict[int, Future[tuple[ChapterLoudness, list[Cue], float | None]]] = {}
        self.mp3_checks: list[Future[FileCheck]] = []
        self.m4b_check: Future[FileCheck] | None = None
        # the encode, across chapters: one limiter, one AAC stream for the M4B, the chapter being written
        self.cover: tuple[bytes, str] | None = None
        self.limiter = self.new_limiter()
        self.m4b: tuple[FfmpegSink, Path] | None = None
        self.current = _ChapterOutputs()

    def pieces(self, index: int) -> Iterator[AudioPiece]:
        """Chapter `index`'s pieces, stopping at any piece if told to."""
        for piece in self.chapters[index].pieces():
            if self.stop.is_set():
                raise _Stopped
            yield piece

    def sink(self, args: list[str], what: str, output: Path | None = None, gain: float = 1.0) -> FfmpegSink:
        sink = FfmpegSink(
            self.ffmpeg, self.sample_rate, args, what=what, output=output, nice=self.nice, gain=gain
        )
        self.sinks.append(sink)
        return sink

    # -- one chapter: measure, level, encode ----------------------------------------------------------------
    def add(self, measure_next: bool = True) -> None:
        """Measure, level and encode the next chapter. Its MP3 is complete once the next chapter (or
        finish) has pushed the limiter's delayed tail through.

        With `measure_next`, the chapter after it is measured and levelled meanwhile, in the measurer's
        thread (it needs no limiter but its own), so that both cores have work at every chapter boundary:
        the first two chapters are measured side by side, and each next one while this one is encoded."""
        index = len(self.loudness)
        count = len(self.chapters)
        ahead = self.levelling.pop(index, None)
        if measure_next and index + 1 < count:
            self.levelling[index + 1] = self.measurer.submit(self.level_chapter, index + 1)
        measured, cues, gain_db = ahead.result() if ahead is not None else self.level_chapter(index)
        self.loudness.append(measured)
        self.cues.append(cues)
        self.lengths.append(self.head + measured.samples + self.tail)
        self.progress("measure", index + 1, count)
        if gain_db is None:
            self.warnings.append(f"chapter {self.chapters[index].title!r} is silent; left at its level")
        self.gains_db.append(gain_db or 0.0)
        self.progress("check", index + 1, count)
        self.encode(index)

    def level_chapter(self, index: int) -> tuple[ChapterLoudness, list[Cue], float | None]:
        """Chapter `index`'s loudness, subtitle cues and the gain that brings it to the target after the
        limiter (None: the chapter is silent, and stays at its level)."""
        measured, cues = self.measure(index)
        if is_silent(measured):
            return measured, cues, None
        return measured, cues, self.settle_gain(index, measured, self.target - self.level(measured))

    def measure(self, index: int) -> tuple[ChapterLoudness, list[Cue]]:
        """Stream a chapter through the loudness meter, collecting its subtitle cues."""
        chapter = self.chapters[index]
        meter = LoudnessMeter(self.sample_rate)
        chapter_cues, position = [], self.head
        for piece in self.pieces(index):
            if self.acx and position + piece.length + self.tail > ACX_MAX_SECONDS * self.sample_rate:
                raise AssembleError(
                    f"chapter {chapter.title!r} lasts over 120 min, the most ACX allows in one file: "
                    f"split the chapter, or assemble without --preset acx"
                )
            if piece.text and piece.length:
                chapter_cues.append(Cue(position, position + piece.length, piece.text))
            for block in piece_blocks(piece, chapter.title):
                meter.write(block)
            position += piece.length
        if position == self.head:
            raise AssembleError(f"chapter {index + 1} ({chapter.title!r}) has no audio: render it again")
        return meter.result(), chapter_cues

    def level(self, measured: ChapterLoudness) -> float:
        """What the target is compared with: integrated LUFS, or for ACX the RMS of the whole file as ACX
        measures it, the (nearly silent) room tone included."""
        if not self.acx:
            return measured.lufs
        share = measured.samples / (measured.samples + self.head + self.tail)
        return measured.rms_db + 10 * math.log10(share)

    def settle_gain(self, index: int, measured: ChapterLoudness, gain_db: float) -> float:
        """Raise a chapter's gain until it meets the target after the limiter (secant steps, at most three).

        Limiting lowers loudness, and more so the higher the gain; output level against gain is monotonic with
        a slope below one, so a secant step from two measurements lands within a tenth of a LU or so.
        """
        ceiling_db = self.options.true_peak_db - CODEC_HEADROOM_DB
        previous = None
        for _ in range(3):
            if not self.limiter_acts(index, measured, gain_db, ceiling_db):
                break
            limited = self.measure_limited(index, gain_db)
            level = self.level(limited)
            if abs(self.target - level) <= 0.2:
                break
            slope = 1.0
            if previous is not None and gain_db != previous[0]:
                slope = min(1.0, max(0.2, (level - previous[1]) / (gain_db - previous[0])))
            previous = (gain_db, level)
            gain_db += (self.target - level) / slope
        return gain_db

    def measure_limited(self, index: int, gain_db: float) -> ChapterLoudness:
        """A chapter's loudness after gain and limiter."""
        chapter = self.chapters[index]
        gain = np.float32(10 ** (gain_db / 20))
        limiter = self.new_limiter()
        meter = LoudnessMeter(self.sample_rate)
        for piece in self.pieces(index):
            for block in piece_blocks(piece, chapter.title):
                meter.write(limiter.process(block * gain))
        meter.write(limiter.flush())
        return meter.result()

    def encode(self, index: int) -> None:
        """Chapter `index` through its gain and the book's limiter into the outputs (see `route`)."""
        if index == 0:
            try:
                self.cover = cover_as_jpeg_or_png(self.tags, self.ffmpeg)
            except AssembleError as error:  # a picture ffmpeg cannot read is no reason to lose the book
                self.cover = None
                self.warnings.append(f"{error}; the audio files have no cover")
            if "m4b" in self.options.formats:
                self.m4b = self.m4b_encoder()
        chapter, length = self.chapters[index], self.lengths[index]
        gain = np.float32(10 ** (self.gains_db[index] / 20))
        self.route(self.limiter.process(room_tone(self.head, self.sample_rate)))
        fed = self.head + self.tail
        for piece in self.pieces(index):
            fed += piece.length
            if fed > length:
                break  # checked below, before anything lands in the next chapter's file
            for block in piece_blocks(piece, chapter.title):
                self.route(self.limiter.process(block * gain))
        if fed != length:
            raise AssembleError(
                f"chapter {chapter.title!r} gave other audio on the second pass than "
                f"on the first: its pieces must be the same on every call"
            )
        self.route(self.limiter.process(room_tone(self.tail, self.sample_rate + 1)))

    def route(self, block: np.ndarray) -> None:
        """Send limited audio to the M4B's AAC stream and, split at chapter boundaries, to each chapter's MP3
        (and read-along AAC)."""
        formats, current = self.options.formats, self.current
        if self.m4b is not None:
            self.m4b[0].write(block)
        while len(block):
            index = current.chapter
            take = min(len(block), self.lengths[index] - current.done)
            if "mp3" in formats:
                if current.sink is None:
                    current.partial = self.partial(self.mp3_paths[index])
                    current.sink = self.mp3_sink(current.partial, self.mp3_paths[index])
                current.sink.write(block[:take])
            if "epub" in formats:
                if current.aac is None:
                    aac = self.partial(self.out_dir / f"{self.mp3_paths[index].stem}.m4a")
                    self.chapter_aac.append(aac)
                    current.aac = self.sink(
                        encode.chapter_aac_args(aac, self.options.aac_bitrate), str(aac), aac
                    )
                current.aac.write(block[:take])
            current.done += take
            block = block[take:]
            if current.done == self.lengths[index]:
                self.finish_chapter()
                current = self.current

    def finish_chapter(self) -> None:
        """The current chapter's encoders have all its audio: close them and tag its MP3 (a partial still)."""
        index, sink, partial = self.current.chapter, self.current.sink, self.current.partial
        if sink is not None:
            assert partial is not None  # opened together with sink
            sink.finish()
            duration_ms = round(self.lengths[index] * 1000 / self.sample_rate)
            title, count = self.chapters[index].title, len(self.chapters)
            with writing(self.mp3_paths[index]):
                tag_mp3(partial, self.tags, title, index + 1, count, self.cover, duration_ms)
            self.mp3_partials.append(partial)
            # checked now, beside the render, rather than all at the end
            self.mp3_checks.append(self.checker.submit(self.check_mp3, index, partial))
        if self.current.aac is not None:
            self.current.aac.finish()
        self.progress("encode", index + 1, len(self.chapters))
        self.current = _ChapterOutputs(chapter=index + 1)

    # -- the end: files into place ---------------------------------------------------------------------------
    def finish(self) -> None:
        """Push the limiter's tail through, then put every file in place: the M4B made from the AAC stream
        with its chapter marks, tags and cover (its check starts at once, beside the last MP3's: the two
        take a core each), the MP3s (renamed once checked) and the subtitles."""
        self.route(self.limiter.flush())
        starts = self.starts()
        if self.m4b is not None:
            self.finish_m4b(
                *self.m4b, starts, sum(self.lengths), lambda partial: tag_m4b(partial, self.tags, self.cover)
            )
            self.m4b_check = self.checker.submit(self.verify_m4b)
        for check in self.mp3_checks:
            check.result()  # (raises what the check raised) the files are final once checked
        for index, partial in enumerate(self.mp3_partials):
            self.finish_file(partial, self.mp3_paths[index], lambda: None)
            if self.subtitles:
                with writing(self.mp3_paths[index]):
                    self.written += write_subtitles(
                        self.mp3_paths[index].with_suffix(""),
                        self.sentences(self.cues[index]),
                        self.sample_rate,
                        self.subtitles,
                    )
        if self.m4b is not None and self.subtitles:
            book_cues = [
                Cue(start + cue.start, start + cue.end, cue.text)
                for start, chapter_cues in zip(starts, self.cues, strict=True)
                for cue in self.sentences(chapter_cues)
            ]
            with writing(self.m4b_path):
                stem = self.m4b_path.with_suffix("")
                self.written += write_subtitles(stem, book_cues, self.sample_rate, self.subtitles)

    def starts(self) -> list[int]:
        return [int(s) for s in np.cumsum([0, *self.lengths[:-1]])]

    def partial(self, path: Path) -> Path:
        partial = path.with_name(f".{path.name}.partial")
        self.partials.append(partial)
        return partial

    def finish_file(self, partial: Path, final: Path, tag: Callable[[], None]) -> None:
        with writing(final):
            tag()
            os.replace(partial, final)
        self.partials.remove(partial)
        if final not in self.written:
            self.written.append(final)

    def m4b_encoder(self) -> tuple[FfmpegSink, Path]:
        """The book's one AAC stream, into a hidden MP4 that finish_m4b makes the M4B of."""
        stream = self.partial(self.m4b_path.with_suffix(".aac.mp4"))
        return self.sink(
            encode.aac_stream_args(stream, self.options.aac_bitrate), str(self.m4b_path), stream
        ), stream

    def finish_m4b(
        self, encoder: FfmpegSink, stream: Path, starts: list[int], total: int, tag: Callable[[Path], None]
    ) -> None:
        """Close the AAC stream and copy it, with the chapter marks (an FFMETADATA file), into the M4B."""
        encoder.finish()
        chapters_file = self.partial(self.out_dir / f"{self.m4b_path.stem}.chapters.txt")
        with writing(self.m4b_path):
            chapters_file.write_text(
                ffmetadata([c.title for c in self.chapters], starts, total, self.sample_rate),
                encoding="utf-8",
            )
        partial = self.partial(self.m4b_path)
        language = iso639_2(self.tags.language)
        args = encode.m4b_args(stream, chapters_file, partial, language)
        write_file(self.ffmpeg, args, partial, total / self.sample_rate, str(self.m4b_path))
        self.finish_file(partial, self.m4b_path, lambda: tag(partial))
        for path in (chapters_file, stream):
            path.unlink()
            self.partials.remove(path)

    def mp3_sink(self, partial: Path, path: Path) -> FfmpegSink:
        """An MP3 encoder writing `partial`, fed at a gain that undoes LAME's own input scale."""
        bitrate = encode.ACX_MP3_BITRATE if self.acx else self.options.mp3_bitrate
        rate = encode.ACX_SAMPLE_RATE if self.acx else self.sample_rate
        args = encode.mp3_args(partial, self.sample_rate, bitrate, rate)
        return self.sink(args, str(path), partial, gain=encode.mp3_input_gain(bitrate))

    # -- check the encoded files ----------------------------------------------------------------------------
    def check_mp3(self, index: int, partial: Path) -> FileCheck:
        """Measure chapter `index`'s encoded MP3 (still a partial); if it misses the target by more than
        TOLERANCE_LU or exceeds the ceiling, encode it again with a gain and limiter ceiling computed from its
        own measurement, at most twice (verify.check_parts). ACX's rules are checked on it too."""
        path, title, count = self.mp3_paths[index], self.chapters[index].title, len(self.chapters)
        duration_ms = round(self.lengths[index] * 1000 / self.sample_rate)

        def measure() -> FileLoudness:
            return dataclasses.replace(measure_file(self.ffmpeg, partial, nice=self.nice), path=path)

        def encode(settings: list[Setting]) -> list[FileLoudness]:
            sink = self.mp3_sink(partial, path)
            for block in self.limited_stream({index: settings[0]}, self.new_limiter()):
                sink.write(block)
            sink.finish()
            with writing(path):
                tag_mp3(partial, self.tags, title, index + 1, count, self.cover, duration_ms)
            return [measure()]

        def stream(_: int, setting: Setting) -> StreamLevel:
            return self.measure_stream(index, setting)

        silent = is_silent(self.loudness[index])
        (check,) = check_parts([measure()], self.report, [silent], encode, stream)
        if self.acx:
            check.problems += acx_problems(check.measured)
        return check

    def verify(self) -> LoudnessReport:
        """The loudness report: every MP3 as checked when it was encoded, then the M4B, checked (and
        corrected) chapter by chapter."""
        report, count = self.report, len(self.mp3_checks) + ("m4b" in self.options.formats)
        report.files = []
        for check in self.mp3_checks:
            report.files.append(check.result())
            self.progress("verify", len(report.files), count)
        if self.m4b_check is not None:
            report.files.append(self.m4b_check.result())
            self.progress("verify", len(report.files), count)
        return report

    def verify_m4b(self) -> FileCheck:
        """The M4B, checked and corrected chapter by chapter (one decode measures every chapter's span)."""
        whole, parts = measure_chapters(self.ffmpeg, self.m4b_path, self.lengths, self.sample_rate)

        def encode(settings: list[Setting]) -> list[FileLoudness]:
            nonlocal whole
            sink, stream_file = self.m4b_encoder()
            for block in self.limited_stream(dict(enumerate(settings)), self.new_limiter()):
                sink.write(block)
            tag = lambda partial: tag_m4b(partial, self.tags, self.cover)  # noqa: E731
            self.finish_m4b(sink, stream_file, self.starts(), sum(self.lengths), tag)
            whole, found = measure_chapters(self.ffmpeg, self.m4b_path, self.lengths, self.sample_rate)
            return found

        silent = [is_silent(measured) for measured in self.loudness]
        chapters = check_parts(parts, self.report, silent, encode, self.measure_stream)
        return book_check(whole, chapters)

    def new_limiter(self) -> TruePeakLimiter:
        """A true-peak limiter under the options' ceiling (less the codec's headroom)."""
        return TruePeakLimiter(self.options.true_peak_db - CODEC_HEADROOM_DB, self.sample_rate)

    def chapter_stream(self, index: int, gain_db: float) -> Iterator[np.ndarray]:
        """Chapter `index` at `gain_db` (its own gain included) with room tone for ACX: what a limiter is fed
        for it."""
        chapter, gain = self.chapters[index], np.float32(10 ** (gain_db / 20))
        yield room_tone(self.head, self.sample_rate)
        for piece in self.pieces(index):
            for block in piece_blocks(piece, chapter.title):
                yield block * gain
        yield room_tone(self.tail, self.sample_rate + 1)

    def limiter_acts(self, index: int, measured: ChapterLoudness, gain_db: float, ceiling_db: float) -> bool:
        """Whether a limiter with `ceiling_db` would turn down any of chapter `index` (`measured`) at
        `gain_db`: the sample peak rules most chapters in or out, the true peaks (a pass over the chapter,
        stopping at the first over the ceiling) the rest. Where it would not, its pass can be skipped: its
        output is its input."""
        if not limiter_may_act(measured, gain_db, ceiling_db):
            return False
        return exceeds_ceiling(self.chapter_stream(index, gain_db), ceiling_db)

    def limited_stream(self, settings: dict[int, Setting], limiter: TruePeakLimiter) -> Iterator[np.ndarray]:
        """The samples a re-encode is fed: each chapter (index -> its setting: a gain added to the chapter's
        own, the ceiling its limiting takes) with room tone for ACX, in order, through `limiter`, whose
        delayed tail ends the stream. A silent chapter's setting is always 0 dB (verify.check_parts)."""
        for index, setting in settings.items():
            limiter.set_ceiling(setting.ceiling_db - CODEC_HEADROOM_DB)
            for block in self.chapter_stream(index, self.gains_db[index] + setting.gain_db):
                yield limiter.process(block)
        yield limiter.flush()

    def measure_stream(self, index: int, setting: Setting) -> StreamLevel:
        """The level (in the report's unit) of what a re-encode with `setting` would feed the encoder for
        chapter `index` alone, and how much of it the limiter turned down."""
        meter = LoudnessMeter(self.sample_rate)
        gain_db, ceiling_db = self.gains_db[index] + setting.gain_db, setting.ceiling_db - CODEC_HEADROOM_DB
        limiter = None
        if self.limiter_acts(index, self.loudness[index], gain_db, ceiling_db):
            limiter = self.new_limiter()
            stream = self.limited_stream({index: setting}, limiter)
        else:
            stream = self.chapter_stream(index, gain_db)  # what the limiter would give: its input
        for block in stream:
            meter.write(block)
        measured = meter.result()
        level = measured.rms_db if self.acx else measured.lufs  # (the room tone is in the stream)
        reduced = limiter.reduced_samples if limiter else 0
        return StreamLevel(level, reduced / max(1, measured.samples))

    def readalong(self, source: ReadAlongSource, cues: list[list[Cue]], lengths: list[int]) -> None:
        """Pack the chapters' AAC audio and sentence timings into the read-along EPUB next to the M4B."""
        path = self.out_dir / f"{self.m4b_path.stem}.epub"
        chapters = [
            ReadAlongChapter(chapter, audio, self.sentences(chapter_cues), length)
            for chapter, audio, chapter_cues, length in zip(
                source.chapters, self.chapter_aac, cues, lengths, strict=True
            )
        ]
        with writing(path):
            result = write_readalong_epub(
                path, source.book, source.source, chapters, self.sample_rate, self.tags.narrator, source.say
            )
        self.written.append(path)
        if result.missed:
            self.warnings.append(
                f"read-along: {len(result.missed)} of {len(result.missed) + result.spans} "
                f"sentences are not highlighted (their text was not found as one run in the "
                f"book), e.g. {result.missed[0]!r}"
            )

    def sentences(self, segment_cues: list[Cue]) -> list[Cue]:
        return [cue for segment in segment_cues for cue in sentence_cues(segment, self.sentence_timing)]

    def cleanup(self) -> None:
        self.stop.set()  # a check or measure under way stops at its next piece, before anything is removed
        self.checker.shutdown(cancel_futures=True)
        self.measurer.shutdown(cancel_futures=True)
        for sink in self.sinks:
            sink.kill()
        for partial in self.partials:
            with contextlib.suppress(OSError):
                partial.unlink()


def assembly_digest(
    chapters: list[tuple[str, list[tuple[str, float]]]],
    tags: BookTags,
    options: AssembleOptions,
    ffmpeg: str,
    sample_rate: int = 24000,
    layout: str | None = None,
) -> str:
    """What an assembly's files are a function of: each chapter's title and (segment key, pause) list, the
    tags (the cover by its hash), the options, the folder layout and the ffmpeg identity. Equal digests,
    equal files: the job records it with its outputs, and a render whose outputs are up to date skips
    assembly."""
    tag_fields = dataclasses.asdict(tags)
    tag_fields["cover"] = hashlib.sha256(tags.cover).hexdigest() if tags.cover else None
    option_fields = dataclasses.asdict(options)
    option_fields["formats"] = sorted(options.formats)
    option_fields.pop("ffmpeg")  # the path is in `ffmpeg`, with the version that decides the bytes
    document = {
        "format": "audiobook-tts/assembly/1",
        "chapters": chapters,
        "tags": tag_fields,
        "options": option_fields,
        "ffmpeg": ffmpeg,
        "sample_rate": sample_rate,
    }
    if layout is not None:  # (absent for the default layout, so digests recorded before it still match)
        document["layout"] = layout
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def preflight(options: AssembleOptions) -> str:
    """Find the chosen ffmpeg and run its `-version`: its identity (see ffmpeg_identity), or AssembleError,
    one line, when there is none or it does not run. Cheap enough to come before anything is loaded."""
    return ffmpeg_identity(find_ffmpeg(options.ffmpeg))


def trial_encode(options: AssembleOptions, sample_rate: int = 24000) -> None:
    """A one-second book through the whole assembly (loudness, limiter, the chosen formats, tags) in a scratch
    folder, so that a broken encoder or option stops a render before hours of it; AssembleError, one line,
    if any of it fails. It takes about a second, mostly importing what the assembly uses (scipy.signal)."""
    ffmpeg = find_ffmpeg(options.ffmpeg)
    t = np.arange(sample_rate, dtype=np.float32) / sample_rate
    tone = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    chapter = ChapterAudio("Check", lambda: [AudioPiece(tone, "check")])
    with tempfile.TemporaryDirectory(prefix="audiobook-tts-ffmpeg-check-") as scratch:
        try:
            # the read-along EPUB's audio is AAC as in the M4B; its text part needs a book, not a tone
            formats = frozenset(options.formats - {"epub"}) or frozenset({"m4b"})
            check = dataclasses.replace(options, formats=formats)
            assemble([chapter], BookTags(title="check"), Path(scratch), check, sample_rate)
        except AssembleError as error:
            raise AssembleError(f"ffmpeg {ffmpeg} failed a one-second test encode: {error}") from None


def assemble(
    chapters: list[ChapterAudio],
    tags: BookTags,
    out_dir: Path,
    options: AssembleOptions | None = None,
    sample_rate: int = 24000,
    progress: Progress | None = None,
    sentences: SentenceTiming | None = None,
    readalong: ReadAlongSource | None = None,
) -> AssembleResult:
    """Loudness-normalise, encode and tag rendered chapters into `out_dir`; see the module docstring.

    `sentences` shares a multi-sentence segment's time among its sentences for subtitles and read-along;
    without it, each segment is one cue. `readalong` (the book's text) is needed
    for the "epub" format.
    """
    job = _prepare(chapters, tags, out_dir, options, sample_rate, progress, sentences, readalong)
    try:
        for _ in chapters:
            job.add()
        return _finish(job, readalong)
    finally:
        job.cleanup()


class BackgroundAssembly:
    """assemble() beside a render: each chapter is assembled, in book order, as soon as it and every chapter
    before it are `ready` (all its audio stored), in a thread whose ffmpeg processes run at nice 19, so the
    render loses little; `result()` then only finishes the last chapter and puts the files in place.

    The outputs are the same bytes as assemble() writes once the render is done: the same calls in the same
    order. Progress is queued and handed to `progress` from the caller's thread, by `poll()` and `result()`.
    Until `result()` returns, nothing but hidden partial files is written (`cancel()` removes them).
    """

    NICE = 19

    def __init__(
        self,
        chapters: list[ChapterAudio],
        tags: BookTags,
        out_dir: Path,
        options: AssembleOptions | None = None,
        sample_rate: int = 24000,
        progress: Progress | None = None,
        sentences: SentenceTiming | None = None,
        readalong: ReadAlongSource | None = None,
    ):
        self._progress = progress or (lambda stage, done, total: None)
        self._events: queue.SimpleQueue[tuple[str, int, int]] = queue.SimpleQueue()
        self._job = _prepare(
            chapters, tags, out_dir, options, sample_rate,
            lambda *event: self._events.put(event), sentences, readalong,
        )  # fmt: skip
        self._job.nice = self.NICE
        self._readalong = readalong
        self._ready = [False] * len(chapters)
        self._changed = threading.Condition()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="assembly", daemon=True)
        self._thread.start()

    def ready(self, index: int) -> None:
        """Chapter `index` (0-based) has all its audio."""
        with self._changed:
            self._ready[index] = True
            self._changed.notify()

    def _run(self) -> None:
        stop = self._job.stop
        try:
            for index in range(len(self._ready)):
                with self._changed:
                    while not (self._ready[index] or stop.is_set()):
                        self._changed.wait()
                if stop.is_set():
                    return
                # beside the render (niced), one chapter at a time; once it is done the next is measured
                # while this one is encoded, if it is ready
                after = index + 1 < len(self._ready) and self._ready[index + 1]
                self._job.add(measure_next=after and self._job.nice == 0)
        except _Stopped:
            pass
        except BaseException as error:  # handed to the caller's thread by result()
            self._error = error

    def poll(self) -> None:
        """Hand the progress queued so far to `progress`."""
        while True:
            try:
                self._progress(*self._events.get_nowait())
            except queue.Empty:
                return

    def result(self) -> AssembleResult:
        """Every chapter is ready: wait for the thread, then finish here (no longer niced)."""
        self._job.nice = 0  # nothing runs beside us now: what is left goes at full priority
        for sink in list(self._job.sinks):
            if isinstance(sink, FfmpegSink):
                sink.renice(0)
        for index in range(len(self._ready)):
            self.ready(index)
        try:
            while self._thread.is_alive():
                self._thread.join(0.1)
                self.poll()
            self.poll()
            if self._error is not None:
                raise self._error
            self._job.progress = self._progress
            return _finish(self._job, self._readalong)
        finally:
            self.cancel()  # (an interrupt while waiting: the thread stops before the partials go)

    def cancel(self) -> None:
        """Stop the thread (at the next piece it reads) and remove every partial file (the finished files
        stay)."""
        self._job.stop.set()
        with self._changed:
            self._changed.notify()
        self._thread.join()
        self._job.cleanup()


def _prepare(
    chapters: list[ChapterAudio],
    tags: BookTags,
    out_dir: Path,
    options: AssembleOptions | None,
    sample_rate: int,
    progress: Progress | None,
    sentences: SentenceTiming | None,
    readalong: ReadAlongSource | None,
) -> _Assembly:
    options = options or AssembleOptions()
    unknown = set(options.formats) - {"mp3", "m4b", "epub"}
    if unknown or not options.formats:
        raise AssembleError(
            f"unknown output format(s) {sorted(unknown) or 'none'}: choose from mp3, m4b, epub"
        )
    if "epub" in options.formats and (readalong is None or len(readalong.chapters) != len(chapters)):
        raise AssembleError(
            "the read-along EPUB needs the book's text: pass readalong= with one chapter per chapter of audio"
        )
    if not chapters:
        raise AssembleError("the book has no chapters to assemble")
    out_dir = Path(out_dir)
    job = _Assembly(chapters, tags, out_dir, options, sample_rate, progress, sentences)
    check_writable(out_dir)
    return job


def _finish(job: _Assembly, readalong: ReadAlongSource | None) -> AssembleResult:
    """Every chapter added: the files into place, the read-along EPUB, then the check of every file."""
    job.finish()
    if "epub" in job.options.formats:
        assert readalong is not None  # checked by _prepare
        job.readalong(readalong, job.cues, job.lengths)
    report = job.verify()
    with writing(job.out_dir / LOUDNESS_REPORT):
        job.written.append(report.write(job.out_dir / LOUDNESS_REPORT))
    for check in report.files:  # one short line per file; the reasons are in the report
        if check.problems:
            briefs = [problem.split(" (", 1)[0] for problem in check.problems]
            more = f" and {len(briefs) - 2} more" if len(briefs) > 2 else ""
            job.warnings.append(
                f"{check.measured.path.name}: {'; '.join(briefs[:2])}{more} (why: {LOUDNESS_REPORT})"
            )
    return AssembleResult(
        files=job.written,
        chapter_starts=job.starts(),
        total_samples=sum(job.lengths),
        sample_rate=job.sample_rate,
        chapter_gains_db=job.gains_db,
        warnings=job.warnings,
        loudness=report,
        segment_cues=job.cues,
    )
