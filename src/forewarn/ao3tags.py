"""AO3 tags for authors: Archive Warnings, canonical additional tags, a rating with reasons, and an
audit of the author's own tags against what forewarn found.

Tags come from the taxonomy (``ao3_tags`` per severity, ``ao3_warning``); ratings and AO3's fixed
vocabulary from data/ao3.toml. Author tags map to categories by the taxonomy's names and AO3
aliases, case-insensitively (exact first, then the longest alias inside the tag).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from forewarn.document import Document
from forewarn.locations import warning_locations
from forewarn.place import chapters_in_brief, chapters_phrase
from forewarn.report import ContentWarning, DocumentReport, Evidence
from forewarn.taxonomy import SEVERITIES, Category, load_taxonomy, severity_rank
from forewarn.verdict import category_label

#: Version of the ``forewarn tags --format json`` output (schema/tags.schema.json).
TAGS_VERSION = "1.0"
#: Evidence quotes listed per found-but-untagged category.
AUDIT_EVIDENCE = 2


@dataclass(frozen=True)
class AO3Vocabulary:
    """data/ao3.toml: ratings, Archive Warnings and the rating rules."""

    ratings: tuple[str, ...]
    not_rated: str
    archive_warnings: tuple[str, ...]
    no_warnings: str
    not_used: str
    negations: frozenset[str]
    default: tuple[str, str]
    rules: tuple[tuple[str, str, str], ...]  # (category, from severity, rating)

    def rating_rank(self, rating: str) -> int:
        return self.ratings.index(rating)


@cache
def load_ao3() -> AO3Vocabulary:
    """The AO3 vocabulary shipped with forewarn."""
    raw = tomllib.loads(resources.files("forewarn").joinpath("data/ao3.toml").read_text())
    return AO3Vocabulary(
        ratings=tuple(raw["ratings"]),
        not_rated=raw["not_rated"],
        archive_warnings=tuple(raw["archive_warnings"]),
        no_warnings=raw["no_warnings"],
        not_used=raw["not_used"],
        negations=frozenset(raw["negations"]),
        default=(raw["default"]["rating"], raw["default"]["from"]),
        rules=tuple((r["category"], r["from"], r["rating"]) for r in raw["rule"]),
    )


def ao3_tag(cat: Category, severity: str) -> str | None:
    """The canonical additional tag for ``cat`` at ``severity``, falling back to lower ones."""
    for sev in reversed(SEVERITIES[: severity_rank(severity) + 1]):
        if sev in cat.ao3_tags:
            return cat.ao3_tags[sev]
    return None


@dataclass
class Suggestion:
    """One suggested tag (or rating) and the warnings behind it."""

    tag: str
    categories: list[str]
    severity: str
    chapters: list[int]
    reasons: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "categories": self.categories,
            "severity": self.severity,
            "chapters": self.chapters,
            "reasons": self.reasons,
        }


def _reason(report: DocumentReport, w: ContentWarning) -> tuple[str, list[int]]:
    chapters = sorted({loc.chapter for loc in warning_locations(report, w)})
    where = chapters_in_brief(report.document, chapters)
    return f"{category_label(w.id, w.severity)} in {where}", chapters


def _add(
    out: dict[str, Suggestion], tag: str, w: ContentWarning, reason: str, chapters: list[int]
) -> None:
    s = out.get(tag)
    if s is None:
        out[tag] = Suggestion(tag, [w.id], w.severity, chapters, [reason])
        return
    s.categories.append(w.id)
    s.severity = max(s.severity, w.severity, key=severity_rank)
    s.chapters = sorted(set(s.chapters) | set(chapters))
    s.reasons.append(reason)


def suggest_archive_warnings(report: DocumentReport) -> list[Suggestion]:
    """AO3 Archive Warnings reached by present warnings, in AO3's order (empty: none apply)."""
    tax, ao3 = load_taxonomy(), load_ao3()
    out: dict[str, Suggestion] = {}
    for w in report.warnings:
        rule = tax[w.id].ao3_warning
        if rule and severity_rank(w.severity) >= severity_rank(rule["from"]):
            _add(out, rule["tag"], w, *_reason(report, w))
    order = {t: i for i, t in enumerate(ao3.archive_warnings)}
    return sorted(out.values(), key=lambda s: order.get(s.tag, len(order)))


