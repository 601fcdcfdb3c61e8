"""Who may use ``forewarn serve``: host names it answers to, the token, listening beyond loopback.

A page on another site can point its own name at 127.0.0.1 (DNS rebinding); the server must
refuse the requests that name it. A deployment opts in to remote clients and can require a token.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ROOT
from tests.server.conftest import LiveServer, start_server, stop_server, worker_pids

# Every test here talks to a live `forewarn serve` (a few seconds to start).
pytestmark = pytest.mark.slow

TOKEN = "s3cret-token-for-tests"


def port_of(server: LiveServer) -> str:
    return server.url.rsplit(":", 1)[1]


def test_a_foreign_host_name_is_refused(live_server: LiveServer) -> None:
    port = port_of(live_server)
    rebound = httpx.get(f"{live_server.url}/v1/taxonomy", headers={"Host": f"evil.example:{port}"})
    assert rebound.status_code == 421, rebound.text
    assert "evil.example" in rebound.json()["detail"]
    for name in ("localhost", "127.0.0.1", "[::1]"):
        ok = httpx.get(f"{live_server.url}/healthz", headers={"Host": f"{name}:{port}"})
        assert ok.status_code == 200, (name, ok.text)


def test_listening_beyond_loopback_needs_allow_remote() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "forewarn", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--allow-remote" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def remote() -> Iterator[LiveServer]:
    """A deployment: every address, one extra host name, a token, and workers that may not
    grow at all (so every scan's worker is replaced)."""
    server = start_server(
        "remote",
        {
            "FOREWARN_SERVE_TOKEN": TOKEN,
            "FOREWARN_SERVE_ALLOWED_HOSTS": "forewarn.example",
            "FOREWARN_SERVE_WORKER_MAX_MB": "1",
        },
        ("--host", "0.0.0.0", "--allow-remote"),
    )
    yield server
    stop_server(server)


def test_remote_listening_is_announced(remote: LiveServer) -> None:
    assert "warning: listening on 0.0.0.0, not loopback" in remote.log()


def test_the_api_needs_the_token(remote: LiveServer) -> None:
    url, story = f"{remote.url}/v1/scan", {"text": "He died in the war."}
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    missing = httpx.post(url, json=story)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(url, json=story, headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401
    assert httpx.post(url, json=story, headers=bearer, params={"mode": "fast"}).status_code == 200

    job = httpx.post(f"{remote.url}/v1/jobs", json=story, headers=bearer)
    assert job.status_code == 202 and re.fullmatch(r"[0-9a-f]{32}", job.json()["id"])
    assert httpx.get(f"{remote.url}{job.headers['location']}").status_code == 401
    assert httpx.get(f"{remote.url}{job.headers['location']}", headers=bearer).status_code == 200
    assert httpx.get(f"{remote.url}/metrics").status_code == 401
    # the page and liveness stay open (the page's own scans need the token)
    assert httpx.get(f"{remote.url}/").status_code == 200
    assert httpx.get(f"{remote.url}/healthz").status_code == 200


def test_allowed_host_names_and_no_others(remote: LiveServer) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    allowed = httpx.get(f"{remote.url}/v1/taxonomy", headers={**bearer, "Host": "forewarn.example"})
    assert allowed.status_code == 200
    other = httpx.get(f"{remote.url}/v1/taxonomy", headers={**bearer, "Host": "evil.example"})
    assert other.status_code == 421


def settled(server: LiveServer) -> bool:
    """Nothing running and every worker warm (earlier scans' workers replaced)."""
    health = httpx.get(f"{server.url}/healthz").json()
    return health["in_flight"] == 0 and health["workers_ready"] == health["workers"]


def test_a_worker_grown_past_the_threshold_is_replaced(remote: LiveServer) -> None:
    deadline = time.monotonic() + 60
    while not settled(remote):
        assert time.monotonic() < deadline, "the server never settled"
        time.sleep(0.1)
    before = set(worker_pids(remote))
    response = httpx.post(
        f"{remote.url}/v1/scan",
        content=b"He died in the war.",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
        params={"mode": "fast"},
        timeout=60,
    )
    assert response.status_code == 200
    after = set(worker_pids(remote))
    assert len(before - after) == 1, "the worker that scanned (over 1 MB) was not replaced"
    metrics = httpx.get(f"{remote.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert re.search(r'forewarn_scan_workers_replaced_total\{reason="memory"\} [1-9]', metrics)
