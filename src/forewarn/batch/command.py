"""``forewarn batch``: the glue between the command line and the batch engines."""

from __future__ import annotations

from rich.console import Console

from forewarn.batch.parquet import write_parquet
from forewarn.batch.runner import Record, describe, run_batch
from forewarn.batch.spark import SparkEngine, session
from forewarn.errors import InputError
from forewarn.exits import ExitCode, fail


def parse_conf(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings as a dict; raises ValueError on a pair without ``=``."""
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--conf expects KEY=VALUE, got {pair!r}")
        conf[key.strip()] = value
    return conf


def batch_command(
    inputs: list[str],
    out: str,
    *,
    parquet: str | None = None,
    workers: int | None = None,
    mode: str = "default",
    engine: str = "local",
    master: str = "local[*]",
    conf: dict[str, str] | None = None,
    retry_errors: bool = False,
    progress_every: float | None = 30.0,
) -> int:
    """Run a batch and print errors and the summary on stderr; returns the exit code
    (130 after Ctrl-C, once the works in flight are journalled)."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)

    def report_error(record: Record) -> None:
        fail(f"{record['source']}: {record['error']}")

    runner = None
    if engine == "spark":
        try:
            runner = SparkEngine(session(master, conf))
        except ImportError:
            fail("the Spark engine needs: pip install 'forewarn[spark]'")
            return ExitCode.INPUT
        workers = runner.parallelism
    try:
        summary = run_batch(
            inputs,
            out,
            workers=workers,
            mode=mode,
            retry_errors=retry_errors,
            console=err,
            on_error=report_error,
            engine=runner,
            progress_every=progress_every,
        )
        if summary.total == 0:
            fail(f"no works found in {', '.join(inputs)}")
            return ExitCode.INPUT
        for line in describe(summary, out):
            err.print(line, markup=False, soft_wrap=True)
        if parquet:
            rows = write_parquet(out, parquet)
            err.print(f"parquet: {parquet} ({rows} works)", markup=False, soft_wrap=True)
    except InputError as exc:
        fail(str(exc))
        return ExitCode.INPUT
    finally:
        if runner is not None:
            runner.spark.stop()
    if summary.interrupted:
        return ExitCode.INTERRUPTED
    return ExitCode.INPUT if summary.errors else ExitCode.OK
