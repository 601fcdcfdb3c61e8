"""The passage model: one multi-label classifier over the whole taxonomy, with severity.

A passage (a window of a few sentences) is described by two embeddings, its words and one
pattern feature per category: the static model2vec embedding (cheap, for every window), the
MiniLM embedding (for the windows the gate lets through), a bag of words (each word counted
once per sentence, over a vocabulary learnt from the training split) and the strongest pattern
match of the category in the window (0 when none: patterns are evidence the model weighs, not
a verdict). Per category ``c``:

- the **gate** ``sigmoid(static @ gate_coef[c] + words @ gate_words[c] + gate_pattern[c] *
  pattern + gate_bias[c])`` lets a window through to the judge when it reaches ``gate_cut[c]``;
- the **judge** ``sigmoid(minilm @ coef[c] + words @ words[c] + pattern_weight[c] * pattern +
  bias[c])`` decides:
  the window shows ``c`` when it reaches ``cut[c]`` (calibrated on the corpus's dev split);
  ``fast`` mode lets the gate's probability decide instead, against ``fast_cut[c]``;
- the judge's logit is averaged with that of a small **network** over the same reading
  (``relu([minilm, patterns] @ mlp_hidden.T + mlp_hidden_bias) @ mlp_out.T + mlp_out_bias``,
  one hidden layer shared by every category), when the model has one: the two disagree on
  different passages, and their average ranks held-out passages better than either;
- ``severity_coef[c]`` / ``severity_bias[c]`` give a softmax over the severity scale;
- ``false_rate[mode][c]`` is the share of natural dev windows labelled without ``c`` (random
  novel windows, Webis fan fiction) that the mode accepts (``default``: of those the gate lets
  through to the judge), so that a long book's chance hits can be told apart from a real scene
  (see ``detectors.model``); ``strict_rate[l][c]`` is the share the judge accepts at
  ``STRICTER[l]`` logits above its cut (a long book's confident hits are weighed against
  these); ``chance_bias[c]`` and ``chance_slope`` give the judge's false-accept probability of
  one ordinary window as a function of its gate margin (``sigmoid(chance_bias[c] +
  chance_slope * (logit(gate) - logit(gate_cut[c])))``): a budgeted scan judges the gate's
  strongest windows, which fire by chance more often than the average gated one; ``sure[c]``
  is a probability above that of every dev passage
  labelled without ``c`` (hard negatives included), which one window may reach to make the
  warning alone.

Fitted by ``models/train_passage.py`` from ``training/corpus``; stored as plain arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: The scan modes whose window false-alarm rates are stored.
RATE_MODES = ("fast", "default", "thorough")
#: Logit offsets above the judge's cut at which its false-alarm rate is also stored.
STRICTER = (1.0, 2.0, 3.0)


@dataclass
class PassageModel:
    """Gate, judge, severity and calibration arrays for every category (rows: ``categories``)."""

    categories: list[str]
    gate_coef: np.ndarray  # (k, d_static)
    gate_pattern: np.ndarray  # (k,)
    gate_bias: np.ndarray  # (k,)
    gate_cut: np.ndarray  # (k,)
    fast_cut: np.ndarray  # (k,)
    coef: np.ndarray  # (k, d)
    pattern_weight: np.ndarray  # (k,)
    bias: np.ndarray  # (k,)
    cut: np.ndarray  # (k,)
    severity_coef: np.ndarray  # (k, 4, d)
    severity_bias: np.ndarray  # (k, 4)
    false_rate: np.ndarray  # (3, k): RATE_MODES x categories
    sure: np.ndarray  # (2, k): fast, judge: a probability no ordinary window reached
    strict_rate: np.ndarray  # (len(STRICTER), k): the judge's false-alarm rate at stricter cuts
    gate_words: np.ndarray  # (k, V) word weights of the gate
    words: np.ndarray  # (k, V) word weights of the judge
    vocabulary: list[str]  # (V,) the words those weights belong to
    version: str = ""
    #: The network's layers (h, d + k), (h,), (k, h), (k,); empty in a model without one.
    mlp_hidden: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    mlp_hidden_bias: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    mlp_out: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    mlp_out_bias: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    #: The chance curve over the gate margin, (k,) and (1,); empty in a model without one.
    chance_bias: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    chance_slope: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    #: The folder (under ``data/models``) of the ONNX encoder the judge's weights belong to.
    encoder: str = "minilm"

    def __post_init__(self) -> None:
        self.word_index = {w: i for i, w in enumerate(self.vocabulary)}

    def gate(self, static: np.ndarray, patterns: np.ndarray, words: np.ndarray) -> np.ndarray:
        """Stage-1 probabilities (n, k) from static embeddings, pattern features (n, k) and
        the gate's word scores (n, k: ``pool_words`` with ``gate_words``)."""
        logits = _dot(static, self.gate_coef) + patterns * self.gate_pattern + words
        return _sigmoid(logits + self.gate_bias)

    def passes_gate(
        self, static: np.ndarray, patterns: np.ndarray, words: np.ndarray
    ) -> np.ndarray:
        """(n,) whether each window goes on to the judge (any category reaches its gate cut)."""
        return np.asarray((self.gate(static, patterns, words) >= self.gate_cut).any(axis=1))

    def judge(self, embeddings: np.ndarray, patterns: np.ndarray, words: np.ndarray) -> np.ndarray:
        """Stage-2 probabilities (n, k) from MiniLM embeddings, pattern features (n, k) and the
        judge's word scores (n, k: ``pool_words`` with ``words``)."""
        logits = _dot(embeddings, self.coef) + patterns * self.pattern_weight + words + self.bias
        if self.mlp_hidden.size:
            logits = (logits + self.network(embeddings, patterns)) / 2
        return _sigmoid(logits)

    def network(self, embeddings: np.ndarray, patterns: np.ndarray) -> np.ndarray:
        """(n, k) logits of the hidden-layer network over [embeddings, patterns]."""
        x = np.hstack([embeddings, patterns])
        hidden = np.maximum(0.0, _dot(x, self.mlp_hidden) + self.mlp_hidden_bias)
        return np.asarray(_dot(hidden, self.mlp_out) + self.mlp_out_bias)

    def severity(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, k) index into SEVERITIES of each window's most likely severity per category."""
        logits = np.einsum("nd,ksd->nks", embeddings, self.severity_coef) + self.severity_bias
        return np.asarray(np.argmax(logits, axis=2))

    def cuts(self, mode: str) -> np.ndarray:
        """The per-category decision cut-offs ``mode`` applies to its probabilities."""
        return self.fast_cut if mode == "fast" else self.cut

    def sure_cuts(self, mode: str) -> np.ndarray:
        """(k,) probabilities above every dev negative's: one such window is enough."""
        return self.sure[0] if mode == "fast" else self.sure[1]

    def rate(self, mode: str) -> np.ndarray:
        """(k,) share of ordinary windows ``mode`` wrongly accepts, per category."""
        return self.false_rate[RATE_MODES.index(mode)]

    def strict_cuts(self) -> np.ndarray:
        """(len(STRICTER), k) the judge's probabilities ``STRICTER`` logits above its cuts."""
        return np.stack([self.cuts_above(margin) for margin in STRICTER])

    def cuts_above(self, margin: float) -> np.ndarray:
        """(k,) the judge's probabilities ``margin`` logits above its cuts."""
        q = np.clip(self.cut.astype(np.float64), 1e-6, 1 - 1e-6)
        return 1.0 / (1.0 + np.exp(-(np.log(q / (1 - q)) + margin)))

    def chance(self, gate: np.ndarray) -> np.ndarray | None:
        """(n, k) each window's probability of a false accept by the judge, from its gate
        probabilities (None when the model has no chance curve)."""
        if not self.chance_bias.size:
            return None
        q = np.clip(np.asarray(gate, dtype=np.float64), 1e-6, 1 - 1e-6)
        c = np.clip(self.gate_cut.astype(np.float64), 1e-6, 1 - 1e-6)
        margin = np.log(q / (1 - q)) - np.log(c / (1 - c))
        logit = self.chance_bias.astype(np.float64) + float(self.chance_slope[0]) * margin
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))))

    def save(self, path: Path) -> None:
        """Write plain arrays (no pickle) to ``path`` (.npz)."""
        np.savez_compressed(
            path,
            categories=np.array(self.categories),
            vocabulary=np.array(self.vocabulary),
            version=np.array(self.version),
            encoder=np.array(self.encoder),
            **{name: getattr(self, name) for name in _ARRAYS},
        )

    @classmethod
    def load(cls, path: Path) -> PassageModel:
        """Read a model written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            arrays = {
                name: np.asarray(data[name], dtype=np.float32) for name in _ARRAYS if name in data
            }
            k = len(data["categories"])
            # A model fitted before the stricter rates existed: they never decide (rate 1).
            arrays.setdefault("strict_rate", np.ones((len(STRICTER), k), np.float32))
            return cls(
                categories=[str(c) for c in data["categories"]],
                vocabulary=[str(w) for w in data["vocabulary"]],
                version=str(data["version"]),
                encoder=str(data["encoder"]) if "encoder" in data else "minilm",
                **arrays,
            )


_ARRAYS = (
    "gate_coef",
    "gate_pattern",
    "gate_bias",
    "gate_cut",
    "fast_cut",
    "coef",
    "pattern_weight",
    "bias",
    "cut",
    "severity_coef",
    "severity_bias",
    "false_rate",
    "sure",
    "strict_rate",
    "gate_words",
    "words",
    "mlp_hidden",
    "mlp_hidden_bias",
    "mlp_out",
    "mlp_out_bias",
    "chance_bias",
    "chance_slope",
)


def _dot(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``x @ weights.T`` in float64: BLAS sums in an order that depends on its thread count,
    and float32 would let a batch worker and a single process disagree in the last digits."""
    return np.asarray(x, dtype=np.float64) @ np.asarray(weights, dtype=np.float64).T


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Probabilities rounded to 6 decimals: the same on every machine and thread count."""
    p = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=np.float64), -30, 30)))
    return np.asarray(np.round(p, 6), dtype=np.float32)
