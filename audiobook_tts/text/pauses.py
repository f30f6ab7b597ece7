"""How long the silence after each spoken piece lasts, and the inline `[pause...]` markup of all formats.

The model itself leaves roughly a tenth of a second of trailing silence after each utterance, so these values
are the silence *added* after it. A listener's rhythm: a beat between sentences, a breath between paragraphs,
a clear gap around chapter titles and scene breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audiobook_tts.errors import UserError


class TextError(UserError):
    """Book text that cannot be prepared for speech (e.g. a pause marker we cannot read)."""


@dataclass
class PausePlan:
    """Seconds of silence after each kind of boundary."""

    sentence: float = 0.25
    clause: float = 0.1  # a long sentence split within the budget
    paragraph: float = 0.7
    heading: float = 0.9  # a heading inside the chapter (not its title)
    list_item: float = 0.45
    verse_line: float = 0.4  # the end of a stanza is a paragraph
    scene_break: float = 2.0
    title: float = 1.2  # after the spoken chapter title
    chapter_end: float = 2.5


# SSML <break strength="..."> names, in seconds.
STRENGTHS = {"none": 0.0, "x-weak": 0.1, "weak": 0.25, "medium": 0.5, "strong": 1.0, "x-strong": 2.0}
DEFAULT_MARKER = STRENGTHS["medium"]
MAX_MARKER = 60.0  # longer is a typo, not a pause

PAUSE_MARKER = re.compile(r"\[pause(?:\s*:\s*([^\]]*))?\]", re.IGNORECASE)


def marker_seconds(value: str | None) -> float:
    """`None` (plain [pause]) -> medium; "1.5s", "1.5", "800ms" or a strength name -> seconds."""
    if value is None or not value.strip():
        return DEFAULT_MARKER
    value = value.strip().lower()
    if value in STRENGTHS:
        return STRENGTHS[value]
    match = re.fullmatch(r"(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?", value)
    if not match:
        raise TextError(
            f"cannot read the pause marker [pause:{value}]: write [pause], [pause:1.5s], [pause:800ms] or "
            f"[pause:<strength>] with a strength of {', '.join(STRENGTHS)}"
        )
    seconds = float(match[1]) / (1000 if match[2] == "ms" else 1)
    if seconds > MAX_MARKER:
        raise TextError(
            f"the pause marker [pause:{value}] asks for more than {MAX_MARKER:.0f} seconds of silence"
        )
    return seconds


def split_on_markers(text: str) -> list[tuple[str, float | None]]:
    """Cut text at pause markers: [(text before the marker, its pause), ..., (the rest, None)].

    Pieces may be empty (a marker at the start, or two in a row); their pauses still count.
    """
    pieces: list[tuple[str, float | None]] = []
    start = 0
    for match in PAUSE_MARKER.finditer(text):
        pieces.append((text[start : match.start()], marker_seconds(match[1])))
        start = match.end()
    pieces.append((text[start:], None))
    return pieces
