"""HTTP load on a real ``forewarn serve``: throughput, latency, statuses, peak RSS; then overload.

``python -m benchmarks.load`` (or ``make load``) starts ``forewarn serve`` on a loopback port with a
queue deep enough for every client and sends ``--requests`` scans ``--concurrency`` at a time, in a
seeded order: short pasted texts, chapters and long works cut from the shared novels, and EPUB
uploads (the test fixtures). Then it restarts the server with a small queue and sends more clients
than it admits: work may be refused only by a 429 with Retry-After, never by a 5xx. Last, slow
clients: ``--idle-connections`` connections send a scan's headers and one byte of its body and
then nothing for ``--idle-seconds``, while a few real clients scan: every real request must be
served and every idle connection answered 408. The RSS of the server and its worker processes
is sampled from /proc throughout. Only this tool's section of docs/BENCHMARKS.md (between its
markers) is replaced. Exit 1 if any 5xx, transport error, 429 without Retry-After, real request
refused beside the idle connections, idle connection never answered, or unhealthy server after.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from benchmarks.bench import NOVELS, OUTPUT, ROOT, machine, write_section
from forewarn.limits import MB

START, END = "<!-- bench:load -->", "<!-- /bench:load -->"
EPUBS = ROOT / "tests" / "fixtures"
#: Inputs in every 20 requests: mostly short pastes, some chapters, one long work, some EPUBs.
MIX = {"short": 12, "chapter": 4, "long": 1, "epub": 3}
SHORT_WORDS, CHAPTER_WORDS = (50, 400), (3_000, 7_000)
SAMPLE_SECONDS = 0.1
#: A line of the server's access log: `127.0.0.1 "POST /v1/scan" 429 0.8 ms`.
ACCESS = re.compile(r'"POST /v1/scan" (\d{3}) ([\d.]+) ms')


@dataclass(frozen=True)
class Payload:
    """One request body: pasted text (``content_type`` set) or an uploaded file (``filename``)."""

    kind: str
    content: bytes
    content_type: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one request got: its status (or transport error name), time and Retry-After."""

    kind: str
    status: str
    seconds: float
    size: int
    retry_after: str | None = None


