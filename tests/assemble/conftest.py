"""Real ffmpeg for the assembly tests (the one assemble() itself would find)."""

from __future__ import annotations

import pytest

from audiobook_tts.assemble.ffmpeg import find_ffmpeg


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    return find_ffmpeg()
