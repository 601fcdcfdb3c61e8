"""Neutralise story text before it reaches a terminal: no escape sequences, no control codes."""

from __future__ import annotations

import re

# C0 controls except tab/newline, DEL, C1 controls, and bidi overrides/isolates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters shown as visible escapes (``\\x1b`` → ``\\x1b``)."""
    return _UNSAFE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )
