"""The scan modes, cheapest first, and the one place a mode name is checked."""

from __future__ import annotations

from enum import StrEnum


# How hard the passage model looks: ``fast`` (the static gate decides), ``default``, ``thorough``.
# (A comment, not a docstring: the server's OpenAPI document would take it as a description.)
class Mode(StrEnum):
    fast = "fast"
    default = "default"
    thorough = "thorough"


MODES: tuple[str, ...] = tuple(m.value for m in Mode)


def check_mode(mode: str) -> str:
    """``mode`` if it names a scan mode; ValueError (listing the modes) otherwise."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    return mode
