"""A plain-text novel's title page and contents list are not its first chapter: the report's
chapters, their titles and paragraph numbers are the book's own.

The novel below is written for this test, laid out as Project Gutenberg lays out its texts: the
title, author, publisher and dedication in short centred lines, then a contents list whose
entries are spread over blank lines with the books' titles between them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from forewarn.document import Document
from forewarn.readers import read_bytes
from forewarn.segment import heading_title
from tests.helpers import run_cli

NOVEL = """\
The Project Gutenberg eBook of The Salt Road

Title: The Salt Road

Author: Hester Vane

Language: English

*** START OF THE PROJECT GUTENBERG EBOOK THE SALT ROAD ***




                              THE SALT ROAD

                                   BY

                               HESTER VANE

                         LONDON: PEMBERTON & CO.
                    PRINTED BY J. ASHBY, FLEET ST., E.C.


                                   TO

                               MY BROTHER



CONTENTS

    BOOK ONE: THE COAST

    CHAPTER I.     The Harbour Wall

    CHAPTER II.    The Lighthouse Keeper

    BOOK TWO: INLAND

    CHAPTER III.   The Salt Road




BOOK ONE: THE COAST


CHAPTER I.
THE HARBOUR WALL


The boats came in late that evening, low in the water, and the whole
town went down to the harbour wall to see what the sea had given.

Mara counted the steps to the roof of the net loft, the way she always did.

* * *

In the morning the gulls were back on the wall as if nothing had happened.


CHAPTER II.
THE LIGHTHOUSE KEEPER


The keeper had not spoken to anyone since the winter his wife left.

He climbed onto the ledge of the lighthouse gallery and jumped, trying to end his life.

They found him on the rocks at dawn, alive, and carried him up to the town.


BOOK TWO: INLAND


CHAPTER III.
THE SALT ROAD


The salt road ran east from the harbour through the marshes, and nobody
walked it after dark.

At the end of it there was an inn, and at the inn there was a fire.

THE END

*** END OF THE PROJECT GUTENBERG EBOOK THE SALT ROAD ***
"""
CHAPTERS = [
    "BOOK ONE: THE COAST — CHAPTER I. — THE HARBOUR WALL",
    "CHAPTER II. — THE LIGHTHOUSE KEEPER",
    "BOOK TWO: INLAND — CHAPTER III. — THE SALT ROAD",
]
PROSE = "The boats came in late that evening, low in the water, and nobody spoke of it."


def chapters(doc: Document) -> list[str | None]:
    return [c.title for c in doc.chapters]


def first_paragraphs(doc: Document) -> list[str]:
    """Each chapter's first paragraph, its first 30 characters."""
    return [
        next(doc.quote(p)[:30] for p in doc.paragraphs if p.chapter == c.number)
        for c in doc.chapters
    ]


