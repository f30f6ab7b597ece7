"""Torch's vectorised float math made safe to run first on several threads; every network module imports this.

In about one process in three on this machine (torch 2.13.0+cpu, built with MKL 2024.2; 2 torch threads), the
process's first multi-threaded call of one of torch's vectorised math functions (exp, sin, cos, log, tanh,
...: torch splits them across threads from 4096 values on) computes the second thread's half with only ~13
correct bits: exp(-0.3564) read 0.700142 instead of 0.700223, sin 1.5e-4 off. Every later call in the
process is right. The first ELU of a voice's encoding or of a book's first segment is such a call, so a
segment could come out a little different in a render and in its resume. With one call on a single value
made first (here, at import), no process went wrong: a first parallel exp was off in 10 of 30 processes
without it and in 0 of 60 with it, a first sin in 10 of 48 and 0 of 48 (tests/tts/test_vector_math.py).
"""

from __future__ import annotations

import torch


def warm_up() -> None:
    """One single-threaded call of MKL's vector math, so that no later multi-threaded one is its first."""
    torch.exp(torch.zeros(1))


warm_up()
