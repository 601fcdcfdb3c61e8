"""A matching view of a text: NFKC, lower-cased, invisible characters removed, offsets mapped back.

Hostile or careless text hides words behind zero-width or bidi-control characters and
look-alike forms; detectors match on this view and report spans in the original text.
"""

from __future__ import annotations

import bisect
import unicodedata
from functools import lru_cache

# Zero-width, bidi controls, soft hyphen, BOM: dropped before matching.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\ufeff"
)
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"'}


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    if ch in INVISIBLE:
        return ""
    if ch in _QUOTES:
        return _QUOTES[ch]
    folded = unicodedata.normalize("NFKC", ch).lower()
    # Strip combining accents only when the base is Latin (é -> e), keeping other scripts intact.
    decomposed = unicodedata.normalize("NFD", folded)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if base.isascii() else folded


def plain(text: str) -> str:
    """``text`` as the models read it: NFKC, invisible characters dropped, case kept."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", "".join(ch for ch in text if ch not in INVISIBLE))


class MatchView:
    """``view.text`` is the folded text; ``view.original(i)`` maps a folded offset back."""

    def __init__(self, text: str) -> None:
        if text.isascii():
            # Line breaks become spaces so phrases match across hard-wrapped lines; a blank
            # line becomes two spaces, which single-space patterns never cross.
            self.text = text.lower().replace("\n", " ")
            self._map: list[int] | None = None
            return
        parts: list[str] = []
        mapping: list[int] = []
        for i, ch in enumerate(text):
            folded = _fold(ch) if not ch.isascii() else ch.lower() if ch != "\n" else " "
            parts.append(folded)
            mapping.extend([i] * len(folded))
        mapping.append(len(text))
        self.text = "".join(parts)
        self._map = mapping

    def original(self, offset: int) -> int:
        """The original-text offset of folded offset ``offset`` (an end offset maps to an end)."""
        if self._map is None:
            return offset
        return self._map[min(offset, len(self._map) - 1)]

    def original_end(self, offset: int) -> int:
        """Map an exclusive end offset: just past the original character of ``offset - 1``."""
        if self._map is None or offset == 0:
            return offset
        return self._map[offset - 1] + 1

    def folded(self, original_offset: int) -> int:
        """The folded offset where original offset ``original_offset`` begins."""
        if self._map is None:
            return original_offset
        return bisect.bisect_left(self._map, original_offset)
