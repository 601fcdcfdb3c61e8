"""How well could any system that reads only the text do on majority-vote labels?

Each Webis passage has three votes and its label is their majority. Suppose a passage makes an
annotator say yes with some rate ``p`` and its votes are independent draws. Then the best a
text-only system can do is to know ``p`` exactly and say yes where the majority is likely
enough: on a balanced sample, where ``P(majority | p)`` exceeds the share of positive labels.
How well that oracle scores depends on how ``p`` is spread over the passages, which the vote
counts fix only in part (``n`` votes fix ``n`` moments). Hence two figures per warning:

- ``beta_binomial``: ``p ~ Beta(a, b)``, fitted by maximum likelihood to the vote counts;
- ``generous``: the best score of any spread of ``p`` that reproduces the vote counts exactly
  (a linear program over a grid of ``p``): no text-only system can expect more, if the votes
  are independent given the passage.

Both are expected balanced accuracies. Needs scipy (the ``train`` extra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import comb

import numpy as np

from forewarn.evaluation.webis import Passage

#: Points of the grid of yes-rates ``p`` the oracle is integrated (and optimised) over.
GRID = 2001


@dataclass(frozen=True)
class Ceiling:
    """The oracle's expected balanced accuracy on one warning, under each assumption."""

    votes: tuple[int, ...]  # passages with 0, 1, ... n yes votes
    beta_binomial: float
    generous: float

    def to_dict(self) -> dict[str, object]:
        return {
            "votes": list(self.votes),
            "beta_binomial": round(self.beta_binomial, 4),
            "generous": round(self.generous, 4),
        }


def vote_histogram(passages: Sequence[Passage]) -> np.ndarray:
    """How many passages got 0, 1, ... n yes votes (all passages must have ``n`` votes)."""
    sizes = {len(p.votes) for p in passages}
    if len(sizes) != 1:
        raise ValueError(f"passages have differing vote counts: {sorted(sizes)}")
    n = sizes.pop()
    return np.bincount([sum(p.votes) for p in passages], minlength=n + 1)


def _binomial(n: int, grid: np.ndarray) -> np.ndarray:
    """(n + 1, len(grid)): P(k yes votes | p) for every k and grid point p."""
    return np.array([comb(n, k) * grid**k * (1 - grid) ** (n - k) for k in range(n + 1)])


def yes_majority(n: int, grid: np.ndarray) -> np.ndarray:
    """P(the majority of ``n`` votes says yes | p) at every grid point."""
    return _binomial(n, grid)[np.arange(n + 1) * 2 > n].sum(axis=0)


def _oracle_gain(q: np.ndarray, positive: float) -> np.ndarray:
    """Per grid point: the oracle's contribution to balanced accuracy per unit of mass there,
    where ``q`` is P(majority yes | p) and ``positive`` the share of positive labels."""
    if not 0 < positive < 1:
        raise ValueError("balanced accuracy needs both labels among the passages")
    return np.maximum(q / positive, (1 - q) / (1 - positive)) / 2


def beta_binomial_ceiling(histogram: np.ndarray) -> float:
    """The oracle's balanced accuracy when ``p`` follows the Beta fitted to the vote counts."""
    from scipy import optimize, stats

    n = len(histogram) - 1
    ks = np.arange(n + 1)

    def nll(theta: np.ndarray) -> float:
        a, b = np.exp(theta)
        return float(-(histogram * stats.betabinom.logpmf(ks, n, a, b)).sum())

    a, b = np.exp(optimize.minimize(nll, np.zeros(2), method="Nelder-Mead").x)
    # Mass per grid cell from the CDF: the density may be infinite at 0 or 1.
    edges = np.linspace(0, 1, GRID + 1)
    mass = np.diff(stats.beta.cdf(edges, a, b))
    q = yes_majority(n, (edges[:-1] + edges[1:]) / 2)
    positive = float((mass * q).sum())  # the fitted model's own share of positive labels
    return float((_oracle_gain(q, positive) * mass).sum())


def generous_ceiling(histogram: np.ndarray) -> float:
    """The oracle's best balanced accuracy over every spread of ``p`` matching the counts."""
    from scipy.optimize import linprog

    n = len(histogram) - 1
    grid = np.linspace(0, 1, GRID)
    share = histogram / histogram.sum()
    positive = float(share[np.arange(n + 1) * 2 > n].sum())
    result = linprog(
        -_oracle_gain(yes_majority(n, grid), positive),
        A_eq=_binomial(n, grid),
        b_eq=share,
        bounds=(0, None),
        method="highs",
    )
    if not result.success:
        raise ValueError(f"no spread of p reproduces the vote counts ({result.message})")
    return float(-result.fun)


def ceilings(passages: Sequence[Passage]) -> dict[str, Ceiling]:
    """Both ceilings for every warning whose passages hold both labels."""
    out = {}
    for warning in sorted({p.warning for p in passages}):
        own = [p for p in passages if p.warning == warning]
        histogram = vote_histogram(own)
        try:
            beta, generous = beta_binomial_ceiling(histogram), generous_ceiling(histogram)
        except ValueError:
            continue
        out[warning] = Ceiling(tuple(int(v) for v in histogram), beta, generous)
    return out


def pooled(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted mean of per-warning ceilings (weights: test passages per warning)."""
    total = sum(weights[w] for w in values)
    return sum(values[w] * weights[w] for w in values) / total if total else float("nan")
