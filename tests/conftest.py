"""Session fixtures shared by every test suite: offline hub, tokenizers, random-weight checkpoints, voice.

Builders live in tests/fixtures/ (plain modules, importable from any test); this file only caches them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# No network in tests: huggingface_hub reads this on first import, so set it before anything imports it.
os.environ["HF_HUB_OFFLINE"] = "1"

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _empty_hf_cache(tmp_path_factory):
    """Point huggingface_hub at an empty cache so no test depends on what this machine has downloaded."""
    import huggingface_hub.constants as hf_constants

    cache = tmp_path_factory.mktemp("hf_cache_empty")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hf_constants, "HF_HUB_OFFLINE", True)
        mp.setattr(hf_constants, "HF_HUB_CACHE", str(cache))
        mp.setenv("HF_HUB_CACHE", str(cache))
        yield cache


@pytest.fixture(scope="session")
def voice_wav() -> Path:
    """~6 s of real speech (espeak-ng), 24 kHz mono 16-bit WAV, committed under tests/data/."""
    return DATA_DIR / "voice_espeak.wav"


@pytest.fixture(scope="session")
def tokenizer_files(tmp_path_factory) -> tuple[Path, Path]:
    """(SentencePiece .model, tokenizers .json): the same 4000-piece vocabulary, trained once per session."""
    from tests.fixtures.tokenizer import build_tokenizers

    return build_tokenizers(tmp_path_factory.mktemp("tokenizer"))


@pytest.fixture(scope="session")
def checkpoint_factory(tmp_path_factory, tokenizer_files):
    """build(config="english", overrides=TINY_OVERRIDES, seed=0) -> (yaml_path, weights_path), cached.

    `overrides=None` keeps the config's full size; pass a dict to shrink differently.
    """
    from tests.fixtures.checkpoint import TINY_OVERRIDES, build_checkpoint

    cache: dict[str, tuple[Path, Path]] = {}

    def build(config: str | Path = "english", overrides: dict | None = TINY_OVERRIDES, seed: int = 0):
        key = repr((str(config), overrides, seed))
        if key not in cache:
            out_dir = tmp_path_factory.mktemp("checkpoint")
            cache[key] = build_checkpoint(
                config,
                out_dir,
                tokenizer_model=tokenizer_files[0],
                tokenizer_json=tokenizer_files[1],
                overrides=overrides,
                seed=seed,
            )
        return cache[key]

    return build


@pytest.fixture(scope="session")
def tiny_checkpoint(checkpoint_factory) -> tuple[Path, Path]:
    """(yaml_path, weights_path) of the default English architecture shrunk to 2 x 128 (random weights)."""
    return checkpoint_factory("english")


@pytest.fixture(scope="session")
def fake_hub_files(tmp_path_factory, tokenizer_files, voice_wav):
    """A hub cache with the full-size `english` model (random weights), its tokenizer and voice `fantine`."""
    from tests.fixtures.hub import build_fake_hub

    return build_fake_hub(
        tmp_path_factory.mktemp("hf_cache_fake"),
        tmp_path_factory.mktemp("fake_hub_src"),
        tokenizer_model=tokenizer_files[0],
        tokenizer_json=tokenizer_files[1],
        voice_wav=voice_wav,
    )


@pytest.fixture(scope="session")
def small_hub_files(tmp_path_factory, tokenizer_files, voice_wav):
    """A hub cache with catalogue model `english_2m_2026-10` (random weights, SentencePiece tokenizer, fast
    to build and run) and voices `alba` and `fantine`: for end-to-end tests through catalogue names."""
    from tests.fixtures.hub import build_fake_hub

    return build_fake_hub(
        tmp_path_factory.mktemp("hf_cache_small"),
        tmp_path_factory.mktemp("small_hub_src"),
        tokenizer_model=tokenizer_files[0],
        tokenizer_json=tokenizer_files[1],
        voice_wav=voice_wav,
        config_name="english_2m_2026-10",
        voices=("alba", "fantine"),
    )


@pytest.fixture(scope="session")
def gated_hub_files(tmp_path_factory, fake_hub_files):
    """Like fake_hub_files, but only the without-voice-cloning bundle is cached (gated repo refused)."""
    from tests.fixtures.hub import gated_copy

    return gated_copy(fake_hub_files, tmp_path_factory.mktemp("hf_cache_gated"))


def _use_cache(monkeypatch, cache_dir: Path) -> None:
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(cache_dir))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache_dir))


@pytest.fixture
def fake_hub(monkeypatch, fake_hub_files):
    """huggingface_hub (offline) now resolves the real `english` repo names/revisions from the fake cache."""
    _use_cache(monkeypatch, fake_hub_files.cache_dir)
    return fake_hub_files


@pytest.fixture
def gated_hub(monkeypatch, gated_hub_files):
    _use_cache(monkeypatch, gated_hub_files.cache_dir)
    return gated_hub_files


@pytest.fixture
def small_hub(monkeypatch, small_hub_files):
    """huggingface_hub (offline) resolves `english_2m_2026-10` and its voices from a fake cache."""
    _use_cache(monkeypatch, small_hub_files.cache_dir)
    return small_hub_files
