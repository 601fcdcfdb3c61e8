"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLE = ROOT / "examples" / "founding-story.txt"
SCHEMA_PATH = ROOT / "src" / "forewarn" / "schema" / "report.schema.json"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_report(data: dict) -> None:
    """Raise if ``data`` breaks the schema or any evidence offset does not reproduce its quote."""
    _validator().validate(data)


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE
