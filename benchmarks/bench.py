"""Time every stage of forewarn and the whole pipeline; record medians in docs/BENCHMARKS.md.

``python -m benchmarks.bench`` (or ``make bench``) times, on each of the shared novels, reading
(bytes -> Document), sentence segmentation, the pattern stage (text normalisation + lexicons),
aggregation into warnings, rendering (terminal + JSON), and the whole ``forewarn scan`` path,
as the median of ``--runs`` runs; then the peak RSS of a real ``forewarn scan`` per novel.
Only this tool's own section of the output file (between its markers) is replaced.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from rich.console import Console

from forewarn.detectors import build_pipeline
from forewarn.detectors.patterns import PatternDetector
from forewarn.limits import MB
from forewarn.normalize import MatchView
from forewarn.readers import read_path
from forewarn.render.terminal import print_report
from forewarn.report import DocumentReport, Report, aggregate
from forewarn.scanner import scan_document

ROOT = Path(__file__).resolve().parent.parent
NOVELS = ROOT.parent / "shared" / "texts"
OUTPUT = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:pipeline -->", "<!-- /bench:pipeline -->"
LARGE_START, LARGE_END = "<!-- bench:large -->", "<!-- /bench:large -->"
T = TypeVar("T")
STAGES = ["read", "segment", "normalize", "patterns", "aggregate", "render", "pipeline"]


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _render(report: Report) -> str:
    screen = io.StringIO()
    print_report(report, Console(file=screen, width=100, color_system=None))
    return screen.getvalue() + report.to_json()


def run_once(path: Path) -> dict[str, float]:
    """Seconds per stage for one pass over ``path`` (each stage on a freshly read document)."""
    pipeline = build_pipeline()
    categories = pipeline.categories()
    times: dict[str, float] = {}
    times["read"], doc = _timed(lambda: read_path(path))
    times["segment"], _ = _timed(lambda: doc.sentences)
    times["normalize"], _ = _timed(lambda: MatchView(doc.text))
    detector = PatternDetector()
    times["patterns"], findings = _timed(lambda: detector(doc))
    doc.findings = findings
    times["aggregate"], (present, scored) = _timed(lambda: aggregate(doc, categories))
    report = Report([DocumentReport(str(path), doc, present, scored)], detectors=pipeline.names)
    times["render"], _ = _timed(lambda: _render(report))

    def whole() -> str:
        fresh = read_path(path)
        return _render(Report([scan_document(fresh, pipeline)], detectors=pipeline.names))

    times["pipeline"], _ = _timed(whole)
    return times


_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def _rlimits(address_space: int | None, cpu_seconds: int | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` capping the address space (bytes) and CPU time of a child, or None."""
    if address_space is None and cpu_seconds is None:
        return None

    def cap() -> None:
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        if cpu_seconds is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return cap


def measure_process(
    args: list[str],
    env: dict[str, str] | None = None,
    *,
    address_space: int | None = None,
    cpu_seconds: int | None = None,
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(peak RSS in MB, wall seconds, result) of ``forewarn ARGS`` in a new process; optionally
    under an address-space limit (a runaway fails instead of exhausting the machine) and a CPU
    time limit (SIGXCPU ends it)."""
    cmd = [sys.executable, "-m", "forewarn", *args]
    full_env = {**os.environ, **(env or {})}
    cap = _rlimits(address_space, cpu_seconds)
    if Path("/usr/bin/time").exists():  # GNU time -v, as a developer would measure it
        result = subprocess.run(
            ["/usr/bin/time", "-v", *cmd],
            capture_output=True,
            text=True,
            env=full_env,
            preexec_fn=cap,
        )
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
        wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
        if rss and wall:
            h, m, s = wall.groups()
            seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
            return int(rss.group(1)) / 1024, seconds, result
    # No GNU time: a fresh wrapper process reports its one child's peak as its last stderr line
    # (this process's RUSAGE_CHILDREN would be the peak of every child measured so far).
    wrapped = [sys.executable, "-c", _WRAPPER, *cmd]
    seconds, result = _timed(
        lambda: subprocess.run(
            wrapped, capture_output=True, text=True, env=full_env, preexec_fn=cap
        )
    )
    rest, _, peak = result.stderr.rstrip("\n").rpartition("\n")
    result.stderr = rest + "\n" if rest else ""
    return int(peak) / 1024 if peak.isdigit() else 0.0, seconds, result


def peak_rss(path: Path) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of ``forewarn scan --format json PATH``."""
    mb, seconds, _ = measure_process(["scan", "--format", "json", str(path)])
    return mb, seconds


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1) if found else cpu
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "Python": platform.python_version(),
        "OS": f"{platform.system()} {platform.release()}",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def render_section(
    results: dict[Path, dict[str, list[float]]],
    rss: dict[Path, tuple[float, float]],
    runs: int,
    command: str,
) -> str:
    lines = [
        START,
        "## Pipeline stages (forewarn default mode)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}`: median of {runs} "
        "run(s), seconds. Each stage runs on a freshly read document; *pipeline* is the whole "
        "`forewarn scan` path in one process (read, detect, aggregate, render).",
        "",
        *(f"- {k}: {v}" for k, v in machine().items()),
        "",
        "| text | size | words | " + " | ".join(STAGES) + " | MB/s (pipeline) |",
        "|---|---:|---:|" + "---:|" * len(STAGES) + "---:|",
    ]
    for path, times in results.items():
        size = path.stat().st_size
        words = len(path.read_text(encoding="utf-8", errors="replace").split())
        medians = [statistics.median(times[s]) for s in STAGES]
        lines.append(
            f"| {path.name} | {size / MB:.2f} MB | {words:,} | "
            + " | ".join(f"{m:.3f}" for m in medians)
            + f" | {size / MB / medians[-1]:.3f} |"
        )
    if rss:
        lines += [
            "",
            "Peak memory of a real `forewarn scan --format json FILE` process "
            "(`/usr/bin/time -v`):",
            "",
            "| text | peak RSS | wall time |",
            "|---|---:|---:|",
            *(f"| {p.name} | {mb:.0f} MB | {s:.1f} s |" for p, (mb, s) in rss.items()),
        ]
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(output: Path, section: str, start: str, end: str) -> None:
    """Replace the ``start``..``end`` section of ``output`` (or append it); keep the rest."""
    text = output.read_text(encoding="utf-8") if output.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


