"""A Parquet table of a finished journal: the latest record of each id, one row per work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from forewarn.batch.journal import JournalReader
from forewarn.batch.record import COLUMNS, WARNING_FIELDS, table_row
from forewarn.errors import InputError
from forewarn.overrides import apply_to_record, load_overrides

#: Rows per written batch (bounds memory for journals of millions of works).
_BATCH = 1000


def arrow_schema() -> Any:
    """The table's pyarrow schema, from ``record.COLUMNS``."""
    import pyarrow as pa

    scalar = {"string": pa.string(), "double": pa.float64(), "int": pa.int32()}
    warning = pa.struct([(name, scalar[kind]) for name, kind in WARNING_FIELDS])
    return pa.schema(
        [
            (name, pa.list_(warning) if kind == "warnings" else scalar[kind])
            for name, kind in COLUMNS
        ]
    )


def write_parquet(journal: str | os.PathLike[str], target: str | os.PathLike[str]) -> int:
    """Write ``target`` atomically from ``journal``; returns the number of rows."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            str(target), "writing Parquet needs pyarrow: pip install 'forewarn[parquet]'"
        ) from None
    overrides = load_overrides()  # the journal keeps the scans; the table, the corrections
    latest = {r["id"]: i for i, r in enumerate(JournalReader(journal))}
    wanted = set(latest.values())
    schema = arrow_schema()
    path = Path(target)
    tmp = path.with_name(f".{path.name}.tmp")
    rows: list[dict[str, Any]] = []
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            for i, record in enumerate(JournalReader(journal)):
                if i in wanted:
                    rows.append(table_row(apply_to_record(record, overrides)))
                if len(rows) >= _BATCH:
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                    rows = []
            if rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(str(target), f"cannot write ({exc.strerror or exc})") from None
    return len(latest)
