"""Properties that hold for every input (hypothesis): offsets reproduce quotes, readers only ever
raise InputError, chapters and paragraphs partition the text, and the matching view maps back."""

from __future__ import annotations

import re
from functools import cache

import pytest
from fuzz.checks import check_document, check_report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forewarn.errors import InputError
from forewarn.normalize import INVISIBLE, MatchView
from forewarn.readers import read_bytes
from forewarn.readers.text import is_title_line
from forewarn.report import Report
from forewarn.scanner import scan_text, text_document
from forewarn.segment import blocks, heading_title, is_contents_list, is_scene_break

#: A blank line (whitespace allowed), which ends a block of the text.
BLANK_LINE = re.compile(r"\n[^\S\n]*\n")

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

TRIGGERS = [
    "he tried to kill himself",
    "she slit her wrists",
    "he didn't die",
    "they beat him until he bled",
    "she overdosed on sleeping pills",
    "I could kill for a coffee",
    "the dog was hit by a car and died",
]
SPECIAL = sorted(INVISIBLE) + ["\u2018", "\u2019", "\u201c", "\u201d", "ﬁ", "İ", "ß", "é", "ｋ"]
#: Any code point (no surrogates), weighted towards the characters that fold specially.
CHARS = st.one_of(
    st.characters(exclude_categories=["Cs"]),
    st.sampled_from(SPECIAL),
    st.sampled_from(list(" \n\n.!?\"'*#")),
)
WORDS = st.one_of(st.sampled_from(TRIGGERS), st.text(CHARS, max_size=12))


@st.composite
def stories(draw: st.DrawFn) -> str:
    """Text shaped like a story: headings, scene breaks and paragraphs of words and triggers."""
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["heading", "break", "para", "para", "para", "run-in"]))
        if kind == "heading":
            parts.append(f"Chapter {draw(st.integers(1, 40))}")
        elif kind == "run-in":  # a heading between lines of text, no blank line around it
            words = " ".join(draw(st.lists(WORDS, min_size=1, max_size=6)))
            parts.append(f"{words}.\nCHAPTER {draw(st.sampled_from(['II.', 'IV', '7']))}\n{words}")
        elif kind == "break":
            parts.append(draw(st.sampled_from(["* * *", "~~~", "#", "<hr>"])))
        else:
            words = draw(st.lists(WORDS, max_size=10))
            parts.append(" ".join(words) + draw(st.sampled_from([".", "!", "", "?\u201d"])))
    sep = draw(st.sampled_from(["\n\n", "\n\n\n", "\r\n\r\n", "\n \n"]))
    return sep.join(parts)


def _hide(text: str, draw: st.DrawFn) -> str:
    """``text`` with invisible characters slipped in at random places."""
    out = []
    for ch in text:
        out.append(ch)
        if draw(st.integers(0, 6)) == 0:
            out.append(draw(st.sampled_from(sorted(INVISIBLE))))
    return "".join(out)


# -- the scanner -------------------------------------------------------------------------------
@pytest.mark.slow
@SETTINGS
@given(stories())
def test_evidence_offsets_always_reproduce_quotes(text: str) -> None:
    report = scan_text(text)
    check_report(report)
    doc = report.documents[0].document
    for w in report.warnings:
        for e in w.evidence:
            assert doc.text[e.start : e.end] == e.quote


@cache
def _clean_report() -> Report:
    return scan_text("It was late. he tried to kill himself. Then morning came.")


@pytest.mark.slow
@SETTINGS
@given(st.data())
def test_hidden_characters_never_hide_a_trigger(data: st.DataObject) -> None:
    hidden = _hide("he tried to kill himself", data.draw)
    report = scan_text(f"It was late. {hidden}. Then morning came.")
    clean = _clean_report()
    found = [(w.id, w.severity, [e.score for e in w.evidence]) for w in report.warnings]
    assert found == [(w.id, w.severity, [e.score for e in w.evidence]) for w in clean.warnings]
    warning = report.warning("suicide-attempt")
    assert warning is not None, repr(hidden)
    assert warning.evidence[0].quote.startswith(hidden)
    check_report(report)


