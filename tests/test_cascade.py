"""The model cascade: heads persist as plain arrays, fit deterministically, and judge candidates.

A calibrated head records whether it confirms or doubts a pattern match, without changing its
score; a head that was never calibrated has no say; ``thorough`` adds passages that calibrated
heads accept to the warnings the patterns made.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forewarn.detectors import Pipeline, build_pipeline
from forewarn.detectors.model import ModelDetector, shipped_heads
from forewarn.detectors.patterns import PatternDetector
from forewarn.models import OnnxEncoder, StaticEmbedder
from forewarn.models.examples import Example, label_sets
from forewarn.models.heads import LinearHeads, balanced_cut
from forewarn.report import aggregate
from forewarn.scanner import scan_text, text_document

ROOT = Path(__file__).resolve().parent.parent
VIOLENT = "He punched the guard in the face and kicked him until he stopped moving."


def _heads(
    categories: list[str], direction: np.ndarray, bias: float, calibrated: bool
) -> LinearHeads:
    """Heads that score every category by similarity to ``direction`` (a unit vector)."""
    k, d = len(categories), direction.shape[0]
    return LinearHeads(
        categories,
        np.tile(direction * 20, (k, 1)).astype(np.float32),
        np.full(k, bias, dtype=np.float32),
        np.full(k, 0.5, dtype=np.float32),
        np.zeros((4, d), dtype=np.float32),
        np.zeros(4, dtype=np.float32),
        np.full(k, 0.5, dtype=np.float32),
        np.full(k, calibrated),
    )


def _pattern_violence(text: str) -> float:
    doc = text_document(text)
    doc.findings.extend(PatternDetector()(doc))
    return max(f.score for f in doc.findings if f.category == "violence")


def test_shipped_heads_round_trip_as_plain_arrays(tmp_path: Path) -> None:
    heads = shipped_heads("minilm")
    heads.save(tmp_path / "h.npz")
    again = LinearHeads.load(tmp_path / "h.npz")  # np.load(allow_pickle=False) inside
    x = OnnxEncoder.load().encode([VIOLENT, "They ate breakfast."])
    assert again.categories == heads.categories
    assert np.array_equal(again.predict_proba(x), heads.predict_proba(x))
    assert again.predict_severity(x) == heads.predict_severity(x)
    assert again.calibrated.any() and not again.calibrated.all()


def test_fit_is_deterministic_and_learns_the_labels() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 8)).astype(np.float32)
    examples = [Example(str(i), {"violence": bool(x[i, 0] > 0)}) for i in range(80)]
    labels = label_sets(examples, ["violence"])
    severities = [(i, "depicted" if x[i, 1] > 0 else "mentioned") for i in range(80)]
    a = LinearHeads.fit(x, labels, severities, seed=3)
    b = LinearHeads.fit(x, labels, severities, seed=3)
    assert np.array_equal(a.coef, b.coef) and np.array_equal(a.severity_coef, b.severity_coef)
    predicted = a.predict_proba(x)[:, 0] >= 0.5
    assert (predicted == (x[:, 0] > 0)).mean() > 0.9
    assert a.predict_severity(x[:2]) == [severities[0][1], severities[1][1]]


def test_implicit_negatives_skip_related_categories() -> None:
    examples = [
        Example("a", {"suicide-attempt": True, "suicide": True}),
        Example("b", {"kidnapping": True}),
        Example("c", {"suicide-attempt": False}),
    ]
    labels = label_sets(examples, ["suicide-attempt", "suicide-completed", "kidnapping"])
    attempt = labels["suicide-attempt"]
    assert dict(zip(attempt.rows.tolist(), attempt.targets.tolist(), strict=True)) == {
        0: 1,
        1: 0,  # a kidnapping scene is weak evidence of no attempt
        2: 0,
    }
    assert labels["suicide-attempt"].weights[1] < 1.0
    # an attempt is kin to a completed suicide: not a negative for it
    assert 0 not in labels["suicide-completed"].rows.tolist()


def test_balanced_cut_separates_and_stays_in_range() -> None:
    scores = np.array([0.1, 0.2, 0.7, 0.8, 0.9, 0.95])
    targets = np.array([0, 0, 0, 1, 1, 1])
    assert balanced_cut(scores, targets, 0.3, 0.95) == pytest.approx(0.8)
    assert balanced_cut(scores, targets, 0.3, 0.6) <= 0.6


def test_a_doubting_calibrated_judge_marks_the_evidence_and_keeps_its_score() -> None:
    breakfast = OnnxEncoder.load().encode(["They ate breakfast in the sunny kitchen."])[0]
    judge = _heads(["violence"], breakfast, bias=-15.0, calibrated=True)  # doubts violence
    doc = text_document(VIOLENT)
    Pipeline([PatternDetector(), ModelDetector("default", judge=judge)])(doc)
    found = [f for f in doc.findings if f.category == "violence"]
    assert found and all("model:doubted" in f.cues for f in found)
    assert max(f.score for f in found) == pytest.approx(_pattern_violence(VIOLENT))
    assert "violence" in {w.id for w in aggregate(doc)[0]}
    assert doc.text[found[0].start : found[0].end] == VIOLENT


def test_an_uncalibrated_judge_has_no_say() -> None:
    breakfast = OnnxEncoder.load().encode(["They ate breakfast in the sunny kitchen."])[0]
    judge = _heads(["violence"], breakfast, bias=-15.0, calibrated=False)
    doc = text_document(VIOLENT)
    Pipeline([PatternDetector(), ModelDetector("default", judge=judge)])(doc)
    found = [f for f in doc.findings if f.category == "violence"]
    assert max(f.score for f in found) == pytest.approx(_pattern_violence(VIOLENT))
    assert not any(c.startswith("model:") for f in found for c in f.cues)


def test_evidence_the_judge_confirms_is_listed_before_evidence_it_doubts() -> None:
    """Same severity, same pattern score: the passage the head believes is the quote shown."""
    figurative = "I was attacked by a fierce longing for home."
    strangled = "She had been strangled in her bed."
    direction = OnnxEncoder.load().encode([strangled])[0]
    judge = _heads(["violence"], direction, bias=-10.0, calibrated=True)
    doc = text_document(f"{figurative}\n\nIt rained all week.\n\nThen:\n\n{strangled}")
    Pipeline([PatternDetector(), ModelDetector("default", judge=judge)])(doc)
    violence = next(w for w in aggregate(doc)[0] if w.id == "violence")
    assert [e.quote for e in violence.evidence] == [strangled, figurative]
    assert "model:doubted" in violence.evidence[1].cues


def test_among_confirmed_evidence_the_one_the_judge_is_surest_of_comes_first() -> None:
    """Equal severity and pattern score, both confirmed: the head's probability decides."""
    porter = "The old porter had been strangled on the stairs of the inn."
    strangled = "She had been strangled in her bed."
    direction = OnnxEncoder.load().encode([strangled])[0]
    judge = _heads(["violence"], direction, bias=-2.0, calibrated=True)
    judge.decision[:] = 0.0  # every window is confirmed; only the probability differs
    doc = text_document(f"{porter}\n\nIt rained all week.\n\n{strangled}")
    Pipeline([PatternDetector(), ModelDetector("default", judge=judge)])(doc)
    violence = next(w for w in aggregate(doc)[0] if w.id == "violence")
    first, second = violence.evidence[:2]
    assert all("model:confirmed" in e.cues for e in (first, second))
    assert first.quote == strangled and first.judged is not None and second.judged is not None
    assert first.judged > second.judged


