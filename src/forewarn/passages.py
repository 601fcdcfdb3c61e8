"""The passage interface used by evaluation tools: JSONL ``{"id", "text"}`` in, verdicts out.

Each passage is scanned as a one-chapter document with the same detectors, thresholds and
mode as a document scan, and every category the detectors cover is listed, present or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from forewarn.detectors import Pipeline
from forewarn.errors import InputError
from forewarn.jsonl import iter_lines, line_cap, parse
from forewarn.limits import Limits
from forewarn.readers.strings import check_text_size, text_document
from forewarn.scanner import Scanner


def passage_lines(stream: IO[bytes], limits: Limits | None = None) -> Iterator[bytes | None]:
    """The lines of a passages file; None for one too long to hold a text within the limit
    (it is skipped unread, so one huge line cannot exhaust memory)."""
    for line in iter_lines(stream, line_cap(limits or Limits.from_env())):
        yield line.raw


def scan_passages(
    lines: Iterable[str | bytes | None], mode: str = "default", pipeline: Pipeline | None = None
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line; a malformed line (or one nested too deeply,
    too long, or with a text over the input size limit) yields ``{"id", "line", "error"}``.

    ``pipeline`` overrides ``mode`` (evaluation runs single detectors through the same path).
    """
    scanner = Scanner(mode, pipeline=pipeline)
    for number, line in enumerate(lines, start=1):
        if line is not None and not line.strip():
            continue
        try:
            if line is None:
                raise ValueError("line is too large to hold a text within the input size limit")
            item = parse(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line must be an object with a "text" string')
            check_text_size(item["text"], f"line {number}")
        except ValueError as exc:
            yield {"id": None, "line": number, "error": f"line {number}: {exc}"}
            continue
        except InputError as exc:
            yield {"id": item.get("id"), "line": number, "error": str(exc)}
            continue
        report = scanner.document(text_document(item["text"], source=str(item.get("id"))))
        yield {
            "id": item.get("id"),
            "warnings": [
                {
                    "id": w.id,
                    "score": round(w.score, 6),
                    "present": w.present,
                    "severity": w.severity,
                }
                for w in report.candidates
            ],
        }
