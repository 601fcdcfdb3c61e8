"""Saved AO3 pages for the extension's browser tests, in AO3's real structure.

The markup follows otwarchive's templates: ``works/show`` (``#workskin``, ``#chapters``, the
afterword), ``works/_work_header`` (title, byline, summary, notes), ``works/_meta`` (the
``dl.work.meta.group`` of tags), ``chapters/_chapter`` (``div.chapter#chapter-N`` with its
preface, ``div.userstuff.module`` and end notes), ``works/_work_endnotes``, ``works/_adult``
(the adult-content notice) and ``works/_work_blurb`` / bookmark blurbs on listing pages.

``python -m tests.extension.ao3_pages`` writes them to tests/extension/pages/; a test checks the
saved files are what this module makes. The founding story (examples/founding-story.txt)
becomes a one-shot AO3 work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
FOUNDING = ROOT / "examples" / "founding-story.txt"


@dataclass
class Chapter:
    number: int
    id: int
    title: str | None
    paragraphs: list[str]
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None


@dataclass
class Work:
    id: int
    title: str
    author: str
    rating: str
    warnings: list[str]
    categories: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    freeforms: list[str]
    chapters: list[Chapter]
    total_chapters: int
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    words: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def _tag_href(tag: str) -> str:
    return "/tags/" + escape(tag.replace("/", "*s*").replace(" ", "%20")) + "/works"


def _tags(cls: str, label: str, tags: list[str]) -> str:
    if not tags:
        return ""
    items = "".join(f'<li><a class="tag" href="{_tag_href(t)}">{escape(t)}</a></li>' for t in tags)
    return (
        f'\n          <dt class="{cls} tags">\n            {label}\n          </dt>\n'
        f'          <dd class="{cls} tags">\n            <ul class="commas">\n              '
        f"{items}\n            </ul>\n          </dd>"
    )


def _userstuff(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))


def _page(title: str, body: str, main_class: str = "works-show") -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(title)} [Archive of Our Own]</title>
</head>
<body class="logged-out">
  <div id="outer" class="wrapper">
    <ul id="skiplinks"><li><a href="#main">Main Content</a></li></ul>
    <header id="header" class="region">
      <h1 class="heading"><a href="/"><span>Archive of Our Own</span></a></h1>
    </header>
    <div id="inner" class="wrapper">
      <!-- BEGIN main -->
      <div id="main" class="{main_class} region" role="main">
        <div class="flash"></div>
{body}
      </div>
      <!-- END main -->
    </div>
    <div id="footer" role="contentinfo" class="region">
      <h3 class="landmark heading">Footer</h3>
    </div>
  </div>
</body>
</html>
"""


def _meta(work: Work, shown: list[Chapter]) -> str:
    many = len(work.warnings) > 1
    warning_label = f'<a href="/tos_faq#tags">Archive Warning{"s" if many else ""}</a>:'
    stats = (
        '<dl class="stats"><dt class="published">Published:</dt>'
        '<dd class="published">2024-03-02</dd><dt class="words">Words:</dt>'
        f'<dd class="words">{work.words:,}</dd><dt class="chapters">Chapters:</dt>'
        f'<dd class="chapters">{len(work.chapters)}/{work.total_chapters}</dd>'
        '<dt class="kudos">Kudos:</dt><dd class="kudos">212</dd></dl>'
    )
    return f"""        <h3 class="landmark heading">Work Header</h3>
        <div class="wrapper">
          <dl class="work meta group">{_tags("rating", "Rating:", [work.rating])}{
        _tags("warning", warning_label, work.warnings)
    }{_tags("category", "Category:", work.categories)}{_tags("fandom", "Fandom:", work.fandoms)}{
        _tags("relationship", "Relationship:", work.relationships)
    }{_tags("character", "Characters:", work.characters)}{
        _tags("freeform", "Additional Tags:", work.freeforms)
    }
          <dt class="language">Language:</dt>
          <dd class="language" lang="en">English</dd>
          <dt class="stats">Stats:</dt>
          <dd class="stats">{stats}</dd>
          </dl>
        </div>"""


def _navigation(work: Work, entire: bool) -> str:
    multi = work.total_chapters > 1
    links = (
        [
            f'<li class="chapter entire"><a href="/works/{work.id}?view_full_work=true">'
            "Entire Work</a></li>"
        ]
        if multi and not entire
        else []
    )
    if multi and entire:
        first = work.chapters[0].id
        links.append(
            f'<li class="chapter bychapter"><a href="/works/{work.id}/chapters/{first}">'
            "Chapter by Chapter</a></li>"
        )
    links += [
        '<li class="comments" id="show_comments_link_top"><a href="#comments">Comments</a></li>',
        '<li class="share hidden"><a href="#share">Share</a></li>',
        f'<li class="download"><a href="/downloads/{work.id}/work.epub">Download</a></li>',
    ]
    return (
        '        <h3 class="landmark heading">Actions</h3>\n'
        '        <ul class="work navigation actions" role="menu">\n          '
        + "\n          ".join(links)
        + "\n        </ul>"
    )


def _chapter(work: Work, c: Chapter) -> str:
    heading = f'<a href="/works/{work.id}/chapters/{c.id}">Chapter {c.number}</a>' + (
        f": {escape(c.title)}" if c.title else ""
    )
    summary = (
        '\n              <div id="summary" class="summary module">\n'
        '                <h3 class="heading">Summary:</h3>\n'
        f'                <blockquote class="userstuff">{_userstuff(c.summary)}</blockquote>\n'
        "              </div>"
        if c.summary
        else ""
    )
    notes = ""
    if c.notes or c.end_notes:
        jump = (
            f'<p>(See the end of the chapter for <a href="#chapter_{c.number}_endnotes">'
            f"{'more notes' if c.notes else 'notes'}</a>.)</p>"
            if c.end_notes
            else ""
        )
        quote = (
            f'<blockquote class="userstuff">{_userstuff(c.notes)}</blockquote>' if c.notes else ""
        )
        notes = (
            '\n              <div id="notes" class="notes module">\n'
            f'                <h3 class="heading">Notes:</h3>\n                {quote}{jump}\n'
            "              </div>"
        )
    end = (
        '\n            <div class="chapter preface group" role="complementary">\n'
        f'              <div id="chapter_{c.number}_endnotes" class="end notes module">\n'
        '                <h3 class="heading">Notes:</h3>\n'
        f'                <blockquote class="userstuff">{_userstuff(c.end_notes)}</blockquote>\n'
        "              </div>\n            </div>"
        if c.end_notes
        else ""
    )
    text = "\n              ".join(f"<p>{escape(p)}</p>" for p in c.paragraphs)
    return f"""          <div class="chapter" id="chapter-{c.number}">
            <div class="chapter preface group" role="complementary">
              <h3 class="title">
                {heading}
              </h3>{summary}{notes}
            </div>
            <div class="userstuff module" role="article">
              <h3 class="landmark heading" id="work">Chapter Text</h3>
              {text}
            </div>{end}
          </div>"""


def work_page(work: Work, shown: list[Chapter] | None = None, entire: bool = True) -> str:
    """A work page: every chapter (Entire Work), one chapter, or a one-shot's text."""
    shown = work.chapters if shown is None else shown
    first = shown[0] is work.chapters[0]
    header = ""
    if first and work.summary:
        header += (
            '\n            <div class="summary module">\n'
            '              <h3 class="heading">Summary:</h3>\n'
            f'              <blockquote class="userstuff">{_userstuff(work.summary)}</blockquote>\n'
            "            </div>"
        )
    if first and (work.notes or work.end_notes):
        jump = (
            '<p class="jump">(See the end of the work for '
            f'<a href="/works/{work.id}#work_endnotes">'
            f"{'more notes' if work.notes else 'notes'}</a>.)</p>"
            if work.end_notes
            else ""
        )
        quote = (
            f'<blockquote class="userstuff">{_userstuff(work.notes)}</blockquote>'
            if work.notes
            else ""
        )
        header += (
            '\n            <div class="notes module">\n'
            f'              <h3 class="heading">Notes:</h3>\n              {quote}{jump}\n'
            "            </div>"
        )
    if work.total_chapters == 1:
        text = "\n            ".join(f"<p>{escape(p)}</p>" for p in shown[0].paragraphs)
        chapters = (
            '          <h3 class="landmark heading" id="work">Work Text:</h3>\n'
            f'          <div class="userstuff">\n            {text}\n          </div>'
        )
    else:
        chapters = "\n".join(_chapter(work, c) for c in shown)
    afterword = (
        '\n        <!--afterword-->\n        <div class="afterword preface group">\n'
        '          <div id="work_endnotes" class="end notes module">\n'
        '            <h3 class="heading">Notes:</h3>\n'
        f'            <blockquote class="userstuff">{_userstuff(work.end_notes)}</blockquote>\n'
        "          </div>\n        </div>\n        <!--/afterword-->"
        if work.end_notes and (shown[-1] is work.chapters[-1])
        else ""
    )
    body = f"""{_navigation(work, entire)}
{_meta(work, shown)}
        <!-- BEGIN section where work skin applies -->
        <div id="workskin">
          <div class="preface group">
            <h2 class="title heading">
              {escape(work.title)}
            </h2>
            <h3 class="byline heading">
              <a rel="author" href="/users/{work.author}/pseuds/{work.author}">{work.author}</a>
            </h3>{header}
          </div>
          <!--chapter content-->
          <div id="chapters" role="article">
{chapters}
          </div>
          <!--/chapter-->{afterword}
        </div>
        <!-- END work skin -->
        <div id="feedback" class="feedback" role="navigation">
          <h3 class="landmark heading">Actions</h3>
          <ul class="actions" role="menu"><li><a href="#main">&#8593; Top</a></li></ul>
        </div>"""
    return _page(f"{work.title} - {work.author} - {work.fandoms[0]}", body)


def blurb(work: Work, element_id: str | None = None, kind: str = "work") -> str:
    """A listing blurb (works/_work_blurb + _work_module), or a bookmark blurb."""
    tags = "".join(
        f'<li class="{cls}"><strong><a class="tag" href="{_tag_href(t)}">{escape(t)}</a>'
        "</strong></li>"
        if cls == "warnings"
        else f'<li class="{cls}"><a class="tag" href="{_tag_href(t)}">{escape(t)}</a></li>'
        for cls, values in (
            ("warnings", work.warnings),
            ("relationships", work.relationships),
            ("characters", work.characters),
            ("freeforms", work.freeforms),
        )
        for t in values
    )
    summary = (
        f'<h6 class="landmark heading">Summary</h6>'
        f'<blockquote class="userstuff summary">{_userstuff(work.summary)}</blockquote>'
        if work.summary
        else ""
    )
    return f"""<li id="{element_id or f"work_{work.id}"}" class="{kind} blurb group" role="article">
  <div class="header module">
    <h4 class="heading">
      <a href="/works/{work.id}">{escape(work.title)}</a>
      by
      <a rel="author" href="/users/{work.author}/pseuds/{work.author}">{work.author}</a>
    </h4>
    <h5 class="fandoms heading"><span class="landmark">Fandoms:</span>
      <a class="tag" href="{_tag_href(work.fandoms[0])}">{escape(work.fandoms[0])}</a></h5>
    <ul class="required-tags"><li><span class="rating"><span class="text">{
        escape(work.rating)
    }</span></span></li></ul>
    <p class="datetime">02 Mar 2024</p>
  </div>
  <h6 class="landmark heading">Tags</h6>
  <ul class="tags commas">{tags}</ul>
  {summary}
  <dl class="stats"><dt class="words">Words:</dt><dd class="words">{work.words:,}</dd>
    <dt class="chapters">Chapters:</dt><dd class="chapters">{len(work.chapters)}/{
        work.total_chapters
    }</dd></dl>
</li>"""


