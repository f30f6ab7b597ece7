"""`render --cluster`: the plan's groups rendered by Ray actors, on this machine or across many.

Imported by book.py only when --cluster is given; Ray itself only inside the functions here, so a missing
Ray is one line naming the extra to install (`pip install "audiobook-tts[cluster]"`).

The driver (the render process) owns the job as in every render: it holds the job lock, plans, stores each
group's audio through the job's crash-safe store as the group's result arrives, and assembles. Actors never
touch the job folder, so the nodes share no filesystem with it:

    driver                                          Renderer actor (--actor-threads CPUs each)
    plan and voice states -> object store, once     load(): the model, once (the node's HF cache, or the
                                                            driver's files with --ship-model)
    each pending group -> an actor with room        render(group): render_groups into memory
    store the group's missing segments, progress    <- their PCM, and what render_groups reported per task

A group's audio does not depend on where it runs (groups.py): every actor renders with --actor-threads torch
threads, so the files equal those of a local render with --threads ACTOR_THREADS, byte for byte. An actor
that dies (killed, its node lost) has its groups queued again for the others, and a new actor takes its
place where the cluster has room; a driver that dies leaves a job that any later render resumes. Actors are
owned by their driver: Ray stops them when it goes, and Ctrl-C kills them at once.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audiobook_tts.errors import UserError
from audiobook_tts.jobs import Job
from audiobook_tts.render.engine import ENGINE_REVISION, ModelChoice, engine_model_id, load_engine
from audiobook_tts.render.groups import render_groups, skip_stored
from audiobook_tts.render.plan import RenderPlan
from audiobook_tts.render.progress import Tally
from audiobook_tts.render.types import ClusterOptions, Progress, RenderError, RenderEvent

if TYPE_CHECKING:
    import numpy as np

    from audiobook_tts.jobs.quality import Measures

GROUPS_PER_ACTOR = 2  # queued on each actor, so that the next group is there when one is done
WAIT_SECONDS = 1.0  # how often the driver looks up from waiting (Ctrl-C, the actors line)
CONNECT_SECONDS = 5.0  # a cluster address that accepts no connection within this is unreachable
INSTALL = 'pip install "audiobook-tts[cluster]"'


def import_ray():
    try:
        import ray
    except ImportError:
        raise RenderError(f"--cluster needs Ray, which is not installed: {INSTALL}") from None
    return ray


@dataclass(frozen=True)
class Shipped:
    """The driver's model files, for nodes that cannot reach the hub (--ship-model)."""

    files: dict[str, bytes]  # "config" (custom configs only), "weights", "tokenizer" -> contents
    names: dict[str, str]  # the same -> file name


@dataclass
class GroupResult:
    """What an actor sends back for one group: the store's input, never a file of the job."""

    number: int
    audio: dict[str, np.ndarray]  # key -> float32 samples, for the keys the job lacked
    quality: dict[str, Measures] = field(default_factory=dict)  # key -> its quality measures
    reports: list[tuple[int, float | None]] = field(default_factory=list)  # render_groups' on_stored calls
    compute_seconds: float = 0.0  # in render_groups: for benchmarks/cluster.py's overhead share


class _Held:
    """The job as an actor's render_groups sees it: keys stored by the driver, audio and quality measures
    kept in memory."""

    def __init__(self, stored: list[str]):
        self.stored = set(stored)
        self.audio: dict[str, np.ndarray] = {}
        self.quality: dict[str, Measures] = {}

    def has_audio(self, key: str) -> bool:
        return key in self.stored or key in self.audio

    def write_audio(self, key: str, samples) -> None:
        import numpy as np

        self.audio[key] = np.array(samples, dtype=np.float32)

    def record_quality(self, key: str, measures: Measures) -> None:
        self.quality[key] = measures