def suggest_additional_tags(report: DocumentReport) -> list[Suggestion]:
    """Canonical additional tags for the present warnings, strongest first."""
    tax = load_taxonomy()
    out: dict[str, Suggestion] = {}
    for w in report.warnings:
        tag = ao3_tag(tax[w.id], w.severity)
        if tag:
            _add(out, tag, w, *_reason(report, w))
    return list(out.values())


def suggest_rating(report: DocumentReport) -> Suggestion:
    """The lowest AO3 rating that fits every present warning, with the warnings that set it."""
    tax, ao3 = load_taxonomy(), load_ao3()
    best, reasons, ids = 0, ["no content warnings found"], list[str]()
    default_rating, default_from = ao3.default
    for w in report.warnings:
        reached = (
            [default_rating] if severity_rank(w.severity) >= severity_rank(default_from) else []
        )
        reached += [
            rating
            for category, start, rating in ao3.rules
            if w.id in tax.expand(category) and severity_rank(w.severity) >= severity_rank(start)
        ]
        rank = max((ao3.rating_rank(r) for r in reached), default=0)
        if rank > best:
            best, reasons, ids = rank, [], []
        if rank == best and best > 0:
            reasons.append(category_label(w.id, w.severity))
            ids.append(w.id)
    if best == 0 and report.warnings:
        reasons = ["only " + ", ".join(category_label(w.id, w.severity) for w in report.warnings)]
    severity = max((w.severity for w in report.warnings), key=severity_rank, default="implied")
    return Suggestion(ao3.ratings[best], ids, severity, [], reasons)


# -- the author's tags ---------------------------------------------------------------------------
def _norm(tag: str) -> str:
    return " ".join(tag.lower().split())


@cache
def _labels() -> dict[str, list[str]]:
    """Every lower-cased tag wording the taxonomy knows -> the categories it names."""
    out: dict[str, list[str]] = {}
    for c in load_taxonomy():
        words = [c.name, *c.aliases.get("ao3", []), *c.ao3_tags.values()]
        if c.ao3_warning:
            words.append(c.ao3_warning["tag"])
        for word in words:
            ids = out.setdefault(_norm(word), [])
            if c.id not in ids:
                ids.append(c.id)
    return out


def tag_categories(tag: str) -> list[str]:
    """The categories an author's AO3 tag names (``"School Bullying"`` -> ``["bullying"]``).

    An exact wording wins; otherwise the longest known wording found as whole words inside the
    tag. Tags that deny content ("No Character Death") name nothing.
    """
    key, labels, ao3 = _norm(tag), _labels(), load_ao3()
    if key in (_norm(ao3.no_warnings), _norm(ao3.not_used)):
        return []
    if key in labels:
        return list(labels[key])
    if set(re.findall(r"[\w']+", key)) & ao3.negations:
        return []
    inside = [w for w in labels if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", key)]
    if not inside:
        return []
    longest = max(len(w) for w in inside)
    return list(dict.fromkeys(c for w in inside if len(w) == longest for c in labels[w]))


def _covers(tagged: str, found: str) -> bool:
    """A tag for ``tagged`` covers a finding of ``found``: same branch, either direction."""
    tax = load_taxonomy()
    return found in tax.expand(tagged) or found in tax.ancestors(tagged)


@dataclass
class TagCheck:
    """One of the author's tags, the categories it names, and the warnings that confirm it."""

    tag: str
    categories: list[str]
    found: list[str] = field(default_factory=list)
    chapters: list[int] = field(default_factory=list)
    below_warning_level: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "categories": self.categories,
            "found": self.found,
            "chapters": self.chapters,
            "below_warning_level": self.below_warning_level,
        }


