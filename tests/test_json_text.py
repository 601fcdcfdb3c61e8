"""``json_text``: the text of ``json.dumps(..., ensure_ascii=False)`` without its list of parts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from forewarn import report
from forewarn.report import json_text

VALUES: list[Any] = [
    {},
    [],
    "x",
    None,
    [[[]], {}],
    {"é": 'ü\u2028"\\', "n": [1, 2.5, float("nan"), True], "empty": {"a": []}},
    {"rows": [{"i": i, "quote": f"line {i} «q»"} for i in range(300)]},
]


@pytest.mark.parametrize("indent", [None, 0, 2, 4])
@pytest.mark.parametrize("pieces", [1, 7, 4096])
def test_json_text_is_json_dumps(
    indent: int | None, pieces: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Joined a few pieces at a time, the text is json.dumps's to the character."""
    monkeypatch.setattr(report, "JSON_PIECES", pieces)
    for value in VALUES:
        assert json_text(value, indent) == json.dumps(value, indent=indent, ensure_ascii=False)