class Renderer:
    """A Ray actor: loads the model once, then renders whole groups of the plan into memory."""

    def __init__(
        self, choice: ModelChoice, model_id: str, revision: str, plan, voices, shipped, threads: int
    ):
        self.choice, self.model_id, self.revision = choice, model_id, revision
        self.plan: RenderPlan = plan
        self.voices: dict[str, bytes] = voices  # voice id -> the job's safetensors file
        self.shipped: Shipped | None = shipped
        self.threads = threads
        self.name = f"{socket.gethostname()} pid {os.getpid()}"

    def load(self) -> str:
        """Load the model and the voice states; returns this actor's name for the display."""
        import torch

        from audiobook_tts.tts.model import load_voice_state

        torch.set_num_threads(self.threads)
        if self.revision != ENGINE_REVISION:
            raise RenderError(
                f"node {socket.gethostname()} runs engine revision {ENGINE_REVISION}, the render "
                f"{self.revision}: install the same audiobook-tts version on every node"
            )
        # Shipped model files and the voices pass through a scratch folder; once they are in memory it
        # goes, or every render would leave a copy of the weights in the node's temp folder.
        with tempfile.TemporaryDirectory(prefix="audiobook-tts-actor-") as scratch:
            folder = Path(scratch)
            choice = self.choice if self.shipped is None else _unpack(self.shipped, self.choice, folder)
            try:
                self.engine = load_engine(choice)
            except UserError as error:
                raise RenderError(f"node {socket.gethostname()}: {error} (or use --ship-model)") from None
            if self.shipped is None and engine_model_id(self.engine, choice) != self.model_id:
                raise RenderError(
                    f"node {socket.gethostname()} has other model files than the render (another revision "
                    "in its Hugging Face cache?); give every node the same files, or use --ship-model"
                )
            self.states = {}
            for ident, data in self.voices.items():
                path = folder / f"{ident}.safetensors"
                path.write_bytes(data)
                self.states[ident] = load_voice_state(path)
        return self.name

    def render(self, number: int, stored: list[str]) -> GroupResult:
        """Group `number` rendered whole; `stored` are its keys the job has (their audio is not sent)."""
        held, result = _Held(stored), GroupResult(number, {})
        started = time.perf_counter()
        render_groups(
            held,
            self.engine,
            self.plan,
            [number],
            lambda index, seconds: result.reports.append((index, seconds)),
            states=self.states,
            threads=self.threads,
        )
        result.compute_seconds = time.perf_counter() - started
        result.audio, result.quality = held.audio, held.quality
        return result


def _unpack(shipped: Shipped, choice: ModelChoice, folder: Path) -> ModelChoice:
    paths = {}
    for what, data in shipped.files.items():
        paths[what] = folder / shipped.names[what]
        paths[what].write_bytes(data)
    config = str(paths["config"]) if "config" in paths else None
    model = None if config else choice.model
    return ModelChoice(model, config, str(paths["weights"]), str(paths["tokenizer"]), choice.quantize)


def ship(choice: ModelChoice) -> Shipped:
    """The model files the driver loaded, read for the object store."""
    from audiobook_tts.tts import hub, load_model_config, load_model_tokenizer

    config = load_model_config(choice.model, config=choice.config)
    tokenizer = load_model_tokenizer(config, choice.tokenizer).path
    if choice.weights is not None:
        weights = hub.resolve(choice.weights, what="model weights")
    elif config.weights_path is not None:  # (else the driver could not have loaded the model either)
        weights = hub.resolve_weights(config.weights_path, config.weights_path_without_voice_cloning).path
    else:
        raise RenderError("--ship-model: the model config names no weights; pass them with --weights FILE")
    paths = {"weights": Path(weights), "tokenizer": Path(tokenizer)}
    if choice.config is not None:
        paths["config"] = Path(hub.resolve(choice.config, what="model config"))
    return Shipped(
        {what: path.read_bytes() for what, path in paths.items()}, {w: p.name for w, p in paths.items()}
    )


# ---- the driver ----------------------------------------------------------------------------------------


def preflight(address: str) -> None:
    """What can fail before the model is loaded: no Ray, a malformed address, a cluster not reachable."""
    import_ray()
    if address != "ray":
        reachable(address if address != "auto" else _auto_address())


