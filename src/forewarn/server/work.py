"""What a worker process does with one request: read the story, scan it, shape the answer.

Runs in the server's process pool, so only plain data crosses the process boundary: a
``ScanTask`` in, a ``ScanOutcome`` out (JSON-ready dicts or an HTML string, never a Document).
Each worker scans through a ``Scanner``, whose pipeline for a mode is built once per process.
"""

from __future__ import annotations

import dataclasses
import signal
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Literal

from forewarn.errors import InputError
from forewarn.limits import Limits
from forewarn.profile import AvoidList
from forewarn.render.html import render_fragment
from forewarn.scanner import ScanFailure, Scanner
from forewarn.server.extension import check_work
from forewarn.verdict import check_to_dict, verdict_for

Output = Literal["json", "html", "check", "extension"]
#: The HTTP status of each kind of failure to scan.
STATUS = {"unsupported": 415, "input": 422, "settings": 422, "internal": 500}


@dataclass(frozen=True)
class ScanTask:
    """One story to scan and what to answer: a report (JSON or HTML) or a verdict."""

    data: bytes
    source: str
    #: "text" (a pasted story: never sniffed) or "file" (any supported format, sniffed by content)
    kind: Literal["text", "file"]
    mode: str = "default"
    output: Output = "json"
    spoiler_free: bool = False
    title: str | None = None
    avoid: dict[str, str] = field(default_factory=dict)
    spoilers: bool = False
    max_bytes: int = 16 * 2**20
    max_seconds: int = 300
    #: The browser extension's structured AO3 work (server/extension.py), for output "extension"
    work: dict[str, Any] | None = None


@dataclass(frozen=True)
class ScanOutcome:
    """200 with ``body`` (a dict or HTML), or an error status with a one-line ``body``."""

    status: int
    body: dict[str, Any] | str
    words: int = 0


def init_worker(threads: int) -> None:
    """A worker's start: its share of the cores for the encoder, and the default mode's
    pipeline built before the first request arrives."""
    Scanner(threads=threads).warm()


#: What a worker sends once its pipelines are built and it can take tasks.
READY = "ready"


def serve_tasks(conn: Connection, threads: int) -> None:
    """A worker process's life: warm up, say READY, then answer each task until the pipe closes.

    Ctrl-C reaches the whole process group; only the server acts on it (it stops its workers).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(threads)
    conn.send(READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        conn.send(run_task(task))


def scanner(task: ScanTask, overrides: bool = True) -> Scanner:
    """The Scanner for ``task``: its mode, its size and time limits, the reader's dismissals."""
    limits = dataclasses.replace(
        Limits.from_env(), max_input_bytes=task.max_bytes, max_seconds=task.max_seconds
    )
    return Scanner(task.mode, limits=limits, overrides=overrides)


def _strip_quotes(report: dict[str, Any]) -> dict[str, Any]:
    """A spoiler-free report: warnings keep their severity and counts, evidence lists go."""
    for document in report["documents"]:
        for warning in document["warnings"]:
            warning["evidence"] = []
    return report


def run_task(task: ScanTask) -> ScanOutcome:
    """Scan ``task``: bad input is a 415 or 422 outcome, a bug a 500 one (its type, no text)."""
    try:
        return _run(task)
    except Exception as exc:  # exceptions may not pickle, and their text may quote the story
        return _failed(ScanFailure.of(task.source, exc))


def _failed(failure: ScanFailure) -> ScanOutcome:
    return ScanOutcome(STATUS[failure.kind], failure.summary)


def _run(task: ScanTask) -> ScanOutcome:
    if task.output == "extension" and task.work is not None:
        return _check_work(task)
    scan = scanner(task)
    story = task.data if task.kind == "file" else task.data.decode("utf-8")
    doc_report = scan.attempt(story, task.source)
    if isinstance(doc_report, ScanFailure):
        return _failed(doc_report)
    if task.title:
        doc_report.document.metadata.title = task.title
    words = doc_report.document.word_count
    report = scan.report([doc_report])
    if task.output == "html":
        return ScanOutcome(200, render_fragment(report), words)
    if task.output == "check":
        avoid = AvoidList(dict(task.avoid))
        body = check_to_dict(avoid, [verdict_for(doc_report, avoid)], spoilers=task.spoilers)
        return ScanOutcome(200, body, words)
    body = report.to_dict()
    return ScanOutcome(200, _strip_quotes(body) if task.spoiler_free else body, words)


def _check_work(task: ScanTask) -> ScanOutcome:
    """The extension's check of one AO3 work (already validated by the main process)."""
    assert task.work is not None
    try:
        body = check_work(task.work, scanner(task), task.avoid, task.spoilers)
    except InputError as exc:
        return ScanOutcome(422, str(exc))
    return ScanOutcome(
        200, body, sum(len(p.split()) for c in task.work["chapters"] for p in c["paragraphs"])
    )
