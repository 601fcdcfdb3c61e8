"""Stopping ``forewarn serve`` stops its scan workers too: nothing is left running after it."""

from __future__ import annotations

import os
import time
from pathlib import Path

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
