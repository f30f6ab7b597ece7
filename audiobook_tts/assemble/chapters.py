"""Chapter marks for the M4B (an FFMETADATA file ffmpeg turns into a QuickTime chapter track and a Nero chpl)
and file names for the outputs."""

from __future__ import annotations

import re
import unicodedata

RESERVED = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')  # path separators and what Windows/macOS refuse in names
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10))}


def safe_filename(name: str, fallback: str, max_bytes: int = 150) -> str:
    """A file name stem every OS accepts: no separators or reserved characters, no leading/trailing dots."""
    name = unicodedata.normalize("NFC", name)
    name = RESERVED.sub(" ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    # file systems count bytes (255 at most, with room left for "01 - ", ".partial" and a suffix)
    name = name.encode("utf-8")[:max_bytes].decode("utf-8", "ignore").rstrip(" .")
    if not name or name.lower() in WINDOWS_DEVICES:
        return fallback
    return name


def chapter_file_stems(titles: list[str]) -> list[str]:
    """`01 - Title` stems, numbered wide enough for the chapter count, unique even if titles repeat."""
    width = max(2, len(str(len(titles))))
    return [
        f"{number:0{width}d} - {safe_filename(title, f'Chapter {number}')}"
        for number, title in enumerate(titles, start=1)
    ]


def _escape(value: str) -> str:
    # FFMETADATA escapes '=', ';', '#', '\' and newline with a backslash
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def ffmetadata(titles: list[str], starts: list[int], total: int, sample_rate: int) -> str:
    """Chapters in the book's own sample time base, so every mark is exact in samples."""
    lines = [";FFMETADATA1"]
    ends = [*starts[1:], total]
    for title, start, end in zip(titles, starts, ends, strict=True):
        lines += [
            "[CHAPTER]",
            f"TIMEBASE=1/{sample_rate}",
            f"START={start}",
            f"END={end}",
            f"title={_escape(title)}",
        ]
    return "\n".join(lines) + "\n"
