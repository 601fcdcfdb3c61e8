"""Context around a match: is it negated, hypothetical, figurative, or inside quoted speech?

The cue lexicons live in data/patterns/_context.toml; this module only applies them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from forewarn.detectors.dispatch import dispatch_regex, search


@dataclass(frozen=True)
class ContextRules:
    """Compiled cue lexicons and the macros pattern files may use (``{SELF}``, ``{HEIGHT}``…)."""

    macros: dict[str, str]
    negation: re.Pattern[str]
    negation_window: int
    hypothetical: re.Pattern[str]
    figurative: re.Pattern[str]
    #: Exactly where ``figurative`` can match (detectors/dispatch.py), found without trying
    #: every idiom at every position.
    figurative_scanner: re.Pattern[str]

    def expand(self, regex: str) -> str:
        """Substitute ``{NAME}`` macros (repeatedly, so macros may use macros)."""
        for _ in range(5):
            new = re.sub(r"\{([A-Z_]+)\}", lambda m: self.macros.get(m.group(1), m.group(0)), regex)
            if new == regex:
                break
            regex = new
        return regex

    def is_negated(self, before: str) -> bool:
        """``before`` is the sentence text up to the match (folded)."""
        return bool(self.negation.search(before[-self.negation_window :]))

    def is_hypothetical(self, before: str) -> bool:
        return bool(self.hypothetical.search(before))

    def figurative_spans(self, text: str) -> list[tuple[int, int]]:
        """The spans ``figurative.finditer(text)`` yields (no idiom matches the empty string)."""
        found = search(self.figurative, self.figurative_scanner, text)
        return [(m.start(), m.end()) for m in found]


@cache
def load_context_rules() -> ContextRules:
    """The shipped context lexicons."""
    path = resources.files("forewarn").joinpath("data/patterns/_context.toml")
    raw = tomllib.loads(path.read_text())
    macros: dict[str, str] = dict(raw["macros"])
    x = re.compile("x")
    rules = ContextRules(macros, x, 0, x, x, x)
    gap = raw["negation"]["max_words_between"]
    words = rf"(?:\s+[\w']+){{0,{gap}}}\s*[,]?\s*$"
    negation = re.compile(r"(?:" + "|".join(raw["negation"]["cues"]) + r")" + words)
    hypothetical = re.compile(r"(?:" + "|".join(raw["hypothetical"]["cues"]) + r")")
    idioms = [rules.expand(p) for p in raw["figurative"]["idioms"]]
    figurative = re.compile("|".join(f"(?:{p})" for p in idioms))
    scanner = re.compile(dispatch_regex(idioms))
    window = raw["negation"]["window_chars"]
    return ContextRules(macros, negation, window, hypothetical, figurative, scanner)
