"""A reader's verdict: does a story hold what they avoid, where, and which chapters are safe.

Spoiler-free by construction: the verdict names categories, severities, chapters and paragraph
numbers; quotes appear only in ``to_dict(spoilers=True)`` and the ``--spoilers`` renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forewarn.document import Document
from forewarn.locations import Location, warning_locations
from forewarn.place import Place, chapters_as_printed, ordinal, place_at, ranges
from forewarn.profile import AvoidList
from forewarn.report import ContentWarning, DocumentReport, Evidence
from forewarn.taxonomy import load_taxonomy, severity_rank

#: Version of the ``forewarn check --format json`` output (schema/check.schema.json).
CHECK_VERSION = "1.2"
#: Shown with every verdict: finding nothing is not a promise that nothing is there.
CAVEAT = "forewarn can miss things: this is what its detectors found, not a guarantee."


def nothing_found(report: DocumentReport) -> str:
    """What a scan that found nothing may claim: ``"No warning found for the 42 categories
    forewarn checks."``"""
    n = len(report.candidates)
    return f"No warning found for the {n} categor{'y' if n == 1 else 'ies'} forewarn checks."


def category_label(category: str, severity: str) -> str:
    """``"suicide (attempt, depicted)"``: a child named after its parent reads as a qualifier."""
    tax = load_taxonomy()
    cat = tax[category]
    name = cat.name.lower()
    if cat.parent:
        parent = tax[cat.parent].name.lower()
        if name.startswith(parent + " "):
            qualifier = name[len(parent) :].strip(" ()")
            return f"{parent} ({qualifier}, {severity})"
    return f"{name} ({severity})"


@dataclass
class Hit:
    """A warning the avoid-list catches: its passages at or above the reader's threshold."""

    warning: ContentWarning
    rule: str
    threshold: str
    locations: list[Location]

    @property
    def severity(self) -> str:
        return max((loc.severity for loc in self.locations), key=severity_rank)

    @property
    def chapters(self) -> list[int]:
        return sorted({loc.chapter for loc in self.locations})

    @property
    def label(self) -> str:
        return category_label(self.warning.id, self.severity)

    def phrase(self, doc: Document) -> str:
        """``"suicide (attempt, depicted) in chapter 3 “The Roof”"``: each chapter named as its
        skip line names it (as ``doc`` prints it)."""
        return f"{self.label} in {chapters_as_printed(doc, self.chapters)}"

    def evidence(self) -> list[Evidence]:
        """The listed quotes behind this hit (only for --spoilers)."""
        return [
            self.warning.evidence[loc.evidence]
            for loc in self.locations
            if loc.evidence is not None
        ]

    def to_dict(self, spoilers: bool = False, doc: Document | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.warning.id,
            "name": self.warning.name,
            "label": self.label,
            "severity": self.severity,
            "avoided_by": {"category": self.rule, "from": self.threshold},
            "chapters": self.chapters,
            "passages": len(self.locations),
        }
        if doc is not None:
            out["where"] = chapters_as_printed(doc, self.chapters)
        if spoilers:
            out["evidence"] = [e.to_dict() for e in self.evidence()]
        return out


@dataclass
class ChapterSkip:
    """A chapter holding avoided content: the paragraph ranges to skip and what they hold.

    ``places`` holds the place of each range's first paragraph; ``length`` counts the
    chapter's paragraphs (so a range can end "at the chapter's end").
    """

    chapter: int
    title: str | None
    paragraphs: list[tuple[int, int]]
    categories: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    length: int = 0

    @property
    def name(self) -> str:
        """The chapter as the book prints it: ``"Chapter 31"`` or ``"chapter 3 “The Roof”"``."""
        return self.places[0].chapter_name if self.places else f"chapter {self.chapter}"

    def where(self) -> str:
        """``"Chapter 31 (92 %): from the 9th paragraph to the chapter's end"``."""
        head = self.name + (f" ({self.places[0].percent} %)" if self.places else "")
        if not self.paragraphs:
            return head
        spans = [paragraph_range(a, b, self.length) for a, b in self.paragraphs]
        return f"{head}: " + ", ".join(spans)

    def to_dict(self, spoilers: bool = False) -> dict[str, Any]:
        return {
            "chapter": self.chapter,
            "title": self.title,
            "paragraphs": [list(r) for r in self.paragraphs],
            "categories": list(self.categories),
            "where": self.where(),
            "locations": [p.to_dict(spoilers) for p in self.places],
        }


