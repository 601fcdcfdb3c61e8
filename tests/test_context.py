"""Context a reader relies on: negation, hypotheticals, idioms, dialogue (the model decides).

Cases marked KNOWN_MISS are what the passage model of 2026-12-07 still gets wrong (issue 11
stays open for them); the marks are strict, so a model that gets one right fails its mark.
"""

from __future__ import annotations

import pytest

import forewarn

KNOWN_MISS = pytest.mark.xfail(strict=True, reason="passage model misses it (see issue 11)")


def present(text: str) -> set[str]:
    return {w.id for w in forewarn.scan_text(text).warnings}


@pytest.mark.parametrize(
    "text",
    [
        "He didn't die. The doctors said he was lucky.",
        pytest.param(
            "Nobody died that night, though the storm tore the roof off the barn.",
            marks=KNOWN_MISS,
        ),
        "She'd never live a normal life again after having to bury her only son.",
        "If he died, she would never forgive herself.",
        "He almost died when the car swerved.",
        "I'm dying of embarrassment, Mara groaned into her pillow.",
        "I could kill for a coffee right now.",
        "You're killing it out there, the coach shouted.",
        "She was bored to death by the lecture.",
        "He shot her a look across the table.",
    ],
)
def test_no_death_or_violence_when_context_says_it_did_not_happen(text):
    assert not present(text) & {"death", "violence"}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("His grandmother died in the spring, and the house was never the same.", "death"),
        ("They found the body by the river; the boy was dead.", "death"),
        ("He stabbed the guard in the throat and ran.", "violence"),
        ("She took her own life the winter after the war.", "suicide-completed"),
        ("He tried to kill himself when he was sixteen.", "suicide-attempt"),
        (
            "He had nothing left to live for, and everyone would be better off without him.",
            "suicidal-ideation",
        ),
        ("She cut herself again that night, hiding the razor under the sink.", "self-harm"),
    ],
)
def test_events_are_found(text, category):
    assert category in present(text)


def test_negated_attempt_is_not_an_attempt():
    assert "suicide-attempt" not in present("He never tried to kill himself, whatever they said.")


@KNOWN_MISS
def test_attempt_spoken_about_is_mentioned_not_depicted():
    report = forewarn.scan_text('"You tried to kill yourself," she whispered. "Why?"')
    w = report.warning("suicide-attempt")
    assert w is not None and w.severity == "mentioned"
    assert "dialogue" in w.evidence[0].cues


def test_zero_width_characters_do_not_hide_words():
    text = "He tried to k\u200bill him\u200dself when he was sixteen."
    report = forewarn.scan_text(text)
    w = report.warning("suicide-attempt")
    assert w is not None
    e = w.evidence[0]
    assert text[e.start : e.end] == e.quote and "k\u200bill" in e.quote
