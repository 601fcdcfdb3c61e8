"""Sum libFuzzer's own totals over ``fuzz/logs``: ``python -m fuzz.totals [LOG ...]``.

Only a log that ends with libFuzzer's ``Done N runs in S second(s)`` line counts towards the
total; a run that stopped early (a crash, or interrupted) is listed with its last ``#N`` status
line and marked as not counted.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

LOGS = Path(__file__).resolve().parent / "logs"
_DONE = re.compile(r"^Done (\d+) runs in (\d+) second\(s\)$", re.M)
_STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) .*?exec/s: (\d+)", re.M)
_FINDING = re.compile(r"^SUMMARY: libFuzzer: (.+)$|^(\w+(?:Error|Exception)\w*: .*)$", re.M)


@dataclass
class Run:
    """One log: its target, libFuzzer's totals, and the findings it reported."""

    log: Path
    target: str
    runs: int | None  # from "Done N runs"; None when the run did not finish
    seconds: int | None
    last_status: str  # the last "#N ... cov: ... ft: ..." line
    cov: int
    ft: int
    exec_per_s: int
    findings: list[str]


def parse(log: Path) -> Run:
    text = log.read_text(errors="replace")
    done = _DONE.search(text)
    statuses = list(_STATUS.finditer(text))
    last = statuses[-1] if statuses else None
    findings = list(dict.fromkeys(m.group(1) or m.group(2) for m in _FINDING.finditer(text)))
    return Run(
        log=log,
        target=log.name.split("-", 1)[0],
        runs=int(done.group(1)) if done else None,
        seconds=int(done.group(2)) if done else None,
        last_status=last.group(0) if last else "",
        cov=int(last.group(3)) if last else 0,
        ft=int(last.group(4)) if last else 0,
        exec_per_s=int(last.group(5)) if last else 0,
        findings=findings,
    )


def main(argv: list[str]) -> None:
    logs = [Path(a) for a in argv] or sorted(LOGS.glob("*.log"))
    runs = [parse(log) for log in logs]
    total = 0
    for r in runs:
        if r.runs is not None:
            total += r.runs
            print(
                f"{r.log.name}: Done {r.runs} runs in {r.seconds} second(s); "
                f"{r.exec_per_s} exec/s, cov {r.cov}, ft {r.ft}"
            )
        else:
            print(f"{r.log.name}: INCOMPLETE, not counted (last line: {r.last_status!r})")
        for finding in r.findings:
            print(f"    finding: {finding}")
    print(f"total: {total} runs in {sum(1 for r in runs if r.runs is not None)} completed logs")


if __name__ == "__main__":
    main(sys.argv[1:])
