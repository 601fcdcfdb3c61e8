"""The local batch engine: a process pool on all cores, journaling each result as it finishes.

Each worker warms its Scanner once (pool initializer). Only the parent writes the
journal, so lines never interleave; a worker that dies takes only its own work down.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from forewarn.batch.inputs import Work, iter_works
from forewarn.batch.interrupt import graceful_interrupt
from forewarn.batch.journal import Done, Journal
from forewarn.batch.progress import PlainProgress
from forewarn.batch.record import make_record, process, sha256_of
from forewarn.errors import InputError
from forewarn.models.encoder import threads_per_worker
from forewarn.overrides import apply_to_record, load_overrides
from forewarn.scanner import Scanner
from forewarn.version import model_version

#: Said on stderr at the first Ctrl-C.
STOPPING = (
    "forewarn: stopping: finishing the works in flight and journalling them "
    "(Ctrl-C again to abort at once)"
)
#: A unit of work for a worker: the work and the hash under which it is already done (if any).
Job = tuple[Work, str | None]
Record = dict[str, Any]


@dataclass
class Summary:
    """What a batch run did; ``warnings`` counts works per present category."""

    total: int = 0
    ok: int = 0
    errors: int = 0
    skipped: int = 0
    duplicates: int = 0
    #: Of ``skipped``, the works recorded as errors (rescanned only with ``--retry-errors``).
    skipped_errors: int = 0
    repaired: int = 0
    #: Numbers of journal lines that are not records (left as they are and ignored).
    damaged: list[int] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1
    warnings: Counter[str] = field(default_factory=Counter)
    #: Ctrl-C stopped the run: the works in flight were finished, ``not_started`` were not.
    interrupted: bool = False
    not_started: int = 0

    @property
    def scanned(self) -> int:
        return self.ok + self.errors

    @property
    def works_per_hour(self) -> float:
        return self.scanned * 3600 / self.seconds if self.seconds > 0 else 0.0

    def add(self, record: Record) -> None:
        if record["status"] == "ok":
            self.ok += 1
            for doc in record["report"]["documents"]:
                self.warnings.update(w["id"] for w in doc["warnings"])
        else:
            self.errors += 1

    def skip(self, previous: Done) -> None:
        """Count a work already recorded (as ``previous``) and not scanned again."""
        self.skipped += 1
        if previous.status != "ok":
            self.skipped_errors += 1


def run_work(work: Work, done_sha: str | None, scanner: Scanner, version: str) -> Record | None:
    """The record for ``work``, or None when its bytes still hash to ``done_sha``."""
    if work.error is not None:
        if done_sha is not None and done_sha == work.sha256:
            return None
        return make_record(work.id, work.source, work.sha256, version, error=work.error)
    try:
        payload = work.load()
    except InputError as exc:
        return make_record(work.id, work.source, None, version, error=exc.reason)
    sha = sha256_of(payload)
    if done_sha is not None and sha == done_sha:
        return None
    return process(work.id, work.source, payload, scanner, version, sha=sha)


# -- worker processes -------------------------------------------------------------------------
_WORKER: tuple[Scanner, str] | None = None


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this worker when the batch process dies (even by SIGKILL).

    Orphaned workers would otherwise wait forever on a queue whose writer they hold too.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)


def _init_worker(mode: str, version: str, parent: int, threads: int) -> None:
    global _WORKER
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and shuts down
    _WORKER = (Scanner(mode, threads=threads).warm(), version)  # its share of the cores


def _run_task(task: Job) -> Record | None:
    assert _WORKER is not None, "worker not initialised"
    return run_work(task[0], task[1], *_WORKER)


def _pool(workers: int, mode: str) -> ProcessPoolExecutor:
    """Workers stamp records with the parent's model version, so one run is consistent."""
    return ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(mode, model_version(mode), os.getpid(), threads_per_worker(workers)),
    )


