"""The public Python API: scan_text, scan_file, scan."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import forewarn
from tests.conftest import EXAMPLE, validate_report


def test_scan_dispatches_on_type(tmp_path):
    story = "He tried to kill himself when he was sixteen. " * 3
    p = tmp_path / "story.txt"
    p.write_text(story)
    by_text = forewarn.scan(story)
    by_path = forewarn.scan(Path(p))
    by_file = forewarn.scan(io.BytesIO(story.encode()))
    for report in (by_text, by_path, by_file):
        assert report.warning("suicide-attempt") is not None
    assert by_path.documents[0].source == str(p)


def test_a_str_is_text_never_a_path(tmp_path):
    p = tmp_path / "story.txt"
    p.write_text("He tried to kill himself.")
    report = forewarn.scan(str(p))
    assert report.documents[0].document.text == str(p)
    assert report.warnings == []


def test_scan_file_raises_input_error_naming_the_file(tmp_path):
    with pytest.raises(forewarn.InputError, match="missing.txt: no such file"):
        forewarn.scan_file(tmp_path / "missing.txt")


def test_report_json_validates(tmp_path):
    report = forewarn.scan_file(EXAMPLE)
    data = report.to_dict()
    validate_report(data)
    assert data["documents"][0]["warnings"], "the sample story has warnings"


def test_non_english_text_gets_a_notice_and_no_warnings():
    text = (
        "El chico subió al tejado de la escuela y miró la ciudad. No quería volver a casa, "
        "pero su madre lo esperaba con la cena. Se sentó en el borde y pensó en todo lo que "
        "había pasado durante el día, en las palabras crueles de sus compañeros y en el "
        "silencio de su padre. La noche era fría y las estrellas brillaban sobre la ciudad."
    )
    report = forewarn.scan_text(text)
    doc = report.documents[0]
    assert doc.document.metadata.language == "es"
    assert "forewarn reads English; this text looks like Spanish" in doc.document.notices[0]
    assert doc.warnings == []
