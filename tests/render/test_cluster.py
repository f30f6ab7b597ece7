"""`render --cluster` on a real Ray cluster: a head node on loopback (tests/fixtures/ray_cluster.py), real
actors running the tiny random-weight model, real kills, ffmpeg and files.

The example book has 22 segments: at --batch-size 2 that is three groups (8, 8, 6) for the actors. Every
cluster render must equal, byte for byte, a local render at the same batch size and --threads 1 (each actor
renders with 1 thread). The tests on the head are slow ones (`pytest -m slow`, run by .ci/run).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from audiobook_tts.render import RenderOptions, render_book
from audiobook_tts.render.types import ClusterOptions
from tests.fixtures.ray_cluster import LOOPBACK, RayHead, ray_head, stop
from tests.render.test_render_book import EXAMPLE_EPUB, FAST, ROOT, cli_args, outputs

if (
    importlib.util.find_spec("ray") is None
):  # not imported here: Ray must first see LOOPBACK (the head fixture)
    pytest.skip('Ray is not installed: pip install "audiobook-tts[cluster]"', allow_module_level=True)

BATCH = ["--batch-size", "2"]
ACTOR_MEMORY = 256 * 1024**2  # the tiny model needs little; the head has ~15 GB to hand out
AUDIO = Path(".audiobook-tts") / "audio"


@pytest.fixture(scope="module")
def head(small_hub_files) -> RayHead:
    """A 2-CPU head for the module. Its actors import this checkout and find `english_2m_2026-10` in their
    node's Hugging Face cache; this process talks to it over loopback."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "HF_HUB_CACHE": str(small_hub_files.cache_dir),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LOOPBACK.items():
            patch.setenv(name, value)
        with ray_head(num_cpus=2, env=env) as running:
            yield running


@pytest.fixture(scope="module")
def reference(tiny_checkpoint, voice_wav, tmp_path_factory) -> Path:
    """The example book rendered locally at --batch-size 2 --threads 1."""
    out = tmp_path_factory.mktemp("reference") / "out"
    options = RenderOptions(
        out_dir=out,
        config=str(tiny_checkpoint[0]),
        voice=str(voice_wav),
        generation=FAST,
        batch_size=2,
        threads=1,
    )
    assert render_book(EXAMPLE_EPUB, options).rendered == 22
    return out


def audio_files(out_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out_dir / AUDIO).glob("*.f32"))}


def stored(out_dir: Path) -> int:
    return len(list((out_dir / AUDIO).glob("*.f32"))) if (out_dir / AUDIO).is_dir() else 0


def renderers(head: RayHead) -> set[int]:
    """Pids of the head's renderer actors (Ray names an actor's process after its class)."""
    found = set()
    for pid in head.processes():
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::Renderer"):
                found.add(pid)
        except OSError:  # exited meanwhile
            pass
    return found


def cpu_ticks(pid: int) -> int:
    """A process's user and system CPU time so far, in clock ticks (/proc/PID/stat's 14th and 15th)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_until_loaded(head: RayHead, count: int, seconds: float = 120) -> None:
    """Until `count` renderer actors sit idle, their model loaded and no group yet: called from the render's
    first progress event, which comes before any group is handed out, so each actor then gets its share."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = renderers(head)
        if len(pids) == count:
            try:
                before = {pid: cpu_ticks(pid) for pid in pids}
                time.sleep(1.0)
                if all(cpu_ticks(pid) - ticks <= 2 for pid, ticks in before.items()):
                    return
            except OSError:  # one exited meanwhile
                pass
        time.sleep(0.1)
    raise AssertionError(f"{count} renderer actors did not load within {seconds} s: {renderers(head)}")


