"""Player-facing tags, read back with mutagen and with ffprobe (the reader Audiobookshelf's scanner uses)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from audiobook_tts.assemble import AssembleOptions, assemble
from audiobook_tts.assemble.ffmpeg import find_ffmpeg
from audiobook_tts.assemble.tags import book_tags, iso639_2
from audiobook_tts.ingest.book import Cover, Metadata
from tests.fixtures.audio import SAMPLE_RATE, decode, make_chapter, tiny_png

METADATA = Metadata(
    title="The Long Road",
    subtitle="A Novel",
    authors=["Ada Author", "Bo Writer"],
    language="en-US",
    publisher="Small Press",
    date="2019-04-02T00:00:00Z",
    description="Two friends walk a long way.",
    subjects=["Fiction", "Travel"],
    series="Roads",
    series_index="2",
    rights="© 2019 Ada Author",
    isbn="9780000000002",
    asin="B00TESTASN",
    cover=Cover(tiny_png(), "image/png"),
)
TAGS = book_tags(METADATA, narrator="Alba")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("tagged")
    chapters = [make_chapter("One", 0.3, 1, sentences=1), make_chapter("Two", 0.3, 2, sentences=1)]
    assemble(chapters, TAGS, out, AssembleOptions(), sample_rate=SAMPLE_RATE)
    return out


def ffprobe_tags(path: Path) -> dict[str, str]:
    """Format-level tags by name, lower-cased, as Audiobookshelf's prober looks them up."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe is not installed (Debian package ffmpeg)")
    probe = json.loads(
        subprocess.run(
            [
                ffprobe,
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                "-show_chapters",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    tags = {key.lower(): value for key, value in probe["format"].get("tags", {}).items()}
    tags["stream language"] = probe["streams"][0].get("tags", {}).get("language", "")
    tags["chapters"] = [c["tags"].get("title") for c in probe.get("chapters", [])]
    return tags


def test_book_tags_from_metadata_and_overrides():
    assert TAGS.genres == ["Fiction", "Travel"] and TAGS.series_part == "2" and TAGS.copyright.startswith("©")
    assert book_tags(Metadata(title="x")).genres == ["Audiobook"]
    assert book_tags(METADATA, series="Other", series_part=None).series == "Other"


HAMLET_SUBJECTS = [
    "Tragedies",
    "Hamlet (Legendary character) -- Drama",
    "Kings and rulers -- Succession -- Drama",
    "Fathers -- Death -- Drama",
]


@pytest.mark.parametrize(
    "subjects, publisher_genres, expected",
    [
        (HAMLET_SUBJECTS, ["Drama"], ["Drama"]),  # Standard Ebooks' se:subject first
        (HAMLET_SUBJECTS, [], ["Tragedies", "Drama"]),  # a heading alone, and the forms that end the others
        (["Dracula, Count (Fictitious character)--Fiction", "Vampires--Fiction"], [], ["Fiction"]),
        (
            ["Fantasy fiction", "Imaginary places -- Juvenile fiction"],
            [],
            ["Fantasy fiction", "Juvenile fiction"],
        ),
        (["Ethics--Early works to 1800", "Stoics--Early works to 1800"], [], ["Ethics", "Stoics"]),  # no form
    ],
)
def test_genres_are_what_a_library_lists_books_under_not_every_subject_heading(
    subjects, publisher_genres, expected
):
    metadata = Metadata(title="x", subjects=subjects, genres=publisher_genres)
    assert book_tags(metadata).genres == expected


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("en-US", "eng"),
        ("en", "eng"),
        ("de", "ger"),
        ("fra", "fre"),
        ("English", "eng"),
        ("xx-nonsense", None),
        (None, None),
    ],
)
def test_language_as_iso_639_2(given, code):
    assert iso639_2(given) == code


def test_m4b_atoms_with_mutagen(book):
    atoms = MP4(book / "The Long Road.m4b").tags
    assert atoms["©nam"] == ["The Long Road"] and atoms["©alb"] == ["The Long Road"]
    assert atoms["©ART"] == ["Ada Author, Bo Writer"] and atoms["aART"] == ["Ada Author, Bo Writer"]
    assert atoms["©wrt"] == ["Alba"]
    assert atoms["desc"] == atoms["ldes"] == ["Two friends walk a long way."]
    assert atoms["©gen"] == ["Fiction; Travel"]
    assert atoms["©day"] == ["2019-04-02"]
    assert atoms["cprt"] == ["© 2019 Ada Author"]
    assert atoms["©pub"] == ["Small Press"]
    assert atoms["©grp"] == ["Roads #2"]
    assert atoms["stik"] == [2]
    freeform = {
        key.removeprefix("----:com.apple.iTunes:"): bytes(value[0]).decode()
        for key, value in atoms.items()
        if key.startswith("----:")
    }
    assert freeform == {
        "SUBTITLE": "A Novel",
        "PUBLISHER": "Small Press",
        "SERIES": "Roads",
        "SERIES-PART": "2",
        "ISBN": "9780000000002",
        "ASIN": "B00TESTASN",
        "LANGUAGE": "eng",
    }
    assert bytes(atoms["covr"][0]) == METADATA.cover.data


def test_m4b_tags_with_ffprobe(book):
    """The names Audiobookshelf's prober (server/utils/prober.js parseTags) takes each book field from."""
    tags = ffprobe_tags(book / "The Long Road.m4b")
    assert tags["album"] == "The Long Road" and tags["title"] == "The Long Road"
    assert tags["artist"] == "Ada Author, Bo Writer" and tags["album_artist"] == "Ada Author, Bo Writer"
    assert tags["composer"] == "Alba"  # -> narrators
    assert tags["description"] == "Two friends walk a long way."
    assert tags["genre"] == "Fiction; Travel"
    assert tags["date"] == "2019-04-02"
    assert tags["copyright"] == "© 2019 Ada Author"
    assert tags["publisher"] == "Small Press"
    assert tags["grouping"] == "Roads #2"
    assert (tags["series"], tags["series-part"]) == ("Roads", "2")
    assert (tags["isbn"], tags["asin"], tags["subtitle"]) == ("9780000000002", "B00TESTASN", "A Novel")
    assert tags["language"] == "eng" and tags["stream language"] == "eng"
    assert tags["chapters"] == ["One", "Two"]


def test_mp3_frames_with_mutagen(book):
    id3 = ID3(book / "02 - Two.mp3")
    assert id3.version == (2, 4, 0)
    assert id3["TIT2"].text == ["Two"] and id3["TALB"].text == ["The Long Road"]
    assert id3["TIT3"].text == ["A Novel"]
    assert id3["TPE1"].text == ["Ada Author, Bo Writer"] and id3["TCOM"].text == ["Alba"]
    assert id3["TCON"].text == ["Fiction; Travel"]
    assert str(id3["TDRC"].text[0]) == "2019-04-02"
    assert id3["TLAN"].text == ["eng"] and id3["TPUB"].text == ["Small Press"]
    assert id3["TCOP"].text == ["© 2019 Ada Author"] and id3["GRP1"].text == ["Roads #2"]
    assert id3.getall("COMM")[0].text == ["Two friends walk a long way."]
    assert {frame.desc: frame.text[0] for frame in id3.getall("TXXX")} == {
        "NARRATOR": "Alba",
        "SERIES": "Roads",
        "SERIES-PART": "2",
        "ISBN": "9780000000002",
        "ASIN": "B00TESTASN",
    }
    (toc,) = id3.getall("CTOC")
    (chapter,) = id3.getall("CHAP")
    assert toc.child_element_ids == [chapter.element_id]
    assert chapter.sub_frames["TIT2"].text == ["Two"] and chapter.start_time == 0
    decoded_ms = len(decode(find_ffmpeg(), book / "02 - Two.mp3")) * 1000 / SAMPLE_RATE
    assert abs(chapter.end_time - decoded_ms) <= 1


def test_mp3_tags_with_ffprobe(book):
    tags = ffprobe_tags(book / "01 - One.mp3")
    assert (tags["album"], tags["title"], tags["tit3"]) == ("The Long Road", "One", "A Novel")
    assert tags["artist"] == tags["album_artist"] == "Ada Author, Bo Writer"
    assert tags["composer"] == "Alba"
    assert tags["comment"] == "Two friends walk a long way."
    assert tags["genre"] == "Fiction; Travel"
    assert tags["date"] == "2019-04-02" and tags["language"] == "eng"
    assert tags["publisher"] == "Small Press" and tags["copyright"] == "© 2019 Ada Author"
    assert (tags["series"], tags["series-part"]) == ("Roads", "2")
    assert (tags["isbn"], tags["asin"]) == ("9780000000002", "B00TESTASN")
    assert tags["chapters"] == ["One"]  # the CHAP frame, as ffmpeg's demuxer reads it
