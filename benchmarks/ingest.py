"""Time of load_book on a long novel (moby-dick.epub, 144 XHTML files) and on every corpus book.

Prints wall time per book (best of N runs after one warm-up, so imports are not counted) and words per second;
the target for the whole book-in, segments-out path (ingest + text preparation) is under 5 s for Moby-Dick.

    python benchmarks/ingest.py [--runs 3] [--corpus /work/shared/corpus]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audiobook_tts.ingest import IngestOptions, load_book  # noqa: E402


def timed(path: Path, options: IngestOptions, runs: int) -> tuple[float, int, int]:
    load_book(path, options)  # warm-up: imports, first-touch costs
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        book = load_book(path, options)
        best = min(best, time.perf_counter() - start)
    words = sum(len(b.text.split()) for c in book.chapters if c.included for b in c.blocks)
    return best, words, len(book.chapters)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    args = parser.parse_args()

    moby = args.corpus / "moby-dick.epub"
    seconds, words, chapters = timed(moby, IngestOptions(), args.runs)
    print(
        f"load_book(moby-dick.epub): {seconds:.3f} s  ({chapters} chapters, {words} words read, "
        f"{words / seconds:,.0f} words/s; budget for ingest + text preparation: 5 s)"
    )
    for mode in ("inline", "chapter_end"):
        seconds, _, _ = timed(moby, IngestOptions(notes=mode, include_front_matter=True), args.runs)
        print(f"  with notes={mode}, front matter included: {seconds:.3f} s")
    for path in sorted(args.corpus.glob("*.epub")):
        if path != moby:
            seconds, words, chapters = timed(path, IngestOptions(), args.runs)
            print(f"{path.name:32s} {seconds:7.3f} s  {chapters:3d} chapters  {words:7d} words")


if __name__ == "__main__":
    main()
