"""The passage-model detector: a trained classifier decides every warning.

Every sentence window of the story (``detectors.windows``) gets the static gate's probability
for each category, from its model2vec embedding, its words and the pattern matches inside it.
``fast`` lets the gate decide; ``default`` sends the windows the gate lets through (its cut-
offs are set for recall) to the MiniLM judge, at most ``JUDGED_SHARE`` of a long text's
windows; ``thorough`` judges every window. Patterns are one feature among many: they no longer
decide (``PATTERN_DECIDED`` could hand a category back to them; none is).

Above the window, the detector decides whether the *story* holds a category: a window is
evidence when its probability reaches the category's cut-off (calibrated on the corpus's dev
split); the category is reported when there is evidence and it is more than chance in a text
this long: the evidence windows, or the windows the gate accepts (it reads all of them), are
too many for their false-accept rates on the dev split's natural windows
(``PassageModel.rate``), or its confident windows (a few logits above the cut) are too many
for the false-accept rates at those stricter cuts (``PassageModel.strict_rate``: a novel's
few sure scenes are not drowned by its many borderline windows), or one window is surer than
any labelled negative of the dev split was (``PassageModel.sure``), or two separate scenes hold
a window far above the cut (``SCENE_MARGIN``). A suicide attempt followed
closely by a death is a completed suicide. Each evidence window is quoted by its sentence the
gate finds most telling, with the probability rescaled so that the cut-off maps to 0.5.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

import numpy as np

from forewarn.detectors.patterns import PatternDetector
from forewarn.detectors.windows import (
    SentenceHits,
    Windows,
    WindowsLike,
    pool_words,
    sentence_texts,
    sentence_windows,
    sentence_word_scores,
    window_texts,
)
from forewarn.document import Document
from forewarn.findings import Finding
from forewarn.models.artifacts import models_dir
from forewarn.models.encoder import encode_cached
from forewarn.models.passage import PassageModel
from forewarn.models.static import StaticEmbedder
from forewarn.taxonomy import SEVERITIES

#: Categories whose words are the content: the patterns decide them, not the model.
PATTERN_DECIDED: tuple[str, ...] = ()
#: A category is reported when its evidence windows would arise by chance with at most this
#: probability in a long text; a short text of ``n`` windows may take ``SHORT / n`` (a passage
#: of a few sentences is judged almost window by window, a novel needs more than chance hits).
CHANCE = 0.01
SHORT = 5.0
#: A category is reported, whatever its chance rates, when at least ``SCENES`` scenes (windows
#: more than ``SPREAD`` apart) each hold a window ``SCENE_MARGIN`` logits above its cut: the
#: judge's hits that far above the cut were genuine 0.92 of the time (round-5 draws, labelled
#: after the model was frozen), so two separate ones are rarely both chance.
SCENE_MARGIN = 4.0
SCENES = 2
#: Windows after an attempt in which a death makes it a completed suicide.
ATTEMPT_TO_DEATH = 4
#: ``default`` judges at most this share of a long text's windows (but at least MIN_JUDGED):
#: first each category's ``FIRST_SCENES`` strongest scenes, so a whaling novel's thousand
#: harpoonings do not crowd out its one drowning, then every other scene by how far its gate
#: clears the cut, whatever its category (taking every category's scenes rank by rank instead
#: spent the budget on categories the judge then rejects: dev novels 0.67 -> 0.74 located).
JUDGED_SHARE = 0.06
MIN_JUDGED = 400
FIRST_SCENES = 3
#: Windows (sentences) apart that count as one scene when the budget is shared out.
SPREAD = 8
#: Sentences (and windows) the gate reads at once: their static vectors, float32 and float64,
#: are the scan's largest arrays (2 million tiny sentences: 2 GB each, whole), and a chunk's
#: temporaries were still a short text's peak at 8,192 (2 MB of tiny elements: 360 MB peak
#: RSS at 8,192, 281 MB at 2,048). The gate's float64 dot over 2,048 rows sums as over more.
GATE_ROWS = 2048


def judge_budget(windows: int) -> int:
    """How many of a text's ``windows`` the default mode may send to the judge."""
    return max(MIN_JUDGED, int(JUDGED_SHARE * windows))


