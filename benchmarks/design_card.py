"""Why we do not use three design-card packages: ebooklib, beautifulsoup4 and pydub, measured.

1. EPUBs. Every book in a corpus folder, plus small broken and hostile EPUBs built here (the kinds
   tests/ingest/test_ingest_hostile.py refuses or recovers), is opened by `ebooklib.epub.read_epub` and by our
   `load_book`. For each, it prints what each side did: read (with the number of documents / chapters), or
   the first line of the error. ebooklib gives a book only when the whole package parses; we recover what
   a reader would (a stray "&" in the OPF, unclosed tags) and refuse DRM, entity bombs and zip bombs in one
   line.
   beautifulsoup4 would only parse the documents ebooklib hands over, where our walker uses lxml directly.
2. Audio. Joining N minutes of 24 kHz mono 16-bit speech segments (8 s each) with pauses, as pydub's
   `AudioSegment` does it (`+` and `append` build new immutable segments), against our assembly, which streams
   blocks to ffmpeg. Each runs in its own process; the figure is that process's peak RSS.

    pip install ebooklib pydub      # the benchmark's own needs; the package imports neither
    PYTHONPATH=. python benchmarks/design_card.py [--corpus /work/corpus] [--minutes 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE_RATE = 24000
SEGMENT_SECONDS = 8


def broken_epubs(folder: Path) -> list[Path]:
    """Small EPUBs with the faults real files have, built with the tests' own fixture."""
    from tests.fixtures.epub import nav, opf, write_epub, xhtml

    body = xhtml("<h1>One</h1><p>The lamp was lit.</p>")
    toc = nav('<li><a href="c.xhtml">One</a></li>')
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">' for i in range(9))
    made = {
        "stray-ampersand-in-opf": {
            "OEBPS/content.opf": opf(["c.xhtml"], metadata="<dc:title>Harper & Brothers</dc:title>"),
            "OEBPS/c.xhtml": body,
        },
        "unclosed-tags": {
            "OEBPS/content.opf": opf(["c.xhtml"]),
            "OEBPS/c.xhtml": "<html><body><p>First paragraph<p>Second & unclosed <b>bold</i></body>",
        },
        "spine-item-missing": {"OEBPS/content.opf": opf(["c.xhtml", "gone.xhtml"]), "OEBPS/c.xhtml": body},
        "no-nav-no-ncx": {"OEBPS/content.opf": opf(["c.xhtml"], nav_href=None), "OEBPS/c.xhtml": body},
        "billion-laughs": {
            "OEBPS/content.opf": opf(["c.xhtml"]),
            "OEBPS/c.xhtml": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + laughs
            + ']><html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol8;</p></body></html>',
        },
    }
    paths = []
    for name, files in made.items():
        if name != "no-nav-no-ncx":
            files = {"OEBPS/nav.xhtml": toc, **files}
        paths.append(write_epub(folder / f"{name}.epub", files))
    return paths


def try_ebooklib(path: Path) -> str:
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(str(path), options={"ignore_ncx": True})
    except Exception as error:  # the result we measure
        return f"error: {type(error).__name__}: {str(error).splitlines()[0][:70] if str(error) else ''}"
    return f"read: {len(list(book.get_items_of_type(ebooklib.ITEM_DOCUMENT)))} documents"


def try_ours(path: Path) -> str:
    from audiobook_tts.ingest import load_book

    try:
        book = load_book(path)
    except Exception as error:  # the result we measure
        return f"error: {str(error).splitlines()[0][:90]}"
    return f"read: {sum(c.included for c in book.chapters)} chapters"


def peak_rss_mb(code: str) -> tuple[float, float]:
    """Run `code` in a fresh interpreter: its peak RSS in MB and its wall seconds."""
    probe = code + "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - began


PYDUB_JOIN = """
import numpy as np
from pydub import AudioSegment
segment = AudioSegment((np.random.default_rng(0).standard_normal({n}) * 3000).astype(np.int16).tobytes(),
                       frame_rate={rate}, sample_width=2, channels=1)
pause = AudioSegment.silent(duration=500, frame_rate={rate})
book = AudioSegment.empty()
for _ in range({count}):
    book = book + segment + pause
book.export("{out}", format="mp3", bitrate="64k")
"""

OURS_JOIN = """
import tempfile
from pathlib import Path
from audiobook_tts.assemble import AssembleOptions, BookTags, assemble
from benchmarks.assemble import RATE, book
with tempfile.TemporaryDirectory() as out:
    assemble(book({hours}, {hours} * 60), BookTags(title="T", authors=["A"]), Path(out),
             AssembleOptions(formats=frozenset({{"mp3"}})), RATE)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "corpus")
    parser.add_argument("--minutes", type=float, default=60)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="design_card_") as temp:
        folder = Path(temp)
        books = sorted(args.corpus.glob("*.epub")) + broken_epubs(folder)
        print("| EPUB | ebooklib 0.20 read_epub | audiobook-tts load_book |\n|---|---|---|")
        for path in books:
            print(f"| {path.name} | {try_ebooklib(path)} | {try_ours(path)} |")

        n = SAMPLE_RATE * SEGMENT_SECONDS
        count = round(args.minutes * 60 / (SEGMENT_SECONDS + 0.5))
        out = folder / "joined.mp3"
        pydub, pydub_s = peak_rss_mb(PYDUB_JOIN.format(n=n, rate=SAMPLE_RATE, count=count, out=out))
        ours, ours_s = peak_rss_mb(OURS_JOIN.format(hours=args.minutes / 60))
        print(f"\n{args.minutes:g} min of audio joined with pauses and encoded to MP3 (peak RSS, wall time):")
        print(f"  pydub AudioSegment:     {pydub:6.0f} MB {pydub_s:6.1f} s")
        print(f"  audiobook-tts assemble: {ours:6.0f} MB {ours_s:6.1f} s (also measures, limits and checks)")
        print(json.dumps({"minutes": args.minutes, "pydub_mb": round(pydub), "ours_mb": round(ours)}))


if __name__ == "__main__":
    main()
