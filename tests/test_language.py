"""Telling English from other languages, at any length, and naming the language in the notice."""

from __future__ import annotations

import pytest

from forewarn.language import detect_language, language_name
from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Il était une fois une petite fille qui vivait dans la forêt.", "fr"),
        ("Der Hund und die Katze sind nicht im Haus, sondern auf dem Dach.", "de"),
        ("They baked bread all morning and ate it warm with butter.", "en"),
        ("Don Quixote de la Mancha rode out at dawn with Sancho.", "en"),
        ("I love you, mi amor, she said.", "en"),
        ("Hola.", "en"),  # one word cannot be told apart: no claim either way
    ],
)
def test_short_texts(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_language_names() -> None:
    assert language_name("es") == "Spanish" and language_name("zh/ja") == "Chinese or Japanese"
    assert language_name("xx") == "xx"


@pytest.mark.slow
def test_scan_of_a_story_with_nothing_found_says_so_with_a_caveat(tmp_path) -> None:
    story = tmp_path / "bread.txt"
    story.write_text("They baked bread all morning and ate it warm with butter.")
    result = run_cli("scan", str(story))
    said = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stderr
    assert "No warning found for the" in said and "categories forewarn checks." in said
    assert "forewarn can miss things" in said
