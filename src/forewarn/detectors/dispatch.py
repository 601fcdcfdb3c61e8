"""Find where any of many regexes can match, fast, by grouping them by their first letter.

Python's regex engine tries every branch of an alternation at every position, so scanning a
book with hundreds of word lists is dominated by branches that could never match there. This
module rewrites word-start patterns as a trie keyed by the first letters (``DEPTH`` of them) a
match starts with: ``\\b(?:abuse|bully)x`` becomes ``(?<!\\w)(?:a(?:(?:buse)x)|b(?:(?:ully)x))``,
so at a word start the engine skips every other letter's group with one character comparison
(and within it, every other second letter's). The result only says *where* a match starts;
callers re-match there with the original pattern, so what they find is exactly what the plain
alternation finds.
"""

from __future__ import annotations

import re
import string
from array import array
from collections.abc import Iterable, Iterator

_WORD = frozenset(string.ascii_lowercase + string.digits + "_")
_QUANTIFIERS = ("?", "*", "+", "{")
#: What ``_structure`` steps over: an escape, a character class (``_class_end``: to its ``]``
#: or the end), or one of the characters it reports.
_TOKENS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*(?:\]|\Z)|[()|]", re.DOTALL)

#: Letters deep the word-start patterns are grouped by: a first letter's continuations are
#: grouped by their own first letter in turn. With one level, each word start of a novel was
#: tried against every continuation of its letter ("t": the, their, to ...); two halved the
#: time a scan of every lexicon takes, more gained nothing.
DEPTH = 2
#: Continuations after a first letter, by letter; and parts whose first letter is unknown.
Split = tuple[dict[str, list[str]], list[str]]


def dispatch_regex(regexes: list[str]) -> str:
    """One regex that matches (somewhere) exactly where one of ``regexes`` matches."""
    alternatives = [a for regex in regexes for a in split_alternatives(regex)]
    other = [a for a in alternatives if not a.startswith("\\b")]
    trie, unknown = _by_letter(a[2:] for a in alternatives if a.startswith("\\b"))
    groups = [re.escape(letter) + _group(list(rests), DEPTH - 1) for letter, rests in trie.items()]
    # After a \b, a part that starts with a word character starts a word: tried there alone
    # (``\b\w+ days``), not at every position: tried everywhere, they took 40 % of the scan.
    groups += ["\\b" + part for part in unknown if _starts_a_word(part)]
    other += ["\\b" + part for part in unknown if not _starts_a_word(part)]
    word_start = [r"(?<!\w)(?:" + "|".join(groups) + ")"] if groups else []
    return "|".join(word_start + other) or r"(?!x)x"


def _starts_a_word(regex: str) -> bool:
    """Whether every match of ``regex`` starts with a word character: it opens with ``\\w``,
    ``\\d`` or a letter that no ``?``, ``*`` or ``{`` makes optional."""
    head = regex[:2] if regex.startswith("\\") else regex[:1]
    if head not in ("\\w", "\\d") and not (len(head) == 1 and head in _WORD):
        return False
    return not regex.startswith(("?", "*", "{"), len(head))


def _by_letter(regexes: Iterable[str]) -> tuple[dict[str, dict[str, None]], list[str]]:
    """The continuations of ``regexes`` after each possible first letter (in letter order,
    without repeats), and the parts that cannot be split (``by_first_letter``)."""
    trie: dict[str, dict[str, None]] = {}
    unknown: list[str] = []
    for regex in regexes:
        known, parts = by_first_letter(regex)
        for letter, rests in known.items():
            trie.setdefault(letter, {}).update(dict.fromkeys(rests))
        unknown.extend(parts)
    return dict(sorted(trie.items())), unknown


def _group(rests: list[str], depth: int) -> str:
    """The alternation of ``rests`` as a group; while ``depth`` is left and there are several,
    grouped in turn by their own first letter (``_by_letter``)."""
    if depth == 0 or len(rests) < 2:
        return "(?:" + "|".join(rests) + ")"
    trie, unknown = _by_letter(rests)
    groups = [re.escape(letter) + _group(list(more), depth - 1) for letter, more in trie.items()]
    return "(?:" + "|".join(groups + unknown) + ")"


