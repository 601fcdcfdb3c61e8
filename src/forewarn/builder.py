"""Assemble a Document from extracted blocks: paragraphs joined by blank lines, chapters marked."""

from __future__ import annotations

import re

from forewarn.document import Document, Metadata, Span

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
        self._paragraphs: list[Span] = []
        self._chapters: list[tuple[int, str | None]] = []
        self._pending_title: str | None = None
        self._pending_chapter = False

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
        self._parts.append(block)
        self._paragraphs.append(Span(self._pos, self._pos + len(block)))
        self._pos += len(block)

    @property
    def empty(self) -> bool:
        return not self._paragraphs

    def build(self, metadata: Metadata, source: str) -> Document:
        text = "".join(self._parts)
        chapters = self._chapters or [(0, None)]
        if metadata.chapter_titles == [] and any(t for _, t in chapters):
            metadata.chapter_titles = [t or "" for _, t in chapters]
        return Document(text, self._paragraphs, chapters, metadata, source)
