"""``count_words``: the count of ``str.split()`` without the list of every word."""

from __future__ import annotations

import random

import pytest

from forewarn.document import count_words

#: Letters, ASCII and Unicode whitespace (no-break, em and ideographic spaces, a separator).
ALPHABET = ["a", "é", " ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "\x1c"]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 65_536])
def test_count_words_is_the_count_of_split_at_every_chunk_size(chunk: int) -> None:
    """Words across a chunk boundary count once, whatever the whitespace around them."""
    rng = random.Random(15)
    for _ in range(500):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        assert count_words(text, chunk) == len(text.split()), repr(text)


def test_count_words_of_a_long_line() -> None:
    text = "ab " * 100_000 + "abc" * 50_000
    assert count_words(text) == len(text.split()) == 100_001
