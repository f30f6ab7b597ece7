"""Book tags with mutagen: ID3v2.4 on each chapter MP3, iTunes atoms on the M4B (stik=2: audiobook).

Names follow what Audiobookshelf's scanner reads (it reads ffprobe's tag names, server/utils/prober.js and
server/scanner/AudioFileScanner.js) and what Apple Books and Mp3tag write:

    field        M4B atom                             MP3 frame           ffprobe name -> Audiobookshelf
    title        ©nam, ©alb                           TALB (TIT2: chap.)  album -> title
    subtitle     ----:com.apple.iTunes:SUBTITLE       TIT3                subtitle -> subtitle
    authors      ©ART, aART ("a, b")                  TPE1, TPE2 ("a, b") artist -> authors
    narrator     ©wrt                                 TCOM, TXXX:NARRATOR composer -> narrators
    series       ----:com.apple.iTunes:SERIES, ©grp   TXXX:SERIES, GRP1   series -> series
    part         ----:com.apple.iTunes:SERIES-PART    TXXX:SERIES-PART    series-part -> series sequence
    publisher    ©pub, ----:com.apple.iTunes:PUBLISHER TPUB               publisher -> publisher
    date         ©day                                 TDRC                date -> publishedYear
    description  desc, ldes                           COMM                description/comment -> description
    genres       ©gen ("a; b")                        TCON ("a; b")       genre -> genres (split at ;)
    language     ----:com.apple.iTunes:LANGUAGE, mdhd TLAN                language -> language
    ISBN, ASIN   ----:com.apple.iTunes:ISBN / ASIN    TXXX:ISBN / ASIN    isbn, asin -> isbn, asin
    copyright    cprt                                 TCOP                copyright
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path
from typing import Any

import pycountry
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    GRP1,
    ID3,
    TALB,
    TCOM,
    TCON,
    TCOP,
    TDRC,
    TIT2,
    TIT3,
    TLAN,
    TPE1,
    TPE2,
    TPUB,
    TRCK,
    TXXX,
    CTOCFlags,
)
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

from audiobook_tts.assemble.ffmpeg import run_ffmpeg
from audiobook_tts.assemble.model import BookTags
from audiobook_tts.ingest.book import Metadata

ITUNES = "----:com.apple.iTunes:"


# A Library of Congress subject heading is a topic and its subdivisions, the last of them the work's form
# when it is one of these: "Vampires -- Fiction", "Revenge -- Drama"
_FORMS = {
    "fiction", "juvenile fiction", "drama", "juvenile drama", "poetry", "juvenile poetry", "humor",
    "juvenile humor", "biography", "juvenile literature", "correspondence", "diaries", "sermons",
}  # fmt: skip
_SUBDIVISION = re.compile(r"\s*--\s*")


def genres(metadata: Metadata) -> list[str]:
    """What a library lists the book under: the publisher's own genres (Standard Ebooks' se:subject), else
    from the subject headings each one without subdivisions ("Fantasy fiction", "Economics") and each form
    that ends one ("Vampires -- Fiction" is Fiction), else the headings' topics ("Ethics -- Early works to
    1800" is Ethics). Every heading as a genre made Hamlet's genres "Fathers -- Death -- Drama" and six
    more, each a genre of its own in Audiobookshelf."""
    if metadata.genres:
        return _unique(metadata.genres)
    headings = [_SUBDIVISION.split(subject) for subject in metadata.subjects]
    found = [h[0] if len(h) == 1 else h[-1] for h in headings if len(h) == 1 or h[-1].lower() in _FORMS]
    return _unique(found or [h[0] for h in headings])


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.strip().casefold(), name.strip())
    return [name for name in seen.values() if name]


def book_tags(metadata: Metadata, narrator: str | None = None, **overrides: str | None) -> BookTags:
    """The book's own metadata as tags; `overrides` (series, series_part, ... from the profile or the command
    line) win where they are not None. With no genre found (`genres`), the genre is "Audiobook"."""
    tags = BookTags(
        title=metadata.title,
        subtitle=metadata.subtitle,
        authors=list(metadata.authors),
        narrator=narrator,
        date=metadata.date,
        language=metadata.language,
        description=metadata.description,
        genres=genres(metadata) or ["Audiobook"],
        publisher=metadata.publisher,
        series=metadata.series,
        series_part=metadata.series_index,
        isbn=metadata.isbn,
        asin=metadata.asin,
        copyright=metadata.rights,
        cover=metadata.cover.data if metadata.cover else None,
        cover_mime=metadata.cover.mime if metadata.cover else None,
    )
    changes: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    return dataclasses.replace(tags, **changes)


def iso639_2(language: str | None) -> str | None:
    """ "en-US", "en", "eng", "English" -> "eng"; the bibliographic code where one exists ("ger", as ID3 and
    MP4 players expect); None for what no standard names."""
    if not language:
        return None
    primary = re.split(r"[-_]", language.strip())[0].lower()
    found = None
    for key in ("alpha_2", "alpha_3", "bibliographic"):
        found = found or pycountry.languages.get(**{key: primary})
    if found is None:
        try:
            found = pycountry.languages.lookup(language.strip())
        except LookupError:
            return None
    return getattr(found, "bibliographic", None) or found.alpha_3


def publication_date(tags: BookTags) -> str | None:
    """The date as far as it is valid ISO 8601 ("2019-04-02T00:00:00Z" -> "2019-04-02"), else its year."""
    raw = tags.date or tags.year
    if not raw:
        return None
    match = re.match(r"\d{4}(-\d{2}(-\d{2})?)?", raw.strip())
    return match[0] if match else None


def sniff_image_mime(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


SVG_COVER_WIDTH = 1400  # pixels; the height keeps the picture's proportions


def cover_as_jpeg_or_png(tags: BookTags, ffmpeg: str) -> tuple[bytes, str] | None:
    """Players (and the MP4 covr atom) take JPEG or PNG only; anything else (GIF, WebP, SVG...) becomes JPEG.
    It is read from a file: from a pipe ffmpeg finds no picture in an SVG (Standard Ebooks' source covers)."""
    if not tags.cover:
        return None
    mime = sniff_image_mime(tags.cover)
    if mime is not None:
        return tags.cover, mime
    with tempfile.TemporaryDirectory(prefix="audiobook-tts-cover-") as folder:
        source = Path(folder) / "cover"
        source.write_bytes(tags.cover)
        # an SVG without a size would be drawn 100 pixels wide: at the width of a cover instead
        size = ["-width", str(SVG_COVER_WIDTH)] if b"<svg" in tags.cover[:4096] else []
        args = [*size, "-i", str(source), "-frames:v", "1", "-f", "mjpeg", "-q:v", "2", "pipe:1"]
        jpeg = run_ffmpeg(ffmpeg, args, what="the cover image")
    return jpeg, "image/jpeg"


def grouping(tags: BookTags) -> str | None:
    """ "Series #2": the form Audiobookshelf writes and reads back from the grouping tag."""
    if not tags.series:
        return None
    return f"{tags.series} #{tags.series_part}" if tags.series_part else tags.series


def _freeform(tags: BookTags) -> dict[str, str]:
    """Custom fields, named as Mp3tag writes them; Audiobookshelf matches the names case-insensitively."""
    fields = {
        "SUBTITLE": tags.subtitle,
        "PUBLISHER": tags.publisher,
        "SERIES": tags.series,
        "SERIES-PART": tags.series_part,
        "ISBN": tags.isbn,
        "ASIN": tags.asin,
        "LANGUAGE": iso639_2(tags.language),
    }
    return {name: value for name, value in fields.items() if value}


def tag_mp3(
    path: Path,
    tags: BookTags,
    chapter_title: str,
    track: int,
    track_count: int,
    cover: tuple[bytes, str] | None,
    duration_ms: int | None = None,
) -> None:
    """ID3v2.4; with `duration_ms`, also a table of contents (CTOC) holding the file's one chapter (CHAP)."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=chapter_title))
    id3.add(TALB(encoding=3, text=tags.title))
    if tags.subtitle:
        id3.add(TIT3(encoding=3, text=tags.subtitle))
    # Authors and genres as ONE joined value, not ID3v2.4's list: ffprobe (so Audiobookshelf) reads only the
    # first value of a list; Audiobookshelf splits names at "," and genres at ";".
    if tags.authors:
        id3.add(TPE1(encoding=3, text=", ".join(tags.authors)))
        id3.add(TPE2(encoding=3, text=", ".join(tags.authors)))
    if tags.narrator:
        id3.add(TCOM(encoding=3, text=tags.narrator))
        id3.add(TXXX(encoding=3, desc="NARRATOR", text=tags.narrator))
    id3.add(TRCK(encoding=3, text=f"{track}/{track_count}"))
    if date := publication_date(tags):
        id3.add(TDRC(encoding=3, text=date))
    id3.add(TCON(encoding=3, text="; ".join(tags.genres)))
    if language := iso639_2(tags.language):
        id3.add(TLAN(encoding=3, text=language))
    if tags.description:
        id3.add(COMM(encoding=3, lang=language or "eng", desc="", text=tags.description))
    if tags.publisher:
        id3.add(TPUB(encoding=3, text=tags.publisher))
    if tags.copyright:
        id3.add(TCOP(encoding=3, text=tags.copyright))
    if group := grouping(tags):
        id3.add(GRP1(encoding=3, text=group))
    for name, value in _freeform(tags).items():
        if name not in ("SUBTITLE", "PUBLISHER", "LANGUAGE"):  # TIT3, TPUB and TLAN carry these in ID3
            id3.add(TXXX(encoding=3, desc=name, text=value))
    if duration_ms is not None:
        id3.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=["ch0"],
                sub_frames=[TIT2(encoding=3, text=tags.title)],
            )
        )
        id3.add(
            CHAP(
                element_id="ch0",
                start_time=0,
                end_time=duration_ms,
                sub_frames=[TIT2(encoding=3, text=chapter_title)],
            )
        )
    if cover is not None:
        data, mime = cover
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=data))  # type 3: front cover
    id3.save(path, v2_version=4)


def tag_m4b(path: Path, tags: BookTags, cover: tuple[bytes, str] | None) -> None:
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    atoms = mp4.tags
    assert atoms is not None  # add_tags() above made them
    atoms["©nam"] = [tags.title]
    atoms["©alb"] = [tags.title]
    if tags.authors:
        atoms["©ART"] = [", ".join(tags.authors)]
        atoms["aART"] = [", ".join(tags.authors)]
    if tags.narrator:
        atoms["©wrt"] = [tags.narrator]
    if date := publication_date(tags):
        atoms["©day"] = [date]
    atoms["©gen"] = ["; ".join(tags.genres)]
    if tags.description:
        atoms["desc"] = [tags.description]
        atoms["ldes"] = [tags.description]
    if tags.publisher:
        atoms["©pub"] = [tags.publisher]
    if tags.copyright:
        atoms["cprt"] = [tags.copyright]
    if group := grouping(tags):
        atoms["©grp"] = [group]
    for name, value in _freeform(tags).items():
        atoms[ITUNES + name] = [MP4FreeForm(value.encode("utf-8"))]
    atoms["stik"] = [2]  # media kind: audiobook
    if cover is not None:
        data, mime = cover
        kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
        atoms["covr"] = [MP4Cover(data, imageformat=kind)]
    mp4.save()
