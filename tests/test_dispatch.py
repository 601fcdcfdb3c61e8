"""The regex fast path (detectors/dispatch.py) finds exactly what the plain alternation finds.

The pattern detector never runs the alternation of a lexicon's patterns directly: it searches
with a rewritten regex that groups word-start patterns by their first letter, then re-matches
the alternation where that regex hits. A scan searches once with that regex for the patterns
of every lexicon (``lexicon_scanner``) and re-matches each lexicon at those positions
(``CategoryLexicon.matches_at``); ``CategoryLexicon.finditer`` searches for one lexicon alone;
the idioms of the context rules go the same way. These properties compare both paths with the
plain alternation, on the shipped lexicons over text built from their own words, a story and
novels, and on small generated regexes that use every construct the rewrite handles.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forewarn.detectors.context import load_context_rules
from forewarn.detectors.dispatch import (
    _class_end,
    _structure,
    by_first_letter,
    dispatch_regex,
    match_starts,
    split_alternatives,
)
from forewarn.detectors.patterns import (
    DENSE,
    DENSE_FLOOR,
    CategoryLexicon,
    PatternDetector,
    lexicon_scanner,
    load_lexicons,
)
from forewarn.normalize import MatchView
from forewarn.scanner import text_document
from tests.conftest import EXAMPLE, FIXTURES, ROOT

#: Fixed examples (as tests/test_properties.py): the same cases on every run and machine.
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
CASES = tomllib.loads((Path(__file__).parent / "data" / "lexicon_cases.toml").read_text())


def plain(lexicon: CategoryLexicon) -> re.Pattern[str]:
    """The alternation of the lexicon's patterns, written out here (pattern i is group p<i>)."""
    return _plain(tuple(p.regex for p in lexicon.patterns))


@cache
def _plain(regexes: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<p{i}>{r})" for i, r in enumerate(regexes)) or r"(?!x)x")


def matches(found) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.lastgroup) for m in found]


def assert_fast_path_is_exact(lexicon: CategoryLexicon, text: str) -> int:
    """The fast path yields the plain alternation's matches, and its scanner hits only where a
    pattern matches (so ``finditer`` never re-matches in vain). Returns how many matched."""
    alternation = plain(lexicon)
    expected = matches(alternation.finditer(text))
    assert matches(lexicon.finditer(text)) == expected, lexicon.category
    pos = 0
    while True:
        hit, first = lexicon.scanner.search(text, pos), alternation.search(text, pos)
        assert (hit and hit.start()) == (first and first.start()), (lexicon.category, pos)
        if hit is None:
            return len(expected)
        pos = hit.start() + 1


def assert_one_pass_is_exact(text: str) -> int:
    """Re-matching each lexicon where the one scanner of all of them hits yields the plain
    alternations' matches, and so do the idioms where theirs hits; the scanner hits exactly
    where some pattern matches. Returns how many lexicon matches there were."""
    lexicons = load_lexicons()
    starts = match_starts(lexicon_scanner(lexicons), text, len(text) + 1)
    assert starts is not None
    found = 0
    for lexicon in lexicons:
        expected = matches(plain(lexicon).finditer(text))
        assert matches(lexicon.matches_at(text, starts)) == expected, lexicon.category
        assert set(starts) >= {span[0] for span, _ in expected}, lexicon.category
        found += len(expected)
    rules = load_context_rules()
    assert rules.figurative_spans(text) == [m.span() for m in rules.figurative.finditer(text)]
    return found


def assert_hits_where_a_pattern_matches(text: str) -> None:
    """The one scanner of every lexicon hits at a position iff some pattern matches there."""
    patterns = [plain(lexicon) for lexicon in load_lexicons()]
    expected = [p for p in range(len(text) + 1) if any(x.match(text, p) for x in patterns)]
    assert list(match_starts(lexicon_scanner(load_lexicons()), text, len(text) + 1)) == expected


# -- the shipped lexicons, on text made of their own words -------------------------------------
@cache
def vocabulary() -> tuple[list[str], list[str]]:
    """(phrases, words): every lexicon case sentence as the detector sees it (folded), and the
    literal words in the pattern sources (``terminat``, ``pregnancy``, ``coat``...)."""
    sentences = [t for cases in CASES.values() for kind in cases.values() for t in kind]
    phrases = [MatchView(s).text for s in sentences]
    words = {
        w
        for lex in load_lexicons()
        for p in lex.patterns
        for w in re.findall(r"[a-z]{2,}", p.regex)
    }
    return phrases, sorted(words)


NOISE = st.sampled_from([" ", " ", " ", "", "-", "'", ".", ",", "\n", "x", "s", "ed", "é", "1"])


@st.composite
def lexicon_texts(draw: st.DrawFn) -> str:
    """Case sentences, slices of them and pattern words, glued by spaces, punctuation, nothing
    (so a word can run into the next) or a stray letter."""
    phrases, words = vocabulary()
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(draw(st.sampled_from(phrases)))
        elif kind == 1:
            phrase = draw(st.sampled_from(phrases))
            a = draw(st.integers(0, len(phrase)))
            parts.append(phrase[a : draw(st.integers(a, len(phrase)))])
        else:
            parts.append(draw(st.sampled_from(words)))
        parts.append(draw(NOISE))
    return MatchView("".join(parts)).text


