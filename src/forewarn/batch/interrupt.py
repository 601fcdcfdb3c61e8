"""Ctrl-C in a batch: the first one stops new works and lets those in flight finish (and be
journalled); a second one aborts at once."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def graceful_interrupt(on_first: str | None = None) -> Iterator[threading.Event]:
    """An Event set by the first SIGINT (main thread only); the next SIGINT raises
    KeyboardInterrupt as usual. ``on_first`` is written to stderr when the first arrives."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def first(signum: int, frame: FrameType | None) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if on_first:
            import sys

            sys.stderr.write(on_first + "\n")
            sys.stderr.flush()

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
