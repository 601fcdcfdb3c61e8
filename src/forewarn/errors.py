"""The one exception users see: bad input, reported as a single line naming the file."""

from __future__ import annotations


class InputError(Exception):
    """A story could not be read; ``str()`` is the one-line message shown to users."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
