"""The learned detector: shipped sentence encoders and linear heads judge the candidates.

The pattern detector proposes candidates: explainable matches, with negation, hypotheticals
and idioms already ruled out. This detector judges each one in context: it embeds a window of
three sentences around the candidate with the MiniLM encoder (``fast``: the sentence alone
with the static model2vec table) and asks that category's head, whose verdict is recorded on
the evidence as the cue ``model:confirmed`` or ``model:doubted`` (a doubted passage is listed
after confirmed ones of the same severity, and the head's probability breaks ties). The
verdict does not change a candidate's score: letting a doubting head take weight measured
worse than the patterns alone on the grouped Webis estimate (docs/EVALUATION.md), so the
patterns decide presence, with one exception:
in a text short enough (a passage, a drabble), a head may make a warning alone when its best
window scores higher than all but ``ALONE_ALPHA`` of the windows of passages labelled without
the category would, given how many windows the text has (``LinearHeads.alone_cut``).
Only heads whose cut-off was calibrated on labelled passages judge. ``thorough`` also judges
every other window and adds the passages calibrated heads accept there to the categories the
story already holds: slower, for readers who skip chapters and want every passage of what
they avoid located.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from forewarn.document import Document, Span
from forewarn.findings import ALONE, CONFIRMED, DOUBTED, Finding
from forewarn.models.artifacts import models_dir
from forewarn.models.heads import LinearHeads
from forewarn.report import aggregate

#: Sentences either side of a candidate in its window (same chapter only).
CONTEXT = 1
#: Candidates judged per category at most (the strongest); the rest keep their score.
MAX_JUDGED = 64
#: The chance of a false alarm a head alone may take per category and text (``alone_cut``).
ALONE_ALPHA = 0.05


def heads_path(name: str) -> Path:
    """Where the shipped heads called ``name`` (``static`` or ``minilm``) live."""
    return models_dir() / "heads" / f"{name}.npz"


@cache
def shipped_heads(name: str) -> LinearHeads:
    """The shipped heads called ``name``, read once per process."""
    return LinearHeads.load(heads_path(name))


class ModelDetector:
    """Records a head's judgement of each earlier finding's context on its cues."""

    name = "model"

    def __init__(
        self,
        mode: str = "default",
        screen: LinearHeads | None = None,
        judge: LinearHeads | None = None,
        cache: MutableMapping[str, np.ndarray] | None = None,
    ) -> None:
        self.mode = mode
        self.screen = screen or shipped_heads("static")
        self.judge = judge or shipped_heads("minilm")
        self.cache = cache

    @property
    def heads(self) -> LinearHeads:
        """The heads this mode judges with: the static ones in ``fast`` mode, else MiniLM's."""
        return self.screen if self.mode == "fast" else self.judge

    def categories(self) -> list[str]:
        """The calibrated categories: the only ones this detector can add a finding to."""
        return [c for c, ok in zip(self.heads.categories, self.heads.calibrated, strict=True) if ok]

    def __call__(self, doc: Document) -> list[Finding]:
        sentences = doc.sentences
        if not sentences:
            return []
        starts = np.array([s.start for s in sentences])
        alone = {
            j: cut
            for j in range(len(self.heads.categories))
            if (cut := self.heads.alone_cut(j, len(sentences), ALONE_ALPHA)) < np.inf
        }
        if self.mode == "thorough" or (alone and self.mode == "fast"):
            rows = list(range(len(sentences)))
        else:
            rows = sorted(
                {_row(starts, f.start) for f in self._candidates(doc)}
                | self._screened(doc, sentences, alone)
            )
        proba, severities = self._judge(doc, sentences, rows)
        at = {row: k for k, row in enumerate(rows)}
        column = {c: j for j, c in enumerate(self.heads.categories)}
        judged = []
        for f in doc.findings:
            j = column.get(f.category)
            if j is None or _row(starts, f.start) not in at or not self.heads.calibrated[j]:
                judged.append(f)
                continue
            q, cut = float(proba[at[_row(starts, f.start)], j]), float(self.heads.decision[j])
            judged.append(replace(f, cues=(*f.cues, CONFIRMED if q >= cut else DOUBTED), judged=q))
        doc.findings[:] = judged
        added = self._alone(doc, [sentences[i] for i in rows], proba, severities, alone)
        if self.mode == "thorough":
            doc.findings.extend(added)
            added += self._unprompted(doc, sentences, rows, proba, severities)
            del doc.findings[len(judged) :]
        return added

    def _screened(self, doc: Document, sentences: list[Span], alone: dict[int, float]) -> set[int]:
        """Stage 1 for the heads deciding alone: the sentences whose static-table head passes
        its recall-first screening cut-off, for any category that may be decided alone. Only
        their windows go to MiniLM (a short work no longer pays for every window)."""
        from forewarn.models import StaticEmbedder

        column = {c: j for j, c in enumerate(self.screen.categories)}
        wanted = [column[c] for c in (self.judge.categories[j] for j in alone) if c in column]
        if not wanted:
            return set()
        texts = [doc.text[s.start : s.end] for s in sentences]
        proba = self.screen.predict_proba(StaticEmbedder.load().encode(texts))[:, wanted]
        passed = (proba >= self.screen.screen[wanted]).any(axis=1)
        return {int(i) for i in np.nonzero(passed)[0]}

    def _alone(
        self,
        doc: Document,
        sentences: list[Span],
        proba: np.ndarray,
        severities: list[str],
        cuts: dict[int, float],
    ) -> list[Finding]:
        """Warnings no pattern found, made by a head alone: in a text short enough that its
        best judged window reaching ``cuts[j]`` is a false alarm at most ``ALONE_ALPHA`` of the
        time (``sentences[k]`` is the sentence row ``k`` of ``proba`` judged). A long story
        has too many windows for the negative sample to vouch for its best one, so there the
        heads only judge."""
        if not len(proba):
            return []
        # A warning the patterns already make needs no head; one they only hint at (a single
        # weak match, below the reporting threshold) still may get one.
        held = {w.id for w in aggregate(doc)[0]}
        findings = []
        for j, cut in cuts.items():
            category, k = self.heads.categories[j], int(np.argmax(proba[:, j]))
            if category in held or float(proba[k, j]) < cut:
                continue
            span = sentences[k]
            findings.append(
                Finding(
                    category=category,
                    start=span.start,
                    end=span.end,
                    score=float(proba[k, j]),
                    severity=severities[k],
                    detector=self.name,
                    match_start=span.start,  # the head judged the whole sentence
                    match_end=span.end,
                    cues=(ALONE,),
                )
            )
        return findings

    def _candidates(self, doc: Document) -> list[Finding]:
        """The findings a calibrated head will judge: per category, the ``MAX_JUDGED``
        strongest (a long novel's verdict is settled long before its 300th death)."""
        calibrated = {
            c for c, ok in zip(self.heads.categories, self.heads.calibrated, strict=True) if ok
        }
        by_category: dict[str, list[Finding]] = {}
        for f in doc.findings:
            if f.category in calibrated:
                by_category.setdefault(f.category, []).append(f)
        chosen = []
        for found in by_category.values():
            chosen.extend(sorted(found, key=lambda f: (-f.score, f.start))[:MAX_JUDGED])
        return chosen

    def window_scores(self, doc: Document) -> np.ndarray:
        """Every sentence's (``fast``) or window's probabilities: (sentences x categories)."""
        sentences = doc.sentences
        return self._judge(doc, sentences, list(range(len(sentences))))[0]

    def scores(self, doc: Document) -> np.ndarray:
        """Each category's highest probability over every sentence (``fast``) or window."""
        proba = self.window_scores(doc)
        return proba.max(axis=0) if len(proba) else np.zeros(len(self.heads.categories))

    def _judge(
        self, doc: Document, sentences: list[Span], rows: list[int]
    ) -> tuple[np.ndarray, list[str]]:
        """The heads' probabilities (rows x categories) and severities for ``rows``' contexts."""
        from forewarn.models import StaticEmbedder
        from forewarn.models.encoder import encode_cached

        if not rows:
            return np.zeros((0, len(self.heads.categories))), []
        if self.mode == "fast":
            texts = [doc.text[sentences[i].start : sentences[i].end] for i in rows]
            embeddings = StaticEmbedder.load().encode(texts)
        else:
            texts = [self._window(doc, sentences, i) for i in rows]
            embeddings = encode_cached(texts, self.cache)
        return self.heads.predict_proba(embeddings), self.heads.predict_severity(embeddings)

    def _window(self, doc: Document, sentences: list[Span], i: int) -> str:
        def chapter(k: int) -> int:
            return doc.chapter_at(sentences[k].start).number

        lo, hi = i, i
        while lo > max(0, i - CONTEXT) and chapter(lo - 1) == chapter(i):
            lo -= 1
        while hi < min(len(sentences) - 1, i + CONTEXT) and chapter(hi + 1) == chapter(i):
            hi += 1
        return doc.text[sentences[lo].start : sentences[hi].end]

    def _unprompted(
        self,
        doc: Document,
        sentences: list[Span],
        rows: list[int],
        proba: np.ndarray,
        severities: list[str],
    ) -> list[Finding]:
        """``thorough``: more passages of the warnings the story already has — windows a
        calibrated head accepts, where no neighbour scores higher. Accepting a window is not
        enough to add a warning: over a whole story the heads mistake a tense scene for a
        violent one far too often (``_alone`` is the stricter test for that)."""
        found = {(f.category, f.start) for f in doc.findings}
        held = {w.id for w in aggregate(doc)[0]}
        findings = []
        accepted = (proba >= self.heads.decision) & self.heads.calibrated
        for k, j in zip(*np.nonzero(accepted), strict=True):
            row, p = rows[k], float(proba[k, j])
            category, span = self.heads.categories[j], sentences[row]
            if category not in held or (category, span.start) in found:
                continue
            if any(0 <= n < len(rows) and proba[n, j] > p for n in (k - 1, k + 1)):
                continue  # the same scene: keep the evidence where the head is surest
            findings.append(
                Finding(
                    category=category,
                    start=span.start,
                    end=span.end,
                    score=p,
                    severity=severities[k],
                    detector=self.name,
                    match_start=span.start,  # the head judged the whole sentence
                    match_end=span.end,
                    cues=("model:unprompted",),
                )
            )
        return findings


def _row(starts: np.ndarray, offset: int) -> int:
    """The sentence holding ``offset``."""
    return max(0, int(np.searchsorted(starts, offset, side="right")) - 1)
