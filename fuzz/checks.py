"""Invariants every Document and Report must satisfy, whatever the input (shared with tests)."""

from __future__ import annotations

from forewarn.document import Document
from forewarn.report import Report


def check_document(doc: Document) -> None:
    """Chapters partition the text; paragraphs and sentences are ordered spans inside them."""
    text = doc.text
    chapters = doc.chapters
    assert chapters, "a document has at least one chapter"
    assert chapters[0].start == 0 and chapters[-1].end == len(text), "chapters cover the text"
    for i, c in enumerate(chapters):
        assert c.number == i + 1, "chapters count from 1"
        assert c.start <= c.end, "chapter span is ordered"
        if i + 1 < len(chapters):
            assert c.end == chapters[i + 1].start, "chapters are contiguous"
    last_end = 0
    numbers: dict[int, int] = {}
    for p in doc.paragraphs:
        assert last_end <= p.start < p.end <= len(text), "paragraphs are ordered, inside the text"
        last_end = p.end
        quote = text[p.start : p.end]
        assert quote.strip() == quote and quote, "a paragraph is trimmed text"
        chapter = doc.chapter_at(p.start)
        assert p.chapter == chapter.number and p.end <= chapter.end, "paragraph inside its chapter"
        numbers[p.chapter] = numbers.get(p.chapter, 0) + 1
        assert p.number == numbers[p.chapter], "paragraphs count from 1 in each chapter"
        assert doc.paragraph_at(p.start) == p and doc.paragraph_at(p.end - 1) == p
    last_end = 0
    for s in doc.sentences:
        assert last_end <= s.start < s.end, "sentences are ordered and non-empty"
        last_end = s.end
        para = doc.paragraph_at(s.start)
        assert para is not None and s.end <= para.end, "a sentence lies inside one paragraph"


def check_report(report: Report) -> None:
    """Every evidence quote is exactly the text at its offsets, located in chapter/paragraph."""
    for d in report.documents:
        doc = d.document
        for w in [*d.warnings, *d.candidates]:
            assert w.severity in {"implied", "mentioned", "depicted", "graphic"}
            assert 0.0 <= w.score <= 1.0
            for e in w.evidence:
                assert doc.text[e.start : e.end] == e.quote and e.quote, "offsets give the quote"
                assert e.start <= e.match_start < e.match_end <= e.end, "highlight inside quote"
                assert e.chapter == doc.chapter_at(e.start).number
                para = doc.paragraph_at(e.start)
                assert para is not None and e.paragraph == para.number
        d.to_dict()
