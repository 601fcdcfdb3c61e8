"""A matching view of a text: NFKC, lower-cased, invisible characters removed, offsets mapped back.

Hostile or careless text hides words behind zero-width or bidi-control characters and
look-alike forms; detectors match on this view and report spans in the original text.
"""

from __future__ import annotations

import string
import unicodedata
from functools import lru_cache

import numpy as np

# Zero-width, bidi controls, soft hyphen, BOM: dropped before matching.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\ufeff"
)
#: ASCII folding: lower case, and line breaks as spaces (see ``MatchView``).
_ASCII_FOLD = {ord(c): c.lower() for c in string.ascii_uppercase} | {ord("\n"): " "}
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
            self._map: np.ndarray | None = None
            return
        # One translation table for the distinct characters: the folding runs once per
        # character kind, not once per character of a novel.
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        table = {int(c): _fold(chr(c)) for c in np.unique(codes[codes >= 128])}
        table.update(_ASCII_FOLD)
        self.text = text.translate(table)
        resized = [c for c, folded in table.items() if len(folded) != 1]
        if not resized:
            self._map = None
            return
        lengths = np.ones(len(codes), dtype=np.int64)
        for c in resized:
            lengths[codes == c] = len(table[c])
        self._map = np.append(np.repeat(np.arange(len(codes)), lengths), len(codes))

    def original(self, offset: int) -> int:
        """The original-text offset of folded offset ``offset`` (an end offset maps to an end)."""
        if self._map is None:
            return offset
        return int(self._map[min(offset, len(self._map) - 1)])

    def original_end(self, offset: int) -> int:
        """Map an exclusive end offset: just past the original character of ``offset - 1``."""
        if self._map is None or offset == 0:
            return offset
        return int(self._map[offset - 1]) + 1

    def folded(self, original_offset: int) -> int:
        """The folded offset where original offset ``original_offset`` begins."""
        if self._map is None:
            return original_offset
        return int(np.searchsorted(self._map, original_offset, side="left"))
