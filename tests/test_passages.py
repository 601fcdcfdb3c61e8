"""The passage interface (``forewarn scan --passages``, used by evaluation tools): JSONL lines of
``{"id", "text"}`` in, one verdict per passage out, every category listed, bad lines reported by
their line number without stopping the rest."""

from __future__ import annotations

import io
import json
from functools import cache
from typing import Any

import pytest

from forewarn.limits import Limits
from forewarn.passages import passage_lines, scan_passages
from forewarn.taxonomy import load_taxonomy

ATTEMPT = "He tried to kill himself when he was sixteen."
CALM = "They went to the beach and ate ice cream."


@cache
def _scanned(*lines: str | None) -> list[dict[str, Any]]:
    return list(scan_passages(list(lines)))


def _present(row: dict[str, Any]) -> set[str]:
    return {w["id"] for w in row["warnings"] if w["present"]}


def test_each_passage_lists_every_category_present_or_not() -> None:
    attempt, calm = _scanned(
        json.dumps({"id": 7, "text": ATTEMPT}), json.dumps({"id": "c", "text": CALM})
    )
    assert (attempt["id"], calm["id"]) == (7, "c")
    ids = [w["id"] for w in attempt["warnings"]]
    assert ids == [w["id"] for w in calm["warnings"]] and len(ids) == len(set(ids))
    assert set(ids) <= {c.id for c in load_taxonomy()} and "death" in ids
    assert "suicide-attempt" in _present(attempt) and _present(calm) == set()
    for w in attempt["warnings"] + calm["warnings"]:
        assert set(w) == {"id", "score", "present", "severity"}
        assert 0 <= w["score"] <= 1 and w["score"] == round(w["score"], 6)


def test_a_passage_is_judged_alone_whatever_comes_before_it() -> None:
    alone = _scanned(json.dumps({"id": 1, "text": ATTEMPT}))
    after = _scanned(json.dumps({"id": 0, "text": CALM}), json.dumps({"id": 1, "text": ATTEMPT}))
    assert after[1] == alone[0]


def test_bad_lines_are_reported_by_number_and_the_others_still_scanned() -> None:
    rows = _scanned(
        "[1, 2]",
        "",  # blank lines yield nothing but still count
        "   ",
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "n", "text": 5}),
        None,  # a line too long to read (see passage_lines)
        json.dumps({"id": "ok", "text": ATTEMPT}),
    )
    errors = [(r["line"], r["error"]) for r in rows if "error" in r]
    assert [line for line, _ in errors] == [1, 4, 5, 6, 7]
    assert all(error.startswith(f"line {line}: ") for line, error in errors)
    shape = 'each line must be an object with a "text" string'
    assert [errors[i][1] for i in (0, 2, 3)] == [f"line {n}: {shape}" for n in (1, 5, 6)]
    assert errors[4][1] == "line 7: line is too large to hold a text within the input size limit"
    assert all(r["id"] is None for r in rows if "error" in r)
    assert rows[-1]["id"] == "ok" and "suicide-attempt" in _present(rows[-1])


def test_a_text_over_the_input_limit_is_an_error_that_keeps_its_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FOREWARN_MAX_INPUT_MB", "1")
    big = json.dumps({"id": "big", "text": "They walked on. " * 70_000})  # 1.1 MB
    (row,) = scan_passages([big])
    assert row == {
        "id": "big",
        "line": 1,
        "error": "line 1: text is too large (1.1 MB; the limit is 1 MB)",
    }


def test_a_line_too_long_for_any_text_within_the_limit_is_skipped_unread() -> None:
    limits = Limits(max_input_bytes=1)  # lines up to 6 bytes of text, escaped, plus 64 KB
    stream = io.BytesIO(b'{"id": 1, "text": "a"}\n' + b"x" * 70_000 + b'\n{"id": 2, "text": "b"}')
    lines = list(passage_lines(stream, limits))
    assert lines == [b'{"id": 1, "text": "a"}\n', None, b'{"id": 2, "text": "b"}']
