"""Rendered chapters in, finished files out: measure, check, then one encode pass feeding every output.

Pass 1 streams each chapter through ffmpeg's loudness meter (and collects subtitle cues). The check pass
runs only for chapters whose peaks reach the limiter: it measures them again after gain and limiter and
corrects their gain (limiting lowers loudness). The encode pass streams the book once more: per-chapter
gain, one true-peak limiter over the whole book, then each block goes to the M4B encoder (one process for
the whole book) and to the current chapter's MP3 encoder. Chapter boundaries are exact sums of piece
lengths, so every MP3 holds exactly the samples its M4B chapter spans. Outputs are written under a hidden
`.name.partial` and renamed into place once complete and tagged.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from mutagen import MutagenError

from audiobook_tts.assemble import encode
from audiobook_tts.assemble.chapters import chapter_file_stems, ffmetadata, safe_filename
from audiobook_tts.assemble.errors import AssembleError
from audiobook_tts.assemble.ffmpeg import FfmpegSink, check_writable, disk_error, ffmpeg_identity, find_ffmpeg
from audiobook_tts.assemble.loudness import (
    CODEC_HEADROOM_DB,
    ChapterLoudness,
    LoudnessMeter,
    TruePeakLimiter,
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
    FileLoudness,
    LoudnessReport,
    Setting,
    StreamLevel,
    acx_problems,
    check_file,
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
    """Where pass 2 is: the chapter being written, its samples so far, and its open MP3 and AAC encoders."""

    chapter: int = 0
    done: int = 0
    sink: FfmpegSink | None = None  # the chapter's MP3 encoder
    partial: Path | None = None  # the MP3 it writes, renamed into place when finished
    aac: FfmpegSink | None = None  # the chapter's AAC for the read-along EPUB


class _Assembly:
    """State of one assemble() call: paths, sinks and the partial files to clean up if anything fails."""

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
        self.sinks: list[FfmpegSink | LoudnessMeter] = []  # killed on failure
        self.partials: list[Path] = []
        self.written: list[Path] = []
        self.warnings: list[str] = []
        self.chapter_aac: list[Path] = []  # read-along audio (hidden partial files, packed into the EPUB)

    # -- pass 1 ---------------------------------------------------------------------------------------------
    def measure(self) -> tuple[list[ChapterLoudness], list[list[Cue]]]:
        loudness, cues = [], []
        for index, chapter in enumerate(self.chapters):
            meter = LoudnessMeter(self.ffmpeg, self.sample_rate, what=f"chapter {chapter.title!r}")
            self.sinks.append(meter)
            chapter_cues, position = [], self.head
            for piece in chapter.pieces():
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
            loudness.append(meter.result())
            cues.append(chapter_cues)
            self.progress("measure", index + 1, len(self.chapters))
        return loudness, cues

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
            if not limiter_may_act(measured, gain_db, ceiling_db):
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
        limiter = TruePeakLimiter(self.options.true_peak_db - CODEC_HEADROOM_DB, self.sample_rate)
        meter = LoudnessMeter(self.ffmpeg, self.sample_rate, what=f"chapter {chapter.title!r}")
        self.sinks.append(meter)
        for piece in chapter.pieces():
            for block in piece_blocks(piece, chapter.title):
                meter.write(limiter.process(block * gain))
        meter.write(limiter.flush())
        return meter.result()

    # -- pass 2 ---------------------------------------------------------------------------------------------
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

    def chapters_file(self, starts: list[int], total: int) -> Path:
        """The M4B's chapter marks as an FFMETADATA file for its encoder (removed once the M4B is done)."""
        path = self.partial(self.out_dir / f"{self.m4b_path.stem}.chapters.txt")
        with writing(path):
            path.write_text(
                ffmetadata([c.title for c in self.chapters], starts, total, self.sample_rate),
                encoding="utf-8",
            )
        return path

    def m4b_args(self, partial: Path, chapters_file: Path) -> list[str]:
        return encode.m4b_args(partial, chapters_file, self.options.aac_bitrate, iso639_2(self.tags.language))

    def mp3_args(self, partial: Path) -> list[str]:
        if self.acx:
            return encode.mp3_args(partial, self.sample_rate, encode.ACX_MP3_BITRATE, encode.ACX_SAMPLE_RATE)
        return encode.mp3_args(partial, self.sample_rate, self.options.mp3_bitrate, self.sample_rate)

    def encode(
        self, gains_db: list[float], lengths: list[int], starts: list[int], cues: list[list[Cue]]
    ) -> None:
        formats = self.options.formats
        total = sum(lengths)
        cover = cover_as_jpeg_or_png(self.tags, self.ffmpeg)
        m4b = None
        if "m4b" in formats:
            chapters_file = self.chapters_file(starts, total)
            m4b_partial = self.partial(self.m4b_path)
            m4b = FfmpegSink(
                self.ffmpeg,
                self.sample_rate,
                self.m4b_args(m4b_partial, chapters_file),
                what=str(self.m4b_path),
                output=m4b_partial,
            )
            self.sinks.append(m4b)

        current = _ChapterOutputs()

        def finish_mp3() -> None:
            nonlocal current
            index, sink, partial = current.chapter, current.sink, current.partial
            if sink is not None:
                assert partial is not None  # opened together with sink
                sink.finish()
                duration_ms = round(lengths[index] * 1000 / self.sample_rate)
                self.finish_file(
                    partial,
                    self.mp3_paths[index],
                    lambda: tag_mp3(
                        partial,
                        self.tags,
                        self.chapters[index].title,
                        index + 1,
                        len(self.chapters),
                        cover,
                        duration_ms,
                    ),
                )
                if self.subtitles:
                    with writing(self.mp3_paths[index]):
                        self.written += write_subtitles(
                            self.mp3_paths[index].with_suffix(""),
                            self.sentences(cues[index]),
                            self.sample_rate,
                            self.subtitles,
                        )
            if current.aac is not None:
                current.aac.finish()
            self.progress("encode", index + 1, len(self.chapters))
            current = _ChapterOutputs(chapter=index + 1)

        def route(block: np.ndarray) -> None:
            """Send limited audio to the M4B and, split at chapter boundaries, to each chapter's MP3."""
            if m4b is not None:
                m4b.write(block)
            while len(block):
                index = current.chapter
                take = min(len(block), lengths[index] - current.done)
                if "mp3" in formats:
                    if current.sink is None:
                        current.partial = self.partial(self.mp3_paths[index])
                        current.sink = FfmpegSink(
                            self.ffmpeg,
                            self.sample_rate,
                            self.mp3_args(current.partial),
                            what=str(self.mp3_paths[index]),
                            output=current.partial,
                        )
                        self.sinks.append(current.sink)
                    current.sink.write(block[:take])
                if "epub" in formats:
                    if current.aac is None:
                        aac = self.partial(self.out_dir / f"{self.mp3_paths[index].stem}.m4a")
                        self.chapter_aac.append(aac)
                        current.aac = FfmpegSink(
                            self.ffmpeg,
                            self.sample_rate,
                            encode.chapter_aac_args(aac, self.options.aac_bitrate),
                            what=str(aac),
                            output=aac,
                        )
                        self.sinks.append(current.aac)
                    current.aac.write(block[:take])
                current.done += take
                block = block[take:]
                if current.done == lengths[index]:
                    finish_mp3()

        limiter = TruePeakLimiter(self.options.true_peak_db - CODEC_HEADROOM_DB, self.sample_rate)
        tone_head = room_tone(self.head, self.sample_rate)
        tone_tail = room_tone(self.tail, self.sample_rate + 1)
        for chapter, gain_db, length in zip(self.chapters, gains_db, lengths, strict=True):
            gain = np.float32(10 ** (gain_db / 20))
            route(limiter.process(tone_head))
            fed = self.head + self.tail
            for piece in chapter.pieces():
                fed += piece.length
                if fed > length:
                    break  # checked below, before anything lands in the next chapter's file
                for block in piece_blocks(piece, chapter.title):
                    route(limiter.process(block * gain))
            if fed != length:
                raise AssembleError(
                    f"chapter {chapter.title!r} gave other audio on the second pass than "
                    f"on the first: its pieces must be the same on every call"
                )
            route(limiter.process(tone_tail))
        route(limiter.flush())

        if m4b is not None:
            m4b.finish()
            self.finish_file(m4b_partial, self.m4b_path, lambda: tag_m4b(m4b_partial, self.tags, cover))
            if self.subtitles:
                book_cues = [
                    Cue(start + cue.start, start + cue.end, cue.text)
                    for start, chapter_cues in zip(starts, cues, strict=True)
                    for cue in self.sentences(chapter_cues)
                ]
                with writing(self.m4b_path):
                    stem = self.m4b_path.with_suffix("")
                    self.written += write_subtitles(stem, book_cues, self.sample_rate, self.subtitles)
            chapters_file.unlink()
            self.partials.remove(chapters_file)

    # -- check the encoded files ----------------------------------------------------------------------------
    def verify(
        self, gains_db: list[float], lengths: list[int], starts: list[int], silent: set[int]
    ) -> LoudnessReport:
        """Measure every encoded file; re-encode each that misses the target by more than TOLERANCE_LU or
        exceeds the ceiling, with a gain and limiter ceiling computed from its own measurement, at most
        twice (verify.check_file). ACX's rules are checked on the MP3s."""
        ceiling = self.options.true_peak_db
        report = LoudnessReport(self.target, "dB RMS" if self.acx else "LUFS", ceiling)
        cover = cover_as_jpeg_or_png(self.tags, self.ffmpeg)
        count = len(self.chapters)
        outputs: list[tuple[Path, list[int], Callable[[Path], None]]] = []
        if "mp3" in self.options.formats:
            for index, path in enumerate(self.mp3_paths):
                duration_ms = round(lengths[index] * 1000 / self.sample_rate)

                def tag_chapter(partial: Path, i: int = index, ms: int = duration_ms) -> None:
                    tag_mp3(partial, self.tags, self.chapters[i].title, i + 1, count, cover, ms)

                outputs.append((path, [index], tag_chapter))
        if "m4b" in self.options.formats:
            outputs.append(
                (self.m4b_path, list(range(count)), lambda partial: tag_m4b(partial, self.tags, cover))
            )

        def gains(setting: Setting) -> list[float]:
            return [gain + (0.0 if i in silent else setting.gain_db) for i, gain in enumerate(gains_db)]

        for number, (path, indices, tag) in enumerate(outputs, start=1):

            def encode(
                setting: Setting, path: Path = path, indices: list[int] = indices, tag=tag
            ) -> FileLoudness:
                self.reencode(path, indices, gains(setting), setting.ceiling_db, starts, lengths, tag)
                return measure_file(self.ffmpeg, path)

            def stream(setting: Setting, indices: list[int] = indices) -> StreamLevel:
                return self.measure_stream(indices, gains(setting), setting.ceiling_db)

            measured = measure_file(self.ffmpeg, path)
            check = check_file(measured, report, set(indices) <= silent, encode, stream)
            if self.acx and path.suffix == ".mp3":
                check.problems += acx_problems(check.measured)
            report.files.append(check)
            self.progress("verify", number, len(outputs))
        return report

    def limited_stream(
        self, indices: list[int], gains_db: list[float], limiter: TruePeakLimiter
    ) -> Iterator[np.ndarray]:
        """The samples a file is encoded from: its chapters (with room tone for ACX) at their gains, through
        `limiter`."""
        for index in indices:
            chapter = self.chapters[index]
            gain = np.float32(10 ** (gains_db[index] / 20))
            yield limiter.process(room_tone(self.head, self.sample_rate))
            for piece in chapter.pieces():
                for block in piece_blocks(piece, chapter.title):
                    yield limiter.process(block * gain)
            yield limiter.process(room_tone(self.tail, self.sample_rate + 1))
        yield limiter.flush()

    def measure_stream(self, indices: list[int], gains_db: list[float], ceiling_db: float) -> StreamLevel:
        """The level (in the report's unit) of what reencode() would feed the encoder, and how much of it the
        limiter turned down."""
        limiter = TruePeakLimiter(ceiling_db - CODEC_HEADROOM_DB, self.sample_rate)
        meter = LoudnessMeter(self.ffmpeg, self.sample_rate, what=f"the file of chapter {indices[0] + 1}")
        self.sinks.append(meter)
        for block in self.limited_stream(indices, gains_db, limiter):
            meter.write(block)
        measured = meter.result()
        level = measured.rms_db if self.acx else measured.lufs
        return StreamLevel(level, limiter.reduced_samples / max(1, measured.samples))

    def reencode(
        self,
        path: Path,
        indices: list[int],
        gains_db: list[float],
        ceiling_db: float,
        starts: list[int],
        lengths: list[int],
        tag: Callable[[Path], None],
    ) -> None:
        """Encode `path` again from the rendered pieces of its chapters, through a limiter of its own."""
        m4b = path == self.m4b_path
        chapters_file = self.chapters_file(starts, sum(lengths)) if m4b else None
        partial = self.partial(path)
        args = self.m4b_args(partial, chapters_file) if chapters_file is not None else self.mp3_args(partial)
        sink = FfmpegSink(self.ffmpeg, self.sample_rate, args, what=str(path))
        self.sinks.append(sink)
        limiter = TruePeakLimiter(ceiling_db - CODEC_HEADROOM_DB, self.sample_rate)
        for block in self.limited_stream(indices, gains_db, limiter):
            sink.write(block)
        sink.finish()
        self.finish_file(partial, path, lambda: tag(partial))
        if chapters_file is not None:
            chapters_file.unlink()
            self.partials.remove(chapters_file)

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