@SETTINGS
@given(st.text(CHARS, max_size=400))
def test_scan_text_never_raises_on_any_string(text: str) -> None:
    try:
        report = scan_text(text)
    except InputError:
        return
    check_report(report)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["s.txt", "s.md", "s.html", "s.epub", "s"]))
def test_readers_raise_only_input_error(data: bytes, name: str) -> None:
    try:
        doc = read_bytes(data, name)
    except InputError as exc:
        assert str(exc).startswith(f"{name}: ") and "\n" not in str(exc)
        return
    check_document(doc)


@SETTINGS
@given(stories(), st.sampled_from(["md", "html"]))
def test_markup_readers_partition_consistently(text: str, kind: str) -> None:
    if kind == "html":
        body = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
        data = f"<html><body><h1>Start</h1>{body}</body></html>".encode()
    else:
        data = ("# Start\n\n" + text).encode()
    try:
        doc = read_bytes(data, f"story.{kind}")
    except InputError:
        return
    check_document(doc)


# -- document structure ------------------------------------------------------------------------
@SETTINGS
@given(stories())
def test_chapters_and_paragraphs_partition_the_text(text: str) -> None:
    doc = text_document(text)
    check_document(doc)
    paragraphs = {(p.start, p.end) for p in doc.paragraphs}
    # What of a block is not a paragraph is a heading (perhaps run into the text's lines), scene
    # break or contents list, or a title line (of a title page or a contents entry, a subtitle,
    # a section's number): never a sentence of prose.
    for block in blocks(doc.text):
        for raw in _left_out(doc.text, block.start, block.end, paragraphs):
            assert (
                heading_title(raw) is not None
                or is_scene_break(raw)
                or is_contents_list(raw)
                or is_title_line(raw)
            ), repr(raw)
    for c in doc.chapters[1:]:
        first = BLANK_LINE.split(doc.text[c.start :], maxsplit=1)[0]
        assert c.title and (heading_title(first) or heading_title(first.split("\n")[0]))


def _left_out(text: str, start: int, end: int, paragraphs: set[tuple[int, int]]) -> list[str]:
    """The stretches of ``text[start:end]`` outside every paragraph, stripped, not empty."""
    inside = sorted((a, b) for a, b in paragraphs if start <= a and b <= end)
    out, pos = [], start
    for a, b in [*inside, (end, end)]:
        if text[pos:a].strip():
            out.append(text[pos:a].strip())
        pos = max(pos, b)
    return out


# -- the matching view -------------------------------------------------------------------------
@SETTINGS
@given(st.text(CHARS, max_size=300))
def test_match_view_maps_every_offset_back(text: str) -> None:
    view = MatchView(text)
    previous = 0
    for i in range(len(view.text)):
        original = view.original(i)
        assert previous <= original < len(text)
        previous = original
    assert view.original(len(view.text)) == len(text)
    for j, ch in enumerate(text):
        if MatchView(ch).text:  # a visible character: its folding starts where it maps back
            assert view.original(view.folded(j)) == j


@SETTINGS
@given(st.text(CHARS, max_size=300), st.data())
def test_match_view_spans_round_trip(text: str, data: st.DataObject) -> None:
    view = MatchView(text)
    if not view.text:
        return
    i = data.draw(st.integers(0, len(view.text) - 1))
    k = data.draw(st.integers(i + 1, len(view.text)))
    start, end = view.original(i), view.original_end(k)
    assert 0 <= start < end <= len(text)
    # Folding the original span again gives (at least) the folded text that was matched.
    assert view.text[i:k] in MatchView(text[start:end]).text
    # And folding is per character: any original span folds to the matching folded slice.
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    assert MatchView(text[a:b]).text == view.text[view.folded(a) : view.folded(b)]
