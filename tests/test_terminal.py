"""Terminal output: the scan report with its compact timeline, 80 columns, and the progress bar."""

from __future__ import annotations

import io

from rich.console import Console

from forewarn.render.terminal import ProgressBar, render_document, timeline_rows
from forewarn.scanner import Scanner, text_document
from tests.conftest import ROOT
from tests.sample_report import plain, sample_document_report

GOLDEN = ROOT / "tests" / "golden"


def test_golden_scan_text():
    assert plain(render_document(sample_document_report())) == (GOLDEN / "scan.txt").read_text()


def test_everything_fits_80_columns():
    text = plain(render_document(sample_document_report()), width=80)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80


def test_timeline_row_places_passages_in_their_chapters():
    rows = [r.plain for r in timeline_rows(sample_document_report(), cells=30)]
    assert rows[0].split() == ["chapter", "1", "2", "3"]
    attempt = next(r for r in rows if r.lstrip().startswith("Suicide attempt"))
    strip = attempt[-30:]
    assert strip[:20].count("▆") == 0 and strip[20:].count("▆") == 1  # depicted, in chapter 3
    assert strip[20:].count("▄") == 1  # the mentioned passage, also chapter 3
    assert strip[10] == "│" and strip[20] == "│"  # chapter starts


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=80), out


def test_progress_bar_only_for_long_works():
    doc = text_document("He tried to kill himself when he was sixteen.\n\n" * 30)
    console, out = _console()
    with ProgressBar(console, min_words=100) as bar:
        report = Scanner(progress=bar).document(doc)
    assert report.warning("suicide-attempt") is not None
    assert "detecting (" in out.getvalue()  # the bar named the running detector
    console, out = _console()
    with ProgressBar(console, min_words=10**6) as bar:
        Scanner(progress=bar).document(text_document("He tried to kill himself.\n\n" * 30))
    assert out.getvalue() == ""


def test_an_untitled_text_is_named_once() -> None:
    """A plain-text story has no title: its file name heads the report, and only there."""
    from forewarn.scanner import scan_document

    doc = text_document("He punched the guard in the face.", source="story.txt")
    text = plain(render_document(scan_document(doc)))
    assert text.splitlines()[0].strip() == "story.txt"
    assert text.count("story.txt") == 1
    assert "text · 7 words · 1 chapter" in text