def preflight(options: AssembleOptions, sample_rate: int = 24000) -> str:
    """Run the chosen ffmpeg once before any rendering: `-version`, then a one-second book through the whole
    assembly (loudness, limiter, the chosen formats, tags) in a scratch folder. Returns the ffmpeg's identity
    (see ffmpeg_identity); AssembleError, one line, if any of it fails."""
    ffmpeg = find_ffmpeg(options.ffmpeg)
    identity = ffmpeg_identity(ffmpeg)
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
    return identity


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
    try:
        loudness, cues = job.measure()
        gains_db = [0.0 if is_silent(measured) else job.target - job.level(measured) for measured in loudness]
        for index, measured in enumerate(loudness):
            if not is_silent(measured):
                gains_db[index] = job.settle_gain(index, measured, gains_db[index])
            job.progress("check", index + 1, len(chapters))
        for chapter, measured in zip(chapters, loudness, strict=True):
            if is_silent(measured):
                job.warnings.append(f"chapter {chapter.title!r} is silent; left at its level")
        lengths = [job.head + measured.samples + job.tail for measured in loudness]
        starts = [int(s) for s in np.cumsum([0, *lengths[:-1]])]
        job.encode(gains_db, lengths, starts, cues)
        if "epub" in options.formats:
            assert readalong is not None  # checked above
            job.readalong(readalong, cues, lengths)
        silent = {index for index, measured in enumerate(loudness) if is_silent(measured)}
        report = job.verify(gains_db, lengths, starts, silent)
        with writing(out_dir / LOUDNESS_REPORT):
            job.written.append(report.write(out_dir / LOUDNESS_REPORT))
        job.warnings += [
            f"{check.measured.path.name}: {problem}" for check in report.files for problem in check.problems
        ]
    finally:
        job.cleanup()
    return AssembleResult(
        files=job.written,
        chapter_starts=starts,
        total_samples=sum(lengths),
        sample_rate=sample_rate,
        chapter_gains_db=gains_db,
        warnings=job.warnings,
        loudness=report,
        segment_cues=cues,
    )
