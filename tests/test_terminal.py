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


def test_scan_summary_names_a_chapter_as_its_evidence_does() -> None:
    """The summary line and the evidence under it both say "CHAPTER II — THE STORM"."""
    from tests.sample_report import storm_report

    text = " ".join(plain(render_document(storm_report())).split())
    assert "1 passage; CHAPTER II — THE STORM)" in text
    assert "CHAPTER II — THE STORM (" in text  # the evidence line
    assert "chapter 2" not in text
    many = " ".join(plain(render_document(storm_report([1, 2, 3, 5]))).split())
    assert "4 passages; CHAPTER I to CHAPTER III, CHAPTER V)" in many


def test_scan_explains_the_score_in_words() -> None:
    text = " ".join(plain(render_document(sample_document_report())).split())
    assert "(how sure 0.95;" in text
    assert "how sure forewarn is that the story has this content, not how intense it is" in text


def test_a_chapter_title_cannot_drive_the_terminal() -> None:
    """Chapter titles come from the story: the summary lines show control codes as escapes."""
    from forewarn.document import Metadata
    from forewarn.profile import parse_avoid
    from forewarn.render.terminal import render_verdict
    from forewarn.verdict import verdict_for
    from tests.sample_report import build_document, report_from

    doc = build_document(
        [("Calm", ["Quiet day."]), ("\x1b[2JStorm", ["He stabbed the man."])],
        Metadata(),
        "storm.txt",
    )
    report = report_from(
        doc, [("violence", "He stabbed", "stabbed", "depicted", 0.9)], ["violence"]
    )
    shown = plain(render_document(report)) + plain(
        render_verdict(verdict_for(report, parse_avoid("violence")))
    )
    assert "\x1b" not in shown and "\\x1b[2JStorm" in shown
