"""The annotation ceiling: what a text-only oracle could score on majority-vote labels."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.evaluation.ceiling import (
    beta_binomial_ceiling,
    ceilings,
    generous_ceiling,
    vote_histogram,
)
from forewarn.evaluation.webis import Passage


def test_unanimous_votes_leave_no_noise_to_hide_behind() -> None:
    """Every passage 0/3 or 3/3: the yes-rate is 0 or 1, and the oracle is always right."""
    unanimous = np.array([40, 0, 0, 60])
    assert generous_ceiling(unanimous) == pytest.approx(1.0, abs=1e-6)
    assert beta_binomial_ceiling(unanimous) > 0.97


def test_coin_flip_annotators_cap_every_system_at_chance() -> None:
    """Votes spread exactly as fair coins: every passage's yes-rate is 1/2, nothing separates."""
    coins = np.array([100, 300, 300, 100])
    assert generous_ceiling(coins) == pytest.approx(0.5, abs=1e-3)
    assert beta_binomial_ceiling(coins) == pytest.approx(0.5, abs=0.02)


def test_split_votes_lower_the_ceiling() -> None:
    """More 2-1 splits among the same labels: a lower ceiling under both assumptions."""
    clear, split = np.array([80, 20, 20, 80]), np.array([40, 60, 60, 40])
    assert generous_ceiling(split) < generous_ceiling(clear) <= 1.0
    assert beta_binomial_ceiling(split) < beta_binomial_ceiling(clear)


def test_ceilings_per_warning_skip_a_warning_with_one_label() -> None:
    def passage(i: int, warning: str, votes: tuple[int, ...]) -> Passage:
        return Passage(str(i), f"w{i}", warning, "text", votes=votes)

    passages = [passage(i, "death", (1, 1, i % 2)) for i in range(10)]
    passages += [passage(10 + i, "death", (0, 0, i % 2)) for i in range(10)]
    passages += [passage(20 + i, "war", (1, 1, 1)) for i in range(5)]  # no negatives at all
    found = ceilings(passages)
    assert set(found) == {"death"}
    assert found["death"].votes == (5, 5, 5, 5)
    assert 0.5 < found["death"].generous <= 1.0
    with pytest.raises(ValueError, match="differing vote counts"):
        vote_histogram([passage(0, "death", (1, 1, 0)), passage(1, "death", (1, 0))])
