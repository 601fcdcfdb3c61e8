"""Background scans of long works: a bounded set of queued jobs, polled by id until done.

At most ``max_jobs`` are queued or running (429 beyond); finished jobs are kept for polling
until ``job_ttl_seconds`` pass or ``keep_jobs`` newer ones finish, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from forewarn.server.pool import ScanPool
from forewarn.server.problems import Problem
from forewarn.server.settings import Settings
from forewarn.server.work import ScanTask

STATUSES = ("queued", "running", "done", "failed")


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """One background scan; ``task`` is dropped once it has run, ``result`` kept until evicted."""

    id: str
    task: ScanTask | None
    status: str = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    @property
    def pending(self) -> bool:
        return self.status in ("queued", "running")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "result": self.result,
            "error": self.error,
        }


class JobQueue:
    """Jobs by id; runs them one or a few at a time on the shared scan pool."""

    def __init__(self, settings: Settings, pool: ScanPool) -> None:
        self.settings = settings
        self.pool = pool
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        # Leave a worker for interactive requests when there is more than one.
        self._slots = asyncio.Semaphore(max(1, settings.max_concurrent_scans - 1))

    def counts(self) -> dict[str, int]:
        """How many jobs are in each status."""
        out = dict.fromkeys(STATUSES, 0)
        for job in self._jobs.values():
            out[job.status] += 1
        return out

    def ensure_room(self) -> None:
        """A 429 Problem when ``max_jobs`` are already queued or running."""
        self._evict()
        pending = sum(job.pending for job in self._jobs.values())
        if pending >= self.settings.max_jobs:
            seconds = self.pool.retry_after()
            raise Problem(
                429,
                f"too many jobs queued or running ({pending}; the limit is "
                f"{self.settings.max_jobs}); retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
                retry_after=seconds,
            )

    def submit(self, task: ScanTask) -> Job:
        """Queue ``task`` (429 when full) and start it as soon as a job slot is free."""
        self.ensure_room()
        job = Job(id=secrets.token_hex(16), task=task)
        self._jobs[job.id] = job
        runner = asyncio.create_task(self._run(job))
        self._tasks.add(runner)
        runner.add_done_callback(self._tasks.discard)
        return job

    def get(self, job_id: str) -> Job | None:
        self._evict()
        return self._jobs.get(job_id)

    async def _run(self, job: Job) -> None:
        async with self._slots:
            task, job.task = job.task, None
            assert task is not None
            job.status, job.started = "running", time.time()
            self.pool.jobs += 1
            try:
                outcome = await self.pool.run(task)
            except Problem as problem:
                job.status, job.error = "failed", problem.to_dict()
            else:
                if outcome.status == 200 and isinstance(outcome.body, dict):
                    job.status, job.result = "done", outcome.body
                else:
                    job.status = "failed"
                    job.error = Problem(outcome.status, str(outcome.body)).to_dict()
            finally:
                self.pool.jobs -= 1
                job.finished = time.time()

    def _evict(self) -> None:
        """Forget finished jobs past their time to live, then the oldest beyond ``keep_jobs``."""
        now = time.time()
        finished = [j for j in self._jobs.values() if not j.pending]
        expired = [j for j in finished if now - (j.finished or now) > self.settings.job_ttl_seconds]
        for job in expired:
            del self._jobs[job.id]
        remaining = [j for j in finished if j not in expired]
        for job in remaining[: max(0, len(remaining) - self.settings.keep_jobs)]:
            del self._jobs[job.id]

    def close(self) -> None:
        for runner in self._tasks:
            runner.cancel()
