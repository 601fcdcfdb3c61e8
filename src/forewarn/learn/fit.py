"""Fit and calibrate the passage model on the corpus: heads on train, cut-offs on dev.

Per category: a logistic-regression judge over [MiniLM embedding, pattern feature] and a gate
over [static embedding, pattern feature], both class-balanced, fitted on the train split (the
gate also on the train novels' unlabelled windows, each a positive where the judge accepts it:
the default mode's budget then goes where the judge would fire); the judge's logit is averaged
with a one-hidden-layer network's over [MiniLM, every pattern feature], fitted on the same
split for all categories at once. Cut-offs come from held-out predictions: the dev split,
joined by out-of-fold predictions on train (grouped by work) for categories with few dev
positives. The judge's cut maximises F1; the fast mode's cut does the same for the gate; the
gate's own cut keeps ``GATE_RECALL`` of the windows the judge accepts. False-alarm rates per
mode come from the dev split's random novel windows. Deterministic given ``seed``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forewarn.detectors.windows import sentence_words
from forewarn.learn.corpus import Record, is_ordinary, label_matrix, severity_matrix
from forewarn.learn.features import Features
from forewarn.models.passage import STRICTER, PassageModel

#: Share of the dev windows the judge accepts that the gate lets through.
GATE_RECALL = 0.98
#: Held-out positives below which dev is joined by out-of-fold predictions on train.
MIN_DEV_POSITIVES = 10
#: Positives below which a category gets no head (it is never reported).
MIN_POSITIVES = 4
#: Positives below which a category's severity comes from the shared severity head.
MIN_SEVERITY = 20
#: How far (logit) above every dev negative one window must be to make a warning alone.
SURE_MARGIN = 1.0
#: Training passages a word must occur in to enter the vocabulary.
MIN_WORD_PASSAGES = 3
#: Hidden units of the judge's network (0, the default: logistic heads only; 256 was measured
#: in docs/EVALUATION.md and not shipped).
HIDDEN = 0
#: Its L2 penalty and training epochs.
HIDDEN_ALPHA = 1e-3
HIDDEN_EPOCHS = 60
#: Scale of the word counts against the unit-length embeddings (one regularisation for both).
WORD_SCALE = 0.3


@dataclass
class FitReport:
    """What fitting saw and chose, per category (written next to the model)."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    gate_share: float = 0.0
    gate_margin: float = 0.0


def _lr(x: Any, y: np.ndarray, c: float, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed)
    model.fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def vocabulary(features: Features, min_passages: int = MIN_WORD_PASSAGES) -> list[str]:
    """The words of at least ``min_passages`` training passages, sorted."""
    counts: dict[str, int] = defaultdict(int)
    for w in features.windows:
        words = set()
        for s in range(w.lo, w.hi + 1):
            words |= sentence_words(features.sentences[s])
        for word in words:
            counts[word] += 1
    return sorted(w for w, n in counts.items() if n >= min_passages)


def _design(dense: np.ndarray, pattern: np.ndarray, bag: Any) -> Any:
    """[dense | pattern | WORD_SCALE * bag] as one sparse matrix for the solver."""
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(np.hstack([dense, pattern[:, None]])), bag * WORD_SCALE]).tocsr()


