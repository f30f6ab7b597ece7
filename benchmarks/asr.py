"""The speech-recognition check (audiobook_tts/jobs/asr.py) on espeak-ng speech with words dropped and added.

Sentences of Alice's Adventures in Wonderland (tests/data/corpus, public domain), 5 to 20 words each, are
spoken by espeak-ng; half of them with one word dropped, a sixth with one word added, a third intact. Each is
checked against its intended text, and the script prints:

    detection    dropped (or added) sentences flagged, and how many flags name the dropped word
    false flags  intact sentences flagged
    unchecked    sentences left out because a word is not in the recogniser's dictionary

    PYTHONPATH=. python benchmarks/asr.py [--sentences 120] [--voice en-us+f3] [--speed 175] [--verbose]
    PYTHONPATH=. python benchmarks/asr.py --voice en-us --speed 160          # the other rows below

The thresholds (MISSING_MARGIN, ADDED_SPEECH_SECONDS) were set by looking at the first 60 sentences of the
shuffled pool (`--tuning`); the figures are measured on the sentences after them, which the tuning never saw.

Measured 2026-12-05 (pocketsphinx 5.1.1, espeak-ng 1.51; 120 held-out sentences each: 60 with a word
dropped, 20 with one added, 40 intact; the machine was shared and loaded, so times are rough):

    espeak-ng voice, wpm   dropped: flagged  named right  added: flagged  as added  false flags  s/sentence
    en-us+f3, 175            55/60 92%   52/60 87%      14/20 70%    12/20 60%   6/40 15%     0.55
    en-us, 160               57/60 95%   53/60 88%      16/20 80%    16/20 80%   1/40  2%     0.53
    en (British), 160        53/60 88%   47/60 78%      15/20 75%    14/20 70%   3/40  8%     0.92
    en-us+m3, 150            55/60 92%   52/60 87%      16/20 80%    16/20 80%   1/40  2%     0.98
    tuning set: en-us+f3     25/30 83%   23/30 77%       5/10 50%     5/10 50%   2/20 10%     0.89

What they do not show: how it does on the real model's voices (it cannot run here); a second dropped word
in one sentence; a repeated word (that is an added word, measured only as the random extra words above).
Sentences with a word outside the dictionary (65 of the 449 in the pool) are never checked.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audiobook_tts.jobs.asr import PocketsphinxChecker, words  # noqa: E402
from audiobook_tts.text.sentences import split_sentences  # noqa: E402
from tests.fixtures.texts import book_paragraphs  # noqa: E402

TUNING = 60  # the first sentences of the shuffled pool: the thresholds were set on these, never measured on
EXTRA_WORDS = ("suddenly", "green", "never", "very", "people", "always", "little", "house")


@dataclass
class Case:
    kind: str  # intact, dropped, added
    text: list[str]  # what the segment should say
    spoken: list[str]  # what espeak-ng says
    word: str | None  # the word dropped or added


def espeak(text: str, voice: str, speed: int) -> tuple[np.ndarray, int]:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text], capture_output=True, check=True
    ).stdout
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    return samples, rate


def cases(count: int, tuning: bool, checker: PocketsphinxChecker) -> tuple[list[Case], int]:
    """`count` cases (of the tuning set, or after it), and how many sentences of the book were left out for
    a word outside the dictionary."""
    pool, unknown = [], 0
    for paragraph in book_paragraphs(limit=400):
        for sentence in split_sentences(paragraph):
            said = words(sentence)
            if not 5 <= len(said) <= 20 or any(ch.isdigit() for ch in sentence):
                continue
            if checker.check(np.zeros(1600, np.float32), 16000, sentence).unknown:
                unknown += 1
            else:
                pool.append(said)
    draw = random.Random(0)
    draw.shuffle(pool)
    made = []
    for i, said in enumerate(pool[:TUNING][:count] if tuning else pool[TUNING : TUNING + count]):
        kind = ("dropped", "dropped", "dropped", "added", "intact", "intact")[i % 6]
        if kind == "dropped":
            at = draw.randrange(len(said))
            made.append(Case(kind, said, said[:at] + said[at + 1 :], said[at]))
        elif kind == "added":
            at, extra = draw.randrange(len(said) + 1), draw.choice(EXTRA_WORDS)
            made.append(Case(kind, said, said[:at] + [extra] + said[at:], extra))
        else:
            made.append(Case(kind, said, said, None))
    return made, unknown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=120)
    parser.add_argument(
        "--tuning", action="store_true", help=f"the {TUNING} sentences the thresholds were set on"
    )
    parser.add_argument("--voice", default="en-us+f3", help="espeak-ng voice")
    parser.add_argument("--speed", type=int, default=175, help="espeak-ng words per minute")
    parser.add_argument("--verbose", action="store_true", help="print every sentence's result")
    args = parser.parse_args()

    checker = PocketsphinxChecker()
    made, unknown = cases(args.sentences, args.tuning, checker)
    tally: dict[str, list[int]] = {
        kind: [0, 0, 0] for kind in ("dropped", "added", "intact")
    }  # n, flagged, named right
    seconds = 0.0
    for case in made:
        samples, rate = espeak(" ".join(case.spoken), args.voice, args.speed)
        start = time.perf_counter()
        result = checker.check(samples, rate, " ".join(case.text))
        seconds += time.perf_counter() - start
        flag = result.flag()
        counts = tally[case.kind]
        counts[0] += 1
        counts[1] += flag is not None
        counts[2] += case.word in result.missing if case.kind == "dropped" else bool(result.added)
        if args.verbose:
            print(
                f"{case.kind:8} {case.word or '':10} {flag.detail if flag else '-':60} {' '.join(case.text)}"
            )

    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"

    dropped, added, intact = tally["dropped"], tally["added"], tally["intact"]
    which = "the tuning set" if args.tuning else "held out"
    print(f"voice {args.voice} at {args.speed} wpm, {len(made)} sentences ({which})")
    print(f"  dropped word detected: {share(dropped[1], dropped[0])}")
    print(f"  dropped word named:    {share(dropped[2], dropped[0])} (the flag says which word)")
    print(f"  added word detected:   {share(added[1], added[0])}")
    print(f"  added speech reported: {share(added[2], added[0])} (else: as a missing word, or unaligned)")
    print(f"  false flags (intact):  {share(intact[1], intact[0])}")
    print(f"  unchecked: {unknown} sentences of the pool have a word outside the dictionary (left out here)")
    print(f"  check time: {seconds / max(1, len(made)):.2f} s per sentence")


if __name__ == "__main__":
    main()
