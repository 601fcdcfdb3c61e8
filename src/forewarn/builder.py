"""Assemble a Document from extracted blocks: paragraphs joined by blank lines, chapters marked."""

from __future__ import annotations

import re
from array import array

import numpy as np

from forewarn.document import Document, Metadata, Span, SpanTable, SpineItem

_WS = re.compile(r"[ \t\r\f\v\u00a0]+")


def clean_block(text: str) -> str:
    """Collapse runs of spaces inside a block and trim it; keep single line breaks."""
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


class DocumentBuilder:
    """Collects paragraphs in reading order and remembers where chapters begin."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        # Paragraph bounds as machine integers, not a Span each: a story of millions of tiny
        # paragraphs would hold hundreds of bytes of objects per paragraph.
        self._starts, self._ends = array("q"), array("q")
        self._chapters: list[tuple[int, str | None]] = []
        self._pending_title: str | None = None
        self._pending_chapter = False
        self._spine: list[tuple[int, int, str, str]] = []
        self._pending_spine: tuple[int, str, str] | None = None

    def begin_spine_item(self, index: int, href: str, idref: str) -> None:
        """The next paragraph comes from EPUB spine item ``index`` (counted from 1)."""
        self._pending_spine = (index, href, idref)

    def start_chapter(self, title: str | None = None) -> None:
        """The next paragraph opens a new chapter titled ``title``."""
        self._pending_chapter = True
        self._pending_title = clean_block(title).replace("\n", " ") if title else None

    def add_paragraph(self, text: str) -> None:
        block = clean_block(text)
        if not block:
            return
        if self._parts:
            self._parts.append("\n\n")
            self._pos += 2
        if self._pending_chapter:
            self._chapters.append((self._pos, self._pending_title))
            self._pending_chapter = False
        if self._pending_spine is not None:
            self._spine.append((self._pos, *self._pending_spine))
            self._pending_spine = None
        self._parts.append(block)
        self._starts.append(self._pos)
        self._ends.append(self._pos + len(block))
        self._pos += len(block)

    @property
    def empty(self) -> bool:
        return not self._starts

    def build(self, metadata: Metadata, source: str) -> Document:
        text = "".join(self._parts)
        chapters = self._chapters or [(0, None)]
        if metadata.chapter_titles == [] and any(t for _, t in chapters):
            metadata.chapter_titles = [t or "" for _, t in chapters]
        paragraphs = SpanTable(Span, np.asarray(self._starts), np.asarray(self._ends))
        doc = Document(text, paragraphs, chapters, metadata, source)
        ends = [start for start, *_ in self._spine[1:]] + [len(text)] if self._spine else []
        doc.spine = [
            SpineItem(start, end, index=index, href=href, idref=idref)
            for (start, index, href, idref), end in zip(self._spine, ends, strict=True)
        ]
        return doc
