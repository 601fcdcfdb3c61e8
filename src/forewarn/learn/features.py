"""Passages as the passage model sees them: static and MiniLM embeddings, pattern features.

A corpus passage is one window: its sentences are pooled as the scanner pools a window's, and
its pattern feature is the strongest match of each category anywhere in it. All passages go
through the scanner's own code (one Document, one paragraph per passage), so training and
scanning compute the same numbers.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from forewarn.detectors.model import feature_patterns
from forewarn.detectors.windows import (
    Window,
    pattern_features,
    pool_sentences,
    pool_words,
    sentence_texts,
    sentence_windows,
    sentence_words,
    window_texts,
)
from forewarn.document import Document, Span
from forewarn.models.encoder import encode_cached
from forewarn.models.static import StaticEmbedder
from forewarn.readers import read_path


@dataclass
class Features:
    """Row-aligned features of a list of passages."""

    static: np.ndarray  # (n, d_static)
    minilm: np.ndarray  # (n, d)
    patterns: np.ndarray  # (n, k)
    sentences: list[str]  # every passage's sentences, in order
    windows: list[Window]  # passage i is windows[i] over ``sentences``

    def bag(self, vocabulary: dict[str, int]) -> Any:
        """(n, V) sparse matrix: in how many of the passage's sentences each word occurs."""
        from scipy.sparse import csr_matrix

        rows, cols = [], []
        for i, w in enumerate(self.windows):
            for s in range(w.lo, w.hi + 1):
                for word in sentence_words(self.sentences[s]):
                    if word in vocabulary:
                        rows.append(i)
                        cols.append(vocabulary[word])
        data = np.ones(len(rows), dtype=np.float32)
        return csr_matrix((data, (rows, cols)), shape=(len(self.windows), len(vocabulary)))

    def word_scores(self, vocabulary: dict[str, int], weights: np.ndarray) -> np.ndarray:
        """(n, k) word scores of each passage under ``weights`` (as the scanner pools them)."""
        return pool_words(self.sentences, self.windows, vocabulary, weights)

    def subset(self, rows: np.ndarray) -> Features:
        """The features of passages ``rows`` only."""
        windows = [self.windows[i] for i in rows]
        return Features(
            self.static[rows], self.minilm[rows], self.patterns[rows], self.sentences, windows
        )


def passage_document(texts: list[str]) -> tuple[Document, list[Window]]:
    """One Document holding every passage as a paragraph, and each passage as one window."""
    parts, spans, pos = [], [], 0
    for text in texts:
        spans.append(Span(pos, pos + len(text)))
        parts.append(text)
        pos += len(text) + 2
    doc = Document("\n\n".join(parts), spans)
    starts = [s.start for s in doc.sentences]
    import bisect

    windows = []
    for span in spans:
        lo = bisect.bisect_left(starts, span.start)
        hi = max(lo, bisect.bisect_right(starts, span.end - 1) - 1)
        windows.append(Window(lo, lo, hi, span))
    return doc, windows


def novel_windows(path: Path, stride: int) -> list[str]:
    """Every ``stride``-th window of the story at ``path``, as the scanner cuts and reads them:
    unlabelled natural text on which the gate learns what the judge accepts."""
    doc = read_path(path)
    windows = sentence_windows(doc)
    return window_texts(doc, windows[np.arange(0, len(windows), stride)])


def passage_features(
    texts: list[str],
    categories: list[str],
    cache: MutableMapping[str, np.ndarray] | None = None,
    encoder: Path | None = None,
) -> Features:
    """Features of ``texts`` (encoder vectors reused from and added to ``cache``; ``encoder``
    is the ONNX encoder's folder, the shipped MiniLM by default)."""
    doc, windows = passage_document(texts)
    feats = pattern_features(doc, windows, feature_patterns()(doc), categories)
    sentences = sentence_texts(doc)
    static = pool_sentences(StaticEmbedder.load().encode(sentences), windows)
    vectors = encode_cached(window_texts(doc, windows), cache, encoder)
    return Features(static, vectors, feats, sentences, windows)