def adult_page(work: Work) -> str:
    """works/_adult: the notice shown before a work rated Mature or Explicit."""
    body = f"""        <h2 class="landmark heading">Adult Content Warning</h2>
        <p class="caution">
          This work could have adult content. If you continue, you have agreed that you are
          willing to see such content.
        </p>
        <ul class="actions" role="navigation">
          <li><a href="/works/{work.id}?view_adult=true">Yes, Continue</a></li>
          <li><a href="/">No, Go Back</a></li>
        </ul>
        <p class="message footnote">
          If you accept cookies from our site and you choose "Yes, Continue", you will not be
          asked again during this session (that is, until you close your browser).
        </p>
        <div class="clear"></div>
        <ol class="work index group">
{blurb(work)}
        </ol>"""
    return _page(f"{work.title} - {work.author} - {work.fandoms[0]}", body)


def listing_page(works: list[Work], bookmarked: Work) -> str:
    """A tag's works listing, with a bookmark blurb below (as on a bookmarks page)."""
    blurbs = "\n".join(blurb(w) for w in works)
    body = f"""        <h2 class="heading">1 - {len(works)} of {len(works)} Works in
          <a class="tag" href="/tags/Hurt*s*Comfort">Hurt/Comfort</a></h2>
        <h3 class="landmark heading">Listing Works</h3>
        <ol class="work index group">
{blurbs}
        </ol>
        <h3 class="landmark heading">Listing Bookmarks</h3>
        <ol class="bookmark index group">
{blurb(bookmarked, "bookmark_777", "bookmark")}
        </ol>"""
    return _page("Hurt/Comfort | Archive of Our Own", body, "works-index")


# -- the works -------------------------------------------------------------------------------
CALM = [
    "The kettle sang in the narrow kitchen, and Mira poured two cups without asking.",
    "Outside, the market was setting up: crates of pears, a radio playing something old.",
    "They talked about nothing much, the new bakery and the neighbour's cat, until the tea "
    "went cold.",
    "When the rain came they moved to the window seat and watched the street turn silver.",
]

LIGHTHOUSE = Work(
    id=2002,
    title="What the Lighthouse Keeps",
    author="saltwater_ink",
    rating="Teen And Up Audiences",
    warnings=["Creator Chose Not To Use Archive Warnings"],
    categories=["F/F"],
    fandoms=["Original Work"],
    relationships=["Mira/Oona"],
    characters=["Mira", "Oona"],
    freeforms=["Hurt/Comfort", "Angst with a Happy Ending", "Slow Burn"],
    summary="Three seasons at the lighthouse, and the winter Oona almost did not see.",
    notes="Thank you to my beta, who read this twice.",
    end_notes="Comments are loved. If you are struggling, please reach out to someone.",
    total_chapters=3,
    words=1240,
    chapters=[
        Chapter(
            1,
            5551,
            "Spring",
            CALM,
            summary="Mira arrives at the lighthouse.",
            notes="This one is gentle.",
        ),
        Chapter(
            2,
            5552,
            "Winter",
            [
                "Winter shut the island in. The ferry stopped running and the days went grey "
                "at three in the afternoon.",
                "Oona stopped answering letters. She stopped eating, mostly, and slept on the "
                "couch with her boots on.",
                "On the longest night she swallowed the whole bottle of pills, hoping never to "
                "wake up.",
                "Mira found her on the floor at dawn, and called the mainland, and held her "
                "hand on the boat while the paramedics worked.",
                "The hospital smelled of bleach and oranges. Oona slept for most of two days.",
            ],
            summary="The hardest chapter.",
            notes="Please mind the tags.",
            end_notes="She is going to be all right. I promise.",
        ),
        Chapter(
            3,
            5553,
            "Summer",
            [
                "By summer the garden behind the lighthouse was a mess of beans and marigolds.",
                "Oona learned the names of the boats, and Mira learned to bake bread that rose.",
                "In the evenings they walked the headland and counted the ships going out.",
            ],
            end_notes="The end. Thank you for reading.",
        ),
    ],
)

