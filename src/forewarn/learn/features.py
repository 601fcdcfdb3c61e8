"""Passages as the passage model sees them: static and MiniLM embeddings, pattern features.

A corpus passage is one window: its sentences are pooled as the scanner pools a window's, and
its pattern feature is the strongest match of each category anywhere in it. All passages go
through the scanner's own code (one Document, one paragraph per passage), so training and
scanning compute the same numbers.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import numpy as np

from forewarn.detectors.model import feature_patterns
from forewarn.detectors.windows import Window, pattern_features, pool_sentences
from forewarn.document import Document, Span


@dataclass
class Features:
    """Row-aligned features of a list of passages."""

    static: np.ndarray  # (n, d_static)
    minilm: np.ndarray  # (n, d)
    patterns: np.ndarray  # (n, k)


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


def passage_features(
    texts: list[str],
    categories: list[str],
    cache: MutableMapping[str, np.ndarray] | None = None,
    minilm: bool = True,
) -> Features:
    """Features of ``texts`` (MiniLM vectors reused from and added to ``cache``)."""
    from forewarn.models import StaticEmbedder
    from forewarn.models.encoder import encode_cached

    doc, windows = passage_document(texts)
    feats = pattern_features(doc, windows, feature_patterns()(doc), categories)
    sentences = [doc.text[s.start : s.end] for s in doc.sentences]
    static = pool_sentences(StaticEmbedder.load().encode(sentences), windows)
    vectors = encode_cached(texts, cache) if minilm else np.zeros((len(texts), 0), np.float32)
    return Features(static, vectors, feats)