@contextmanager
def connected(ray, address: str) -> Iterator[None]:
    """Ray connected for the block: "ray" starts a Ray of this machine for the render; "auto" is the cluster
    this machine belongs to (RAY_ADDRESS, else the last `ray start`); HOST:PORT and ray://HOST:PORT name
    one. A cluster that cannot be reached is one line, before Ray would retry for minutes."""
    if address == "ray":
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the machine unasked
        target, extra = "local", {"include_dashboard": False}
    else:
        target, extra = address, {}
        preflight(address)  # again: the cluster may have gone while the render planned
    try:
        ray.init(address=target, log_to_driver=False, logging_level=logging.ERROR, **extra)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise RenderError(f"cannot connect to the Ray cluster at {address}: {error}") from None
    try:
        yield
    finally:
        ray.shutdown()


def _auto_address() -> str:
    """Where `ray.init(address="auto")` connects: RAY_ADDRESS, else the address file of the last `ray start`
    on this machine."""
    if os.environ.get("RAY_ADDRESS"):
        return os.environ["RAY_ADDRESS"]
    recorded = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"
    try:
        return recorded.read_text().strip()
    except OSError:
        raise RenderError(
            "--cluster auto: this machine belongs to no Ray cluster (no RAY_ADDRESS, no `ray start`); start "
            "one with `ray start --head`, or give its address: --cluster ray://HOST:10001"
        ) from None


def reachable(address: str) -> None:
    """Raise the one-line RenderError if nothing accepts a connection at `address` ([ray://]HOST:PORT)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise RenderError(
            f"--cluster {address}: give ray (a Ray of this machine), auto, HOST:PORT or ray://HOST:PORT"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise RenderError(
            f"cannot reach the Ray cluster at {address} ({reason}); is it running (`ray status` on its head)?"
        ) from None


def render_on_cluster(
    job: Job,
    choice: ModelChoice,
    model_id: str,
    plan: RenderPlan,
    tally: Tally,
    emit: Progress,
    cluster: ClusterOptions,
) -> list[str]:
    """Render the plan's pending groups on Ray actors, storing their audio here; returns warnings."""
    pending = skip_stored(job, plan, range(len(plan.groups)), tally.report)
    if not pending:
        return []
    ray = import_ray()
    with connected(ray, cluster.address):
        pool = _Pool(ray, job, plan, tally, emit, cluster)
        try:
            shipped = ship(choice) if cluster.ship_model else None
            voices = {ident: job.voice_path(ident).read_bytes() for ident in plan.voice_ids()}
            pool.shared = (ray.put(plan), ray.put(voices), ray.put(shipped))  # once per job, not per group
            pool.construct = (choice, model_id, ENGINE_REVISION)
            pool.run(deque(pending))
        finally:
            pool.stop()
    return pool.warnings


@dataclass
class _Seat:
    """One actor as the driver sees it."""

    handle: Any  # the actor's Ray handle
    name: str = ""  # set once loaded
    groups: dict[object, int] = field(default_factory=dict)  # result ref -> group number, in submission order


