"""uvicorn's HTTP/1.1 protocol with a deadline for request headers.

uvicorn times out a connection only between requests once one has been answered; a client that
connects and then sends nothing, or headers one byte at a time, would hold its connection (and
a place under the connection limit) for ever. Here every request's headers must be in within a
deadline of the connection opening or of the previous answer, or the connection is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def with_header_deadline(seconds: float) -> type[H11Protocol]:
    """An H11Protocol class whose connections close if headers take more than ``seconds``."""

    class HeaderDeadlineProtocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm(None)

        def on_response_complete(self) -> None:
            answered = self.cycle  # before a pipelined request may start the next one
            super().on_response_complete()
            self._arm(answered)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().connection_lost(exc)

        def _arm(self, answered: object) -> None:
            """Close unless a request after ``answered`` (None: any) starts within ``seconds``."""
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = self.loop.call_later(seconds, self._overdue, answered)

        def _overdue(self, answered: object) -> None:
            started = self.cycle is not None and self.cycle is not answered
            if not started and not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineProtocol
