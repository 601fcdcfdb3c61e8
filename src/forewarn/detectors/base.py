"""The detector interface and the pipeline that runs detectors in order, spaCy-style."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from forewarn.detectors.model import PATTERN_DECIDED, ModelDetector
from forewarn.detectors.patterns import PatternDetector, load_lexicons
from forewarn.document import Document
from forewarn.findings import Finding
from forewarn.modes import check_mode
from forewarn.taxonomy import load_taxonomy

#: Told ``(stage, done, total)`` before each detector runs and ``("", total, total)`` at the end.
StageCallback = Callable[[str, int, int], None]


@runtime_checkable
class Detector(Protocol):
    """A pipeline component: reads ``doc`` (and the findings of earlier components).

    It returns the new findings it adds and changes nothing else.
    """

    name: str

    def categories(self) -> list[str]:
        """The taxonomy ids this detector can report."""
        ...

    def __call__(self, doc: Document) -> list[Finding]: ...


class Pipeline:
    """An ordered list of named detectors; calling it annotates a document in place."""

    def __init__(self, detectors: list[Detector], mode: str = "default") -> None:
        self.detectors = detectors
        self.mode = mode

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.detectors]

    def categories(self) -> list[str]:
        """Every category some detector covers, in taxonomy order."""
        covered = {c for d in self.detectors for c in d.categories()}
        return [cid for cid in load_taxonomy().ids() if cid in covered]

    def __call__(self, doc: Document, progress: StageCallback | None = None) -> Document:
        """Run every detector over ``doc`` in order, adding their findings to it."""
        if not doc.language_supported:
            return doc
        total = len(self.detectors)
        for done, detector in enumerate(self.detectors):
            if doc.deadline is not None:
                doc.deadline.check()
            if progress is not None:
                progress(detector.name, done, total)
            doc.findings.extend(detector(doc))
        if progress is not None:
            progress("", total, total)
        return doc


def _patterns(mode: str) -> Detector | None:
    """The pattern detector for the categories whose words are the content (none, now)."""
    words = tuple(x for x in load_lexicons() if x.category in PATTERN_DECIDED)
    return PatternDetector(words) if words else None


#: The detectors by name, in pipeline order: each factory makes its detector for a mode (None:
#: nothing to detect in it).
DETECTORS: dict[str, Callable[[str], Detector | None]] = {
    "patterns": _patterns,
    "model": ModelDetector,
}


def build_pipeline(mode: str = "default") -> Pipeline:
    """The detectors for ``mode``: patterns for the categories whose words are the content
    (strong language), then the passage model for every other category (``fast``: its static
    gate decides; ``default``: MiniLM judges the windows the gate lets through; ``thorough``:
    MiniLM judges every window)."""
    check_mode(mode)
    made = (factory(mode) for factory in DETECTORS.values())
    return Pipeline([d for d in made if d is not None], mode=mode)