@dataclass
class Untagged:
    """A present warning none of the author's tags covers, with the tag to add and evidence."""

    warning: ContentWarning
    suggested_tag: str | None
    chapters: list[int]
    evidence: list[Evidence]

    def to_dict(self) -> dict[str, Any]:
        w = self.warning
        return {
            "category": w.id,
            "name": w.name,
            "severity": w.severity,
            "suggested_tag": self.suggested_tag,
            "chapters": self.chapters,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass
class Audit:
    """The author's tags against forewarn's findings."""

    confirmed: list[TagCheck]
    untagged: list[Untagged]
    not_found: list[TagCheck]
    not_checked: list[TagCheck]
    other: list[str]
    rating: str | None
    rating_note: str | None
    archive_warnings: list[str]
    missing_archive_warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "confirmed": [t.to_dict() for t in self.confirmed],
            "found_but_untagged": [u.to_dict() for u in self.untagged],
            "tagged_but_not_found": [t.to_dict() for t in self.not_found],
            "not_checked": [t.to_dict() for t in self.not_checked],
            "other_tags": self.other,
            "rating": self.rating,
            "rating_note": self.rating_note,
            "archive_warnings": self.archive_warnings,
            "missing_archive_warnings": self.missing_archive_warnings,
        }


def _rating_note(author: str | None, suggested: str) -> str | None:
    ao3 = load_ao3()
    if not author or author not in ao3.ratings:
        return None
    if ao3.rating_rank(author) < ao3.rating_rank(suggested):
        return f"rated {author}, but the content found suggests {suggested}"
    return None


def audit_tags(report: DocumentReport, suggested_warnings: list[Suggestion]) -> Audit | None:
    """Compare the author's rating, Archive Warnings and additional tags with the findings.

    None when the story carries no author tags (not an AO3 download).
    """
    meta, tax, ao3 = report.document.metadata, load_taxonomy(), load_ao3()
    if not (meta.rating or meta.archive_warnings or meta.additional_tags):
        return None
    checked = {w.id for w in report.candidates} | {w.id for w in report.warnings}
    archive = {_norm(t) for t in ao3.archive_warnings}
    warned = {_norm(s.tag): set(s.categories) for s in suggested_warnings}
    confirmed, not_found, not_checked, other = [], [], [], []
    covered: set[str] = set()
    for tag in dict.fromkeys([*meta.archive_warnings, *meta.additional_tags]):
        categories = tag_categories(tag)
        if not categories:
            if _norm(tag) not in (_norm(ao3.no_warnings), _norm(ao3.not_used)):
                other.append(tag)
            continue
        check = TagCheck(tag, categories)
        for w in report.warnings:
            # An Archive Warning holds only where forewarn suggests it too (a death that is
            # merely mentioned does not confirm "Major Character Death").
            if not any(_covers(c, w.id) for c in categories):
                continue
            if _norm(tag) in archive and w.id not in warned.get(_norm(tag), ()):
                check.below_warning_level.append(category_label(w.id, w.severity))
            else:
                check.found.append(w.id)
                covered.add(w.id)
                check.chapters = sorted(
                    set(check.chapters) | {loc.chapter for loc in warning_locations(report, w)}
                )
        if check.found:
            confirmed.append(check)
        elif any(c in checked for cat in categories for c in tax.expand(cat)):
            not_found.append(check)
        else:
            not_checked.append(check)
    untagged = [
        Untagged(
            w,
            ao3_tag(tax[w.id], w.severity),
            sorted({loc.chapter for loc in warning_locations(report, w)}),
            w.evidence[:AUDIT_EVIDENCE],
        )
        for w in report.warnings
        if w.id not in covered
    ]
    author_warnings = [_norm(t) for t in meta.archive_warnings]
    missing = (
        []
        if _norm(ao3.not_used) in author_warnings
        else [s.tag for s in suggested_warnings if _norm(s.tag) not in author_warnings]
    )
    return Audit(
        confirmed=confirmed,
        untagged=untagged,
        not_found=not_found,
        not_checked=not_checked,
        other=other,
        rating=meta.rating,
        rating_note=_rating_note(meta.rating, suggest_rating(report).tag),
        archive_warnings=list(meta.archive_warnings),
        missing_archive_warnings=missing,
    )