def feature_patterns() -> PatternDetector:
    """The pattern lexicons the model reads as features (not the pattern-decided ones)."""
    detector = PatternDetector()
    detector.lexicons = tuple(x for x in detector.lexicons if x.category not in PATTERN_DECIDED)
    return detector


def model_path() -> Path:
    """Where the shipped passage model lives."""
    return models_dir() / "passage.npz"


@cache
def shipped_model() -> PassageModel:
    """The shipped passage model, read once per process."""
    return PassageModel.load(model_path())


@dataclass
class Judgement:
    """Per window and category: the gate's probability and the sentence to quote (int8: its
    offset from the window's centre), of the windows ``kept`` (None: every window); and for
    the windows the judge read (``judged``; None: every window), in order, its probability and
    severity index (int8). Only those rows are held: a text's windows can number millions, a
    default scan judges a few in twenty, and only windows near a cut can matter later."""

    #: The judge's probabilities of the windows it read (a fast scan: the gate's).
    judged_proba: np.ndarray
    #: Their severity indices (into ``SEVERITIES``).
    judged_severity: np.ndarray
    focus: np.ndarray
    #: The gate's probabilities (every window is gated, whatever the mode; the rows held are
    #: those of ``kept``).
    gate: np.ndarray
    #: (category, sentence start) -> the strongest pattern match there, to highlight.
    matches: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    #: Which windows the judge read (all but in a budgeted ``default`` scan of a long text).
    judged: np.ndarray | None = None
    #: The windows (ascending) whose gate and focus rows are held: every window whose gate
    #: reaches a thousandth below its gate or fast cut in some category (``_near_a_cut``);
    #: None: every window. Counts at those cuts and the judged windows' rows are all there.
    kept: np.ndarray | None = None

    def gate_of(self, windows: np.ndarray) -> np.ndarray:
        """The gate's rows of ``windows`` (a mask over every window), all of them held."""
        return self.gate[windows if self.kept is None else windows[self.kept]]

    def focus_of(self, window: int, column: int) -> int:
        """Window ``window``'s sentence to quote for category ``column``, from its centre."""
        row = window if self.kept is None else int(np.searchsorted(self.kept, window))
        return int(self.focus[row, column])

    def judged_rows(self) -> np.ndarray:
        """The windows the judge read, in order (the rows of ``judged_proba``)."""
        return np.arange(len(self.gate)) if self.judged is None else np.flatnonzero(self.judged)

    @property
    def proba(self) -> np.ndarray:
        """(windows x categories) the judge's probabilities, 0 where it did not read."""
        return self._spread(self.judged_proba, 0)

    @property
    def severity(self) -> np.ndarray:
        """(windows x categories) severity indices, "mentioned" where the judge did not read."""
        return self._spread(self.judged_severity, SEVERITIES.index("mentioned"))

    def _spread(self, rows: np.ndarray, fill: int) -> np.ndarray:
        """The judged ``rows`` set into an array of every window, ``fill`` elsewhere."""
        if self.judged is None:
            return rows
        out = np.full((len(self.judged), rows.shape[1]), fill, dtype=rows.dtype)
        out[self.judged] = rows
        return out

    def judged_share(self, gate_cuts: np.ndarray) -> np.ndarray:
        """Per category: the share of the windows its gate lets through that were judged."""
        if self.judged is None:
            return np.ones(self.gate.shape[1])
        gated = _count_at_least(self.gate, gate_cuts)
        seen = _count_at_least(self.gate_of(self.judged), gate_cuts)
        return np.where(gated > 0, seen / np.maximum(1, gated), 1.0)


