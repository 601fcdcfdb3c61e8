"""``forewarn serve`` under attack: idle connections, abandoned and overlong scans, crashed
workers, a flood of big uploads, and the busy server still telling bad input from overload.

Each test drives a real server over loopback (tests/server/conftest.py) and is bounded in time.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import EXAMPLE
from tests.server.conftest import LiveServer, start_server, stop_server, worker_pids

# Every test here talks to a live `forewarn serve` (a few seconds to start).
pytestmark = pytest.mark.slow

STORY = EXAMPLE.read_text(encoding="utf-8")
SCAN_SECONDS = 8


@pytest.fixture(scope="module")
def guarded() -> Iterator[LiveServer]:
    """Default limits but an 8-second scan deadline, so overlong scans end soon."""
    server = start_server("guarded", {"FOREWARN_SERVE_SCAN_SECONDS": str(SCAN_SECONDS)})
    yield server
    stop_server(server)


def address(server: LiveServer) -> tuple[str, int]:
    parts = urlsplit(server.url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def health(server: LiveServer) -> dict[str, object]:
    return httpx.get(f"{server.url}/healthz", timeout=10).json()  # type: ignore[no-any-return]


def wait_until(condition: object, seconds: float, what: str) -> float:
    """Poll ``condition()`` until true; the seconds it took (fails after ``seconds``)."""
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - started < seconds, f"{what} not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - started


def quick_scan(server: LiveServer, text: str = "He died in the war.\n") -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/scan",
        content=text.encode(),
        params={"mode": "fast"},
        headers={"Content-Type": "text/plain"},
        timeout=30,
    )


def idle_connection(server: LiveServer) -> socket.socket:
    """A client that sends a scan's headers and one byte of its body, then nothing."""
    host, port = address(server)
    sock = socket.create_connection((host, port), timeout=30)
    sock.sendall(
        f"POST /v1/scan?mode=fast HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\nx".encode()
    )
    return sock


def silent_connection(server: LiveServer) -> socket.socket:
    """A client that starts its request line and never finishes its headers."""
    sock = socket.create_connection(address(server), timeout=30)
    sock.sendall(b"POST /v1/scan HTTP/1.1\r\nHost: 127.0")
    return sock


def test_idle_connections_leave_real_scans_served(guarded: LiveServer) -> None:
    held = [idle_connection(guarded) for _ in range(50)]
    silent = [silent_connection(guarded) for _ in range(10)]
    try:
        answers: list[tuple[int, float]] = []
        started = time.monotonic()
        while time.monotonic() - started < 20:  # 50 idle connections held for 20 s
            sent = time.monotonic()
            answers.append((quick_scan(guarded).status_code, time.monotonic() - sent))
            time.sleep(0.5)
        assert len(answers) >= 5 and all(status == 200 for status, _ in answers), answers
        assert max(seconds for _, seconds in answers) < 15, answers
        # ... and each idle client was told its body came too slowly, then disconnected
        for sock in held:
            sock.settimeout(10)
            assert sock.recv(4096).startswith(b"HTTP/1.1 408 "), "an idle body was never refused"
        for sock in silent:  # ... and connections that never finished their headers were closed
            sock.settimeout(10)
            assert sock.recv(4096) == b"", "a connection without headers was kept open"
    finally:
        for sock in held + silent:
            sock.close()


def test_a_stuck_scan_is_stopped_at_its_deadline(guarded: LiveServer) -> None:
    workers = worker_pids(guarded)
    for pid in workers:  # every worker stuck, as in a loop that never checks the clock
        os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = quick_scan(guarded)
        took = time.monotonic() - started
    finally:
        for pid in workers:
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGCONT)
    body = response.json()
    assert response.status_code == 422 and "took longer than" in body["detail"], body
    assert SCAN_SECONDS <= took < SCAN_SECONDS + 8, f"answered after {took:.1f} s"
    assert health(guarded)["in_flight"] == 0
    wait_until(lambda: health(guarded)["workers_ready"] == len(workers), 60, "a warm worker")
    assert quick_scan(guarded).status_code == 200


