"""The engine's commands as a user runs them: say, voices, export-voice (real processes, real model code)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures.reference import run_reference


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "audiobook_tts.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as f:
        assert f.getnchannels() == 1 and f.getsampwidth() == 2
        return np.frombuffer(f.readframes(f.getnframes()), np.int16), f.getframerate()


def test_say_matches_the_reference_with_the_same_seed(tiny_checkpoint, voice_wav, tmp_path):
    """`say --seed S`: the noise is the reference's after torch.manual_seed(S) just before the voice."""
    yaml_path, _ = tiny_checkpoint
    out = tmp_path / "ours.wav"
    text = "The lamp would not light. Nobody knew why, and the gulls were quiet."
    done = run("say", text, "-o", str(out), "--config", str(yaml_path), "--voice", str(voice_wav),
               "--seed", "7", "--eos-threshold", "1e9")  # fmt: skip
    assert done.returncode == 0, done.stderr
    ours, rate = read_wav(out)
    assert rate == 24000

    theirs = run_reference(yaml_path, text, voice_wav, seed=7, eos_threshold=1e9).audio.numpy()
    expected = (np.clip(theirs, -1, 1) * 32767).astype(np.int16)
    assert len(ours) == len(expected) > 24000 * 3
    assert np.abs(ours.astype(int) - expected.astype(int)).max() <= 4  # 1e-4 of full scale


def test_say_stream_writes_a_valid_growing_wav(tiny_checkpoint, voice_wav, tmp_path):
    yaml_path, _ = tiny_checkpoint
    streamed, whole = tmp_path / "streamed.wav", tmp_path / "whole.wav"
    common = ["--config", str(yaml_path), "--voice", str(voice_wav), "--seed", "1", "--eos-threshold", "1e9"]
    assert run("say", "Hello there, reader.", "-o", str(streamed), "--stream", *common).returncode == 0
    assert run("say", "Hello there, reader.", "-o", str(whole), *common).returncode == 0
    assert np.array_equal(read_wav(streamed)[0], read_wav(whole)[0])


def test_export_voice_then_use_it(tiny_checkpoint, voice_wav, tmp_path):
    yaml_path, _ = tiny_checkpoint
    state = tmp_path / "voice.safetensors"
    exported = run("export-voice", str(voice_wav), str(state), "--config", str(yaml_path))
    assert exported.returncode == 0, exported.stderr
    common = ["--config", str(yaml_path), "--seed", "3", "--eos-threshold", "1e9"]
    from_state = run("say", "Same voice.", "-o", str(tmp_path / "a.wav"), "--voice", str(state), *common)
    assert from_state.returncode == 0, from_state.stderr
    assert read_wav(tmp_path / "a.wav")[0].size > 0


def test_voices_lists_the_catalogue():
    listed = run("voices")
    assert listed.returncode == 0
    for name in ("alba", "fantine", "marius", "estelle"):
        assert name in listed.stdout


def test_no_network_and_nothing_cached_fails_fast_with_one_line(tmp_path):
    """A machine that cannot reach the hub (here: a closed loopback port) and has no cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT="http://127.0.0.1:9")
    started = time.monotonic()
    done = run("say", "Hello.", "-o", str(tmp_path / "x.wav"), "--voice", "fantine", env=env)
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    # every missing file at once (not one a run), and the one command that fetches them all
    assert lines[0].startswith("error: 3 files are not in the Hugging Face cache") and "HF_HOME" in lines[0]
    assert all(name in lines[0] for name in ("tokenizer.json", "model.safetensors", "fantine.safetensors"))
    assert "`audiobook-tts download --voice fantine`" in lines[0] and "--tokenizer" not in lines[0]

    fetch = run("download", "--model", "english_2m_2026-10", "--voice", "alba", "--voice", "jean", env=env)
    assert fetch.returncode == 1 and len(fetch.stderr.strip().splitlines()) == 1, fetch.stderr
    assert fetch.stderr.startswith("error: 4 files are not in the Hugging Face cache")
    assert "`audiobook-tts download --model english_2m_2026-10 --voice alba --voice jean`" in fetch.stderr


def test_bad_voice_file_is_one_line(tiny_checkpoint, tmp_path):
    bad = tmp_path / "voice.wav"
    bad.write_bytes(b"not audio at all")
    done = run(
        "say", "Hi.", "-o", str(tmp_path / "x.wav"), "--config", str(tiny_checkpoint[0]), "--voice", str(bad)
    )
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "voice.wav" in done.stderr


@pytest.mark.slow
def test_catalogue_model_and_voice_through_the_hub_cache(fake_hub_files, tmp_path):
    """`download` then `say --voice fantine` resolve the real repo names and revisions from the cache."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(fake_hub_files.cache_dir)}
    fetched = run("download", "--voice", "fantine", env=env)
    assert fetched.returncode == 0, fetched.stderr
    out = tmp_path / "hello.wav"
    spoken = run("say", "Hello.", "-o", str(out), "--voice", "fantine", "--eos-threshold", "1e9", env=env)
    assert spoken.returncode == 0, spoken.stderr
    assert read_wav(out)[0].size >= 24000  # the length cap of a one-word text: a few seconds
    missing = run("say", "Hello.", "-o", str(out), "--voice", "marius", env=env)
    assert missing.returncode == 1 and "marius" in missing.stderr and "HF_HOME" in missing.stderr
