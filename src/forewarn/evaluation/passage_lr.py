"""A passage classifier for research comparisons: one logistic regression per Webis warning.

Features: the whole passage's embedding from a frozen encoder (the shipped MiniLM unless
another ``embed`` function is given, e.g. a bigger sentence-transformers model in
``scripts/compare_encoders.py``), optionally with the pattern detector's best score per
category. Targets: the annotators' vote share (each passage counts as a yes with weight k/n
and a no with weight (n-k)/n), classes balanced by majority label. A passage is positive when
its predicted chance of a yes majority reaches the cut-off that best separates the training
passages (balanced accuracy). Everything is fitted on the training folds only; the frozen
features (embeddings, pattern scores) are cached across folds by text.

It classifies whole passages and gives no evidence spans, so it is a yardstick for the
encoders and the heads, not something ``forewarn scan`` runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from forewarn.detectors.patterns import PatternDetector
from forewarn.evaluation.ceiling import yes_majority
from forewarn.evaluation.extras import require_sklearn
from forewarn.evaluation.webis import Passage
from forewarn.models.encoder import encode_cached
from forewarn.scanner import text_document
from forewarn.taxonomy import load_taxonomy

Embed = Callable[[list[str]], np.ndarray]

#: Pattern scores by text: the detector is fixed, so they may be shared by every fold.
_PATTERNS: dict[str, np.ndarray] = {}
#: MiniLM vectors by text (frozen encoder).
_VECTORS: dict[str, np.ndarray] = {}


def minilm(texts: list[str]) -> np.ndarray:
    """The shipped int8 MiniLM's embedding of each text (cached by text)."""
    return encode_cached(texts, _VECTORS)


class VectorFile:
    """Embeddings computed elsewhere (``models/embed_passages.py``), looked up by text.

    The ``.npz`` holds ``sha256`` (hex digest of each UTF-8 text) and ``vectors`` (one row each).
    """

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = [str(k) for k in data["sha256"]], data["vectors"]
        if len(keys) != len(vectors):
            raise ValueError(f"{path}: {len(keys)} digests for {len(vectors)} vectors")
        self.path = path
        self.rows = {k: i for i, k in enumerate(keys)}
        self.vectors = vectors.astype(np.float32)

    def __call__(self, texts: list[str]) -> np.ndarray:
        rows = [self.rows.get(text_digest(t)) for t in texts]
        missing = sum(r is None for r in rows)
        if missing:
            raise ValueError(f"{self.path}: {missing} passage(s) have no vector in this file")
        return self.vectors[np.array(rows, dtype=np.int64)]


def text_digest(text: str) -> str:
    """How a vector file names a text: the sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pattern_scores(texts: list[str]) -> np.ndarray:
    """(texts x taxonomy categories): the pattern detector's best finding score, 0 if none."""
    ids = load_taxonomy().ids()
    column = {c: j for j, c in enumerate(ids)}
    missing = [t for t in dict.fromkeys(texts) if t not in _PATTERNS]
    if missing:
        detector = PatternDetector()
        for text in missing:
            row = np.zeros(len(ids), dtype=np.float32)
            for f in detector(text_document(text)):
                row[column[f.category]] = max(row[column[f.category]], f.score)
            _PATTERNS[text] = row
    return np.stack([_PATTERNS[t] for t in texts]) if texts else np.zeros((0, len(ids)))


class PassageLRSystem:
    """Per warning: logistic regression on [embedding, pattern scores], vote-share targets."""

    def __init__(
        self,
        embed: Embed | None = None,
        *,
        patterns: bool = True,
        c: float = 1.0,
        seed: int = 0,
        name: str = "MiniLM",
    ) -> None:
        self.embed = embed or minilm
        self.patterns = patterns
        self.c = c
        self.seed = seed
        self.description = (
            f"logistic regression per warning on the whole passage's {name} embedding"
            + (" and pattern scores" if patterns else "")
            + ", vote-share targets, fitted on training folds"
        )
        self.notes: list[str] = []
        self.models: dict[str, Any] = {}
        self.cuts: dict[str, float] = {}
        self.constant: dict[str, float] = {}
        self.votes = 3  # annotators per passage, read from the training passages

    def features(self, texts: list[str]) -> np.ndarray:
        vectors = self.embed(texts)
        return np.hstack([vectors, pattern_scores(texts)]) if self.patterns else vectors

    def fit(self, passages: Sequence[Passage]) -> None:
        require_sklearn("passage-lr")
        from sklearn.linear_model import LogisticRegression

        for warning in sorted({p.warning for p in passages}):
            own = [p for p in passages if p.warning == warning]
            labels = np.array([p.label for p in own])
            if labels.all() or not labels.any():
                self.constant[warning] = float(labels[0])
                self.notes.append(f"{warning}: a training split held one class; predicted it")
                continue
            x = self.features([p.text for p in own])
            share = np.array([sum(p.votes) / len(p.votes) for p in own])
            balance = np.where(labels, 0.5 / labels.mean(), 0.5 / (1 - labels.mean()))
            model = LogisticRegression(C=self.c, max_iter=3000, random_state=self.seed)
            model.fit(
                np.vstack([x, x]),
                np.r_[np.ones(len(own)), np.zeros(len(own))],
                sample_weight=np.r_[share * balance, (1 - share) * balance],
            )
            self.votes = len(own[0].votes)
            q = yes_majority(self.votes, model.predict_proba(x)[:, 1])
            self.models[warning] = model
            self.cuts[warning] = balanced_cut(q, labels.astype(int), 0.0, 1.0)

    def predict(self, passages: Sequence[Passage]) -> dict[str, list[float]]:
        texts = [p.text for p in passages]
        x = self.features(texts) if self.models else np.zeros((len(texts), 0))
        out: dict[str, list[float]] = {}
        for warning in sorted({p.warning for p in passages}):
            if warning not in self.models:
                out[warning] = [self.constant.get(warning, 0.0)] * len(texts)
                continue
            q = yes_majority(self.votes, self.models[warning].predict_proba(x)[:, 1])
            out[warning] = [1.0 if v >= self.cuts[warning] else 0.0 for v in q]
        return out


def balanced_cut(scores: np.ndarray, targets: np.ndarray, lo: float, hi: float) -> float:
    """The cut-off in [lo, hi] that best separates ``targets`` by ``scores`` (balanced accuracy)."""
    best, best_acc = 0.5, -1.0
    for cut in np.unique(np.clip(scores, lo, hi)):
        predicted = scores >= cut
        acc = (predicted[targets == 1].mean() + (~predicted[targets == 0]).mean()) / 2
        if acc > best_acc:
            best, best_acc = float(cut), float(acc)
    return best
