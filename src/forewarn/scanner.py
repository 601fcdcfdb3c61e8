"""The one scanning entry point: a ``Scanner`` reads a story (text, bytes, a path, a file object
or a Document), runs the detectors and aggregates the report; every front end scans through it.

``Scanner.scan`` raises InputError on bad input; ``Scanner.attempt`` returns the report or a
classified ``ScanFailure`` instead, so a batch, a server or a command line never maps errors
itself. The detector pipelines (their models are the expensive part) are built once per process
and mode, here and nowhere else.
"""

from __future__ import annotations

import io
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from forewarn.detectors import Pipeline, build_pipeline
from forewarn.detectors.base import StageCallback
from forewarn.document import Document
from forewarn.errors import InputError, ProfileError, UnsupportedFormat
from forewarn.heap import release_freed_memory
from forewarn.limits import Limits
from forewarn.models.encoder import set_default_threads
from forewarn.modes import check_mode
from forewarn.overrides import apply_overrides
from forewarn.readers import read_bytes, read_path, read_stream
from forewarn.readers.strings import read_str, text_document
from forewarn.report import DocumentReport, Report, aggregate

#: What a Scanner reads: ``str`` is the story's text, never a path (pass a ``Path`` for a file).
Source = str | bytes | os.PathLike[str] | IO[bytes] | IO[str] | Document

__all__ = [
    "ScanFailure",
    "ScanProgress",
    "Scanner",
    "Source",
    "pipeline_for",
    "scan",
    "scan_document",
    "scan_file",
    "scan_text",
    "text_document",
]


@dataclass(frozen=True)
class ScanProgress:
    """Where the scan of one work is: ``stage`` (a detector's name) ``done`` of ``total``."""

    source: str
    words: int
    stage: str
    done: int
    total: int


ProgressCallback = Callable[[ScanProgress], None]


FailureKind = Literal["unsupported", "input", "settings", "internal"]


@dataclass(frozen=True)
class ScanFailure:
    """Why a work has no report: ``kind`` "unsupported" (a format forewarn does not read),
    "input" (bad or unreadable input), "settings" (a broken profile or overrides file) or
    "internal" (a bug; ``where`` is its file:line). ``str()`` is the one-line message."""

    source: str
    reason: str
    kind: FailureKind
    message: str
    where: str = ""
    error_type: str = ""

    def __str__(self) -> str:
        return self.message

    @property
    def summary(self) -> str:
        """The failure without the story's text: internal errors give only the type and place."""
        if self.kind == "internal":
            return f"internal error ({self.error_type} at {self.where})"
        return self.message

    @classmethod
    def of(cls, source: str, exc: Exception) -> ScanFailure:
        """The failure ``exc`` (raised while scanning ``source``) stands for."""
        if isinstance(exc, InputError):
            kind: FailureKind = "unsupported" if isinstance(exc, UnsupportedFormat) else "input"
            return cls(exc.source, exc.reason, kind, str(exc))
        if isinstance(exc, ProfileError):
            return cls(source, str(exc), "settings", str(exc))
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        reason = f"internal error ({type(exc).__name__}: {exc}); please report it"
        return cls(source, reason, "internal", f"{source}: {reason}", where, type(exc).__name__)


_PIPELINES: dict[str, Pipeline] = {}


def pipeline_for(mode: str) -> Pipeline:
    """This process's detector pipeline for ``mode``, built on first use and then reused."""
    if mode not in _PIPELINES:
        _PIPELINES[mode] = build_pipeline(check_mode(mode))
    return _PIPELINES[mode]


