"""Listener-defect checker: what a listener would hear wrong in real books, counted per book.

For every book in a corpus folder (EPUB, HTML, Markdown, plain text) it loads the book with all matter and
notes included (`include_front_matter=True`, notes at chapter end), prepares every chapter as `render` would
(normalised in the book's language, as a voice of that language would read it; the default options else),
and counts in the segments:

* doubled  - a word spoken twice in a row where the source does not have it twice ("the the");
* letters  - Roman numerals read letter by letter or left as lower-case letters ("V I I", "ii");
* markup   - raw markup spoken: brackets, braces, backticks, `\\newpage`, `[^1]`, `http`, `<`, `|`, `#`...;
* empty    - segments with no letter or digit (a lone "”", ".", "???");
* cut_num  - a spelled-out number cut across two segments of one sentence ("sixty-five thousand." |
  "Five hundred..."). A cut between two numbers the source itself separates ("in 1899, | 1900 and 1903",
  a postcode then a phone number, "in one, | Sixty") is no defect: in each block, the cuts at a number count
  only beyond the places where the block's source text has two numbers (digits, Roman numerals or number
  words) with nothing but punctuation between them (a thousands separator or decimal point is no gap);
* twice    - a chapter whose heading is spoken twice in its first sentences ("Eredità. Eredità.");
* tens_to  - a number word's hyphen read as a range: "Chapter XXI" said "Chapter twenty to one" (counted
  beyond the times the source itself has "twenty to one", a clock time);
* spoken   - the share of the source's words (code blocks aside) that are spoken, as a multiset of lower-case
  words compared by letters only (numbers are left out: they are spoken as words).

The source words are read independently of our ingest: every spine document of an EPUB (contents pages
and navigation aside), the body of an HTML file, a Markdown file rendered by markdown-it, a text file whole.

    PYTHONPATH=. python benchmarks/reading.py /work/corpus [--tokenizer tokenizer.model] [--book NAME]

Run it against another checkout (e.g. main, for a before/after table) by pointing PYTHONPATH there.

The corpus (not in the repository; rebuild it with the search tools' `fetch`, then `git show HEAD:<path>`):

| file | source repository : path | kind |
|---|---|---|
| alice-pg11-images.epub | tungnv36/epubs : pg11-images.epub | Gutenberg EPUB 3 |
| sherlock-se.epub | standardebooks/arthur-conan-doyle_the-adventures-of-sherlock-holmes : src/ | SE |
| leaves-of-grass-se.epub | standardebooks/walt-whitman_leaves-of-grass : src/ | SE, verse |
| pride-prejudice-pg.html | topebooks/Ebook : pg1342-images.html | Gutenberg HTML |
| python-guide.md | Anku5hk/Programmers_guide_to_Python : book.md | Markdown, technical, code |
| candide-fr.txt | Alpagateau/Theorie-info-td2 : candide.txt | French, plain text, notes |
| promessi-sposi-it.txt | mauriziocozzetto/wordsfrequency : promessi_sposi.txt | Italian, Gutenberg text |
| divina-commedia-it.txt | DanieleVeri/deep_comedy : divina_commedia.txt | Italian verse |
| hongloumeng-zh.txt | Linnann/Hongloumeng : 红楼梦.txt | Chinese, chapters as paragraphs |
| python-guide-pandoc3.epub | made by Pandoc from python-guide.md (below) | Pandoc EPUB 3, technical |
| pride-prejudice-pandoc2.epub | made by Pandoc from pride-prejudice-pg.html (below) | Pandoc EPUB 2 |
| (six more) | /work/shared/corpus: alice-gutenberg-pg11, moby-dick, childrens-literature, | EPUB 2/3 |
|  | wasteland, trees, georgia-pls-ssml | |

A Standard Ebooks (SE) EPUB is its repository's `src/` folder zipped with `mimetype` first and stored.
Two Pandoc EPUBs are made from corpus sources (Debian's pandoc 2.17; `apt-get install pandoc`, no network
needed: images it cannot fetch are left out):

    pandoc python-guide.md -f gfm -t epub3 --metadata title="Programmer's guide to Python" \\
        --metadata lang=en -o python-guide-pandoc3.epub
    pandoc pride-prejudice-pg.html -f html -t epub2 --metadata title="Pride and Prejudice" \\
        --metadata lang=en -o pride-prejudice-pandoc2.epub
"""

from __future__ import annotations

import argparse
import posixpath
import re
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import lxml.html
from lxml import etree

from audiobook_tts.ingest import IngestOptions, load_book
from audiobook_tts.text import TextOptions, prepare_chapter

