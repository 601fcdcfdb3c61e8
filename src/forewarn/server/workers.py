"""One scan worker process and the pipe to it: started warm, given one task at a time, killable.

The server owns each process (unlike a ProcessPoolExecutor), so it can end one that runs past
its deadline, whose client left, or that grew too big, and start a warm replacement at once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.context import SpawnProcess
from pathlib import Path

from forewarn.server.work import READY, ScanOutcome, ScanTask, serve_tasks

# spawn, not fork: the server process has threads, and a fork would copy their locks
_SPAWN = multiprocessing.get_context("spawn")


class WorkerGone(Exception):
    """The worker process ended (killed, crashed or out of memory) before it answered."""


class Worker:
    """A spawned process running ``serve_tasks``; ``ready`` once its pipelines are built."""

    def __init__(self, threads: int) -> None:
        self._conn, child = _SPAWN.Pipe()
        self.process: SpawnProcess = _SPAWN.Process(
            target=serve_tasks, args=(child, threads), name="forewarn-scan", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    async def warm(self) -> None:
        """Wait until the process has loaded its models; WorkerGone if it dies first."""
        if await self._receive() != READY:
            raise WorkerGone("the worker did not start")
        self.ready = True

    async def run(self, task: ScanTask) -> ScanOutcome:
        """Have the process scan ``task``; cancelling this kills nothing (see ``kill``)."""
        try:  # in a thread: a 16 MB task does not fit the pipe, and the loop must not wait
            await asyncio.to_thread(self._conn.send, task)
        except OSError as exc:
            raise WorkerGone(str(exc)) from None
        outcome = await self._receive()
        assert isinstance(outcome, ScanOutcome)
        return outcome

    async def _receive(self) -> object:
        await _readable(self._conn.fileno())
        try:
            return self._conn.recv()  # the worker is writing it now: a short blocking read
        except (EOFError, OSError):
            raise WorkerGone(f"exit code {self.process.exitcode}") from None

    async def ended(self) -> None:
        """Return once the process has ended, however it ended."""
        await _readable(self.process.sentinel)

    def rss_bytes(self) -> int:
        """The process's resident memory now (0 where /proc is not there to tell)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def kill(self) -> None:
        """End the process at once, mid-scan or not, and reap it.

        The pipe is left to be closed when the last reference goes: a thread may still be in
        ``send`` (it fails now the reader is gone), and closing under it could hand its file
        descriptor number to another connection."""
        self.ready = False
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


async def _readable(fd: int) -> None:
    """Wait until ``fd`` has something to read (or is at its end) without blocking the loop."""
    loop = asyncio.get_running_loop()
    readable: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not readable.done():
            readable.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await readable
    finally:
        loop.remove_reader(fd)
