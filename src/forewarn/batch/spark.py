"""Scanning at archive scale on Apache Spark: a DataFrame of works in, a result struct out.

Works are read and scanned on the executors (``mapInPandas``); the Scanner's pipeline is built
once per executor Python worker and reused for every partition it runs. Nothing but results
ever reaches the driver. Needs ``pip install 'forewarn[spark]'`` and Java 17 or newer.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from forewarn.batch.inputs import Work
from forewarn.batch.record import COLUMNS, RECORD_KEYS, WARNING_FIELDS, table_row
from forewarn.batch.runner import Job, Record, run_work
from forewarn.modes import check_mode
from forewarn.scanner import Scanner
from forewarn.version import model_version

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

#: Input columns scan_dataframe understands: ``id`` and one of ``text`` / ``content`` / ``path``;
#: ``source`` names the work in reports; ``done_sha256`` skips a work whose bytes still hash
#: to it. The ``jsonl``/``offset``/``error``/``sha256`` columns carry batch-file references.
INPUT_COLUMNS = ("id", "source", "text", "content", "path", "jsonl", "offset", "error", "sha256")

_SPARK_TYPES = {"string": "string", "double": "double", "int": "int"}


def result_ddl() -> str:
    """The Spark type of the ``result`` struct, from ``record.COLUMNS``."""
    warning = ",".join(f"{name}:{_SPARK_TYPES[kind]}" for name, kind in WARNING_FIELDS)
    fields = [
        f"{name}:array<struct<{warning}>>" if kind == "warnings" else f"{name}:{kind}"
        for name, kind in COLUMNS
    ]
    return f"id string, result struct<{','.join(fields)}>"


def _scanner(mode: str) -> Scanner:
    """This executor's Scanner (its pipeline is built once per Python worker, which Spark reuses
    across tasks), its encoder using the cores Spark gives a task (``spark.task.cpus``)."""
    from pyspark import TaskContext  # deferred: pyspark is the optional spark extra

    context = TaskContext.get()
    return Scanner(mode, threads=context.cpus() if context is not None else 1)


def _value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    return None if value is None or value != value else value  # NaN is pandas' missing value


def _row_job(row: dict[str, Any]) -> Job:
    work_id = str(row["id"])
    payload = _value(row, "text")
    if payload is None and _value(row, "content") is not None:
        payload = bytes(row["content"])
    jsonl = _value(row, "jsonl")
    work = Work(
        id=work_id,
        source=_value(row, "source") or _value(row, "path") or work_id,
        path=_value(row, "path"),
        line=(jsonl, int(row["offset"])) if jsonl else None,
        error=_value(row, "error"),
        sha256=_value(row, "sha256"),
        payload=payload,
    )
    return work, _value(row, "done_sha256")


def _scan_batches(
    batches: Iterable[pd.DataFrame], mode: str, version: str
) -> Iterator[pd.DataFrame]:
    import pandas as pd

    scanner = _scanner(mode)
    for batch in batches:
        out: list[dict[str, Any]] = []
        for row in batch.to_dict("records"):
            work, done_sha = _row_job(row)
            record = run_work(work, done_sha, scanner, version)
            if record is not None:
                out.append({"id": work.id, "result": table_row(record)})
        yield pd.DataFrame(out, columns=["id", "result"])


def scan_dataframe(df: DataFrame, mode: str = "default") -> DataFrame:
    """One row ``(id, result)`` per work of ``df`` (see INPUT_COLUMNS) not already done.

    ``result`` holds the batch record: id, source, sha256, model_version, status, error,
    report (the JSON report as a string) and warnings (id, severity, score, evidence_total).
    """
    check_mode(mode)
    version = model_version(mode)  # on the driver: every executor stamps the same version
    wanted = [c for c in df.columns if c in (*INPUT_COLUMNS, "done_sha256")]
    if "id" not in wanted:
        raise ValueError("the DataFrame needs an 'id' column")
    return df.select(*wanted).mapInPandas(
        lambda batches: _scan_batches(batches, mode, version), schema=result_ddl()
    )


def record_from_result(result: dict[str, Any]) -> Record:
    """A journal record from a ``result`` struct (the inverse of ``table_row``)."""
    record = {key: result.get(key) for key in RECORD_KEYS}
    if record["report"] is not None:
        record["report"] = json.loads(record["report"])
    return record


# -- the batch engine ------------------------------------------------------------------------
_REF_SCHEMA = (
    "id string, source string, path string, jsonl string, offset long, error string, "
    "sha256 string, done_sha256 string"
)


def _ref(job: Job) -> tuple[Any, ...]:
    work, done_sha = job
    jsonl, offset = work.line if work.line else (None, None)
    return (work.id, work.source, work.path, jsonl, offset, work.error, work.sha256, done_sha)


def session(master: str, conf: dict[str, str] | None = None) -> SparkSession:
    """A SparkSession for ``forewarn batch --engine spark``; small Arrow batches (works are big)."""
    from pyspark.sql import SparkSession

    if master.startswith("local"):  # executors run this very Python, which has forewarn
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("forewarn batch")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "16")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")  # batch errors are reported per work, not logged
    return spark


class SparkEngine:
    """Runs batch jobs on Spark in chunks, so the journal grows (and a kill loses) one chunk."""

    def __init__(self, spark: SparkSession, chunk: int | None = None) -> None:
        self.spark = spark
        self.parallelism = spark.sparkContext.defaultParallelism
        self.chunk = chunk or max(self.parallelism * 32, 64)

    def __call__(
        self, jobs: list[Job], mode: str, workers: int
    ) -> Iterator[tuple[Work, Record | None]]:
        for start in range(0, len(jobs), self.chunk):
            part = jobs[start : start + self.chunk]
            slices = min(len(part), self.parallelism * 4)
            rdd = self.spark.sparkContext.parallelize([_ref(j) for j in part], slices)
            refs = self.spark.createDataFrame(rdd, _REF_SCHEMA)
            works = {job[0].id: job[0] for job in part}
            for row in scan_dataframe(refs, mode).collect():
                yield works.pop(row["id"]), record_from_result(row["result"].asDict(True))
            for work in works.values():  # not returned: already done
                yield work, None
