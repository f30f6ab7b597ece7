"""Assembly: rendered chapter audio in, loudness-normalised and tagged MP3 per chapter and one M4B out."""

from audiobook_tts.assemble.assemble import assemble
from audiobook_tts.assemble.errors import AssembleError
from audiobook_tts.assemble.model import AssembleOptions, AssembleResult, AudioPiece, BookTags, ChapterAudio

__all__ = [
    "AssembleError",
    "AssembleOptions",
    "AssembleResult",
    "AudioPiece",
    "BookTags",
    "ChapterAudio",
    "assemble",
]