class ModelDetector:
    """Decides, per category, whether the story holds it and which windows show it."""

    name = "model"

    def __init__(
        self,
        mode: str = "default",
        model: PassageModel | None = None,
        cache: MutableMapping[str, np.ndarray] | None = None,
        encoder: Path | None = None,
    ) -> None:
        self.mode = mode
        self.model = model or shipped_model()
        self.cache = cache
        #: The judge's ONNX encoder folder (default: the shipped one the model names).
        self.encoder = encoder or models_dir() / self.model.encoder
        self.patterns = feature_patterns()

    def categories(self) -> list[str]:
        """The categories this detector decides (all but the pattern-decided ones)."""
        return [c for c in self.model.categories if c not in PATTERN_DECIDED]

    def __call__(self, doc: Document) -> list[Finding]:
        windows = sentence_windows(doc)
        if not windows:
            return []
        return self.decide(doc, windows, self.judge(doc, windows))

    def judge(self, doc: Document, windows: WindowsLike) -> Judgement:
        """The model's reading of every window (unjudged windows: probability 0)."""
        model, windows = self.model, Windows.of(windows)
        # The deadline binds between stages and within the encoders' batches: the judge's
        # encoding of a long text's windows alone takes tens of seconds.
        check = doc.deadline.check if doc.deadline is not None else _no_deadline
        findings = self.patterns(doc)
        hits = SentenceHits.of(doc, findings, model.categories)
        sentences = sentence_texts(doc)
        check()
        # The sentence of a window that the gate finds most telling is its evidence. Every
        # window the judge reads: only those near a cut matter after in the other modes.
        gate, focus, kept = _static_gate(
            model,
            StaticEmbedder.load().batches(sentences, check=check),
            windows,
            lambda start, end: sentence_word_scores(
                sentences[start:end], model.word_index, model.gate_words
            ),
            hits,
            keep=None if self.mode == "thorough" else partial(_near_a_cut, model),
        )
        check()
        matches = _strongest_matches(findings)
        if self.mode == "fast":
            severity = np.full(gate.shape, SEVERITIES.index("mentioned"), dtype=np.int8)
            seen = np.zeros(len(windows), dtype=bool)
            seen[kept] = True  # the windows below every cut have no say in the verdict
            return Judgement(gate, severity, focus, gate, matches, seen, kept)
        judged = None
        if self.mode == "thorough":
            rows = np.arange(len(windows))
        else:
            rows = _budgeted(gate, model.gate_cut, judge_budget(len(windows)), kept)
            judged = np.zeros(len(windows), dtype=bool)
            judged[rows] = True
        proba = np.zeros((len(rows), gate.shape[1]), dtype=np.float32)
        severity = np.full(proba.shape, SEVERITIES.index("mentioned"), dtype=np.int8)
        if len(rows):
            check()
            chosen = windows[rows]
            texts = window_texts(doc, chosen)
            embeddings = encode_cached(texts, self.cache, self.encoder, check=check)
            words = pool_words(sentences, chosen, model.word_index, model.words)
            proba[:] = model.judge(embeddings, hits.features(chosen), words)
            severity[:] = model.severity(embeddings)
        return Judgement(proba, severity, focus, gate, matches, judged, kept)

    def decide(self, doc: Document, windows: WindowsLike, seen: Judgement) -> list[Finding]:
        """Findings for the categories the story holds: every window at or above the cut,
        quoted by its most telling sentence."""
        model, sentences, centres = self.model, doc.sentences, Windows.of(windows).centre
        # The judged windows' rows only: every other window's probability is 0, below any cut.
        rows, proba, severity = seen.judged_rows(), seen.judged_proba, seen.judged_severity
        cuts, sure = model.cuts(self.mode), model.sure_cuts(self.mode)
        # Over every window of the text: the judge's hits against its false-accept rate per
        # window, scaled to the windows it read (a budgeted scan judges the gate's strongest:
        # ``_chance_share``), and the gate's hits against its own rate.
        rates, gate_rates = model.rate("thorough"), model.rate("fast")
        share = _chance_share(model, seen, len(windows))
        gate_hits = _count_at_least(seen.gate, model.fast_cut)  # all of them are kept
        strict_cuts, strict_rates = model.strict_cuts(), model.strict_rate
        scene_cuts = model.cuts_above(SCENE_MARGIN)
        column = {c: j for j, c in enumerate(model.categories)}
        held: dict[str, np.ndarray] = {}
        for j, category in enumerate(model.categories):
            if category in PATTERN_DECIDED:
                continue
            hit = np.nonzero(proba[:, j] >= cuts[j])[0]
            above, hit_proba = rows[hit], proba[hit, j]
            if not len(above):
                continue
            if (
                _beyond_chance(len(above), len(windows), float(rates[j] * share[j]))
                or _beyond_chance(int(gate_hits[j]), len(windows), float(gate_rates[j]))
                or any(
                    _beyond_chance(
                        int((hit_proba >= cut).sum()), len(windows), float(rate * share[j])
                    )
                    for cut, rate in zip(strict_cuts[:, j], strict_rates[:, j], strict=True)
                )
                or float(hit_proba.max()) >= sure[j]
                or _scenes(above[hit_proba >= scene_cuts[j]]) >= SCENES
            ):
                held[category] = above
        if "death" in column:
            death = np.zeros(len(windows), dtype=bool)
            death[rows[proba[:, column["death"]] >= cuts[column["death"]]]] = True
            _complete_suicides(held, death, column)
        findings = []
        for category, windows_held in held.items():
            j = column[category]
            at = np.searchsorted(rows, windows_held)  # their rows among the judged
            # the held windows' scores only: the whole n x k would take several times that
            score = _rescale(proba[at, j], cuts[j : j + 1])
            for i, r, row_score in zip(windows_held, at, score.tolist(), strict=True):
                s = sentences[int(centres[i]) + seen.focus_of(int(i), j)]
                lo, hi = seen.matches.get((category, s.start), (s.start, s.end))
                findings.append(
                    Finding(
                        category=category,
                        start=s.start,
                        end=s.end,
                        score=row_score,
                        severity=SEVERITIES[int(severity[r, j])],
                        detector=self.name,
                        match_start=lo,
                        match_end=hi,
                        cues=(f"model:{self.mode}",),
                        judged=float(proba[r, j]),
                    )
                )
        return findings


