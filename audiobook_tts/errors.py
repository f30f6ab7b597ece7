"""The one base class for errors a user can act on.

Each stage raises its own subclass (BookError, ProfileError, ModelError, ...) with a message that says
what is wrong, where, and how to fix it. The CLI prints that message as one line and exits non-zero;
anything else escaping is a bug.
"""


class UserError(Exception):
    """An error caused by input or environment, with a message meant for the user."""


def no_space_message(path: object, reason: str = "No space left on device") -> str:
    """The line every stage prints when the disk is full: the file, and that nothing is lost."""
    return f"cannot write {path}: {reason}; free some space and run again, the render resumes"
