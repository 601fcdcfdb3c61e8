"""A real ``forewarn serve`` on a free loopback port, started once per test session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "serve"


@dataclass
class LiveServer:
    """A running server: its base URL, process and log file (stdout and stderr)."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    name: str, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> LiveServer:
    """``python -m forewarn serve ARGS`` on a free port; returns once /healthz answers."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"{name}.log"
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "forewarn", "serve", "--port", str(port), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            # the pairing token and the profile live in a config dir of the tests' own
            env={**os.environ, "XDG_CONFIG_HOME": str(ARTIFACTS / "config"), **(env or {})},
            cwd=ROOT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"forewarn serve exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"forewarn serve did not answer within 90 s:\n{server.log()}")


def worker_pids(server: LiveServer) -> list[int]:
    """The server's scan worker processes (its spawned children, not the resource tracker)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server.process.pid and b"resource_tracker" not in cmdline:
            out.append(int(entry))
    return out


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The server with its default limits (two workers on this machine, a queue of 16)."""
    server = start_server("live")
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def tight_server() -> Iterator[LiveServer]:
    """A server with tiny limits, so 413 and 429 are easy to reach on purpose."""
    server = start_server(
        "tight",
        {
            "FOREWARN_SERVE_MAX_UPLOAD_MB": "0.25",
            "FOREWARN_SERVE_CONCURRENCY": "1",
            "FOREWARN_SERVE_QUEUE": "0",
            "FOREWARN_SERVE_MAX_JOBS": "1",
            "FOREWARN_SERVE_MAX_CONNECTIONS": "8",
        },
    )
    yield server
    stop_server(server)
