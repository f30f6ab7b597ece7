"""Text stage: a chapter's blocks become the exact segments the model speaks, each with the pause after it.

Public entry point: `prepare_chapter(chapter, count_tokens, options)`. This stage never imports tts/: the
model's token counter is handed in.
"""

from audiobook_tts.text.chapter import TextOptions, prepare_chapter
from audiobook_tts.text.pauses import PausePlan, TextError
from audiobook_tts.text.scripts import UnreadableText, unreadable_text
from audiobook_tts.text.segments import Segment

__all__ = [
    "PausePlan",
    "Segment",
    "TextError",
    "TextOptions",
    "UnreadableText",
    "prepare_chapter",
    "unreadable_text",
]
