"""Where a warning occurs: every passage's chapter, paragraph and severity, and paragraph ranges.

A ContentWarning lists every passage the detectors found; skipping advice and timelines read
them here in story order.
"""

from __future__ import annotations

from dataclasses import dataclass

from forewarn.place import chapter_name, chapters_phrase, format_ranges, numbered, ranges
from forewarn.report import ContentWarning, DocumentReport, Evidence

# The range helpers live in place.py (place.chapters_as_printed needs them, and place sits below
# this module); they are re-exported here, where skipping advice has always found them.
__all__ = [
    "Location",
    "chapters_phrase",
    "format_ranges",
    "numbered",
    "passage_place",
    "ranges",
    "warning_locations",
]


@dataclass(frozen=True)
class Location:
    """One passage of a warning; ``evidence`` indexes ``warning.evidence`` (None if not listed)."""

    start: int
    end: int
    chapter: int
    paragraph: int
    severity: str
    evidence: int | None = None


def warning_locations(report: DocumentReport, warning: ContentWarning) -> list[Location]:
    """Every passage of ``warning`` in story order (the report lists them all)."""
    del report  # the warning holds every location
    found = {
        (e.start, e.end): Location(e.start, e.end, e.chapter, e.paragraph, e.severity, i)
        for i, e in enumerate(warning.evidence)
    }
    return sorted(found.values(), key=lambda loc: (loc.start, loc.end))


def passage_place(e: Evidence) -> str:
    """``"chapter 3 “The Roof” (41 %), paragraph 12"``: the chapter as the book prints it."""
    if e.place is None:
        where = chapter_name(e.chapter_title, e.chapter)
    else:
        where = f"{e.place.chapter_name} ({e.place.percent} %)"
    return where + (f", paragraph {e.paragraph}" if e.paragraph else "")
