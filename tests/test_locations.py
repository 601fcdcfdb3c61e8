"""Locations a reader can find: the chapter as the book prints it, how far through, the
paragraph's first words (only with --spoilers), and for an EPUB the spine document and a CFI."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import forewarn
from forewarn.chapter_numbers import title_number
from forewarn.locations import (
    chapters_phrase,
    format_ranges,
    numbered,
    passage_place,
    ranges,
    warning_locations,
)
from forewarn.place import Place
from forewarn.report import Evidence
from forewarn.verdict import paragraph_range
from tests.conftest import FIXTURES, ROOT, validate_report
from tests.helpers import run_cli

CHECK_SCHEMA = json.loads((ROOT / "src/forewarn/schema/check.schema.json").read_text())
ENDING = "He climbed onto the ledge of the roof and jumped, trying to end his life."


def _filler(n: int, word: str) -> list[str]:
    return [f"They baked {word} bread, batch {i}, and ate it warm with butter." for i in range(n)]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prologue, then Chapter 1 and Chapter 2: forewarn's third chapter is the book's 2nd."""
    blocks = ["Prologue", *_filler(3, "rye"), "Chapter 1", *_filler(4, "oat"), "Chapter 2"]
    blocks += [*_filler(8, "corn"), ENDING]
    path = tmp_path_factory.mktemp("book") / "book.txt"
    path.write_text("\n\n".join(blocks) + "\n")
    return path


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("Chapter 20", 20),
        ("CHAPTER XX. THE END", 20),
        ("Chapter Twenty-One", 21),
        ("20. The Fall", 20),
        ("IV", 4),
        ("The Roof", None),
        ("Liv", None),  # a name, not a Roman numeral
        (None, None),
    ],
)
def test_a_chapter_number_is_read_from_its_printed_title(title, number) -> None:
    assert title_number(title) == number


def test_paragraph_ranges_read_as_a_reader_would_say_them() -> None:
    assert paragraph_range(9, 12, 12) == "from the 9th paragraph to the chapter's end"
    assert paragraph_range(2, 2, 5) == "the 2nd paragraph"
    assert paragraph_range(1, 5, 5) == "the whole chapter"
    assert paragraph_range(21, 23, 30) == "the 21st to 23rd paragraphs"


@pytest.mark.slow
def test_check_names_chapters_as_the_book_prints_them(book: Path) -> None:
    result = run_cli("check", "--avoid", "suicide-attempt", str(book))
    assert result.returncode == 3, result.stderr
    said = " ".join(result.stdout.split())
    assert "in Chapter 2" in said and "chapter 3" not in said.lower()
    assert "skip Chapter 2 (" in said and "%): from the 9th paragraph to the chapter's end" in said
    assert "He climbed onto" not in said  # first words give the event away: --spoilers only
    spoiled = " ".join(
        run_cli("check", "--avoid", "suicide-attempt", "--spoilers", str(book)).stdout.split()
    )
    assert "9th paragraph: starts “He climbed onto the ledge of…”" in spoiled


@pytest.mark.slow
def test_check_json_locations(book: Path) -> None:
    plain = json.loads(
        run_cli("check", "-f", "json", "--avoid", "suicide-attempt", str(book)).stdout
    )
    jsonschema.validate(plain, CHECK_SCHEMA)
    (skip,) = plain["verdicts"][0]["skip"]
    assert skip["chapter"] == 3 and skip["paragraphs"] == [[9, 9]]
    assert skip["where"].startswith("Chapter 2 (") and skip["where"].endswith("chapter's end")
    (where,) = skip["locations"]
    assert (where["chapter_ordinal"], where["chapter_name"]) == (2, "Chapter 2")
    assert 80 <= where["percent"] < 100 and where["spine"] is None and "first_words" not in where
    spoiled = json.loads(
        run_cli("check", "-f", "json", "--spoilers", "--avoid", "suicide-attempt", str(book)).stdout
    )
    jsonschema.validate(spoiled, CHECK_SCHEMA)
    assert spoiled["verdicts"][0]["skip"][0]["locations"][0]["first_words"].startswith("He climbed")


@pytest.mark.slow
def test_epub_locations_name_the_spine_document_and_a_cfi() -> None:
    epub = FIXTURES / "ao3_work.epub"
    data = json.loads(run_cli("scan", "-f", "json", str(epub)).stdout)
    validate_report(data)
    death = next(w for w in data["documents"][0]["warnings"] if w["id"] == "death")
    where = death["evidence"][0]["location"]
    assert where["chapter_name"] == "Chapter 2" and where["first_words"]
    assert where["spine"]["href"] == "The_Lighthouse_Year_split_002.html"
    assert where["spine"]["cfi"].startswith("epubcfi(/6/6[html2]!/4/")
    result = run_cli("check", "--avoid", "death", str(epub))
    said = " ".join(result.stdout.split())
    assert "skip Chapter 2 (50 %): the 2nd paragraph" in said
    assert "EPUB The_Lighthouse_Year_split_002.html epubcfi(/6/6[html2]!/4/4)" in said


@pytest.mark.slow
def test_scan_reports_name_chapters_as_printed(book: Path, tmp_path: Path) -> None:
    text = " ".join(run_cli("scan", str(book)).stdout.split())
    assert "Chapter 2 (" in text and "%), paragraph 9" in text and "chapter 3" not in text
    page = tmp_path / "report.html"
    run_cli("scan", "-f", "html", "-o", str(page), str(book))
    html = page.read_text()
    assert "Chapter 2, paragraph 9" in html and "Chapter 2 (" in html


