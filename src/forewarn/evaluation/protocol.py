"""The grouped, balanced cross-validation protocol for passage-level warnings.

Per seed: passages are split into folds grouped by work (a work's passages, and passages with
identical text, never straddle two folds), stratified by (warning, label); each test fold is
sampled balanced per warning as far as the data allows; every system is fitted afresh on the
other folds and predicts the sample without seeing its labels.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from forewarn.evaluation.systems import SystemFactory
from forewarn.evaluation.webis import Passage


@dataclass(frozen=True)
class Protocol:
    """The knobs of one evaluation run (defaults follow the paper: 20 + 20, 5 seeds)."""

    folds: int = 5
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    per_class: int = 20
    #: True: as many test negatives as positives per warning and fold (the smaller count, at
    #: most ``per_class``); False: each class capped at ``per_class`` on its own.
    balanced: bool = True

    def __post_init__(self) -> None:
        if self.folds < 2:
            raise ValueError("at least 2 folds are needed")
        if not self.seeds:
            raise ValueError("at least one seed is needed")
        if self.per_class < 1:
            raise ValueError("per_class must be at least 1")


@dataclass(frozen=True)
class Outcome:
    """One test passage scored by one system in one seed's fold."""

    seed: int
    fold: int
    example_id: str
    warning: str
    label: bool
    score: float

    @property
    def predicted(self) -> bool:
        return self.score >= 0.5


@dataclass
class EvalResult:
    """Everything a run produced: per-system outcomes on the same test samples."""

    protocol: Protocol
    warnings: list[str]
    groups: int
    outcomes: dict[str, list[Outcome]]
    notes: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # fit + predict, all folds


def _text_key(text: str) -> str:
    return " ".join(text.lower().split())


def group_ids(passages: Sequence[Passage]) -> list[int]:
    """A group number per passage: connected by shared ``work_id`` or identical text."""
    parent = list(range(len(passages)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, p in enumerate(passages):
        for key in (("work", p.work_id), ("text", _text_key(p.text))):
            j = first.setdefault(key, i)
            parent[find(i)] = find(j)
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(len(passages))]


def assign_folds(passages: Sequence[Passage], n_folds: int, seed: int) -> list[int]:
    """A fold number (0 … n_folds-1) per passage: grouped, and stratified by (warning, label)."""
    groups = group_ids(passages)
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    rng = random.Random(seed)
    order = list(members)
    rng.shuffle(order)
    order.sort(key=lambda g: -len(members[g]))  # big groups first; shuffled among equals
    totals = Counter((p.warning, p.label) for p in passages)
    filled: list[Counter[tuple[str, bool]]] = [Counter() for _ in range(n_folds)]
    sizes = [0] * n_folds
    tie_break = list(range(n_folds))
    folds = [0] * len(passages)
    for g in order:
        strata = Counter((passages[i].warning, passages[i].label) for i in members[g])
        rng.shuffle(tie_break)

        def cost(f: int, strata: Counter[tuple[str, bool]] = strata) -> tuple[float, int, int]:
            share = sum(n * filled[f][s] / totals[s] for s, n in strata.items())
            return (share, sizes[f], tie_break[f])

        best = min(range(n_folds), key=cost)
        filled[best].update(strata)
        sizes[best] += len(members[g])
        for i in members[g]:
            folds[i] = best
    return folds


def sample_test(
    passages: Sequence[Passage], per_class: int, rng: random.Random, balanced: bool = True
) -> list[Passage]:
    """Up to ``per_class`` positives and negatives per warning from one fold's passages.

    ``balanced``: both classes get the same count (the smaller of the two, at most
    ``per_class``), so always answering one class scores 0.5; otherwise each class is
    capped on its own.
    """
    by_warning: dict[str, tuple[list[Passage], list[Passage]]] = defaultdict(lambda: ([], []))
    for p in sorted(passages, key=lambda p: p.example_id):
        by_warning[p.warning][0 if p.label else 1].append(p)
    sample: list[Passage] = []
    for warning in sorted(by_warning):
        positives, negatives = by_warning[warning]
        n_pos, n_neg = min(per_class, len(positives)), min(per_class, len(negatives))
        if balanced:
            n_pos = n_neg = min(n_pos, n_neg)
        sample.extend(rng.sample(positives, n_pos))
        sample.extend(rng.sample(negatives, n_neg))
    return sample


def _checked_scores(
    name: str, predictions: Mapping[str, Sequence[float]], test: Sequence[Passage]
) -> list[float]:
    """The score of each test passage for its own warning; ValueError on a malformed answer."""
    scores = []
    for i, p in enumerate(test):
        values = predictions.get(p.warning)
        if values is None:
            raise ValueError(f"system {name!r} gave no predictions for warning {p.warning!r}")
        if len(values) != len(test):
            raise ValueError(
                f"system {name!r} gave {len(values)} predictions for {len(test)} passages"
            )
        score = float(values[i])
        if math.isnan(score):
            raise ValueError(f"system {name!r} gave NaN for passage {p.example_id}")
        scores.append(score)
    return scores


def evaluate(
    passages: Sequence[Passage],
    systems: Mapping[str, SystemFactory],
    protocol: Protocol | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalResult:
    """Run every system through the protocol on the same folds and test samples."""
    protocol = protocol or Protocol()
    outcomes: dict[str, list[Outcome]] = {name: [] for name in systems}
    notes: dict[str, list[str]] = {}
    descriptions: dict[str, str] = {}
    seconds = dict.fromkeys(systems, 0.0)
    for seed in protocol.seeds:
        folds = assign_folds(passages, protocol.folds, seed)
        for fold in range(protocol.folds):
            train = [p for p, f in zip(passages, folds, strict=True) if f != fold]
            held_out = [p for p, f in zip(passages, folds, strict=True) if f == fold]
            rng = random.Random(seed * 1_000_003 + fold)
            test = sample_test(held_out, protocol.per_class, rng, protocol.balanced)
            hidden = [p.unlabelled() for p in test]
            for name, factory in systems.items():
                if progress:
                    progress(f"seed {seed}, fold {fold + 1}/{protocol.folds}: {name}")
                started = time.perf_counter()
                system = factory()
                system.fit(list(train))
                scores = _checked_scores(name, system.predict(list(hidden)), test)
                seconds[name] += time.perf_counter() - started
                outcomes[name].extend(
                    Outcome(seed, fold, p.example_id, p.warning, p.label, s)
                    for p, s in zip(test, scores, strict=True)
                )
                seen = notes.setdefault(name, [])
                seen.extend(n for n in getattr(system, "notes", []) if n not in seen)
                descriptions.setdefault(name, str(getattr(system, "description", "")))
    return EvalResult(
        protocol=protocol,
        warnings=sorted({p.warning for p in passages}),
        groups=len(set(group_ids(passages))),
        outcomes=outcomes,
        notes=notes,
        descriptions=descriptions,
        seconds=seconds,
    )
