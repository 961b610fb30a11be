"""Keep freed memory in the process instead of handing it back to the kernel (glibc only).

A sweep kernel computes each batch's right-hand sides in arrays of cases ×
targets × days (a few MB each) and frees them when the batch is done. glibc
serves blocks that large with ``mmap`` and returns them to the operating
system when freed (and trims the top of its heap likewise), so the next batch
touches fresh pages: about 240,000 page faults and 0.7 s of system time in the
5,760 cases of ``benchmarks/sweep_speed.py``. With a fixed mmap threshold of
32 MB and a trim threshold of 256 MB such blocks come from the heap and are
reused. It changes no number, only where memory comes from; a process keeps up
to its peak heap.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit
TRIM_THRESHOLD = 256 << 20

_done = False


def keep_freed_memory() -> None:
    """Once per process, on Linux: blocks under 32 MB from the heap, freed memory kept up to 256 MB (no-op elsewhere,
    and where the C library has no ``mallopt``)."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return
    _done = True
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
