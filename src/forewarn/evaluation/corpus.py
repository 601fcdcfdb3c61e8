"""``forewarn eval corpus``: the shipped passage model on the corpus's frozen test split.

Each test passage is one window. Systems, scored on the same passages in one run:
``patterns`` (the old pattern detector deciding alone: a category whose merged matches reach
the report threshold), ``fast`` (the static gate decides), ``default`` (the gate, then the
MiniLM judge on what it lets through), ``thorough`` (the judge on every passage), and ``scan``
(each passage scanned as a text of its own in the default mode, as ``forewarn scan
--passages`` does: its sentence windows, then the decision above the window). Also reported:
the gate's recall against the judge (of the passages the judge accepts for some category, the
share the gate lets through), the judge's coverage (the share of ordinary novel windows the
gate lets through), and the balanced accuracy on the split's Webis passages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from forewarn.detectors.model import PATTERN_DECIDED, ModelDetector
from forewarn.detectors.patterns import PatternDetector
from forewarn.detectors.windows import sentence_windows
from forewarn.evaluation.webis import warning_categories
from forewarn.learn.corpus import Record, is_ordinary, label_matrix
from forewarn.learn.features import passage_document, passage_features
from forewarn.models import models_dir
from forewarn.models.passage import PassageModel
from forewarn.report import PRESENT_THRESHOLD
from forewarn.scanner import text_document
from forewarn.taxonomy import load_taxonomy

SYSTEMS = ("patterns", "fast", "default", "thorough", "scan")
#: Categories with fewer test positives are listed but left out of the macro average.
MIN_SUPPORT = 5


@dataclass
class CorpusResult:
    """Per system and category: (precision, recall, F1, support); cascade statistics."""

    categories: list[str]
    scores: dict[str, dict[str, tuple[float, float, float, int]]] = field(default_factory=dict)
    micro: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    macro: dict[str, float] = field(default_factory=dict)
    gate_recall: float = 0.0
    coverage: float = 0.0
    passages: int = 0
    #: Webis warning -> (positives, negatives, balanced accuracy of ``scan``) on Webis passages.
    webis: dict[str, tuple[int, int, float]] = field(default_factory=dict)


def pattern_decisions(texts: list[str], categories: list[str]) -> np.ndarray:
    """(passages x categories) the old pattern detector's verdict on each passage."""
    doc, windows = passage_document(texts)
    starts = np.array([w.span.start for w in windows])
    column = {c: j for j, c in enumerate(categories)}
    best: dict[tuple[int, int, int], float] = {}
    for f in PatternDetector()(doc):
        j = column.get(f.category)
        if j is None:
            continue
        i = int(np.searchsorted(starts, f.start, side="right")) - 1
        key = (i, j, f.start)
        best[key] = max(best.get(key, 0.0), f.score)
    miss = np.ones((len(texts), len(categories)))
    for (i, j, _), score in best.items():
        miss[i, j] *= 1.0 - score
    return np.asarray(1.0 - miss >= PRESENT_THRESHOLD)


