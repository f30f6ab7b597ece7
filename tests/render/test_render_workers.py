"""`render --workers N` end to end (real engine with tiny random weights, real processes, ffmpeg and files),
and the engine failure that names its segment in every rendering path.

trees.epub has 53 segments: at --batch-size 4 that is four groups (16, 16, 16, 5) to share out.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from audiobook_tts.jobs import Job
from audiobook_tts.render import RenderError, render_book
from tests.fixtures.shared import CORPUS
from tests.render import test_render_book
from tests.render.test_render_book import EXAMPLE_MD, cli_args, outputs

options = test_render_book.options  # the same fixture: render options for the tiny checkpoint

TREES = CORPUS / "trees.epub"
BATCH4 = ["--batch-size", "4"]


def audio_files(out_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out_dir / ".audiobook-tts" / "audio").glob("*.f32"))}


@pytest.mark.parametrize("batch_size", [4, pytest.param(1, marks=pytest.mark.slow)])
def test_two_workers_give_the_same_bytes_as_one(options, tmp_path, batch_size):
    """Per-worker threads are --threads // --workers: 2 workers at --threads 2 render like 1 at --threads 1
    (the one-at-a-time path too, where a group is only the unit of work)."""
    one = render_book(TREES, options(out_dir=tmp_path / "one", batch_size=batch_size, threads=1))
    two = render_book(TREES, options(out_dir=tmp_path / "two", batch_size=batch_size, threads=2, workers=2))
    assert two.rendered == one.rendered == 53 and two.reused == 0
    # the workers add no warning of their own (random-weight audio may miss the loudness target in both)
    assert two.warnings == one.warnings
    assert outputs(two.out_dir) == outputs(one.out_dir)  # the MP3s and the M4B
    assert audio_files(two.out_dir) == audio_files(one.out_dir)  # every segment's samples
    assert {p.suffix for p in two.files} == {".mp3", ".m4b", ".json"}  # (.json: the loudness report)
    again = render_book(TREES, options(out_dir=tmp_path / "two", batch_size=batch_size, threads=2, workers=2))
    assert again.rendered == 0 and again.reused == 53  # resumes: everything found, no worker started


def test_progress_counts_every_segment_once(options, tmp_path):
    events = []
    render_book(TREES, options(batch_size=4, threads=2, workers=2), events.append)
    segments = [e for e in events if e.kind == "segment"]
    assert [e.done for e in segments] == list(range(1, 54))
    assert all(e.total == 53 for e in segments)
    assert events[-1].kind == "done"


def worker_pids(out: Path) -> set[int]:
    """The workers running in a job: each holds workers/<pid>-<token>.lock."""
    directory = out / ".audiobook-tts" / "workers"
    return {int(p.name.split("-")[0]) for p in directory.glob("*.lock")} if directory.is_dir() else set()


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def wait_until_gone(pids: set[int], seconds: float = 30) -> set[int]:
    deadline = time.monotonic() + seconds
    while (alive := {pid for pid in pids if running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@pytest.fixture(scope="module")
def reference(tiny_checkpoint, voice_wav, tmp_path_factory) -> Path:
    """TREES rendered by one process at --batch-size 4 --threads 1."""
    out = tmp_path_factory.mktemp("reference") / "out"
    args = cli_args(tiny_checkpoint, voice_wav, TREES, out) + BATCH4 + ["--threads", "1"]
    subprocess.run(args, check=True, timeout=600)
    return out


@pytest.mark.slow
def test_kill_9_of_the_render_stops_its_workers_and_resume_gives_identical_files(
    tiny_checkpoint, voice_wav, tmp_path, reference
):
    crashed = tmp_path / "crashed"
    audio_dir = crashed / ".audiobook-tts" / "audio"
    workers = BATCH4 + ["--threads", "2", "--workers", "2"]
    rng = random.Random(99)
    kills = 0
    for _ in range(2):
        stored = len(list(audio_dir.glob("*.f32"))) if audio_dir.exists() else 0
        threshold = stored + rng.randint(1, 12)  # segments this run writes before it is killed
        stale = worker_pids(crashed)  # lock files of the killed run's workers, removed by the next render
        process = subprocess.Popen(cli_args(tiny_checkpoint, voice_wav, TREES, crashed) + workers)
        pids: set[int] = set()
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            pids |= worker_pids(crashed)
            if len(pids - stale) == 2 and len(list(audio_dir.glob("*.f32"))) >= threshold:
                time.sleep(rng.uniform(0, 0.3))  # land anywhere: mid-segment, mid-write, between
                pids |= worker_pids(crashed)
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        process.wait()
        if process.returncode == -signal.SIGKILL:
            kills += 1
            assert len(pids - stale) == 2, "both workers were seen running"
            assert wait_until_gone(pids) == set(), "a worker outlived its render"
    assert kills >= 1
    subprocess.run(cli_args(tiny_checkpoint, voice_wav, TREES, crashed) + workers, check=True, timeout=600)
    assert outputs(crashed) == outputs(reference)
    assert audio_files(crashed) == audio_files(reference)
    with Job.open(crashed) as job:
        assert job.status().done == job.status().total


@pytest.mark.slow
def test_a_killed_workers_groups_are_taken_over(tiny_checkpoint, voice_wav, tmp_path, reference):
    out = tmp_path / "out"
    audio_dir = out / ".audiobook-tts" / "audio"
    args = cli_args(tiny_checkpoint, voice_wav, TREES, out) + BATCH4 + ["--threads", "2", "--workers", "2"]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    victim = None
    while process.poll() is None:
        pids = worker_pids(out)
        if len(pids) == 2 and len(list(audio_dir.glob("*.f32"))) >= 3:
            victim = min(pids)
            os.kill(victim, signal.SIGKILL)
            break
        time.sleep(0.005)
    stderr = process.communicate(timeout=600)[1]
    assert victim is not None and process.returncode == 0, stderr
    # the one warning of the workers' own (random-weight audio may add loudness ones, as in any render)
    assert [line for line in stderr.strip().splitlines() if "LUFS" not in line] == [
        f"warning: render worker {victim} was killed (SIGKILL); the other workers took over its segments"
    ]
    assert outputs(out) == outputs(reference)
    assert audio_files(out) == audio_files(reference)


@pytest.mark.slow
def test_when_every_worker_is_killed_the_render_stops_with_one_line(tiny_checkpoint, voice_wav, tmp_path):
    out = tmp_path / "out"
    args = cli_args(tiny_checkpoint, voice_wav, TREES, out) + BATCH4 + ["--threads", "2", "--workers", "2"]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    while len(pids := worker_pids(out)) < 2:
        assert process.poll() is None
        time.sleep(0.005)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    stderr = process.communicate(timeout=600)[1]
    assert process.returncode == 1
    (line,) = stderr.strip().splitlines()
    assert line.startswith("error: every render worker stopped before the end (render worker ")
    assert line.count("was killed (SIGKILL)") == 2 and line.endswith("run the same command again to resume")


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_and_the_render_resumes(tiny_checkpoint, voice_wav, tmp_path):
    out = tmp_path / "out"
    audio_dir = out / ".audiobook-tts" / "audio"
    workers = BATCH4 + ["--threads", "2", "--workers", "2"]
    # A session of its own, so the Ctrl-C goes to the render and its workers as a terminal would send it.
    process = subprocess.Popen(
        cli_args(tiny_checkpoint, voice_wav, TREES, out) + workers,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    pids: set[int] = set()
    while process.poll() is None and not (len(pids) == 2 and len(list(audio_dir.glob("*.f32"))) >= 5):
        pids = worker_pids(out)
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode == 130, stderr
    assert stderr.strip() == "interrupted: finished segments are kept; run the same command again to resume"
    assert pids and wait_until_gone(pids, seconds=1) == set()  # stopped before the render exited
    args = cli_args(tiny_checkpoint, voice_wav, TREES, out) + workers
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with Job.open(out) as job:
        assert job.status().done == job.status().total == 53


@pytest.mark.slow
def test_a_second_render_of_a_job_with_workers_is_refused(tiny_checkpoint, voice_wav, tmp_path):
    out = tmp_path / "out"
    workers = ["--threads", "2", "--workers", "2"]
    process = subprocess.Popen(cli_args(tiny_checkpoint, voice_wav, CORPUS / "moby-dick.epub", out) + workers)
    try:
        while not worker_pids(out):  # the workers are running: the render holds the lock
            assert process.poll() is None
            time.sleep(0.01)
        second = subprocess.run(
            cli_args(tiny_checkpoint, voice_wav, TREES, out) + workers, capture_output=True, text=True
        )
        assert second.returncode == 1
        assert "another render is using" in second.stderr and len(second.stderr.strip().splitlines()) == 1
    finally:
        process.kill()
        process.wait()


# ---- an engine failure names its segment, whatever path rendered it ------------------------------------

# Loaded in every Python process started with this directory on PYTHONPATH (the workers too): the text
# embedding raises for one token sequence, as a real engine fault on one segment would.
SITECUSTOMIZE = """
import os
poison = os.environ.get("AUDIOBOOK_TTS_TEST_POISON")
if poison:
    from audiobook_tts.tts.flow_lm import TextEmbedding

    real = TextEmbedding.forward
    tokens_to_fail = [int(t) for t in poison.split(",")]

    def forward(self, tokens):
        if tokens.shape[0] == 1 and tokens[0].tolist() == tokens_to_fail:
            raise RuntimeError("injected fault")
        return real(self, tokens)

    TextEmbedding.forward = forward
