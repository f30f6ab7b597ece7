"""The assembly stage's single error type."""

from audiobook_tts.errors import UserError


class AssembleError(UserError):
    """ffmpeg missing or failing, an output that cannot be written, a full disk; one readable line."""
