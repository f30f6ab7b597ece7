"""`render --workers N`: the plan's groups shared out to N worker processes, each rendering with groups.py.

The render process keeps the job lock (a second render of the job is still refused), plans, lists the groups
not yet stored as claims in the job's index (jobs/claims.py) and starts the workers, handing each the plan.
Each worker loads the same model, reads the voice states from the job, then claims whole groups of the plan
one after another and renders each with `render_groups`, exactly as a one-process render does, writing the
missing keys it owns through the job's atomic store. A segment's audio therefore does not depend
on which worker rendered it: with --threads T each worker uses max(1, T // N) torch threads, and the files
equal those of `--workers 1 --threads max(1, T // N)` byte for byte (tests/render/test_workers.py).

Workers report every stored segment through their own pipe (one per worker: a worker killed mid-message
can only break its own pipe, where a shared queue's lock would hang the others); the render turns the
reports into progress events, raises the first error a worker reports (the same one-line error a one-process
render gives) and assembles when the last group is done. A worker that dies without a word (killed) leaves
its claim to the others (claims.py) and a warning.

Workers are processes of multiprocessing's "spawn" context: a fresh interpreter, because forking a process
that has run torch (OpenMP thread pools) and holds SQLite connections and the job's flock is unsafe; the
context also gives pickled arguments, pipes and a way to wait on all of them at once. Workers ignore Ctrl-C
(the render stops them) and exit within a quarter second once their render is gone, kill -9 included.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import cast

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import Job
from audiobook_tts.jobs.claims import WorkerLock
from audiobook_tts.render.engine import ModelChoice, engine_model_id, load_engine
from audiobook_tts.render.groups import render_groups, skip_stored
from audiobook_tts.render.plan import RenderPlan
from audiobook_tts.render.progress import Tally
from audiobook_tts.render.types import RenderError
from audiobook_tts.render.voices import job_states

PARENT_CHECK_SECONDS = 0.25  # how often a worker looks whether its render still exists
IDLE_SECONDS = 0.2  # how often an idle worker looks for a group that came free (its holder died)


@dataclass(frozen=True)
class WorkerTask:
    out_dir: Path
    model: ModelChoice
    model_id: str  # what the render computed; a worker loading anything else refuses to go on
    plan: RenderPlan
    threads: int  # torch threads of this worker
    parent: int  # the render's pid


def worker_threads(threads: int, workers: int) -> int:
    """Each worker's share of the render's torch threads."""
    return max(1, threads // workers)


def render_with_workers(
    job: Job, model: ModelChoice, model_id: str, plan: RenderPlan, tally: Tally, *, workers: int, threads: int
) -> list[str]:
    """Render the plan's groups in `workers` processes sharing `threads`; returns warnings."""
    pending = skip_stored(job, plan, range(len(plan.groups)), tally.report)
    if not pending:
        return []
    job.reset_claims(pending)

    share = worker_threads(threads, workers)
    task = WorkerTask(job.directory.parent, model, model_id, plan, share, os.getpid())
    context = multiprocessing.get_context("spawn")
    processes = []
    links = {}  # our end of each worker's pipe -> the worker
    deaths = []  # how each worker that exited without finishing ended
    try:
        for _ in range(min(workers, len(pending))):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(task, sender), name="audiobook-tts-worker")
            with _ctrl_c_ignored():
                process.start()
            sender.close()  # the worker holds the only write end: its exit is our end-of-file
            processes.append(process)
            links[receiver] = process
        while links:
            for ready in wait(list(links)):
                receiver = cast(Connection, ready)  # wait() returns some of the objects it was given
                try:
                    message = receiver.recv()
                except (EOFError, OSError):  # the worker is gone
                    receiver.close()
                    process = links.pop(receiver)
                    process.join()
                    if process.exitcode:  # joined: its exit code is set, 0 if it finished
                        deaths.append(f"render worker {process.pid} {_ending(process.exitcode)}")
                    continue
                if message[0] == "stored":
                    tally.report(message[1], message[2])
                elif message[0] == "error":
                    raise message[1] from None
                elif message[0] == "crash":
                    raise RuntimeError(f"a render worker failed:\n{message[1]}")
        if job.unfinished_groups():
            raise RenderError(
                f"every render worker stopped before the end ({'; '.join(deaths) or 'without an error'}); "
                "run the same command again to resume"
            )
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
    return [f"{death}; the other workers took over its segments" for death in deaths]


def _ending(exitcode: int) -> str:
    if exitcode < 0:
        return f"was killed ({signal.Signals(-exitcode).name})"
    return f"exited with code {exitcode}"


@contextmanager
def _ctrl_c_ignored():
    """Start workers ignoring Ctrl-C from their first instant (an ignored signal stays ignored through exec):
    the terminal sends it to the render too, which decides and stops them. (Only the main thread may.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _work(task: WorkerTask, sender) -> None:
    """A worker process: claim groups, render them, report every stored segment, until none is left."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # already so, unless started from another thread
    # The render stops its workers with SIGTERM: unwind, so that a write in progress removes its temp file.
    signal.signal(signal.SIGTERM, _unwind_on_sigterm)
    sys.unraisablehook = _quiet_unwinding
    try:
        job = Job.open_for_worker(task.out_dir)
        try:
            with WorkerLock.acquire(job.directory) as me:
                # The render may have died before our lock existed, and a new render may then have started
                # without seeing us (claims.py): only now is checking our parent conclusive.
                if os.getppid() != task.parent:
                    return
                threading.Thread(target=_exit_with, args=(task.parent,), daemon=True).start()
                _claim_and_render(job, task, me.name, lambda *message: _send(sender, message))
        finally:
            job.close()
    except UserError as error:
        _send(sender, ("error", error))
    except Exception:
        _send(sender, ("crash", traceback.format_exc()))


def _unwind_on_sigterm(number: int, frame: object) -> None:
    """Unwind once: a second SIGTERM while unwinding (closing the batch generator, say) would interrupt the
    cleanup and print a traceback of its own."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(128 + number)


def _quiet_unwinding(unraisable) -> None:
    """Python prints what a finalizer raises; our SIGTERM's SystemExit may land in one (the batch generator
    closing while the worker already unwinds from an error). The worker is ending anyway: say nothing."""
    if not isinstance(unraisable.exc_value, SystemExit):
        sys.__unraisablehook__(unraisable)


def _send(sender, message: tuple) -> None:
    try:
        sender.send(message)
    except OSError:  # the pipe is broken: our render is gone, nobody is listening
        os._exit(1)


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # orphaned: stop now; what we stored is complete, the next render redoes the rest


def _claim_and_render(job: Job, task: WorkerTask, name: str, send) -> None:
    engine = load_engine(task.model)
    if engine_model_id(engine, task.model) != task.model_id:
        raise RenderError("the model files changed while the render started its workers; run it again")
    states = job_states(job, task.plan.voice_ids())
    while True:
        number = job.claim_group(name)
        if number is None:
            if job.unfinished_groups() == 0:
                return
            time.sleep(IDLE_SECONDS)  # the rest is held by live workers, unless one of them dies
            continue
        render_groups(
            job,
            engine,
            task.plan,
            [number],
            lambda index, seconds: send("stored", index, seconds),
            states=states,
            threads=task.threads,
        )
        job.finish_group(number)
