"""Stopping ``forewarn serve`` stops its scan workers too, quietly, even in the middle of a scan."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLE
from tests.server.conftest import start_server, stop_server


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry))
    return out


@pytest.mark.slow
def test_stopping_the_server_ends_its_workers() -> None:
    server = start_server("shutdown", {"FOREWARN_SERVE_CONCURRENCY": "2"})
    workers = children(server.process.pid)
    assert len(workers) >= 2, workers  # two scan workers (and the resource tracker)
    stop_server(server)  # SIGTERM, as a service manager would send
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.1)
    left = [p for p in workers if Path(f"/proc/{p}").exists()]
    assert not left, f"worker processes left running after the server stopped: {left}"


@pytest.mark.slow
def test_stopping_during_a_scan_logs_no_traceback() -> None:
    server = start_server("shutdown-busy")
    long_story = EXAMPLE.read_text(encoding="utf-8") * 20
    client = threading.Thread(
        target=lambda: httpx.post(
            f"{server.url}/v1/scan",
            content=long_story.encode(),
            params={"mode": "thorough"},
            headers={"Content-Type": "text/plain"},
            timeout=60,
        ),
        daemon=True,
    )
    client.start()
    deadline = time.monotonic() + 30
    while httpx.get(f"{server.url}/healthz").json()["in_flight"] != 1:
        assert time.monotonic() < deadline, "the scan never started"
        time.sleep(0.05)
    started = time.monotonic()
    stop_server(server)  # SIGTERM while the scan runs
    assert time.monotonic() - started < 12, "the server took too long to stop"
    log = server.log()
    assert "Traceback" not in log and "CancelledError" not in log, log[-3000:]
