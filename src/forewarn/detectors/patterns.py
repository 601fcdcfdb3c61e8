"""The explainable pattern detector: per-category regex lexicons plus context rules.

Each category's patterns live in ``data/patterns/<category>.toml``. A pattern match becomes a
Finding on its sentence unless context says it is not an event: negated ("he didn't die"),
hypothetical ("if she died"), or figurative ("I could kill for a coffee").
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import numpy as np

from forewarn.detectors.context import ContextRules, load_context_rules
from forewarn.detectors.dispatch import dispatch_regex, match_starts, matches_at, search
from forewarn.document import Document, Span, SpanTable
from forewarn.findings import Finding
from forewarn.normalize import MatchView
from forewarn.segment import dialogue_spans
from forewarn.taxonomy import SEVERITIES, load_taxonomy

#: What a context cue does to a match: drop it, keep it, or lower its severity to "implied".
CONTEXT_EFFECTS = ("suppress", "keep", "downgrade")
#: A text where some pattern can match at more than one position in ``DENSE`` (hostile input:
#: "dead dead dead ...") is searched lexicon by lexicon: re-matching every lexicon at each of
#: so many positions would take longer, and the positions memory. Any text may hold
#: ``DENSE_FLOOR`` such positions (a short one is never searched lexicon by lexicon).
DENSE = 20
DENSE_FLOOR = 1_000


@dataclass(frozen=True)
class Pattern:
    """One lexicon entry: a regex with the severity and score its matches carry."""

    id: str
    category: str
    regex: str
    severity: str
    score: float
    negation: str = "suppress"
    hypothetical: str = "suppress"
    dialogue_severity: str | None = None


@dataclass(frozen=True)
class CategoryLexicon:
    """All patterns of one category as one alternation (pattern i is group ``p<i>``).

    ``compiled`` says which pattern matches at a position; a scan finds the positions where
    any lexicon's pattern can match in one pass for all of them (``lexicon_scanner``) and
    re-matches each lexicon there (``matches_at``); ``finditer`` searches for one lexicon alone.
    """

    category: str
    patterns: tuple[Pattern, ...]
    compiled: re.Pattern[str]

    @cached_property
    def scanner(self) -> re.Pattern[str]:
        """Where the alternation can match, found without trying every pattern at every
        position (see detectors/dispatch.py); compiled on first use, as a scan never needs it."""
        return re.compile(dispatch_regex([p.regex for p in self.patterns]))

    def pattern_for(self, match: re.Match[str]) -> Pattern:
        return self.patterns[int(match.lastgroup[1:])]  # type: ignore[index]

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches ``compiled.finditer(text)`` yields, found a few times faster."""
        return search(self.compiled, self.scanner, text)

    def matches_at(self, text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
        """The matches ``finditer(text)`` yields, given (ascending) at least every position
        where one of the patterns matches."""
        return matches_at(self.compiled, text, starts)


@cache
def lexicon_scanner(lexicons: tuple[CategoryLexicon, ...]) -> re.Pattern[str]:
    """One regex that matches exactly where a pattern of one of ``lexicons`` matches: a scan
    searches the text once for all of them, not once for each."""
    return re.compile(dispatch_regex([p.regex for lex in lexicons for p in lex.patterns]))


def _load_file(text: str, rules: ContextRules) -> CategoryLexicon:
    raw = tomllib.loads(text)
    category = raw["category"]
    defaults = raw.get("defaults", {})
    patterns = []
    for i, entry in enumerate(raw.get("pattern", [])):
        merged = {**defaults, **entry}
        p = Pattern(
            id=merged["id"],
            category=category,
            regex=rules.expand(merged["regex"]),
            severity=merged.get("severity", "mentioned"),
            score=float(merged.get("score", 0.5)),
            negation=merged.get("negation", "suppress"),
            hypothetical=merged.get("hypothetical", "suppress"),
            dialogue_severity=merged.get("dialogue_severity"),
        )
        _validate(p, i)
        patterns.append(p)
    alternation = "|".join(f"(?P<p{i}>{p.regex})" for i, p in enumerate(patterns)) or r"(?!x)x"
    try:
        compiled = re.compile(alternation)
    except re.error:
        for p in patterns:  # the error of the pattern that does not compile, if one does not
            re.compile(p.regex)
        raise
    return CategoryLexicon(category, tuple(patterns), compiled)


def _validate(p: Pattern, index: int) -> None:
    where = f"pattern {p.id!r} (#{index + 1}) of {p.category}"
    if p.category not in load_taxonomy():
        raise ValueError(f"{where}: category is not in the taxonomy")
    if p.severity not in SEVERITIES or (
        p.dialogue_severity is not None and p.dialogue_severity not in SEVERITIES
    ):
        raise ValueError(f"{where}: unknown severity")
    if p.negation not in CONTEXT_EFFECTS or p.hypothetical not in CONTEXT_EFFECTS:
        raise ValueError(f"{where}: negation/hypothetical must be one of {CONTEXT_EFFECTS}")
    if not 0.0 < p.score <= 1.0:
        raise ValueError(f"{where}: score must be in (0, 1]")


@cache
def load_lexicons() -> tuple[CategoryLexicon, ...]:
    """Every shipped pattern file, in name order (files starting with ``_`` are shared data)."""
    rules = load_context_rules()
    folder = resources.files("forewarn").joinpath("data/patterns")
    files = sorted(
        (f for f in folder.iterdir() if f.name.endswith(".toml") and not f.name.startswith("_")),
        key=lambda f: f.name,
    )
    return tuple(_load_file(f.read_text(), rules) for f in files)


class PatternDetector:
    """Stage-0 detector: explainable, data-driven, high-recall patterns with context handling."""

    name = "patterns"

    def __init__(self, lexicons: tuple[CategoryLexicon, ...] | None = None) -> None:
        self.lexicons = lexicons if lexicons is not None else load_lexicons()
        self.rules = load_context_rules()

    def categories(self) -> list[str]:
        return [lex.category for lex in self.lexicons]

    def __call__(self, doc: Document) -> list[Finding]:
        view = MatchView(doc.text)
        sentences = doc.sentences
        starts = sentences.starts
        quotes = [q for p in doc.paragraphs for q in dialogue_spans(doc.text, p.start, p.end)]
        quote_starts = [q.start for q in quotes]
        figurative = self.rules.figurative_spans(view.text)
        fig_starts = [f[0] for f in figurative]
        findings: list[Finding] = []
        # One pass over the text finds where any lexicon can match; each re-matches only there
        # (in a text dense with such positions, each searches on its own).
        text = view.text
        hits = match_starts(lexicon_scanner(self.lexicons), text, DENSE_FLOOR + len(text) // DENSE)
        for lexicon in self.lexicons:
            if doc.deadline is not None:
                doc.deadline.check()
            found = lexicon.finditer(text) if hits is None else lexicon.matches_at(text, hits)
            for m in found:
                pattern = lexicon.pattern_for(m)
                finding = self._finding(
                    doc,
                    view,
                    m,
                    pattern,
                    sentences,
                    starts,
                    quotes,
                    quote_starts,
                    figurative,
                    fig_starts,
                )
                if finding is not None:
                    findings.append(finding)
        return findings

    def _finding(
        self,
        doc: Document,
        view: MatchView,
        m: re.Match[str],
        pattern: Pattern,
        sentences: SpanTable[Span],
        starts: np.ndarray,
        quotes: list[Span],
        quote_starts: list[int],
        figurative: list[tuple[int, int]],
        fig_starts: list[int],
    ) -> Finding | None:
        if _overlaps(figurative, fig_starts, m.start(), m.end()):
            return None
        start, end = view.original(m.start()), view.original_end(m.end())
        i = bisect.bisect_right(starts, start) - 1
        if i < 0 or not sentences[i].contains(start):
            return None  # inside a heading or between paragraphs
        sentence = sentences[i]
        before = view.text[view.folded(sentence.start) : m.start()]
        severity, cues = pattern.severity, [f"pattern:{pattern.id}"]
        for effect, present, cue in (
            (pattern.negation, self.rules.is_negated(before), "negated"),
            (pattern.hypothetical, self.rules.is_hypothetical(before), "hypothetical"),
        ):
            if not present or effect == "keep":
                continue
            if effect == "suppress":
                return None
            severity, cues = "implied", [*cues, cue]
        j = bisect.bisect_right(quote_starts, start) - 1
        if j >= 0 and quotes[j].contains(start):
            cues.append("dialogue")
            if pattern.dialogue_severity and severity != "implied":
                severity = pattern.dialogue_severity
        return Finding(
            category=pattern.category,
            start=sentence.start,
            end=sentence.end,
            score=pattern.score,
            severity=severity,
            detector=self.name,
            match_start=start,
            match_end=end,
            cues=tuple(cues),
        )


def _overlaps(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    i = bisect.bisect_right(starts, end) - 1
    while i >= 0 and spans[i][0] > start - 200:  # idioms are short: look back a little
        if spans[i][0] < end and spans[i][1] > start:
            return True
        i -= 1
    return False
