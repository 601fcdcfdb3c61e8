"""Plain-text stories: encoding detection, Gutenberg boilerplate, chapters and scene breaks."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from forewarn.chapter_numbers import title_number
from forewarn.document import Document, Metadata, Span
from forewarn.errors import InputError
from forewarn.segment import (
    blocks,
    heading_title,
    is_contents_list,
    is_scene_break,
    play_division,
    trimmed,
)

_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_GUTENBERG_TITLE = re.compile(r"^Title:\s*(.+)$", re.M)
_GUTENBERG_AUTHOR = re.compile(r"^Author:\s*(.+)$", re.M)
_GUTENBERG_LANG = re.compile(r"^Language:\s*(.+)$", re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode(data: bytes, source: str) -> str:
    """Bytes to text: BOMs first, then UTF-16 without BOM, UTF-8, and cp1252/latin-1 last.

    A NUL anywhere, or control characters in more than 5% of the text (or of its first 4 KB),
    mean a binary file: the whole input is checked, at C speed (``in``, ``re.sub``).
    """
    text = _decode(data, source)
    if "\x00" in text:
        raise InputError(source, "binary file, not a story (it contains NUL bytes)")
    for part in (text[:4096], text):
        if len(part) - len(_CONTROL.sub("", part)) > 0.05 * max(1, len(part)):
            raise InputError(source, "binary file, not a story (too many control characters)")
    return text


def _decode(data: bytes, source: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", source)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", source)
    sample = data[:4096]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
        odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
        if odd_nuls > 0.4 and even_nuls < 0.05:
            return _strict(data, "utf-16-le", source)
        if even_nuls > 0.4 and odd_nuls < 0.05:
            return _strict(data, "utf-16-be", source)
    if b"\x00" in data:  # before decoding: a binary file is refused cheaply
        raise InputError(source, "binary file, not a story (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _strict(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not valid {encoding} text ({exc.reason})") from None


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_gutenberg(text: str, metadata: Metadata) -> str:
    """Drop a Project Gutenberg header and footer, keeping the title/author they name."""
    start = _GUTENBERG_START.search(text)
    if not start:
        return text
    header = text[: start.start()]
    if m := _GUTENBERG_TITLE.search(header):
        metadata.title = m.group(1).strip()
    if m := _GUTENBERG_AUTHOR.search(header):
        metadata.authors = [m.group(1).strip()]
    if m := _GUTENBERG_LANG.search(header):
        metadata.language = m.group(1).strip()
    end = _GUTENBERG_END.search(text, start.end())
    metadata.source_format = "gutenberg-text"
    return text[start.end() : end.start() if end else len(text)].strip("\n") + "\n"


def document_from_text(text: str, source: str, metadata: Metadata | None = None) -> Document:
    """Find paragraphs, chapter headings and scene breaks in already-decoded plain text.

    A book's title page (title, byline, "Contents", a dedication: short lines, no prose) is
    neither a chapter nor paragraphs, nor are the entries of a contents list, even one spread
    over blank lines with its part titles between the entries: the first chapter is the book's.
    """
    metadata = metadata or Metadata()
    front: list[Span] = []  # paragraphs before the first heading
    sections: list[tuple[int, list[str], list[Span]]] = []  # (start, titles, paragraphs)
    pending: list[tuple[int, str]] = []  # consecutive headings: (start, title)
    subtitles: set[int] = set()  # where a line in capitals under a heading is its subtitle
    subtitled: set[str] = set()  # those subtitles
    act: str | None = None  # a play's current act: "SCENE II." opens "ACT I. — SCENE II."
    run_in: set[int] = set()  # where a heading run into the text starts
    spans = list(_blocks(text, run_in))
    numbered = _section_numbers(text, spans)  # where a bare "2" heads a section
    for block in spans:
        raw = text[block.start : block.end]
        if is_scene_break(raw) or is_contents_list(raw):
            continue
        title = heading_title(raw)
        if title is None and block.start in run_in:
            title = " — ".join(raw.split("\n"))  # "CHAPTER XXVI.MOTHER AND SON", as printed
        elif title is None and block.start in numbered:
            title = raw.strip()
        if title is not None:
            division = play_division(title)
            if division == "act":
                act = title
            elif division == "scene" and act and not pending:
                pending = [(block.start, act)]
            # Consecutive headings (PART ONE / CHAPTER 1) open one chapter with a joined title;
            # a repeat of the same kind (CHAPTER I / CHAPTER II) means a contents list came
            # first: the headings after its last entry of that kind (BOOK TWO) stay.
            kinds = [_kind(t) for _, t in pending]
            if _kind(title) in kinds:
                last = len(kinds) - 1 - kinds[::-1].index(_kind(title))
                pending = [h for h in pending[last + 1 :] if h[0] not in subtitles]
            pending.append((block.start, title))
            continue
        if pending and (
            _is_subtitle(raw, pending[-1], subtitles)
            or (pending[-1][0] in subtitles and _is_note(raw))
        ):
            subtitles.add(block.start)  # "CHAPTER I" / "JONATHAN HARKER'S JOURNAL"
            subtitled.add(" ".join(raw.split()))
            pending.append((block.start, " ".join(raw.split())))
            continue
        if pending:
            sections.append((pending[0][0], [t for _, t in pending], []))
            pending = []
        (sections[-1][2] if sections else front).append(block)
    # Headings whose "chapter" holds only title lines and that the book prints again later
    # are a contents list's entries ("CHAPTER XX" / "FIRST EPILOGUE: 1813 - 20" / ...).
    while len(sections) > 1 and _is_contents_entry(text, sections[0], sections[1:], subtitled):
        start, titles, body = sections[0]
        rest = titles[1:] if any(t not in subtitled for t in titles[1:]) else []
        if rest and not _is_contents_entry(text, (start, rest, []), sections[1:], subtitled):
            sections[0] = (start, rest, body)  # the contents' last entry, then a heading
            break
        front += [
            b
            for b in sections.pop(0)[2]
            if not is_title_line(raw := text[b.start : b.end]) and not _is_listing(raw)
        ]
    _name_sections(sections)
    chapters: list[tuple[int, str | None]] = [(start, " — ".join(t)) for start, t, _ in sections]
    if chapters:
        # The title page's lines before the first prose (a preface, a note) are not the story;
        # what prose comes before the first heading is a chapter of its own.
        named = {_bare(metadata.title)} if metadata.title else set()  # the book's title
        while front and (
            _is_catalogue_entry(raw := text[front[0].start : front[0].end], named)
            or is_title_line(raw)
            or _bare(raw) in named
        ):
            front.pop(0)
        front = [b for b in front if not _CONTENTS_HEADING.match(text[b.start : b.end])]
        if front:
            chapters.insert(0, (front[0].start, None))
    else:
        chapters = [(0, None)]
    paragraphs = front + [p for _, _, section in sections for p in section]
    return Document(text, paragraphs, chapters, metadata, source)


_SECTION_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
#: A block ending a sentence, perhaps with a footnote's number after it ("...trees. 35").
_ENDS_SENTENCE = re.compile(r"[.!?…\"”’')\]](?:\s+\d{1,3})?\s*$")


def _section_numbers(text: str, spans: list[Span]) -> set[int]:
    """Where a number alone between blank lines heads a section ("2" in To the Lighthouse's
    "I" / "THE WINDOW" / ... / "2"): after a heading, and, like every such number in the text
    (at most one in ten not), after a sentence's end, a line without small letters or
    "Contents". A page
    number breaks a sentence off (its numbers are no headings)."""
    found: list[int] = []
    after_sentence = 0
    headed = False
    for i, block in enumerate(spans):
        raw = text[block.start : block.end]
        if not _SECTION_NUMBER.match(raw):
            headed = headed or heading_title(raw) is not None
            continue
        before = text[spans[i - 1].start : spans[i - 1].end] if i else ""
        if (
            not any(c.islower() for c in before)
            or _ENDS_SENTENCE.search(before)
            or _CONTENTS_HEADING.match(before)
        ):
            after_sentence += 1
        if headed:
            found.append(block.start)
    # Only numbers the book also printed after a heading; none when pages are numbered.
    count = sum(bool(_SECTION_NUMBER.match(text[b.start : b.end])) for b in spans)
    return set(found) if found and after_sentence * 10 >= count * 9 else set()


#: Headings that never hold numbered sections ("PROLOGUE", "ACT I." has scenes).
_NOT_PARTS = {"prologue", "epilogue", "interlude", "afterword", "foreword", "preface"}
_NOT_PARTS |= {"introduction", "act", "scene", "number"}
#: A part's title with its first section's number run into it ("THE WINDOW 1").
_RUN_IN_ONE = re.compile(r"^(.*\S)\s+1$")


def _name_sections(sections: list[tuple[int, list[str], list[Span]]]) -> None:
    """A numbered section ("2") is named with its part, as a play's scene is with its act:
    "I — THE WINDOW — 2"; a part's title holding its first section's number ("I" / "THE
    WINDOW 1", then "2") becomes "I — THE WINDOW — 1"."""
    part: list[str] | None = None
    opened = -1  # the section that opened the part
    for n, (_, titles, _) in enumerate(sections):
        if _kind(titles[-1]) != "number":
            part = None if _kind(titles[0]).rstrip(".:") in _NOT_PARTS else list(titles)
            opened = n
            continue
        if len(titles) > 1:
            part, opened = titles[:-1], -1
            continue
        if part is None:
            continue
        if opened >= 0 and titles[0] == "2" and (m := _RUN_IN_ONE.match(part[-1])):
            part[-1] = m.group(1)
            sections[opened][1][:] = [*part, "1"]
        titles[:0] = part
        opened = -1


#: A chapter heading run into the text, on a line of its own with no blank line around it
#: ("CHAPTER II.", "CHAPTER XXVI.MOTHER AND SON"): the word as printed, a number, capitals.
_RUN_IN_HEADING = re.compile(
    r"^[ \t]*(?:CHAPTER|Chapter|BOOK|Book|PART|Part|VOLUME|Volume)[ \t]+(?:[IVXLC]+|\d{1,3})\b"
    r"[.:]?(?:[ \t]*[—–-]?[ \t]*[A-Z“\"‘'][^a-z\n]{0,60})?[ \t]*$"
)
_LINE_END = re.compile(r"[.!?…\"”’')\]]$")


def _blocks(text: str, run_in: set[int]) -> Iterator[Span]:
    """The blank-line blocks, a block split where a chapter heading is run into its text (North
    and South: "...the wedding was over." / "CHAPTER II." / "ROSES AND THORNS." / "Margaret was
    once more..." with no blank line between): the heading, with a subtitle in capitals on its
    next line, becomes a block of its own (its start added to ``run_in``); the lines before
    and after are the text's."""
    for block in blocks(text):
        raw = text[block.start : block.end]
        if "\n" not in raw or heading_title(raw) is not None or is_contents_list(raw):
            yield block
            continue
        yield from _split_run_in(text, block, run_in)


def _split_run_in(text: str, block: Span, run_in: set[int]) -> Iterator[Span]:
    lines: list[tuple[int, int]] = []  # (start, end) of each line
    pos = block.start
    while pos < block.end:
        end = text.find("\n", pos, block.end)
        end = block.end if end < 0 else end
        lines.append((pos, end))
        pos = end + 1
    start = block.start
    i = 0
    while i < len(lines):
        a, b = lines[i]
        before = text[lines[i - 1][0] : lines[i - 1][1]].rstrip() if i else ""
        if (i == 0 or _LINE_END.search(before)) and _RUN_IN_HEADING.match(text[a:b]):
            last = i + 1 if i + 1 < len(lines) and _is_run_in_subtitle(text, lines[i + 1]) else i
            if last + 1 < len(lines) and _is_prose_line(text, lines[last + 1]):
                if i:
                    yield from trimmed(text, start, lines[i - 1][1])
                for heading in trimmed(text, a, lines[last][1]):
                    run_in.add(heading.start)
                    yield heading
                start, i = lines[last + 1][0], last + 1
                continue
        i += 1
    yield from trimmed(text, start, block.end)


def _is_run_in_subtitle(text: str, line: tuple[int, int]) -> bool:
    words = text[line[0] : line[1]].split()
    return 0 < len(words) <= 12 and not any(c.islower() for c in text[line[0] : line[1]])


def _is_prose_line(text: str, line: tuple[int, int]) -> bool:
    raw = text[line[0] : line[1]]
    return any(c.islower() for c in raw) and heading_title(raw) is None


#: A title page's line: a title, a byline, "Contents", a publisher, a dedication.
_TITLE_LINE_WORDS = 20
_CONTENTS_HEADING = re.compile(r"^\s*(?:table of )?contents[.:]?\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’]*$")


#: A catalogue record's field ("Title: North and South", "Release date: July 1, 2003").
_CATALOGUE_FIELD = re.compile(
    r"^\s*(?:title|author|editor|translator|illustrator|release date|language|credits|"
    r"original publication|most recently updated)\s*:",
    re.IGNORECASE | re.MULTILINE,
)


_CATALOGUE_TITLE = re.compile(r"^\s*title\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def _is_catalogue_entry(block: str, titles: set[str]) -> bool:
    """A Project Gutenberg catalogue record left at the top without its START line ("The
    Project Gutenberg eBook of ..." / "Title: ..." / "Author: ..."): not the story. The title
    it names is added to ``titles`` (a title page printing it again is no sentence)."""
    if len(_CATALOGUE_FIELD.findall(block)) < 3:
        return False
    if m := _CATALOGUE_TITLE.search(block):
        titles.add(_bare(m.group(1)))
    return True


def _bare(line: str) -> str:
    """``"North and South."`` -> ``"north and south"``."""
    return " ".join(re.sub(r"[^\w\s]", " ", line).lower().split())


def is_title_line(block: str) -> bool:
    """Short, and no sentence of the story ("THE WHALE.", "[All rights reserved.]" and a
    publisher's "PRINTED IN THE UNITED STATES ... N.Y." are title lines)."""
    words = block.split()
    if not any(c.islower() for c in block):  # in capitals: a title, perhaps wrapped
        return len(words) <= 2 * _TITLE_LINE_WORDS
    return len(words) <= _TITLE_LINE_WORDS and not (
        len(words) >= 3 and _SENTENCE_END.search(block.rstrip())
    )


def _heading_key(title: str) -> tuple[str, int | None]:
    return _kind(title), title_number(title)


def _is_contents_entry(
    text: str,
    section: tuple[int, list[str], list[Span]],
    later: list[tuple[int, list[str], list[Span]]],
    subtitles: set[str],
) -> bool:
    """A leading "chapter" that is an entry of a contents list: its heading comes again later
    and it holds nothing but title lines."""
    _, titles, paragraphs = section
    keys = {_heading_key(t) for t in titles if t not in subtitles}
    if not any(_heading_key(t) in keys for _, others, _ in later for t in others):
        return False
    if all(is_title_line(text[b.start : b.end]) for b in paragraphs):
        return True
    # The contents' last entry, then a preface: the next heading goes back (II, then I).
    (kind, number), following = _heading_key(titles[0]), later[0][1]
    going_back = _heading_key(following[0])
    if (
        len(following) == 1
        and number is not None
        and going_back[0] == kind
        and going_back[1] is not None
        and going_back[1] <= number
    ):
        return True
    # Or the next heading of its kind goes back, a few other headings ("INTRODUCTION.") between:
    # the contents' last entry ("CHAPTER VIII." / "Story of ...  469"), then a list of
    # illustrations, an introduction, and the book's "CHAPTER I.".
    for _, others, _ in later[:_BETWEEN_CONTENTS_AND_STORY]:
        if _kind(others[0]) == kind:
            back = title_number(others[0])
            return number is not None and back is not None and back < number
    return False


#: How many headings ("INTRODUCTION.", "NOTES TO THE INTRODUCTION.") may come between a contents
#: list's last entry and the first chapter it lists.
_BETWEEN_CONTENTS_AND_STORY = 3
#: A line of a list set in columns: an entry, a wide gap, its page or engraver ("  469").
_COLUMNS = re.compile(r"\S {4,}\S[^\n]{0,30}$")


def _is_listing(block: str) -> bool:
    """An entry of a contents list or a list of illustrations set in columns ("Story of the
    Fisherman            69"): the front matter of a contents entry, not the story."""
    return bool(_COLUMNS.search(block.rstrip()))


def _is_subtitle(block: str, heading: tuple[int, str], subtitles: set[int]) -> bool:
    """A heading's title on a line of its own in capitals, set apart by a blank line
    ("JONATHAN HARKER'S JOURNAL" under "CHAPTER I"); not under a play's act or scene, whose
    next line in capitals is a speaker."""
    words = block.split()
    capitals = _CONTINUED.sub("", block)
    return (
        heading[0] not in subtitles
        and not play_division(heading[1])
        and block.count("\n") <= 1
        and 0 < len(words) <= _SUBTITLE_WORDS
        and any(c.isalpha() for c in capitals)
        and not any(c.islower() for c in capitals)
        and not block.rstrip().endswith(("!", "?", "…"))
        and title_number(block) is None  # "CHAPTER XIII IN WHICH ...": a contents entry
    )


#: A subtitle's length at most: "COMMENCING WITH PART OF THE THIRD NIGHT, AND ENDING WITH PART
#: OF THE NINTH." (The Arabian Nights) wraps over two lines.
_SUBTITLE_WORDS = 20
#: A subtitle's "continued" ("JONATHAN HARKER'S JOURNAL--continued", "DIARY—continued.").
_CONTINUED = re.compile(r"\s*(?:--|[—–-])\s*continued\.?\s*$", re.IGNORECASE)
#: A note in parentheses on a line of its own ("(Kept in shorthand.)").
_NOTE = re.compile(r"^\([^()\n]{1,80}\)$")


def _is_note(block: str) -> bool:
    """A short note in parentheses under a chapter's subtitle, part of its printed title
    ("CHAPTER I" / "JONATHAN HARKER'S JOURNAL" / "(Kept in shorthand.)")."""
    return bool(_NOTE.match(block.strip())) and len(block.split()) <= 8


_NUMERAL = re.compile(r"^[IVXLC]+\.?$")


def _kind(heading: str) -> str:
    """The first word ("chapter" in "CHAPTER IV. — The Storm"); kinds never share a chapter. A
    bare numeral ("IV." or "IV. — THE STORM" over two lines) is one kind, a numeral with its
    title on its line ("I. A SCANDAL IN BOHEMIA", a story in a collection) another."""
    words = heading.split(maxsplit=2)
    if not words:
        return ""
    if words[0].isdigit() and len(words) == 1:
        return "number"  # a numbered section's "2"
    if _NUMERAL.match(words[0]):
        return "numeral" if len(words) == 1 or words[1] == "—" else "numeral-titled"
    return words[0].lower()


def read_text(data: bytes, source: str) -> Document:
    """A plain-text story: decoded, BOM dropped, newlines normalised, Gutenberg parts skipped."""
    metadata = Metadata(source_format="text")
    text = normalise_newlines(decode(data, source))
    text = strip_gutenberg(text, metadata)
    return document_from_text(text, source, metadata)