def large_section(megabytes: int, max_seconds: int) -> str:
    """Read and scan a ``megabytes`` MB single-line text with the input limit raised."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "line.txt"
        words = (ROOT / "examples" / "founding-story.txt").read_text().split()
        chunk = (" ".join(words) + " ").encode()
        with path.open("wb") as f:
            for _ in range(megabytes * MB // len(chunk) + 1):
                f.write(chunk)
        size = path.stat().st_size
        limits = {"FOREWARN_MAX_INPUT_MB": str(megabytes * 2)}
        cases = [
            ("default limits", ["scan", str(path)], {}),
            ("`forewarn text` (read only)", ["text", str(path)], limits),
            (
                f"`forewarn scan`, FOREWARN_MAX_SECONDS={max_seconds}",
                ["scan", "--format", "json", str(path)],
                {**limits, "FOREWARN_MAX_SECONDS": str(max_seconds)},
            ),
        ]
        for label, args, env in cases:
            mb, seconds, result = measure_process(args, env)
            errors = [ln for ln in result.stderr.splitlines() if ln.startswith("forewarn:")]
            outcome = errors[0].replace(str(path), "FILE") if errors else "completed"
            rows.append(
                f"| {label} | exit {result.returncode}: {outcome} | {mb:.0f} MB | {seconds:.1f} s |"
            )
    return (
        "\n".join(
            [
                LARGE_START,
                f"## A {size / MB:.0f} MB single-line text",
                "",
                f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
                f"`python -m benchmarks.bench --large {megabytes} --max-seconds {max_seconds}` "
                f"(one line of the sample story's words; limits raised with FOREWARN_MAX_INPUT_MB="
                f"{megabytes * 2} except in the first row).",
                "",
                *(f"- {k}: {v}" for k, v in machine().items()),
                "",
                "| run | outcome | peak RSS | wall time |",
                "|---|---|---:|---:|",
                *rows,
                LARGE_END,
            ]
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="texts (default: the shared novels)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--no-rss", action="store_true", help="skip the peak-RSS subprocesses")
    parser.add_argument("--large", type=int, metavar="MB", help="only measure a MB-sized line")
    parser.add_argument("--max-seconds", type=int, default=300, help="time limit for --large")
    args = parser.parse_args(argv)
    if args.large:
        section = large_section(args.large, args.max_seconds)
        write_section(args.output, section, LARGE_START, LARGE_END)
        sys.stdout.write(section)
        return 0
    files = args.files or sorted(NOVELS.glob("*.txt"))
    if not files:
        parser.error(f"no texts given and none in {NOVELS}")
    command = " ".join(["python -m benchmarks.bench", *(sys.argv[1:] if argv is None else argv)])
    results: dict[Path, dict[str, list[float]]] = {}
    for path in files:
        results[path] = {s: [] for s in STAGES}
        for i in range(args.runs):
            for stage, seconds in run_once(path).items():
                results[path][stage].append(seconds)
            print(f"{path.name}: run {i + 1}/{args.runs}", file=sys.stderr)
    rss = {} if args.no_rss else {p: peak_rss(p) for p in files}
    section = render_section(results, rss, args.runs, command.strip())
    write_section(args.output, section, START, END)
    sys.stdout.write(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
