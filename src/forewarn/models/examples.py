"""Training examples for the heads: who says which text shows (or does not show) which category.

Three sources (their READMEs under ``training/`` say where each came from):

- the hand-written fiction sentences (positives with a severity, hard negatives, ``also``);
- the Suicide Risk Lexicon's ``direct`` constructs (definitions and phrases, as positives);
- the Webis passages, through ``evaluation.pooling.pool`` (call it on training folds only).

``label_sets`` turns them into per-category labels. Besides explicit labels, a positive for an
unrelated category is a weak negative (a bullying scene is not a kidnapping), which gives every
head the many ordinary negatives a dozen hard ones cannot.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from forewarn.models.heads import Labels
from forewarn.taxonomy import Taxonomy, load_taxonomy

#: Weight of a negative inferred from a positive for an unrelated category.
IMPLICIT_NEGATIVE_WEIGHT = 0.2
#: Weight of a lexicon phrase (a few words, no story around it) as a positive.
PHRASE_WEIGHT = 0.3


@dataclass(frozen=True)
class Example:
    """A text with explicit labels (category -> shows it or not), a weight and a severity."""

    text: str
    labels: dict[str, bool]
    weight: float = 1.0
    severity: str | None = None
    source: str = ""
    group: str = ""
    related: frozenset[str] = field(default=frozenset())


def fiction_examples(folder: Path, tax: Taxonomy | None = None) -> list[Example]:
    """The hand-written sentences: a positive counts for its category, ancestors and ``also``."""
    tax = tax or load_taxonomy()
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            category, also = row["category"], list(row.get("also", []))
            labels = {c: True for a in also for c in [a, *tax.ancestors(a)] if c in tax}
            if row["label"]:
                labels.update({c: True for c in [category, *tax.ancestors(category)]})
            else:
                labels.setdefault(category, False)
            out.append(
                Example(
                    row["text"],
                    labels,
                    severity=row.get("severity") if row["label"] else None,
                    source="fiction",
                    group=row["id"],
                    related=frozenset(also),
                )
            )
    return out


def lexicon_examples(folder: Path, tax: Taxonomy | None = None) -> list[Example]:
    """Definitions and phrases of the lexicon's constructs that name a category directly."""
    tax = tax or load_taxonomy()
    constructs = json.loads((folder / "constructs.json").read_text(encoding="utf-8"))
    out = []
    for construct in constructs["constructs"]:
        if construct["relation"] != "direct":
            continue
        labels = {c: True for cat in construct["categories"] for c in [cat, *tax.ancestors(cat)]}
        group = construct["construct"]
        out.append(Example(construct["definition"], labels, 1.0, None, "lexicon", group))
        for phrase in construct["tokens"]:
            out.append(Example(phrase, labels, PHRASE_WEIGHT, None, "lexicon", group))
    return out


def webis_examples(passages: Sequence[object], tax: Taxonomy | None = None) -> list[Example]:
    """The Webis passages and the weak labels pooled from them (training folds only)."""
    from forewarn.evaluation.pooling import pool
    from forewarn.evaluation.webis import warning_categories

    tax = tax or load_taxonomy()
    weak = pool(passages)  # type: ignore[arg-type]
    category = warning_categories(sorted({e.warning for e in weak}), tax)
    merged: dict[str, Example] = {}
    for e in weak:
        cid = category[e.warning]
        old = merged.get(e.text)
        labels = dict(old.labels) if old else {}
        if e.label:
            labels.update({c: True for c in [cid, *tax.ancestors(cid)]})
        else:
            labels.setdefault(cid, False)
        weight = max(e.weight, old.weight) if old else e.weight
        merged[e.text] = Example(e.text, labels, weight, None, "webis", e.work_id)
    return list(merged.values())


def label_sets(
    examples: Sequence[Example], categories: Iterable[str], tax: Taxonomy | None = None
) -> dict[str, Labels]:
    """Per category: explicit labels, plus weak negatives from positives of unrelated categories.

    Categories with a Webis warning only take explicit labels from Webis passages, whose
    negatives for one warning say nothing about the others.
    """
    tax = tax or load_taxonomy()
    family = {c: _family(c, tax) for c in tax.ids()}
    out = {}
    for category in categories:
        rows, targets, weights = [], [], []
        for i, e in enumerate(examples):
            if category in e.labels:
                rows.append(i)
                targets.append(int(e.labels[category]))
                weights.append(e.weight)
                continue
            positives = [c for c, v in e.labels.items() if v]
            if e.source == "webis" or not positives:
                continue
            if any(category in family[c] for c in positives) or category in e.related:
                continue
            rows.append(i)
            targets.append(0)
            weights.append(e.weight * IMPLICIT_NEGATIVE_WEIGHT)
        out[category] = Labels(np.array(rows), np.array(targets), np.array(weights))
    return out


def severity_rows(examples: Sequence[Example]) -> list[tuple[int, str]]:
    """(row, severity) for every example that records one."""
    return [(i, e.severity) for i, e in enumerate(examples) if e.severity]


def _family(category: str, tax: Taxonomy) -> set[str]:
    """Categories a text showing ``category`` may well also show: kin in the tree, shorthands."""
    kin = {category, *tax.ancestors(category), *tax.expand(category)}
    for other in tax.ids():
        if category in tax.expand(other) or category in tax.ancestors(other):
            kin.add(other)
    return kin