def wait_until_gone(head: RayHead, seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while (left := renderers(head)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.slow  # a Ray head and whole-book renders
def test_two_actors_give_the_same_bytes_as_a_local_render(
    tiny_checkpoint, voice_wav, tmp_path, head, reference
):
    out = tmp_path / "out"
    cluster = ClusterOptions(head.address, actor_threads=1, actor_memory=ACTOR_MEMORY)
    options = RenderOptions(
        out_dir=out, config=str(tiny_checkpoint[0]), voice=str(voice_wav), generation=FAST, batch_size=2,
        cluster=cluster,
    )  # fmt: skip
    events = []

    def progress(event) -> None:
        if event.kind == "actors" and not any(e.kind == "actors" for e in events):
            wait_until_loaded(head, 2)  # or the first actor can render the tiny book before the second loads
        events.append(event)

    result = render_book(EXAMPLE_EPUB, options, progress)
    assert result.rendered == 22 and result.reused == 0
    assert not [w for w in result.warnings if "LUFS" not in w]  # (random-weight audio may miss loudness)
    assert outputs(out) == outputs(reference)  # the MP3s and the M4B
    assert audio_files(out) == audio_files(reference)  # every segment's samples
    assert [e.done for e in events if e.kind == "segment"] == list(range(1, 23))
    in_flight = [e.message for e in events if e.kind == "actors"]
    assert any(m.startswith("2 actors") and m.count(": group") == 2 for m in in_flight), in_flight
    assert wait_until_gone(head, 30) == set()  # the render's actors end with it
    again = render_book(EXAMPLE_EPUB, options)
    assert again.rendered == 0 and again.reused == 22  # resumes: everything found, no actor started


def render_command(tiny_checkpoint, voice_wav, out: Path, *extra: str) -> list[str]:
    return cli_args(tiny_checkpoint, voice_wav, EXAMPLE_EPUB, out) + BATCH + list(extra)


@pytest.mark.slow  # a Ray head and whole-book renders
def test_a_killed_actor_has_its_groups_rendered_again_with_the_same_bytes(
    tiny_checkpoint, voice_wav, tmp_path, head, reference
):
    out = tmp_path / "out"
    args = render_command(tiny_checkpoint, voice_wav, out, "--cluster", head.address, "--json")
    args.remove("--quiet")  # --json: the progress events, the actors' groups in flight among them
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = None
    for line in process.stdout:
        event = json.loads(line)
        if event["kind"] == "actors" and event["message"].startswith("2 actors"):
            # Kill the actor holding two groups: it is rendering one, the other waits behind it.
            busy = re.search(r"pid (\d+): groups \d+, \d+", event["message"])
            if busy:
                victim = int(busy[1])
                os.kill(victim, signal.SIGKILL)
                break
    stdout, stderr = process.communicate(timeout=300)
    assert victim is not None and process.returncode == 0, stderr
    # one warning of the cluster's own (random-weight audio may add loudness ones, as in a local render)
    (warning,) = [line for line in stderr.strip().splitlines() if "LUFS" not in line]
    assert re.fullmatch(
        rf"warning: renderer actor \S+ pid {victim} died with groups? [\d, ]+ in flight; other actors "
        "rendered (it|them) again",
        warning,
    ), warning
    assert outputs(out) == outputs(reference)
    assert audio_files(out) == audio_files(reference)


@pytest.mark.slow  # a Ray head and whole-book renders
def test_a_killed_driver_leaves_a_job_that_a_plain_render_resumes(
    tiny_checkpoint, voice_wav, tmp_path, head, reference
):
    out = tmp_path / "out"
    process = subprocess.Popen(render_command(tiny_checkpoint, voice_wav, out, "--cluster", head.address))
    while process.poll() is None and not (len(renderers(head)) == 2 and stored(out) > 0):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert 0 < stored(out) < 22
    assert wait_until_gone(head, 60) == set(), "Ray stops the actors of a driver that died"
    again = subprocess.run(render_command(tiny_checkpoint, voice_wav, out, "--threads", "1"), timeout=300)
    assert again.returncode == 0
    assert outputs(out) == outputs(reference)
    assert audio_files(out) == audio_files(reference)


@pytest.mark.slow  # a Ray head and whole-book renders
def test_ctrl_c_stops_the_actors_at_once(tiny_checkpoint, voice_wav, tmp_path, head):
    out = tmp_path / "out"
    # A session of its own, so that the Ctrl-C goes to the render as a terminal would send it.
    process = subprocess.Popen(
        render_command(tiny_checkpoint, voice_wav, out, "--cluster", head.address),
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    while process.poll() is None and len(renderers(head)) < 2:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130, stderr
    assert stderr.strip() == "interrupted: finished segments are kept; run the same command again to resume"
    assert wait_until_gone(head, 2) == set()  # killed by the render, not left to Ray's owner check


@pytest.mark.slow  # a Ray head and whole-book renders
def test_the_model_from_each_nodes_hub_cache_or_shipped_gives_the_same_bytes(small_hub, tmp_path, head):
    """A catalogue model at its pinned revision: the actors find it in their node's Hugging Face cache (the
    head's HF_HUB_CACHE), or receive this process's files through the object store (--ship-model)."""

    def render(name: str, **changes):
        options = RenderOptions(
            out_dir=tmp_path / name, model="english_2m_2026-10", voice="alba", generation=FAST, batch_size=2,
            chapters="1", **changes,
        )  # fmt: skip
        return render_book(EXAMPLE_EPUB, options)

    def scratch_folders() -> set[Path]:  # the actors' own, for the shipped files and the voices
        return set(Path(tempfile.gettempdir()).glob("audiobook-tts-actor-*"))

    local = render("local", threads=1)
    before = scratch_folders()
    for name, ship_model in (("node-cache", False), ("shipped", True)):
        cluster = ClusterOptions(head.address, actor_memory=ACTOR_MEMORY, ship_model=ship_model)
        result = render(name, cluster=cluster)
        assert result.rendered == local.rendered > 0 and result.warnings == local.warnings
        assert outputs(tmp_path / name) == outputs(tmp_path / "local")
        assert audio_files(tmp_path / name) == audio_files(tmp_path / "local")
    assert scratch_folders() <= before  # nothing of the model is left on the node


@pytest.mark.parametrize(
    "address, message",
    [
        (
            "nowhere",
            "--cluster nowhere: give ray (a Ray of this machine), auto, HOST:PORT or ray://HOST:PORT",
        ),
        (
            "ray://host",
            "--cluster ray://host: give ray (a Ray of this machine), auto, HOST:PORT or ray://HOST:PORT",
        ),
    ],
)
def test_a_malformed_address_is_one_line(tiny_checkpoint, voice_wav, tmp_path, address, message):
    failed = subprocess.run(
        render_command(tiny_checkpoint, voice_wav, tmp_path / "out", "--cluster", address),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert failed.returncode == 1 and failed.stderr.strip() == f"error: {message}"


def test_without_ray_the_cluster_option_says_how_to_install_it(tiny_checkpoint, voice_wav, tmp_path):
    """Ray is installed here: the render runs in an interpreter where importing it fails, as without it."""
    run = (
        "import sys; sys.modules['ray'] = None; from audiobook_tts.cli import main; sys.argv[0] = 'x'; main()"
    )
    args = render_command(tiny_checkpoint, voice_wav, tmp_path / "out", "--cluster", "ray")
    failed = subprocess.run(
        [sys.executable, "-c", run, *args[3:]], capture_output=True, text=True, timeout=120
    )
    assert failed.returncode == 1
    assert failed.stderr.strip() == (
        'error: --cluster needs Ray, which is not installed: pip install "audiobook-tts[cluster]"'
    )


@pytest.mark.slow  # a Ray head and whole-book renders
def test_a_stopped_cluster_is_one_line(tiny_checkpoint, voice_wav, tmp_path, head):
    """Last in the module: it stops the module's head."""
    stop(head)
    for address in (head.address, head.client_address):
        failed = subprocess.run(
            render_command(tiny_checkpoint, voice_wav, tmp_path / "out", "--cluster", address),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert failed.returncode == 1
        (line,) = failed.stderr.strip().splitlines()
        assert line == (
            f"error: cannot reach the Ray cluster at {address} (Connection refused); is it running "
            "(`ray status` on its head)?"
        )
