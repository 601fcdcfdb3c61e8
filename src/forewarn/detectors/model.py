"""The passage-model detector: a trained classifier decides every warning it covers.

Every sentence window of the story (``detectors.windows``) gets the static gate's probability
for each category, from its model2vec embedding and the pattern matches inside it. ``fast``
lets the gate decide; ``default`` sends only the windows the gate lets through (its cut-offs
are set for recall) to the MiniLM judge; ``thorough`` judges every window. Patterns are one
feature among the embedding's dimensions: they no longer decide.

Above the window, the detector decides whether the *story* holds a category: a window is
evidence when its probability reaches the category's cut-off (calibrated on the corpus's dev
split); the category is reported when the evidence is more than chance in a text this long
(the number of evidence windows is unlikely under the mode's false-alarm rate on ordinary
windows, ``PassageModel.rate``), or when one window is as sure as ``SURE``. A suicide attempt
followed closely by a death is a completed suicide. Each evidence window yields its centre
sentence, with the calibrated probability rescaled so that the cut-off maps to 0.5.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from functools import cache
from pathlib import Path

import numpy as np

from forewarn.detectors.patterns import PatternDetector
from forewarn.detectors.windows import Window, pattern_features, pool_sentences, sentence_windows
from forewarn.detectors.windows import window_texts
from forewarn.document import Document
from forewarn.findings import Finding
from forewarn.models.artifacts import models_dir
from forewarn.models.passage import PassageModel
from forewarn.taxonomy import SEVERITIES

#: Categories whose words are the content: the patterns decide them, not the model.
PATTERN_DECIDED = ("strong-language",)
#: A category is reported when this few of the text's evidence windows would be chance.
CHANCE = 0.01
#: A window this much surer than the cut-off (rescaled score) is reported on its own.
SURE = 0.9
#: Windows after an attempt in which a death makes it a completed suicide.
ATTEMPT_TO_DEATH = 4


def feature_patterns() -> PatternDetector:
    """The pattern lexicons the model reads as features (not the pattern-decided ones)."""
    detector = PatternDetector()
    detector.lexicons = tuple(x for x in detector.lexicons if x.category not in PATTERN_DECIDED)
    return detector


def model_path() -> Path:
    """Where the shipped passage model lives."""
    return models_dir() / "passage.npz"


@cache
def shipped_model() -> PassageModel:
    """The shipped passage model, read once per process."""
    return PassageModel.load(model_path())


class ModelDetector:
    """Decides, per category, whether the story holds it and which windows show it."""

    name = "model"

    def __init__(
        self,
        mode: str = "default",
        model: PassageModel | None = None,
        cache: MutableMapping[str, np.ndarray] | None = None,
    ) -> None:
        self.mode = mode
        self.model = model or shipped_model()
        self.cache = cache
        self.patterns = feature_patterns()

    def categories(self) -> list[str]:
        """The categories this detector decides (all but the pattern-decided ones)."""
        return [c for c in self.model.categories if c not in PATTERN_DECIDED]

    def __call__(self, doc: Document) -> list[Finding]:
        windows = sentence_windows(doc)
        if not windows:
            return []
        proba, severity = self.window_proba(doc, windows)
        return self.decide(doc, windows, proba, severity)

    def window_proba(self, doc: Document, windows: list[Window]) -> tuple[np.ndarray, np.ndarray]:
        """Each window's probability per category (unjudged windows: 0) and severity index."""
        from forewarn.models import StaticEmbedder
        from forewarn.models.encoder import encode_cached

        model = self.model
        feats = pattern_features(doc, windows, self.patterns(doc), model.categories)
        sentences = [doc.text[s.start : s.end] for s in doc.sentences]
        static = pool_sentences(StaticEmbedder.load().encode(sentences), windows)
        gate = model.gate(static, feats)
        if self.mode == "fast":
            return gate, np.full(gate.shape, SEVERITIES.index("mentioned"))
        if self.mode == "thorough":
            rows = np.arange(len(windows))
        else:
            rows = np.nonzero((gate >= model.gate_cut).any(axis=1))[0]
        proba = np.zeros_like(gate)
        severity = np.full(gate.shape, SEVERITIES.index("mentioned"))
        if len(rows):
            if doc.deadline is not None:
                doc.deadline.check()
            texts = window_texts(doc, [windows[i] for i in rows])
            embeddings = encode_cached(texts, self.cache)
            proba[rows] = model.judge(embeddings, feats[rows])
            severity[rows] = model.severity(embeddings)
        return proba, severity

    def decide(
        self, doc: Document, windows: list[Window], proba: np.ndarray, severity: np.ndarray
    ) -> list[Finding]:
        """Findings for the categories the story holds: every window at or above the cut."""
        model, sentences = self.model, doc.sentences
        cuts, rates = model.cuts(self.mode), model.rate(self.mode)
        score = _rescale(proba, cuts)
        column = {c: j for j, c in enumerate(model.categories)}
        held: dict[str, np.ndarray] = {}
        for j, category in enumerate(model.categories):
            if category in PATTERN_DECIDED:
                continue
            above = np.nonzero(proba[:, j] >= cuts[j])[0]
            if len(above) and _beyond_chance(len(above), len(windows), float(rates[j])):
                held[category] = above
            elif len(above) and float(score[above, j].max()) >= SURE:
                held[category] = above[score[above, j] >= SURE]
        _complete_suicides(held, proba, cuts, column, windows)
        findings = []
        for category, rows in held.items():
            j = column[category]
            for i in rows:
                s = sentences[windows[i].centre]
                findings.append(
                    Finding(
                        category=category,
                        start=s.start,
                        end=s.end,
                        score=float(score[i, j]),
                        severity=SEVERITIES[int(severity[i, j])],
                        detector=self.name,
                        match_start=s.start,
                        match_end=s.end,
                        cues=(f"model:{self.mode}",),
                        judged=float(proba[i, j]),
                    )
                )
        return findings


def _rescale(proba: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Probabilities moved on the logit scale so that each category's cut-off becomes 0.5."""
    p = np.clip(proba, 1e-6, 1 - 1e-6)
    c = np.clip(cuts, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)) - np.log(c / (1 - c))
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float32)


def _beyond_chance(hits: int, windows: int, rate: float) -> bool:
    """Whether ``hits`` accepted windows out of ``windows`` are unlikely (< CHANCE) when each
    ordinary window is accepted with probability ``rate`` (a Poisson tail)."""
    expected = windows * rate
    tail, term = 0.0, math.exp(-expected)
    for k in range(hits):
        tail += term
        term *= expected / (k + 1)
    return 1.0 - tail < CHANCE


def _complete_suicides(
    held: dict[str, np.ndarray],
    proba: np.ndarray,
    cuts: np.ndarray,
    column: dict[str, int],
    windows: list[Window],
) -> None:
    """An attempt followed within ``ATTEMPT_TO_DEATH`` windows by a death window is a suicide
    that succeeded: its windows become evidence of ``suicide-completed`` too."""
    attempts = held.get("suicide-attempt")
    if attempts is None or "suicide-completed" not in column or "death" not in column:
        return
    death = proba[:, column["death"]] >= cuts[column["death"]]
    completed = [
        i for i in attempts if death[i : min(len(windows), i + ATTEMPT_TO_DEATH + 1)].any()
    ]
    if completed:
        before = held.get("suicide-completed", np.zeros(0, dtype=np.int64))
        held["suicide-completed"] = np.union1d(before, completed).astype(np.int64)
