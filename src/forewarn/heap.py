"""Handing the memory a stage freed back to the system, so the next stage's peak is its own.

glibc keeps what a stage freed for reuse in its heap, but the next stage often cannot reuse it:
numpy and Python map their large blocks and arenas afresh, so the two peaks add up. A reader's
libxml2 tree (two nodes per tiny element: 0.5 GB for 16 MB of them) and a scan's temporaries
before the report is made (a JSON report's many small strings) are handed back with glibc's
``malloc_trim``. Nothing where it is missing (macOS, Windows, musl); results are the same.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


def release_freed_memory() -> None:
    """Hand what this process's C heap holds free back to the system (glibc only)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None elsewhere (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim
