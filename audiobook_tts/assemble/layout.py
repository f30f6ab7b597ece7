"""An Audiobookshelf-ready folder: `Author/Series/Vol N - Title {Narrator}/` with its sidecar files.

Audiobookshelf's scanner (server/utils/scandir.js getBookDataFromDir) reads the last three folders of a
path as author / series / title, and takes from the title folder an `[ASIN]`, a `{Narrator}`, a leading
`Vol N - ` (only under a series folder) and a leading `YYYY - `. Beside the audio it reads `desc.txt`
(description), `reader.txt` (narrator, first line) and `metadata.json` (its own keys, which win over the
tags). One book's audio must be alone in its folder (every audio file there becomes a track), so the folder
gets the M4B when there is one, else the chapter MP3s; the other files stay where they were written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from audiobook_tts.assemble.chapters import safe_filename
from audiobook_tts.assemble.model import BookTags
from audiobook_tts.assemble.tags import publication_date, sniff_image_mime

# what travels with the audio into the book's folder (subtitles and the read-along EPUB)
_COMPANIONS = (".srt", ".vtt", ".epub")


def book_folder(tags: BookTags) -> Path:
    """The folder path, relative to the library root, that Audiobookshelf reads back as these tags."""
    author = safe_filename(", ".join(tags.authors), "Unknown Author")
    title = safe_filename(tags.title, "Audiobook")
    parts = [author]
    if tags.series:
        parts.append(safe_filename(tags.series, "Series"))
        if tags.series_part:
            title = f"Vol {tags.series_part} - {title}"
    if tags.narrator:
        title = f"{title} {{{safe_filename(tags.narrator, 'Narrator')}}}"
    return Path(*parts, title)


def metadata_json(tags: BookTags, chapters: list[tuple[str, float, float]]) -> dict:
    """Audiobookshelf's metadata.json (server/utils/generators/abmetadataGenerator.js keys)."""
    date = publication_date(tags)
    data = {
        "title": tags.title,
        "subtitle": tags.subtitle,
        "authors": list(tags.authors),
        "narrators": [name.strip() for name in (tags.narrator or "").split(",") if name.strip()],
        "series": [f"{tags.series} #{tags.series_part}" if tags.series_part else tags.series]
        if tags.series
        else [],
        "genres": list(tags.genres),
        "publishedYear": date[:4] if date else None,
        "publishedDate": date,
        "publisher": tags.publisher,
        "description": tags.description,
        "isbn": tags.isbn,
        "asin": tags.asin,
        "language": tags.language,
        "explicit": False,
        "abridged": False,
        "chapters": [
            {"id": index, "start": round(start, 3), "end": round(end, 3), "title": title}
            for index, (title, start, end) in enumerate(chapters)
        ],
    }
    return {key: value for key, value in data.items() if value is not None}


def _write_text(path: Path, text: str) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path


def arrange_for_audiobookshelf(
    library: Path, files: list[Path], tags: BookTags, chapters: list[tuple[str, float, float]]
) -> list[Path]:
    """Move the book's audio (and its subtitles and read-along EPUB) into its Audiobookshelf folder under
    `library` and write the sidecars; returns the list of files with the moved ones at their new place.

    `chapters` are (title, start seconds, end seconds) on the M4B's timeline, for metadata.json.
    """
    folder = library / book_folder(tags)
    folder.mkdir(parents=True, exist_ok=True)
    m4b = [path for path in files if path.suffix == ".m4b"]
    audio = m4b or [path for path in files if path.suffix == ".mp3"]
    stems = {path.stem for path in audio}
    moving = [path for path in files if path in audio or (path.suffix in _COMPANIONS and path.stem in stems)]
    if m4b:
        moving += [path for path in files if path.suffix == ".epub" and path not in moving]
    placed = {path: folder / path.name for path in moving}
    for source, target in placed.items():
        os.replace(source, target)
    written = [placed.get(path, path) for path in files]
    if tags.description:
        written.append(_write_text(folder / "desc.txt", tags.description + "\n"))
    if tags.narrator:
        written.append(_write_text(folder / "reader.txt", tags.narrator + "\n"))
    written.append(
        _write_text(
            folder / "metadata.json",
            json.dumps(metadata_json(tags, chapters), indent=2, ensure_ascii=False) + "\n",
        )
    )
    mime = sniff_image_mime(tags.cover) if tags.cover else None
    if tags.cover is not None and mime is not None:
        cover = folder / ("cover.jpg" if mime == "image/jpeg" else "cover.png")
        cover.write_bytes(tags.cover)
        written.append(cover)
    return written
