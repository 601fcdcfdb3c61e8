"""forewarn on real PySpark (local[2], Java 17): the same results as the local batch."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from forewarn.batch.journal import read_records
from forewarn.batch.runner import run_batch
from tests.conftest import EXAMPLE, validate_report
from tests.corpus import write_corpus
from tests.helpers import run_cli

pytest.importorskip("pyspark")
from pyspark.sql import SparkSession  # noqa: E402

from forewarn.spark import SparkEngine, scan_dataframe, session  # noqa: E402

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def spark() -> SparkSession:
    spark = session("local[2]")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~20 works: generated stories, the founding story and one unreadable file."""
    folder = tmp_path_factory.mktemp("spark") / "corpus"
    write_corpus(folder, 18, seed=7, words=(300, 2500))
    (folder / "founding.txt").write_bytes(EXAMPLE.read_bytes())
    (folder / "broken.txt").write_bytes(b"%PDF-1.4 not a story")
    return folder


@pytest.fixture(scope="module")
def local_results(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The single-process batch: the reference Spark must reproduce."""
    out = tmp_path_factory.mktemp("local") / "local.jsonl"
    run_batch([str(corpus)], out, workers=1)
    return {r["id"]: r for r in read_records(out)}


def assert_same_report(got: object, want: object, where: str = "report") -> None:
    """Same warnings and evidence (offsets, quotes, severities); scores equal within 1e-6."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), where
        for key in want:
            assert_same_report(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same_report(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert isinstance(got, float) and math.isclose(got, want, abs_tol=1e-6), where
    else:
        assert got == want, where


def test_spark_batch_equals_local_batch_and_resumes(
    spark: SparkSession, corpus: Path, local_results: dict[str, dict], tmp_path: Path
) -> None:
    out = tmp_path / "spark.jsonl"
    engine = SparkEngine(spark, chunk=10)  # several Spark jobs, journaled one after another

    summary = run_batch([str(corpus)], out, engine=engine)

    assert (summary.ok, summary.errors) == (19, 1)
    records = read_records(out)
    assert len(records) == len({r["id"] for r in records}) == 20
    for record in records:
        want = local_results[record["id"]]
        assert {k: v for k, v in record.items() if k != "report"} == {
            k: v for k, v in want.items() if k != "report"
        }
        if record["status"] == "ok":
            validate_report(record["report"])
            assert_same_report(record["report"], want["report"])
    founding = next(r for r in records if r["id"] == "founding.txt")
    assert "suicide-attempt" in {w["id"] for w in founding["report"]["documents"][0]["warnings"]}

    again = run_batch([str(corpus)], out, engine=engine)  # skips are decided on the executors

    assert (again.scanned, again.skipped) == (0, 20)


def test_scan_dataframe_of_binary_files_and_texts(
    spark: SparkSession, corpus: Path, local_results: dict[str, dict]
) -> None:
    from pyspark.sql import functions as F

    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(str(corpus))
        .withColumn("id", F.regexp_replace("path", r"^.*/corpus/", ""))
        .withColumn("source", F.col("id"))
    )
    result = scan_dataframe(files)

    assert result.schema["result"].dataType.fieldNames() == [
        "id",
        "source",
        "sha256",
        "model_version",
        "status",
        "error",
        "report",
        "warnings",
    ]
    rows = {r["id"]: r["result"] for r in result.collect()}
    assert set(rows) == set(local_results)

    for work_id, row in rows.items():
        want = local_results[work_id]
        assert (row["status"], row["sha256"]) == (want["status"], want["sha256"])
        if want["status"] == "ok":
            report = json.loads(row["report"])
            want_doc = want["report"]["documents"][0]
            assert_same_report(report["documents"][0]["warnings"], want_doc["warnings"])
            assert [w["id"] for w in row["warnings"]] == [w["id"] for w in want_doc["warnings"]]

    texts = spark.createDataFrame(
        [("t1", "He died in the hospital that night."), ("t2", "   ")], "id string, text string"
    )
    got = {r["id"]: r["result"] for r in scan_dataframe(texts).collect()}
    assert [w["id"] for w in got["t1"]["warnings"]] == ["death"]
    assert (got["t2"]["status"], got["t2"]["error"]) == ("error", "empty text")


def test_cli_spark_engine_on_jsonl(tmp_path: Path) -> None:
    (tmp_path / "founding.txt").write_bytes(EXAMPLE.read_bytes())
    lines = [
        {"id": "w1", "text": "He died in the hospital that night."},
        {"id": "w2", "text": "They walked to the lighthouse and back."},
        {"id": "w3", "path": "founding.txt"},
        {"id": "w4", "text": ""},
    ]
    works = tmp_path / "works.jsonl"
    works.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "cli.jsonl"

    proc = run_cli(
        "batch", str(works), "--out", str(out), "--engine", "spark", "--master", "local[2]"
    )

    assert proc.returncode == 1, proc.stderr  # w4 is empty
    assert "4 works: 4 scanned (3 ok, 1 errors)" in proc.stderr
    assert f"{works}#w4: empty text" in proc.stderr
    run_batch([str(works)], tmp_path / "local.jsonl", workers=1)
    want = {r["id"]: r for r in read_records(tmp_path / "local.jsonl")}
    got = {r["id"]: r for r in read_records(out)}
    assert got.keys() == want.keys()
    for work_id, record in got.items():
        assert_same_report(record, want[work_id], work_id)