def _static_gate(
    model: PassageModel,
    batches: Iterator[tuple[int, np.ndarray]],
    windows: WindowsLike,
    words: Callable[[int, int], np.ndarray],
    hits: SentenceHits,
    keep: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The gate's probabilities per window and the sentence of each window it scores highest
    (``_focus``), of the windows ``keep`` picks from their probabilities (a row mask; None:
    every window), with those windows' rows (None: every window; ``_Rows``); from the static
    encoder's ``batches``, ``GATE_ROWS`` sentences at a time:
    neither the vectors of the whole text nor its n x k inputs exist at once. ``words(start,
    end)`` are the gate's word scores of
    sentences ``start..end-1`` (``sentence_word_scores``); a window's static vector and word
    score are the sums of its sentences' (as ``pool_sentences`` and ``pool_words`` make them)
    and its pattern features are ``hits``'. The results are those of the whole arrays: one
    prefix sum of vectors and word scores runs on from chunk to chunk (numpy adds them in
    order), and every chunk's float64 dot takes the path, and the summation order, of a long
    array (``_gate_rows``). The gate's probabilities per sentence are kept, like the prefix
    sums, only as far back as a window still to come reaches.

    ``windows`` are in order of their sentences (as ``sentence_windows`` makes them), and
    every sentence is in one (the centre of its own, as there)."""
    w = Windows.of(windows)
    lo, hi, total = w.lo, w.hi + 1, len(w)
    if np.any(np.diff(lo) < 0) or np.any(np.diff(hi) < 0):
        raise ValueError("windows out of sentence order")
    n, k = int(hi[-1]) if total else 0, len(model.categories)
    out = _Rows(total, k, keep)
    csum = np.zeros((1, 0), dtype=np.float32)  # prefix sums of sentences base..end
    by_sentence = np.zeros((0, k), dtype=np.float32)  # the gate of sentences base..end
    base = done = 0
    for start, vectors in _regroup(batches, GATE_ROWS):
        end, d = start + len(vectors), vectors.shape[1]
        rows = np.hstack([vectors, words(start, end)])
        if start == 0:
            csum = np.vstack([np.zeros((1, d + k), dtype=np.float32), np.cumsum(rows, 0)])
        else:
            csum = np.vstack([csum, np.cumsum(np.vstack([csum[-1:], rows]), 0)[1:]])
        # Each sentence's word score as a one-sentence window's: its two prefix sums' difference.
        single_words = np.diff(csum[start - base :, d:], axis=0)
        features = hits.features(_singles(start, end))
        gated = _gate_rows(model, vectors, features, single_words, n)
        by_sentence = np.vstack([by_sentence, gated])
        upto = int(np.searchsorted(hi, end, side="right"))
        if upto > done:
            sums = csum[hi[done:upto] - base] - csum[lo[done:upto] - base]
            pooled = np.ascontiguousarray(sums[:, :d])
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            pooled = np.asarray(pooled / np.where(norms > 0, norms, 1.0), dtype=np.float32)
            features = hits.features(w[done:upto])
            gate = _gate_rows(model, pooled, features, sums[:, d:], total)
            out.add(done, gate, _focus(by_sentence, base, w[done:upto]))
            done = upto
        reach = min(int(lo[done]), end) if done < total else end
        csum, by_sentence, base = csum[reach - base :], by_sentence[reach - base :], reach
    return out.arrays()


class _Rows:
    """The gate's and the focus's rows of ``total`` windows, gathered chunk by chunk: of the
    windows ``keep`` picks (a row mask from a chunk's probabilities), or of every window where
    ``keep`` is None. Two million tiny windows took 168 bytes of gate and 42 of focus each."""

    def __init__(self, total: int, k: int, keep: Callable[[np.ndarray], np.ndarray] | None):
        self.keep = keep
        size = 0 if keep is not None else total
        self.gate = np.zeros((size, k), dtype=np.float32)
        self.focus = np.zeros((size, k), dtype=np.int8)
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, first: int, gate: np.ndarray, focus: np.ndarray) -> None:
        """The rows of windows ``first..first+len(gate)-1``."""
        if self.keep is None:
            self.gate[first : first + len(gate)] = gate
            self.focus[first : first + len(gate)] = focus
            return
        picked = self.keep(gate)
        if picked.any():  # no small array per chunk where none is kept: each pins the heap
            self.parts.append((np.flatnonzero(picked) + first, gate[picked], focus[picked]))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The gate's rows, the focus's and the windows they are of (None: every window)."""
        if self.keep is None:
            return self.gate, self.focus, None
        rows, gate, focus = zip(*self.parts, strict=True) if self.parts else ((), (), ())
        return (
            np.concatenate([self.gate, *gate]),
            np.concatenate([self.focus, *focus]),
            np.concatenate([np.zeros(0, dtype=np.int64), *rows]),
        )


#: How far below the lower of its gate and fast cuts a window's probability is still kept:
#: the cuts' tests (``_gated``'s logits) then find every window they pass among those kept.
NEAR = 0.999


def _near_a_cut(model: PassageModel, gate: np.ndarray) -> np.ndarray:
    """(rows,) whether each row of ``gate`` reaches, in some category, a thousandth below the
    lower of its gate and fast cuts: only those windows are judged, counted or quoted."""
    cut = np.minimum(model.gate_cut, model.fast_cut)
    floor = np.where(cut > 2e-6, NEAR * cut, 0.0)  # _logit clips below 1e-6
    return np.asarray((gate >= floor).any(axis=1))


def _singles(start: int, end: int) -> Windows:
    """Sentences ``start..end-1``, each a window of its own (its span is not needed here)."""
    rows = np.arange(start, end, dtype=np.int64)
    return Windows(rows, rows, rows, rows, rows)


def _regroup(
    batches: Iterator[tuple[int, np.ndarray]], rows: int
) -> Iterator[tuple[int, np.ndarray]]:
    """``batches`` (first row, array) joined into chunks of ``rows`` rows (the last: fewer)."""
    held: list[np.ndarray] = []
    first = count = 0
    for start, array in batches:
        if not held:
            first = start
        held.append(array)
        count += len(array)
        while count >= rows:
            joined = np.vstack(held)
            yield first, joined[:rows]
            first, count = first + rows, count - rows
            held = [joined[rows:]] if count else []
    if count:
        yield first, np.vstack(held)


def _gate_rows(
    model: PassageModel, static: np.ndarray, patterns: np.ndarray, words: np.ndarray, total: int
) -> np.ndarray:
    """``model.gate`` of some rows of an array of ``total`` rows, each row's float64 dot
    summed as over the whole array: BLAS takes another path (another summation order) for a
    few rows, so a short chunk of a long array is padded to ``GATE_ROWS`` rows with zeros."""
    n = len(static)
    if n >= GATE_ROWS or total <= n:
        return model.gate(static, patterns, words)
    pad = GATE_ROWS - n

    def padded(x: np.ndarray) -> np.ndarray:
        return np.vstack([x, np.zeros((pad, x.shape[1]), dtype=x.dtype)])

    return model.gate(padded(static), padded(patterns), padded(words))[:n]


def _no_deadline() -> None:
    """The check of a document without a time limit."""


def _strongest_matches(findings: list[Finding]) -> dict[tuple[str, int], tuple[int, int]]:
    """Per (category, sentence start): the span of its strongest pattern match (a highlight
    for the reader; the model has already weighed the match as a feature)."""
    best: dict[tuple[str, int], Finding] = {}
    for f in findings:
        key = (f.category, f.start)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return {key: (f.match_start, f.match_end) for key, f in best.items()}


def _focus(by_sentence: np.ndarray, first: int, windows: Windows) -> np.ndarray:
    """(windows x categories) which sentence of each window the gate scores highest, as its
    offset from the window's centre (int8); ``by_sentence`` holds the gate's probabilities
    of sentences ``first..``, every sentence of ``windows`` among them."""
    n, centre = len(by_sentence), windows.centre - first
    best = np.zeros((len(windows), by_sentence.shape[1]), dtype=np.int8)
    top = by_sentence[centre]
    for shift in (-1, 1):
        rows = centre + shift
        inside = (windows.lo - first <= rows) & (rows <= windows.hi - first)
        other = by_sentence[np.clip(rows, 0, n - 1)]
        better = inside[:, None] & (other > top)
        best = np.where(better, np.int8(shift), best)
        top = np.where(better, other, top)
    return best


def _budgeted(
    gate: np.ndarray, cuts: np.ndarray, budget: int, kept: np.ndarray | None = None
) -> np.ndarray:
    """The gated windows to judge, at most ``budget`` (``gate``'s rows are those of windows
    ``kept``; None: of every window): each category's ``FIRST_SCENES`` strongest scenes, then
    every other (window, category) by how far it clears its gate cut. A window within
    ``SPREAD`` sentences of a better one of the same category ranks after every window that
    is not: one judged window per scene locates it, and the budget reaches more scenes."""
    rows, cols, strength = _gated(gate, cuts)
    if kept is not None:
        rows = kept[rows]
    if len(np.unique(rows)) <= budget:
        return np.unique(rows)
    rank = np.empty(len(rows), dtype=np.int64)
    for j in np.unique(cols):
        at = np.nonzero(cols == j)[0]
        at = at[np.argsort(-strength[at], kind="stable")]
        near = _crowded(rows[at], SPREAD)
        rank[at[~near]] = np.arange(int((~near).sum()))
        rank[at[near]] = len(rows) + np.arange(int(near.sum()))
    tier = np.where(rank < FIRST_SCENES, 0, np.where(rank < len(rows), 1, 2))
    order = np.lexsort((-strength, tier))
    chosen: list[int] = []
    seen: set[int] = set()
    for i in rows[order]:
        if int(i) not in seen:
            seen.add(int(i))
            chosen.append(int(i))
            if len(chosen) == budget:
                break
    return np.array(sorted(chosen), dtype=np.int64)


def _gated(gate: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (window, category) pairs whose gate probability clears the category's cut, in
    row-major order, with how far (in logits): ``GATE_ROWS`` windows at a time, since the
    margins of every pair would be n x k floats, several times over in temporaries."""
    rows, cols, strength = [], [], []
    for start in range(0, len(gate), GATE_ROWS):
        margin = _logit(gate[start : start + GATE_ROWS]) - _logit(cuts)
        r, c = np.nonzero(margin >= 0)
        rows.append(r + start)
        cols.append(c)
        strength.append(margin[r, c])
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(strength)


def _count_at_least(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """(k,) how many rows of ``values`` (n x k) reach each column's cut, ``GATE_ROWS`` rows at
    a time: the comparison whole would be an n x k array of its own."""
    counts = np.zeros(values.shape[1], dtype=np.int64)
    for start in range(0, len(values), GATE_ROWS):
        counts += (values[start : start + GATE_ROWS] >= cuts).sum(axis=0)
    return counts


def _crowded(rows: np.ndarray, spread: int) -> np.ndarray:
    """For rows in order of preference: whether each lies within ``spread`` of an earlier one
    that was not itself crowded out."""
    kept: list[int] = []
    crowded = np.zeros(len(rows), dtype=bool)
    for k, r in enumerate(rows.tolist()):
        at = bisect.bisect_left(kept, r - spread)
        if at < len(kept) and kept[at] <= r + spread:
            crowded[k] = True
        else:
            bisect.insort(kept, r)
    return crowded


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1 - q)))


def _rescale(proba: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Probabilities moved on the logit scale so that each category's cut-off becomes 0.5."""
    logit = _logit(proba) - _logit(cuts)
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float32)


def _chance_share(model: PassageModel, seen: Judgement, windows: int) -> np.ndarray:
    """(k,) what the per-window false-accept rates are scaled by for the windows judged: 1
    where every gated window was; where a budget left some out, the chance curve's expected
    false accepts over the windows actually judged (the gate's strongest, which fire by chance
    more than the average gated window) against the unscaled rate, or without a curve the
    judged share of the gated windows."""
    share = seen.judged_share(model.gate_cut)
    budgeted = share < 1
    if seen.judged is None or not budgeted.any():
        return share
    chance = model.chance(seen.gate_of(seen.judged))
    if chance is None:
        return share
    curve = chance.sum(axis=0) / np.maximum(1e-12, windows * model.rate("thorough"))
    return np.asarray(np.where(budgeted, curve, share))


def _beyond_chance(hits: int, windows: int, rate: float) -> bool:
    """Whether ``hits`` accepted windows out of ``windows`` are unlikely when each ordinary
    window is accepted with probability ``rate`` (a Poisson tail below CHANCE, or below
    SHORT / windows in a short text)."""
    expected = windows * rate
    tail, term = 0.0, math.exp(-expected)
    for k in range(hits):
        tail += term
        term *= expected / (k + 1)
    return 1.0 - tail < max(CHANCE, min(0.5, SHORT / max(1, windows)))


def _scenes(rows: np.ndarray) -> int:
    """How many scenes the window ``rows`` (ascending) fall in: runs no more than ``SPREAD``
    windows apart count as one."""
    if not len(rows):
        return 0
    return 1 + int((np.diff(rows) > SPREAD).sum())


def _complete_suicides(
    held: dict[str, np.ndarray], death: np.ndarray, column: dict[str, int]
) -> None:
    """An attempt followed within ``ATTEMPT_TO_DEATH`` windows by a death window (``death``:
    per window, whether it reaches the death cut) is a suicide that succeeded: its windows
    become evidence of ``suicide-completed`` too."""
    attempts = held.get("suicide-attempt")
    if attempts is None or "suicide-completed" not in column:
        return
    completed = [i for i in attempts if death[i : i + ATTEMPT_TO_DEATH + 1].any()]
    if completed:
        before = held.get("suicide-completed", np.zeros(0, dtype=np.int64))
        held["suicide-completed"] = np.union1d(before, completed).astype(np.int64)
