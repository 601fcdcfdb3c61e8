"""Every category's lexicon: sentences it must match and hard cases it must not.

The lexicons no longer decide warnings (the passage model does, reading their matches as one
feature), but a match is still evidence the model weighs, so each lexicon keeps its cases. The
sentences live in tests/data/lexicon_cases.toml (data, not code); each category with a lexicon
file needs at least three of each.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pytest

from forewarn.detectors.patterns import PatternDetector, load_lexicons
from forewarn.report import aggregate
from forewarn.scanner import text_document

CASES_PATH = Path(__file__).parent / "data" / "lexicon_cases.toml"
CASES: dict[str, dict[str, list[str]]] = tomllib.loads(CASES_PATH.read_text())


@cache
def present(text: str) -> frozenset[str]:
    """The categories the patterns alone would report in ``text``: matches that survive the
    context rules (negation, hypotheticals, idioms), merged as the report merges evidence."""
    doc = text_document(text)
    doc.findings.extend(PatternDetector()(doc))
    return frozenset(w.id for w in aggregate(doc)[0])


def _cases(kind: str) -> list[tuple[str, str]]:
    return [(cat, text) for cat, cases in CASES.items() for text in cases.get(kind, [])]


@pytest.mark.parametrize(("category", "text"), _cases("positive"))
def test_matches(category, text):
    assert category in present(text), f"{category} not matched in: {text}"


@pytest.mark.parametrize(("category", "text"), _cases("negative"))
def test_does_not_match(category, text):
    assert category not in present(text), f"{category} wrongly matched in: {text}"


@pytest.mark.parametrize("category", [lex.category for lex in load_lexicons()])
def test_every_lexicon_has_cases(category):
    cases = CASES.get(category, {})
    assert len(cases.get("positive", [])) >= 3 and len(cases.get("negative", [])) >= 3


def test_a_match_records_the_matched_words():
    doc = text_document("Her anorexia had got so bad that the school called her parents.")
    found = [f for f in PatternDetector()(doc) if f.category == "eating-disorder"]
    assert doc.text[found[0].match_start : found[0].match_end].lower() == "anorexia"
