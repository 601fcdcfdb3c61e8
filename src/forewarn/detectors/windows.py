"""The unit the passage model judges: a window of a sentence and its neighbours in one chapter.

Every sentence is the centre of one window (the sentences either side of it, within the same
chapter), so a scene is seen from several overlapping windows; the evidence a window yields is
its centre sentence. The same windows, cut from the public-domain novels, are what the corpus
annotators labelled (``training/corpus``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

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


#: What a ``Windows`` is indexed by: a row, or rows (a slice, an index array or a list).
_Key = int | np.integer | slice | np.ndarray | list[int]


class Windows:
    """Many windows as arrays (int32 or int64, one entry per window): a text of two million
    tiny sentences has as many windows, and a ``Window`` object each took hundreds of bytes. The
    arrays are the windows (spaCy's way: the ``Doc`` owns arrays, a ``Span`` is a view made on
    demand); ``windows[i]`` makes the ``Window``, ``windows[rows]`` (rows: a slice, an index
    array or a list) the ``Windows`` of those rows."""

    def __init__(
        self, centre: np.ndarray, lo: np.ndarray, hi: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> None:
        self.centre, self.lo, self.hi = (_integers(x) for x in (centre, lo, hi))
        self.start, self.end = (_integers(x) for x in (start, end))

    @classmethod
    def of(cls, windows: WindowsLike) -> Windows:
        """``windows`` as ``Windows`` (a list of ``Window`` is copied into arrays)."""
        if isinstance(windows, Windows):
            return windows
        fields = [[w.centre, w.lo, w.hi, w.span.start, w.span.end] for w in windows]
        columns = np.array(fields, dtype=np.int64).reshape(len(fields), 5).T
        return cls(*columns)

    @classmethod
    def single(cls, starts: np.ndarray, ends: np.ndarray) -> Windows:
        """One window per sentence, holding that sentence alone."""
        rows = np.arange(len(starts), dtype=np.int64)
        return cls(rows, rows, rows, starts, ends)

    def __len__(self) -> int:
        return len(self.centre)

    @overload
    def __getitem__(self, key: int | np.integer) -> Window: ...

    @overload
    def __getitem__(self, key: slice | np.ndarray | list[int]) -> Windows: ...

    def __getitem__(self, key: _Key) -> Window | Windows:
        if isinstance(key, int | np.integer):
            i = int(key)
            span = Span(int(self.start[i]), int(self.end[i]))
            return Window(int(self.centre[i]), int(self.lo[i]), int(self.hi[i]), span)
        return Windows(self.centre[key], self.lo[key], self.hi[key], self.start[key], self.end[key])

    def __iter__(self) -> Iterator[Window]:
        return (self[i] for i in range(len(self)))


#: What the functions here take: ``Windows``, or ``Window`` objects (the training code's).
WindowsLike = Windows | Sequence[Window]
#: Sentences whose windows ``sentence_windows`` works out at once.
WINDOW_ROWS = 65_536


def _integers(values: np.ndarray | Sequence[int]) -> np.ndarray:
    """``values`` as an int32 or int64 array (int64 unless they already are int32)."""
    array = np.asarray(values)
    return array if array.dtype in (np.int32, np.int64) else array.astype(np.int64)


def _row_type(count: int) -> type[np.signedinteger]:
    """The smallest of int32 and int64 that numbers ``count`` rows."""
    return np.int32 if count < 2**31 else np.int64


def sentence_bounds(doc: Document) -> tuple[np.ndarray, np.ndarray]:
    """The start and end offsets of every sentence of ``doc`` (int64 arrays)."""
    return doc.sentences.starts, doc.sentences.ends


def sentence_windows(doc: Document, context: int = CONTEXT) -> Windows:
    """One window per sentence of ``doc``, never crossing a chapter boundary."""
    starts, ends = sentence_bounds(doc)
    chapter_starts = np.array([c.start for c in doc.chapters], dtype=np.int64)
    # Sentences are in text order, so each chapter's sentences are one run of rows, from
    # ``first`` to ``last`` of its index; the rows' arrays are made ``WINDOW_ROWS`` at a time
    # in the smallest type that holds them (40 bytes a sentence whole, at once, were 16 MB of
    # tiny elements' peak).
    chapter = np.maximum(np.searchsorted(chapter_starts, starts, side="right") - 1, 0)
    ids = np.arange(len(chapter_starts))
    first = np.searchsorted(chapter, ids, side="left")
    last = np.searchsorted(chapter, ids, side="right") - 1
    n, kind = len(starts), _row_type(len(starts))
    lo, hi = np.empty(n, dtype=kind), np.empty(n, dtype=kind)
    for start in range(0, n, WINDOW_ROWS):
        rows = np.arange(start, min(n, start + WINDOW_ROWS))
        at = chapter[start : start + WINDOW_ROWS]
        lo[start : start + len(rows)] = np.maximum(rows - context, first[at])
        hi[start : start + len(rows)] = np.minimum(rows + context, last[at])
    del chapter
    return Windows(np.arange(n, dtype=kind), lo, hi, starts[lo], ends[hi])


def window_texts(doc: Document, windows: WindowsLike) -> list[str]:
    """The text of each window as the models read it: whitespace collapsed as in the corpus,
    invisible characters dropped (``normalize.plain``)."""
    w = Windows.of(windows)
    bounds = zip(w.start.tolist(), w.end.tolist(), strict=True)
    return [" ".join(plain(doc.text[a:b]).split()) for a, b in bounds]


def sentence_texts(doc: Document) -> list[str]:
    """Every sentence of ``doc`` as the models read it (``normalize.plain``)."""
    return [plain(doc.text[s.start : s.end]) for s in doc.sentences]


def pool_sentences(vectors: np.ndarray, windows: WindowsLike) -> np.ndarray:
    """Window embeddings from sentence embeddings: the re-normalised sum of each window's
    sentence vectors (the static stage embeds each sentence once, not three times)."""
    w = Windows.of(windows)
    out = np.zeros((len(w), vectors.shape[1]), dtype=np.float32)
    if not len(w):
        return out
    csum = np.vstack([np.zeros((1, vectors.shape[1]), dtype=np.float32), np.cumsum(vectors, 0)])
    out[:] = csum[w.hi + 1] - csum[w.lo]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(out / np.where(norms > 0, norms, 1.0), dtype=np.float32)


@dataclass(frozen=True)
class SentenceHits:
    """The pattern matches of a text by sentence, kept sparse: parallel arrays of each
    match's sentence row, category column and score. A window's features are read from them
    on demand, so the features of a text's windows are made a chunk at a time (a text of two
    million tiny sentences would take 350 MB per n x k array)."""

    rows: np.ndarray
    columns: np.ndarray
    scores: np.ndarray
    categories: int

    @classmethod
    def of(cls, doc: Document, findings: list[Finding], categories: list[str]) -> SentenceHits:
        """The matches among ``findings`` of ``categories``, each at its sentence of ``doc``."""
        column = {c: j for j, c in enumerate(categories)}
        hits = [(f.start, column[f.category], f.score) for f in findings if f.category in column]
        offsets = np.array([h[0] for h in hits], dtype=np.int64)
        starts, _ = sentence_bounds(doc)
        rows = np.maximum(np.searchsorted(starts, offsets, side="right") - 1, 0)
        columns = np.array([h[1] for h in hits], dtype=np.int64)
        scores = np.array([h[2] for h in hits], dtype=np.float32)
        return cls(rows, columns, scores, len(categories))

    def features(self, windows: WindowsLike) -> np.ndarray:
        """(windows x categories): the strongest match of each category in each window."""
        w = Windows.of(windows)
        out = np.zeros((len(w), self.categories), dtype=np.float32)
        if not len(self.rows) or not len(w):
            return out
        # Each window's rows lo..hi, one offset from lo at a time (windows are short); an
        # offset past hi reads hi again, which changes no maximum.
        reads = [np.minimum(w.lo + offset, w.hi) for offset in range(int((w.hi - w.lo).max()) + 1)]
        needed = np.unique(np.concatenate(reads))
        at = np.minimum(np.searchsorted(needed, self.rows), len(needed) - 1)
        inside = needed[at] == self.rows
        best = np.zeros((len(needed), self.categories), dtype=np.float32)
        np.maximum.at(best, (at[inside], self.columns[inside]), self.scores[inside])
        for rows in reads:
            np.maximum(out, best[np.searchsorted(needed, rows)], out=out)
        return out


def pattern_features(
    doc: Document, windows: WindowsLike, findings: list[Finding], categories: list[str]
) -> np.ndarray:
    """(windows x categories): the strongest pattern match of each category in each window."""
    return SentenceHits.of(doc, findings, categories).features(windows)


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def sentence_words(text: str) -> set[str]:
    """The distinct lower-cased words of one sentence (the bag the word features count)."""
    return set(_WORD.findall(text.lower()))


def sentence_word_scores(
    sentences: Sequence[str], vocabulary: dict[str, int], weights: np.ndarray
) -> np.ndarray:
    """(sentences x k): ``weights`` (k x V) summed over the distinct words of each sentence."""
    out = np.zeros((len(sentences), weights.shape[0]), dtype=np.float32)
    for i, text in enumerate(sentences):
        # sorted: a set's order changes from process to process, and so would a float sum
        ids = sorted(vocabulary[w] for w in sentence_words(text) if w in vocabulary)
        if ids:
            out[i] = weights[:, ids].sum(axis=1)
    return out


def pool_words(
    sentences: Sequence[str],
    windows: WindowsLike,
    vocabulary: dict[str, int],
    weights: np.ndarray,
    chunk: int = 8192,
) -> np.ndarray:
    """(windows x k): each window's word-feature score, ``weights`` (k x V) summed over the
    words of each of its sentences (a word counts once per sentence it occurs in): the
    difference of the prefix sums of the sentences' scores at its two ends. The sentences are
    scored ``chunk`` at a time and the prefix sums kept only as far back as a window still to
    come reaches, so no n x k array is made for a few windows of a long text; the sums run on
    from chunk to chunk, as over the whole array."""
    w = Windows.of(windows)
    out = np.zeros((len(w), weights.shape[0]), dtype=np.float32)
    order = np.argsort(w.hi, kind="stable")  # windows in the order their last sentence comes
    ends, reach = w.hi[order] + 1, np.minimum.accumulate(w.lo[order][::-1])[::-1]
    csum = np.zeros((1, weights.shape[0]), dtype=np.float32)  # sums before sentences base..
    base = done = 0
    for start in range(0, len(sentences), chunk):
        end = min(start + chunk, len(sentences))
        rows = sentence_word_scores(sentences[start:end], vocabulary, weights)
        csum = np.vstack([csum, np.cumsum(np.vstack([csum[-1:], rows]), 0)[1:]])
        upto = int(np.searchsorted(ends, end, side="right"))
        now = order[done:upto]
        out[now] = csum[w.hi[now] + 1 - base] - csum[w.lo[now] - base]
        done = upto
        keep = min(int(reach[done]), end) if done < len(order) else end
        csum, base = csum[keep - base :], keep
    return out
