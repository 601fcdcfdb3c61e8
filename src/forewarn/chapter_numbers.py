"""A chapter's own number, read from its printed title ("Chapter XX", "20.", "Chapter Twenty")."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_VALID_ROMAN = re.compile(r"^m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")


@cache
def _data() -> tuple[dict[str, int], re.Pattern[str], re.Pattern[str]]:
    raw = tomllib.loads(resources.files("forewarn").joinpath("data/numbers.toml").read_text())
    words = {w: i for i, w in enumerate(raw["units"], start=1)}
    for t, ten in enumerate(raw["tens"], start=2):
        words[ten] = 10 * t
        for u, unit in enumerate(raw["units"][:9], start=1):
            words[f"{ten}-{unit}"] = words[f"{ten} {unit}"] = 10 * t + u
    numeral = r"\d{1,4}|[ivxlcdm]+|" + "|".join(sorted(map(re.escape, words), key=len)[::-1])
    division = "|".join(raw["divisions"])
    headed = re.compile(rf"^\s*(?:{division})\.?\s+({numeral})\b", re.IGNORECASE)
    # A bare numeral opens the title: digits, or upper-case Roman ("IV."; "Liv" is a name).
    bare = re.compile(r"^\s*(\d{1,4}|[IVXLCDM]+)\s*(?:[.:—–-]|$)")
    return words, headed, bare


def _roman(text: str) -> int | None:
    if not _VALID_ROMAN.match(text.lower()):
        return None
    values = [_ROMAN[c] for c in text.lower()]
    nexts = [*values[1:], 0]
    return sum(-v if v < after else v for v, after in zip(values, nexts, strict=True)) or None


def _value(numeral: str) -> int | None:
    words, _, _ = _data()
    key = numeral.lower()
    if key.isdigit():
        return int(key)
    if key in words:
        return words[key]
    return _roman(key)


def title_number(title: str | None) -> int | None:
    """The number a chapter title prints (``"Chapter 20: The Fall"`` -> 20), None if it has none."""
    if not title:
        return None
    _, headed, bare = _data()
    match = headed.match(title) or bare.match(title)
    return _value(match.group(1)) if match else None
