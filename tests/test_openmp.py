"""torch's OpenMP threads sleep while they wait (audiobook_tts/__init__.py): set before torch loads OpenMP."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import os, sys, audiobook_tts.tts.model; "
    "assert 'torch' in sys.modules; "
    "print(os.environ['OMP_WAIT_POLICY'])"
)


def wait_policy(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    run = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return run.stdout.strip()


def test_waiting_threads_sleep_unless_the_user_says_otherwise():
    assert wait_policy() == "PASSIVE"
    assert wait_policy(OMP_WAIT_POLICY="ACTIVE") == "ACTIVE"
