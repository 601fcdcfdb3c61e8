"""Reading a request body within bounds of size, time, rate and memory, before any admission.

A body must arrive within ``body_seconds``, or after that at an average of ``min_upload_rate``
bytes per second (408 otherwise: a client holding a connection open with a trickle cannot hold
anything else); it may not pass ``max_upload_bytes`` (413 as soon as it does); and all bodies
being read hold at most ``upload_buffer_bytes`` of memory together (429 for the one beyond).
Each refusal closes the connection, so the rest of that body is never read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.requests import ClientDisconnect, Request

from forewarn.limits import MB
from forewarn.server.problems import Problem
from forewarn.server.settings import Settings

CLOSE = {"Connection": "close"}


def size_text(n: int) -> str:
    """A byte count as people read it: ``16.0 MB`` or ``256 KB``."""
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def too_large(size: int, limit: int) -> Problem:
    return Problem(
        413,
        f"the upload is too large ({size_text(size)}"
        f"{'+' if size > limit else ''}; the limit is {size_text(limit)})",
        headers=CLOSE,
        limit=limit,
    )


def check_declared_size(request: Request, limit: int) -> None:
    """413 at once when Content-Length already says the body is over ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit)


class UploadBuffer:
    """The bytes of request bodies being read, all requests together, against one budget."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0

    @contextmanager
    def holding(self) -> Iterator[Callable[[int], None]]:
        """A ``take(size)`` for one request's body; what it took is given back on exit."""
        taken = 0

        def take(size: int) -> None:
            nonlocal taken
            if self.held + size > self.limit:
                raise Problem(
                    429,
                    f"the server is reading too many uploads at once ({size_text(self.held)}); "
                    "retry in 1 s",
                    headers={**CLOSE, "Retry-After": "1"},
                    retry_after=1,
                )
            self.held += size
            taken += size

        try:
            yield take
        finally:
            self.held -= taken


async def read_body(request: Request, settings: Settings, take: Callable[[int], None]) -> bytes:
    """The whole body, or a Problem (408, 413, 429) as soon as one of its bounds is passed;
    ``take`` accounts for each chunk in the shared UploadBuffer."""
    limit = settings.max_upload_bytes
    check_declared_size(request, limit)
    chunks: list[bytes] = []
    size = 0
    started = time.monotonic()
    while True:
        # the body is late once it is below min_upload_rate on average, after body_seconds
        allowed = max(settings.body_seconds, size / settings.min_upload_rate)
        try:
            async with asyncio.timeout(started + allowed - time.monotonic()):
                message = await request.receive()
        except TimeoutError:
            raise _too_slow(size, settings) from None
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(size, limit)
        take(len(chunk))
        chunks.append(chunk)
        if not message.get("more_body", False):
            take(size)  # the joined copy, until the story has been taken out of it
            return b"".join(chunks)


def _too_slow(size: int, settings: Settings) -> Problem:
    return Problem(
        408,
        f"the body came too slowly ({size_text(size)} received; a body must arrive within "
        f"{settings.body_seconds} s or at {settings.min_upload_rate // 1024} KB/s)",
        headers=CLOSE,
    )
