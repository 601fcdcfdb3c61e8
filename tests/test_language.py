"""Telling English from other languages, at any length, and naming the language in the notice."""

from __future__ import annotations

import pytest

import forewarn
from forewarn.language import annotate_language, detect_language, language_name, not_english_notice
from forewarn.scanner import text_document
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


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Он долго смотрел в окно, а потом ушёл домой и лёг спать.", "ru/uk"),
        ("彼は窓の外を長い間見ていた。それから家に帰って寝た。", "zh/ja"),
        ("Ο σκύλος κοιμόταν στην αυλή όλο το απόγευμα.", "el"),
        # a few names in another script do not make an English story foreign
        ("They met Владимир and 東京 friends at the station, then walked home in the rain.", "en"),
        # nor do a few borrowed words
        ("The café served a croissant, and le patron said bonjour to la femme.", "en"),
    ],
)
def test_scripts_and_borrowed_words(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_a_long_book_is_judged_by_its_start_middle_and_end_not_its_preface() -> None:
    preface = "They baked bread all morning and ate it warm with butter. " * 2_000  # 116,000
    novel = "Il était une fois une petite fille qui vivait dans la forêt avec sa mère. " * 2_000
    book = preface + novel
    assert detect_language(book[:20_000]) == "en"  # its opening alone would mislead
    assert detect_language(book) == "fr"


def test_a_story_in_another_language_gets_a_notice_and_no_warnings() -> None:
    report = forewarn.scan_text(
        "Der Hund ist tot. Er starb in der Nacht, und die Kinder weinten um ihn, "
        "denn sie hatten ihn sehr lieb."
    )
    (doc,) = report.documents
    assert doc.warnings == []
    assert doc.document.notices == [not_english_notice("de")]
    assert doc.document.metadata.language == "de" and not doc.document.language_supported
    assert not_english_notice("de") == (
        "forewarn reads English; this text looks like German, so no warnings were computed"
    )


def test_an_english_story_keeps_the_language_its_file_declares() -> None:
    doc = text_document("They baked bread all morning and ate it warm with butter.")
    doc.metadata.language = "en-GB"  # as an EPUB's dc:language would set it
    annotate_language(doc)
    assert (doc.metadata.language, doc.language_supported, doc.notices) == ("en-GB", True, [])
