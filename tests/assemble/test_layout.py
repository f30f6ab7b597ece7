"""--layout audiobookshelf, read back the way Audiobookshelf's scanner reads a library folder.

The rules below are ported from Audiobookshelf's source (server/utils/scandir.js getBookDataFromDir and its
helpers, server/utils/parsers/parseNameString.js and parseSeriesString.js, BookScanner txtFiles, and
abmetadataGenerator.parseJson); precedence as its default: folder names, then desc.txt/reader.txt, then
metadata.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from audiobook_tts.assemble import AssembleOptions, assemble
from audiobook_tts.assemble.layout import arrange_for_audiobookshelf, book_folder
from audiobook_tts.assemble.tags import book_tags
from audiobook_tts.ingest.book import Cover, Metadata
from tests.fixtures.audio import SAMPLE_RATE, make_chapter, tiny_png

AUDIO = {".m4b", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".aac", ".wav"}
TAGS = book_tags(
    Metadata(
        title="The Long Road",
        authors=["Ada Author", "Bo Writer"],
        description="Two friends walk.",
        subjects=["Fiction", "Travel"],
        series="Roads",
        series_index="2",
        publisher="Small Press",
        date="2019-04-02",
        isbn="9780000000002",
        asin="B00TESTASN",
        language="en",
        cover=Cover(tiny_png(), "image/png"),
    ),
    narrator="Alba",
)


# -- ported from Audiobookshelf ------------------------------------------------------------------------------
def abs_names(value: str | None) -> list[str]:
    if not value:
        return []
    for separator in ("&", " and ", ";"):
        if separator in value:
            return [n.strip() for part in value.split(separator) for n in part.split(",") if n.strip()]
    return [name.strip() for name in value.split(",") if name.strip()]


def abs_series(value: str) -> dict:
    match = re.search(r" #([^#\s]+)$", value)
    return {"name": value[: match.start()] if match else value, "sequence": match[1] if match else None}


def abs_sequence(folder: str) -> tuple[str, str | None]:
    pattern = re.compile(
        r"^(?P<label>vol\.? |volume |book )?(?P<seq>\d{0,3}(?:\.\d{1,2})?)(?P<dot>\.?)"
        r"(?: (?P<suffix>.*))?$",
        re.IGNORECASE,
    )
    parts = folder.split(" - ")
    for index, part in enumerate(parts):
        match = pattern.match(part)
        if match and not (match["suffix"] and not (match["label"] or match["dot"])):
            number = str(float(match["seq"])).removesuffix(".0") if match["seq"] else match["seq"]
            if match["suffix"]:
                parts[index] = match["suffix"]
            else:
                del parts[index]
            return " - ".join(parts), number
    return folder, None


def abs_book_data_from_dir(relative: str) -> dict:
    split = relative.split("/")
    folder = split.pop()
    series = split.pop() if len(split) > 1 else None
    author = split.pop() if split else None
    asin = re.search(r"(?: |^)\[([A-Z0-9]{10})](?= |$)", folder)
    if asin:
        folder = folder.replace(asin[0], "")
    folder = folder.strip()
    narrator = re.match(r"^(?P<title>.*) \{(?P<narrators>.*)\}$", folder)
    if narrator:
        folder = narrator["title"]
    sequence = None
    if series:
        folder, sequence = abs_sequence(folder)
    year = re.match(r"^ *\(?([0-9]{4})\)? * - *(.+)", folder)
    if year:
        folder = year[2]
    return {
        "title": folder,
        "authors": abs_names(author),
        "narrators": abs_names(narrator and narrator["narrators"]),
        "series": [{"name": series, "sequence": sequence}] if series else [],
        "publishedYear": year and year[1],
        "asin": asin and asin[1],
    }


def abs_scan(library: Path) -> list[dict]:
    """Every folder holding audio is one book: folder names, then desc.txt / reader.txt, metadata.json."""
    books = []
    for folder in sorted({path.parent for path in library.rglob("*") if path.suffix in AUDIO}):
        book = abs_book_data_from_dir(folder.relative_to(library).as_posix())
        if (folder / "desc.txt").exists():
            book["description"] = (folder / "desc.txt").read_text().strip()
        if (folder / "reader.txt").exists():
            book["narrators"] = abs_names((folder / "reader.txt").read_text().splitlines()[0].strip())
        if (folder / "metadata.json").exists():
            data = json.loads((folder / "metadata.json").read_text())
            if data.get("series"):
                data["series"] = [abs_series(s) for s in data["series"]]
            book.update({k: v for k, v in data.items() if v not in (None, [])})
        book["audio"] = sorted(path.name for path in folder.iterdir() if path.suffix in AUDIO)
        book["folder"] = folder.relative_to(library).as_posix()
        books.append(book)
    return books


# -- tests ---------------------------------------------------------------------------------------------------
def test_folder_names_read_back_by_the_scanner_rules():
    folder = book_folder(TAGS).as_posix()
    assert folder == "Ada Author, Bo Writer/Roads/Vol 2 - The Long Road {Alba}"
    data = abs_book_data_from_dir(folder)
    assert data["title"] == "The Long Road" and data["authors"] == ["Ada Author", "Bo Writer"]
    assert data["narrators"] == ["Alba"] and data["series"] == [{"name": "Roads", "sequence": "2"}]
    plain = book_tags(Metadata(title="Alone", authors=["Cy Solo"]))
    assert abs_book_data_from_dir(book_folder(plain).as_posix())["title"] == "Alone"
    assert book_folder(plain).as_posix() == "Cy Solo/Alone"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    out = tmp_path_factory.mktemp("library")
    chapters = [make_chapter("One", 0.3, 1, sentences=1), make_chapter("Two", 0.3, 2, sentences=1)]
    options = AssembleOptions(formats=frozenset({"m4b"}), subtitles=("srt",))  # the layout's default format
    result = assemble(chapters, TAGS, out, options, SAMPLE_RATE)
    ends = [*result.chapter_start_seconds[1:], result.total_samples / SAMPLE_RATE]
    marks = list(zip(["One", "Two"], result.chapter_start_seconds, ends, strict=True))
    files = arrange_for_audiobookshelf(out, result.files, TAGS, marks)
    return out, files, marks


def test_the_scanner_finds_one_book_with_every_field(library):
    out, files, marks = library
    (book,) = abs_scan(out)
    assert book["folder"] == "Ada Author, Bo Writer/Roads/Vol 2 - The Long Road {Alba}"
    assert book["audio"] == ["The Long Road.m4b"]
    assert book["title"] == "The Long Road" and book["authors"] == ["Ada Author", "Bo Writer"]
    assert book["narrators"] == ["Alba"] and book["series"] == [{"name": "Roads", "sequence": "2"}]
    assert book["description"] == "Two friends walk." and book["genres"] == ["Fiction", "Travel"]
    assert (book["publisher"], book["publishedYear"], book["publishedDate"]) == (
        "Small Press",
        "2019",
        "2019-04-02",
    )
    assert (book["isbn"], book["asin"], book["language"]) == ("9780000000002", "B00TESTASN", "en")
    assert [(c["title"], c["start"], c["end"]) for c in book["chapters"]] == [
        (title, round(start, 3), round(end, 3)) for title, start, end in marks
    ]


def test_files_move_with_the_book_and_the_list_follows(library):
    out, files, _ = library
    folder = out / book_folder(TAGS)
    assert sorted(p.name for p in folder.iterdir()) == [
        "The Long Road.m4b",
        "The Long Road.srt",
        "cover.png",
        "desc.txt",
        "metadata.json",
        "reader.txt",
    ]
    assert all(path.exists() for path in files)
    assert (out / "loudness.json").exists()
    assert (folder / "reader.txt").read_text() == "Alba\n"


def test_with_both_formats_only_the_m4b_joins_the_book(tmp_path):
    """Each audio file in a book folder becomes one of its tracks: MP3s beside the M4B would play it twice."""
    names = ["The Long Road.m4b", "The Long Road.srt", "01 - One.mp3", "01 - One.srt", "The Long Road.epub"]
    files = [tmp_path / name for name in names]
    for path in files:
        path.write_bytes(b"x")
    moved = arrange_for_audiobookshelf(tmp_path, files, TAGS, [])
    folder = tmp_path / book_folder(TAGS)
    assert [path.parent == folder for path in moved[: len(names)]] == [True, True, False, False, True]