def test_a_scan_whose_client_left_is_stopped(guarded: LiveServer) -> None:
    with pytest.raises(httpx.ReadTimeout):  # the client gives up on a long scan after a second
        httpx.post(
            f"{guarded.url}/v1/scan",
            content=(STORY * 20).encode(),
            params={"mode": "thorough"},
            headers={"Content-Type": "text/plain"},
            timeout=httpx.Timeout(60, read=1),
        )
    wait_until(lambda: health(guarded)["in_flight"] == 0, 2, "the abandoned scan ending")
    assert quick_scan(guarded).status_code == 200


def test_a_crashed_worker_is_replaced_warm_without_losing_the_others(guarded: LiveServer) -> None:
    workers = int(health(guarded)["workers"])  # type: ignore[arg-type]
    before = worker_pids(guarded)
    assert len(before) == workers, before
    os.kill(before[0], signal.SIGKILL)  # as the kernel's OOM killer would
    time.sleep(1)
    assert set(before[1:]) <= set(worker_pids(guarded)), "the other workers were stopped too"
    # A replacement starts and loads its models at once, before any request asks for it.
    wait_until(lambda: health(guarded)["workers_ready"] == workers, 60, "a warm replacement worker")
    after = worker_pids(guarded)
    assert len(after) == workers and before[0] not in after, after
    assert quick_scan(guarded).status_code == 200


def test_busy_server_still_tells_bad_input_from_overload(tight_server: LiveServer) -> None:
    results: list[httpx.Response] = []
    first = threading.Thread(
        target=lambda: results.append(
            httpx.post(
                f"{tight_server.url}/v1/scan",
                content=(STORY * 8).encode(),
                headers={"Content-Type": "text/plain"},
                timeout=120,
            )
        )
    )
    first.start()
    try:
        wait_until(lambda: health(tight_server)["in_flight"] == 1, 30, "the first scan")
        malformed = httpx.post(
            f"{tight_server.url}/v1/scan",
            content=b'{"text": ',
            headers={"Content-Type": "application/json"},
        )
        assert malformed.status_code == 422, malformed.text
        picture = httpx.post(
            f"{tight_server.url}/v1/scan", files={"file": ("a.png", b"\x89PNG\r\n\x1a\n" * 8)}
        )
        assert picture.status_code == 415, picture.text
        assert quick_scan(tight_server).status_code == 429  # a good story waits its turn
    finally:
        first.join(timeout=120)
    assert results and results[0].status_code == 200


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_flood_of_big_uploads_keeps_the_server_small(guarded: LiveServer) -> None:
    host, port = address(guarded)
    boundary = "fwboundary"
    picture = b"\x89PNG\r\n\x1a\n" + b"\0" * (15 * 2**20)  # 15 MB: under the 16 MB limit
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + picture
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        f"POST /v1/jobs HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    answers: list[bytes] = []

    def upload() -> None:
        with socket.create_connection((host, port), timeout=60) as sock:
            try:
                sock.sendall(head + body)
                answers.append(sock.recv(64))
            except OSError:  # refused mid-body: the server closed the connection
                answers.append(b"closed")

    idle = rss_mb(guarded.process.pid)
    peak = idle
    clients = [threading.Thread(target=upload) for _ in range(32)]
    for client in clients:
        client.start()
    while any(c.is_alive() for c in clients):
        peak = max(peak, rss_mb(guarded.process.pid))
        time.sleep(0.02)
    statuses = sorted({a.split(b" ")[1].decode() if b" " in a else a.decode() for a in answers})
    assert len(answers) == 32 and set(statuses) <= {"415", "429", "closed"}, answers
    assert "415" in statuses  # some were read whole and refused as pictures
    assert peak - idle < 450, f"32 uploads of 15 MB grew the server by {peak - idle:.0f} MB"
    assert quick_scan(guarded).status_code == 200


def test_connections_beyond_the_limit_are_turned_away(tight_server: LiveServer) -> None:
    held = [silent_connection(tight_server) for _ in range(8)]  # the limit is 8
    try:
        time.sleep(0.5)
        assert httpx.get(f"{tight_server.url}/healthz").status_code == 503
    finally:
        for sock in held:
            sock.close()
    wait_until(lambda: httpx.get(f"{tight_server.url}/healthz").status_code == 200, 5, "room again")
