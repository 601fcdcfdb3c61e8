"""The load benchmark runs end to end on a few requests, counts statuses, writes only its section.

Times are never asserted (they belong to benchmarks/); only that every request got an answer,
none of them a 5xx, and that overload is refused with 429 + Retry-After or not at all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from benchmarks.load import END, START, main

PARAGRAPHS = [
    "The rain had not stopped for three days, and the harbour lay grey and still.",
    "She walked to the end of the pier and counted the boats, as her father used to.",
    "Nobody came. The lamps along the front went out one by one after midnight.",
]


def _statuses(section: str, phase: str) -> dict[str, int]:
    row = next(line for line in section.splitlines() if line.startswith(f"| {phase} |"))
    cell = row.strip("|").split("|")[11]
    return {status: int(n) for status, n in re.findall(r"(\w+): (\d+)", cell)}


@pytest.mark.slow
def test_load_tool_counts_statuses_without_server_errors(tmp_path: Path) -> None:
    novel = tmp_path / "novel.txt"
    novel.write_text("\n\n".join(PARAGRAPHS * 20) + "\n", encoding="utf-8")
    output = tmp_path / "BENCHMARKS.md"
    other = "# Benchmarks\n\n<!-- bench:other -->\nsomeone else's numbers\n<!-- /bench:other -->\n"
    output.write_text(other + f"\n{START}\nstale\n{END}\n")
    args = ["--requests", "8", "--concurrency", "4", "--workers", "1", "--long-words", "1500"]
    args += ["--overload-requests", "12", "--overload-concurrency", "12", "--overload-queue", "0"]
    args += ["--idle-connections", "5", "--idle-seconds", "4", "--idle-requests", "4"]
    args += ["--body-seconds", "2"]
    assert main([*args, "--output", str(output), str(novel)]) == 0
    text = output.read_text()
    assert text.startswith(other) and "stale" not in text
    assert text.count(START) == text.count(END) == 1
    section = text[text.index(START) : text.index(END)]
    load, overload = _statuses(section, "load"), _statuses(section, "overload")
    assert sum(load.values()) == 8 and sum(overload.values()) == 12
    assert _statuses(section, "slow clients") == {"200": 4}  # served beside idle connections
    assert "The idle ones got 408: 5" in section
    assert set(load) == {"200"}, load  # the load phase's queue holds every client
    assert set(overload) <= {"200", "429"}, overload
    assert "No 5xx, no transport error, every 429 with Retry-After" in section
    assert "- Python: " in section and "load average" in section
