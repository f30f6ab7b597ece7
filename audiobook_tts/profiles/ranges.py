"""Chapter ranges as users write them ("1-3, 7, 10-"): one reader for profiles and `render --chapters`."""

from __future__ import annotations

import re

from audiobook_tts.errors import UserError

RANGE = re.compile(r"\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*")
ALLOWED = "write chapter numbers from 1 as N, N-M or N- (to the end), separated by commas: '1-3, 7'"

Ranges = tuple[tuple[int, int | None], ...]  # (first, last or None = to the end)


class ChapterRangeError(UserError):
    """A chapter range that cannot be read; the message names what was written and how to write it."""


def parse_ranges(value: str, what: str) -> Ranges:
    """ "1-3, 7, 10-" -> ((1, 3), (7, 7), (10, None)); ChapterRangeError naming `what` otherwise."""
    out = []
    for part in value.split(","):
        match = RANGE.fullmatch(part)
        if not match:
            raise ChapterRangeError(f"{what} {value!r}: cannot read {part.strip()!r}; {ALLOWED}")
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        if low < 1:
            raise ChapterRangeError(f"{what} {value!r}: chapter numbers start at 1; {ALLOWED}")
        if high is not None and high < low:
            raise ChapterRangeError(
                f"{what} {value!r}: {part.strip()!r} runs backwards; write it as {high}-{low}"
            )
        out.append((low, high))
    return tuple(out)


def in_ranges(number: int, ranges: Ranges) -> bool:
    return any(low <= number and (high is None or number <= high) for low, high in ranges)
