"""The public scanning entry points: text, file, file object or Document in, Report out."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import IO

from forewarn.detectors import Pipeline, build_pipeline
from forewarn.document import Document
from forewarn.limits import Deadline, Limits
from forewarn.readers import read_path, read_stream
from forewarn.readers.text import document_from_text, normalise_newlines
from forewarn.report import DocumentReport, Report, aggregate


def scan_document(doc: Document, pipeline: Pipeline | None = None) -> DocumentReport:
    """Run the detectors over ``doc`` and aggregate what they found."""
    pipeline = pipeline or build_pipeline()
    pipeline(doc)
    if doc.deadline is not None:
        doc.deadline.check()
    present, scored = aggregate(doc, pipeline.categories())
    return DocumentReport(source=doc.source, document=doc, warnings=present, candidates=scored)


def text_document(text: str, source: str = "<text>") -> Document:
    """A Document from a Python string, exactly as the plain-text reader would build it."""
    from forewarn.language import annotate_language

    deadline = Deadline.start(source, Limits.from_env())
    doc = document_from_text(normalise_newlines(text.lstrip("\ufeff")), source)
    doc.sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    doc.deadline = deadline
    annotate_language(doc)
    return doc


def _report(docs: list[Document], mode: str) -> Report:
    pipeline = build_pipeline(mode)
    return Report([scan_document(d, pipeline) for d in docs], mode=mode, detectors=pipeline.names)


def scan_text(text: str, mode: str = "default") -> Report:
    """Scan a story given as a string (always text, never a path)."""
    return _report([text_document(text)], mode)


def scan_file(path: str | os.PathLike[str], mode: str = "default") -> Report:
    """Scan a story file of any supported format; raises InputError on bad input."""
    return _report([read_path(path)], mode)


def scan(obj: str | os.PathLike[str] | IO[bytes] | IO[str], mode: str = "default") -> Report:
    """Scan a ``str`` (text), a ``pathlib.Path`` (file) or an open file object."""
    if isinstance(obj, str):
        return scan_text(obj, mode)
    if isinstance(obj, Path | os.PathLike):
        return scan_file(obj, mode)
    if isinstance(obj, io.IOBase) or hasattr(obj, "read"):
        name = getattr(obj, "name", "<stream>")
        return _report([read_stream(obj, str(name))], mode)
    raise TypeError(f"cannot scan a {type(obj).__name__}: pass text, a Path or a file object")
