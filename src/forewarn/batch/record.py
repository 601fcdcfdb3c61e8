"""One batch result per work: how a payload becomes a record, and the record's table columns.

Both engines (the local process pool and Spark) call :func:`process` so that a work scanned
either way yields the same record; Parquet and Spark columns come from :data:`COLUMNS`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from forewarn.scanner import ScanFailure, Scanner

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


def process(
    work_id: str,
    source: str,
    payload: bytes | str,
    scanner: Scanner,
    model_version: str,
    sha: str | None = None,
) -> dict[str, Any]:
    """Scan one loaded work into a record; a failure becomes an "error" record, never a raise.
    Text is always text (never sniffed); bytes are any supported format."""
    sha = sha or sha256_of(payload)
    report = scanner.attempt(payload, source)
    if isinstance(report, ScanFailure):
        return make_record(work_id, source, sha, model_version, error=report.reason)
    return make_record(
        work_id, source, sha, model_version, report=scanner.report([report]).to_dict()
    )


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
