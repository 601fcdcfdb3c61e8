"""``validate_report`` (tests/conftest.py) rejects a report whose offsets do not hold together,
so the tests that lean on it check what they say."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

import forewarn
from forewarn.readers import read_path
from tests.conftest import EXAMPLE, validate_report


@cache
def _report() -> dict[str, Any]:
    data = forewarn.scan_file(EXAMPLE).to_dict()
    data["documents"][0]["source"] = str(EXAMPLE.resolve())
    return data


def _first(data: dict[str, Any]) -> dict[str, Any]:
    return data["documents"][0]["warnings"][0]["evidence"][0]


def test_a_true_report_passes() -> None:
    assert _first(_report())["quote"]
    validate_report(copy.deepcopy(_report()))


def _shift(e: dict[str, Any]) -> None:
    e["start"] += 1
    e["end"] += 1


def _wrong_paragraph(e: dict[str, Any]) -> None:
    e["paragraph"] += 1
    e["location"]["paragraph"] += 1


def _past_the_end(e: dict[str, Any]) -> None:
    e["end"] = 10**9


def _highlight_outside(e: dict[str, Any]) -> None:
    e["highlight"] = [e["end"] + 1, e["end"] + 2]


def _another_quote(e: dict[str, Any]) -> None:
    e["quote"] = "x" * len(e["quote"])


def _wrong_percent(e: dict[str, Any]) -> None:
    e["location"]["percent"] = (e["location"]["percent"] + 50) % 100


@pytest.mark.parametrize(
    "damage",
    [_shift, _wrong_paragraph, _past_the_end, _highlight_outside, _another_quote, _wrong_percent],
)
def test_a_report_that_does_not_hold_together_fails(damage: Callable[[dict], None]) -> None:
    data = copy.deepcopy(_report())
    damage(_first(data))
    with pytest.raises(AssertionError):
        validate_report(data)


def test_the_text_given_is_the_text_checked() -> None:
    data = copy.deepcopy(_report())
    data["documents"][0]["source"] = "<text>"  # not read again: only the text given is known
    text = read_path(EXAMPLE).text
    validate_report(data, [text])
    _another_quote(_first(data))
    validate_report(data)  # nothing to compare the quote with
    with pytest.raises(AssertionError):
        validate_report(data, [text])