"""


@pytest.fixture
def poisoned_segment(options, tmp_path, monkeypatch, tiny_checkpoint, voice_wav):
    """(chapter number, position, text) of one mid-chapter segment of EXAMPLE_MD whose rendering raises in
    this process and in any process it starts."""
    from audiobook_tts.tts import load_model, load_voice
    from audiobook_tts.tts.batch import make_request
    from audiobook_tts.tts.options import DEFAULT_OPTIONS

    clean = tmp_path / "clean"
    render_book(EXAMPLE_MD, options(out_dir=clean, chapters="2", preview_seconds=1))  # records the plan
    with Job.open(clean) as job:
        chapter = job.plan()[1]
    position = 6
    assert len(chapter.segments) > position  # the failing segment is mid-group, not last
    text = chapter.segments[position - 1].text
    assert [s.text for s in chapter.segments].count(text) == 1
    engine = load_model(config=str(tiny_checkpoint[0]))
    (chunk,) = make_request(engine, load_voice(engine, str(voice_wav)), text, 0, DEFAULT_OPTIONS).chunks
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    monkeypatch.setenv("AUDIOBOOK_TTS_TEST_POISON", ",".join(map(str, chunk.tokens)))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    namespace: dict = {}
    exec(SITECUSTOMIZE, namespace)  # this process: patch now, undo after the test
    yield chapter.index, position, text
    from audiobook_tts.tts.flow_lm import TextEmbedding

    TextEmbedding.forward = namespace["real"]


@pytest.mark.parametrize(
    "speed",
    [dict(batch_size=1), dict(batch_size=4), dict(batch_size=4, threads=1), dict(batch_size=4, workers=2)],
    ids=["one-at-a-time", "batched", "batched-1-thread", "workers"],
)
def test_an_engine_failure_names_the_segment(options, tmp_path, poisoned_segment, speed):
    chapter, position, text = poisoned_segment
    with pytest.raises(RenderError) as failure:
        render_book(EXAMPLE_MD, options(out_dir=tmp_path / "out", chapters="2", **speed))
    message = str(failure.value)
    assert message.startswith(f"chapter {chapter} (") and f"segment {position}: " in message
    assert message.endswith(": the engine failed (injected fault)")
    assert text[:40] in message and "\n" not in message


@pytest.mark.slow
def test_a_workers_failure_is_one_line_on_the_command_line(
    tiny_checkpoint, voice_wav, tmp_path, poisoned_segment
):
    chapter, position, _ = poisoned_segment
    args = cli_args(tiny_checkpoint, voice_wav, EXAMPLE_MD, tmp_path / "out") + ["--workers", "2"]
    failed = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert failed.returncode == 1
    (line,) = failed.stderr.strip().splitlines()
    assert line.startswith(f"error: chapter {chapter} (") and f"segment {position}: " in line
    assert line.endswith(": the engine failed (injected fault)")


@pytest.mark.slow
def test_a_full_disk_in_a_worker_is_the_one_line_error_and_resumes(tiny_checkpoint, voice_wav, tmp_path):
    """Workers write the segment audio and the parent the job's index: whichever meets the full disk first
    (here the index, since the first segment became a group of its own and so is stored first; a worker's
    audio before that) ends the render with one line naming the file, leaves no worker behind, and the
    render resumes once there is room. A worker's own failure is one line too (the test above)."""
    from tests.fixtures.disk import tiny_tmpfs

    with tiny_tmpfs(tmp_path / "disk", "1m") as disk:
        out = disk / "out"
        args = cli_args(tiny_checkpoint, voice_wav, TREES, out) + ["--threads", "2", "--workers", "2"]
        failed = subprocess.run(args, capture_output=True, text=True, timeout=600)
        assert failed.returncode == 1
        (line,) = failed.stderr.strip().splitlines()
        assert line.startswith(f"error: cannot write {out / '.audiobook-tts'}/"), line
        assert line.endswith("No space left on device; free some space and run again, the render resumes")
        assert wait_until_gone(worker_pids(out), seconds=1) == set()
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        done = subprocess.run(args, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        with Job.open(out) as job:
            assert job.status().done == job.status().total == 53
