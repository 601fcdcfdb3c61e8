"""Resource limits for untrusted input; each can be overridden by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else default


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile file from exhausting memory or time."""

    max_input_bytes: int = 50 * MB
    max_decompressed_bytes: int = 200 * MB
    max_archive_members: int = 10_000

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults, overridden by FOREWARN_MAX_INPUT_MB / FOREWARN_MAX_DECOMPRESSED_MB."""
        return cls(
            max_input_bytes=_env_int("FOREWARN_MAX_INPUT_MB", 50) * MB,
            max_decompressed_bytes=_env_int("FOREWARN_MAX_DECOMPRESSED_MB", 200) * MB,
        )
