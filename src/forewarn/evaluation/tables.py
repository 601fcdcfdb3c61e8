"""Presenting an evaluation: readable tables (accuracy, F1) and a JSON record of the run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forewarn.evaluation.ceiling import Ceiling, pooled
from forewarn.evaluation.metrics import (
    MEAN,
    METRICS,
    POOLED,
    Stat,
    json_float,
    sample_sizes,
    summarize,
)
from forewarn.evaluation.protocol import EvalResult
from forewarn.evaluation.webis import Passage

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
            table.add_column(escape(name), justify="right")  # "passage-lr[mpnet]" is no markup
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
    console.print(
        f"time to fit and predict, all folds and seeds: {timing}", soft_wrap=True, markup=False
    )


def ceiling_rows(result: EvalResult, found: dict[str, Ceiling]) -> dict[str, tuple[float, float]]:
    """Per warning, then pooled (weighted by test passages) and macro: (beta-binomial,
    generous) expected balanced accuracy of an oracle that knows each passage's yes-rate."""
    sizes = sample_sizes(result)
    weights = {w: float(np.mean(sizes[w]["positives"]) * 2) for w in found if w in sizes}
    rows = {w: (c.beta_binomial, c.generous) for w, c in found.items() if w in weights}
    if rows:
        for name, fn in ((POOLED, lambda v: pooled(v, weights)), (MEAN, _mean)):
            rows[name] = tuple(  # type: ignore[assignment]
                fn({w: v[k] for w, v in rows.items() if w in weights}) for k in (0, 1)
            )
    return rows


def _mean(values: dict[str, float]) -> float:
    return float(np.mean(list(values.values()))) if values else float("nan")


def print_ceiling(result: EvalResult, found: dict[str, Ceiling], console: Console) -> None:
    """The annotation ceiling beside the tables (``evaluation.ceiling``)."""
    rows = ceiling_rows(result, found)
    if not rows:
        return
    table = Table(
        title="Annotation ceiling: a text-only oracle's expected accuracy on balanced samples",
        title_justify="left",
    )
    for column in ("warning", "passages by yes votes", "beta-binomial", "generous"):
        table.add_column(column, justify="left" if column == "warning" else "right")
    last = [w for w in rows if w in found][-1]
    for row, (beta, generous) in rows.items():
        votes = "/".join(map(str, found[row].votes)) if row in found else ""
        table.add_row(row, votes, f"{beta:.3f}", f"{generous:.3f}", end_section=row == last)
    console.print(table)


def agreement_accuracy(
    result: EvalResult, passages: Sequence[Passage]
) -> dict[str, dict[str, tuple[float, int]]]:
    """Per system: (accuracy, test passages) where the annotators were unanimous and where
    their votes split: how much of the error sits on labels that are partly chance."""
    votes = {p.example_id: p.votes for p in passages}
    out: dict[str, dict[str, tuple[float, int]]] = {}
    for name, outcomes in result.outcomes.items():
        right: dict[str, list[bool]] = {"unanimous": [], "split": []}
        for o in outcomes:
            v = votes[o.example_id]
            right["unanimous" if sum(v) in (0, len(v)) else "split"].append(o.predicted == o.label)
        out[name] = {k: (float(np.mean(r)) if r else math.nan, len(r)) for k, r in right.items()}
    return out


def print_agreement(result: EvalResult, passages: Sequence[Passage], console: Console) -> None:
    """Accuracy on unanimous and on split-vote test passages, every system (all seeds pooled)."""
    rows = agreement_accuracy(result, passages)
    table = Table(title="Accuracy by annotator agreement (all seeds)", title_justify="left")
    table.add_column("system")
    for kind in ("unanimous", "split"):
        n = next(iter(rows.values()))[kind][1] if rows else 0
        table.add_column(f"{kind} ({n} test passages)", justify="right")
    for name, row in rows.items():
        table.add_row(escape(name), *(f"{row[k][0]:.3f}" for k in ("unanimous", "split")))
    console.print(table)


def to_dict(
    result: EvalResult,
    data: dict[str, Any],
    command: str | None = None,
    ceiling: dict[str, Ceiling] | None = None,
    passages: Sequence[Passage] = (),
) -> dict[str, Any]:
    """The run as JSON: data identity, protocol, sample sizes, and every system's scores."""
    summary = summarize(result)
    p = result.protocol
    rows = ceiling_rows(result, ceiling or {})
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
        "ceiling": {
            row: {"beta_binomial": round(b, 4), "generous": round(g, 4)}
            for row, (b, g) in rows.items()
        },
        "agreement": {
            name: {k: {"accuracy": json_float(a), "passages": n} for k, (a, n) in row.items()}
            for name, row in (agreement_accuracy(result, passages) if passages else {}).items()
        },
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
