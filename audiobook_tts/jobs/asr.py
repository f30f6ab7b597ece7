"""The speech-recognition check (extra [asr]): did a segment's audio say the words of its text?

The model now and then drops or repeats words. Open recognition with a small CPU recogniser hears too little
to compare word by word, so the pocketsphinx backend verifies instead: it force-aligns the known text to the
audio with pocketsphinx's built-in US English model (shipped inside its package: no download), then

    missing    the text without word i aligns better than the whole text, by more than MISSING_MARGIN of
               acoustic log-likelihood, and leaves no speech to the silence model (a word that was spoken
               cannot be taken out without its sound ending up in a "silence"); when the whole text cannot
               be aligned at all, the word whose removal makes it align. A text of more than SHORTLIST
               words tries only the SHORTLIST words that gain most on their own stretch of audio;
    added      the alignment of the whole text puts more than ADDED_SPEECH_SECONDS of sound inside a
               silence: speech no word of the text accounts for;
    unaligned  neither the text nor any one-word-shorter text aligns: words missing or added, not placed.

A word the recogniser's dictionary lacks (a name, a foreign word) cannot be aligned; segments with one are
left unchecked, and said so. benchmarks/asr.py measures detection and false flags on espeak-ng speech.

The faster-whisper backend (a network is needed once, for its model from the Hugging Face hub) transcribes
and compares the words (`compare_words`): what the text has and the transcript lacks is missing, and the
reverse added. Its model cannot be loaded here (no hub), so only the comparison is tested.

Results are kept in the job's `asr` table under the audio key, so a re-take is checked anew and a check
that is stopped resumes where it was.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from num2words import num2words

from audiobook_tts.jobs.errors import JobError
from audiobook_tts.jobs.index import has_table
from audiobook_tts.jobs.quality import ASR_KIND, SILENCE_DBFS, Flag

BACKENDS = ("pocketsphinx", "faster-whisper")
INSTALL = 'pip install "audiobook-tts[asr]"'

RATE = 16000  # pocketsphinx's model rate
FRAME = 160  # its 10 ms frames
MISSING_MARGIN = 40.0  # log-likelihood a one-word-shorter text must gain to call that word missing
ADDED_SPEECH_SECONDS = 0.12  # sound inside one silence of the alignment that no word accounts for
SHORTLIST = 5  # words of a longer text tried on the whole audio, chosen on their own stretch of it
CONTEXT_WORDS = 3  # words each side of the one left out, in that stretch
MAX_UNALIGNED_WORDS = 40  # longer texts that do not align at all are flagged without naming a word
FILLERS = ("<s>", "</s>", "<sil>")
# Fixed-seed noise at -60 dBFS: digital silence (exact zeros) derails pocketsphinx's features. Without it,
# 5 of 20 intact espeak-ng en-us sentences aligned; with it, 20 of 20.
DITHER = 1e-3

TABLE = """
CREATE TABLE IF NOT EXISTS asr (
    key TEXT PRIMARY KEY,     -- the audio's segment key
    backend TEXT NOT NULL,    -- pocketsphinx or faster-whisper
    missing TEXT NOT NULL,    -- JSON list of the text's words the audio lacks
    added TEXT NOT NULL,      -- JSON list of what the audio says beyond the text
    aligned INTEGER NOT NULL, -- 0: the text could not be followed in the audio at all
    unknown TEXT NOT NULL     -- JSON list of words the recogniser cannot check (segment left unchecked)
)
"""


def words(text: str) -> list[str]:
    """The text's words as the recognisers spell them: lower case, apostrophes kept, digits and signs out."""
    return re.findall(r"[a-z]+(?:'[a-z]+)*", text.lower().replace("\u2019", "'"))


@dataclass(frozen=True)
class WordCheck:
    missing: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    aligned: bool = True
    unknown: tuple[str, ...] = ()  # non-empty: not checked

    def flag(self) -> Flag | None:
        if self.unknown:
            return None
        parts = []
        if self.missing:
            parts.append(f"missing: {', '.join(self.missing)}")
        if self.added:
            parts.append(f"added: {', '.join(self.added)}")
        if not self.aligned:
            parts.append("the recogniser could not follow the text (words missing or added)")
        return Flag(ASR_KIND, "; ".join(parts)) if parts else None


class WordChecker(Protocol):
    name: str

    def check(self, samples: np.ndarray, sample_rate: int, text: str) -> WordCheck: ...


