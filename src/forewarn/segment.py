"""Splitting text into paragraphs, chapter headings, scene breaks, sentences and dialogue."""

from __future__ import annotations

import re
from collections.abc import Iterator

from forewarn.spans import Span

# A chapter heading is a block of one line (or two: heading + title) matching one of these.
_NUMBER = (
    r"(?:\d+|[IVXLCDM]+|[ivxlcdm]+|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|first|second|third|fourth|"
    r"fifth|sixth|seventh|eighth|ninth|tenth|last|final)"
)
# A bare Roman numeral in capitals, a valid one ("IV", not "IIII"): a chapter's heading when it
# stands alone ("IV." / "IV") or before a title in capitals ("IV. THE CYLINDER OPENS.").
_ROMAN = r"(?=[IVXLC])(?:C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
HEADING = re.compile(
    rf"""^\s*(?:
        (?:chapter|chap\.|part|book|volume|letter|act|section)\s+{_NUMBER}\b
            (?:\s*,\s*scene\s+{_NUMBER}\b)?
            (?:[.:]?\s*[—–-]\s*\S.{{0,79}}|[.:—–-]?(?:\s+.{{0,80}})?)
      | scene\s+{_NUMBER}\b[.:]?(?:\s+.{{0,80}})?
      | (?:prologue|epilogue|interlude|afterword|foreword|preface|introduction)
            \b[.:]?(?:\s.{{0,60}})?
      | \#{{1,3}}\s+.{{1,80}}
      | (?-i:{_ROMAN})(?:\.(?:\s+(?-i:[A-Z0-9“"‘'][^a-z]{{0,80}}))?)?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# A line of a table of contents: a heading, perhaps run into its title ("CHAPTER LX.—The Line").
_CONTENTS_LINE = re.compile(
    rf"^\s*(?:(?:chapter|chap\.|part|book|volume|letter|act|section|scene)\s+{_NUMBER}\b"
    r"|(?:prologue|epilogue|interlude|afterword|foreword|preface|introduction)\b"
    rf"|(?-i:{_ROMAN})(?:\.[\s,]|\.?,?\s*$))",
    re.IGNORECASE,
)
# A play's division: "ACT I.", "Act 2", "ACT III, SCENE 2", "SCENE II. A room in the castle."
_PLAY_DIVISION = re.compile(
    rf"^\s*(act|scene)\s+{_NUMBER}\b(?:\s*,\s*scene\s+{_NUMBER}\b)?\s*(?:[.:—–-]\s*(.*)|$)",
    re.IGNORECASE | re.DOTALL,
)
# A scene break: a short line of only decoration (* * *, ~~~, ---, ###, #, <hr>, o0o, ...).
SCENE_BREAK = re.compile(r"^\s*(?:[*~#=_\-–—•·+o0xX. ]{3,}|<hr\s*/?>|§+|#)\s*$")
_DECOR = re.compile(r"[*~#=_\-–—•·+]")

_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n+")


def blocks(text: str) -> Iterator[Span]:
    """Blocks separated by blank lines, as spans trimmed of surrounding whitespace."""
    pos = 0
    for m in _BLOCK_SPLIT.finditer(text):
        yield from trimmed(text, pos, m.start())
        pos = m.end()
    yield from trimmed(text, pos, len(text))


def trimmed(text: str, start: int, end: int) -> Iterator[Span]:
    """The span ``start..end`` of ``text`` without its leading and trailing whitespace (none if
    nothing else is left)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield Span(start, end)


def is_scene_break(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 40:
        return False
    if s.lower().startswith("<hr"):
        return bool(SCENE_BREAK.match(s))
    return bool(SCENE_BREAK.match(s)) and bool(
        _DECOR.search(s) or s.lower().strip(" ") in {"o0o", "0o0", "ooo", "xxx", "x x x"}
    )


def heading_title(block: str) -> str | None:
    """The chapter title if ``block`` is a chapter heading, else None."""
    lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
    if not lines or len(lines) > 4 or len(block) > 400:
        return None
    if not HEADING.match(lines[0]):
        return None
    if len(lines) > 1:
        # Its title on the next line, or wrapped over up to three in capitals ("CHAPTER II." /
        # "WHICH TREATS OF THE FIRST SALLY THE INGENIOUS DON QUIXOTE MADE FROM" / "HOME").
        title = " ".join(lines[1:])
        short = len(lines) == 2 and len(title.split()) <= 12 and len(block) <= 160
        capitals = not any(c.islower() for c in title) and len(title.split()) <= 30
        if any(HEADING.match(ln) for ln in lines[1:]) or not (short or capitals):
            return None
        return f"{lines[0].lstrip('# ')} — {title}"
    title = lines[0].lstrip("# ") if lines[0].startswith("#") else lines[0]
    # A sentence that merely begins with "Part one of ..." is prose, not a heading.
    if title.endswith((".", "!", "?")) and len(title.split()) > 8 and not play_division(title):
        return None
    return title


def play_division(block: str) -> str | None:
    """``"act"`` or ``"scene"`` if ``block`` is a play's act or scene heading ("ACT II.",
    "SCENE III. A room in the castle."), else None. A heading is one short line; what follows
    the number is a place ("A room in the castle. Night."), not a sentence of the play."""
    line = block.strip()
    if not line or "\n" in line or len(line) > 100:
        return None
    m = _PLAY_DIVISION.match(line)
    if m is None:
        return None
    place = (m.group(2) or "").strip()
    if place and (len(place.split()) > 12 or place.endswith(("!", "?", ","))):
        return None
    return m.group(1).lower()


def is_contents_list(block: str) -> bool:
    """A table of contents: three or more lines, at least two thirds of them chapter headings.

    Its lines name chapters ("CHAPTER LXI.—Stubb Kills a Whale"); they are not the story, so
    they are neither paragraphs nor evidence.
    """
    lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
    if len(lines) < 3:
        return False
    return sum(bool(_CONTENTS_LINE.match(ln)) for ln in lines) * 3 >= len(lines) * 2


# --- sentences --------------------------------------------------------------------------------
_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "prof",
    "sr",
    "jr",
    "vs",
    "etc",
    "mt",
    "capt",
    "col",
    "gen",
    "lt",
    "sgt",
    "rev",
    "no",
    "vol",
    "ch",
    "fig",
    "e.g",
    "i.e",
    "u.s",
    "a.m",
    "p.m",
}
# Sentence ends: terminal punctuation (and closing quotes/brackets) before whitespace. Line
# breaks are not ends: hard-wrapped prose breaks lines mid-sentence.
_SENT_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+|$)""")


MAX_SENTENCE = 600  # longer "sentences" (unpunctuated text) are cut, so evidence stays readable


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans within ``text[start:end]`` (heuristic, abbreviation-aware)."""
    return [piece for s in _sentences(text, start, end) for piece in _cut_long(text, s)]