def _put_severity(model: Any, coef: np.ndarray, bias: np.ndarray) -> None:
    """Copy a fitted severity classifier into (4, d) / (4,) arrays; a severity it never saw
    keeps a bias of -30, so it is never predicted."""
    if len(model.classes_) == 2:
        coef[model.classes_[1]], bias[model.classes_[1]] = model.coef_[0], model.intercept_[0]
        bias[model.classes_[0]] = 0.0
        return
    for i, cls in enumerate(model.classes_):
        coef[cls], bias[cls] = model.coef_[i], model.intercept_[i]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def best_f1_cut(scores: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """The cut-off (within [0.2, 0.99]) with the best F1 on ``scores`` vs ``targets``."""
    best, best_f1 = 0.5, -1.0
    for cut in np.unique(np.clip(np.round(scores, 4), 0.2, 0.99)):
        predicted = scores >= cut
        tp = float((predicted & (targets == 1)).sum())
        f1 = 2 * tp / max(1.0, float(predicted.sum() + (targets == 1).sum()))
        if f1 > best_f1:
            best, best_f1 = float(cut), f1
    return best, best_f1


def _network(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    """A one-hidden-layer network over ``x`` for every column of ``y`` at once: its layers as
    (h, d), (h,), (k, h), (k,) arrays."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    net = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        alpha=HIDDEN_ALPHA,
        max_iter=HIDDEN_EPOCHS,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed budget of epochs
        net.fit(x, y)
    w1, w2 = net.coefs_
    b1, b2 = net.intercepts_
    return tuple(np.asarray(a, np.float32) for a in (w1.T, b1, w2.T, b2))


def _network_logits(x: np.ndarray, layers: tuple[np.ndarray, ...]) -> np.ndarray:
    w1, b1, w2, b2 = layers
    return np.maximum(0.0, x @ w1.T + b1) @ w2.T + b2


def _judge_logit(heads: np.ndarray, network: np.ndarray) -> np.ndarray:
    """The judge's logit: the logistic head's and the network's averaged (the head's alone
    when there is no network), as ``PassageModel.judge`` computes it."""
    return (heads + network) / 2 if HIDDEN else heads


def _oof_network(
    x: np.ndarray, y: np.ndarray, groups: list[str], seed: int, folds: int = 5
) -> np.ndarray:
    """Out-of-fold network logits on train (n, k), folds grouped by work as in ``_oof``."""
    out = np.zeros(y.shape)
    keys = sorted(set(groups))
    fold_of = {g: i % folds for i, g in enumerate(np.random.default_rng(seed).permutation(keys))}
    fold = np.array([fold_of[g] for g in groups])
    for f in range(folds):
        test, train = fold == f, fold != f
        out[test] = _network_logits(x[test], _network(x[train], y[train], seed))
    return out


#: Extra training rows for a head: their design matrix, 0/1 targets and works (by row).
Extra = tuple[Any, np.ndarray, np.ndarray]


def _joined(
    x: Any, y: np.ndarray, extra: Extra | None, rows: np.ndarray | None = None
) -> tuple[Any, Any]:
    """``x``, ``y`` with ``extra``'s rows (those of ``rows``, a mask; None: all) and
    targets below them (no ``extra``: as they are)."""
    if extra is None:
        return x, y
    from scipy.sparse import vstack

    design, target, _ = extra
    if rows is not None:
        design, target = design[rows], target[rows]
    return vstack([x, design]).tocsr(), np.concatenate([y, target.astype(y.dtype)])


def _oof(
    x: Any,
    y: np.ndarray,
    groups: list[str],
    c: float,
    seed: int,
    folds: int = 5,
    extra: Extra | None = None,
) -> np.ndarray:
    """Out-of-fold logits on train, folds grouped by work (``extra``'s rows join a fold's
    training rows unless their work is held out in it)."""
    out = np.zeros(len(y))
    keys = sorted(set(groups))
    fold_of = {g: i % folds for i, g in enumerate(np.random.default_rng(seed).permutation(keys))}
    fold = np.array([fold_of[g] for g in groups])
    for f in range(folds):
        test, train = fold == f, fold != f
        if len(set(y[train].tolist())) < 2:
            continue
        held_out = [g for g in keys if fold_of[g] == f]
        outside = None if extra is None else ~np.isin(extra[2], held_out)
        coef, bias = _lr(*_joined(x[train], y[train], extra, outside), c, seed)
        out[test] = x[test] @ coef + bias
    return out


def fit_passage_model(
    categories: list[str],
    train: list[Record],
    train_x: Features,
    dev: list[Record],
    dev_x: Features,
    *,
    c: float = 1.0,
    seed: int = 0,
    version: str = "",
    natural: Features | None = None,
    natural_works: list[str] | None = None,
) -> tuple[PassageModel, FitReport]:
    """Fit every category's heads on ``train`` and calibrate them on ``dev``; with
    ``natural`` (unlabelled windows of the train split's novels, from ``natural_works``, one
    work per window), the gate also learns which of them the judge accepts."""
    from sklearn.linear_model import LogisticRegression

    k = len(categories)
    y, yd = label_matrix(train, categories), label_matrix(dev, categories)
    sev = severity_matrix(train, categories)
    groups = [r.work for r in train]
    d, ds = train_x.minilm.shape[1], train_x.static.shape[1]
    words = vocabulary(train_x)
    index = {w: i for i, w in enumerate(words)}
    bag, dev_bag = train_x.bag(index), dev_x.bag(index)
    natural_bag = natural.bag(index) if natural is not None else None
    natural_groups = np.array(natural_works or [""] * (len(natural.windows) if natural else 0))
    m = PassageModel(
        categories=categories,
        gate_coef=np.zeros((k, ds), np.float32),
        gate_pattern=np.zeros(k, np.float32),
        gate_bias=np.full(k, -30.0, np.float32),
        gate_cut=np.ones(k, np.float32),
        fast_cut=np.ones(k, np.float32),
        coef=np.zeros((k, d), np.float32),
        pattern_weight=np.zeros(k, np.float32),
        bias=np.full(k, -30.0, np.float32),
        cut=np.ones(k, np.float32),
        severity_coef=np.zeros((k, 4, d), np.float32),
        severity_bias=np.zeros((k, 4), np.float32),
        false_rate=np.ones((3, k), np.float32),
        sure=np.ones((2, k), np.float32),
        strict_rate=np.ones((len(STRICTER), k), np.float32),
        gate_words=np.zeros((k, len(words)), np.float32),
        words=np.zeros((k, len(words)), np.float32),
        vocabulary=words,
        version=version,
    )
    report = FitReport()
    # Natural text: random novel windows and the Webis fan-fiction passages.
    ordinary = np.array([is_ordinary(r) or r.origin == "webis" for r in dev])
    # The shared severity head: every (passage, category) pair that is present.
    rows, target = np.nonzero(sev >= 0)
    shared_coef = np.zeros((4, d), np.float32)
    shared_bias = np.full(4, -30.0, np.float32)
    classes = sorted(set(sev[rows, target].tolist()))
    if len(classes) == 1:
        shared_bias[classes[0]] = 0.0
    elif classes:
        shared = LogisticRegression(C=c, max_iter=2000, random_state=seed)
        shared.fit(train_x.minilm[rows], sev[rows, target])
        _put_severity(shared, shared_coef, shared_bias)
    # The judge's network: every category at once, over [MiniLM, pattern features].
    net_x = np.hstack([train_x.minilm, train_x.patterns])
    net_dev = np.zeros(yd.shape)
    net_natural = np.zeros((len(natural.windows) if natural is not None else 0, k))
    oof_net: np.ndarray | None = None
    if HIDDEN:
        layers = _network(net_x, y, seed)
        m.mlp_hidden, m.mlp_hidden_bias, m.mlp_out, m.mlp_out_bias = layers
        net_dev = _network_logits(np.hstack([dev_x.minilm, dev_x.patterns]), layers)
        if natural is not None:
            net_natural = _network_logits(np.hstack([natural.minilm, natural.patterns]), layers)
    gate_pass = np.zeros(len(dev), dtype=bool)
    judge_dev: dict[int, np.ndarray] = {}
    gate_dev: dict[int, np.ndarray] = {}
    for j, category in enumerate(categories):
        positives = int(y[:, j].sum())
        row: dict[str, Any] = {"train_positives": positives, "dev_positives": int(yd[:, j].sum())}
        report.rows[category] = row
        m.severity_coef[j], m.severity_bias[j] = shared_coef, shared_bias
        if positives < MIN_POSITIVES:
            row["status"] = "too few positives: never reported"
            continue
        xj = _design(train_x.minilm, train_x.patterns[:, j], bag)
        xs = _design(train_x.static, train_x.patterns[:, j], bag)
        coef, bias = _lr(xj, y[:, j], c, seed)
        m.coef[j], m.pattern_weight[j], m.bias[j] = coef[:d], coef[d], bias
        m.words[j] = coef[d + 1 :] * WORD_SCALE
        judge_logit = _design(dev_x.minilm, dev_x.patterns[:, j], dev_bag) @ coef + bias
        held_p = _sigmoid(_judge_logit(judge_logit, net_dev[:, j]))
        held_y = yd[:, j].astype(int)
        judge_dev[j] = held_p
        oof_p = None
        if held_y.sum() < MIN_DEV_POSITIVES:
            row["calibration"] = "dev + out-of-fold train"
            if HIDDEN and oof_net is None:
                oof_net = _oof_network(net_x, y, groups, seed)
            oof_p = _oof(xj, y[:, j], groups, c, seed)
            if oof_net is not None:
                oof_p = _judge_logit(oof_p, oof_net[:, j])
            held_p = np.concatenate([held_p, _sigmoid(oof_p)])
            held_y = np.concatenate([held_y, y[:, j]])
        else:
            row["calibration"] = "dev"
        m.cut[j], row["held_f1"] = best_f1_cut(held_p, held_y)
        # The gate: the labels of the train passages, and (distilled) what the judge just
        # fitted accepts among the train novels' natural windows, so the budget goes where
        # the judge would fire.
        extra: Extra | None = None
        if natural is not None:
            heads = _design(natural.minilm, natural.patterns[:, j], natural_bag) @ coef + bias
            accepts = _judge_logit(heads, net_natural[:, j]) >= _logit(np.array(m.cut[j]))
            design = _design(natural.static, natural.patterns[:, j], natural_bag)
            extra = (design, accepts, natural_groups)
            row["natural_accepted"] = int(accepts.sum())
        gcoef, gbias = _lr(*_joined(xs, y[:, j], extra), c, seed)
        m.gate_coef[j], m.gate_pattern[j], m.gate_bias[j] = gcoef[:ds], gcoef[ds], gbias
        m.gate_words[j] = gcoef[ds + 1 :] * WORD_SCALE
        held_g = _sigmoid(_design(dev_x.static, dev_x.patterns[:, j], dev_bag) @ gcoef + gbias)
        if oof_p is not None:
            oof_g = _oof(xs, y[:, j], groups, c, seed, extra=extra)
            held_g = np.concatenate([held_g, _sigmoid(oof_g)])
        m.fast_cut[j], row["held_f1_fast"] = best_f1_cut(held_g, held_y)
        gate_dev[j] = held_g[: len(dev)]
        # Severity: the category's own head where it has enough positives of two severities.
        present = sev[:, j] >= 0
        if present.sum() >= MIN_SEVERITY and len(set(sev[present, j].tolist())) > 1:
            own = LogisticRegression(C=c, max_iter=2000, random_state=seed)
            own.fit(train_x.minilm[present], sev[present, j])
            m.severity_bias[j], m.severity_coef[j] = -30.0, 0.0
            _put_severity(own, m.severity_coef[j], m.severity_bias[j])
        row["status"] = "fitted"
    # One gate for all categories: a window goes on when some category's gate probability is
    # within ``margin`` (logit) of its fast-mode cut; the margin keeps GATE_RECALL of the dev
    # windows the judge accepts.
    fitted = sorted(judge_dev)
    if fitted:
        dev_gate_fitted = np.stack([gate_dev[j] for j in fitted], axis=1)
        z = (_logit(dev_gate_fitted) - _logit(m.fast_cut[fitted])).max(axis=1)
        wanted = np.zeros(len(dev), dtype=bool)
        for j in fitted:
            wanted |= judge_dev[j] >= m.cut[j]
        margin = float(np.quantile(z[wanted], 1 - GATE_RECALL)) if wanted.any() else 0.0
        m.gate_cut[fitted] = _sigmoid(_logit(m.fast_cut[fitted]) + margin)
        gate_pass = z >= margin
        report.gate_margin = margin
    # False-alarm rates on the dev split's ordinary windows, per mode (floor: half a window).
    floor = 0.5 / max(1, int(ordinary.sum()))
    for j in judge_dev:
        negative = ordinary & (yd[:, j] == 0)
        n = max(1, int(negative.sum()))
        fast = (gate_dev[j][negative] >= m.fast_cut[j]).sum() / n
        thorough = (judge_dev[j][negative] >= m.cut[j]).sum() / n
        # default: among the windows the gate lets through (the ones the judge sees)
        gated = max(1, int((gate_pass & negative).sum()))
        default = ((judge_dev[j] >= m.cut[j]) & gate_pass)[negative].sum() / gated
        m.false_rate[:, j] = [max(floor, fast), max(floor, default), max(floor, thorough)]
        for level, strict in enumerate(m.strict_cuts()[:, j]):
            accepted = (judge_dev[j][negative] >= strict).sum() / n
            m.strict_rate[level, j] = max(floor, accepted)
        anywhere = yd[:, j] == 0  # every dev negative: novels, fan fiction, hard negatives
        top_gate = float(gate_dev[j][anywhere].max()) if anywhere.any() else 1.0
        top_judge = float(judge_dev[j][anywhere].max()) if anywhere.any() else 1.0
        for at, cut, top in ((0, m.fast_cut[j], top_gate), (1, m.cut[j], top_judge)):
            level = _logit(np.array([float(cut), top])).max() + SURE_MARGIN
            m.sure[at, j] = float(_sigmoid(np.array(level)))
        report.rows[categories[j]]["false_rate"] = [round(float(v), 5) for v in m.false_rate[:, j]]
    report.gate_share = float(gate_pass[ordinary].mean()) if ordinary.any() else 0.0
    if fitted:
        gates = np.ones((len(dev), k)) * 1e-6
        judges = np.zeros((len(dev), k))
        for j in fitted:
            gates[:, j], judges[:, j] = gate_dev[j], judge_dev[j]
        negative = ordinary[:, None] & (yd == 0) & np.isin(np.arange(k), fitted)[None, :]
        m.chance_bias, m.chance_slope = fit_chance_curve(gates, judges, m.gate_cut, m.cut, negative)
    return m, report


def fit_chance_curve(
    gate: np.ndarray,
    judge: np.ndarray,
    gate_cut: np.ndarray,
    cut: np.ndarray,
    negative: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The judge's false-accept probability of an ordinary window against its gate margin
    (``logit(gate) - logit(gate_cut)``): one intercept per category, one slope shared by all,
    fitted on the (window, category) pairs of ``negative`` (n, k) — the chance curve a budgeted
    scan sums over the windows it judges. Returns ``(chance_bias (k,), chance_slope (1,))``."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    k = gate.shape[1]
    rows, cols = np.nonzero(negative)
    margin = _logit(gate[rows, cols]) - _logit(gate_cut[cols])
    accepted = judge[rows, cols] >= cut[cols]
    if len(set(accepted.tolist())) < 2:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    onehot = csr_matrix((np.ones(len(cols)), (np.arange(len(cols)), cols)), shape=(len(cols), k))
    x = hstack([onehot, csr_matrix(margin[:, None])]).tocsr()
    model = LogisticRegression(C=10.0, fit_intercept=False, max_iter=5000).fit(x, accepted)
    weights = model.coef_[0]
    return weights[:k].astype(np.float32), np.array([weights[k]], np.float32)


def per_category(records: list[Record], categories: list[str]) -> dict[str, int]:
    """Positives per category."""
    counts: dict[str, int] = defaultdict(int)
    for r in records:
        for c in r.labels:
            counts[c] += 1
    return {c: counts[c] for c in categories}
