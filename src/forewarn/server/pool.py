"""The worker pool behind every scan, and the admission rule that keeps it from drowning.

At most ``max_concurrent_scans`` scans run (one per worker process) and ``max_queue`` wait;
a request beyond that is refused at once with 429 and a Retry-After estimated from recent
scan times, so memory and latency stay bounded however many clients arrive.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from forewarn.models.encoder import threads_per_worker
from forewarn.server.problems import Problem
from forewarn.server.settings import Settings
from forewarn.server.work import ScanOutcome, ScanTask, init_worker, run_task, warm


class ScanPool:
    """A process pool with admission control; ``in_flight`` counts running and waiting scans."""

    def __init__(
        self, settings: Settings, observe: Callable[[ScanOutcome, float], None] | None = None
    ) -> None:
        self.settings = settings
        self.observe = observe
        self.workers = settings.max_concurrent_scans
        self.requests = 0  # request scans admitted (running or waiting)
        self.jobs = 0  # job scans handed to the pool (running or waiting)
        self._seconds = 0.5  # moving average of one scan's time, for Retry-After
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server process has threads, and a fork would copy their locks
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(threads_per_worker(self.workers),),
        )

    @property
    def in_flight(self) -> int:
        return self.requests + self.jobs

    @property
    def queue_depth(self) -> int:
        """Scans waiting for a free worker."""
        return max(0, self.in_flight - self.workers)

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

    async def run(self, task: ScanTask) -> ScanOutcome:
        """Scan ``task`` in a worker; a crashed worker restarts the pool and answers 503."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            outcome = await loop.run_in_executor(self._executor, run_task, task)
        except BrokenProcessPool:
            self._executor = self._start()
            raise Problem(
                503,
                "a scanner process stopped unexpectedly (out of memory?); it has been restarted",
                headers={"Retry-After": "1"},
                retry_after=1,
            ) from None
        seconds = loop.time() - started
        self._seconds = 0.8 * self._seconds + 0.2 * seconds
        if self.observe is not None:
            self.observe(outcome, seconds)
        return outcome

    async def warm_up(self) -> None:
        """Start every worker process now (and build its pipeline), not on the first requests."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._executor, warm) for _ in range(self.workers))
        )

    def close(self) -> None:
        """Stop every worker now, running scans included: the server is going away.

        ``shutdown(wait=False)`` alone leaves the workers orphaned, because uvicorn ends the
        process by re-raising SIGTERM, before the executor's exit handler would stop them.
        """
        # ProcessPoolExecutor has no public way to end its workers before Python 3.14.
        workers = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(timeout=5)
