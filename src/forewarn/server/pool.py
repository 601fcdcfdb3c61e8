"""The worker pool behind every scan, and the admission rule that keeps it from drowning.

At most ``max_concurrent_scans`` scans run (one per worker process) and ``max_queue`` wait;
a request beyond that is refused at once with 429 and a Retry-After estimated from recent
scan times, so memory and latency stay bounded however many clients arrive. A scan that runs
past its deadline or whose caller stops waiting has its worker killed; a worker that crashed,
was killed or grew past ``worker_max_rss_bytes`` is replaced at once by one that loads its
models before it takes a task, so the next request never pays for a cold start.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from forewarn.models.encoder import threads_per_worker
from forewarn.server.problems import Problem
from forewarn.server.settings import Settings
from forewarn.server.work import ScanOutcome, ScanTask
from forewarn.server.workers import Worker, WorkerGone

log = logging.getLogger("forewarn.server")
#: A worker checks its own deadline between stages; past this much more, the server kills it.
KILL_GRACE_SECONDS = 2.0
#: Pause before starting another replacement after one died while warming up.
RESPAWN_PAUSE_SECONDS = 1.0


class ScanPool:
    """Worker processes with admission control; ``in_flight`` counts running and waiting scans."""

    def __init__(
        self,
        settings: Settings,
        observe: Callable[[ScanOutcome, float], None] | None = None,
        replaced: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.observe = observe
        #: Told each time a worker is replaced, with why: crash, deadline, abandoned or memory.
        self.replaced = replaced
        self.workers = settings.max_concurrent_scans
        self.requests = 0  # request scans admitted (running or waiting)
        self.jobs = 0  # job scans handed to the pool (running or waiting)
        self._seconds = 0.5  # moving average of one scan's time, for Retry-After
        self._threads = threads_per_worker(self.workers)
        self._all: set[Worker] = set()
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()  # warming up and watching workers
        self._closed = False

    @property
    def in_flight(self) -> int:
        return self.requests + self.jobs

    @property
    def queue_depth(self) -> int:
        """Scans waiting for a free worker."""
        return max(0, self.in_flight - self.workers)

    @property
    def ready(self) -> int:
        """Worker processes that have loaded their models (idle or scanning)."""
        return sum(worker.ready for worker in self._all)

    def retry_after(self) -> int:
        """Seconds until a worker is likely free: the waiting scans' share of recent scan time."""
        return min(60, max(1, math.ceil(self._seconds * (self.queue_depth + 1) / self.workers)))

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Hold a place for one request's scan, or raise a 429 Problem when all are taken."""
        if self.requests >= self.workers + self.settings.max_queue:
            seconds = self.retry_after()
            raise Problem(
                429,
                f"the server is busy ({self.in_flight} scans running or waiting); "
                f"retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
                retry_after=seconds,
            )
        self.requests += 1
        try:
            yield
        finally:
            self.requests -= 1

    async def warm_up(self) -> None:
        """Start every worker now and wait until each has built its pipeline."""
        for _ in range(self.workers):
            self._start()
        await asyncio.gather(*self._tasks)

    def _start(self) -> None:
        """Start one worker; it joins the idle ones once it is warm."""
        worker = Worker(self._threads)
        self._all.add(worker)
        self._spawn(self._warm(worker))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _watch(self, worker: Worker) -> None:
        """Replace ``worker`` if it ends on its own (killed by the OOM killer, say), even idle."""
        await worker.ended()
        self._replace(worker, "crash")

    async def _warm(self, worker: Worker) -> None:
        try:
            await worker.warm()
        except WorkerGone:
            log.error("a scan worker died while loading its models; starting another")
            self._retire(worker)
            await asyncio.sleep(RESPAWN_PAUSE_SECONDS)
            if not self._closed:
                self._start()
            return
        self._spawn(self._watch(worker))
        self._idle.put_nowait(worker)

    def _replace(self, worker: Worker, reason: str) -> None:
        """Kill ``worker`` (whatever it is doing) and start a warm replacement, once."""
        if worker not in self._all:
            return  # already replaced
        if self.replaced is not None:
            self.replaced(reason)
        self._retire(worker)
        if not self._closed:
            self._start()

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        self._all.discard(worker)

    async def run(self, task: ScanTask) -> ScanOutcome:
        """Scan ``task`` in a free worker; the worker is killed if the scan overruns or the
        caller is cancelled (client gone), and a crashed one answers 503."""
        worker = await self._idle.get()
        while worker not in self._all:  # it died while idle and has been replaced
            worker = await self._idle.get()
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(task.max_seconds + KILL_GRACE_SECONDS):
                outcome = await worker.run(task)
        except TimeoutError:
            self._replace(worker, "deadline")
            raise Problem(
                422,
                f"{task.source}: took longer than {task.max_seconds} s to scan (the limit; "
                "raise it with FOREWARN_SERVE_SCAN_SECONDS)",
            ) from None
        except WorkerGone:
            self._replace(worker, "crash")
            raise Problem(
                503,
                "a scanner process stopped unexpectedly (out of memory?); it has been restarted",
                headers={"Retry-After": "1"},
                retry_after=1,
            ) from None
        except BaseException:  # cancelled: the client went away, or the server is stopping
            self._replace(worker, "abandoned")
            raise
        if worker.rss_bytes() > self.settings.worker_max_rss_bytes:
            self._replace(worker, "memory")
        else:
            self._idle.put_nowait(worker)
        seconds = loop.time() - started
        self._seconds = 0.8 * self._seconds + 0.2 * seconds
        if self.observe is not None:
            self.observe(outcome, seconds)
        return outcome

    def close(self) -> None:
        """Stop every worker now, running scans included: the server is going away."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            self._retire(worker)