def _null(judge: LinearHeads, negatives: np.ndarray) -> LinearHeads:
    for j in range(len(judge.categories)):
        judge.set_null(j, negatives)
    return judge


def test_a_head_alone_makes_a_warning_only_in_a_short_text() -> None:
    """No pattern matches; the head is far above every negative window it has seen. In two
    sentences that is a warning; in a story of 300 the same window could be chance."""
    quiet = "The village burned through the night while the families ran for the hills."
    direction = OnnxEncoder.load().encode([quiet])[0]
    judge = _null(_heads(["war"], direction, bias=-5.0, calibrated=True), np.full(100, 0.2))
    # stage 1 lets only the sentence through that resembles war to the static table
    screen = _heads(["war"], StaticEmbedder.load().encode([quiet])[0], bias=-10.0, calibrated=False)
    short = text_document(f"Nobody slept. {quiet} The morning was grey.")
    Pipeline([PatternDetector(), ModelDetector("default", screen=screen, judge=judge)])(short)
    war = next(w for w in aggregate(short)[0] if w.id == "war")
    assert [(e.quote, e.cues) for e in war.evidence] == [(quiet, ["model:alone"])]
    shut = _heads(["war"], StaticEmbedder.load().encode([quiet])[0], bias=-40.0, calibrated=False)
    screened_out = text_document(f"Nobody slept. {quiet} The morning was grey.")
    Pipeline([PatternDetector(), ModelDetector("default", screen=shut, judge=judge)])(screened_out)
    assert screened_out.findings == []  # stage 1 let nothing through to the judge
    filler = " ".join(f"Day {i} passed quietly on the farm." for i in range(300))
    long = text_document(f"{filler}\n\n{quiet}")
    Pipeline([PatternDetector(), ModelDetector("default", screen=screen, judge=judge)])(long)
    assert long.findings == []


