"""What a worker process does with one request: read the story, scan it, shape the answer.

Runs in the server's process pool, so only plain data crosses the process boundary: a
``ScanTask`` in, a ``ScanOutcome`` out (JSON-ready dicts or an HTML string, never a Document).
Each worker builds a detector pipeline once per mode and reuses it for every request.
"""

from __future__ import annotations

import dataclasses
import signal
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

from forewarn.detectors import Pipeline, build_pipeline
from forewarn.document import Document
from forewarn.errors import InputError
from forewarn.limits import Deadline, Limits
from forewarn.overrides import apply_overrides

Output = Literal["json", "html", "check", "extension"]
_PIPELINES: dict[str, Pipeline] = {}


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


def pipeline(mode: str) -> Pipeline:
    """This process's pipeline for ``mode``, built on first use (model loading is expensive)."""
    if mode not in _PIPELINES:
        _PIPELINES[mode] = build_pipeline(mode)
    return _PIPELINES[mode]


def warm(modes: tuple[str, ...] = ("default",)) -> None:
    """Build the usual pipelines before the first request arrives."""
    for mode in modes:
        pipeline(mode)


def init_worker(threads: int) -> None:
    """Pool initializer: this worker's share of the cores for its encoder, then ``warm``."""
    from forewarn.models.encoder import set_default_threads

    set_default_threads(threads)
    warm()


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


def read_story(task: ScanTask) -> Document:
    """The Document of ``task``; InputError (one line, naming the source) on bad input."""
    limits = dataclasses.replace(
        Limits.from_env(), max_input_bytes=task.max_bytes, max_seconds=task.max_seconds
    )
    if task.kind == "file":
        from forewarn.readers import read_bytes

        doc = read_bytes(task.data, task.source, limits)
    else:
        from forewarn.scanner import text_document

        text = task.data.decode("utf-8")
        if not text.strip():
            raise InputError(task.source, "empty text")
        doc = text_document(text, task.source)
        doc.deadline = Deadline.start(task.source, limits)
    if task.title:
        doc.metadata.title = task.title
    return doc


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
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        return ScanOutcome(500, f"internal error ({type(exc).__name__} at {where})")


def _run(task: ScanTask) -> ScanOutcome:
    from forewarn.readers import sniff
    from forewarn.report import Report
    from forewarn.scanner import scan_document

    if task.output == "extension" and task.work is not None:
        return _check_work(task)
    if task.kind == "file":
        try:
            sniff(task.data, task.source)
        except InputError as exc:
            return ScanOutcome(415, str(exc))
    try:
        doc = read_story(task)
        pipe = pipeline(task.mode)
        doc_report = apply_overrides(scan_document(doc, pipe))  # the reader's dismissals
    except InputError as exc:
        return ScanOutcome(422, str(exc))
    words = doc.word_count
    report = Report([doc_report], mode=task.mode, detectors=pipe.names)
    if task.output == "html":
        from forewarn.render.html import render_fragment

        return ScanOutcome(200, render_fragment(report), words)
    if task.output == "check":
        from forewarn.profile import AvoidList
        from forewarn.verdict import check_to_dict, judge

        avoid = AvoidList(dict(task.avoid))
        body = check_to_dict(avoid, [judge(doc_report, avoid)], spoilers=task.spoilers)
        return ScanOutcome(200, body, words)
    body = report.to_dict()
    return ScanOutcome(200, _strip_quotes(body) if task.spoiler_free else body, words)


def _check_work(task: ScanTask) -> ScanOutcome:
    """The extension's check of one AO3 work (already validated by the main process)."""
    from forewarn.server.extension import check_work

    assert task.work is not None
    limits = dataclasses.replace(
        Limits.from_env(), max_input_bytes=task.max_bytes, max_seconds=task.max_seconds
    )
    try:
        body = check_work(
            task.work, pipeline(task.mode), limits, task.avoid, task.spoilers, task.mode
        )
    except InputError as exc:
        return ScanOutcome(422, str(exc))
    return ScanOutcome(
        200, body, sum(len(p.split()) for c in task.work["chapters"] for p in c["paragraphs"])
    )
