"""The engine's single error type."""

from audiobook_tts.errors import UserError


class ModelError(UserError):
    """A model file, config, voice or request the engine cannot use; the message says what, where, fix."""
