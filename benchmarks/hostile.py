"""Peak memory and time of ``forewarn scan`` on the hostile input shapes of issue 15.

``python -m benchmarks.hostile`` writes each shape (tests/hostile_shapes.py: a Markdown file of
one 5,000-column table, one-letter lines, one long line and deep quotes; a text line without
spaces; HTML and an EPUB of many tiny ``<p>a</p>`` elements; an EPUB of prose in 248 nested
``<div>``s) at each ``--sizes`` (default 2 MB and 16 MB, the server's upload limit), then runs
``forewarn scan --format json FILE`` on it in a fresh process under ``/usr/bin/time -v``:
peak RSS, wall time, exit code and the first line of its stderr (an input refused by a limit
says so there). Each run has FOREWARN_MAX_SECONDS=``--max-seconds``, an address-space limit
and a CPU-time limit, so a runaway is stopped instead of exhausting the machine. The idle
baseline is the same command on a one-line story; the table sets *peak - idle* against the
budget issue 15 states (30 x the input bytes, and at most 1 GB in all for a 16 MB input), and
shows beside it the peak of ``forewarn text`` on the same file: the readers alone.
Only this tool's section of docs/BENCHMARKS.md (between its markers) is replaced, and only by
a full run (every shape at the default sizes) or where ``--output`` names a file: a partial run
prints its table and leaves the published one and its notes alone. Exit 0 once
every run is measured, whatever its outcome (over-budget rows are marked, not failures); exit 1
if an idle baseline itself fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.hostile_shapes import SHAPES

from benchmarks.bench import OUTPUT, machine, measure_process, write_section
from forewarn.limits import MB

START, END = "<!-- bench:hostile -->", "<!-- /bench:hostile -->"
#: The budget issue 15 sets: peak RSS above the idle baseline, per byte of input.
BYTES_PER_INPUT_BYTE = 30
#: ... and at most this much in all for an input of ``CAP_INPUT`` bytes (the upload limit).
CAP_RSS_MB, CAP_INPUT = 1024, 16 * MB
#: Lines GNU time appends to the child's stderr with ``-v``.
TIME_LINES = ("Command being timed", "Command exited with", "Command terminated by")
#: Scans of the one-line story whose median is the idle baseline.
IDLE_RUNS = 3


@dataclass(frozen=True)
class Run:
    """One measured ``forewarn scan``: what it read and what it cost; ``read_mb`` is the peak
    RSS of ``forewarn text`` on the same file (the readers alone)."""

    shape: str
    size: int
    file_size: int
    exit_code: int
    first_error: str
    wall: float
    peak_mb: float
    read_mb: float

    def budget_mb(self, idle_mb: float) -> float:
        """The most this run may hold: idle + 30 x input, capped at 1 GB for a 16 MB input."""
        budget = idle_mb + BYTES_PER_INPUT_BYTE * self.size / MB
        return min(budget, CAP_RSS_MB) if self.size >= CAP_INPUT else budget


def first_error(result: subprocess.CompletedProcess[str], path: Path) -> str:
    """The line that says why a run stopped: forewarn's first ``forewarn:`` line, else the last
    line of a traceback, else its first stderr line; GNU time's signal line when killed."""
    lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
    timed = next((i for i, ln in enumerate(lines) if ln.startswith(TIME_LINES[0])), len(lines))
    own, after = lines[:timed], lines[timed:]
    killed = [ln for ln in own + after if ln.startswith(TIME_LINES[2])]
    own = [ln for ln in own if not ln.startswith(TIME_LINES)]
    said = [ln for ln in own if ln.startswith("forewarn:")]
    if said:
        line = said[0]
    elif own and own[0].startswith("Traceback"):
        line = own[-1]
    else:
        line = own[0] if own else ""
    line = "; ".join(x for x in (line, *killed) if x)
    return line.replace(str(path), "FILE").replace("|", "\\|")


