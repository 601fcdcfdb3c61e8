"""Weak labels pooled across Webis warnings, for TRAINING only (never for scoring).

Each Webis passage was annotated for one warning. Three rules turn it into more examples:

1. its own annotation (weight 1);
2. a positive for a warning whose category descends from another warning's category in the
   taxonomy is a weak positive for that ancestor (a war passage is a violence passage);
3. a passage annotated NEGATIVE for its warning is a weak negative for the warnings of the
   other coarse group (data/webis_groups.toml): a non-racist passage sampled for racism is
   most likely not a kidnapping. Positives are not pooled as negatives by default (a racist
   passage can well be violent), nor is anything pooled within a group.

Inside cross-validation call ``pool`` on the training folds' passages only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from forewarn.evaluation.webis import Passage, warning_categories
from forewarn.taxonomy import Taxonomy, load_taxonomy


@dataclass(frozen=True)
class WeakExample:
    """A training example for ``warning``, with how much to trust it and why it exists."""

    text: str
    warning: str
    label: bool
    weight: float
    source: str
    example_id: str
    work_id: str


@cache
def webis_groups() -> dict[str, str]:
    """Warning -> coarse group (aggression or discrimination), from the Webis 2023 mapping."""
    raw = resources.files("forewarn").joinpath("evaluation/data/webis_groups.toml").read_text()
    return dict(tomllib.loads(raw)["groups"])


def _text_key(text: str) -> str:
    return " ".join(text.lower().split())


def pool(
    passages: Sequence[Passage],
    *,
    negative_weight: float = 0.5,
    positive_weight: float = 0.75,
    negatives_from_positives: bool = False,
    groups: Mapping[str, str] | None = None,
    tax: Taxonomy | None = None,
) -> list[WeakExample]:
    """The annotated examples plus the weak ones the rules above allow (see module doc)."""
    groups = groups if groups is not None else webis_groups()
    tax = tax or load_taxonomy()
    warnings = sorted({p.warning for p in passages} | set(groups))
    missing = [w for w in warnings if w not in groups]
    if missing:
        raise KeyError(f"no coarse group for warning(s) {', '.join(missing)}")
    category = warning_categories(warnings, tax)
    ancestors = {w: set(tax.ancestors(category[w])) for w in warnings}
    annotated = {(_text_key(p.text), p.warning) for p in passages}
    out: list[WeakExample] = []
    for p in passages:
        label = p.label
        out.append(WeakExample(p.text, p.warning, label, 1.0, "annotated", p.example_id, p.work_id))
        key = _text_key(p.text)
        for other in warnings:
            if other == p.warning or (key, other) in annotated:
                continue
            if label and category[other] in ancestors[p.warning]:
                source = f"positive for {p.warning}, a kind of {other}"
                out.append(
                    WeakExample(
                        p.text, other, True, positive_weight, source, p.example_id, p.work_id
                    )
                )
            elif groups[other] != groups[p.warning] and (not label or negatives_from_positives):
                source = f"{'positive' if label else 'negative'} for {p.warning} (other group)"
                out.append(
                    WeakExample(
                        p.text, other, False, negative_weight, source, p.example_id, p.work_id
                    )
                )
    return out