def paragraph_range(first: int, last: int, length: int) -> str:
    """``(9, 12, 12)`` -> ``"from the 9th paragraph to the chapter's end"``; ``(2, 2, 5)`` ->
    ``"the 2nd paragraph"``; ``(1, 5, 5)`` -> ``"the whole chapter"``."""
    if last >= length > 1 and first > 1:
        return f"from the {ordinal(first)} paragraph to the chapter's end"
    if last >= length and first == 1:
        return "the whole chapter"
    if first == last:
        return f"the {ordinal(first)} paragraph"
    return f"the {ordinal(first)} to {ordinal(last)} paragraphs"


@dataclass
class Verdict:
    """The answer for one story: safe, or which avoided content is where."""

    report: DocumentReport
    avoid: AvoidList
    hits: list[Hit]

    @property
    def checked(self) -> bool:
        """False when the detectors could not run (e.g. an unsupported language)."""
        return self.report.document.language_supported

    @property
    def safe(self) -> bool:
        return self.checked and not self.hits

    @property
    def not_assessed(self) -> list[str]:
        """Categories the avoid-list reaches that the detectors did not check."""
        checked = {w.id for w in self.report.candidates}
        return sorted(set(self.avoid.thresholds()) - checked)

    def summary(self) -> str:
        """``"no warning found for suicide (any)"``, ``"contains: suicide (attempt, depicted) in
        chapter 3; …"`` or ``"not checked: …"`` (never a bare "safe")."""
        if not self.checked:
            reason = "; ".join(self.report.document.notices) or "the detectors could not run"
            return f"not checked: {reason}"
        if self.safe:
            return f"no warning found for {self.avoid.describe()}"
        doc = self.report.document
        return "contains: " + "; ".join(h.phrase(doc) for h in self.hits)

    def skips(self) -> list[ChapterSkip]:
        """Flagged chapters in reading order, each with the paragraph ranges to skip."""
        by_chapter: dict[int, tuple[list[int], list[str]]] = {}
        for hit in self.hits:
            for loc in hit.locations:
                paragraphs, cats = by_chapter.setdefault(loc.chapter, ([], []))
                if loc.paragraph:
                    paragraphs.append(loc.paragraph)
                if hit.warning.id not in cats:
                    cats.append(hit.warning.id)
        doc = self.report.document
        starts = {(p.chapter, p.number): p.start for p in doc.paragraphs}
        lengths: dict[int, int] = {}
        for p in doc.paragraphs:
            lengths[p.chapter] = max(lengths.get(p.chapter, 0), p.number)
        chapters = {c.number: c for c in doc.chapters}
        skips = []
        for n, (numbers, cats) in sorted(by_chapter.items()):
            spans = ranges(numbers)
            offsets = [starts.get((n, a), chapters[n].start) for a, _ in spans]
            places = [place_at(doc, o) for o in offsets or [chapters[n].start]]
            skips.append(ChapterSkip(n, chapters[n].title, spans, cats, places, lengths.get(n, 0)))
        return skips

    def safe_chapters(self) -> list[int]:
        """Chapters free of everything on the avoid-list."""
        flagged = {loc.chapter for hit in self.hits for loc in hit.locations}
        return [c.number for c in self.report.document.chapters if c.number not in flagged]

    def to_dict(self, spoilers: bool = False) -> dict[str, Any]:
        meta = self.report.document.metadata
        safe = self.safe_chapters()
        return {
            "source": self.report.source,
            "title": meta.title,
            "safe": self.safe,
            "checked": self.checked,
            "summary": self.summary(),
            "caveat": CAVEAT,
            "not_assessed": self.not_assessed,
            "chapters": len(self.report.document.chapters),
            "hits": [h.to_dict(spoilers, self.report.document) for h in self.hits],
            "skip": [s.to_dict(spoilers) for s in self.skips()],
            "safe_chapters": safe,
            "safe_where": chapters_as_printed(self.report.document, safe) if safe else "",
        }


def verdict_for(report: DocumentReport, avoid: AvoidList) -> Verdict:
    """The verdict on one scanned story for a reader who avoids ``avoid`` (parents cover their
    children). ("Judge" means only the passage model's judgement of a window.)"""
    thresholds = avoid.thresholds()
    hits: list[Hit] = []
    for warning in report.warnings:
        if warning.id not in thresholds:
            continue
        threshold, rule = thresholds[warning.id]
        locations = [
            loc
            for loc in warning_locations(report, warning)
            if severity_rank(loc.severity) >= severity_rank(threshold)
        ]
        if locations:
            hits.append(Hit(warning, rule, threshold, locations))
    return Verdict(report, avoid, hits)


def check_to_dict(
    avoid: AvoidList, verdicts: list[Verdict], spoilers: bool = False
) -> dict[str, Any]:
    """The ``forewarn check --format json`` document: the avoid-list and one verdict per story."""
    return {
        "version": CHECK_VERSION,
        "avoid": avoid.to_dict(),
        "verdicts": [v.to_dict(spoilers) for v in verdicts],
    }