def scan_tasks(
    tasks: Iterable[Job], mode: str, workers: int, stop: threading.Event | None = None
) -> Iterator[tuple[Work, Record | None]]:
    """(work, record or None if already done) for every task, as results finish.

    Once ``stop`` is set no new work starts; the works in flight finish and are yielded.
    """
    stop = stop or threading.Event()
    if workers <= 1:
        scanner, version = Scanner(mode), model_version(mode)
        for work, done_sha in tasks:
            if stop.is_set():
                return
            yield work, run_work(work, done_sha, scanner, version)
        return
    pending = iter(tasks)
    while True:
        suspects: list[Job] = []
        with _pool(workers, mode) as pool:
            yield from _drain(pool, pending, workers, suspects, stop)
        if not suspects:
            return
        # A worker died: rerun each work that was in flight alone, to find the one that kills.
        for task in suspects:
            yield task[0], _isolated(task, mode)


def _drain(
    pool: ProcessPoolExecutor,
    tasks: Iterator[Job],
    workers: int,
    suspects: list[Job],
    stop: threading.Event,
) -> Iterator[tuple[Work, Record | None]]:
    in_flight: dict[Future[Record | None], Job] = {}
    try:
        yield from _drain_into(pool, tasks, workers, suspects, in_flight, stop)
    finally:  # stopped early (the journal cannot be written): drop the works not started
        for future in in_flight:
            future.cancel()


def _drain_into(
    pool: ProcessPoolExecutor,
    tasks: Iterator[Job],
    workers: int,
    suspects: list[Job],
    in_flight: dict[Future[Record | None], Job],
    stop: threading.Event,
) -> Iterator[tuple[Work, Record | None]]:
    window = workers * 4
    exhausted = False
    while True:
        if stop.is_set() and not exhausted:  # queued works never start; running ones finish
            exhausted = True
            for future in in_flight:
                future.cancel()
        while not exhausted and len(in_flight) < window:
            task = next(tasks, None)
            if task is None:
                exhausted = True
            else:
                in_flight[pool.submit(_run_task, task)] = task
        if not in_flight:
            return
        finished, _ = wait(in_flight, timeout=0.5, return_when=FIRST_COMPLETED)
        for future in finished:
            task = in_flight.pop(future)
            if future.cancelled():
                continue
            try:
                result = future.result()
            except BrokenProcessPool:
                suspects.append(task)
                continue
            yield task[0], result
        if suspects:
            suspects.extend(in_flight.values())
            return


def _isolated(task: Job, mode: str) -> Record | None:
    work = task[0]
    with _pool(1, mode) as pool:
        try:
            return pool.submit(_run_task, task).result()
        except BrokenProcessPool:
            reason = "the worker process died while scanning it (out of memory or a crash)"
            return make_record(work.id, work.source, None, model_version(mode), error=reason)


