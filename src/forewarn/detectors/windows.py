"""The unit the passage model judges: a window of a sentence and its neighbours in one chapter.

Every sentence is the centre of one window (the sentences either side of it, within the same
chapter), so a scene is seen from several overlapping windows; the evidence a window yields is
its centre sentence. The same windows, cut from the public-domain novels, are what the corpus
annotators labelled (``training/corpus``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np

from forewarn.document import Document, Span
from forewarn.findings import Finding
from forewarn.normalize import plain

#: Sentences either side of the centre sentence.
CONTEXT = 1


@dataclass(frozen=True)
class Window:
    """Sentence rows ``lo..hi`` (inclusive) around ``centre``; ``span`` covers them all."""

    centre: int
    lo: int
    hi: int
    span: Span


def sentence_windows(doc: Document, context: int = CONTEXT) -> list[Window]:
    """One window per sentence of ``doc``, never crossing a chapter boundary."""
    sentences = doc.sentences
    chapter = [doc.chapter_at(s.start).number for s in sentences]
    windows = []
    for i in range(len(sentences)):
        lo, hi = i, i
        while lo > max(0, i - context) and chapter[lo - 1] == chapter[i]:
            lo -= 1
        while hi < min(len(sentences) - 1, i + context) and chapter[hi + 1] == chapter[i]:
            hi += 1
        windows.append(Window(i, lo, hi, Span(sentences[lo].start, sentences[hi].end)))
    return windows


def window_texts(doc: Document, windows: list[Window]) -> list[str]:
    """The text of each window as the models read it: whitespace collapsed as in the corpus,
    invisible characters dropped (``normalize.plain``)."""
    return [" ".join(plain(doc.text[w.span.start : w.span.end]).split()) for w in windows]


def sentence_texts(doc: Document) -> list[str]:
    """Every sentence of ``doc`` as the models read it (``normalize.plain``)."""
    return [plain(doc.text[s.start : s.end]) for s in doc.sentences]


def pool_sentences(vectors: np.ndarray, windows: list[Window]) -> np.ndarray:
    """Window embeddings from sentence embeddings: the re-normalised sum of each window's
    sentence vectors (the static stage embeds each sentence once, not three times)."""
    out = np.zeros((len(windows), vectors.shape[1]), dtype=np.float32)
    if not len(windows):
        return out
    csum = np.vstack([np.zeros((1, vectors.shape[1]), dtype=np.float32), np.cumsum(vectors, 0)])
    lo = np.array([w.lo for w in windows])
    hi = np.array([w.hi for w in windows]) + 1
    out[:] = csum[hi] - csum[lo]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(out / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def pattern_features(
    doc: Document, windows: list[Window], findings: list[Finding], categories: list[str]
) -> np.ndarray:
    """(windows x categories): the strongest pattern match of each category in each window."""
    column = {c: j for j, c in enumerate(categories)}
    out = np.zeros((len(windows), len(categories)), dtype=np.float32)
    starts = [s.start for s in doc.sentences]
    per_sentence: dict[int, dict[int, float]] = {}
    for f in findings:
        j = column.get(f.category)
        if j is None:
            continue
        row = max(0, bisect.bisect_right(starts, f.start) - 1)
        best = per_sentence.setdefault(row, {})
        best[j] = max(best.get(j, 0.0), f.score)
    for k, w in enumerate(windows):
        for row in range(w.lo, w.hi + 1):
            for j, score in per_sentence.get(row, {}).items():
                out[k, j] = max(out[k, j], score)
    return out


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def sentence_words(text: str) -> set[str]:
    """The distinct lower-cased words of one sentence (the bag the word features count)."""
    return set(_WORD.findall(text.lower()))


def pool_words(
    sentences: list[str], windows: list[Window], vocabulary: dict[str, int], weights: np.ndarray
) -> np.ndarray:
    """(windows x k): each window's word-feature score, ``weights`` (k x V) summed over the
    words of each of its sentences (a word counts once per sentence it occurs in)."""
    k = weights.shape[0]
    per_sentence = np.zeros((len(sentences) + 1, k), dtype=np.float32)
    for i, text in enumerate(sentences):
        # sorted: a set's order changes from process to process, and so would a float sum
        ids = sorted(vocabulary[w] for w in sentence_words(text) if w in vocabulary)
        if ids:
            per_sentence[i + 1] = weights[:, ids].sum(axis=1)
    csum = np.cumsum(per_sentence, axis=0)
    lo = np.array([w.lo for w in windows], dtype=np.int64)
    hi = np.array([w.hi for w in windows], dtype=np.int64) + 1
    return np.asarray(csum[hi] - csum[lo], dtype=np.float32)