TEA = Work(
    id=1001,
    title="Tea for Two",
    author="quietmornings",
    rating="General Audiences",
    warnings=["No Archive Warnings Apply"],
    categories=["F/F"],
    fandoms=["Original Work"],
    relationships=["Mira/Oona"],
    characters=["Mira", "Oona"],
    freeforms=["Fluff", "Domestic"],
    summary="A rainy afternoon and a pot of tea.",
    notes="A small thing for a friend.",
    total_chapters=1,
    words=80,
    chapters=[Chapter(1, 4441, None, CALM)],
)

ADULT = Work(
    id=3003,
    title="After Midnight",
    author="nightowl",
    rating="Explicit",
    warnings=["No Archive Warnings Apply"],
    categories=["M/M"],
    fandoms=["Original Work"],
    relationships=["Ash/Rowan"],
    characters=["Ash", "Rowan"],
    freeforms=["Smut"],
    summary="Two old friends, one hotel room.",
    total_chapters=1,
    words=5000,
    chapters=[Chapter(1, 6661, None, ["(not shown on the notice page)"])],
)

UNOPENED = Work(
    id=9999,
    title="A Work Nobody Opened",
    author="someone_else",
    rating="Mature",
    warnings=["Graphic Depictions Of Violence"],
    categories=["Gen"],
    fandoms=["Original Work"],
    relationships=[],
    characters=["Nobody"],
    freeforms=["Angst"],
    summary="Never opened in these tests: no badge, and never fetched.",
    total_chapters=1,
    words=3000,
    chapters=[Chapter(1, 9991, None, ["Never fetched."])],
)


def founding_work() -> Work:
    """The founding story as a one-shot AO3 work, tagged as its author might have tagged it."""
    text = FOUNDING.read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    return Work(
        id=4242,
        title="Swan Dive",
        author="founding_author",
        rating="Teen And Up Audiences",
        warnings=["No Archive Warnings Apply"],
        categories=["Gen"],
        fandoms=["僕のヒーローアカデミア | Boku no Hero Academia | My Hero Academia"],
        relationships=[],
        characters=["Midoriya Izuku", "Bakugou Katsuki"],
        freeforms=["Bullying", "Angst", "Hurt/Comfort"],
        summary="Izuku has a long night after school.",
        total_chapters=1,
        words=len(text.split()),
        chapters=[Chapter(1, 4243, None, paragraphs)],
    )


def pages() -> dict[str, str]:
    """Saved file name -> page."""
    return {
        "work-2002-entire.html": work_page(LIGHTHOUSE),
        "work-2002-chapter-2.html": work_page(LIGHTHOUSE, [LIGHTHOUSE.chapters[1]], entire=False),
        "work-1001-oneshot.html": work_page(TEA),
        "work-3003-adult.html": adult_page(ADULT),
        "work-4242-founding.html": work_page(founding_work()),
        "tag-listing.html": listing_page([LIGHTHOUSE, TEA, UNOPENED], TEA),
    }


#: URL path on archiveofourown.org -> saved page.
ROUTES = {
    "/works/2002": "work-2002-entire.html",
    "/works/2002/chapters/5552": "work-2002-chapter-2.html",
    "/works/1001": "work-1001-oneshot.html",
    "/works/3003": "work-3003-adult.html",
    "/works/4242": "work-4242-founding.html",
    "/tags/Hurt*s*Comfort/works": "tag-listing.html",
}


if __name__ == "__main__":
    PAGES.mkdir(exist_ok=True)
    for name, html in pages().items():
        (PAGES / name).write_text(html, encoding="utf-8")
        print(f"wrote {PAGES / name}")
