"""The timeline of a story: chapters along x, one row per warning, a mark per passage.

This is the drawing-independent model; render/svg.py, the terminal and plot.py draw it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forewarn.locations import warning_locations
from forewarn.place import chapter_named
from forewarn.report import ContentWarning, DocumentReport


@dataclass(frozen=True)
class Mark:
    """One passage at ``x`` (0 = start of the story, 1 = end); ``anchor`` links to its quote."""

    x: float
    chapter: int
    paragraph: int
    severity: str
    anchor: str | None = None
    #: The chapter as the book prints it ("CHAPTER II — THE STORM", "chapter 3 “The Roof”").
    chapter_name: str = ""


@dataclass
class Row:
    """One warning's passages."""

    id: str
    name: str
    severity: str
    marks: list[Mark]


@dataclass(frozen=True)
class Band:
    """One chapter's stretch of the x-axis, ``[x0, x1)``."""

    number: int
    title: str | None
    x0: float
    x1: float
    #: The chapter as the book prints it, as its passages' places name it.
    name: str = ""


@dataclass
class Timeline:
    """Chapter bands and warning rows of one story."""

    title: str
    bands: list[Band]
    rows: list[Row]


def build_timeline(
    report: DocumentReport, anchor: Callable[[ContentWarning, int], str] | None = None
) -> Timeline:
    """Every chapter gets an equal share of the x-axis; a passage sits at its offset within it.

    ``anchor(warning, i)`` names the link target of ``warning.evidence[i]`` (passages not in
    the evidence list get no link).
    """
    doc = report.document
    n = len(doc.chapters)
    bands = [
        Band(c.number, c.title, i / n, (i + 1) / n, chapter_named(doc, c.number))
        for i, c in enumerate(doc.chapters)
    ]
    by_number = {c.number: (i, c) for i, c in enumerate(doc.chapters)}
    rows = []
    for w in report.warnings:
        marks = []
        for loc in warning_locations(report, w):
            i, chapter = by_number[loc.chapter]
            within = (loc.start - chapter.start) / max(1, chapter.end - chapter.start)
            x = (i + min(max(within, 0.0), 1.0)) / n
            link = anchor(w, loc.evidence) if anchor and loc.evidence is not None else None
            name = bands[i].name
            marks.append(Mark(x, loc.chapter, loc.paragraph, loc.severity, link, name))
        rows.append(Row(w.id, w.name, w.severity, marks))
    return Timeline(report.title, bands, rows)
