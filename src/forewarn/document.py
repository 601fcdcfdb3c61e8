"""The document model: one ``Document`` owns the story text; everything else is a span into it.

Offsets are Python ``str`` indices (code points), so ``doc.text[span.start:span.end]`` is always
the exact quoted text. Chapters and paragraphs are numbered from 1 wherever users see them.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

import numpy as np

from forewarn.findings import Finding
from forewarn.limits import Deadline
from forewarn.segment import split_sentences
from forewarn.spans import Span

__all__ = ["Chapter", "Document", "Metadata", "Paragraph", "Span", "SpanTable", "SpineItem"]


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


S = TypeVar("S", bound=Span)

#: Characters whose words ``count_words`` splits at once.
WORD_COUNT_CHUNK = 65_536
#: Rows of int64 columns turned into Python ints at once (``rows``): whole columns took 36
#: bytes per row each, 0.3 GB for the four columns of two million tiny paragraphs.
ROWS_AT_ONCE = 4096


def rows(*columns: np.ndarray) -> Iterator[tuple[int, ...]]:
    """The rows of equally long ``columns`` as tuples of Python ints, ``ROWS_AT_ONCE`` at a
    time (``zip(*(c.tolist() for c in columns))`` without the lists of every row)."""
    for start in range(0, len(columns[0]) if columns else 0, ROWS_AT_ONCE):
        chunk = (column[start : start + ROWS_AT_ONCE].tolist() for column in columns)
        yield from zip(*chunk, strict=True)


class SpanTable(Sequence[S], Generic[S]):
    """Spans of a text held as integer columns (``starts``, ``ends`` and any numbers of their
    kind; int32 where they fit: ``narrow``), each span made on demand by ``make`` from one
    row: a text of two million tiny
    paragraphs, each with its sentence, held a few hundred bytes of objects per paragraph
    (the spaCy way: the ``Doc`` owns arrays, a ``Span`` is a view). A read-only sequence."""

    def __init__(
        self, make: Callable[..., S], starts: np.ndarray, ends: np.ndarray, *more: np.ndarray
    ) -> None:
        self._make = make
        self.starts, self.ends = starts, ends
        self._columns = (starts, ends, *more)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> S: ...

    @overload
    def __getitem__(self, index: slice) -> list[S]: ...

    def __getitem__(self, index: int | slice) -> S | list[S]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._make(*(int(column[index]) for column in self._columns))

    def __iter__(self) -> Iterator[S]:
        return (self._make(*row) for row in rows(*self._columns))

    def __eq__(self, other: object) -> bool:
        """Equal to a table or a list of the same spans."""
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SpanTable({list(self)!r})"


def _int64(values: Sequence[int] | array[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def narrow(values: np.ndarray) -> np.ndarray:
    """Integer ``values`` as int32 where they all fit (a text's offsets and counts do below
    2**31 characters), else as they are: half the bytes a sentence or paragraph holds."""
    fits = not len(values) or (int(values.min()) >= -(2**31) and int(values.max()) < 2**31)
    return values.astype(np.int32) if fits else values


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
        paragraphs: Sequence[Span],
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
        self.findings: list[Finding] = []
        self.notices: list[str] = []
        self.language_supported = True
        self._sentences: SpanTable[Span] | None = None
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
        i = int(np.searchsorted(self.paragraphs.starts, offset, side="right")) - 1
        if i >= 0 and self.paragraphs[i].contains(offset):
            return self.paragraphs[i]
        return None

    def spine_at(self, offset: int) -> SpineItem | None:
        """The EPUB spine document holding ``offset`` (None for other formats)."""
        i = bisect.bisect_right([s.start for s in self.spine], offset) - 1
        return self.spine[i] if i >= 0 else None

    def paragraphs_between(self, start: int, end: int) -> int:
        """How many paragraphs start in ``[start, end]``."""
        starts = self.paragraphs.starts
        return int(np.searchsorted(starts, end, side="right") - np.searchsorted(starts, start))

    def quote(self, span: Span) -> str:
        return self.text[span.start : span.end]

    @property
    def sentences(self) -> SpanTable[Span]:
        """Sentence spans over every paragraph, computed once on first use."""
        if self._sentences is None:
            starts, ends = array("q"), array("q")
            for start, end in rows(self.paragraphs.starts, self.paragraphs.ends):
                for s in split_sentences(self.text, start, end):
                    starts.append(s.start)
                    ends.append(s.end)
            self._sentences = SpanTable(Span, narrow(_int64(starts)), narrow(_int64(ends)))
        return self._sentences

    def iter_paragraph_text(self) -> Iterator[tuple[Paragraph, str]]:
        for p in self.paragraphs:
            yield p, self.text[p.start : p.end]

    @property
    def word_count(self) -> int:
        """``len(text.split())``, counted a chunk at a time (``count_words``)."""
        return count_words(self.text)

    def _number_paragraphs(self, spans: Sequence[Span]) -> SpanTable[Paragraph]:
        """``spans`` in text order, without empty ones, numbered within their chapters."""
        if isinstance(spans, SpanTable):
            starts, ends = spans.starts, spans.ends
        else:
            starts, ends = _int64([s.start for s in spans]), _int64([s.end for s in spans])
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
        kept = ends > starts
        starts, ends = starts[kept], ends[kept]
        chapter_starts = _int64(self._chapter_starts)
        index = np.maximum(np.searchsorted(chapter_starts, starts, side="right") - 1, 0)
        first = np.searchsorted(index, index, side="left")  # of its chapter's paragraphs
        number = np.arange(len(starts), dtype=np.int64) - first + 1
        return SpanTable(_paragraph, *(narrow(c) for c in (starts, ends, index + 1, number)))


def count_words(text: str, chunk: int = WORD_COUNT_CHUNK) -> int:
    """``len(text.split())`` without the list of every word (2 MB of one-letter words: 30 MB,
    a scan's peak): the words of each ``chunk`` characters, less one for each chunk boundary
    that falls inside a word."""
    words = 0
    for start in range(0, len(text), chunk):
        words += len(text[start : start + chunk].split())
        if start and not text[start - 1].isspace() and not text[start].isspace():
            words -= 1  # a word across the boundary was counted in both chunks
    return words


def _paragraph(start: int, end: int, chapter: int, number: int) -> Paragraph:
    return Paragraph(start, end, chapter=chapter, number=number)


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
