"""Cutting Markdown into pieces that can be rendered one at a time, so memory stays bounded.

A cut falls only on a blank line followed by an unindented line outside a fenced code block:
there every CommonMark block has ended (a list or quote split there reads as the same text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A fence line (``` or ~~~, up to three spaces in), or a blank line before an unindented line.
_FENCE_OR_CUT = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$|\n[ \t]*\n(?=\S)", re.M)


@dataclass(frozen=True)
class Piece:
    """A run of whole Markdown blocks; ``fits``: within the size limit (else one huge block)."""

    text: str
    fits: bool


def pieces(text: str, limit: int) -> Iterator[Piece]:
    """``text`` as consecutive pieces of at most ``limit`` characters, cut between blocks;
    a single block group longer than ``limit`` comes alone, marked as not fitting."""
    start = end = 0  # the piece being gathered: text[start:end]
    for cut in _cuts(text):
        if cut - start > limit and end > start:
            yield Piece(text[start:end], True)
            start = end
        if cut - start > limit:
            yield Piece(text[start:cut], False)
            start = cut
        end = cut
    if len(text) - start > limit and end > start:
        yield Piece(text[start:end], True)
        start = end
    if start < len(text):
        yield Piece(text[start:], len(text) - start <= limit)


def _cuts(text: str) -> Iterator[int]:
    """Offsets where a new top-level block begins, outside fenced code."""
    fence = ""
    for m in _FENCE_OR_CUT.finditer(text):
        marker = m.group("fence")
        if marker is None:
            if not fence:
                yield m.end()
        elif not fence:
            if not (marker[0] == "`" and "`" in m.group("info")):  # else inline code, no fence
                fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not m.group("info").strip():
            fence = ""
