"""The passage interface used by evaluation tools: JSONL ``{"id", "text"}`` in, verdicts out.

Each passage is scanned as a one-chapter document with the same detectors, thresholds and
mode as a document scan, and every category the detectors cover is listed, present or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from forewarn.batch.record import check_text_size
from forewarn.detectors import Pipeline, build_pipeline
from forewarn.errors import InputError
from forewarn.jsonl import parse
from forewarn.report import aggregate
from forewarn.scanner import text_document


def scan_passages(
    lines: Iterable[str], mode: str = "default", pipeline: Pipeline | None = None
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line; a malformed line (or one nested too deeply,
    or a text over the input size limit) yields ``{"id", "line", "error"}``.

    ``pipeline`` overrides ``mode`` (evaluation runs single detectors through the same path).
    """
    pipeline = pipeline or build_pipeline(mode)
    categories = pipeline.categories()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
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
        doc = text_document(item["text"], source=str(item.get("id")))
        pipeline(doc)
        _, scored = aggregate(doc, categories)
        yield {
            "id": item.get("id"),
            "warnings": [
                {
                    "id": w.id,
                    "score": round(w.score, 6),
                    "present": w.present,
                    "severity": w.severity,
                }
                for w in scored
            ],
        }
