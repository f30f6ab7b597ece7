"""Book tags with mutagen: ID3v2.4 on each chapter MP3, iTunes atoms on the M4B (stik=2: audiobook)."""

from __future__ import annotations

from pathlib import Path

from mutagen.id3 import APIC, COMM, ID3, TALB, TCOM, TCON, TDRC, TIT2, TLAN, TPE1, TPE2, TRCK, TXXX
from mutagen.mp4 import MP4, MP4Cover

from audiobook_tts.assemble.ffmpeg import run_ffmpeg
from audiobook_tts.assemble.model import BookTags


def sniff_image_mime(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def cover_as_jpeg_or_png(tags: BookTags, ffmpeg: str) -> tuple[bytes, str] | None:
    """Players (and the MP4 covr atom) take JPEG or PNG only; anything else (GIF, WebP...) becomes JPEG."""
    if not tags.cover:
        return None
    mime = sniff_image_mime(tags.cover)
    if mime is not None:
        return tags.cover, mime
    args = ["-f", "image2pipe", "-i", "pipe:0", "-frames:v", "1", "-f", "mjpeg", "-q:v", "2", "pipe:1"]
    jpeg = run_ffmpeg(ffmpeg, args, what="the cover image", stdin=tags.cover)
    return jpeg, "image/jpeg"


def tag_mp3(path: Path, tags: BookTags, chapter_title: str, track: int, track_count: int,
            cover: tuple[bytes, str] | None) -> None:
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=chapter_title))
    id3.add(TALB(encoding=3, text=tags.title))
    if tags.authors:
        id3.add(TPE1(encoding=3, text=tags.authors))
        id3.add(TPE2(encoding=3, text=tags.authors))
    if tags.narrator:
        id3.add(TCOM(encoding=3, text=tags.narrator))
        id3.add(TXXX(encoding=3, desc="narrator", text=tags.narrator))
    id3.add(TRCK(encoding=3, text=f"{track}/{track_count}"))
    if tags.year:
        id3.add(TDRC(encoding=3, text=tags.year))
    id3.add(TCON(encoding=3, text=tags.genre))
    if tags.language:
        id3.add(TLAN(encoding=3, text=tags.language))
    if tags.description:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.description))
    if cover is not None:
        data, mime = cover
        id3.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=data))  # type 3: front cover
    id3.save(path, v2_version=4)


def tag_m4b(path: Path, tags: BookTags, cover: tuple[bytes, str] | None) -> None:
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    atoms = mp4.tags
    atoms["©nam"] = [tags.title]
    atoms["©alb"] = [tags.title]
    if tags.authors:
        atoms["©ART"] = [", ".join(tags.authors)]
        atoms["aART"] = [", ".join(tags.authors)]
    if tags.narrator:
        atoms["©wrt"] = [tags.narrator]
    if tags.year:
        atoms["©day"] = [tags.year]
    atoms["©gen"] = [tags.genre]
    if tags.description:
        atoms["desc"] = [tags.description]
    if tags.language:
        atoms["----:com.apple.iTunes:LANGUAGE"] = [tags.language.encode("utf-8")]
    atoms["stik"] = [2]  # media kind: audiobook
    if cover is not None:
        data, mime = cover
        kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
        atoms["covr"] = [MP4Cover(data, imageformat=kind)]
    mp4.save()