def notices(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The notices of the scanned document (how the readers fell back), from the JSON report."""
    try:
        return [str(n) for d in json.loads(result.stdout)["documents"] for n in d["notices"]]
    except (ValueError, KeyError, TypeError):
        return []


def measure(
    shape: str, size: int, folder: Path, max_seconds: int, address_space: int
) -> tuple[Run, Path]:
    """Write ``shape`` at ``size`` parsed bytes into ``folder`` and scan it once."""
    maker = SHAPES[shape]
    path = folder / f"{shape.replace(' ', '-').lower()}-{size}{maker.suffix}"
    maker.write(path, size)
    env = {"FOREWARN_MAX_SECONDS": str(max_seconds)}
    limits = {"address_space": address_space, "cpu_seconds": 4 * max_seconds + 60}
    mb, seconds, result = measure_process(["scan", "--format", "json", str(path)], env, **limits)
    read_mb, _, _ = measure_process(["text", str(path)], env, **limits)
    said = first_error(result, path) or "; ".join(f"notice: {n}" for n in notices(result))
    run = Run(shape, size, path.stat().st_size, result.returncode, said, seconds, mb, read_mb)
    return run, path


def idle_baseline(story: Path, args: list[str], address_space: int) -> tuple[float, float]:
    """Median (peak RSS in MB, wall seconds) of ``IDLE_RUNS`` runs of ``forewarn ARGS STORY``."""
    runs = []
    for _ in range(IDLE_RUNS):
        mb, seconds, result = measure_process([*args, str(story)], address_space=address_space)
        if result.returncode != 0:
            raise SystemExit(f"the idle baseline failed: {first_error(result, story)}")
        runs.append((mb, seconds))
    mb, seconds = (statistics.median(x) for x in zip(*runs, strict=True))
    return mb, seconds


def _size(n: float) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def render(
    runs: list[Run], idle: Run, read_idle_mb: float, args: argparse.Namespace, command: str
) -> str:
    lines = [
        START,
        "## Hostile inputs: peak memory of `forewarn scan`",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`: each input of issue "
        "15 (tests/hostile_shapes.py) is written fresh and scanned by `forewarn scan --format "
        "json FILE` (default mode) in a new process under `/usr/bin/time -v`, with "
        f"FOREWARN_MAX_SECONDS={args.max_seconds} and an address-space limit of "
        f"{args.address_space_gb} GB (a runaway fails instead of exhausting the machine). "
        "*Input* is the bytes the readers parse (an EPUB's pages decompressed; *file* is what "
        "is on disk or uploaded). The idle baseline is the same command on a one-line story "
        f"(median of {IDLE_RUNS}): **{idle.peak_mb:.0f} MB** peak RSS, {idle.wall:.1f} s. "
        f"The budget issue 15 sets is idle + {BYTES_PER_INPUT_BYTE} x input bytes, and at most "
        f"{CAP_RSS_MB / 1024:.0f} GB in all for a {CAP_INPUT // MB} MB input. The last column "
        "is the readers alone: `forewarn text FILE` under the same limits, less its own idle "
        f"baseline ({read_idle_mb:.0f} MB).",
        "",
        *(f"- {k}: {v}" for k, v in machine().items()),
        "",
        "| input | input bytes | file | exit | outcome (stderr's first line, or notices) | wall "
        "| peak RSS "
        f"| peak - idle | {BYTES_PER_INPUT_BYTE} x input | within budget | readers: peak - idle |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for run in runs:
        budget = run.budget_mb(idle.peak_mb)
        outcome = run.first_error or ("completed" if run.exit_code == 0 else "")
        lines.append(
            f"| {run.shape} | {_size(run.size)} | {_size(run.file_size)} | {run.exit_code} | "
            f"{outcome} | {run.wall:.1f} s | {run.peak_mb:.0f} MB | "
            f"{run.peak_mb - idle.peak_mb:.0f} MB | "
            f"{BYTES_PER_INPUT_BYTE * run.size / MB:.0f} MB | "
            f"{'yes' if run.peak_mb <= budget else f'**no** (budget {budget:.0f} MB)'} | "
            f"{run.read_mb - read_idle_mb:.0f} MB |"
        )
    over = [r for r in runs if r.peak_mb > r.budget_mb(idle.peak_mb)]
    lines += [
        "",
        f"Over budget: {len(over)} of {len(runs)} run(s)"
        + (": " + "; ".join(f"{r.shape} at {_size(r.size)}" for r in over) if over else "")
        + ".",
        END,
    ]
    return "\n".join(lines) + "\n"


def _full_run(args: argparse.Namespace) -> bool:
    """Every shape at the default sizes: the run the published table stands for."""
    return set(args.shapes) == set(SHAPES) and sorted(args.sizes) == [2, 16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=float, nargs="+", default=[2, 16], metavar="MB", help="input sizes"
    )
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    parser.add_argument("--max-seconds", type=int, default=300, help="FOREWARN_MAX_SECONDS")
    parser.add_argument("--address-space-gb", type=int, default=8, help="RLIMIT_AS per run")
    parser.add_argument(
        "--output", type=Path, help=f"where to write the section (default: {OUTPUT}, full runs)"
    )
    args = parser.parse_args(argv)
    command = " ".join(["python -m benchmarks.hostile", *(sys.argv[1:] if argv is None else argv)])
    address_space = args.address_space_gb * 1024 * MB
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        story = folder / "tiny.txt"
        story.write_text("She walked home in the rain.\n")
        mb, seconds = idle_baseline(story, ["scan", "--format", "json"], address_space)
        size = story.stat().st_size
        idle = Run("idle", size, size, 0, "", seconds, mb, 0.0)
        read_idle_mb, _ = idle_baseline(story, ["text"], address_space)
        print(
            f"idle: scan {mb:.0f} MB, {seconds:.1f} s; text {read_idle_mb:.0f} MB", file=sys.stderr
        )
        for size in args.sizes:
            for shape in args.shapes:
                run, path = measure(shape, int(size * MB), folder, args.max_seconds, address_space)
                path.unlink()
                runs.append(run)
                print(
                    f"{shape} {_size(run.size)}: exit {run.exit_code}, {run.peak_mb:.0f} MB, "
                    f"{run.wall:.1f} s {run.first_error}; text {run.read_mb:.0f} MB",
                    file=sys.stderr,
                )
    section = render(runs, idle, read_idle_mb, args, command.strip())
    output = args.output or (OUTPUT if _full_run(args) else None)
    if output is None:
        print(f"a partial run: {OUTPUT} left as it is (--output FILE writes it)", file=sys.stderr)
    else:
        write_section(output, section, START, END)
    sys.stdout.write(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
