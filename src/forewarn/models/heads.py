"""Linear heads over sentence embeddings: one logistic regression per category, plus severity.

Fitted with scikit-learn (the ``train`` extra) and persisted as plain arrays in an ``.npz``
file, so that detection needs only numpy. ``predict_proba`` gives, per text and category, the
probability that the text shows the category; ``screen`` holds each category's stage-1 cut-off
(fitted for recall on the training positives) and ``severity_*`` a softmax over the scale.
``null`` keeps, per calibrated category, the highest window probabilities seen on labelled
negative passages (and ``null_windows`` how many windows they came from): how high a head goes
where the category is absent, which bounds its false alarms on a text of a given length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from forewarn.taxonomy import SEVERITIES

#: Fraction of training positives a stage-1 cut-off must keep (screening is for recall).
SCREEN_RECALL = 0.95
#: Negative-window probabilities kept per category (the highest ones; the rest never decide).
NULL_KEPT = 512


@dataclass(frozen=True)
class Labels:
    """Training labels of one category: rows of the embedding matrix, 0/1 targets, weights."""

    rows: np.ndarray
    targets: np.ndarray
    weights: np.ndarray


@dataclass
class LinearHeads:
    """Per-category logistic regressions over one embedding space, and a severity softmax."""

    categories: list[str]
    coef: np.ndarray  # (k, d)
    bias: np.ndarray  # (k,)
    screen: np.ndarray  # (k,) stage-1 cut-off on predict_proba
    severity_coef: np.ndarray  # (4, d)
    severity_bias: np.ndarray  # (4,)
    decision: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (k,) cut-offs
    calibrated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # (k,)
    null: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (k, NULL_KEPT) desc.
    null_windows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (k,)

    def __post_init__(self) -> None:
        k = len(self.categories)
        if len(self.decision) != k:  # not calibrated: 0.5 throughout
            self.decision = np.full(k, 0.5, dtype=np.float32)
        if len(self.calibrated) != k:
            self.calibrated = np.zeros(k, dtype=bool)
        if self.null.shape != (k, NULL_KEPT) or len(self.null_windows) != k:
            self.null = np.full((k, NULL_KEPT), np.inf, dtype=np.float32)
            self.null_windows = np.zeros(k, dtype=np.int64)

    def set_null(self, j: int, negative_windows: np.ndarray) -> None:
        """Record category ``j``'s probabilities on every window of its negative passages."""
        top = np.sort(np.asarray(negative_windows, dtype=np.float32))[::-1][:NULL_KEPT]
        self.null[j] = np.inf
        self.null[j, : len(top)] = top
        self.null_windows[j] = len(negative_windows)

    def alone_cut(self, j: int, windows: int, alpha: float) -> float:
        """The probability category ``j``'s best window must reach, in a text of ``windows``
        windows, for its head alone to make the warning with at most ``alpha`` chance of a
        false alarm (estimated from the negative windows); inf where the sample cannot tell."""
        rank = min(NULL_KEPT, int(alpha * int(self.null_windows[j]) / max(1, windows)))
        if not self.calibrated[j] or rank < 1:
            return float("inf")
        return max(float(self.decision[j]), float(self.null[j, rank - 1]))

    @classmethod
    def fit(
        cls,
        embeddings: np.ndarray,
        labels: Mapping[str, Labels],
        severities: Sequence[tuple[int, str]],
        *,
        c: float = 1.0,
        seed: int = 0,
    ) -> LinearHeads:
        """Fit one balanced logistic regression per category with both classes in ``labels``,
        and a multinomial severity head on ``severities`` (row, severity) pairs."""
        from sklearn.linear_model import LogisticRegression

        dim = embeddings.shape[1]
        categories, coefs, biases, screens = [], [], [], []
        for category, lab in labels.items():
            if len(set(lab.targets.tolist())) < 2:
                continue
            model = LogisticRegression(
                C=c, class_weight="balanced", max_iter=3000, random_state=seed
            )
            x = embeddings[lab.rows]
            model.fit(x, lab.targets, sample_weight=lab.weights)
            categories.append(category)
            coefs.append(model.coef_[0])
            biases.append(model.intercept_[0])
            positives = _sigmoid(x[lab.targets == 1] @ model.coef_[0] + model.intercept_[0])
            screens.append(min(0.5, float(np.quantile(positives, 1.0 - SCREEN_RECALL))))
        rows = np.array([r for r, _ in severities], dtype=np.int64)
        target = np.array([SEVERITIES.index(s) for _, s in severities])
        sev_coef = np.zeros((len(SEVERITIES), dim))
        sev_bias = np.zeros(len(SEVERITIES))
        if len(set(target.tolist())) > 1:
            sev = LogisticRegression(C=c, max_iter=3000, random_state=seed)
            sev.fit(embeddings[rows], target)
            sev_bias[:] = -1e9  # a severity never seen in training is never predicted
            if len(sev.classes_) == 2:
                sev_bias[sev.classes_[0]] = 0.0
                sev_coef[sev.classes_[1]], sev_bias[sev.classes_[1]] = (
                    sev.coef_[0],
                    sev.intercept_[0],
                )
            else:
                for i, index in enumerate(sev.classes_):
                    sev_coef[index], sev_bias[index] = sev.coef_[i], sev.intercept_[i]
        return cls(
            categories,
            np.array(coefs, dtype=np.float32).reshape(len(categories), dim),
            np.array(biases, dtype=np.float32),
            np.array(screens, dtype=np.float32),
            sev_coef.astype(np.float32),
            sev_bias.astype(np.float32),
        )

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, k) probabilities, columns in ``categories`` order."""
        return _sigmoid(embeddings @ self.coef.T + self.bias)

    def predict_severity(self, embeddings: np.ndarray) -> list[str]:
        """The most likely severity of each row (meaningful where a category applies)."""
        logits = embeddings @ self.severity_coef.T + self.severity_bias
        return [SEVERITIES[i] for i in np.argmax(logits, axis=1)]

    def save(self, path: Path) -> None:
        """Write plain arrays (no pickle) to ``path`` (.npz)."""
        np.savez_compressed(
            path,
            categories=np.array(self.categories),
            coef=self.coef,
            bias=self.bias,
            screen=self.screen,
            severity_coef=self.severity_coef,
            severity_bias=self.severity_bias,
            decision=self.decision,
            calibrated=self.calibrated,
            null=self.null,
            null_windows=self.null_windows,
        )

    @classmethod
    def load(cls, path: Path) -> LinearHeads:
        """Read heads written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            return cls(
                [str(c) for c in data["categories"]],
                data["coef"],
                data["bias"],
                data["screen"],
                data["severity_coef"],
                data["severity_bias"],
                data["decision"] if "decision" in data else np.zeros(0),
                data["calibrated"] if "calibrated" in data else np.zeros(0, dtype=bool),
                data["null"] if "null" in data else np.zeros((0, 0)),
                data["null_windows"] if "null_windows" in data else np.zeros(0, dtype=np.int64),
            )


def balanced_cut(scores: np.ndarray, targets: np.ndarray, lo: float, hi: float) -> float:
    """The cut-off in [lo, hi] that best separates ``targets`` by ``scores`` (balanced accuracy)."""
    best, best_acc = 0.5, -1.0
    for cut in np.unique(np.clip(scores, lo, hi)):
        predicted = scores >= cut
        acc = (predicted[targets == 1].mean() + (~predicted[targets == 0]).mean()) / 2
        if acc > best_acc:
            best, best_acc = float(cut), float(acc)
    return best


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))), dtype=np.float32)