def search(
    compiled: re.Pattern[str], scanner: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """``compiled``'s matches in ``text`` from left to right, each the first at or after the
    previous one's end (an empty one: just after it), tried only where ``scanner`` (the
    ``dispatch_regex`` of its alternatives) hits: ``compiled.finditer(text)``'s, if none is
    empty."""
    pos = 0
    while (hit := scanner.search(text, pos)) is not None:
        m = compiled.match(text, hit.start())
        if m is None:  # the scanner is exact, so this cannot happen; never loop forever
            pos = hit.start() + 1
            continue
        yield m
        pos = max(m.end(), m.start() + 1)


def match_starts(scanner: re.Pattern[str], text: str, most: int) -> array[int] | None:
    """Every position of ``text`` where ``scanner`` matches, overlapping matches' too; None
    when there are more than ``most``."""
    starts = array("q")
    pos = 0
    while (hit := scanner.search(text, pos)) is not None:
        if len(starts) == most:
            return None
        starts.append(hit.start())
        pos = hit.start() + 1
    return starts


def matches_at(
    compiled: re.Pattern[str], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """What ``search`` yields, given instead of a scanner (ascending) at least every position
    where ``compiled`` matches: it is tried only there."""
    pos = 0
    for start in starts:
        if start < pos:
            continue
        m = compiled.match(text, start)
        if m is not None:
            yield m
            pos = max(m.end(), start + 1)


def by_first_letter(regex: str) -> Split:
    """What ``regex`` must match after each possible first letter, and the parts it cannot split.

    ``(?:ab|ac|[xy]z)d`` -> ({a: [``(?:b|c)d``], x: [``(?:z)d``], y: [``(?:z)d``]}, []).
    """
    behind, body = _leading_lookbehinds(regex)
    if behind:
        known, cannot = by_first_letter(body)
        # A lookbehind before the first letter becomes one that ends with that letter.
        moved = {
            letter: [
                "".join(f"{kind}(?:{inner}){letter})" for kind, inner in behind) + r for r in rs
            ]
            for letter, rs in known.items()
        }
        return moved, [regex[: len(regex) - len(body)] + part for part in cannot]
    group = _leading_group(body)
    if group is None:
        head = first_token(body)
        if head is None or not head[0] <= _WORD:
            return {}, [body]
        return {letter: [body[head[1] :]] for letter in head[0]}, []
    inner, rest, optional = group
    heads: dict[str, list[str]] = {}
    unknown: list[str] = []
    for alternative in split_alternatives(inner):
        known, parts = by_first_letter(alternative)
        for letter, rests in known.items():
            heads.setdefault(letter, []).extend(rests)
        unknown.extend(part + rest for part in parts)
    out = {letter: ["(?:" + "|".join(rs) + ")" + rest] for letter, rs in heads.items()}
    if optional:
        known, parts = by_first_letter(rest)
        for letter, rests in known.items():
            out.setdefault(letter, []).extend(rests)
        unknown.extend(parts)
    return out, unknown


def split_alternatives(regex: str) -> list[str]:
    """The top-level alternatives of ``regex`` (``a|(?:b|c)`` -> ``a``, ``(?:b|c)``)."""
    parts, start = [], 0
    for i, ch, depth in _structure(regex):
        if ch == "|" and depth == 0:
            parts.append(regex[start:i])
            start = i + 1
    parts.append(regex[start:])
    return parts


def _structure(regex: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Each parenthesis and bar outside escapes and classes from ``start``: index, character
    and the group depth after it (a ``(`` counts in, a ``)`` out)."""
    depth = 0
    for token in _TOKENS.finditer(regex, start):
        ch = token.group()
        if len(ch) > 1:
            continue  # an escape or a class
        depth += 1 if ch == "(" else -1 if ch == ")" else 0
        yield token.start(), ch, depth


def first_token(regex: str) -> tuple[frozenset[str], int] | None:
    """The characters ``regex`` must start with and the length of that first token, if known.

    Known means a plain character, an escaped punctuation mark or a class of them, not
    quantified: ``abc`` -> ({a}, 1), ``[fp]ace`` -> ({f, p}, 4), ``a?b`` -> None.
    """
    if not regex or regex[0] in "().^$|+*?{":
        return None
    if regex[0] == "[":
        end = _class_end(regex, 0)
        chars = _class_chars(regex[1 : end - 1])
    elif regex[0] == "\\":
        if len(regex) < 2 or regex[1].isalnum():
            return None  # \w, \d, \b ...
        chars, end = frozenset(regex[1]), 2
    else:
        chars, end = frozenset(regex[0]), 1
    if chars is None or regex[end : end + 1] in _QUANTIFIERS:
        return None
    return chars, end


def _leading_lookbehinds(regex: str) -> tuple[list[tuple[str, str]], str]:
    """Split lookbehinds off the front: ``(?<!x)abc`` -> ([(``(?<!``, ``x``)], ``abc``)."""
    found, i = [], 0
    while regex.startswith(("(?<=", "(?<!"), i):
        end = _group_end(regex, i)
        if end is None:
            break
        found.append((regex[i : i + 4], regex[i + 4 : end - 1]))
        i = end
    return found, regex[i:]


def _leading_group(regex: str) -> tuple[str, str, bool] | None:
    """(inner, rest, optional) when ``regex`` starts with a ``(?:...)`` or ``(?:...)?`` group."""
    if not regex.startswith("(?:"):
        return None
    end = _group_end(regex, 0)
    if end is None:
        return None
    after = regex[end : end + 2]
    if after[:1] == "?":
        rest = regex[end + 2 :] if after == "??" else regex[end + 1 :]
        return regex[3 : end - 1], rest, True
    if after[:1] in _QUANTIFIERS:
        return None
    return regex[3 : end - 1], regex[end:], False


def _group_end(regex: str, start: int) -> int | None:
    """Index just past the parenthesis closing the group that opens at ``start``."""
    for i, ch, depth in _structure(regex, start):
        if ch == ")" and depth == 0:
            return i + 1
    return None


def _class_end(regex: str, start: int) -> int:
    """Index just past the ``]`` closing the character class that opens at ``start``."""
    i = start + 1
    if regex[i : i + 1] == "^":
        i += 1
    if regex[i : i + 1] == "]":
        i += 1
    while i < len(regex) and regex[i] != "]":
        i += 2 if regex[i] == "\\" else 1
    return i + 1


def _class_chars(body: str) -> frozenset[str] | None:
    """The characters of a simple class body (literals, ranges, escaped punctuation)."""
    if body.startswith("^"):
        return None
    chars: set[str] = set()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body) or body[i + 1].isalnum():
                return None  # \w, \d, \s ...
            ch = body[i + 1]
            i += 1
        if body[i + 1 : i + 2] == "-" and i + 2 < len(body):
            high = body[i + 2]
            if high == "\\" or not 0 <= ord(high) - ord(ch) <= 64:
                return None
            chars.update(chr(c) for c in range(ord(ch), ord(high) + 1))
            i += 3
            continue
        chars.add(ch)
        i += 1
    return frozenset(chars)
