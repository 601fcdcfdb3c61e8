"""One contract for every registered component (in the spirit of scikit-learn's
``parametrize_with_checks``): each reader, detector and output format, looked up by name, does
its job and nothing else."""

from __future__ import annotations

import copy

import pytest

from forewarn.ao3tags import suggest_tags
from forewarn.detectors.base import DETECTORS, Detector
from forewarn.document import Document
from forewarn.errors import UnsupportedFormat
from forewarn.findings import Finding
from forewarn.limits import Deadline, Limits
from forewarn.modes import MODES
from forewarn.profile import parse_avoid
from forewarn.readers import READERS, SUPPORTED_SUFFIXES, sniff
from forewarn.readers.strings import text_document
from forewarn.render.formats import CHECK_FORMATS, REPORT_FORMATS, STORY_FORMATS, TAGS_FORMATS
from forewarn.scanner import Scanner
from forewarn.story_commands import CheckFormat, TagsFormat
from forewarn.taxonomy import SEVERITIES, load_taxonomy
from forewarn.verdict import verdict_for
from tests.conftest import FIXTURES

STORY = (
    "Chapter 1\n\nThe rain had not stopped for days.\n\n"
    "Chapter 2\n\nHe tried to kill himself when he was sixteen. Nobody talked about it.\n"
)
SAMPLES = {
    "text": STORY.encode(),
    "markdown": b"# Chapter 1\n\nThe rain had not stopped.\n\n# Chapter 2\n\nHe tried to kill "
    b"himself when he was sixteen.\n",
    "html": b"<html><head><title>Rain</title></head><body><h1>Chapter 1</h1><p>The rain had not "
    b"stopped.</p><h1>Chapter 2</h1><p>He tried to kill himself.</p></body></html>",
    "epub": (FIXTURES / "ao3_work.epub").read_bytes(),
}


def _check_document(doc: Document) -> None:
    assert doc.text.strip()
    assert doc.paragraphs and doc.chapters
    for p in doc.paragraphs:
        assert 0 <= p.start < p.end <= len(doc.text)
        assert doc.text[p.start : p.end].strip()
    assert doc.chapters[0].start == 0 and doc.chapters[-1].end == len(doc.text)
    assert doc.findings == []  # reading finds nothing: that is the detectors' job


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_contract(name: str) -> None:
    data = SAMPLES[name]
    assert sniff(data, f"story.{'md' if name == 'markdown' else name}") == name
    limits = Limits.from_env()
    doc = READERS[name](data, "story", limits, Deadline.start("story", limits))
    _check_document(doc)
    assert doc.source == "story"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"%PDF-1.7 damaged", "book.epub", "epub"),  # an archive's name claims it before magic
        (b"PK\x03\x04...", "book.txt", "epub"),
        (b"\xef\xbb\xbf\n <!DOCTYPE HTML><p>x", "story.md", "html"),  # content before name
        (b"# Title\n\nText.", "story.md", "markdown"),
        (b"<p>x</p>", "story.htm", "html"),
        (b"no markup at all", "story.html", "text"),  # an HTML name needs markup
        (b"<p>x</p>", "story.txt", "text"),
        (b"Just words.", "", "text"),
    ],
)
def test_sniff_asks_the_registered_formats(data: bytes, name: str, expected: str) -> None:
    assert sniff(data, name) == expected


def test_sniff_refuses_what_no_reader_reads() -> None:
    with pytest.raises(UnsupportedFormat, match=r"unsupported format \(PNG image\)"):
        sniff(b"\x89PNG\r\n\x1a\n", "story.html")
    # a folder scan picks up the registered formats' suffixes
    assert sorted(SUPPORTED_SUFFIXES) == sorted(
        [".epub", ".htm", ".html", ".xhtml", ".markdown", ".md", ".text", ".txt"]
    )


def _detectors() -> list[tuple[str, str, Detector]]:
    made = [(n, m, factory(m)) for n, factory in DETECTORS.items() for m in MODES]
    return [(n, m, d) for n, m, d in made if d is not None]


@pytest.mark.parametrize(("name", "mode", "detector"), _detectors(), ids=lambda x: str(x)[:20])
def test_detector_contract(name: str, mode: str, detector: Detector) -> None:
    """A detector returns its own findings, within its categories and the text, and changes
    nothing of the document: not its text, spans or earlier findings."""
    assert detector.name == name
    doc = text_document(STORY)
    earlier = Finding("death", 0, 5, 0.9, "mentioned", "someone-else")
    doc.findings.append(earlier)
    before = (doc.text, list(doc.paragraphs), list(doc.chapters), copy.copy(doc.findings))
    found = detector(doc)
    assert (doc.text, doc.paragraphs, doc.chapters, doc.findings) == before
    covered, known = set(detector.categories()), set(load_taxonomy().ids())
    assert covered <= known
    assert found, f"{name} ({mode}) found nothing in an attempted suicide"
    for f in found:
        assert isinstance(f, Finding) and f.detector == name
        assert f.category in covered and f.severity in SEVERITIES
        assert 0 <= f.start < f.end <= len(doc.text) and 0.0 <= f.score <= 1.0


@pytest.mark.parametrize("name", sorted(REPORT_FORMATS))
def test_report_format_contract(name: str) -> None:
    scanner = Scanner("fast")
    report = scanner.report([scanner.scan(STORY)])
    text = REPORT_FORMATS[name](report)
    assert text.endswith("\n") and "He tried to kill himself" in text
    assert REPORT_FORMATS[name](scanner.report([])).strip()  # an empty report still renders


@pytest.mark.parametrize("name", sorted(STORY_FORMATS))
def test_story_format_contract(name: str) -> None:
    line = STORY_FORMATS[name](Scanner("fast").scan(STORY))
    assert line.endswith("\n") and line.count("\n") == 1


@pytest.mark.parametrize("name", sorted(TAGS_FORMATS))
def test_tags_format_contract(name: str) -> None:
    text = TAGS_FORMATS[name](suggest_tags(Scanner("fast").scan(STORY)))
    assert text.endswith("\n") and "uicide" in text


@pytest.mark.parametrize("name", sorted(CHECK_FORMATS))
def test_check_format_contract(name: str) -> None:
    avoid = parse_avoid("suicide")
    verdict = verdict_for(Scanner("fast").scan(STORY), avoid)
    spoiled = CHECK_FORMATS[name](avoid, [verdict], True)
    assert spoiled.endswith("\n") and "He tried to kill himself" in spoiled
    assert "He tried to kill himself" not in CHECK_FORMATS[name](avoid, [verdict], False)
    assert CHECK_FORMATS[name](avoid, [], False).strip()  # no story read still renders


def test_every_format_a_command_offers_is_registered() -> None:
    # each command's --format choices: its terminal text and its registered formats
    assert {f.value for f in TagsFormat} == {"text", *TAGS_FORMATS}
    assert {f.value for f in CheckFormat} == {"text", *CHECK_FORMATS}
