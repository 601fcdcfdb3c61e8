"""Fit the cascade's two sets of heads (screen: static table; judge: MiniLM) on examples.

Heads learn from sentences and passages; the detector applies them to every sentence or
three-sentence window of a story and keeps the best. Taking the best of many windows makes a
0.5 cut-off too eager, so each category's cut-off is then calibrated on whole labelled
passages scored exactly as a story is scored (balanced accuracy, so the rates of the data
it is fitted on matter less).
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence

import numpy as np

from forewarn.models.examples import Example, label_sets, severity_rows
from forewarn.models.heads import LinearHeads, balanced_cut
from forewarn.taxonomy import load_taxonomy

#: Range a calibrated cut-off may take (outside it, too few passages decide too much).
CUT_RANGE = (0.3, 0.95)
#: Labelled passages of each class a category needs before its head is calibrated.
MIN_PER_CLASS = 20


def fit_heads(
    examples: Sequence[Example],
    *,
    calibration: Sequence[Example] = (),
    categories: Iterable[str] | None = None,
    cache: MutableMapping[str, np.ndarray] | None = None,
    seed: int = 0,
) -> tuple[LinearHeads, LinearHeads]:
    """(screen, judge) heads for each category the examples give both classes of, with
    cut-offs calibrated on the ``calibration`` passages where they hold both classes."""
    from forewarn.models import StaticEmbedder
    from forewarn.models.encoder import encode_cached

    texts = [e.text for e in examples]
    labels = label_sets(examples, categories or load_taxonomy().ids())
    severities = severity_rows(examples)
    screen = LinearHeads.fit(StaticEmbedder.load().encode(texts), labels, severities, seed=seed)
    judge = LinearHeads.fit(encode_cached(texts, cache), labels, severities, seed=seed)
    if calibration:
        calibrate(screen, judge, calibration, cache)
    return screen, judge


def calibrate(
    screen: LinearHeads,
    judge: LinearHeads,
    passages: Sequence[Example],
    cache: MutableMapping[str, np.ndarray] | None = None,
) -> None:
    """Set each head's cut-off from the passages' best sentence (screen) or window (judge)."""
    from forewarn.detectors.model import ModelDetector
    from forewarn.scanner import text_document

    docs = [text_document(p.text) for p in passages]
    for heads, mode in ((screen, "fast"), (judge, "thorough")):
        detector = ModelDetector(mode, screen=screen, judge=judge, cache=cache)
        windows = [detector.window_scores(doc) for doc in docs]
        scores = np.stack([_best(w, len(heads.categories)) for w in windows])
        for j, category in enumerate(heads.categories):
            known = [
                (i, p.labels[category]) for i, p in enumerate(passages) if category in p.labels
            ]
            targets = np.array([int(v) for _, v in known])
            if min((targets == 1).sum(), (targets == 0).sum()) >= MIN_PER_CLASS:
                rows = [i for i, _ in known]
                heads.decision[j] = balanced_cut(scores[rows, j], targets, *CUT_RANGE)
                heads.calibrated[j] = True
                negatives = [windows[i][:, j] for i, label in known if not label]
                heads.set_null(j, np.concatenate(negatives))


def _best(windows: np.ndarray, k: int) -> np.ndarray:
    return windows.max(axis=0) if len(windows) else np.zeros(k)
