"""How many spoken sentences the read-along EPUB finds in the book's own text (and so highlights).

Runs the text stage on each book as a render does (sentences split, normalised for speech) and hands the
sentences to the read-along writer with placeholder audio: only the matching of spoken text to the document
is measured, no model runs. Prints, per book, the sentences without a span, and the spans whose text reads
differently from their sentence (a wrong match); with --list, which ones.

    python benchmarks/readalong.py [BOOK ...] [--list]
"""

from __future__ import annotations

import argparse
import difflib
import functools
import re
import sys
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audiobook_tts.assemble.readalong import ReadAlongChapter, write_readalong_epub  # noqa: E402
from audiobook_tts.assemble.subtitles import Cue  # noqa: E402
from audiobook_tts.ingest import load_book  # noqa: E402
from audiobook_tts.text import TextOptions, prepare_chapter  # noqa: E402
from audiobook_tts.text.chapter import normalized_words  # noqa: E402
from audiobook_tts.text.sentences import split_sentences  # noqa: E402

CORPUS = Path("/work/shared/corpus")
BOOKS = [
    CORPUS / name
    for name in ("wasteland.epub", "alice-gutenberg-pg11.epub", "childrens-literature.epub", "moby-dick.epub")
]


def tokens(text: str) -> int:
    """About what the model's SentencePiece tokenizer counts for English (a token per 4 characters); the
    render uses the real one, so segments (and sentences cut at clauses) may differ a little."""
    return max(1, len(text) // 4)


def spans_by_sentence(epub: Path) -> dict[str, str]:
    """The highlighted text of each sentence (span id ra{chapter}-{sentence}, its pieces joined)."""
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith((".xhtml", ".html", ".htm")):
                document = etree.fromstring(archive.read(name), etree.XMLParser(recover=True))
                for span in document.iter("{http://www.w3.org/1999/xhtml}span"):
                    if match := re.fullmatch(r"(ra\d+-\d+)(-\d+)?", span.get("id") or ""):
                        found.setdefault(match.group(1), []).append("".join(span.itertext()))
    return {span_id: " ".join(pieces) for span_id, pieces in found.items()}


def check(
    book_path: Path, workdir: Path, say: bool = True
) -> tuple[int, list[str], list[tuple[str, str]], list[str]]:
    """(sentences read, the sentences that got no span, (sentence, highlighted text) where the highlighted
    text reads differently: under 90% of the same words, compared as the text stage says them, and the
    documents lxml wrote out because their bytes could not be mapped)."""
    book = load_book(book_path)
    audio = workdir / "placeholder.m4a"
    audio.write_bytes(b"")
    chapters = []
    for chapter in (c for c in book.chapters if c.included):
        segments = prepare_chapter(chapter, tokens, TextOptions())
        sentences = [s for segment in segments for s in split_sentences(segment.text) if s.strip()]
        cues = [Cue(index, index + 1, sentence) for index, sentence in enumerate(sentences)]
        chapters.append(ReadAlongChapter(chapter, audio, cues, len(cues)))
    reading = functools.partial(normalized_words, options=TextOptions(), heading=False)
    result = write_readalong_epub(
        workdir / "book.epub", book, book_path, chapters, 24000, say=reading if say else None
    )
    highlighted = spans_by_sentence(result.path)
    off = []
    for number, chapter in enumerate(chapters, start=1):
        for index, cue in enumerate(chapter.cues, start=1):
            text = highlighted.get(f"ra{number}-{index}")
            if text is not None:
                same = difflib.SequenceMatcher(None, reading(cue.text), reading(text), autojunk=False).ratio()
                if same < 0.9:
                    off.append((cue.text, text))
    return result.spans + len(result.missed), result.missed, off, result.rewritten


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("books", nargs="*", type=Path, default=BOOKS)
    parser.add_argument("--list", action="store_true", help="print every sentence without a span")
    parser.add_argument(
        "--no-say", action="store_true", help="compare written words as written (no text-stage reading)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for book in args.books:
            total, missed, off, rewritten = check(book, Path(workdir), say=not args.no_say)
            print(
                f"{book.name}: {len(missed)} of {total} sentences without a span, "
                f"{len(off)} highlighting text that reads differently, "
                f"{len(rewritten)} documents not kept byte for byte"
            )
            if args.list:
                for sentence in missed:
                    print(f"    no span: {sentence!r}")
                for sentence, text in off:
                    print(f"    reads {sentence!r}\n      as {text!r}")


if __name__ == "__main__":
    main()
