"""The job stage's single error type."""

from audiobook_tts.errors import UserError


class JobError(UserError):
    """A job directory that cannot be used: locked by another render, not a job, corrupt, or disk full."""
