"""Where a warning occurs: every passage's chapter, paragraph and severity, and paragraph ranges.

A Warning lists every passage the detectors found; skipping advice and timelines read them here
in story order.
"""

from __future__ import annotations

from dataclasses import dataclass

from forewarn.place import chapter_name
from forewarn.report import DocumentReport, Evidence, Warning


@dataclass(frozen=True)
class Location:
    """One passage of a warning; ``evidence`` indexes ``warning.evidence`` (None if not listed)."""

    start: int
    end: int
    chapter: int
    paragraph: int
    severity: str
    evidence: int | None = None


def warning_locations(report: DocumentReport, warning: Warning) -> list[Location]:
    """Every passage of ``warning`` in story order (the report lists them all)."""
    del report  # the warning holds every location
    found = {
        (e.start, e.end): Location(e.start, e.end, e.chapter, e.paragraph, e.severity, i)
        for i, e in enumerate(warning.evidence)
    }
    return sorted(found.values(), key=lambda loc: (loc.start, loc.end))


def ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """``[1, 2, 3, 7, 9, 10]`` -> ``[(1, 3), (7, 7), (9, 10)]`` (sorted, duplicates merged)."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def format_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1–3, 7"``."""
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges(numbers))


def numbered(word: str, numbers: list[int]) -> str:
    """``("paragraph", [3])`` -> ``"paragraph 3"``; ``[1, 2, 5]`` -> ``"paragraphs 1–2, 5"``."""
    unique = sorted(set(numbers))
    return f"{word}{'' if len(unique) == 1 else 's'} {format_ranges(unique)}"


def chapters_phrase(numbers: list[int]) -> str:
    """``[3]`` -> ``"chapter 3"``; ``[1, 2, 5]`` -> ``"chapters 1–2, 5"``."""
    return numbered("chapter", numbers)


def passage_place(e: Evidence) -> str:
    """``"chapter 3 “The Roof” (41 %), paragraph 12"``: the chapter as the book prints it."""
    if e.place is None:
        where = chapter_name(e.chapter_title, e.chapter)
    else:
        where = f"{e.place.chapter_name} ({e.place.percent} %)"
    return where + (f", paragraph {e.paragraph}" if e.paragraph else "")