def decisions(
    model: PassageModel, records: list[Record], encoder: Path | None = None
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each system's (passages x categories) decisions, and the gate's pass mask (``encoder``:
    the folder of the model's ONNX encoder; the shipped one by default)."""
    categories = model.categories
    texts = [r.text for r in records]
    encoder = encoder or models_dir() / model.encoder
    x = passage_features(texts, categories, None, encoder)
    words = pattern_decisions(texts, categories)
    gate = model.gate(x.static, x.patterns, x.word_scores(model.word_index, model.gate_words))
    judge = model.judge(x.minilm, x.patterns, x.word_scores(model.word_index, model.words))
    passed = np.asarray((gate >= model.gate_cut).any(axis=1))
    out: dict[str, np.ndarray] = {
        "scan": scan_decisions(model, texts, encoder),
        "patterns": words,
        "fast": np.asarray(gate >= model.fast_cut),
        "thorough": np.asarray(judge >= model.cut),
        "default": np.asarray((judge >= model.cut) & passed[:, None]),
    }
    for j, c in enumerate(categories):
        if c in PATTERN_DECIDED:
            for name in ("fast", "default", "thorough", "scan"):
                out[name][:, j] = words[:, j]
    return out, passed


def scan_decisions(model: PassageModel, texts: list[str], encoder: Path | None) -> np.ndarray:
    """(passages x categories) what the default scan reports for each passage as a text."""
    detector = ModelDetector("default", model=model, encoder=encoder)
    column = {c: j for j, c in enumerate(model.categories)}
    out = np.zeros((len(texts), len(model.categories)), dtype=bool)
    for i, text in enumerate(texts):
        doc = text_document(text)
        windows = sentence_windows(doc)
        if windows:
            for f in detector.decide(doc, windows, detector.judge(doc, windows)):
                out[i, column[f.category]] = True
    return out


def evaluate_corpus(
    model: PassageModel, records: list[Record], encoder: Path | None = None
) -> CorpusResult:
    """Score every system on ``records`` (the test split)."""
    categories = model.categories
    y = label_matrix(records, categories).astype(bool)
    found, passed = decisions(model, records, encoder)
    result = CorpusResult(categories, passages=len(records))
    for name in SYSTEMS:
        d = found[name]
        rows = {}
        for j, c in enumerate(categories):
            rows[c] = _prf(d[:, j], y[:, j])
        result.scores[name] = rows
        p, r, f1, _ = _prf(d.ravel(), y.ravel())
        result.micro[name] = (p, r, f1)
        counted = [rows[c][2] for c in categories if rows[c][3] >= MIN_SUPPORT]
        result.macro[name] = float(np.mean(counted)) if counted else 0.0
    result.webis = webis_accuracy(records, found["scan"], categories)
    accepted = found["thorough"].any(axis=1)
    result.gate_recall = float(passed[accepted].mean()) if accepted.any() else 1.0
    ordinary = np.array([is_ordinary(r) for r in records])
    result.coverage = float(passed[ordinary].mean()) if ordinary.any() else 0.0
    return result


def webis_accuracy(
    records: list[Record], decided: np.ndarray, categories: list[str]
) -> dict[str, tuple[int, int, float]]:
    """Per Webis warning, on the Webis passages among ``records``: the human majority vote
    (kept as gold in the corpus) against the decision, as balanced accuracy. A passage is
    positive when any category a reader avoiding the warning avoids is reported."""
    tax = load_taxonomy()
    column = {c: j for j, c in enumerate(categories)}
    rows: dict[str, list[tuple[bool, bool]]] = {}
    for i, r in enumerate(records):
        if r.origin != "webis":
            continue
        warning = r.selection.split(":", 1)[1]
        category = warning_categories([warning], tax)[warning]
        said = any(decided[i, column[c]] for c in tax.expand(category) if c in column)
        rows.setdefault(warning, []).append((category in r.labels, bool(said)))
    out = {}
    for warning, pairs in sorted(rows.items()):
        pos = [said for truth, said in pairs if truth]
        neg = [not said for truth, said in pairs if not truth]
        tpr = sum(pos) / len(pos) if pos else 0.0
        tnr = sum(neg) / len(neg) if neg else 0.0
        out[warning] = (len(pos), len(neg), (tpr + tnr) / 2 if pos and neg else float("nan"))
    return out


def _prf(decided: np.ndarray, truth: np.ndarray) -> tuple[float, float, float, int]:
    tp = float((decided & truth).sum())
    p = tp / decided.sum() if decided.sum() else 0.0
    r = tp / truth.sum() if truth.sum() else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, int(truth.sum())


def markdown(result: CorpusResult, corpus: Path) -> str:
    """The per-category table and the summary lines, as printed and recorded."""
    lines = [
        f"{result.passages} passages from {corpus}; P / R / F1 per system "
        f"(categories with fewer than {MIN_SUPPORT} test positives are not in the macro F1).",
        "",
        "| category | support | " + " | ".join(SYSTEMS) + " |",
        "|---|---:|" + "---|" * len(SYSTEMS),
    ]
    for c in result.categories:
        support = result.scores["default"][c][3]
        cells = ["{:.2f} / {:.2f} / {:.2f}".format(*result.scores[s][c][:3]) for s in SYSTEMS]
        lines.append(f"| {c} | {support} | " + " | ".join(cells) + " |")
    lines.append(
        "| **micro** | | "
        + " | ".join("{:.2f} / {:.2f} / {:.2f}".format(*result.micro[s]) for s in SYSTEMS)
        + " |"
    )
    lines.append(
        "| **macro F1** | | " + " | ".join(f"{result.macro[s]:.3f}" for s in SYSTEMS) + " |"
    )
    lines += [
        "",
        f"Gate recall against the judge: {result.gate_recall:.3f} (of the test passages the "
        "judge accepts for some category, the share the gate lets through).",
        f"Judge coverage: {result.coverage:.3f} of ordinary novel windows (random windows of "
        "the test novels) reach the judge in the default mode.",
    ]
    if result.webis:
        scored = [v[2] for v in result.webis.values() if v[2] == v[2]]
        lines += [
            "",
            "Webis passages in this split (human majority vote as gold), each scanned as a text "
            "(`scan`): balanced accuracy per warning.",
            "",
            "| warning | positives | negatives | balanced accuracy |",
            "|---|---:|---:|---:|",
        ]
        lines += [f"| {w} | {p} | {n} | {a:.3f} |" for w, (p, n, a) in result.webis.items()]
        if scored:
            lines.append(f"| **mean** | | | {sum(scored) / len(scored):.3f} |")
    return "\n".join(lines)
