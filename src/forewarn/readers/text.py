"""Plain-text stories: encoding detection, Gutenberg boilerplate, chapters and scene breaks."""

from __future__ import annotations

import codecs
import re

from forewarn.document import Document, Metadata, Span
from forewarn.errors import InputError
from forewarn.segment import (
    blocks,
    heading_title,
    is_contents_list,
    is_scene_break,
    play_division,
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
    """Find paragraphs, chapter headings and scene breaks in already-decoded plain text."""
    metadata = metadata or Metadata()
    paragraphs: list[Span] = []
    chapters: list[tuple[int, str | None]] = []
    pending_heading: tuple[int, list[str]] | None = None
    act: str | None = None  # a play's current act: "SCENE II." opens "ACT I. — SCENE II."
    for block in blocks(text):
        raw = text[block.start : block.end]
        if is_scene_break(raw) or is_contents_list(raw):
            continue
        title = heading_title(raw)
        if title is not None:
            division = play_division(title)
            if division == "act":
                act = title
            elif division == "scene" and act and pending_heading is None:
                pending_heading = (block.start, [act])
            # Consecutive headings (PART ONE / CHAPTER 1) open one chapter with a joined title;
            # a repeat of the same kind (CHAPTER I / CHAPTER II) means a contents list came first.
            if pending_heading is None or _kind(title) in map(_kind, pending_heading[1]):
                pending_heading = (block.start, [title])
            else:
                pending_heading[1].append(title)
            continue
        if pending_heading is not None:
            chapters.append((pending_heading[0], " — ".join(pending_heading[1])))
            pending_heading = None
        paragraphs.append(block)
    if not chapters:
        chapters = [(0, None)]
    elif _words(text[: chapters[0][0]]) > 200:
        chapters.insert(0, (0, None))  # substantial front matter is its own chapter
    return Document(text, paragraphs, chapters, metadata, source)


def _kind(heading: str) -> str:
    """The first word ("chapter" in "CHAPTER IV. — The Storm"); kinds never share a chapter."""
    return heading.split(maxsplit=1)[0].lower() if heading.strip() else ""


def _words(text: str) -> int:
    return len(text.split())


def read_text(data: bytes, source: str) -> Document:
    """A plain-text story: decoded, BOM dropped, newlines normalised, Gutenberg parts skipped."""
    metadata = Metadata(source_format="text")
    text = normalise_newlines(decode(data, source))
    text = strip_gutenberg(text, metadata)
    return document_from_text(text, source, metadata)
