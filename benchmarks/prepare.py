"""Book in, segments out: load_book + prepare_chapter for all of moby-dick.epub (target < 5 s).

Token counts come from a SentencePiece tokenizer: `--tokenizer FILE` (e.g. the model's own), else the
4000-piece test tokenizer is trained once in a temporary directory (a few seconds, not timed). Prints the
best of N runs after a warm-up, split into ingest and text preparation, and the same for every corpus book.

The pathological case: a 1 MB paragraph with no sentence end (and one with commas only) must be segmented in
a few seconds and under 500 MB; each runs in a child process so its peak RSS is its own.

    python benchmarks/prepare.py [--runs 3] [--tokenizer FILE] [--corpus /work/shared/corpus]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audiobook_tts.ingest import load_book  # noqa: E402
from audiobook_tts.text import TextOptions, prepare_chapter  # noqa: E402


def token_counter(path: Path | None):
    import sentencepiece as spm

    if path is None:
        from tests.fixtures.tokenizer import train_sentencepiece

        path = train_sentencepiece(Path(tempfile.mkdtemp(prefix="prepare_bench_")))
    processor = spm.SentencePieceProcessor(model_file=str(path))
    return lambda text: len(processor.encode(text)), path


def timed(path: Path, count_tokens, runs: int) -> tuple[float, float, int, int]:
    """(best ingest seconds, best preparation seconds, segments, spoken words)."""
    best_load = best_prepare = float("inf")
    for _ in range(runs + 1):  # the first run is a warm-up
        start = time.perf_counter()
        book = load_book(path)
        loaded = time.perf_counter()
        segments = [
            s for c in book.chapters if c.included for s in prepare_chapter(c, count_tokens, TextOptions())
        ]
        done = time.perf_counter()
        best_load, best_prepare = min(best_load, loaded - start), min(best_prepare, done - loaded)
    words = sum(len(s.text.split()) for s in segments)
    return best_load, best_prepare, len(segments), words


def unpunctuated_paragraph(size: int, commas: bool, seed: int = 0) -> str:
    """`size` characters of ordinary words and no sentence end (commas between some words if asked)."""
    vocabulary = "the river ran slowly under old bridges while children watched boats and birds".split()
    rng = random.Random(seed)
    words, length = [], 0
    while length < size:
        word = rng.choice(vocabulary) + ("," if commas and rng.random() < 0.2 else "")
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def _segment_paragraph(tokenizer: str, commas: bool, results) -> None:
    """Child process: segment the 1 MB paragraph, report (seconds, segments, peak RSS in MB)."""
    import sentencepiece as spm

    from audiobook_tts.ingest import Block, Chapter

    processor = spm.SentencePieceProcessor(model_file=tokenizer)
    text = unpunctuated_paragraph(1 << 20, commas)
    start = time.perf_counter()
    segments = prepare_chapter(
        Chapter("Paragraph", [Block("paragraph", text)]), lambda t: len(processor.encode(t)), TextOptions()
    )
    seconds = time.perf_counter() - start
    results.put((seconds, len(segments), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def pathological(tokenizer: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for commas in (False, True):
        results = context.Queue()
        child = context.Process(target=_segment_paragraph, args=(str(tokenizer), commas, results))
        child.start()
        seconds, segments, peak = results.get()
        child.join()
        kind = "commas only" if commas else "no punctuation"
        print(
            f"1 MB paragraph, {kind:14s}: {seconds:5.2f} s, {segments} segments, peak RSS {peak:.0f} MB "
            "(target: a few seconds, < 500 MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    args = parser.parse_args()

    count_tokens, tokenizer = token_counter(args.tokenizer)
    print(f"token counts: {tokenizer}")
    pathological(tokenizer)
    moby = args.corpus / "moby-dick.epub"
    load, prepare, segments, words = timed(moby, count_tokens, args.runs)
    print(
        f"moby-dick.epub: load_book {load:.2f} s + prepare_chapter {prepare:.2f} s = {load + prepare:.2f} s "
        f"(target 5 s; {segments} segments, {words} spoken words, {words / prepare:,.0f} words/s prepared)"
    )
    for path in sorted(args.corpus.glob("*.epub")):
        if path != moby:
            load, prepare, segments, words = timed(path, count_tokens, args.runs)
            print(f"{path.name:32s} load {load:6.2f} s  prepare {prepare:6.2f} s  {segments:6d} segments")


if __name__ == "__main__":
    main()