class Scanner:
    """Scans stories in one ``mode`` within ``limits``; ``threads`` caps the encoder's threads in
    this process (None: all cores); ``progress`` hears each stage of each work; ``overrides``
    applies the reader's dismissals (``forewarn dismiss``) to every report. ``pipeline``
    replaces the mode's (evaluation scores single detectors through the same path)."""

    def __init__(
        self,
        mode: str = "default",
        limits: Limits | None = None,
        threads: int | None = None,
        progress: ProgressCallback | None = None,
        overrides: bool = False,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.mode = check_mode(pipeline.mode if pipeline is not None else mode)
        self.limits = limits
        self.progress = progress
        self.overrides = overrides
        self._pipeline = pipeline
        if threads is not None:
            set_default_threads(threads)

    @property
    def pipeline(self) -> Pipeline:
        return self._pipeline or pipeline_for(self.mode)

    def warm(self) -> Scanner:
        """Build the pipeline now (loading its models), before the first story arrives."""
        _ = self.pipeline  # built on first use
        return self

    @property
    def detectors(self) -> list[str]:
        """The names of the detectors this scanner runs, in order."""
        return self.pipeline.names

    def read(self, story: Source, source: str | None = None) -> Document:
        """The Document of ``story``; InputError (one line, naming ``source``) on bad input."""
        limits = self.limits or Limits.from_env()
        if isinstance(story, Document):
            return story
        if isinstance(story, str):
            return read_str(story, source or "<text>", limits)
        if isinstance(story, bytes | bytearray):
            return read_bytes(bytes(story), source or "<bytes>", limits)
        if isinstance(story, os.PathLike):
            return read_path(story, limits)
        if isinstance(story, io.IOBase) or hasattr(story, "read"):
            return read_stream(story, source or str(getattr(story, "name", "<stream>")), limits)
        raise TypeError(f"cannot scan a {type(story).__name__}: pass text, bytes, a Path or a file")

    def document(self, doc: Document) -> DocumentReport:
        """Run the detectors over ``doc`` and aggregate what they found."""
        stages = self._stages(doc) if self.progress else None
        report = scan_document(doc, self.pipeline, stages)
        return apply_overrides(report) if self.overrides else report

    def scan(self, story: Source, source: str | None = None) -> DocumentReport:
        """Read and scan one story; raises InputError on bad input."""
        return self.document(self.read(story, source))

    def scan_path(self, path: str | os.PathLike[str]) -> DocumentReport:
        """Read and scan the story file ``path`` (``-``: standard input), named as given."""
        return self.document(read_path(path, self.limits or Limits.from_env()))

    def attempt(self, story: Source, source: str | None = None) -> DocumentReport | ScanFailure:
        """``scan``, with any failure returned as a classified ScanFailure, never raised."""
        return _attempt(lambda: self.scan(story, source), source or _name(story))

    def attempt_path(self, path: str | os.PathLike[str]) -> DocumentReport | ScanFailure:
        """``scan_path``, with any failure returned as a classified ScanFailure, never raised."""
        return _attempt(lambda: self.scan_path(path), str(path))

    def report(self, documents: list[DocumentReport]) -> Report:
        """The report of ``documents`` scanned by this scanner."""
        return Report(documents, mode=self.mode, detectors=self.detectors)

    def __call__(self, story: Source, source: str | None = None) -> Report:
        """The report of one story (``forewarn.scan``)."""
        return self.report([self.scan(story, source)])

    def _stages(self, doc: Document) -> StageCallback:
        assert self.progress is not None
        tell, words = self.progress, doc.word_count

        def stage(name: str, done: int, total: int) -> None:
            tell(ScanProgress(doc.source, words, name, done, total))

        return stage


def _attempt(scan: Callable[[], DocumentReport], source: str) -> DocumentReport | ScanFailure:
    try:
        return scan()
    except Exception as exc:  # a bug on one work must not stop the others
        return ScanFailure.of(source, exc)


def _name(story: Source) -> str:
    if isinstance(story, Document):
        return story.source
    if isinstance(story, os.PathLike):
        return str(story)
    return "<text>" if isinstance(story, str) else "<input>"


# -- the functions of the Python API (thin wrappers) -----------------------------------------
def scan_document(
    doc: Document, pipeline: Pipeline | None = None, stages: StageCallback | None = None
) -> DocumentReport:
    """Run the detectors (``pipeline``'s, else the default mode's) over ``doc`` and aggregate
    what they found; ``stages`` hears each detector start."""
    pipeline = pipeline or pipeline_for("default")
    pipeline(doc, stages)
    if doc.deadline is not None:
        doc.deadline.check()
    present, scored = aggregate(doc, pipeline.categories())
    # The detectors' freed temporaries go back before the report is rendered (its many small
    # strings cannot reuse them): 2 MB of deeply nested EPUB prose, 276 -> 264 MB peak RSS.
    release_freed_memory()
    return DocumentReport(source=doc.source, document=doc, warnings=present, candidates=scored)


def scan_text(text: str, mode: str = "default") -> Report:
    """Scan a story given as a string (always text, never a path; empty text has no warnings)."""
    return Scanner(mode)(text_document(text))


def scan_file(path: str | os.PathLike[str], mode: str = "default") -> Report:
    """Scan a story file of any supported format; raises InputError on bad input."""
    return Scanner(mode)(Path(path))


def scan(obj: str | os.PathLike[str] | IO[bytes] | IO[str], mode: str = "default") -> Report:
    """Scan a ``str`` (text), a ``pathlib.Path`` (file) or an open file object."""
    return scan_text(obj, mode) if isinstance(obj, str) else Scanner(mode)(obj)