def test_the_fast_path_finds_what_the_plain_alternation_finds() -> None:
    with_matches: list[bool] = []

    @SETTINGS
    @given(lexicon_texts())
    def check(text: str) -> None:
        found = sum(assert_fast_path_is_exact(lex, text) for lex in load_lexicons())
        with_matches.append(found > 0)

    check()
    # The property says nothing if nothing matches: most examples must hold real matches.
    assert sum(with_matches) >= 0.6 * len(with_matches), (sum(with_matches), len(with_matches))


def test_one_pass_for_every_lexicon_finds_what_the_plain_alternations_find() -> None:
    with_matches: list[bool] = []

    @SETTINGS
    @given(lexicon_texts())
    def check(text: str) -> None:
        with_matches.append(assert_one_pass_is_exact(text) > 0)
        assert_hits_where_a_pattern_matches(text)

    check()
    assert sum(with_matches) >= 0.6 * len(with_matches), (sum(with_matches), len(with_matches))


def test_the_fast_path_on_a_whole_story_and_every_case_sentence() -> None:
    sentences = [t for cases in CASES.values() for kind in cases.values() for t in kind]
    text = MatchView(EXAMPLE.read_text() + "\n\n" + "\n".join(sentences)).text
    total = sum(assert_fast_path_is_exact(lex, text) for lex in load_lexicons())
    assert total > len(sentences) / 2
    assert assert_one_pass_is_exact(text) == total


@pytest.mark.parametrize(
    "text",
    [
        "he was dead",  # a match that ends the text
        "dead",  # ... that is the whole text
        "She was dead.\n\nHe was dead",  # at a paragraph's end and the text's
        "dead dead  dead\ndead-dead",  # matches back to back
        "",
    ],
)
def test_one_pass_at_the_edges_of_the_text(text: str) -> None:
    folded = MatchView(text).text
    assert (assert_one_pass_is_exact(folded) > 0) == bool(folded)
    assert_hits_where_a_pattern_matches(folded)


#: The novels beside the repository (shared/texts), read in slices from several places.
NOVELS = sorted((ROOT.parent / "shared" / "texts").glob("*.txt"))


