"""The HTML report: self-contained, spoiler-guarded, linked timeline, and nothing from the story
can inject markup or script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from forewarn.document import Metadata
from forewarn.render.html import CSP, SCRIPT, render_fragment, render_html
from forewarn.report import Report
from tests.conftest import EXAMPLE, ROOT
from tests.helpers import run_cli
from tests.sample_report import CHECKED, build_document, report_from, sample_report

GOLDEN = ROOT / "tests" / "golden"
PAYLOAD = '<script>alert("x")</script><img src=x onerror="alert(1)">'


class Page(HTMLParser):
    """Collects what a browser would act on: elements, attributes, ids and script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def attrs(self, name: str) -> list[str]:
        return [a[name] or "" for _, a in self.tags if name in a]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def hostile_report() -> Report:
    meta = Metadata(
        title=f"Title {PAYLOAD}",
        authors=[f"author{PAYLOAD}"],
        source_format="ao3-html",
        rating="General Audiences",
        additional_tags=[f"Tag {PAYLOAD}", "Suicide Attempt"],
        summary=f"Summary {PAYLOAD}",
        url="javascript:alert(1)",
    )
    chapters = [
        (f"Chapter {PAYLOAD}", [f"He tried to end it {PAYLOAD} on the roof.", "Quiet."]),
        ("Two", [f"She laughed. {PAYLOAD}"]),
    ]
    doc = build_document(chapters, meta, f"evil{PAYLOAD}.html")
    findings = [("suicide-attempt", "He tried", "tried to end it", "depicted", 0.9)]
    return Report([report_from(doc, findings, CHECKED)], detectors=["hand"])


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(hostile_report())


def test_story_text_cannot_inject_markup_or_script(hostile_html):
    assert "<script>alert" not in hostile_html and "<img" not in hostile_html
    page = parse(hostile_html)
    assert page.scripts == [SCRIPT]  # our one script and nothing else
    assert not [t for t, _ in page.tags if t in ("img", "iframe", "object", "embed", "link")]
    handlers = [k for _, a in page.tags for k in a if k.lower().startswith("on")]
    assert handlers == []
    assert not any(h.lower().startswith("javascript:") for h in page.attrs("href"))
    # The payload is still shown to the reader, as text.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in hostile_html


def test_page_is_self_contained(hostile_html):
    page = parse(hostile_html)
    assert page.attrs("src") == []
    assert all(h.startswith("#") for h in page.attrs("href"))  # javascript: URL not linked
    assert "@import" not in hostile_html and "url(" not in hostile_html
    csp = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp == CSP and "default-src 'none'" in csp


def test_passages_hidden_behind_closed_details():
    report = sample_report()
    html = render_html(report)
    page = parse(html)
    details = [a for t, a in page.tags if t == "details"]
    assert len(details) == sum(len(w.evidence) for w in report.warnings)
    assert all("open" not in a for a in details)
    # Quotes occur only inside the guarded <details> blocks.
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    for w in report.warnings:
        for e in w.evidence:
            assert e.quote not in outside


def test_timeline_marks_link_to_existing_passages():
    page = parse(render_html(sample_report()))
    ids = set(page.attrs("id"))
    links = [h[1:] for h in page.attrs("href") if h.startswith("#")]
    assert any(t == "svg" for t, _ in page.tags)
    assert links and all(link in ids for link in links)
    marks = [a for t, a in page.tags if t == "rect" and "fw-mark" in (a.get("class") or "")]
    assert len(marks) == 7  # one per passage of the sample


def test_fragment_is_embeddable():
    fragment = render_fragment(sample_report())
    assert fragment.startswith('<div class="fw-report">') and fragment.endswith("</div>")
    assert "<html" not in fragment and "<script" not in fragment and "<style" not in fragment


def test_golden_html():
    assert render_html(sample_report()) == (GOLDEN / "report.html").read_text()


@pytest.mark.slow
def test_scan_html_to_file(tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("scan", "--format", "html", "-o", str(out), str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html
    assert "Suicide attempt" in html and 'class="fw-mark' in html
    assert result.stdout == ""


def test_summary_locations_and_timeline_name_a_chapter_as_the_book_prints_it():
    """The summary card, the warning's locations line, each passage's label and the timeline's
    hover titles all say "CHAPTER II — THE STORM", never "ch. 2" or "chapter 2"."""
    from tests.sample_report import storm_report

    page = render_html(Report([storm_report()], mode="default", detectors=["hand"]))
    card = re.search(r'<li class="fw-cat.*?</li>', page)
    assert card and "CHAPTER II — THE STORM" in card.group()
    assert "CHAPTER II — THE STORM, paragraph 2" in page  # the warning's locations line
    assert "CHAPTER II — THE STORM (" in page  # the passage's label
    titles = re.findall(r"<title>([^<]*)</title>", page)
    assert "CHAPTER II — THE STORM" in titles  # the chapter's band
    assert "CHAPTER II — THE STORM, paragraph 2 · depicted" in titles  # the passage's mark
    assert "chapter 2" not in page and "ch. 2" not in page
    long = render_html(Report([storm_report([1, 2, 3, 4, 5])], mode="default", detectors=["hand"]))
    card = re.search(r'<li class="fw-cat.*?</li>', long)
    assert card and "CHAPTER I to CHAPTER V" in card.group()


def test_a_report_that_found_nothing_says_so_with_its_caveat_and_no_bare_safe():
    """Honest verdicts in the HTML report: "No warning found for the N categories forewarn
    checks." and the caveat; a story in another language names it and claims nothing."""
    from html import escape

    import forewarn
    from forewarn.verdict import CAVEAT

    doc = build_document([(None, ["They baked bread all morning."])], Metadata(), "bread.txt")
    page = render_html(Report([report_from(doc, [], CHECKED)], detectors=["hand"]))
    found = re.search(r'<p class="fw-none">([^<]*)</p><p class="fw-caveat">([^<]*)</p>', page)
    assert found, "the nothing-found line and its caveat, together"
    assert found.group(1) == f"No warning found for the {len(CHECKED)} categories forewarn checks."
    assert found.group(2) == escape(CAVEAT)
    assert ">Safe<" not in page and "safe" not in found.group(1).lower()

    spanish = (
        "La niña subió al tejado de la casa y miró el mar. No quería volver, pero su madre la "
        "esperaba con la cena. Se sentó en el borde y pensó en todo lo que había pasado."
    )
    foreign = render_html(forewarn.scan_text(spanish))
    assert "forewarn reads English; this text looks like Spanish" in foreign
    assert "Not checked" in foreign and "No warning found" not in foreign
