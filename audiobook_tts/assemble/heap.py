"""How the C heap hands memory back: kept, while an assembly runs.

glibc maps blocks over a threshold afresh on each allocation and trims its heap when more than another is
free at its top; its dynamic thresholds settle low for the assembler's pattern (numpy temporaries of a few
MB per 1 MB block in the limiter, the meters and the checks' decoded samples, all freed at once). Every
fresh page then faults on first touch: 1.5 million page faults and 3.4 s of system time per audio hour of
benchmarks/assemble.py, a fifth of our process's CPU.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # the most glibc's dynamic threshold rises to: what it converges to for torch too
TRIM_THRESHOLD = 64 << 20  # free memory the heap keeps at its top


def keep_freed_memory() -> None:
    """Set glibc's thresholds so freed blocks up to MMAP_THRESHOLD stay in the heap for reuse; elsewhere
    (no glibc) nothing changes."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
