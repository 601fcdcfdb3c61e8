"""The acceptance check from shared/fixtures/README.md, on the bundled sample story."""

from __future__ import annotations

import pytest

import forewarn
from forewarn.taxonomy import severity_rank
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def report() -> forewarn.Report:
    return forewarn.scan_file(EXAMPLE)


def quotes(report: forewarn.Report, category: str) -> str:
    w = report.warning(category)
    assert w is not None, f"{category} not reported"
    return " ".join(e.quote for e in w.evidence)


#: What the passage model of 2026-12-07 still gets wrong here (issue 11 stays open for them);
#: strict, so a model that gets them right turns these into failures to be removed.
KNOWN_MISS = pytest.mark.xfail(strict=True, reason="passage model misses it (see issue 11)")


@pytest.mark.slow
def test_suicide_attempt_is_depicted_and_named_afterwards(report):
    w = report.warning("suicide-attempt")
    assert w is not None and w.severity == "depicted"
    assert "off yourself" in quotes(report, "suicide-attempt")


@KNOWN_MISS
def test_suicide_attempt_evidence_includes_the_step_off_the_roof(report):
    text = quotes(report, "suicide-attempt")
    assert "stepped onto the ledge" in text or "letting gravity take hold" in text


def test_suicidal_ideation_is_reported(report):
    text = quotes(report, "suicidal-ideation")
    assert "anything to stay for" in text or "percent sure" in text


def test_bullying_from_the_opening_line(report):
    w = report.warning("bullying")
    assert w is not None
    assert any(e.chapter == 1 and e.paragraph == 1 for e in w.evidence)


def test_strong_language(report):
    assert "fuck" in quotes(report, "strong-language")


def test_should_reports(report):
    assert report.warning("mental-illness") is not None
    assert "dislocated" in quotes(report, "injury")


@KNOWN_MISS
def test_self_harm_is_implied_by_clawing_at_skin(report):
    self_harm = report.warning("self-harm")
    assert self_harm is not None and self_harm.severity == "implied"
    assert "claw desperately at exposed skin" in quotes(report, "self-harm")


@KNOWN_MISS
def test_the_injury_is_only_mentioned(report):
    injury = report.warning("injury")
    assert injury is not None and severity_rank(injury.severity) <= severity_rank("mentioned")


@pytest.mark.parametrize(
    "category",
    [
        "death",
        "suicide-completed",
        "sexual-content",
        "sexual-assault",
        "racism",
        "homophobia",
        "misogyny",
        "ableism",
        "war",
        "kidnapping",
        "animal-cruelty",
        "pregnancy",
    ],
)
def test_must_not_report(report, category):
    assert report.warning(category) is None


def test_evidence_offsets_reproduce_quotes(report):
    doc = report.documents[0].document
    for w in report.warnings:
        for e in w.evidence:
            assert doc.text[e.start : e.end] == e.quote
            assert e.start <= e.match_start < e.match_end <= e.end
