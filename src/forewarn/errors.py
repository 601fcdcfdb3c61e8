"""The exceptions users see, each reported as a single line: bad input (naming the file) and
bad settings."""

from __future__ import annotations


class InputError(Exception):
    """A story could not be read; ``str()`` is the one-line message shown to users."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class UnsupportedFormat(InputError):
    """The input is a format forewarn does not read (a PDF, an image, an archive...)."""


class ProfileError(ValueError):
    """A bad avoid rule, profile or overrides file; ``str()`` is the one-line message."""
