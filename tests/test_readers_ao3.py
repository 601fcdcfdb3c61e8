"""AO3 HTML downloads: metadata from the preface, only chapter text in the document."""

from __future__ import annotations

from pathlib import Path

import pytest

from forewarn.document import Document
from forewarn.readers import read_bytes, read_path
from forewarn.readers.ao3 import is_ao3_html
from forewarn.readers.html import parse_html

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def work() -> Document:
    return read_path(FIXTURES / "ao3_work.html")


@pytest.fixture(scope="module")
def oneshot() -> Document:
    return read_path(FIXTURES / "ao3_oneshot.html")


def paragraph_texts(doc: Document, chapter: int | None = None) -> list[str]:
    return [
        doc.text[p.start : p.end] for p in doc.paragraphs if chapter is None or p.chapter == chapter
    ]


def test_work_metadata_comes_from_the_preface(work: Document) -> None:
    m = work.metadata
    assert m.source_format == "ao3-html"
    assert m.title == "The Lighthouse Year"
    assert m.authors == ["saltmarsh_writes", "gullwing"]
    assert m.url == "https://archiveofourown.org/works/48151623"
    assert m.rating == "Teen And Up Audiences"
    assert m.archive_warnings == ["No Archive Warnings Apply"]
    assert m.categories == ["Gen"]
    assert m.fandoms == ["Original Work"]
    assert m.relationships == ["Mara Quill & Tobias Quill"]
    assert m.characters == ["Mara Quill", "Tobias Quill", "Ines Albright"]
    assert m.additional_tags == [
        "School Bullying",
        "Grief",
        "Character Death Mentioned",
        "Siblings",
        "Hurt/Comfort",
    ]
    assert m.language == "English"


def test_summary_and_notes_in_reading_order(work: Document) -> None:
    m = work.metadata
    assert m.summary is not None and m.summary.startswith("Mara is twelve the year")
    assert m.notes == [
        "Written for the Small Harbours exchange. Thank you to my beta, who caught every stray "
        "comma.",
        "This chapter shows a kid being bullied at school.",
        "Mara gets a better day next chapter, I promise.",
        "Spring, and a letter.",
        "If you are being bullied, please tell someone you trust.",
    ]


def test_chapters_are_numbered_and_titled_as_ao3_prints_them(work: Document) -> None:
    assert [(c.number, c.title) for c in work.chapters] == [
        (1, "The Roof"),
        (2, "Chapter 2"),
        (3, "What the River Kept"),
    ]
    assert work.metadata.chapter_titles == ["The Roof", "Chapter 2", "What the River Kept"]
    assert work.text[work.chapters[1].start :].startswith("Tobias found her there")


def test_text_is_only_the_story_body(work: Document) -> None:
    assert work.text.startswith("The roof of the old lighthouse was the only place")
    assert work.text.endswith("where Gran's calendar used to hang.")
    for boilerplate in (
        "Preface",
        "Posted originally",
        "Archive of Our Own",
        "Rating",
        "Teen And Up",
        "Stats",
        "Summary",
        "Small Harbours",
        "Chapter Notes",
        "being bullied at school",
        "better day next chapter",
        "Spring, and a letter",
        "End Notes",
        "please tell someone",
        "comment",
        "Afterword",
        "saltmarsh_writes",
    ):
        assert boilerplate not in work.text


def test_paragraph_spans_quote_the_story(work: Document) -> None:
    first = paragraph_texts(work, chapter=1)
    assert first[0] == (
        "The roof of the old lighthouse was the only place on Gannet Point where nobody "
        "could find Mara Quill."
    )
    assert first[2] == (
        '"Nobody likes you," Ines had said, quite calmly, as if she were reading out the '
        'weather. "Everyone just pretends."'
    )
    assert [p.number for p in work.paragraphs if p.chapter == 2] == [1, 2, 3, 4]
    death = next(p for p in work.paragraphs if "dead for two years" in work.quote(p))
    assert death.chapter == 2 and death.number == 3


def test_scene_break_rule_is_not_a_paragraph(work: Document) -> None:
    third = paragraph_texts(work, chapter=3)
    assert len(third) == 3
    assert third[2].startswith("That evening Tobias drew the lighthouse")


def test_oneshot_is_one_chapter_titled_by_the_work(oneshot: Document) -> None:
    assert [(c.number, c.title) for c in oneshot.chapters] == [(1, "Small Hours")]
    m = oneshot.metadata
    assert (m.title, m.authors, m.rating) == ("Small Hours", ["nightjar"], "General Audiences")
    assert m.additional_tags == ["Insomnia", "Night Shift"]
    assert m.summary == "A bakery at four in the morning."
    assert m.notes == []
    assert m.url == "https://archiveofourown.org/works/51234987"
    assert paragraph_texts(oneshot)[0] == (
        "At four in the morning the bakery on Pell Street is the only lit window for a mile."
    )
    assert "bakery at four in the morning" not in oneshot.text


OLD_ONESHOT = b"""<html><head><title>Old Work</title></head><body>
<div id="preface"><div class="meta"><dl class="tags">
<dt>Rating:</dt><dd><a href="/tags/Mature">Mature</a></dd>
<dt>Archive Warnings:</dt><dd><a href="/tags/x">Graphic Depictions Of Violence</a>,
<a href="/tags/y">Major Character Death</a></dd>
</dl><h1>Old Work</h1><div class="byline">by Anonymous</div></div></div>
<div id="chapters" class="userstuff"><div class="userstuff"><p>One night only.</p>
<p>The end.</p></div></div></body></html>"""


def test_oneshot_without_heading_has_an_untitled_chapter() -> None:
    doc = read_bytes(OLD_ONESHOT, "old.html")
    assert [(c.number, c.title) for c in doc.chapters] == [(1, None)]
    assert doc.text == "One night only.\n\nThe end."
    assert doc.metadata.archive_warnings == [
        "Graphic Depictions Of Violence",
        "Major Character Death",
    ]
    assert doc.metadata.authors == ["Anonymous"]


def test_preface_list_without_tags_class_is_still_recognised() -> None:
    """Converters (calibre) may rename classes; the dt labels still identify AO3."""
    data = OLD_ONESHOT.replace(b'<dl class="tags">', b'<dl class="calibre3">')
    doc = read_bytes(data, "renamed.html")
    assert doc.metadata.source_format == "ao3-html"
    assert doc.metadata.rating == "Mature"


def test_chapter_headings_inside_userstuff_do_not_open_chapters() -> None:
    data = OLD_ONESHOT.replace(b"<p>The end.</p>", b"<h2>Part Two</h2><p>The end.</p>")
    doc = read_bytes(data, "headings.html")
    assert len(doc.chapters) == 1
    assert paragraph_texts(doc) == ["One night only.", "Part Two", "The end."]


def test_plain_html_is_not_taken_for_ao3() -> None:
    data = b"<html><body><h1>Chapter 1</h1><dl><dt>Rating:</dt><dd>PG</dd></dl></body></html>"
    assert not is_ao3_html(parse_html(data, "x"))
    assert read_bytes(data + b" " * 10, "plain.html").metadata.source_format == "html"