def test_a_head_alone_may_complete_a_warning_the_patterns_only_hint_at() -> None:
    """One weak pattern match (below the reporting threshold) does not stop the head."""
    soldiers = "The soldiers marched past the farm at dawn."
    quiet = "The village burned through the night while the families ran for the hills."
    direction = OnnxEncoder.load().encode([quiet])[0]
    judge = _null(_heads(["war"], direction, bias=-5.0, calibrated=True), np.full(100, 0.2))
    screen = _heads(["war"], StaticEmbedder.load().encode([quiet])[0], bias=-10.0, calibrated=False)
    patterns_only = Pipeline([PatternDetector()])(text_document(f"{soldiers} {quiet}"))
    assert patterns_only.findings and "war" not in {w.id for w in aggregate(patterns_only)[0]}
    doc = text_document(f"{soldiers} {quiet} The morning was grey.")
    Pipeline([PatternDetector(), ModelDetector("default", screen=screen, judge=judge)])(doc)
    war = next(w for w in aggregate(doc)[0] if w.id == "war")
    assert any("model:alone" in e.cues for e in war.evidence)


def test_a_head_alone_needs_a_calibrated_null() -> None:
    quiet = "The village burned through the night while the families ran for the hills."
    direction = OnnxEncoder.load().encode([quiet])[0]
    for judge in (
        _heads(["war"], direction, bias=-5.0, calibrated=True),  # no negatives recorded
        _null(_heads(["war"], direction, bias=-5.0, calibrated=False), np.full(100, 0.2)),
    ):
        doc = text_document(quiet)
        Pipeline([PatternDetector(), ModelDetector("default", judge=judge)])(doc)
        assert doc.findings == []


def test_alone_cut_follows_the_negative_windows_and_the_text_length() -> None:
    judge = _null(_heads(["war"], np.ones(4) / 2, bias=0.0, calibrated=True), np.arange(100) / 100)
    judge.decision[0] = 0.5
    assert judge.alone_cut(0, 1, 0.05) == pytest.approx(0.95)  # 5 of 100 negatives above
    assert judge.alone_cut(0, 5, 0.05) == pytest.approx(0.99)  # 1 of 100, over 5 windows
    assert judge.alone_cut(0, 6, 0.05) == float("inf")  # too long for 100 windows to vouch
    judge.decision[0] = 0.97
    assert judge.alone_cut(0, 1, 0.05) == pytest.approx(0.97)  # never below the cut-off


WAR = "Soldiers died in the trenches every day of the war, and the shelling never stopped."
MARCH = "The village burned through the night while the families ran for the hills."


def _war_judge(calibrated: bool = True) -> LinearHeads:
    direction = OnnxEncoder.load().encode([MARCH])[0]
    return _heads(["war", "violence"], direction, bias=-5.0, calibrated=calibrated)


def test_thorough_adds_passages_to_warnings_the_patterns_made() -> None:
    text = f"{WAR} It rained for a week.\n\nBut then, at dawn:\n\n{MARCH}"
    doc = text_document(text)
    Pipeline([PatternDetector(), ModelDetector("thorough", judge=_war_judge())])(doc)
    unprompted = [f for f in doc.findings if f.cues == ("model:unprompted",)]
    assert [(f.category, doc.text[f.start : f.end]) for f in unprompted] == [("war", MARCH)]


def test_thorough_never_adds_a_warning_of_its_own() -> None:
    doc = text_document(MARCH)
    Pipeline([PatternDetector(), ModelDetector("thorough", judge=_war_judge())])(doc)
    assert doc.findings == [] and aggregate(doc)[0] == []


def test_thorough_ignores_uncalibrated_heads() -> None:
    doc = text_document(f"{WAR} It rained for a week.\n\n{MARCH}")
    Pipeline([PatternDetector(), ModelDetector("thorough", judge=_war_judge(False))])(doc)
    assert not any(f.detector == "model" for f in doc.findings)


def test_default_scan_runs_patterns_then_the_model() -> None:
    assert build_pipeline("default").names == ["patterns", "model"]
    report = scan_text("She was stabbed in the alley and bled to death before help came.")
    warnings = {w.id for w in report.documents[0].warnings}
    assert {"violence", "death"} <= warnings
    assert report.detectors == ["patterns", "model"]
