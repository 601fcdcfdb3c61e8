"""``forewarn eval novels``: located events and spread, scored as the held-out novels are."""

from forewarn.evaluation.novels import NEAR, NovelsResult, events_by_novel, score_novel
from forewarn.learn.corpus import Record


def _record(work: str, offset: int, labels: dict[str, str], selection: str = "random") -> Record:
    return Record(f"pd-{work}-{offset}", "public-domain", work, "dev", selection, "x" * 100, labels)


def test_events_are_labelled_windows_but_not_hints_or_the_models_own_picks():
    records = [
        _record("w", 1000, {"death": "depicted", "violence": "implied"}),
        _record("w", 5000, {"death": "mentioned"}, selection="model-fired:death"),
        _record("v", 20, {}),
    ]
    assert events_by_novel(records) == {"w": [(1000, 1100, "death")]}


def test_an_event_is_located_by_evidence_of_its_category_nearby_only():
    result = NovelsResult("default")
    events = [(10_000, 10_100, "death"), (50_000, 50_100, "death"), (10_000, 10_100, "war")]
    evidence = {"death": [(10_100 + NEAR - 10, 10_100 + NEAR + 50)], "violence": [(50_000, 50_050)]}
    score_novel(100_000, evidence, events, result, "w")
    assert result.events == {"death": 2, "war": 1}
    assert result.located == {"death": 1}
    # one quote of death: 2 x NEAR plus the quote itself, of 100,000 characters
    assert abs(result.spread[("w", "death")] - (2 * NEAR + 60) / 100_000) < 1e-9
    assert result.located_share == 1 / 3