def to_16k_pcm(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono float samples as 16 kHz 16-bit PCM bytes, the recognisers' input, with DITHER added."""
    samples = np.asarray(samples, dtype=np.float64)
    samples = samples + DITHER * np.random.default_rng(0).standard_normal(len(samples))
    if sample_rate != RATE:
        from scipy.signal import resample_poly  # here: scipy.signal takes ~0.4 s to import

        divisor = math.gcd(RATE, sample_rate)
        samples = resample_poly(samples, RATE // divisor, sample_rate // divisor)
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


@dataclass(frozen=True)
class Alignment:
    score: float  # acoustic log-likelihood of the whole path
    silent_speech: int  # most sounding frames inside one silence of the path
    after: str | None  # the word before that silence (None: at the start)
    spans: list[tuple[int, int]]  # each word's first and last frame


class PocketsphinxChecker:
    """Forced alignment against the text, and against the text with each word left out (see the top)."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError:
            raise JobError(f"the speech-recognition check needs its extra: {INSTALL}") from None
        self._decoder = Decoder(loglevel="FATAL")

    def check(self, samples: np.ndarray, sample_rate: int, text: str) -> WordCheck:
        said = words(text)
        unknown = tuple(dict.fromkeys(w for w in said if self._decoder.lookup_word(w) is None))
        if unknown or not said:
            return WordCheck(unknown=unknown)
        pcm = to_16k_pcm(samples, sample_rate)
        sounding = _sounding_frames(pcm)
        whole = self._align(pcm, said, sounding)
        added_limit = round(ADDED_SPEECH_SECONDS * RATE / FRAME)
        added: tuple[str, ...] = ()
        if whole is not None and whole.silent_speech > added_limit:
            seconds = whole.silent_speech * FRAME / RATE
            where = f"after '{whole.after}'" if whole.after else "before the first word"
            added = (f"{seconds:.1f} s of speech {where}",)
        limit = max(added_limit, whole.silent_speech if whole is not None else 0)
        missing = self._missing(pcm, said, sounding, whole, limit)
        return WordCheck(missing=missing, added=added, aligned=whole is not None or bool(missing))

    def _missing(
        self, pcm: bytes, said: list[str], sounding: np.ndarray, whole: Alignment | None, limit: int
    ) -> tuple[str, ...]:
        """The word whose leaving out gains most, if it gains MISSING_MARGIN (any gain where the whole text
        did not align). Each try aligns the whole audio, so a longer text's words are first shortlisted
        by the same test on their own stretch of audio (`_local_gain`): the cost grows with the length."""
        if len(said) < 2 or (whole is None and len(said) > MAX_UNALIGNED_WORDS):
            return ()
        candidates = list(range(len(said)))
        if whole is not None and len(said) > SHORTLIST:
            gains = {i: self._local_gain(pcm, said, sounding, whole, i, limit) for i in candidates}
            candidates = sorted(candidates, key=gains.__getitem__, reverse=True)[:SHORTLIST]
        best, best_score = None, -math.inf if whole is None else whole.score + MISSING_MARGIN
        for i in candidates:
            shorter = self._align(pcm, said[:i] + said[i + 1 :], sounding)
            if shorter is not None and shorter.silent_speech <= limit and shorter.score > best_score:
                best, best_score = i, shorter.score
        return (said[best],) if best is not None else ()

    def _local_gain(
        self, pcm: bytes, said: list[str], sounding: np.ndarray, whole: Alignment, i: int, limit: int
    ) -> float:
        """What leaving out word i gains on its stretch of audio, with CONTEXT_WORDS words each side."""
        lo, hi = max(0, i - CONTEXT_WORDS), min(len(said), i + CONTEXT_WORDS + 1)
        first, last = whole.spans[lo][0], whole.spans[hi - 1][1] + 1
        piece, heard = pcm[first * FRAME * 2 : last * FRAME * 2], sounding[first:last]
        shorter = self._align(piece, said[lo:i] + said[i + 1 : hi], heard)
        if shorter is None or shorter.silent_speech > limit:
            return -math.inf
        full = self._align(piece, said[lo:hi], heard)
        return math.inf if full is None else shorter.score - full.score

    def _align(self, pcm: bytes, said: list[str], sounding: np.ndarray) -> Alignment | None:
        """The forced alignment of `said`, or None when the decoder cannot reach its last word."""
        decoder = self._decoder
        decoder.set_align_text(" ".join(said))
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is None or hypothesis.hypstr.split() != said:
            return None
        score, silent, after, previous, spans = 0.0, 0, None, None, []
        for segment in decoder.seg():
            # ascore is a likelihood; a long stretch can underflow to 0 (a very poor fit)
            score += math.log(segment.ascore) if segment.ascore > 0 else -1e4
            if segment.word in FILLERS:
                frames = int(sounding[segment.start_frame : segment.end_frame + 1].sum())
                if frames > silent:
                    silent, after = frames, previous
            else:
                previous = re.sub(r"\(\d+\)$", "", segment.word)
                spans.append((segment.start_frame, segment.end_frame))
        return Alignment(score, silent, after, spans)


def _sounding_frames(pcm: bytes) -> np.ndarray:
    """Per 10 ms frame: is there sound (quality.py's silence threshold)?"""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768
    count = len(samples) // FRAME
    rms = np.sqrt(np.mean(samples[: count * FRAME].reshape(count, FRAME) ** 2, axis=1))
    return rms > 10 ** (SILENCE_DBFS / 20)


class WhisperChecker:
    """faster-whisper transcribes; difflib lines its words up with the text's."""

    name = "faster-whisper"

    def __init__(self, model: str = "base.en") -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise JobError(
                'the faster-whisper backend needs its extra: pip install "audiobook-tts[whisper]"'
            ) from None
        try:
            self._model = WhisperModel(model, device="cpu", compute_type="int8")
        except Exception as error:  # the hub unreachable, a damaged cache: one line, not a traceback
            raise JobError(
                f"faster-whisper could not load its model {model!r} ({type(error).__name__}: {error}); it is "
                "downloaded from the Hugging Face hub once, so a network is needed the first time"
            ) from None

    def check(self, samples: np.ndarray, sample_rate: int, text: str) -> WordCheck:
        audio = np.frombuffer(to_16k_pcm(samples, sample_rate), dtype="<i2").astype(np.float32) / 32768
        pieces, _ = self._model.transcribe(audio, language="en", beam_size=5)
        return compare_words(text, " ".join(piece.text for piece in pieces))


def compare_words(text: str, heard: str) -> WordCheck:
    """The text's words against a transcript's, lined up by difflib. A transcript writes numbers in digits
    where the segment's text has them spelled out, so its digits are spelled out first (num2words)."""
    heard = re.sub(r"\d+", lambda number: f" {num2words(int(number.group()))} ", heard.replace(",", ""))
    said, got = words(text), words(heard.replace("-", " "))
    missing: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=said, b=got, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            missing += said[i1:i2]
        if tag in ("insert", "replace"):
            added += got[j1:j2]
    return WordCheck(missing=tuple(missing), added=tuple(added))


def load_checker(backend: str) -> WordChecker:
    if backend == "pocketsphinx":
        return PocketsphinxChecker()
    if backend == "faster-whisper":
        return WhisperChecker()
    raise JobError(f"{backend!r}: not a speech-recognition backend; use one of {', '.join(BACKENDS)}")


# ---- the table: written by `audiobook-tts check`, read with the other flags -----------------------------


def record(db: sqlite3.Connection, key: str, backend: str, result: WordCheck) -> None:
    """Insert or replace `key`'s check (run inside the caller's transaction)."""
    db.execute(TABLE)
    db.execute(
        "INSERT OR REPLACE INTO asr (key, backend, missing, added, aligned, unknown)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            key,
            backend,
            json.dumps(result.missing),
            json.dumps(result.added),
            int(result.aligned),
            json.dumps(result.unknown),
        ),
    )


def stored(db: sqlite3.Connection, keys: Iterable[str], backend: str | None = None) -> dict[str, WordCheck]:
    """The recorded checks of those `keys` that have one (of `backend`, or the latest of any)."""
    if not has_table(db, "asr"):
        return {}
    found = {}
    for key in set(keys):
        row = db.execute("SELECT backend, missing, added, aligned, unknown FROM asr WHERE key = ?", (key,))
        values = row.fetchone()
        if values is not None and backend in (None, values[0]):
            found[key] = WordCheck(
                tuple(json.loads(values[1])),
                tuple(json.loads(values[2])),
                bool(values[3]),
                tuple(json.loads(values[4])),
            )
    return found
