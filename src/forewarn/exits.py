"""How every command ends: its exit code, and failures as one "forewarn: error: …" line."""

from __future__ import annotations

from enum import IntEnum

from rich.console import Console

from forewarn.render.safe import terminal_safe


class ExitCode(IntEnum):
    """The exit status of every ``forewarn`` command."""

    OK = 0
    #: A story (or another file) could not be read or written.
    INPUT = 1
    #: A bad argument, setting or profile.
    USAGE = 2
    #: ``forewarn check``: a story holds what the reader avoids.
    AVOIDED = 3
    #: Ctrl-C (a batch journals the works in flight first).
    INTERRUPTED = 130


def fail(message: str) -> None:
    """One line on stderr: what failed and why (file names and story text made terminal-safe)."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(f"forewarn: error: {terminal_safe(message)}", markup=False)
