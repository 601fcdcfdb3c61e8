"""The server's limits, where it listens and who may ask; FOREWARN_SERVE_* variables override."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields
from typing import Any

from forewarn.limits import MB


def _cores() -> int:
    return os.cpu_count() or 1


#: Environment variable -> (Settings field, bytes in one unit, 0 for a plain count, or the type
#: of a text setting: ``str`` as given, ``tuple`` comma-separated).
ENV: dict[str, tuple[str, Any]] = {
    "FOREWARN_SERVE_MAX_UPLOAD_MB": ("max_upload_bytes", MB),
    "FOREWARN_SERVE_CONCURRENCY": ("max_concurrent_scans", 0),
    "FOREWARN_SERVE_QUEUE": ("max_queue", 0),
    "FOREWARN_SERVE_MAX_JOBS": ("max_jobs", 0),
    "FOREWARN_SERVE_KEEP_JOBS": ("keep_jobs", 0),
    "FOREWARN_SERVE_JOB_TTL_SECONDS": ("job_ttl_seconds", 0),
    "FOREWARN_SERVE_SCAN_SECONDS": ("scan_seconds", 0),
    "FOREWARN_SERVE_MAX_CONNECTIONS": ("max_connections", 0),
    "FOREWARN_SERVE_BODY_SECONDS": ("body_seconds", 0),
    "FOREWARN_SERVE_MIN_UPLOAD_KBPS": ("min_upload_rate", 1024),
    "FOREWARN_SERVE_UPLOAD_BUFFER_MB": ("upload_buffer_bytes", MB),
    "FOREWARN_SERVE_WORKER_MAX_MB": ("worker_max_rss_bytes", MB),
    "FOREWARN_SERVE_ALLOWED_HOSTS": ("allowed_hosts", tuple),
    "FOREWARN_SERVE_TOKEN": ("token", str),
}
#: Host names a loopback server always answers to.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


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
    #: Open connections; beyond it a new request gets 503 (idle ones count until they time out).
    max_connections: int = 256
    #: Seconds any request has to send its headers, and its body before the rate below applies.
    body_seconds: int = 10
    #: Bytes per second a body must average once ``body_seconds`` have passed (408 below it).
    min_upload_rate: int = 20 * 1024
    #: Request bodies held in memory at once, all requests together (429 for the one beyond).
    upload_buffer_bytes: int = 128 * MB
    #: A scan worker grown past this resident size is replaced after its scan.
    worker_max_rss_bytes: int = 1024 * MB
    #: Host names answered besides the bound address (and loopback names on loopback).
    allowed_hosts: tuple[str, ...] = ()
    #: When set, every API request needs ``Authorization: Bearer <token>``.
    token: str = field(default="", repr=False)
    #: The browser extension's token (server/pairing.py): /v1/extension/… need it, always.
    #: Empty (as in an app made without ``forewarn serve``): those endpoints refuse everyone.
    pairing_token: str = field(default="", repr=False)
    #: Listening on a non-loopback address is refused unless this is set (--allow-remote).
    allow_remote: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            minimum = 0 if f.name == "max_queue" else 1
            counted = isinstance(value, int) and not isinstance(value, bool)
            if counted and f.name != "port" and value < minimum:
                raise ValueError(f"{f.name} must be at least {minimum}, not {value}")
        if self.upload_buffer_bytes < 2 * self.max_upload_bytes:
            raise ValueError(
                "upload_buffer_bytes must hold one largest upload twice (the body and the "
                f"story read from it): at least {2 * self.max_upload_bytes}"
            )
        if not self.loopback and not self.allow_remote:
            raise ValueError(
                f"--host {self.host} is not a loopback address: anyone who can reach it could "
                "use this server; add --allow-remote if that is what you want"
            )

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then FOREWARN_SERVE_* variables (sizes in MB), then ``overrides``."""
        values: dict[str, object] = {}
        for name, (attr, unit) in ENV.items():
            raw = os.environ.get(name, "").strip()
            if not raw:
                continue
            if unit is str:
                values[attr] = raw
            elif unit is tuple:
                values[attr] = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
            else:
                try:
                    values[attr] = int(float(raw) * unit) if unit else int(raw)
                except ValueError:
                    raise ValueError(f"{name} must be a number, not {raw!r}") from None
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def loopback(self) -> bool:
        """Whether the server listens on a loopback address only."""
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """``localhost``, an address in 127.0.0.0/8, or ``::1``."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