# -- the batch command ------------------------------------------------------------------------
class _RateColumn(ProgressColumn):
    """Works per second, from Rich's moving speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("" if speed is None else f"{speed:,.1f} works/s", style="progress.data.speed")


def plan(
    inputs: list[str], done: dict[str, Done], retry_errors: bool, summary: Summary
) -> list[Job]:
    """The tasks of a run: each distinct id once, with the hash it is already done under.

    A work recorded as an error before its bytes were read (no hash: a missing file, ...) is
    skipped here unless ``retry_errors``; one with a hash is rescanned only if its bytes changed.
    """
    seen: set[str] = set()
    tasks: list[Job] = []
    for work in iter_works(inputs):
        if work.id in seen:
            summary.duplicates += 1
            continue
        seen.add(work.id)
        summary.total += 1
        previous = done.get(work.id)
        if previous is None or (retry_errors and previous.status != "ok"):
            tasks.append((work, None))
        elif previous.status != "ok" and previous.sha256 is None:
            summary.skip(previous)
        else:
            tasks.append((work, previous.sha256))
    return tasks


def run_batch(
    inputs: list[str],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    mode: str = "default",
    retry_errors: bool = False,
    console: Console | None = None,
    on_error: Callable[[Record], None] | None = None,
    engine: Callable[[list[Job], str, int], Iterator[tuple[Work, Record | None]]] | None = None,
    progress_every: float | None = 30.0,
) -> Summary:
    """Scan ``inputs`` into the journal ``out``, skipping works already done; returns counts.

    On a terminal a progress bar shows; otherwise a plain line every ``progress_every``
    seconds. The first Ctrl-C lets the works in flight finish and be journalled, then stops.
    """
    console = console or Console(stderr=True)
    workers = workers or os.cpu_count() or 1
    summary = Summary(workers=workers)
    version = model_version(mode)
    start = time.perf_counter()
    overrides = load_overrides()  # the journal keeps what was found; counts leave dismissals out
    with Journal(out) as journal:
        summary.repaired, summary.damaged = journal.repaired, journal.damaged
        done = journal.done(version)
        tasks = plan(inputs, done, retry_errors, summary)
        columns = (
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        plain = PlainProgress(console, len(tasks), None if console.is_terminal else progress_every)
        with (
            Progress(
                *columns, console=console, transient=True, disable=not console.is_terminal
            ) as progress,
            graceful_interrupt(STOPPING) as stop,
        ):
            bar = progress.add_task("scanning", total=len(tasks))
            results = (engine or partial(scan_tasks, stop=stop))(tasks, mode, workers)
            try:
                for work, record in results:
                    if record is None:
                        summary.skip(done[work.id])
                    else:
                        journal.append(record)  # InputError if it cannot: stops the run
                        summary.add(apply_to_record(record, overrides))
                        if record["status"] != "ok" and on_error:
                            on_error(record)
                    progress.advance(bar)
                    plain.advance()
            finally:  # stop the workers now, also when the journal cannot be written
                getattr(results, "close", lambda: None)()
            summary.interrupted = stop.is_set()
            summary.not_started = len(tasks) - plain.done
    summary.seconds = time.perf_counter() - start
    return summary


def describe(summary: Summary, out: str) -> list[str]:
    """The end-of-run summary lines."""
    lines = []
    if summary.repaired:
        lines.append(f"repaired {out}: cut a torn last line ({summary.repaired} bytes)")
    if summary.damaged:
        lines.append(f"{out}: {_damaged(summary.damaged)}")
    done = f", {summary.skipped} already done" if summary.skipped else ""
    if summary.skipped_errors == 1:
        done += " (1 recorded as an error; --retry-errors rescans it)"
    elif summary.skipped_errors:
        done += f" ({summary.skipped_errors} recorded as errors; --retry-errors rescans them)"
    dups = f", {summary.duplicates} duplicate ids ignored" if summary.duplicates else ""
    lines.append(
        f"{summary.total} works: {summary.scanned} scanned ({summary.ok} ok, {summary.errors} "
        f"errors){done}{dups} in {summary.seconds:.1f} s"
        f" — {summary.works_per_hour:,.0f} works/hour on {summary.workers} workers"
    )
    if summary.warnings:
        top = ", ".join(f"{cid} {n}" for cid, n in summary.warnings.most_common(8))
        lines.append(f"works with warnings: {top}")
    if summary.interrupted:
        lines.append(
            f"interrupted: the works in flight were finished and journalled; "
            f"{summary.not_started} not started — run the same command again to resume"
        )
    lines.append(f"results: {out}")
    return lines


def _damaged(numbers: list[int]) -> str:
    """What the summary says about journal lines that are not records."""
    if len(numbers) == 1:
        return f"line {numbers[0]} is not a batch record (left as it is; ignored)"
    shown = ", ".join(str(n) for n in numbers[:5]) + (", …" if len(numbers) > 5 else "")
    return f"{len(numbers)} lines ({shown}) are not batch records (left as they are; ignored)"