def _cut_long(text: str, span: Span) -> Iterator[Span]:
    """Split an over-long sentence at line breaks, else at spaces, into pieces of bounded size."""
    start = span.start
    while span.end - start > MAX_SENTENCE:
        window = text[start : start + MAX_SENTENCE]
        cut = max(window.rfind("\n"), window.rfind(" "))
        stop = start + (cut if cut > MAX_SENTENCE // 4 else MAX_SENTENCE)
        yield from trimmed(text, start, stop)
        start = stop
    yield from trimmed(text, start, span.end)


def _sentences(text: str, start: int, end: int | None) -> list[Span]:
    end = len(text) if end is None else end
    spans: list[Span] = []
    sent_start = start
    for m in _SENT_END.finditer(text, start, end):
        stop = m.end()
        word = text[max(sent_start, stop - 12) : m.start()].rsplit(None, 1)
        last = word[-1].lower().strip("\"'“‘(") if word else ""
        if last in _ABBREV or (len(last) == 1 and last.isalpha() and m.group() == "."):
            continue
        spans.extend(trimmed(text, sent_start, stop))
        sent_start = stop
    spans.extend(trimmed(text, sent_start, end))
    return spans


# --- dialogue ---------------------------------------------------------------------------------
# Quoted speech within one paragraph; an unclosed quote runs to the paragraph's end (the
# convention for speech continuing into the next paragraph).
_QUOTED = re.compile(r"\"[^\"]*(?:\"|$)|“[^”]*(?:”|$)|‘[^’]*?’(?!\w)|(?<!\w)'[^'\n]*?'(?!\w)")


def dialogue_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Spans of quoted speech inside ``text[start:end]``."""
    end = len(text) if end is None else end
    return [Span(m.start(), m.end()) for m in _QUOTED.finditer(text, start, end)]