# -- forewarn.locations: every passage of a warning, and how ranges of them are said -----------
STORY = (
    "Chapter 1\n\nThey baked bread all morning.\n\nHe tried to kill himself that night.\n\n"
    "Chapter 2\n\nShe found him dead on the kitchen floor.\n\n"
    "Later he tried to kill himself again, with pills."
)


def test_every_passage_of_a_warning_in_story_order_pointing_back_to_its_evidence() -> None:
    (doc,) = forewarn.scan_text(STORY).documents
    warning = next(w for w in doc.warnings if w.id == "suicide-attempt")
    found = warning_locations(doc, warning)
    assert [(loc.chapter, loc.paragraph) for loc in found] == [(1, 2), (2, 2)]
    assert [loc.start for loc in found] == sorted(e.start for e in warning.evidence)
    for loc in found:
        assert loc.evidence is not None
        e = warning.evidence[loc.evidence]
        assert (loc.start, loc.end, loc.chapter, loc.paragraph, loc.severity) == (
            e.start,
            e.end,
            e.chapter,
            e.paragraph,
            e.severity,
        )
        assert "tried to kill himself" in STORY[loc.start : loc.end]


def test_ranges_of_chapters_and_paragraphs_read_as_a_reader_would_say_them() -> None:
    assert ranges([10, 9, 1, 2, 3, 7, 2]) == [(1, 3), (7, 7), (9, 10)]
    assert ranges([]) == []
    assert format_ranges([7, 1, 2, 3]) == "1–3, 7"
    assert numbered("paragraph", [3, 3]) == "paragraph 3"
    assert numbered("paragraph", [5, 1, 2]) == "paragraphs 1–2, 5"
    assert chapters_phrase([3]) == "chapter 3" and chapters_phrase([2, 1]) == "chapters 1–2"


def _evidence(place: Place | None, title: str | None = "The Roof", paragraph: int = 12) -> Evidence:
    return Evidence(
        start=0,
        end=4,
        quote="Fell",
        chapter=3,
        paragraph=paragraph,
        score=0.9,
        severity="depicted",
        match_start=0,
        match_end=4,
        chapter_title=title,
        place=place,
    )


def test_a_passage_is_placed_by_its_chapter_as_printed_how_far_in_and_its_paragraph() -> None:
    roof = Place(chapter=3, title="The Roof", ordinal=3, paragraph=12, percent=41, first_words="")
    assert passage_place(_evidence(roof)) == "chapter 3 “The Roof” (41 %), paragraph 12"
    twenty = Place(
        chapter=3, title="Chapter 20", ordinal=20, paragraph=1, percent=7, first_words=""
    )
    assert passage_place(_evidence(twenty, "Chapter 20", 1)) == "Chapter 20 (7 %), paragraph 1"
    assert passage_place(_evidence(None)) == "chapter 3 “The Roof”, paragraph 12"
    assert passage_place(_evidence(None, None, 0)) == "chapter 3"  # between paragraphs


# -- a chapter named alike wherever a chapter or a list of them is shown ------------------------
def test_chapter_lists_name_chapters_as_printed_and_stay_short_when_long() -> None:
    from forewarn.place import chapter_named, chapters_as_printed, chapters_in_brief
    from tests.sample_report import storm_report

    doc = storm_report().document
    assert chapter_named(doc, 2) == "CHAPTER II — THE STORM"
    assert chapters_in_brief(doc, [2]) == "CHAPTER II — THE STORM"
    assert chapters_in_brief(doc, [1, 2, 3, 5]) == chapters_as_printed(doc, [1, 2, 3, 5])
    assert chapters_in_brief(doc, [1, 2, 3, 5], limit=20) == (
        "4 chapters, from CHAPTER I to CHAPTER V"
    )
    assert chapters_in_brief(doc, [1, 5], limit=5) == "CHAPTER I, CHAPTER V"  # two: both named


def test_scan_and_html_report_give_an_epub_passage_its_spine_document_and_cfi() -> None:
    """Where a location is shown for an EPUB, an e-reader's position goes with it: the terminal
    scan under its evidence, the HTML report beside each passage (outside the fold)."""
    from forewarn.readers import read_path
    from forewarn.render.html import render_html
    from forewarn.render.terminal import render_document
    from forewarn.report import Report
    from tests.sample_report import plain, report_from

    doc = read_path(FIXTURES / "ao3_work.epub")
    report = report_from(
        doc, [("death", "Their grandmother", "had been dead", "mentioned", 0.8)], ["death"]
    )
    (e,) = report.warnings[0].evidence
    assert e.place is not None and e.place.spine is not None
    where = f"EPUB {e.place.spine.href} {e.place.spine.cfi}"
    assert where.startswith("EPUB The_Lighthouse_Year_split_002.html epubcfi(/6/6[html2]!/4/")
    assert where in plain(render_document(report), width=200)
    page = render_html(Report([report], detectors=["hand"]))
    assert (
        f'</details><p class="fw-epub">EPUB {e.place.spine.href} <code>{e.place.spine.cfi}</code>'
        in page
    )
