"""One batch result per work: how a payload becomes a record, and the record's table columns.

Both engines (the local process pool and Spark) call :func:`process` so that a work scanned
either way yields the same record; Parquet and Spark columns come from :data:`COLUMNS`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from forewarn.detectors import Pipeline
from forewarn.errors import InputError
from forewarn.jsonl import too_large
from forewarn.limits import Limits
from forewarn.report import Report

#: Keys of a journal line (the JSONL record), in output order.
RECORD_KEYS = ("id", "source", "sha256", "model_version", "status", "error", "report")

#: Table columns (Parquet, Spark): the record with ``report`` as a JSON string, plus
#: ``warnings``, a queryable summary of the present warnings.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("source", "string"),
    ("sha256", "string"),
    ("model_version", "string"),
    ("status", "string"),
    ("error", "string"),
    ("report", "string"),
    ("warnings", "warnings"),
)
#: Fields of one element of the ``warnings`` column.
WARNING_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("severity", "string"),
    ("score", "double"),
    ("evidence_total", "int"),
)


def sha256_of(payload: bytes | str) -> str:
    """Hex SHA-256 of the work's bytes (text is hashed as UTF-8)."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    return hashlib.sha256(data).hexdigest()


def make_record(
    work_id: str,
    source: str,
    sha256: str | None,
    model_version: str,
    report: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """A journal record: status "ok" with a report, or "error" with the reason."""
    return {
        "id": work_id,
        "source": source,
        "sha256": sha256,
        "model_version": model_version,
        "status": "error" if error is not None else "ok",
        "error": error,
        "report": report,
    }


def check_text_size(text: str, source: str, limits: Limits | None = None) -> None:
    """Raise InputError if ``text`` is over the input size limit: a text given inline obeys
    the limit a file does (its UTF-8 bytes are counted)."""
    limit = (limits or Limits.from_env()).max_input_bytes
    if len(text) * 4 > limit and (size := len(text.encode("utf-8", "surrogatepass"))) > limit:
        raise InputError(source, too_large("text", size, limit))


def scan_payload(payload: bytes | str, source: str, pipeline: Pipeline) -> dict[str, Any]:
    """The full report (schema ``report.schema.json``) of one work; text is always text."""
    from forewarn.readers import read_bytes
    from forewarn.scanner import scan_document, text_document

    if isinstance(payload, str):
        check_text_size(payload, source)
        if not payload.strip():
            raise InputError(source, "empty text")
        doc = text_document(payload, source)
    else:
        doc = read_bytes(payload, source)
    report = Report([scan_document(doc, pipeline)], mode=pipeline.mode, detectors=pipeline.names)
    return report.to_dict()


def process(
    work_id: str,
    source: str,
    payload: bytes | str,
    pipeline: Pipeline,
    model_version: str,
    sha: str | None = None,
) -> dict[str, Any]:
    """Scan one loaded work into a record; a failure becomes an "error" record, never a raise."""
    sha = sha or sha256_of(payload)
    try:
        report = scan_payload(payload, source, pipeline)
    except InputError as exc:
        return make_record(work_id, source, sha, model_version, error=exc.reason)
    except Exception as exc:  # a bug on one work must not stop the batch
        reason = f"internal error ({type(exc).__name__}: {exc}); please report it"
        return make_record(work_id, source, sha, model_version, error=reason)
    return make_record(work_id, source, sha, model_version, report=report)


def table_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a table row: ``report`` serialised, ``warnings`` summarised."""
    report = record.get("report")
    row = {key: record.get(key) for key, _ in COLUMNS[:-2]}
    row["report"] = None if report is None else json.dumps(report, ensure_ascii=False)
    row["warnings"] = [
        {name: w[name] for name, _ in WARNING_FIELDS}
        for doc in (report or {}).get("documents", [])
        for w in doc["warnings"]
    ]
    return row