@dataclass
class Phase:
    """One phase of the run: the server's limits, what the clients got, and memory."""

    name: str
    limits: str
    clients: int
    outcomes: list[Outcome] = field(default_factory=list)
    wall: float = 0.0
    idle_mb: float = 0.0
    peak_mb: float = 0.0
    peak_processes: int = 0
    healthy_after: bool = False
    #: Seconds the server took per answer, by status, from its own access log.
    handled: dict[str, list[float]] = field(default_factory=dict)
    #: The idle connections held during the phase, if any.
    idle: IdleClients | None = None

    def statuses(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    def served(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "200"]

    def failures(self) -> list[str]:
        """Why this phase fails the run: server errors, lost requests, 429 with no Retry-After."""
        bad = [s for s in self.statuses() if not s.isdigit() or s.startswith("5")]
        out = [f"{self.name}: {s} x{self.statuses()[s]}" for s in sorted(bad)]
        bare = [o for o in self.outcomes if o.status == "429" and not _seconds(o.retry_after)]
        if bare:
            out.append(f"{self.name}: {len(bare)} 429 answer(s) without a valid Retry-After")
        if not self.healthy_after:
            out.append(f"{self.name}: /healthz did not answer 200 with nothing in flight after")
        if self.idle is not None:
            refused = len(self.outcomes) - len(self.served())
            if refused:
                out.append(f"{self.name}: {refused} real request(s) not served beside idle ones")
            unanswered = self.idle.count - self.idle.statuses().get("408", 0)
            if unanswered:
                out.append(f"{self.name}: {unanswered} idle connection(s) not answered 408")
        return out


def _seconds(value: str | None) -> int:
    """A Retry-After header's whole seconds (at least 1), or 0 when missing or malformed."""
    return int(value) if value is not None and value.isdigit() and int(value) >= 1 else 0


# -- inputs ------------------------------------------------------------------------------------


def _cut(paragraphs: list[str], rng: random.Random, words: int) -> str:
    """Consecutive paragraphs (wrapping around) from a random start, until ``words`` words."""
    start = rng.randrange(len(paragraphs))
    piece: list[str] = []
    total = 0
    while total < words:
        piece.append(paragraphs[(start + len(piece)) % len(paragraphs)])
        total += len(piece[-1].split())
    return "\n\n".join(piece) + "\n"


def payloads(texts: Sequence[Path], count: int, long_words: int, seed: int) -> list[Payload]:
    """``count`` request bodies in the proportions of MIX, in a seeded order."""
    rng = random.Random(seed)
    novels = [
        [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()] for path in texts
    ]
    epubs = sorted(EPUBS.glob("*.epub"))
    cycle = [kind for kind, n in MIX.items() for _ in range(n)]
    kinds = (cycle * math.ceil(count / len(cycle)))[:count]
    rng.shuffle(kinds)
    out = []
    for i, kind in enumerate(kinds):
        novel = rng.choice(novels)
        if kind == "epub":
            path = epubs[i % len(epubs)]
            out.append(Payload(kind, path.read_bytes(), filename=path.name))
        elif kind == "short" and i % 2:
            text = _cut(novel, rng, rng.randint(*SHORT_WORDS))
            body = httpx.Request("POST", "/", json={"text": text, "title": f"Paste {i}"}).read()
            out.append(Payload(kind, body, "application/json"))
        else:
            words = {"short": SHORT_WORDS, "chapter": CHAPTER_WORDS}.get(kind)
            text = _cut(novel, rng, rng.randint(*words) if words else long_words)
            out.append(Payload(kind, text.encode(), "text/plain; charset=utf-8"))
    return out


# -- the server and its memory -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running ``forewarn serve``: its base URL, process and log file (stdout and stderr)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def handled(self) -> dict[str, list[float]]:
        """Seconds the server itself took per /v1/scan answer, by status (its access log)."""
        out: dict[str, list[float]] = {}
        for status, ms in ACCESS.findall(self.log.read_text(encoding="utf-8", errors="replace")):
            out.setdefault(status, []).append(float(ms) / 1000)
        return out


@contextmanager
def serve(env: dict[str, str]) -> Iterator[Server]:
    """A ``forewarn serve`` subprocess with ``env`` limits, once its /healthz answers."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "serve.log"
        with log.open("ab") as out:  # appends: reading the log never moves the server's offset
            process = subprocess.Popen(
                [sys.executable, "-m", "forewarn", "serve", "--port", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
                cwd=ROOT,
            )
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            deadline = time.monotonic() + 120
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    if httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError(f"forewarn serve did not start:\n{log.read_text()[-2000:]}")
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces or ")"
        children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_mb(pids: Sequence[int]) -> float:
    """The summed VmRSS of ``pids`` (shared pages count once per process), in MB."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total * 1024 / MB


class PeakRss(threading.Thread):
    """Samples the RSS of a process tree every SAMPLE_SECONDS until stopped; keeps the peak."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0.0
        self.processes = 0
        self._done = threading.Event()

    def sample(self) -> float:
        tree = process_tree(self.root)
        mb = rss_mb(tree)
        if mb > self.peak:
            self.peak, self.processes = mb, len(tree)
        return mb

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.sample()


class IdleClients(threading.Thread):
    """Connections that send a scan's headers and one byte of its body, then nothing; each
    notes when the server answered it and with which status, until ``seconds`` have passed."""

    def __init__(self, url: str, count: int, seconds: float) -> None:
        super().__init__(daemon=True)
        host, port = url.split("//")[1].rsplit(":", 1)
        self.address = (host, int(port))
        self.count = count
        self.seconds = seconds
        #: (status, or "none" if held to the end unanswered; seconds from the byte to it)
        self.answers: list[tuple[str, float]] = []
        self.opened = threading.Event()

    def run(self) -> None:
        host, port = self.address
        head = (
            f"POST /v1/scan HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/plain\r\n"
            "Content-Length: 100000\r\n\r\nx"
        ).encode()
        selector = selectors.DefaultSelector()
        sent: dict[socket.socket, float] = {}
        for _ in range(self.count):
            sock = socket.create_connection(self.address, timeout=30)
            sock.sendall(head)
            sock.setblocking(False)
            sent[sock] = time.monotonic()
            selector.register(sock, selectors.EVENT_READ)
        self.opened.set()
        ends = time.monotonic() + self.seconds
        while sent and time.monotonic() < ends:
            for key, _ in selector.select(timeout=max(0.0, ends - time.monotonic())):
                conn = key.fileobj
                assert isinstance(conn, socket.socket)
                data = conn.recv(4096)
                status = data.split(b" ")[1].decode() if data.count(b" ") >= 2 else "closed"
                self.answers.append((status, time.monotonic() - sent.pop(conn)))
                selector.unregister(conn)
                conn.close()
        for sock in sent:
            self.answers.append(("none", self.seconds))
            sock.close()
        selector.close()

    def statuses(self) -> Counter[str]:
        return Counter(status for status, _ in self.answers)


# -- the clients -------------------------------------------------------------------------------


async def _send(client: httpx.AsyncClient, payload: Payload) -> Outcome:
    started = time.perf_counter()
    try:
        if payload.filename:
            files = {"file": (payload.filename, payload.content)}
            response = await client.post("/v1/scan", files=files)
        else:
            headers = {"Content-Type": payload.content_type or "text/plain"}
            response = await client.post("/v1/scan", content=payload.content, headers=headers)
        status, retry = str(response.status_code), response.headers.get("retry-after")
    except httpx.TransportError as exc:
        status, retry = type(exc).__name__, None
    seconds = time.perf_counter() - started
    return Outcome(payload.kind, status, seconds, len(payload.content), retry)


async def drive(url: str, bodies: Sequence[Payload], clients: int) -> tuple[list[Outcome], float]:
    """Send every body from ``clients`` concurrent clients; (outcomes, wall seconds)."""
    todo = iter(bodies)
    outcomes: list[Outcome] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(600, connect=60)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:

        async def one_client() -> None:
            for payload in todo:
                outcomes.append(await _send(client, payload))

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        return outcomes, time.perf_counter() - started


def _healthy(url: str) -> bool:
    try:
        response = httpx.get(f"{url}/healthz", timeout=30)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and response.json().get("in_flight") == 0


@dataclass(frozen=True)
class Idle:
    """Idle connections to hold beside the real clients: how many, for how long, and the
    server's FOREWARN_SERVE_BODY_SECONDS (None: its default)."""

    connections: int
    seconds: float
    body_seconds: int | None = None


def run_phase(
    name: str,
    bodies: Sequence[Payload],
    clients: int,
    workers: int | None,
    queue: int,
    idle: Idle | None = None,
) -> Phase:
    """Start a server with ``workers`` and ``queue``, load it with ``clients`` (beside ``idle``
    connections), measure."""
    env = {"FOREWARN_SERVE_QUEUE": str(queue)}
    if workers:
        env["FOREWARN_SERVE_CONCURRENCY"] = str(workers)
    if idle is not None and idle.body_seconds is not None:
        env["FOREWARN_SERVE_BODY_SECONDS"] = str(idle.body_seconds)
    with serve(env) as server:
        count = httpx.get(f"{server.url}/healthz", timeout=30).json()["workers"]
        phase = Phase(name, f"{count} worker(s), queue {queue}", clients)
        if idle is not None:
            phase.limits += f", {idle.connections} idle connections for {idle.seconds:g} s"
            phase.idle = IdleClients(server.url, idle.connections, idle.seconds)
        sampler = PeakRss(server.process.pid)
        phase.idle_mb = sampler.sample()
        sampler.start()
        try:
            if phase.idle is not None:
                phase.idle.start()
                phase.idle.opened.wait(60)
            phase.outcomes, phase.wall = asyncio.run(drive(server.url, bodies, clients))
            if phase.idle is not None:
                phase.idle.join()
        finally:
            sampler.stop()
        phase.peak_mb, phase.peak_processes = sampler.peak, sampler.processes
        phase.healthy_after = _healthy(server.url)
        phase.handled = server.handled()
    print(f"{name}: {dict(phase.statuses())} in {phase.wall:.1f} s", file=sys.stderr)
    return phase


# -- the report --------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _latency(outcomes: Sequence[Outcome]) -> str:
    times = [o.seconds for o in outcomes]
    return " | ".join(f"{percentile(times, q):.2f} s" for q in (0.5, 0.95, 1.0))


def _statuses(phase: Phase) -> str:
    return ", ".join(f"{s}: {n}" for s, n in sorted(phase.statuses().items()))


def _row(phase: Phase) -> str:
    served = phase.served()
    rate = len(phase.outcomes) / phase.wall if phase.wall else 0.0
    scanned = sum(o.size for o in served) / MB / phase.wall if phase.wall else 0.0
    return (
        f"| {phase.name} | {phase.limits} | {len(phase.outcomes)} | {phase.clients} | "
        f"{phase.wall:.1f} s | {rate:.1f} | {len(served) / phase.wall:.1f} | {scanned:.2f} | "
        f"{_latency(served)} | {_statuses(phase)} | {phase.idle_mb:.0f} MB | "
        f"{phase.peak_mb:.0f} MB ({phase.peak_processes} processes) |"
    )


def _refusals(phase: Phase) -> str:
    refused = [o for o in phase.outcomes if o.status == "429"]
    if not refused:
        return f"{phase.name}: no request was refused."
    waits = sorted({_seconds(o.retry_after) for o in refused} - {0})
    with_header = sum(_seconds(o.retry_after) > 0 for o in refused)
    shown = "none" if not waits else f"{waits[0]} s"
    if len(waits) > 1:
        shown = f"{waits[0]}-{waits[-1]} s"
    inside = phase.handled.get("429", [])
    server = " / ".join(f"{percentile(inside, q) * 1000:.1f} ms" for q in (0.5, 0.95, 1.0))
    return (
        f"{phase.name}: {len(refused)} refused with 429, {with_header} of them with Retry-After "
        f"(values {shown}). Handling a refusal took the server {server} (p50 / p95 / max, from "
        "its access log: routing to answer); the clients waited "
        f"{_latency(refused).replace(' | ', ' / ')} for it (connection queueing included, on "
        "the shared cores)."
    )


def _idle(phase: Phase) -> str:
    idle = phase.idle
    assert idle is not None
    waits = [seconds for status, seconds in idle.answers if status == "408"]
    answered = ", ".join(f"{s}: {n}" for s, n in sorted(idle.statuses().items()))
    return (
        f"{phase.name}: {len(phase.served())} of {len(phase.outcomes)} real requests served "
        f"while {idle.count} idle connections were held (each sent a scan's headers and one "
        f"byte, then nothing, for {idle.seconds:g} s). The idle ones got {answered}, "
        + " / ".join(f"{percentile(waits, q):.1f} s" for q in (0.5, 0.95, 1.0))
        + " (p50 / p95 / max) after their byte; each answer closed its connection."
    )


def render(phases: Sequence[Phase], bodies: Sequence[Payload], command: str, start: str) -> str:
    kinds = Counter(p.kind for p in bodies)
    sizes = {k: sum(len(p.content) for p in bodies if p.kind == k) / kinds[k] for k in kinds}
    first = phases[0]
    lines = [
        START,
        "## HTTP load: `forewarn serve` on loopback",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`: a real `forewarn "
        "serve` subprocess on 127.0.0.1, driven by async httpx clients on the same machine (they "
        "share its cores). Every request is `POST /v1/scan` (default mode) in a seeded order: "
        f"{kinds['short']} short pastes (text/plain or JSON), {kinds['chapter']} chapters (JSON) "
        f"and {kinds['long']} long works (text/plain) cut from the shared novels at paragraph "
        f"breaks, and {kinds['epub']} EPUB uploads (tests/fixtures, multipart). Latency is per "
        "request, first byte sent to last byte read. RSS is the sum of VmRSS over the server "
        f"process and its children (scan workers, resource tracker), sampled every "
        f"{SAMPLE_SECONDS} s from /proc; *idle* is after start-up, before the first request.",
        "",
        *(f"- {k}: {v}" for k, v in machine().items() if k != "load average at start"),
        f"- load average (1, 5, 15 min) at start: {start}; at end: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + " (other helpers' work, such as a fuzz campaign, may share the cores)",
        "",
        "| phase | server | requests | clients | wall | requests/s | scans/s | MB/s scanned "
        "| p50 (200s) | p95 (200s) | max (200s) | statuses | RSS idle | RSS peak |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
        *(_row(p) for p in phases),
        "",
        f"Served scans in the *{first.name}* phase by input:",
        "",
        "| input | requests | mean body | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in MIX:
        done = [o for o in first.served() if o.kind == kind]
        if done:
            lines.append(
                f"| {kind} | {len(done)} | {sizes[kind] / 1024:,.1f} KB | {_latency(done)} |"
            )
    lines += ["", *(f"- {_refusals(p)}" for p in phases)]
    lines += [f"- {_idle(p)}" for p in phases if p.idle is not None]
    failures = [f for p in phases for f in p.failures()]
    lines += [
        "- No 5xx, no transport error, every 429 with Retry-After, every idle connection "
        "answered 408, and /healthz answered 200 with nothing in flight after each phase."
        if not failures
        else "- **Failures:** " + "; ".join(failures),
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", nargs="*", type=Path, help="texts to cut (default: the novels)")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, help="scan workers (default: the server's own)")
    parser.add_argument("--queue", type=int, help="load phase queue (default: --concurrency)")
    parser.add_argument("--long-words", type=int, default=100_000, help="words in a long work")
    parser.add_argument("--overload-requests", type=int, default=600)
    parser.add_argument("--overload-concurrency", type=int, default=200)
    parser.add_argument("--overload-queue", type=int, default=4)
    parser.add_argument("--idle-connections", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument("--idle-requests", type=int, default=60, help="real ones beside them")
    parser.add_argument("--idle-concurrency", type=int, default=4)
    parser.add_argument("--body-seconds", type=int, help="FOREWARN_SERVE_BODY_SECONDS there")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    texts = args.texts or sorted(NOVELS.glob("*.txt"))
    if not texts:
        parser.error(f"no texts given and none in {NOVELS}")
    command = " ".join(["python -m benchmarks.load", *(sys.argv[1:] if argv is None else argv)])
    start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    load = payloads(texts, args.requests, args.long_words, args.seed)
    over = payloads(texts, args.overload_requests, args.long_words, args.seed + 1)
    beside = payloads(texts, args.idle_requests, args.long_words, args.seed + 2)
    queue = args.concurrency if args.queue is None else args.queue
    idle = Idle(args.idle_connections, args.idle_seconds, args.body_seconds)
    phases = [
        run_phase("load", load, args.concurrency, args.workers, queue),
        run_phase("overload", over, args.overload_concurrency, args.workers, args.overload_queue),
        run_phase("slow clients", beside, args.idle_concurrency, args.workers, queue, idle),
    ]
    section = render(phases, load, command.strip(), start)
    write_section(args.output, section, START, END)
    sys.stdout.write(section)
    failures = [f for p in phases for f in p.failures()]
    for failure in failures:
        print(f"benchmarks.load: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
