"""What detectors produce: a Finding is one piece of evidence for one category at one span."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """Evidence that ``category`` occurs in ``doc.text[start:end]``.

    ``match_start``/``match_end`` narrow the span to the words that triggered it (for
    highlighting); ``cues`` name what the detector saw (pattern id, dialogue, ...);
    ``judged`` is the passage model's probability for its window (None: not judged).
    """

    category: str
    start: int
    end: int
    score: float
    severity: str
    detector: str
    match_start: int = -1
    match_end: int = -1
    cues: tuple[str, ...] = field(default=())
    judged: float | None = None
