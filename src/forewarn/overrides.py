"""Corrections that stick: a reader dismisses a passage or a whole category for one work.

Kept in ``$XDG_CONFIG_HOME/forewarn/overrides.toml`` and keyed by the SHA-256 of the work's
bytes, so a correction follows the book, not its file name. Overrides are applied after
scanning, to fresh and to cached or journalled results alike: changing one needs no rescan.
A passage is named by its chapter (counted in reading order, as the JSON's ``chapter``) and
its paragraph within that chapter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from forewarn.profile import (
    ProfileError,
    config_dir,
    read_toml,
    resolve_category,
    write_atomically,
)
from forewarn.report import (
    PRESENT_THRESHOLD,
    DocumentReport,
    Evidence,
    combined_score,
    make_warning,
    rank,
)
from forewarn.taxonomy import severity_rank

HEADER = """\
# forewarn overrides: warnings you dismissed, per work (keyed by the SHA-256 of its file).
# Managed by `forewarn dismiss` and `forewarn overrides`; editing by hand is fine.
#   categories = ["death"]                                   dismiss a category in this work
#   passages = [{category = "death", chapter = 2, paragraph = 5}]   dismiss one paragraph's
"""

#: (category, chapter, paragraph): one dismissed passage.
Passage = tuple[str, int, int]


@dataclass
class WorkOverride:
    """What a reader dismissed in one work."""

    title: str | None = None
    categories: set[str] = field(default_factory=set)
    passages: set[Passage] = field(default_factory=set)

    def dismisses(self, category: str, chapter: int, paragraph: int) -> bool:
        """Whether a passage of ``category`` at chapter/paragraph is dismissed."""
        return category in self.categories or (category, chapter, paragraph) in self.passages

    def __bool__(self) -> bool:
        return bool(self.categories or self.passages)


@dataclass
class Overrides:
    """Every work's overrides, by the SHA-256 of its bytes."""

    works: dict[str, WorkOverride] = field(default_factory=dict)

    def for_work(self, sha256: str | None) -> WorkOverride | None:
        return self.works.get(sha256) if sha256 else None


def overrides_path() -> Path:
    """Where the overrides live: $XDG_CONFIG_HOME/forewarn/overrides.toml."""
    return config_dir() / "overrides.toml"


def load_overrides(path: Path | None = None) -> Overrides:
    """The overrides saved at ``path`` (default: overrides_path()); empty if there are none."""
    path = path or overrides_path()
    raw = read_toml(path, "overrides")
    works = {}
    try:
        for sha, entry in raw.get("works", {}).items():
            works[sha] = WorkOverride(
                title=entry.get("title"),
                categories={resolve_category(c) for c in entry.get("categories", [])},
                passages={
                    (resolve_category(p["category"]), int(p["chapter"]), int(p["paragraph"]))
                    for p in entry.get("passages", [])
                },
            )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"{path}: malformed override ({exc})") from None
    return Overrides(works)


def dump_overrides(overrides: Overrides) -> str:
    """The TOML text of ``overrides`` (strings JSON-quoted, which TOML reads alike)."""
    lines = [HEADER]
    for sha, work in sorted(overrides.works.items()):
        if not work:
            continue
        lines.append(f"[works.{sha}]")
        if work.title:
            lines.append(f"title = {json.dumps(work.title)}")
        lines.append(f"categories = {json.dumps(sorted(work.categories))}")
        passages = ", ".join(
            f'{{category = "{c}", chapter = {ch}, paragraph = {p}}}'
            for c, ch, p in sorted(work.passages)
        )
        lines += [f"passages = [{passages}]", ""]
    return "\n".join(lines)


def save_overrides(overrides: Overrides, path: Path | None = None) -> Path:
    """Write ``overrides`` atomically to ``path`` (default: overrides_path())."""
    return write_atomically(path or overrides_path(), dump_overrides(overrides))


def dismiss(
    sha256: str,
    category: str,
    where: tuple[int, int] | None = None,
    title: str | None = None,
    path: Path | None = None,
) -> str:
    """Dismiss ``category`` in a work (or only at ``where`` = (chapter, paragraph)); its id."""
    overrides = load_overrides(path)
    cid = resolve_category(category)
    work = overrides.works.setdefault(sha256, WorkOverride())
    work.title = work.title or title
    if where is None:
        work.categories.add(cid)
    else:
        work.passages.add((cid, *where))
    save_overrides(overrides, path)
    return cid


def restore(sha256: str, category: str | None = None, path: Path | None = None) -> int:
    """Undo dismissals in a work (of ``category`` only, if given); how many were undone."""
    overrides = load_overrides(path)
    work = overrides.works.get(sha256)
    if work is None:
        return 0
    cid = resolve_category(category) if category else None
    before = len(work.categories) + len(work.passages)
    work.categories = {c for c in work.categories if cid and c != cid}
    work.passages = {p for p in work.passages if cid and p[0] != cid}
    save_overrides(overrides, path)
    return before - len(work.categories) - len(work.passages)


def apply_overrides(report: DocumentReport, overrides: Overrides | None = None) -> DocumentReport:
    """``report`` without what the reader dismissed for its work (scores recombined)."""
    overrides = overrides if overrides is not None else load_overrides()
    work = overrides.for_work(report.document.sha256)
    if not work:
        return report

    def kept(category: str, evidence: list[Evidence]) -> list[Evidence]:
        return [e for e in evidence if not work.dismisses(category, e.chapter, e.paragraph)]

    candidates = [make_warning(w.id, kept(w.id, w.evidence)) for w in report.candidates]
    return replace(report, warnings=rank(candidates), candidates=candidates)


def apply_to_report_dict(
    report: dict[str, Any], sha256: str | None, overrides: Overrides
) -> dict[str, Any]:
    """A report in JSON form (a batch record's) without what was dismissed for its work."""
    work = overrides.for_work(sha256)
    if not work:
        return report
    documents = []
    for doc in report.get("documents", []):
        warnings = []
        for w in doc["warnings"]:
            evidence = [
                e
                for e in w["evidence"]
                if not work.dismisses(w["id"], e["chapter"], e["paragraph"])
            ]
            score = combined_score([e["score"] for e in evidence])
            if evidence and score >= PRESENT_THRESHOLD:
                severity = max((e["severity"] for e in evidence), key=severity_rank)
                warnings.append(
                    {
                        **w,
                        "evidence": evidence,
                        "evidence_total": len(evidence),
                        "score": round(score, 6),
                        "severity": severity,
                    }
                )
        documents.append({**doc, "warnings": warnings})
    return {**report, "documents": documents}


def apply_to_record(record: dict[str, Any], overrides: Overrides) -> dict[str, Any]:
    """A batch record whose report leaves out what was dismissed for its work."""
    if record.get("report") is None:
        return record
    return {**record, "report": apply_to_report_dict(record["report"], record["sha256"], overrides)}
