"""JSONL from untrusted sources: lines read within a size cap, and any bad line a reason.

A line longer than the cap is skipped without being held in memory, and JSON nested past
Python's recursion limit is a malformed line like any other (``json`` raises RecursionError).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from forewarn.limits import Limits

#: Bytes read at a time while skipping the rest of an over-long line.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Line:
    """One line: its 1-based number, byte offset and bytes (None when over the cap)."""

    number: int
    offset: int
    size: int
    raw: bytes | None


def line_cap(limits: Limits) -> int:
    """The longest JSONL line read: a text at the input limit, JSON-escaped (at most 6 bytes
    per byte, as ``\\u0001``), plus 64 KB for the id and the other fields."""
    return 6 * limits.max_input_bytes + (64 << 10)


def iter_lines(stream: IO[bytes], cap: int) -> Iterator[Line]:
    """Every line of ``stream``; one longer than ``cap`` bytes comes with ``raw`` None."""
    number = offset = 0
    while raw := stream.readline(cap + 1):
        number += 1
        size = len(raw)
        if size > cap and not raw.endswith(b"\n"):
            while rest := stream.readline(_CHUNK):
                size += len(rest)
                if rest.endswith(b"\n"):
                    break
            yield Line(number, offset, size, None)
        else:
            yield Line(number, offset, size, raw)
        offset += size


def parse(raw: bytes | str) -> Any:
    """The JSON value of one line; raises ValueError if malformed or nested too deeply."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def too_large(what: str, size: int, limit: int) -> str:
    """The reason a ``what`` of ``size`` bytes is refused, worded as the readers word it."""
    return f"{what} is too large ({size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB)"