class _Pool:
    """The driver's actors: starts them, keeps each busy with up to GROUPS_PER_ACTOR groups, stores what
    comes back, requeues the groups of an actor that died and puts a new actor in its place."""

    def __init__(
        self, ray, job: Job, plan: RenderPlan, tally: Tally, emit: Progress, cluster: ClusterOptions
    ):
        self.ray, self.job, self.plan, self.tally, self.emit = ray, job, plan, tally, emit
        self.cluster = cluster
        self.shared: tuple = ()
        self.construct: tuple = ()
        self.seats: list[_Seat] = []
        self.loading: dict[object, _Seat] = {}  # load() ref -> its actor
        self.warnings: list[str] = []
        self.shown = ""  # the last actors line emitted

    def run(self, queue: deque[int]) -> None:
        cpus = int(self.ray.cluster_resources().get("CPU", 0))
        wanted = self.cluster.actors or max(1, cpus // self.cluster.actor_threads)
        self.spares = wanted  # replacements for actors that die, before the render gives up
        for _ in range(min(wanted, len(queue))):
            self.start_actor()
        while queue or any(seat.groups for seat in self.seats):
            room = 1 if self.loading else GROUPS_PER_ACTOR  # share the first groups with the actors to come
            for seat in self.seats:
                while queue and len(seat.groups) < room:
                    number = queue.popleft()
                    stored = [
                        self.plan.tasks[i].key
                        for i in self.plan.groups[number]
                        if self.job.has_audio(self.plan.tasks[i].key)
                    ]
                    seat.groups[seat.handle.render.remote(number, stored)] = number
            self.show()
            if not self.seats and not self.loading:
                raise RenderError(
                    f"every renderer actor died before the end ({'; '.join(self.warnings)}); "
                    "run the same command again to resume"
                )
            waiting = list(self.loading) + [ref for seat in self.seats for ref in seat.groups]
            ready, _ = self.ray.wait(waiting, num_returns=1, timeout=WAIT_SECONDS)
            for ref in ready:
                self.arrived(ref, queue)

    def start_actor(self) -> None:
        threads = self.cluster.actor_threads
        actor = self.ray.remote(Renderer).options(
            num_cpus=threads, memory=self.cluster.actor_memory, max_restarts=0
        )
        seat = _Seat(actor.remote(*self.construct, *self.shared, threads))
        self.loading[seat.handle.load.remote()] = seat

    def arrived(self, ref, queue: deque[int]) -> None:
        ray = self.ray
        if ref in self.loading:
            seat = self.loading.pop(ref)
            try:
                seat.name = ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError):
                self.lost(seat, queue)
                return
            except ray.exceptions.RayTaskError as error:
                raise _cause(error) from None
            self.seats.append(seat)
            return
        seat = next(s for s in self.seats if ref in s.groups)
        try:
            result: GroupResult = ray.get(ref)
        except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError):
            self.lost(seat, queue)
            return
        except ray.exceptions.RayTaskError as error:
            raise _cause(error) from None
        del seat.groups[ref]
        self.store(result)

    def store(self, result: GroupResult) -> None:
        """The group's audio and quality measures through the job's crash-safe store, then its progress."""
        for key, samples in result.audio.items():
            if not self.job.has_audio(key):
                self.job.write_audio(key, samples)
                self.job.record_quality(key, result.quality[key])
        for index, seconds in result.reports:
            self.tally.report(index, seconds)

    def lost(self, seat: _Seat, queue: deque[int]) -> None:
        """An actor died: its groups go back to the front of the queue, in order; another takes its place."""
        groups = list(seat.groups.values())
        queue.extendleft(reversed(groups))
        if seat in self.seats:
            self.seats.remove(seat)
        for ref in [ref for ref, loading in self.loading.items() if loading is seat]:
            del self.loading[ref]
        name = seat.name or "(loading its model)"
        self.warnings.append(
            f"renderer actor {name} died with {_groups(groups)} in flight; other actors rendered "
            + ("it again" if len(groups) == 1 else "them again")
            if groups
            else f"renderer actor {name} died"
        )
        if self.spares > 0 and queue:
            self.spares -= 1
            self.start_actor()

    def show(self) -> None:
        """The actors line of the progress display: each actor's groups in flight (numbered from 1)."""
        busy = "; ".join(
            f"{seat.name}: " + (_groups(list(seat.groups.values())) if seat.groups else "idle")
            for seat in self.seats
        )
        loading = f", {len(self.loading)} starting (room on the cluster, the model)" if self.loading else ""
        message = f"{len(self.seats)} actors{loading}" + (f"; in flight: {busy}" if busy else "")
        if message != self.shown:
            self.shown = message
            self.emit(RenderEvent("actors", message=message))

    def stop(self) -> None:
        """Kill the actors now (Ctrl-C, an error) rather than leave them to Ray's check on their owner."""
        for seat in self.seats + list(self.loading.values()):
            try:
                self.ray.kill(seat.handle)
            except Exception:  # already gone with its node
                pass


def _groups(numbers: list[int]) -> str:
    return ("group " if len(numbers) == 1 else "groups ") + ", ".join(str(n + 1) for n in numbers)


def _cause(error) -> BaseException:
    """The exception an actor raised (a UserError stays the one-line error it is)."""
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, UserError) else RuntimeError(f"a renderer actor failed:\n{error}")