@pytest.fixture
def novel(tmp_path: Path) -> Path:
    path = tmp_path / "the_salt_road.txt"
    path.write_text(NOVEL, encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_report_numbers_chapters_and_paragraphs_as_the_book_does(novel: Path) -> None:
    result = run_cli("scan", "--format", "json", str(novel))
    assert result.returncode == 0, result.stderr
    (document,) = json.loads(result.stdout)["documents"]
    assert [c["title"] for c in document["chapters"]] == CHAPTERS
    (attempt,) = [w for w in document["warnings"] if w["id"] == "suicide-attempt"]
    location = attempt["evidence"][0]["location"]
    assert (location["chapter"], location["paragraph"]) == (2, 2)
    assert location["chapter_name"] == CHAPTERS[1] and location["chapter_ordinal"] == 2

    checked = run_cli("check", "--avoid", "suicide-attempt", str(novel))
    assert checked.returncode == 3, checked.stdout + checked.stderr
    flat = " ".join(checked.stdout.split())
    assert re.search(rf"skip {re.escape(CHAPTERS[1])} \(\d+ %\): the 2nd paragraph", flat), flat


@pytest.mark.slow
def test_forewarn_text_keeps_the_title_page(novel: Path) -> None:
    """The title page is not scanned, but the text evidence offsets index into is the book's."""
    result = run_cli("text", str(novel))
    assert result.returncode == 0, result.stderr
    assert "HESTER VANE" in result.stdout and "CHAPTER I." in result.stdout


# -- the reader (fast) -------------------------------------------------------------------------
def test_title_page_and_contents_are_neither_a_chapter_nor_paragraphs() -> None:
    doc = read_bytes(NOVEL.encode(), "the_salt_road.txt")
    assert chapters(doc) == CHAPTERS
    assert first_paragraphs(doc) == [
        "The boats came in late that ev",
        "The keeper had not spoken to a",
        "The salt road ran east from th",
    ]
    texts = [doc.quote(p) for p in doc.paragraphs]
    for title_line in ("THE SALT ROAD", "BY", "HESTER VANE", "MY BROTHER", "CONTENTS"):
        assert title_line not in texts


def test_a_preface_before_the_first_chapter_is_a_chapter_of_its_own() -> None:
    text = (
        "THE SALT ROAD\n\nby Hester Vane\n\nContents\n\n CHAPTER I.   Arrival\n\n"
        " CHAPTER II.  Departure\n\n"
        "How these letters came to me I shall tell in their place; here they are as I found "
        "them.\n\nH. V.\n\n"
        f"CHAPTER I.\nARRIVAL\n\n{PROSE}\n\nCHAPTER II.\nDEPARTURE\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "preface.txt")
    assert chapters(doc) == [None, "CHAPTER I. — ARRIVAL", "CHAPTER II. — DEPARTURE"]
    assert first_paragraphs(doc)[0] == "How these letters came to me I"
    assert [doc.quote(p) for p in doc.paragraphs if p.chapter == 2] == [PROSE]


def test_contents_entries_with_part_titles_between_them_open_no_chapter() -> None:
    """War and Peace's contents: "CHAPTER XX" then "FIRST EPILOGUE: 1813 - 20", a line that
    is no heading, would otherwise open a chapter "CHAPTER XX" holding the epilogue's title."""
    contents = (
        "    Contents\n\n    BOOK ONE: 1805\n\n    CHAPTER I\n\n    CHAPTER II\n\n\n"
        "    FIRST EPILOGUE: 1813 - 20\n\n    CHAPTER I\n\n    CHAPTER II\n\n\n"
    )
    story = (
        f"BOOK ONE: 1805\n\n\nCHAPTER I\n\n{PROSE}\n\nCHAPTER II\n\n{PROSE}\n\n"
        f"FIRST EPILOGUE: 1813 - 20\n\nCHAPTER I\n\n{PROSE}\n"
    )
    doc = read_bytes(f"WAR AND PEACE\n\nBy Leo Tolstoy\n\n{contents}{story}".encode(), "wp.txt")
    assert chapters(doc) == ["BOOK ONE: 1805 — CHAPTER I", "CHAPTER II", "CHAPTER I"]
    assert doc.quote(doc.paragraphs[0]) == PROSE


def test_a_story_without_headings_keeps_its_first_lines() -> None:
    """With no chapter headings there is no title page to tell apart: nothing is dropped."""
    doc = read_bytes(f"THE ROOF\n\nby Mara Quill\n\n{PROSE}\n".encode(), "story.txt")
    assert chapters(doc) == [None]
    assert [doc.quote(p) for p in doc.paragraphs] == ["THE ROOF", "by Mara Quill", PROSE]


def test_chapters_headed_by_a_bare_roman_numeral() -> None:
    """The War of the Worlds' layout: a contents list of "I. THE EVE OF THE WAR." lines, then
    each chapter headed "I." over its title in capitals."""
    contents = " BOOK ONE.—THE COMING\n I. THE EVE OF THE WAR.\n II. THE FALLING STAR.\n"
    text = (
        f"THE WAR\n\nby H. G. Wells\n\nContents\n\n{contents}\n\n"
        f"BOOK ONE\nTHE COMING\n\nI.\nTHE EVE OF THE WAR.\n\n{PROSE}\n\n"
        f"II.\nTHE FALLING STAR.\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "war.txt")
    assert chapters(doc) == [
        "BOOK ONE — THE COMING — I. — THE EVE OF THE WAR.",
        "II. — THE FALLING STAR.",
    ]
    assert [doc.quote(p) for p in doc.paragraphs] == [PROSE, PROSE]


def test_stories_of_a_collection_and_their_numbered_sections() -> None:
    """The Adventures of Sherlock Holmes: "I. A SCANDAL IN BOHEMIA", then its section "I."."""
    text = (
        f"I. A SCANDAL IN BOHEMIA\n\n\nI.\n\n{PROSE}\n\nII.\n\n{PROSE}\n\n\n"
        f"II. THE RED-HEADED LEAGUE\n\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "stories.txt")
    assert chapters(doc) == ["I. A SCANDAL IN BOHEMIA — I.", "II.", "II. THE RED-HEADED LEAGUE"]


@pytest.mark.parametrize(
    "prose",
    [
        "I WILL NOT GO.",
        "I wandered lonely as a cloud\nI saw a crowd, a host of daffodils\nI gazed and gazed",
        "VI. The man with the twisted lip came in at last, and sat down by the fire.",
    ],
)
def test_lines_starting_with_i_are_not_headings_or_contents(prose: str) -> None:
    doc = read_bytes(f"CHAPTER I.\n\n{PROSE}\n\n{prose}\n\n{PROSE}\n".encode(), "story.txt")
    assert chapters(doc) == ["CHAPTER I."]
    assert [doc.quote(p) for p in doc.paragraphs] == [PROSE, prose, PROSE]


def test_a_heading_whose_title_wraps_over_lines_in_capitals() -> None:
    """Don Quixote: "CHAPTER II." over a title in capitals wrapped across two lines; the
    contents entries, each run into its title, come first and open no chapter."""
    contents = (
        "CHAPTER I WHICH TREATS OF THE CHARACTER AND\nPURSUITS OF THE GENTLEMAN\n\n"
        "CHAPTER II WHICH TREATS OF THE FIRST SALLY\nTHE GENTLEMAN MADE FROM HOME\n\n"
    )
    text = (
        f"{contents}INTRODUCTION\n\n{PROSE}\n\n"
        "CHAPTER I.\nWHICH TREATS OF THE CHARACTER AND PURSUITS OF THE FAMOUS GENTLEMAN DON\n"
        f"QUIXOTE OF LA MANCHA\n\n{PROSE}\n\n"
        "CHAPTER II.\nWHICH TREATS OF THE FIRST SALLY THE INGENIOUS DON QUIXOTE MADE FROM\n"
        f"HOME\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "quixote.txt")
    assert chapters(doc) == [
        "INTRODUCTION",
        "CHAPTER I. — WHICH TREATS OF THE CHARACTER AND PURSUITS OF THE FAMOUS GENTLEMAN DON "
        "QUIXOTE OF LA MANCHA",
        "CHAPTER II. — WHICH TREATS OF THE FIRST SALLY THE INGENIOUS DON QUIXOTE MADE FROM HOME",
    ]
    assert [doc.quote(p) for p in doc.paragraphs] == [PROSE, PROSE, PROSE]


@pytest.mark.parametrize(
    "block",
    [
        "CHAPTER I.\nIt was a dark night and the rain fell in torrents, except at\nintervals",
        "Part of the problem was that nobody\nIN THE VILLAGE HAD SEEN THE SEA",
        "CHAPTER I.\nCHAPTER II.\nCHAPTER III.",
    ],
)
def test_prose_and_contents_blocks_are_not_wrapped_headings(block: str) -> None:
    assert heading_title(block) is None


def test_a_subtitle_in_capitals_under_a_heading_is_part_of_its_title() -> None:
    """Dracula: "CHAPTER I", a blank line, "JONATHAN HARKER'S JOURNAL": the journal's first
    entry is the chapter's first paragraph. A shout opening a chapter stays text."""
    text = (
        f"CHAPTER I\n\nJONATHAN HARKER'S JOURNAL\n\n{PROSE}\n\n"
        f"CHAPTER II\n\nSTOP!\n\n{PROSE}\n\nSCENE I. A hall.\n\nHAMLET.\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "dracula.txt")
    assert chapters(doc) == [
        "CHAPTER I — JONATHAN HARKER'S JOURNAL",
        "CHAPTER II",
        "SCENE I. A hall.",
    ]
    assert first_paragraphs(doc) == [PROSE[:30], "STOP!", "HAMLET."]


def test_a_continued_subtitle_and_a_note_in_parentheses_are_part_of_the_title() -> None:
    """Dracula's later chapters: "JONATHAN HARKER'S JOURNAL--continued" under "CHAPTER II",
    and "(Kept in shorthand.)" under the first chapter's subtitle, are the chapter's printed
    title, not its first paragraph. A chapter opening on a remark in parentheses keeps it."""
    text = (
        f"CHAPTER I\n\nJONATHAN HARKER'S JOURNAL\n\n(Kept in shorthand.)\n\n{PROSE}\n\n"
        f"CHAPTER II\n\nJONATHAN HARKER'S JOURNAL--continued\n\n{PROSE}\n\n"
        f"CHAPTER III\n\n(He was wrong.)\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "dracula.txt")
    assert chapters(doc) == [
        "CHAPTER I — JONATHAN HARKER'S JOURNAL — (Kept in shorthand.)",
        "CHAPTER II — JONATHAN HARKER'S JOURNAL--continued",
        "CHAPTER III",
    ]
    assert first_paragraphs(doc) == [PROSE[:30], PROSE[:30], "(He was wrong.)"]


def test_headings_run_into_the_text_without_blank_lines_open_chapters() -> None:
    """North and South as Gutenberg has it: a catalogue record left at the top, the title page,
    a contents list of bare numerals ("CHAPTER: I., " / "II., "), and chapters whose heading
    and subtitle are lines of the text, no blank line around them ("...was over." /
    "CHAPTER II." / "ROSES AND THORNS." / "Margaret was..."; "CHAPTER XXVI.MOTHER AND SON")."""
    text = (
        "The Project Gutenberg eBook of The Salt Road\nTitle: The Salt Road\n"
        "Author: Hester Vane\nLanguage: English\n\nThe Salt Road.\n\nBY\n\nHESTER VANE\n\n"
        "CHAPTER: I., \nII., \nIII.\n\n"
        f"CHAPTER I.\n“HASTE TO THE WEDDING.”\n{PROSE}\nThe wedding was over.\n"
        f"CHAPTER II.\nROSES AND THORNS.\n{PROSE}\n"
        f"CHAPTER III.MOTHER AND SON\n{PROSE}\nChapter 4 of the ledger was lost.\n"
    )
    doc = read_bytes(text.encode(), "north_and_south.txt")
    assert chapters(doc) == [
        "CHAPTER I. — “HASTE TO THE WEDDING.”",
        "CHAPTER II. — ROSES AND THORNS.",
        "CHAPTER III.MOTHER AND SON",
    ]
    assert [doc.quote(p) for p in doc.paragraphs] == [
        f"{PROSE}\nThe wedding was over.",
        PROSE,
        f"{PROSE}\nChapter 4 of the ledger was lost.",
    ]


def test_a_contents_list_and_list_of_illustrations_before_an_introduction_open_no_chapter() -> None:
    """The Arabian Nights: each contents entry "CHAPTER II." over its stories and their pages,
    the last entry followed by a list of illustrations set in columns, then "INTRODUCTION."
    before the book's "CHAPTER I."; a subtitle in capitals wraps over two lines."""
    contents = (
        "CONTENTS OF THE FIRST VOLUME.\n\n  Introduction                         1\n\n"
        "  CHAPTER I.\n\n  Story of the Merchant and the Jinnee          38\n\n"
        "  CHAPTER II.\n\n  Story of the Fisherman                        69\n\n"
        "  Story of King Yoonan and the Sage Dooban\n    and his Vizier         75\n\n\n"
        "LIST OF ILLUSTRATIONS.\n\n  Ornamental Title.--At the foot is the\n"
        "    Title in Arabic                               JACKSON.\n\n"
        "  The Wezeer presenting the letter                O. SMITH        3\n\n"
    )
    text = (
        f"THE THOUSAND AND ONE NIGHTS\n\n{contents}INTRODUCTION.\n\n{PROSE}\n\n"
        f"CHAPTER I.\n\nCOMMENCING WITH THE FIRST NIGHT.\n\n{PROSE}\n\n"
        "CHAPTER II.\n\nCOMMENCING WITH PART OF THE THIRD NIGHT, AND ENDING WITH PART OF THE\n"
        f"NINTH.\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "nights.txt")
    assert chapters(doc) == [
        "INTRODUCTION.",
        "CHAPTER I. — COMMENCING WITH THE FIRST NIGHT.",
        "CHAPTER II. — COMMENCING WITH PART OF THE THIRD NIGHT, AND ENDING WITH PART OF THE NINTH.",
    ]
    assert [doc.quote(p) for p in doc.paragraphs] == [PROSE, PROSE, PROSE]


def test_numbered_sections_of_a_part_are_chapters_named_with_their_part() -> None:
    """To the Lighthouse: parts "I" / "THE WINDOW", their sections numbered "1", "2" alone on
    a line, the first section's "1" run into the part's title ("THE WINDOW 1") by the
    edition; a contents list of bare numbers comes first. Each section is a chapter named as
    a reader cites it, with its part: "I — THE WINDOW — 2"."""
    contents = "Contents\n\n\n2\n\n\n3\n\n\nII\n\n\n2\n\n\n"
    text = (
        f"TO THE LIGHTHOUSE\n\n{contents}I\n\nTHE WINDOW 1\n\n{PROSE}\n\n\n2\n\n\n{PROSE}\n\n"
        f"3\n\n{PROSE}\n\n\nII\n\n\nTIME PASSES\n\n\n1\n\n\n{PROSE}\n\n2\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "lighthouse.txt")
    assert chapters(doc) == [
        "I — THE WINDOW — 1",
        "I — THE WINDOW — 2",
        "I — THE WINDOW — 3",
        "II — TIME PASSES — 1",
        "II — TIME PASSES — 2",
    ]
    assert [doc.quote(p) for p in doc.paragraphs] == [PROSE] * 5


def test_page_numbers_between_blank_lines_are_not_sections() -> None:
    """Numbers that break sentences off are a scan's page numbers, not sections."""
    text = (
        f"CHAPTER I.\n\n{PROSE}\n\nThe boats came in\n\n12\n\nlate that evening.\n\n"
        f"{PROSE}\n\n13\n\n{PROSE}\n"
    )
    doc = read_bytes(text.encode(), "scanned.txt")
    assert chapters(doc) == ["CHAPTER I."]
    assert "12" in [doc.quote(p) for p in doc.paragraphs]
