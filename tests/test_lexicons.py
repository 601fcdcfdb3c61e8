"""Every category's lexicon: sentences it must report and hard cases it must not.

The sentences live in tests/data/lexicon_cases.toml (data, not code); each category with a
lexicon file needs at least three of each.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

import forewarn
from forewarn.detectors.patterns import load_lexicons
from forewarn.normalize import MatchView
from tests.conftest import EXAMPLE

CASES_PATH = Path(__file__).parent / "data" / "lexicon_cases.toml"
CASES: dict[str, dict[str, list[str]]] = tomllib.loads(CASES_PATH.read_text())


@cache
def present(text: str) -> frozenset[str]:
    return frozenset(w.id for w in forewarn.scan_text(text).warnings)


def _cases(kind: str) -> list[tuple[str, str]]:
    return [(cat, text) for cat, cases in CASES.items() for text in cases.get(kind, [])]


@pytest.mark.parametrize(("category", "text"), _cases("positive"))
def test_reports(category, text):
    assert category in present(text), f"{category} not reported for: {text}"


@pytest.mark.parametrize(("category", "text"), _cases("negative"))
def test_does_not_report(category, text):
    assert category not in present(text), f"{category} wrongly reported for: {text}"


@pytest.mark.parametrize("category", [lex.category for lex in load_lexicons()])
def test_every_lexicon_has_cases(category):
    cases = CASES.get(category, {})
    assert len(cases.get("positive", [])) >= 3 and len(cases.get("negative", [])) >= 3


def test_evidence_quotes_the_matched_words():
    report = forewarn.scan_text("Her anorexia had got so bad that the school called her parents.")
    evidence = report.warning("eating-disorder").evidence[0]
    text = report.documents[0].document.text
    assert text[evidence.match_start : evidence.match_end].lower() == "anorexia"


def test_one_pass_alternation_finds_what_each_pattern_finds():
    """The compiled lexicon (word-start check factored out) matches like a plain alternation."""
    sentences = [t for cases in CASES.values() for kind in cases.values() for t in kind]
    text = MatchView(EXAMPLE.read_text() + "\n\n" + "\n".join(sentences)).text
    for lex in load_lexicons():
        plain = "|".join(f"(?P<p{i}>{p.regex})" for i, p in enumerate(lex.patterns))
        expected = [(m.span(), m.lastgroup) for m in re.finditer(plain, text)]
        assert [(m.span(), m.lastgroup) for m in lex.compiled.finditer(text)] == expected
