"""`python -m audiobook_tts.studio.rerender OUT [BOOK OPTIONS]`: the job in OUT rendered again as it was
first rendered (or for the first time: BOOK with OPTIONS, a RenderOptions as JSON).

The render reads the job's fixes into its plan, so only the segments a fix touched get new keys and are
generated; every other segment is found stored, and the book is assembled again. Started by tasks.Renders;
reports to OUT/.audiobook-tts/studio-task.json.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import source as source_table
from audiobook_tts.jobs.job import read_only
from audiobook_tts.jobs.source import decode_options
from audiobook_tts.render import RenderEvent, RenderOptions, render_book
from audiobook_tts.studio.tasks import LOG_FILE, write_task

REPORT_EVERY = 0.5  # seconds between progress reports


class Reporter:
    def __init__(self, folder: Path):
        self.folder, self.last = folder, 0.0
        self.stored = False  # every segment: the chapters assembled beside the render do not count before

    def __call__(self, event: RenderEvent) -> None:
        self.stored |= event.kind == "segment" and event.done == event.total
        if event.kind == "load":  # the book, the model, a voice, the plan: seconds each on a long book
            write_task(self.folder, "running", f"loading {event.message}")
        elif event.kind == "assemble" and self.stored:
            write_task(self.folder, "running", "assembling the book")
        elif event.kind == "segment" and time.monotonic() - self.last > REPORT_EVERY:
            self.last = time.monotonic()
            write_task(self.folder, "running", f"rendering: {event.done}/{event.total} segments ready")


def rerender(folder: Path, book: str | None = None, options: str | None = None) -> str:
    """Render the job in `folder` again from its recorded book and options (or these, for a new job);
    returns a summary line."""
    if book is None or options is None:
        db = read_only(folder)
        try:
            source = source_table.load(db)
        finally:
            db.close()
        recorded_book, recorded_options = source.get("book"), source.get("options")
        book = recorded_book if isinstance(recorded_book, str) else None
        options = recorded_options if isinstance(recorded_options, str) else None
    if book is None or options is None:
        raise UserError(
            f"{folder} was rendered before renders recorded their book and options: render it once more "
            "with `audiobook-tts render`, then the studio can render it"
        )
    recorded = decode_options(RenderOptions, options)
    result = render_book(
        Path(book), dataclasses.replace(recorded, out_dir=folder, fresh=False), Reporter(folder)
    )
    counts = f"{result.rendered} segment{'s' * (result.rendered != 1)} rendered, {result.reused} reused"
    return f"done: {counts}, {len(result.files)} files written"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]).resolve()
    try:
        write_task(folder, "done", rerender(folder, *argv[1:3]))
    except UserError as error:
        write_task(folder, "failed", str(error))
        return 1
    except BaseException as error:
        write_task(
            folder, "failed", f"the render failed unexpectedly ({error!r}); see .audiobook-tts/{LOG_FILE}"
        )
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
