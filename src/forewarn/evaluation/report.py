"""Presenting an evaluation: readable tables (accuracy, F1) and a JSON record of the run."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from forewarn.evaluation.metrics import MEAN, METRICS, POOLED, Stat, sample_sizes, summarize
from forewarn.evaluation.protocol import EvalResult

TITLES = {"accuracy": "Accuracy", "f1": "Positive-class F1"}


def _cell(stat: Stat) -> str:
    if math.isnan(stat.mean):
        return "–"
    return f"{stat.mean:.3f} ± {stat.std:.3f}"


def _protocol_line(result: EvalResult, passages: int) -> str:
    p = result.protocol
    balance = "balanced" if p.balanced else "each class capped on its own"
    return (
        f"{passages} passages in {result.groups} work groups; {p.folds}-fold CV grouped by "
        f"work; test folds sampled per warning, ≤ {p.per_class} + {p.per_class} ({balance}); "
        f"{len(p.seeds)} seeds; mean ± std over seeds"
    )


def print_tables(result: EvalResult, passages: int, console: Console) -> None:
    """One table per headline metric: a row per warning plus the pooled and mean rows."""
    summary = summarize(result)
    sizes = sample_sizes(result)
    console.print(_protocol_line(result, passages), soft_wrap=True)
    for metric in ("accuracy", "f1"):
        table = Table(title=TITLES[metric], title_justify="left")
        table.add_column("warning")
        table.add_column("test pos+neg", justify="right")
        for name in summary:
            table.add_column(name, justify="right")
        rows = [*result.warnings, POOLED, MEAN]
        for row in rows:
            if row in sizes:
                pos, neg = sizes[row]["positives"], sizes[row]["negatives"]
                n = f"{sum(pos) / len(pos):.0f}+{sum(neg) / len(neg):.0f}"
            else:
                n = ""
            cells = [_cell(summary[name][row][metric]) for name in summary]
            table.add_row(row, n, *cells, end_section=row == result.warnings[-1])
        console.print(table)
    for name, notes in result.notes.items():
        for note in notes:
            console.print(f"note ({name}): {note}", soft_wrap=True, markup=False)
    timing = ", ".join(f"{name} {s:.1f} s" for name, s in result.seconds.items())
    console.print(f"time to fit and predict, all folds and seeds: {timing}", soft_wrap=True)


def to_dict(result: EvalResult, data: dict[str, Any], command: str | None = None) -> dict[str, Any]:
    """The run as JSON: data identity, protocol, sample sizes, and every system's scores."""
    summary = summarize(result)
    p = result.protocol
    return {
        "benchmark": "webis-passages (Wiegmann et al., ACL 2024)",
        "command": command,
        "data": {**data, "groups": result.groups},
        "protocol": {
            "folds": p.folds,
            "seeds": list(p.seeds),
            "per_class": p.per_class,
            "balanced": p.balanced,
            "label": "majority of the annotators' votes",
            "grouping": "work_id (and identical text)",
        },
        "warnings": result.warnings,
        "samples": sample_sizes(result),
        "systems": {
            name: {
                "description": result.descriptions.get(name, ""),
                "notes": result.notes.get(name, []),
                "seconds": round(result.seconds.get(name, 0.0), 3),
                "rows": {
                    row: {m: stats[m].to_dict() for m in METRICS} for row, stats in rows.items()
                },
            }
            for name, rows in summary.items()
        },
    }
