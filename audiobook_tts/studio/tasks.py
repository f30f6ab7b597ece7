"""Renders the studio starts: each a separate process (`python -m audiobook_tts.studio.rerender OUT`).

The process is started in a session of its own, so it finishes whether the browser tab is closed or the
server stopped; it takes the job's lock like any render, so the studio never renders a job a CLI render
holds, and the pages show the job read-only while the lock is held. It reports a line for the pages in
OUT/.audiobook-tts/studio-task.json ({"state": "running" | "done" | "failed", "message": ...}) and its
output in OUT/.audiobook-tts/studio-render.log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audiobook_tts.jobs.job import JOB_DIRNAME
from audiobook_tts.jobs.store import write_atomic

TASK_FILE = "studio-task.json"
LOG_FILE = "studio-render.log"


def write_task(folder: Path, state: str, message: str) -> None:
    data = json.dumps({"state": state, "message": message, "pid": os.getpid()}).encode()
    write_atomic(Path(folder) / JOB_DIRNAME / TASK_FILE, data)


def read_task(folder: Path) -> dict | None:
    """The last studio render's report, or None if the studio never rendered this job."""
    try:
        return json.loads((Path(folder) / JOB_DIRNAME / TASK_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


class Renders:
    """The render processes this server started, by job folder."""

    def __init__(self) -> None:
        self.processes: dict[Path, subprocess.Popen] = {}

    def running(self, folder: Path) -> bool:
        process = self.processes.get(folder)
        return process is not None and process.poll() is None

    def start(self, folder: Path, book: Path | None = None, options: str | None = None) -> None:
        """Render the job in `folder` in the background: again as it was rendered (its fixes applied), or
        for a new job, `book` with `options` (encoded by jobs.source.encode_options)."""
        write_task(folder, "running", "starting the render")
        command = [sys.executable, "-m", "audiobook_tts.studio.rerender", str(folder)]
        if book is not None and options is not None:
            command += [str(book), options]
        with open(folder / JOB_DIRNAME / LOG_FILE, "ab") as log:
            self.processes[folder] = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def reap(self) -> None:
        """Collect the exit status of finished processes (no zombies left behind)."""
        for folder, process in list(self.processes.items()):
            if process.poll() is not None:
                del self.processes[folder]
