"""Scores from outcomes: accuracy and positive-class F1 per warning, pooled and averaged."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from forewarn.evaluation.protocol import EvalResult, Outcome

METRICS: tuple[str, ...] = ("accuracy", "f1", "precision", "recall")
#: The summary rows after the per-warning ones: all sampled passages pooled, and the
#: unweighted mean of the per-warning scores (what the paper's 20 + 20 samples amount to).
POOLED, MEAN = "all (pooled)", "macro mean"


@dataclass(frozen=True)
class Counts:
    """A confusion matrix for the positive class."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Counts:
        tp = fp = tn = fn = 0
        for o in outcomes:
            if o.predicted:
                tp, fp = (tp + 1, fp) if o.label else (tp, fp + 1)
            else:
                fn, tn = (fn + 1, tn) if o.label else (fn, tn + 1)
        return cls(tp, fp, tn, fn)

    def metric(self, name: str) -> float:
        """accuracy, precision, recall or f1; NaN where undefined (nothing to divide)."""
        if name == "accuracy":
            return _ratio(self.tp + self.tn, self.tp + self.fp + self.tn + self.fn)
        if name == "precision":
            return _ratio(self.tp, self.tp + self.fp)
        if name == "recall":
            return _ratio(self.tp, self.tp + self.fn)
        if name == "f1":
            return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)
        raise KeyError(name)


def _ratio(a: int, b: int) -> float:
    return a / b if b else math.nan


@dataclass(frozen=True)
class Stat:
    """One metric over seeds: mean, sample standard deviation, and each seed's value."""

    mean: float
    std: float
    per_seed: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        defined = [v for v in values if not math.isnan(v)]
        mean = statistics.fmean(defined) if defined else math.nan
        std = statistics.stdev(defined) if len(defined) > 1 else 0.0 if defined else math.nan
        return cls(mean, std, tuple(values))

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": json_float(self.mean),
            "std": json_float(self.std),
            "per_seed": [json_float(v) for v in self.per_seed],
        }


def json_float(value: float) -> float | None:
    """``value`` rounded for JSON, or None (JSON has no NaN)."""
    return None if math.isnan(value) else round(value, 6)


def summarize(result: EvalResult) -> dict[str, dict[str, dict[str, Stat]]]:
    """system -> row (each warning, POOLED, MEAN) -> metric -> Stat over seeds."""
    seeds = result.protocol.seeds
    summary: dict[str, dict[str, dict[str, Stat]]] = {}
    for name, outcomes in result.outcomes.items():
        counts = {
            (seed, w): Counts.of(o for o in outcomes if o.seed == seed and o.warning == w)
            for seed in seeds
            for w in result.warnings
        }
        rows: dict[str, dict[str, Stat]] = {}
        for w in result.warnings:
            rows[w] = {m: Stat.of([counts[s, w].metric(m) for s in seeds]) for m in METRICS}
        pooled = {s: Counts.of(o for o in outcomes if o.seed == s) for s in seeds}
        rows[POOLED] = {m: Stat.of([pooled[s].metric(m) for s in seeds]) for m in METRICS}
        rows[MEAN] = {
            m: Stat.of([_nanmean(counts[s, w].metric(m) for w in result.warnings) for s in seeds])
            for m in METRICS
        }
        summary[name] = rows
    return summary


def _nanmean(values: Iterable[float]) -> float:
    defined = [v for v in values if not math.isnan(v)]
    return statistics.fmean(defined) if defined else math.nan


def sample_sizes(result: EvalResult) -> dict[str, dict[str, list[int]]]:
    """Per warning, the positives and negatives in each seed's test samples (all folds)."""
    outcomes = next(iter(result.outcomes.values()), [])
    sizes: dict[str, dict[str, list[int]]] = {}
    for w in result.warnings:
        own = [o for o in outcomes if o.warning == w]
        sizes[w] = {
            "positives": [sum(o.label for o in own if o.seed == s) for s in result.protocol.seeds],
            "negatives": [
                sum(not o.label for o in own if o.seed == s) for s in result.protocol.seeds
            ],
        }
    return sizes
