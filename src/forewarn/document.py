"""The document model: one ``Document`` owns the story text; everything else is a span into it.

Offsets are Python ``str`` indices (code points), so ``doc.text[span.start:span.end]`` is always
the exact quoted text. Chapters and paragraphs are numbered from 1 wherever users see them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from forewarn.findings import Finding
from forewarn.limits import Deadline
from forewarn.segment import split_sentences
from forewarn.spans import Span

__all__ = ["Chapter", "Document", "Metadata", "Paragraph", "Span", "SpineItem"]


@dataclass(frozen=True, slots=True)
class Chapter(Span):
    """A chapter: ``number`` counts from 1 in reading order; ``title`` is the heading, if any."""

    number: int = 1
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph(Span):
    """A paragraph: ``number`` counts from 1 within its chapter; ``chapter`` is that number."""

    chapter: int = 1
    number: int = 1


@dataclass(frozen=True, slots=True)
class SpineItem(Span):
    """An EPUB spine document's stretch of the text: ``index`` counts the spine's itemrefs
    from 1; ``href`` and ``idref`` name the document as the EPUB does."""

    index: int = 1
    href: str = ""
    idref: str = ""


@dataclass
class Metadata:
    """What the source says about the story; AO3 fields are empty for other sources."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    source_format: str = "text"
    rating: str | None = None
    archive_warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    additional_tags: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: list[str] = field(default_factory=list)
    chapter_titles: list[str] = field(default_factory=list)
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items()}


class Document:
    """A story's readable text with its chapters, paragraphs, metadata and detector findings."""

    def __init__(
        self,
        text: str,
        paragraphs: list[Span],
        chapter_starts: list[tuple[int, str | None]] | None = None,
        metadata: Metadata | None = None,
        source: str = "<text>",
    ) -> None:
        self.text = text
        self.source = source
        self.metadata = metadata or Metadata()
        self.chapters = _make_chapters(text, chapter_starts or [(0, None)])
        self._chapter_starts = [c.start for c in self.chapters]
        self.paragraphs = self._number_paragraphs(paragraphs)
        self._paragraph_starts = [p.start for p in self.paragraphs]
        self.findings: list[Finding] = []
        self.notices: list[str] = []
        self.language_supported = True
        self._sentences: list[Span] | None = None
        #: EPUB only: the spine documents the text came from, in reading order.
        self.spine: list[SpineItem] = []
        #: Hex SHA-256 of the bytes read (text: of its UTF-8); keys a reader's overrides.
        self.sha256: str | None = None
        #: The time budget of this work (set by readers); stages check it between steps.
        self.deadline: Deadline | None = None

    # -- navigation -----------------------------------------------------------------------------
    def chapter_at(self, offset: int) -> Chapter:
        """The chapter holding ``offset``."""
        i = bisect.bisect_right(self._chapter_starts, offset) - 1
        return self.chapters[max(i, 0)]

    def paragraph_at(self, offset: int) -> Paragraph | None:
        """The paragraph holding ``offset``, or None between paragraphs."""
        i = bisect.bisect_right(self._paragraph_starts, offset) - 1
        if i >= 0 and self.paragraphs[i].contains(offset):
            return self.paragraphs[i]
        return None

    def spine_at(self, offset: int) -> SpineItem | None:
        """The EPUB spine document holding ``offset`` (None for other formats)."""
        i = bisect.bisect_right([s.start for s in self.spine], offset) - 1
        return self.spine[i] if i >= 0 else None

    def paragraphs_between(self, start: int, end: int) -> int:
        """How many paragraphs start in ``[start, end]``."""
        return bisect.bisect_right(self._paragraph_starts, end) - bisect.bisect_left(
            self._paragraph_starts, start
        )

    def quote(self, span: Span) -> str:
        return self.text[span.start : span.end]

    @property
    def sentences(self) -> list[Span]:
        """Sentence spans over every paragraph, computed once on first use."""
        if self._sentences is None:
            self._sentences = [
                s for p in self.paragraphs for s in split_sentences(self.text, p.start, p.end)
            ]
        return self._sentences

    def iter_paragraph_text(self) -> Iterator[tuple[Paragraph, str]]:
        for p in self.paragraphs:
            yield p, self.text[p.start : p.end]

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def _number_paragraphs(self, spans: list[Span]) -> list[Paragraph]:
        numbered: list[Paragraph] = []
        counts: dict[int, int] = {}
        for s in sorted(spans, key=lambda s: s.start):
            if s.end <= s.start:
                continue
            ch = self.chapter_at(s.start).number
            counts[ch] = counts.get(ch, 0) + 1
            numbered.append(Paragraph(s.start, s.end, chapter=ch, number=counts[ch]))
        return numbered


def _make_chapters(text: str, starts: list[tuple[int, str | None]]) -> list[Chapter]:
    starts = sorted(starts, key=lambda x: x[0])
    if not starts or starts[0][0] > 0:
        # Text before the first heading belongs to the first chapter.
        first_title = starts[0][1] if starts else None
        starts = [(0, first_title)] + starts[1:] if starts else [(0, None)]
    chapters = []
    for i, (start, title) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        chapters.append(Chapter(start, end, number=i + 1, title=title))
    return chapters
