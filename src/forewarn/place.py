"""A place in a story a reader can find: the chapter as the book prints it, how far through the
text, the paragraph's first words and, for an EPUB, the spine document and a CFI-style position.

The CFI is approximate (``/4`` is the body, then the paragraph's ordinal among the document's
paragraphs); e-readers that take a CFI land on or near the paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forewarn.chapter_numbers import title_number
from forewarn.document import Document

#: How many words of a paragraph's opening identify it without giving much away.
FIRST_WORDS = 6


@dataclass(frozen=True)
class SpinePlace:
    """Where an EPUB reader finds a place: the spine document and a CFI-style position."""

    index: int
    href: str
    cfi: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "href": self.href, "cfi": self.cfi}


@dataclass(frozen=True)
class Place:
    """One paragraph's place: ``chapter`` counts chapters in reading order; ``ordinal`` is the
    chapter's own number as the book prints it (or that count when the title has none)."""

    chapter: int
    title: str | None
    ordinal: int
    paragraph: int
    percent: int
    first_words: str
    spine: SpinePlace | None = None

    @property
    def chapter_name(self) -> str:
        """``"Chapter 20"`` as printed, ``"chapter 3 “The Roof”"``, or ``"chapter 3"``."""
        return chapter_name(self.title, self.ordinal)

    def to_dict(self, spoilers: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "chapter": self.chapter,
            "chapter_title": self.title,
            "chapter_ordinal": self.ordinal,
            "chapter_name": self.chapter_name,
            "paragraph": self.paragraph,
            "percent": self.percent,
            "spine": self.spine.to_dict() if self.spine else None,
        }
        if spoilers:
            out["first_words"] = self.first_words
        return out


def chapter_name(title: str | None, number: int) -> str:
    """A chapter as the book prints it: its title when that holds its number, else
    ``chapter N`` with the title in quotes."""
    if title and title_number(title) is not None:
        return title
    return f"chapter {number}" + (f" “{title}”" if title else "")


def chapters_as_printed(doc: Document, numbers: list[int]) -> str:
    """The chapters named each as its place is (``chapter_name``: ``"CHAPTER II — THE STORM"``,
    ``"chapter 3 “The Roof”"``), so a verdict's summary names a chapter as its skip line does;
    three or more in a row are the first ``to`` the last; chapters without titles are
    ``"chapters 1–2, 5"``."""
    chapters = {c.number: c for c in doc.chapters}
    unique = [n for n in sorted(set(numbers)) if n in chapters]
    if not any(chapters[n].title for n in unique):
        return chapters_phrase(unique)

    def name(n: int) -> str:
        return chapter_named(doc, n)

    return ", ".join(
        name(a) if a == b else f"{name(a)}, {name(b)}" if b == a + 1 else f"{name(a)} to {name(b)}"
        for a, b in ranges(unique)
    )


def chapter_named(doc: Document, number: int) -> str:
    """Chapter ``number`` (counted in reading order) named as its places name it:
    ``"CHAPTER II — THE STORM"``, ``"chapter 3 “The Roof”"`` or ``"chapter 3"``."""
    chapters = {c.number: c for c in doc.chapters}
    title = chapters[number].title if number in chapters else None
    return chapter_name(title, title_number(title) or number)


def chapters_in_brief(doc: Document, numbers: list[int], limit: int = 60) -> str:
    """``chapters_as_printed`` when it takes at most ``limit`` characters (or names at most two
    chapters), else a count and the first and last, each as printed: ``"41 chapters, from
    CHAPTER II — THE STORM to CHAPTER LIX"``; for a summary line that must stay short."""
    full = chapters_as_printed(doc, numbers)
    known = {c.number for c in doc.chapters}
    unique = [n for n in sorted(set(numbers)) if n in known]
    if len(full) <= limit or len(unique) <= 2:
        return full
    first, last = chapter_named(doc, unique[0]), chapter_named(doc, unique[-1])
    return f"{len(unique)} chapters, from {first} to {last}"


def ordinal(n: int) -> str:
    """``1`` -> ``"1st"``, ``12`` -> ``"12th"``, ``22`` -> ``"22nd"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def first_words(text: str, n: int = FIRST_WORDS) -> str:
    """The first ``n`` words of ``text``, with an ellipsis when there are more."""
    words = text.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def place_at(doc: Document, offset: int) -> Place:
    """The reader's place of ``offset`` in ``doc``."""
    chapter = doc.chapter_at(offset)
    paragraph = doc.paragraph_at(offset)
    opening = doc.text[paragraph.start : paragraph.end] if paragraph else ""
    spine = doc.spine_at(offset)
    spine_place = None
    if spine is not None:
        within = doc.paragraphs_between(spine.start, offset)
        idref = f"[{spine.idref}]" if spine.idref else ""
        cfi = f"epubcfi(/6/{2 * spine.index}{idref}!/4/{2 * max(within, 1)})"
        spine_place = SpinePlace(spine.index, spine.href, cfi)
    return Place(
        chapter=chapter.number,
        title=chapter.title,
        ordinal=title_number(chapter.title) or chapter.number,
        paragraph=paragraph.number if paragraph else 0,
        percent=int(100 * offset / max(1, len(doc.text))),
        first_words=first_words(opening),
        spine=spine_place,
    )


def ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """``[1, 2, 3, 7, 9, 10]`` -> ``[(1, 3), (7, 7), (9, 10)]`` (sorted, duplicates merged)."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def format_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1–3, 7"``."""
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges(numbers))


def numbered(word: str, numbers: list[int]) -> str:
    """``("paragraph", [3])`` -> ``"paragraph 3"``; ``[1, 2, 5]`` -> ``"paragraphs 1–2, 5"``."""
    unique = sorted(set(numbers))
    return f"{word}{'' if len(unique) == 1 else 's'} {format_ranges(unique)}"


def chapters_phrase(numbers: list[int]) -> str:
    """``[3]`` -> ``"chapter 3"``; ``[1, 2, 5]`` -> ``"chapters 1–2, 5"``."""
    return numbered("chapter", numbers)
