"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from forewarn.document import Document
from forewarn.place import first_words
from forewarn.readers import read_path
from forewarn.taxonomy import severity_rank

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLE = ROOT / "examples" / "founding-story.txt"
SCHEMA_PATH = ROOT / "src" / "forewarn" / "schema" / "report.schema.json"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_report(data: dict, texts: Sequence[str | None] = ()) -> None:
    """Raise if ``data`` breaks the schema or does not hold together: chapters that tile the
    text, evidence inside the text and inside its chapter, quotes as long as their spans,
    highlights inside them, locations that agree with the evidence.

    With each document's text (``texts``, in document order; else, for a document scanned from
    an absolute path, that file read again as ``forewarn text`` prints it), every quote must
    also be the text at its offsets, and each chapter and paragraph number the one there.
    """
    _validator().validate(data)
    for i, doc in enumerate(data["documents"]):
        text = texts[i] if i < len(texts) else None
        document = None
        if text is None and Path(doc["source"]).is_absolute() and Path(doc["source"]).is_file():
            document = read_path(doc["source"])
            text = document.text
        _check_document(doc, text, document)


def _check_document(doc: dict, text: str | None, document: Document | None) -> None:
    where = doc["source"]
    n = doc["characters"]
    chapters = doc["chapters"]
    assert [c["number"] for c in chapters] == list(range(1, len(chapters) + 1)), where
    assert chapters and chapters[0]["start"] == 0 and chapters[-1]["end"] == n, where
    for before, after in zip(chapters, chapters[1:], strict=False):
        assert before["start"] <= before["end"] == after["start"], (where, before, after)
    if text is not None:
        assert len(text) == n and doc["word_count"] == len(text.split()), where
    for w in doc["warnings"]:
        assert w["present"] and w["evidence_total"] >= len(w["evidence"]), (where, w["id"])
        if w["evidence"]:
            highest = max((e["severity"] for e in w["evidence"]), key=severity_rank)
            assert w["severity"] == highest, (where, w["id"])
        for e in w["evidence"]:
            _check_evidence(e, chapters, n, text, document, (where, w["id"], e["start"]))
    ranks = [severity_rank(w["severity"]) for w in doc["warnings"]]
    assert ranks == sorted(ranks, reverse=True), where  # most severe first


def _check_evidence(
    e: dict,
    chapters: list[dict],
    n: int,
    text: str | None,
    document: Document | None,
    where: tuple,
) -> None:
    start, end = e["start"], e["end"]
    assert 0 <= start < end <= n and len(e["quote"]) == end - start, where
    assert start <= e["highlight"][0] <= e["highlight"][1] <= end, where
    chapter = chapters[e["chapter"] - 1]
    assert chapter["start"] <= start < chapter["end"], where
    assert e["chapter_title"] == chapter["title"], where
    if text is not None:
        assert text[start:end] == e["quote"], where
    location = e.get("location")
    if location is not None:
        same = (location["chapter"], location["chapter_title"], location["paragraph"])
        assert same == (e["chapter"], e["chapter_title"], e["paragraph"]), where
        assert location["percent"] == int(100 * start / max(1, n)), where
    if document is not None:
        paragraph = document.paragraph_at(start)
        assert paragraph is not None, where
        assert (paragraph.chapter, paragraph.number) == (e["chapter"], e["paragraph"]), where
        if location is not None and "first_words" in location:
            opening = document.text[paragraph.start : paragraph.end]
            assert location["first_words"] == first_words(opening), where


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE
