"""Plain text and Markdown: encodings, newlines, chapter headings, scene breaks, Gutenberg."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from forewarn.document import Document
from forewarn.errors import InputError
from forewarn.readers import read_bytes, read_path

FIXTURES = Path(__file__).parent / "fixtures"
PROSE = "She walked down to the harbour and watched the boats for a long time before going home."


def paragraphs(doc: Document) -> list[str]:
    return [doc.text[p.start : p.end] for p in doc.paragraphs]


def chapters(doc: Document) -> list[tuple[int, str | None]]:
    return [(c.number, c.title) for c in doc.chapters]


# -- encodings ---------------------------------------------------------------------------------
QUOTED = "“Don’t,” said Zoë — and meant it. Café crème, señor."


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (QUOTED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + QUOTED.encode("utf-8"), "utf-8 with BOM"),
        (codecs.BOM_UTF16_LE + QUOTED.encode("utf-16-le"), "utf-16 LE with BOM"),
        (codecs.BOM_UTF16_BE + QUOTED.encode("utf-16-be"), "utf-16 BE with BOM"),
        (QUOTED.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_decoded_and_boms_dropped(data: bytes, label: str) -> None:
    doc = read_bytes(data, f"{label}.txt")
    assert doc.text == QUOTED
    assert paragraphs(doc) == [QUOTED]


def test_latin1_text_is_decoded() -> None:
    text = "Señor Müller paid five francs for the café crème, à la française."
    assert read_bytes(text.encode("latin-1"), "latin1.txt").text == text


def test_crlf_and_cr_newlines_are_normalised() -> None:
    data = f"First line\r\nsecond line\r\n\r\n{PROSE}\r\rLast.\r\n".encode()
    doc = read_bytes(data, "crlf.txt")
    assert "\r" not in doc.text
    assert paragraphs(doc) == ["First line\nsecond line", PROSE, "Last."]


def test_invalid_utf16_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not valid utf-16 text"):
        read_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8a\x00", "broken.txt")


# -- chapters and scene breaks -----------------------------------------------------------------
@pytest.mark.parametrize(
    "heading", ["Chapter 12", "CHAPTER XII.", "PART TWO", "Act III, Scene 2", "Chapter Seven: Ice"]
)
def test_heading_styles_open_chapters(heading: str) -> None:
    doc = read_bytes(f"Prologue\n\n{PROSE}\n\n{heading}\n\n{PROSE}\n".encode(), "h.txt")
    assert chapters(doc) == [(1, "Prologue"), (2, heading)]
    assert [(p.chapter, p.number) for p in doc.paragraphs] == [(1, 1), (2, 1)]
    assert heading not in paragraphs(doc)


def test_heading_with_title_line_joins_both() -> None:
    doc = read_bytes(f"CHAPTER IV.\nTHE STORM\n\n{PROSE}\n".encode(), "h.txt")
    assert chapters(doc) == [(1, "CHAPTER IV. — THE STORM")]


def test_part_and_chapter_headings_open_one_chapter() -> None:
    doc = read_bytes(
        f"PART ONE\n\nChapter 1\n\n{PROSE}\n\nChapter 2\n\n{PROSE}\n".encode(), "p.txt"
    )
    assert chapters(doc) == [(1, "PART ONE — Chapter 1"), (2, "Chapter 2")]


def test_contents_block_headings_are_not_chapters() -> None:
    text = (
        "CONTENTS\n\nChapter 1. Arrival\nChapter 2. Departure\n\n"
        f"Chapter 1. Arrival\n\n{PROSE}\n\nChapter 2. Departure\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "contents.txt")
    assert chapters(doc) == [(1, "Chapter 1. Arrival"), (2, "Chapter 2. Departure")]


def test_contents_list_with_blank_lines_is_not_merged_into_a_title() -> None:
    text = (
        "CONTENTS\n\n CHAPTER I.    Arrival\n\n CHAPTER II.   Departure\n\n\n"
        f"CHAPTER I.\nARRIVAL\n\n{PROSE}\n\nCHAPTER II.\nDEPARTURE\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "contents.txt")
    assert chapters(doc) == [(1, "CHAPTER I. — ARRIVAL"), (2, "CHAPTER II. — DEPARTURE")]


def test_a_table_of_contents_is_neither_a_paragraph_nor_evidence() -> None:
    """A contents list whose titles name violence ("The Stabbing") warns of nothing itself."""
    from forewarn.scanner import scan_document

    contents = "CHAPTER I.—The Voyage\n CHAPTER II.—The Stabbing\n CHAPTER III.—Home Again"
    text = (
        f"{contents}\n\nCHAPTER I.—The Voyage\n\n{PROSE}\n\nCHAPTER II.—The Stabbing\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "contents.txt")
    assert contents not in paragraphs(doc)
    assert paragraphs(doc) == [PROSE, PROSE]
    assert scan_document(doc).warnings == []


@pytest.mark.parametrize("mark", ["* * *", "~~~", "***", "-----", "#", "o0o"])
def test_scene_breaks_are_not_paragraphs(mark: str) -> None:
    doc = read_bytes(f"{PROSE}\n\n{mark}\n\nAfter the break.\n".encode(), "scene.txt")
    assert paragraphs(doc) == [PROSE, "After the break."]


def test_prose_starting_like_a_heading_is_a_paragraph() -> None:
    line = "Part of the problem was that nobody in the village had ever seen the sea at all."
    doc = read_bytes(f"{line}\n\n{PROSE}\n".encode(), "prose.txt")
    assert chapters(doc) == [(1, None)]
    assert paragraphs(doc) == [line, PROSE]


# -- Project Gutenberg -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gutenberg() -> Document:
    return read_path(FIXTURES / "gutenberg.txt")


def test_gutenberg_header_gives_metadata(gutenberg: Document) -> None:
    m = gutenberg.metadata
    assert m.source_format == "gutenberg-text"
    assert m.title == "The Tinker's Lantern"
    assert m.authors == ["Margaret Ellsworth Hale"]
    assert m.language == "English"


def test_gutenberg_header_footer_and_licence_are_skipped(gutenberg: Document) -> None:
    for boilerplate in (
        "Project Gutenberg",
        "START OF",
        "END OF",
        "LICENSE",
        "royalties",
        "Release date",
        "Title:",
    ):
        assert boilerplate not in gutenberg.text
    assert gutenberg.text.rstrip().endswith("THE END")


def test_gutenberg_chapters_skip_the_contents_list(gutenberg: Document) -> None:
    assert chapters(gutenberg) == [
        (1, "CHAPTER I. — THE ROAD OUT OF HARROWBY"),
        (2, "CHAPTER II. — A FEVER IN THE MILL HOUSE"),
        (3, "CHAPTER III. — THE LANTERN LIT AGAIN"),
    ]
    second = [gutenberg.quote(p) for p in gutenberg.paragraphs if p.chapter == 2]
    assert second[0].startswith("At the mill house the miller's wife met him")
    assert "she died before the bells rang for noon" in second[2].replace("\n", " ")


def test_gutenberg_scene_breaks_are_dropped(gutenberg: Document) -> None:
    texts = paragraphs(gutenberg)
    assert "* * *" not in texts and "~~~" not in texts
    assert texts[-1] == "THE END"


# -- Markdown ----------------------------------------------------------------------------------
def test_markdown_headings_are_chapters_and_markup_disappears() -> None:
    data = (
        b"# Chapter One\n\nSome **bold** and *quiet* words, with a [link](https://example.org).\n\n"
        b"# Chapter Two\n\n> A remembered line.\n\nThe __end__.\n"
    )
    doc = read_bytes(data, "story.md")
    assert doc.metadata.source_format == "markdown"
    assert chapters(doc) == [(1, "Chapter One"), (2, "Chapter Two")]
    assert paragraphs(doc) == [
        "Some bold and quiet words, with a link.",
        "A remembered line.",
        "The end.",
    ]
    for markup in ("**", "__", "#", "[", "](", ">"):
        assert markup not in doc.text
