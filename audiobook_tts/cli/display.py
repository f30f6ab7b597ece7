"""The render's progress on the terminal: a rich progress display, JSON lines, or nothing (quiet)."""

from __future__ import annotations

import json

import typer
from rich.console import Console

from audiobook_tts.cli.app import hms


class RenderDisplay:
    """Turns render events into a rich progress display, JSON lines, or nothing (quiet)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.console = Console(stderr=True)
        self.progress = None
        self.started = None

    def __call__(self, event) -> None:
        import dataclasses
        import time

        if self.mode == "json":
            typer.echo(json.dumps(dataclasses.asdict(event), ensure_ascii=False))
            return
        if self.mode == "quiet":
            return
        if event.kind == "note":
            self.console.print(f"note: {event.message}", markup=False, highlight=False)
        elif event.kind == "voice":
            self.console.print(
                f"[dim]voice {event.message} (from chapter {event.chapter})[/dim]", highlight=False
            )
        elif event.kind == "plan":
            self.started = time.perf_counter()
            self.start(event.total)
        elif event.kind == "segment":
            elapsed = time.perf_counter() - self.started
            rtf = event.audio_seconds / elapsed if elapsed > 0 else 0.0
            self.progress.update(
                self.book_task,
                completed=event.done,
                info=f"{hms(event.audio_seconds)} audio, {rtf:.1f}x real time",
            )
            self.progress.update(
                self.chapter_task,
                completed=event.chapter_done,
                total=event.chapter_total,
                description=f"ch. {event.chapter}: {event.chapter_title[:30]}",
            )
        elif event.kind == "assemble":
            self.stop()
            self.console.print(event.message + " ...")

    def start(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("segments"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
        )
        self.progress.start()
        self.book_task = self.progress.add_task("book", total=total, info="")
        self.chapter_task = self.progress.add_task("chapter", total=1, info="")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
