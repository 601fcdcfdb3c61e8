"""The server's limits and where it listens; every field has a FOREWARN_SERVE_* override."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from forewarn.limits import MB


def _cores() -> int:
    return os.cpu_count() or 1


#: Environment variable -> (Settings field, how many bytes one unit is, or 0 for a plain count).
ENV = {
    "FOREWARN_SERVE_MAX_UPLOAD_MB": ("max_upload_bytes", MB),
    "FOREWARN_SERVE_CONCURRENCY": ("max_concurrent_scans", 0),
    "FOREWARN_SERVE_QUEUE": ("max_queue", 0),
    "FOREWARN_SERVE_MAX_JOBS": ("max_jobs", 0),
    "FOREWARN_SERVE_KEEP_JOBS": ("keep_jobs", 0),
    "FOREWARN_SERVE_JOB_TTL_SECONDS": ("job_ttl_seconds", 0),
    "FOREWARN_SERVE_SCAN_SECONDS": ("scan_seconds", 0),
}


@dataclass(frozen=True)
class Settings:
    """Limits that keep one busy or hostile client from taking the server down."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: Largest request body accepted (413 above it).
    max_upload_bytes: int = 16 * MB
    #: Scans running at once: the size of the worker process pool.
    max_concurrent_scans: int = field(default_factory=_cores)
    #: Requests waiting for a free worker; beyond running + waiting the answer is 429.
    max_queue: int = 16
    #: Background jobs queued or running (429 above it); finished ones are kept for polling.
    max_jobs: int = 8
    keep_jobs: int = 256
    job_ttl_seconds: int = 3600
    #: Time budget of one scan, reading included (the same check as FOREWARN_MAX_SECONDS).
    scan_seconds: int = 300

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            minimum = 0 if f.name == "max_queue" else 1
            if isinstance(value, int) and f.name != "port" and value < minimum:
                raise ValueError(f"{f.name} must be at least {minimum}, not {value}")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then FOREWARN_SERVE_* variables (sizes in MB), then ``overrides``."""
        values: dict[str, object] = {}
        for name, (attr, unit) in ENV.items():
            raw = os.environ.get(name, "").strip()
            if not raw:
                continue
            try:
                values[attr] = int(float(raw) * unit) if unit else int(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number, not {raw!r}") from None
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
