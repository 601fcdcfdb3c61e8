"""``forewarn eval novels``: whole novels scanned as a reader would, scored against the corpus.

The corpus's labelled windows of a split's novels are the known events: a window labelled with
a category (``mentioned`` or stronger) is *located* when the scan of the whole novel reports
that category with evidence within ``NEAR`` characters of it, the measure the held-out novels
are scored by. Listing everything would locate everything, so the scan's *spread* is reported
too: per (novel, located category), the share of the text within ``NEAR`` characters of that
category's evidence. Windows drawn by the model itself (``model-*`` selections) are left out,
so the events are a random and pattern-candidate sample, not the model's own picks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from forewarn.detectors import build_pipeline
from forewarn.learn.corpus import Record
from forewarn.readers.text import document_from_text
from forewarn.scanner import scan_document

#: Evidence this close (in characters) to an event locates it.
NEAR = 1500
#: Severities that make a labelled window an event (an ``implied`` hint is not one).
EVENT_SEVERITIES = ("mentioned", "depicted", "graphic")


@dataclass
class NovelsResult:
    """Per category: (events, located); per novel: warnings reported and spread."""

    mode: str
    events: dict[str, int] = field(default_factory=dict)
    located: dict[str, int] = field(default_factory=dict)
    #: novel -> categories reported.
    reported: dict[str, list[str]] = field(default_factory=dict)
    #: (novel, category) -> share of the text near that category's evidence, for located ones.
    spread: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def located_share(self) -> float:
        """Of all events, the share located."""
        total = sum(self.events.values())
        return sum(self.located.values()) / total if total else 0.0

    @property
    def mean_spread(self) -> float:
        """The mean share of a novel's text near a located category's evidence."""
        return float(np.mean(list(self.spread.values()))) if self.spread else 0.0


def events_by_novel(records: list[Record]) -> dict[str, list[tuple[int, int, str]]]:
    """(start, end, category) of every event window, by novel, from the labelled records."""
    events: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in records:
        if r.origin != "public-domain" or r.selection.startswith("model-"):
            continue
        start = int(r.id.rsplit("-", 1)[1])
        for category, severity in r.labels.items():
            if severity in EVENT_SEVERITIES:
                events[r.work].append((start, start + len(r.text), category))
    return events


def score_novel(
    text_length: int,
    evidence: dict[str, list[tuple[int, int]]],
    events: list[tuple[int, int, str]],
    result: NovelsResult,
    novel: str,
) -> None:
    """Add one novel's events, located events and spread to ``result``."""
    for start, end, category in events:
        result.events[category] = result.events.get(category, 0) + 1
        spans = evidence.get(category, [])
        if any(a - NEAR <= end and start <= b + NEAR for a, b in spans):
            result.located[category] = result.located.get(category, 0) + 1
    for category in {c for _, _, c in events}:
        found = evidence.get(category)
        if not found:
            continue
        covered = np.zeros(text_length + 1, dtype=np.int32)
        for a, b in found:
            covered[max(0, a - NEAR)] += 1
            covered[min(text_length, b + NEAR)] -= 1
        result.spread[(novel, category)] = float((np.cumsum(covered)[:-1] > 0).mean())


def evaluate_novels(texts: Path, records: list[Record], mode: str) -> NovelsResult:
    """Scan every novel with labelled events in ``records`` and score it (see module doc)."""
    result = NovelsResult(mode)
    pipeline = build_pipeline(mode)
    for novel, events in sorted(events_by_novel(records).items()):
        doc = document_from_text((texts / f"{novel}.txt").read_text(encoding="utf-8"), novel)
        report = scan_document(doc, pipeline)
        evidence = {w.id: [(e.start, e.end) for e in w.evidence] for w in report.warnings}
        result.reported[novel] = sorted(evidence)
        score_novel(len(doc.text), evidence, events, result, novel)
    return result


def markdown(results: list[NovelsResult]) -> str:
    """The located share per category and mode, and each mode's spread and warnings."""
    categories = sorted({c for r in results for c in r.events}, key=lambda c: -results[0].events[c])
    head = "| category | events | " + " | ".join(r.mode for r in results) + " |"
    lines = [head, "|" + "---|" * (2 + len(results))]
    for c in categories:
        cells = [f"{r.located.get(c, 0) / r.events[c]:.2f}" for r in results]
        lines.append(f"| {c} | {results[0].events[c]} | " + " | ".join(cells) + " |")
    lines.append(
        "| **all events** | "
        + str(sum(results[0].events.values()))
        + " | "
        + " | ".join(f"**{r.located_share:.2f}**" for r in results)
        + " |"
    )
    lines.append("")
    for r in results:
        lines.append(
            f"- `{r.mode}`: mean spread {r.mean_spread:.2f} (share of a novel's text within "
            f"{NEAR} characters of a located category's evidence)"
        )
        for novel, reported in r.reported.items():
            lines.append(f"  - {novel}: {len(reported)} warnings: {', '.join(reported)}")
    return "\n".join(lines)
