"""Works per hour of ``forewarn batch``: local processes vs Spark ``local[2]``, and what 15 million
works would take.

``python -m benchmarks.batch_throughput [--works 300]`` cuts the shared novels into
fan-fiction-length works (1,000-7,500 words, seeded), scans them with the local engine on one
and on all cores and with Spark ``local[2]``, checks both engines agree, and writes its section
of docs/BENCHMARKS.md (between its markers; the rest of the file is kept).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench import NOVELS, OUTPUT, machine, write_section
from forewarn.batch.journal import read_records
from forewarn.batch.runner import Summary, run_batch

START, END = "<!-- bench:batch -->", "<!-- /bench:batch -->"
ARCHIVE = 15_000_000  # works on AO3, roughly
LENGTHS = (1_000, 7_500)


def make_corpus(folder: Path, works: int, seed: int) -> int:
    """``works`` text files cut from the novels at paragraph breaks; returns total words."""
    rng = random.Random(seed)
    novels = []
    for path in sorted(NOVELS.glob("*.txt")):
        paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        novels.append(paragraphs)
    weights = [sum(len(p.split()) for p in n) for n in novels]
    total = 0
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(works):
        paragraphs = rng.choices(novels, weights)[0]
        target = rng.randint(*LENGTHS)
        start = rng.randrange(len(paragraphs))
        piece: list[str] = []
        words = 0
        while words < target:
            paragraph = paragraphs[(start + len(piece)) % len(paragraphs)]
            piece.append(paragraph)
            words += len(paragraph.split())
        (folder / f"work-{i:05d}.txt").write_text("\n\n".join(piece) + "\n", encoding="utf-8")
        total += words
    return total


def _run(corpus: Path, out: Path, **kwargs: object) -> tuple[float, Summary]:
    started = time.perf_counter()
    summary = run_batch([str(corpus)], out, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - started, summary


def _signature(path: Path) -> dict[str, list[tuple[str, str, int]]]:
    return {
        r["id"]: [
            (w["id"], w["severity"], w["evidence_total"])
            for w in r["report"]["documents"][0]["warnings"]
        ]
        for r in read_records(path)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    command = "python -m benchmarks.batch_throughput " + " ".join(argv or sys.argv[1:])
    host = machine()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        words = make_corpus(corpus, args.works, args.seed)
        rows = []
        for label, kwargs in (("local, 1 process", {"workers": 1}), ("local, 2 processes", {})):
            seconds, summary = _run(corpus, Path(tmp) / f"{label}.jsonl", **kwargs)
            rows.append((label, seconds, summary))
            print(f"{label}: {seconds:.1f} s", file=sys.stderr)
        from forewarn.spark import SparkEngine, session

        started = time.perf_counter()
        spark = session("local[2]")
        spark_start = time.perf_counter() - started
        seconds, summary = _run(corpus, Path(tmp) / "spark.jsonl", engine=SparkEngine(spark))
        spark.stop()
        rows.append(("Spark local[2]", seconds, summary))
        print(f"spark: {seconds:.1f} s (+{spark_start:.1f} s session start)", file=sys.stderr)
        agree = _signature(Path(tmp) / "spark.jsonl") == _signature(
            Path(tmp) / "local, 1 process.jsonl"
        )
    assert all(s.ok == args.works for _, _, s in rows), "some works failed"
    section = render(args.works, words, rows, spark_start, agree, command, host)
    write_section(args.output, section, START, END)
    print(section)
    return 0


def render(
    works: int,
    words: int,
    rows: list[tuple[str, float, Summary]],
    spark_start: float,
    agree: bool,
    command: str,
    host: dict[str, str],
) -> str:
    per_hour = {label: works * 3600 / seconds for label, seconds, _ in rows}
    per_core = per_hour["local, 1 process"]
    spark_per_core = per_hour["Spark local[2]"] / 2
    lines = [
        START,
        "## Batch throughput: local engine vs Spark",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`: {works} works cut "
        f"from the shared novels at paragraph breaks, {LENGTHS[0]:,}-{LENGTHS[1]:,} words each "
        f"(mean {words / works:,.0f} words, {words:,} in all), default mode, fresh journal per "
        "run; wall time of the whole `run_batch` (listing, hashing, worker start-up, scanning, "
        "journal fsync per work). Spark: session start-up is not included (shown apart).",
        "",
        *(f"- {k}: {v}" for k, v in host.items()),
        "",
        "| engine | wall time | works/hour | words/hour |",
        "|---|---:|---:|---:|",
        *(
            f"| {label} | {seconds:.1f} s | {per_hour[label]:,.0f} | "
            f"{per_hour[label] * words / works:,.0f} |"
            for label, seconds, _ in rows
        ),
        "",
        f"Spark session start-up (JVM, `local[2]`): {spark_start:.1f} s. Spark results equal the "
        "local engine's (warnings, severities, evidence counts per work): "
        + ("yes." if agree else "NO."),
        "",
        f"**Projection to {ARCHIVE / 1e6:.0f} million works** of this mean length, assuming "
        "throughput scales linearly with cores (works are independent; no shuffle):",
        "",
        "| | core-hours | cores to finish in 24 h | 16-core nodes, 24 h | cores for 7 days |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, rate in (("local engine", per_core), ("Spark executors", spark_per_core)):
        core_hours = ARCHIVE / rate
        lines.append(
            f"| {label} ({rate:,.0f} works/core-hour) | {core_hours:,.0f} | "
            f"{math.ceil(core_hours / 24):,} | {math.ceil(core_hours / 24 / 16):,} | "
            f"{math.ceil(core_hours / 24 / 7):,} |"
        )
    lines += [
        "",
        "The per-core rates come from this machine's 2 shared cores; scale by the ratio of the "
        "archive's mean work length to the mean above (cost is close to linear in words).",
        END,
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