@pytest.mark.parametrize("path", [FIXTURES / "gutenberg.txt", *NOVELS[::7]], ids=lambda p: p.stem)
def test_one_pass_on_novels(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for start in (0, len(text) // 2):  # the front matter and the middle of the story
        assert_one_pass_is_exact(MatchView(text[start : start + 30_000]).text)


# -- small generated regexes: every construct the rewrite handles ------------------------------
#: (regex, characters it matches): single-character atoms, first-letter splittable or not.
CHARACTERS = [
    ("a", "a"), ("b", "b"), ("c", "c"), ("a", "a"), ("b", "b"),
    ("[ab]", "ab"), ("[a-c]", "abc"), ("[a-c]", "abc"), ("[b-c]", "bc"), ("[bx]", "bx"),
    ("[\\-a]", "-a"),
    ("\\-", "-"), ("'", "'"), (" ", " "), ("\\w", "abcx"), (".", "abc -'x"),
]  # fmt: skip
#: (quantifier, how many times the atom may repeat in a witness).
QUANTIFIERS = [("", (1,)), ("", (1,)), ("?", (0, 1)), ("??", (0, 1)), ("*", (0, 1, 2)),
               ("+", (1, 2)), ("{1,2}", (1, 2))]  # fmt: skip
#: Text without a witness: any run of the characters the regexes use.
TEXT = st.text(st.sampled_from("abc-' x"), max_size=24)
#: Lookbehinds before a word start, with text before it that satisfies each and text that not.
LOOKBEHINDS = [
    ("(?<!a)", "b", "a"), ("(?<=x )", "x ", "a "), ("(?<!b-)", "a-", "b-"), ("(?<=\\w)", "c", " "),
]  # fmt: skip


@st.composite
def atoms(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    """An atom, possibly quantified, and a witness: a string it matches."""
    if depth < 2 and draw(st.integers(0, 2)) == 0:  # a group of alternatives, some empty
        alternatives = draw(st.lists(sequences(depth + 1), min_size=1, max_size=3))
        regex = "(?:" + "|".join(r for r, _ in alternatives) + ")"
        witnesses = [w for _, w in alternatives]
        quantifier, counts = draw(st.sampled_from(QUANTIFIERS[:5] + QUANTIFIERS[2:4]))
    else:
        regex, chars = draw(st.sampled_from(CHARACTERS))
        witnesses = list(chars)
        quantifier, counts = draw(st.sampled_from(QUANTIFIERS))
    witness = "".join(
        draw(st.sampled_from(witnesses)) for _ in range(draw(st.sampled_from(counts)))
    )
    return regex + quantifier, witness


@st.composite
def sequences(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    parts = draw(st.lists(atoms(depth), min_size=0 if depth else 1, max_size=3))
    return "".join(r for r, _ in parts), "".join(w for _, w in parts)


@st.composite
def patterns(draw: st.DrawFn) -> tuple[str, str]:
    """A lexicon-shaped regex (mostly ``\\b``, lookbehinds, a sequence; some alternatives)
    and a text that often, not always, holds a match of it."""
    alternatives, text = [], []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.sampled_from(["\\b", "\\b", "\\b", ""]))
        behind = draw(st.lists(st.sampled_from(LOOKBEHINDS), max_size=2))
        body, witness = draw(sequences())
        end = draw(st.sampled_from(["", "\\b", "(?!a)"]))
        alternatives.append(start + "".join(r for r, _, _ in behind) + body + end)
        before = draw(st.sampled_from(["", " ", "a", "-"] + [w for _, *ws in behind for w in ws]))
        text.append(before + witness + draw(st.sampled_from(["", " ", "a", "x"])))
    return "|".join(alternatives), "".join(text)


def test_the_dispatch_regex_hits_exactly_where_a_pattern_matches() -> None:
    with_matches: list[bool] = []

    @SETTINGS
    @given(st.lists(patterns(), min_size=1, max_size=4), st.lists(TEXT, max_size=2))
    def check(generated: list[tuple[str, str]], noise: list[str]) -> None:
        regexes = [r for r, _ in generated]
        scanner = re.compile(dispatch_regex(regexes))
        compiled = [re.compile(r) for r in regexes]
        matched = False
        for text in [" ".join(w for _, w in generated), *noise]:
            for pos in range(len(text) + 1):
                expected = any(r.match(text, pos) for r in compiled)
                assert bool(scanner.match(text, pos)) == expected, (text, pos, scanner.pattern)
                matched |= expected
        with_matches.append(matched)

    check()
    assert sum(with_matches) >= 0.6 * len(with_matches), (sum(with_matches), len(with_matches))


def _structure_by_character(regex: str, start: int = 0):
    """``_structure`` as it was written first, one character at a time."""
    depth, i = 0, start
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _class_end(regex, i)
            continue
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        if ch in "()|":
            yield i, ch, depth
        i += 1


def test_the_structure_of_a_regex_is_read_as_one_character_at_a_time_reads_it() -> None:
    rules = load_context_rules()
    shipped = [p.regex for lex in load_lexicons() for p in lex.patterns]
    idioms = [rules.figurative.pattern, rules.negation.pattern, rules.hypothetical.pattern]
    odd = ["[]|(]x|(", "[^]a|b](c|d)", "a\\|b|[\\]|]|\\(", "(?:a|[|)]|\\[)|b", "[a-"]
    for regex in [*shipped, *idioms, *odd]:
        for start in (0, 1, len(regex) // 2):
            assert list(_structure(regex, start)) == list(_structure_by_character(regex, start))

    @SETTINGS
    @given(patterns())
    def check(generated: tuple[str, str]) -> None:
        regex = generated[0]
        assert list(_structure(regex)) == list(_structure_by_character(regex))

    check()


def test_word_start_patterns_are_grouped_by_their_first_letter() -> None:
    assert by_first_letter("(?:ab|ac|[xy]z)d") == (
        {"a": ["(?:b|c)d"], "x": ["(?:z)d"], "y": ["(?:z)d"]},
        [],
    )
    assert by_first_letter("a?b") == ({}, ["a?b"])  # a quantified first letter cannot split
    assert split_alternatives("a|(?:b|c)|[|]") == ["a", "(?:b|c)", "[|]"]
    assert dispatch_regex(["\\babuse", "\\bbully"]) == "(?<!\\w)(?:a(?:buse)|b(?:ully))"
    # several continuations of a letter: grouped by their own first letter in turn
    assert dispatch_regex(["\\babuse", "\\b(?:abandon|ache)s?", "\\bbully"]) == (
        "(?<!\\w)(?:a(?:b(?:use|(?:andon)s?)|c(?:(?:he)s?))|b(?:ully))"
    )
    # a part that cannot be split but starts a word is tried at word starts only
    assert dispatch_regex(["\\b\\w+ days", "\\b\\w?x", "\\bf+u"]) == (
        "(?<!\\w)(?:\\b\\w+ days|\\bf+u)|\\b\\w?x"
    )
    assert dispatch_regex([]) == r"(?!x)x"


def test_a_text_dense_with_matches_is_searched_lexicon_by_lexicon(monkeypatch) -> None:
    doc = text_document("He was dead. She killed him, and the blood ran. " * 2_000)
    text, most = MatchView(doc.text).text, DENSE_FLOOR + len(doc.text) // DENSE
    assert match_starts(lexicon_scanner(load_lexicons()), text, most) is None  # too many
    dense = PatternDetector()(doc)
    monkeypatch.setattr("forewarn.detectors.patterns.DENSE_FLOOR", len(text))
    assert PatternDetector()(doc) == dense and len(dense) > 2_000
