"""Corrections that stick: a reader dismisses a passage or a whole category for one work.

Kept in ``$XDG_CONFIG_HOME/forewarn/overrides.toml`` and keyed by the SHA-256 of the work's
bytes, so a correction follows the book, not its file name. Overrides are applied after
scanning, to fresh and to cached or journalled results alike: changing one needs no rescan.
A passage is named by its chapter (counted in reading order, as the JSON's ``chapter``) and
its paragraph within that chapter.

A work with a home on the web (an AO3 download names its work's URL) is also known by that
address, so a correction made on the downloaded file also holds where the same work arrives
with no file at all: the browser extension sends the AO3 page the reader has open.
"""

from __future__ import annotations

import json
import re
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
    #: The work's web address (an AO3 work's), when its file names one.
    url: str | None = None

    def dismisses(self, category: str, chapter: int, paragraph: int) -> bool:
        """Whether a passage of ``category`` at chapter/paragraph is dismissed."""
        return category in self.categories or (category, chapter, paragraph) in self.passages

    def __bool__(self) -> bool:
        return bool(self.categories or self.passages)


@dataclass
class Overrides:
    """Every work's overrides, by the SHA-256 of its bytes."""

    works: dict[str, WorkOverride] = field(default_factory=dict)

    def for_work(self, sha256: str | None, url: str | None = None) -> WorkOverride | None:
        """The dismissals for the work with these bytes; for a work sent without a file (the
        browser extension's AO3 page), those recorded for its address."""
        if sha256:
            return self.works.get(sha256)
        key = work_address(url)
        found = [w for w in self.works.values() if key and work_address(w.url) == key]
        if len(found) <= 1:
            return found[0] if found else None
        return WorkOverride(  # its HTML and EPUB downloads, both corrected
            title=found[0].title,
            categories=set().union(*(w.categories for w in found)),
            passages=set().union(*(w.passages for w in found)),
            url=found[0].url,
        )


_AO3_WORK = re.compile(r"^https?://(?:www\.)?archiveofourown\.org/works/(\d+)", re.IGNORECASE)


def work_address(url: str | None) -> str | None:
    """What identifies a work on the web: ``ao3:48151623`` for any page of an AO3 work, else
    the address without scheme, query or fragment; None without one."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    if m := _AO3_WORK.match(url):
        return f"ao3:{m.group(1)}"
    return url.split("://", 1)[1].split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()


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
                url=entry.get("url"),
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
        if work.url:
            lines.append(f"url = {json.dumps(work.url)}")
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
    url: str | None = None,
) -> str:
    """Dismiss ``category`` in a work (or only at ``where`` = (chapter, paragraph)); its id.
    ``url``: the work's web address, so the dismissal also holds for the work sent from there."""
    overrides = load_overrides(path)
    cid = resolve_category(category)
    work = overrides.works.setdefault(sha256, WorkOverride())
    work.title = work.title or title
    work.url = work.url or (url if work_address(url) else None)
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
    work = overrides.for_work(report.document.sha256, report.document.metadata.url)
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