@dataclass(frozen=True)
class AuditNote:
    """One line of the audit in words: ``kind`` (confirmed, untagged, not found, unchecked,
    other, rating, archive warning), what it is about, and why (chapters, never quotes)."""

    kind: str
    subject: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail}


def audit_notes(audit: Audit, doc: Document | None = None) -> list[AuditNote]:
    """The audit as the ``tags`` command words it, spoiler-free (its quotes are left out);
    chapters named as ``doc`` prints them, when given (else by their numbers)."""
    tax = load_taxonomy()

    def where(chapters: list[int]) -> str:
        return chapters_in_brief(doc, chapters) if doc else chapters_phrase(chapters)

    def names(ids: list[str], sep: str = " or ") -> str:
        return sep.join(tax[i].name.lower() for i in ids)

    notes = [
        AuditNote("confirmed", t.tag, f"{names(t.found, ', ')}, {where(t.chapters)}")
        for t in audit.confirmed
    ]
    for u in audit.untagged:
        add = f"; add \u201c{u.suggested_tag}\u201d" if u.suggested_tag else ""
        detail = f"({u.warning.severity}, {where(u.chapters)}){add}"
        notes.append(AuditNote("untagged", u.warning.name, detail))
    for t in audit.not_found:
        why = (
            f"only {', '.join(t.below_warning_level)} found, below warning level"
            if t.below_warning_level
            else f"no {names(t.categories)} found"
        )
        notes.append(AuditNote("not found", t.tag, why))
    notes += [
        AuditNote("unchecked", t.tag, f"forewarn cannot detect {names(t.categories)} yet")
        for t in audit.not_checked
    ]
    if audit.other:
        notes.append(AuditNote("other", ", ".join(audit.other), "not content warnings"))
    if audit.rating_note:
        notes.append(AuditNote("rating", audit.rating or "", audit.rating_note))
    notes += [
        AuditNote("archive warning", tag, "Archive Warning not chosen")
        for tag in audit.missing_archive_warnings
    ]
    return notes


@dataclass
class TagReport:
    """Everything ``forewarn tags`` says about one story."""

    report: DocumentReport
    archive_warnings: list[Suggestion]
    additional_tags: list[Suggestion]
    rating: Suggestion
    audit: Audit | None

    @property
    def archive_warning_tags(self) -> list[str]:
        """The Archive Warnings to choose (``["No Archive Warnings Apply"]`` when none apply)."""
        return [s.tag for s in self.archive_warnings] or [load_ao3().no_warnings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": TAGS_VERSION,
            "source": self.report.source,
            "title": self.report.document.metadata.title,
            "rating": {"tag": self.rating.tag, "reasons": self.rating.reasons},
            "archive_warnings": [s.to_dict() for s in self.archive_warnings],
            "archive_warning_tags": self.archive_warning_tags,
            "additional_tags": [s.to_dict() for s in self.additional_tags],
            "audit": self.audit.to_dict() if self.audit else None,
        }


def suggest_tags(report: DocumentReport) -> TagReport:
    """AO3 Archive Warnings, additional tags, rating and (for AO3 downloads) the tag audit."""
    warnings = suggest_archive_warnings(report)
    return TagReport(
        report=report,
        archive_warnings=warnings,
        additional_tags=suggest_additional_tags(report),
        rating=suggest_rating(report),
        audit=audit_tags(report, warnings),
    )
