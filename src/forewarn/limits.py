"""Resource limits for untrusted input; each can be overridden by an environment variable."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from forewarn.errors import InputError

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
    max_seconds: int = 900
    #: The setting that sets ``max_seconds`` here, named when the time limit stops a scan.
    seconds_setting: str = "FOREWARN_MAX_SECONDS"

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults, overridden by FOREWARN_MAX_INPUT_MB / _DECOMPRESSED_MB / _SECONDS."""
        return cls(
            max_input_bytes=_env_int("FOREWARN_MAX_INPUT_MB", 50) * MB,
            max_decompressed_bytes=_env_int("FOREWARN_MAX_DECOMPRESSED_MB", 200) * MB,
            max_seconds=_env_int("FOREWARN_MAX_SECONDS", 900),
        )


class Deadline:
    """The time budget of one work: ``check`` between stages raises once it is spent."""

    def __init__(self, source: str, seconds: float, setting: str = "FOREWARN_MAX_SECONDS") -> None:
        self.source = source
        self.seconds = seconds
        self.setting = setting
        self.expires = time.monotonic() + seconds

    @classmethod
    def start(cls, source: str, limits: Limits) -> Deadline:
        """The budget ``limits`` give one work, starting now."""
        return cls(source, limits.max_seconds, limits.seconds_setting)

    def check(self) -> None:
        """Raise InputError if the work has run past its budget (a cheap clock read otherwise)."""
        if time.monotonic() > self.expires:
            raise InputError(
                self.source,
                f"took longer than {self.seconds:g} s to scan (the limit; raise it with "
                f"{self.setting})",
            )
