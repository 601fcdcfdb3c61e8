"""From findings to a report: evidence merged per sentence, scored, located, and made JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from forewarn.chapter_numbers import title_number
from forewarn.document import Document
from forewarn.findings import Finding
from forewarn.place import Place, chapter_name, place_at
from forewarn.taxonomy import load_taxonomy, severity_rank

SCHEMA_VERSION = "1.0"
#: JSON pieces ``json_text`` joins at once: ``json.dumps`` with an indent lists every piece of
#: the text before joining them (a 4 MB report: half a million strings, its render's peak).
JSON_PIECES = 4096
#: A category is reported present when its combined score reaches this.
PRESENT_THRESHOLD = 0.5
#: What the score means, in words a reader can use (every report that shows a score says it).
SCORE_HELP = (
    "“How sure” is forewarn’s score from 0 to 1: how sure forewarn is that the story has this "
    "content, not how intense it is."
)


@dataclass
class Evidence:
    """One quoted span: ``quote == document.text[start:end]``; chapter/paragraph count from 1."""

    start: int
    end: int
    quote: str
    chapter: int
    paragraph: int
    score: float
    severity: str
    match_start: int
    match_end: int
    chapter_title: str | None = None
    cues: list[str] = field(default_factory=list)
    #: The model judge's probability for this passage (None: not judged); orders ties.
    judged: float | None = None
    #: Where a reader finds it (chapter as printed, percentage, first words, EPUB position).
    place: Place | None = None

    def to_dict(self) -> dict[str, Any]:
        location = {"location": self.place.to_dict()} if self.place else {}
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "chapter": self.chapter,
            "chapter_title": self.chapter_title,
            "paragraph": self.paragraph,
            "score": round(self.score, 6),
            "severity": self.severity,
            "highlight": [self.match_start, self.match_end],
            "cues": self.cues,
            **location,
        }


@dataclass
class ContentWarning:
    """One category found in a document, with its combined score, severity and evidence (an
    entry of the JSON's ``warnings``; not ``Warning``, which would shadow the builtin)."""

    id: str
    name: str
    score: float
    present: bool
    severity: str
    evidence: list[Evidence]
    evidence_total: int = 0
    parent: str | None = None

    @property
    def chapters(self) -> list[int]:
        return sorted({e.chapter for e in self.evidence})

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "parent": self.parent,
            "score": round(self.score, 6),
            "present": self.present,
            "severity": self.severity,
            "evidence_total": self.evidence_total,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class DocumentReport:
    """The scan of one document."""

    source: str
    document: Document
    warnings: list[ContentWarning]
    candidates: list[ContentWarning]

    def to_dict(self) -> dict[str, Any]:
        doc = self.document
        return {
            "source": self.source,
            "metadata": doc.metadata.to_dict(),
            "word_count": doc.word_count,
            "characters": len(doc.text),
            "notices": list(doc.notices),
            "chapters": [
                {
                    "number": c.number,
                    "title": c.title,
                    "name": chapter_name(c.title, title_number(c.title) or c.number),
                    "start": c.start,
                    "end": c.end,
                }
                for c in doc.chapters
            ],
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def warning(self, category: str) -> ContentWarning | None:
        return next((w for w in self.warnings if w.id == category), None)

    @property
    def title(self) -> str:
        """The work's title for a heading: its metadata's, else its file name as words."""
        return work_title(self.document.metadata.title, self.source)


#: Sources that name no file: pasted text and standard input.
UNNAMED_SOURCES = frozenset({"", "-", "<text>", "<stdin>"})


def work_title(title: str | None, source: str) -> str:
    """``title`` if the work has one, else one made from the file name, never the path:
    ``"../texts/a_tale_of_two_cities.txt"`` -> ``"A tale of two cities"``."""
    if title and title.strip():
        return title.strip()
    name = re.split(r"[\\/]", source.rstrip("/\\"))[-1]
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.isalnum() and len(ext) <= 5:
        name = stem
    if source in UNNAMED_SOURCES or not name.strip():
        return "Untitled story"
    words = " ".join(re.split(r"[_\s]+", name) if " " in name else re.split(r"[_\s-]+", name))
    words = words.strip() or name
    return words[0].upper() + words[1:]


@dataclass
class Report:
    """What ``forewarn.scan*`` returns: one DocumentReport per story scanned."""

    documents: list[DocumentReport]
    mode: str = "default"
    detectors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "taxonomy_version": load_taxonomy().version,
            "mode": self.mode,
            "detectors": self.detectors,
            "documents": [d.to_dict() for d in self.documents],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (``json_text``)."""
        return json_text(self.to_dict(), indent)

    # Convenience for single-document reports (the common case in the Python API).
    @property
    def warnings(self) -> list[ContentWarning]:
        return [w for d in self.documents for w in d.warnings]

    def warning(self, category: str) -> ContentWarning | None:
        return next((w for w in self.warnings if w.id == category), None)


def at_least(report: DocumentReport, severity: str) -> DocumentReport:
    """``report`` keeping only the warnings of ``severity`` or worse."""
    floor = severity_rank(severity)
    kept = [w for w in report.warnings if severity_rank(w.severity) >= floor]
    return DocumentReport(report.source, report.document, kept, report.candidates)


def aggregate(
    doc: Document, categories: list[str] | None = None
) -> tuple[list[ContentWarning], list[ContentWarning]]:
    """Combine ``doc.findings`` into warnings: (present ones, ranked; all scored categories).

    Findings on the same sentence merge (strongest score, highest severity); a category's
    score is the noisy-OR of its merged evidence, so repeated independent evidence adds up.
    """
    by_category: dict[str, dict[tuple[int, int], list[Finding]]] = {}
    for f in doc.findings:
        by_category.setdefault(f.category, {}).setdefault((f.start, f.end), []).append(f)
    scored: list[ContentWarning] = []
    for category in categories or list(by_category):
        spans = by_category.get(category, {})
        evidence = [_merge(doc, group) for group in spans.values()]
        # Every location, the surest first (then the most severe, then the earliest):
        # renderers decide how many to show.
        evidence.sort(key=lambda e: (-round(e.score, 6), -severity_rank(e.severity), e.start))
        scored.append(make_warning(category, evidence))
    return rank(scored), scored


def combined_score(scores: list[float]) -> float:
    """The noisy-OR of independent pieces of evidence."""
    miss = 1.0
    for score in scores:
        miss *= 1.0 - score
    return 1.0 - miss


def make_warning(category: str, evidence: list[Evidence]) -> ContentWarning:
    """A category's warning from its evidence (surest first): combined score and severity."""
    cat = load_taxonomy()[category]
    score = combined_score([e.score for e in evidence])
    return ContentWarning(
        id=category,
        name=cat.name,
        score=score,
        present=bool(evidence) and score >= PRESENT_THRESHOLD,
        severity=max((e.severity for e in evidence), key=severity_rank, default="implied"),
        evidence=evidence,
        evidence_total=len(evidence),
        parent=cat.parent,
    )


def rank(warnings: list[ContentWarning]) -> list[ContentWarning]:
    """The present warnings, most severe first, then the surest."""
    present = [w for w in warnings if w.present]
    return sorted(present, key=lambda w: (-severity_rank(w.severity), -round(w.score, 6), w.id))


def _merge(doc: Document, group: list[Finding]) -> Evidence:
    best = max(group, key=lambda f: (f.score, severity_rank(f.severity)))
    severity = max((f.severity for f in group), key=severity_rank)
    chapter = doc.chapter_at(best.start)
    paragraph = doc.paragraph_at(best.start)
    cues = sorted({c for f in group for c in f.cues})
    judged = [f.judged for f in group if f.judged is not None]
    return Evidence(
        start=best.start,
        end=best.end,
        quote=doc.text[best.start : best.end],
        chapter=chapter.number,
        chapter_title=chapter.title,
        paragraph=paragraph.number if paragraph else 0,
        score=best.score,
        severity=severity,
        match_start=best.match_start,
        match_end=best.match_end,
        cues=cues,
        judged=max(judged) if judged else None,
        place=place_at(doc, best.start),
    )


def json_text(data: Any, indent: int | None = 2) -> str:
    """``json.dumps(data, indent=indent, ensure_ascii=False)``, its pieces joined
    ``JSON_PIECES`` at a time instead of all listed first (without an indent, json.dumps's
    C encoder makes the text at once)."""
    if indent is None:
        return json.dumps(data, ensure_ascii=False)
    pieces = json.JSONEncoder(indent=indent, ensure_ascii=False).iterencode(data)
    joined = []
    while batch := list(islice(pieces, JSON_PIECES)):
        joined.append("".join(batch))
    return "".join(joined)
