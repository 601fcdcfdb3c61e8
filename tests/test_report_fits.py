"""The HTML report of a long novel in real headless Chromium (Debian's /usr/bin/chromium, driven
by Playwright), at a desktop (1,280 px) and a phone (390 px) width: the page is never wider than
the window (measured, and on a full-page screenshot), the heading is the work's title and not its
path, the summary lists the categories most severe first with their counts and collapses the
rest, and "score" is explained in words. Screenshots land in test-artifacts/report/.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forewarn.document import Metadata
from forewarn.findings import Finding
from forewarn.render.html import SUMMARY_SHOWN, render_html
from forewarn.report import DocumentReport, Report, aggregate
from forewarn.taxonomy import SEVERITIES, load_taxonomy, severity_rank
from tests.conftest import ROOT
from tests.helpers import CHROMIUM, require_chromium, run_cli
from tests.sample_report import build_document

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
require_chromium()

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts" / "report"
WIDTHS = [1280, 390]
#: A public-domain novel next to the checkout (not part of it): scanned when present.
DRACULA = ROOT.parent / "shared" / "texts" / "dracula.txt"
LONG_WORD = "Castle" + "ofthe" * 30 + "Vampyre"
PATH = "/home/reader/books/" + "very-long-folder-name/" * 6 + "the_unabridged_chronicle.txt"
TITLE = f"The Unabridged Chronicle of {LONG_WORD}, Being a Very Long Novel Indeed"
SENTENCES = [
    "The wind came down from the pass and rattled every shutter in the inn.",
    "She wrote it all in her journal that night, by the light of one candle.",
    "Nobody in the village would speak of the castle after dark.",
    "He kept the letter in his coat and read it again on the train.",
    "The doctor said little, and what he said he said twice.",
    "In the morning the road was white with frost and quite empty.",
]


def long_novel(title: str | None = TITLE) -> Report:
    """A novel the length of a classic: 60 chapters (some with long printed titles, one with a
    word too long for a phone), 22 categories found across most of the book (long chapter
    lists), hundreds of passages."""
    titles = {7: f"The {LONG_WORD}", 12: "In Which the Travellers Reach the Pass" * 3}
    chapters = [
        (
            f"Chapter {c}" + (f": {titles[c]}" if c in titles else ""),
            [f"{SENTENCES[p]} ({c}.{p}) {SENTENCES[(c + p) % 6]}" for p in range(6)],
        )
        for c in range(1, 61)
    ]
    meta = Metadata(
        title=title,
        authors=["A. Novelist"],
        source_format="text",
        additional_tags=[LONG_WORD, "Slow Burn"],
    )
    doc = build_document(chapters, meta, PATH)
    categories = [c.id for c in load_taxonomy()][:22]
    findings = []
    for k, category in enumerate(categories):
        severity = SEVERITIES[k % len(SEVERITIES)]
        every = 1 + k % 4
        few = k % 5 == 4  # a few categories rest on a single unsure passage
        for i, para in enumerate(doc.paragraphs):
            if (few and i != 3 * k) or (not few and (i + k) % (every * 5)):
                continue
            score = 0.55 + 0.02 * k if few else 0.3 + 0.1 * (k % 5)
            match = (para.start, para.start + 3)
            findings.append(
                Finding(category, para.start, para.end, score, severity, "hand", *match)
            )
    doc.findings = findings
    present, scored = aggregate(doc, categories)
    return Report([DocumentReport(doc.source, doc, present, scored)], detectors=["hand"])


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int(struct.unpack(">I", data[16:20])[0])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


def open_report(browser: Any, html: str, width: int, tmp_path: Path) -> Any:
    path = tmp_path / f"report-{width}.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    return page


def assert_fits(page: Any, name: str, screenshot: bool = True) -> None:
    """No horizontal scrolling: measured, and on a full-page screenshot (as wide as the page's
    content: Chromium shoots a page taller than 16,384 px in tiles, a minute on a busy machine,
    hence the generous timeout)."""
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('.fw-report *')]"
        ".filter(e => !e.closest('.fw-scroll') && e.getBoundingClientRect().right > "
        "window.innerWidth + 0.5).slice(0, 5).map(e => e.tagName + '.' + e.getAttribute('class'))"
    )
    assert scroll <= width, f"{name}: page {scroll} px wide in a {width} px window: {wide}"
    assert wide == [], name
    if not screenshot:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(full_page=True, path=str(ARTIFACTS / f"{name}.png"), timeout=180_000)
    assert png_width(shot) <= width, name


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_novel_fits_the_window(browser: Any, width: int, tmp_path: Path) -> None:
    report = long_novel()
    page = open_report(browser, render_html(report), width, tmp_path)
    try:
        assert_fits(page, f"long-novel-{width}")
        heading = page.locator("h1").inner_text()
        assert heading == TITLE and "/" not in heading
        text = page.locator("body").inner_text()
        assert "how sure forewarn is" in text
        # The summary: every category, most severe then surest, the first few shown.
        ranked = sorted(report.warnings, key=lambda w: (-severity_rank(w.severity), -w.score, w.id))
        assert len(ranked) > SUMMARY_SHOWN + 10
        summary = page.locator(".fw-sevgrid")
        shown = summary.locator(".fw-cat").filter(visible=True)
        assert shown.count() == SUMMARY_SHOWN
        names = [a.inner_text() for a in shown.locator("a").all()]
        assert names == [w.name for w in ranked[:SUMMARY_SHOWN]]
        first = shown.first.inner_text()
        assert f"{ranked[0].evidence_total} passages" in first and "how sure" in first
        rest = summary.locator("details.fw-rest")
        assert (
            rest.locator("summary")
            .inner_text()
            .startswith(f"{len(ranked) - SUMMARY_SHOWN} more categories")
        )
        # A timeline mark leads to its passage even when that passage is folded away.
        folded = page.locator(".fw-morepass details.fw-passage").first.get_attribute("id")
        page.locator(f'.fw-timeline a[href="#{folded}"]').click()
        assert page.locator(f"#{folded} summary").is_visible()
        # Everything opened (the rest of the summary, every passage) still fits.
        rest.locator("summary").click()
        assert summary.locator(".fw-cat").filter(visible=True).count() == len(ranked)
        page.get_by_role("button", name="Show all passages").click()
        assert page.locator("details.fw-passage[open]").count() > 100
        assert_fits(page, f"long-novel-open-{width}", screenshot=False)  # too tall to shoot
    finally:
        page.close()


def test_heading_without_a_title_is_the_file_name(browser: Any, tmp_path: Path) -> None:
    page = open_report(browser, render_html(long_novel(title=None)), 390, tmp_path)
    try:
        assert page.locator("h1").inner_text() == "The unabridged chronicle"
        assert page.title() == "Content warnings: The unabridged chronicle"
        assert_fits(page, "untitled-390")
    finally:
        page.close()


@pytest.mark.skipif(not DRACULA.exists(), reason="the public-domain texts are not next to this")
def test_dracula_scanned_fits(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "dracula.html"
    result = run_cli("scan", "--fast", "--format", "html", "-o", str(out), str(DRACULA))
    assert result.returncode == 0, result.stderr
    for width in WIDTHS:
        page = open_report(browser, out.read_text(encoding="utf-8"), width, tmp_path)
        try:
            assert page.locator("h1").inner_text() == "Dracula"
            assert "how sure forewarn is" in page.locator("body").inner_text()
            assert_fits(page, f"dracula-{width}")
        finally:
            page.close()