BOOK_SUFFIXES = {".epub", ".html", ".htm", ".xhtml", ".md", ".markdown", ".txt"}
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W\d_{_CJK}]+")
_NUMBER_WORDS = set(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
    billion point oh""".split()
)
_MARKUP = re.compile(r"[\[\]{}`<>|#*_\\^~]|https?|://|www\.|&\w+;|newpage")
_SPELLED_ROMAN = re.compile(r"\b[IVX](?: [IVX]\b)+")
_LOWER_ROMAN = re.compile(r"^(?:ii|iii|iv|vii|viii|ix|xii|xiii|xiv|xv|xvi|xvii|xviii|xix|xx|xxi|xxx)$")
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")
_SOURCE_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*|\b[IVXLCDM]+\b|\b(?:{0})(?:-(?:{0}))*\b".format("|".join(sorted(_NUMBER_WORDS))),
    re.IGNORECASE,
)


def words(text: str) -> list[str]:
    """Lower-case words by letters only; each CJK character counts as a word."""
    return [w.lower() for w in _WORD.findall(text)]


# ---------------------------------------------------------------------------------------------- source words


def _element_text(root: etree._Element) -> str:
    """Text of a parsed (X)HTML document's body, without scripts, styles, code blocks and contents lists."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rsplit("}", 1)[-1].lower()
        kind = (element.get("{http://www.idpf.org/2007/ops}type") or "") + " " + (element.get("role") or "")
        code_block = name == "pre" and any(
            isinstance(c.tag, str) and c.tag.rsplit("}", 1)[-1].lower() == "code" for c in element.iter()
        )
        if name in ("script", "style", "head", "nav") or code_block or re.search(r"\btoc\b", kind):
            parent = element.getparent()
            if parent is not None:
                tail = element.tail
                parent.remove(element)
                if tail:
                    parent.text = (parent.text or "") + " " + tail
    return " ".join(root.itertext())


def _parse_html(data: bytes) -> etree._Element:
    return lxml.html.document_fromstring(
        data, parser=lxml.html.HTMLParser(recover=True, remove_comments=True)
    )


def _epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = next(container.iter("{*}rootfile")).get("full-path")
        opf = etree.fromstring(archive.read(opf_path))
        base = posixpath.dirname(opf_path)
        items = {
            item.get("id"): (posixpath.join(base, unquote(item.get("href"))), item.get("properties") or "")
            for item in opf.iter("{*}item")
        }
        texts = []
        for ref in opf.iter("{*}itemref"):
            name, properties = items[ref.get("idref")]
            if "nav" in properties.split():
                continue
            texts.append(_element_text(_parse_html(archive.read(name))))
        return "\n".join(texts)


def source_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".epub":
        return _epub_text(path)
    if suffix in (".html", ".htm", ".xhtml"):
        return _element_text(_parse_html(path.read_bytes()))
    if suffix in (".md", ".markdown"):
        from markdown_it import MarkdownIt

        markdown = MarkdownIt("commonmark", {"html": True}).enable(["table"])
        rendered = markdown.render(_decoded(path.read_bytes()))
        return _element_text(_parse_html(f"<html><body>{rendered}</body></html>".encode()))
    return _decoded(path.read_bytes())


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        return str(from_bytes(data).best())


# ---------------------------------------------------------------------------------------------- defects


def _doubles(tokens: list[str]) -> Counter:
    """Words said twice in a row; a letter spelled twice ("O O P") is an acronym, and numbers ("twenty
    twenty") and CJK characters repeat legitimately."""
    pairs = zip(tokens, tokens[1:], strict=False)
    legitimate = _NUMBER_WORDS | set("abcdefghijklmnopqrstuvwxyz")
    return Counter(a for a, b in pairs if a == b and a not in legitimate and not re.match(f"[{_CJK}]", a))


def separated_numbers(source: str) -> int:
    """How often the source text puts two numbers next to each other with only punctuation (and spaces)
    between them ("1899, 1900", "84116, (801) 596-1887", "1652. 180", "1863–’64", "one—sixty"): places where
    a cut between numbers is at the text's own punctuation, not inside a number. Thousands separators and
    decimal points ("65,535", "1.10") are part of one number."""
    found = list(_SOURCE_NUMBER.finditer(source))
    gaps = (source[a.end() : b.start()] for a, b in zip(found, found[1:], strict=False))
    return sum(1 for gap in gaps if re.fullmatch(r"[\W_]+", gap) and re.search(r"[^\w\s\u2060]", gap))


_TENS_TO = re.compile(
    r"\b(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety) to (?:one|two|three|four|five|six|seven|"
    r"eight|nine)\b(?! hundred| thousand| million)"  # "in eighteen sixty to one hundred acres" is right
)


def check_book(path: Path, count_tokens) -> dict:
    book = load_book(path, IngestOptions(notes="chapter_end", include_front_matter=True))
    options = TextOptions()
    if book.metadata.language:  # as a voice of the book's language would read it
        options.language = book.metadata.language
    counts = Counter()
    spoken_words: list[str] = []
    chapters = 0
    examples: dict[str, list[str]] = {}

    def note(kind: str, example: str) -> None:
        counts[kind] += 1
        examples.setdefault(kind, [])
        if len(examples[kind]) < 3:
            examples[kind].append(example[:100])

    for chapter in book.chapters:
        if not chapter.included or not chapter.blocks:
            continue
        chapters += 1
        prepared = prepare_chapter(chapter, count_tokens, options)
        segments = [s.text for s in prepared]
        cuts: dict[int, list[str]] = {}  # block index -> the cuts at a number in it
        for index, text in enumerate(segments):
            spoken_words += words(text)
            if not re.search(r"[^\W_]", text):
                note("empty", repr(text))
            if _MARKUP.search(text):
                note("markup", text)
            for match in _SPELLED_ROMAN.finditer(text):
                note("letters", match[0])
            for token in text.split():
                if (
                    _LOWER_ROMAN.match(token.strip(".,;:!?\"'()“”‘’").lower())
                    and token.strip(".,;:!?'\"").islower()
                ):
                    note("letters", token)
            if index + 1 < len(segments) and prepared[index].pause_after == options.pauses.clause:
                last = re.sub(r"[^\w-]", "", text.split()[-1].lower()) if text.split() else ""
                nxt = segments[index + 1].split()
                first = re.sub(r"[^\w-]", "", nxt[0].lower()) if nxt else ""
                if last.split("-")[-1] in _NUMBER_WORDS and first.split("-")[0] in _NUMBER_WORDS:
                    cut = f"{text[-40:]} | {segments[index + 1][:40]}"
                    cuts.setdefault(prepared[index].block_index, []).append(cut)
        for block_index, found in cuts.items():
            source = chapter.blocks[block_index].text if block_index >= 0 else chapter.title
            for cut in found[separated_numbers(source) :]:
                note("cut_num", cut)
        # the title and heading blocks at the chapter's start: none may be spoken twice
        heading_sentences = []
        for segment in prepared[:6]:
            block = chapter.blocks[segment.block_index] if segment.block_index >= 0 else None
            if segment.kind == "title" or (block is not None and block.kind == "heading"):
                # "Beat! Beat! Drums!" repeats on purpose; a heading read twice ends in a full stop
                said = [s for s in _SENTENCE.findall(segment.text) if words(s) and not s.endswith("!")]
                heading_sentences += [tuple(words(s)) for s in said]
        if len(set(heading_sentences)) < len(heading_sentences):
            note("twice", " | ".join(" ".join(s) for s in heading_sentences[:3]))
        spoken_words.append("\n")  # no doubled word across chapters
    source = words(source_text(path))
    vocabulary = set(source)
    extra_doubles = Counter(
        {w: n for w, n in (_doubles(spoken_words) - _doubles(source)).items() if w in vocabulary}
    )
    for word, number in extra_doubles.items():
        for _ in range(number):
            note("doubled", f"{word} {word}")
    spoken_text = " ".join(spoken_words)
    found = list(_TENS_TO.finditer(spoken_text))
    for match in found[len(_TENS_TO.findall(" ".join(source))) :]:
        note("tens_to", spoken_text[max(0, match.start() - 50) : match.end() + 10])
    have, need = Counter(spoken_words), Counter(source)
    matched = sum(min(have[w], n) for w, n in need.items())
    return {
        "chapters": chapters,
        "counts": counts,
        "spoken": matched / max(1, sum(need.values())),
        "examples": examples,
    }


KINDS = ["doubled", "letters", "markup", "empty", "cut_num", "twice", "tens_to"]


def token_counter(tokenizer: Path | None):
    import sentencepiece as spm

    if tokenizer is None:
        from tests.fixtures.tokenizer import train_sentencepiece

        tokenizer = train_sentencepiece(Path(tempfile.mkdtemp(prefix="reading_bench_")))
    processor = spm.SentencePieceProcessor(model_file=str(tokenizer))
    return lambda text: len(processor.encode(text))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--tokenizer", type=Path, default=None)
    parser.add_argument("--book", action="append", default=[], help="only books whose name contains this")
    parser.add_argument("--examples", action="store_true", help="print up to three examples of each defect")
    args = parser.parse_args()
    count_tokens = token_counter(args.tokenizer)
    books = sorted(p for p in args.corpus.iterdir() if p.suffix.lower() in BOOK_SUFFIXES)
    books = [p for p in books if not args.book or any(b in p.name for b in args.book)]
    print(f"| book | chapters | {' | '.join(KINDS)} | spoken |")
    print(f"|---|---:|{'---:|' * len(KINDS)}---:|")
    totals = Counter()
    for path in books:
        try:
            result = check_book(path, count_tokens)
        except Exception as error:  # a book that fails to load is a result too
            print(f"| {path.name} | error: {type(error).__name__}: {str(error)[:80]} |")
            continue
        totals.update(result["counts"])
        cells = " | ".join(str(result["counts"][kind]) for kind in KINDS)
        print(f"| {path.name} | {result['chapters']} | {cells} | {result['spoken']:.1%} |")
        if args.examples:
            for kind, found in result["examples"].items():
                for example in found:
                    print(f"    {kind}: {example}")
    print(f"| total | | {' | '.join(str(totals[kind]) for kind in KINDS)} | |")


if __name__ == "__main__":
    main()
