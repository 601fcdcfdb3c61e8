"""The HTML report: one self-contained page (inline CSS, a tiny inline script, no external assets).

Readable on a phone; spoiler-guarded (every quote sits in a closed ``<details>``); every string
that comes from the story is escaped, and a Content-Security-Policy allows only our own script.
``render_html`` gives the page, ``render_fragment`` the body for embedding (e.g. the web server,
which should send ``CSP`` and include ``STYLE``/``SCRIPT`` itself).
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from forewarn.ao3tags import TagReport, suggest_tags
from forewarn.locations import passage_place, warning_locations
from forewarn.place import chapter_named, chapters_in_brief, numbered
from forewarn.render.svg import timeline_svg
from forewarn.report import SCORE_HELP, ContentWarning, DocumentReport, Evidence, Report
from forewarn.taxonomy import SEVERITIES, load_taxonomy, severity_rank
from forewarn.timeline import build_timeline
from forewarn.verdict import CAVEAT, nothing_found

#: Characters of story text shown on each side of a quoted span.
CONTEXT_CHARS = 280
#: Passages listed under each warning before the rest are folded away (the surest come first).
PASSAGES_SHOWN = 5
#: Chapters named in a warning's locations line before the rest are only counted.
WHERE_CHAPTERS = 6
#: Categories the summary lists before collapsing the rest (most severe, then surest, first).
SUMMARY_SHOWN = 8
#: A chapter list longer than this is summed up in the summary ("41 chapters, from Chapter 2 to
#: Chapter 59", each named as the book prints it).
CHAPTER_LIST_CHARS = 60

STYLE = """
.fw-report{--fw-fg:#212529;--fw-muted:#5c636a;--fw-line:#dee2e6;--fw-soft:#f8f9fa;
 color:var(--fw-fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 max-width:880px;margin:0 auto;padding:16px}
.fw-report *{box-sizing:border-box}
.fw-report{overflow-wrap:break-word}
.fw-report h1{font-size:1.6rem;line-height:1.25;margin:.2rem 0;overflow-wrap:anywhere}
.fw-report h2{font-size:1.15rem;margin:1.8rem 0 .6rem;padding-bottom:.2rem;
 border-bottom:1px solid var(--fw-line)}
.fw-report h3{font-size:1.02rem;margin:0 0 .3rem}
.fw-brand{margin:0;color:var(--fw-muted);font-size:.8rem;letter-spacing:.06em;
 text-transform:uppercase}
.fw-byline{margin:0 0 .2rem}
.fw-facts,.fw-hint,.fw-where,.fw-more,.fw-footer,.fw-caveat{color:var(--fw-muted);font-size:.88rem}
.fw-facts{margin:0;overflow-wrap:anywhere}
.fw-notice{background:#fff4e6;border-left:4px solid #f59f00;padding:.4rem .7rem;margin:.6rem 0}
.fw-none{color:#237032;font-weight:600}.fw-unchecked{color:#b35c00;font-weight:600}
.fw-sevcounts{margin:0 0 .4rem}.fw-sevcounts .fw-badge{margin-right:.25rem}
.fw-cats{list-style:none;margin:0;padding:0;border:1px solid var(--fw-line);border-radius:6px;
 background:#fff}
.fw-cat{border-left:4px solid var(--fw-c);padding:.35rem .7rem;overflow-wrap:anywhere}
.fw-cat+.fw-cat{border-top:1px solid var(--fw-line)}
.fw-cat a{font-weight:600}
.fw-count{color:var(--fw-muted);font-size:.88rem;display:block}
.fw-rest{margin:.4rem 0 0}.fw-rest>summary{cursor:pointer;color:#1c5d99;padding:.2rem 0}
.fw-rest .fw-cats{margin-top:.3rem}
.fw-badge{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.8rem;
 font-weight:600;color:#fff;background:var(--fw-c);vertical-align:.1em}
.fw-implied{--fw-c:#1f6fa8}.fw-mentioned{--fw-c:#8a6100}.fw-depicted{--fw-c:#c2410c}
.fw-graphic{--fw-c:#b3001b}
.fw-scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--fw-line);
 border-radius:6px;background:#fff;padding:4px}
.fw-timeline-svg{display:block;width:100%;height:auto}
.fw-timeline-svg a:focus rect,.fw-timeline-svg a:hover rect{stroke:#000;stroke-width:1.5}
.fw-warning{border:1px solid var(--fw-line);border-left:4px solid var(--fw-c);border-radius:6px;
 padding:.7rem .9rem;margin:.8rem 0;background:#fff}
.fw-evidence{margin:.4rem 0 0;padding-left:1.4rem}
.fw-evidence li{margin:.35rem 0}
.fw-passage summary,.fw-morepass>summary{cursor:pointer;color:#1c5d99}
.fw-morepass{margin:.2rem 0 0 1.4rem}
.fw-epub{margin:.1rem 0 0;color:var(--fw-muted);font-size:.8rem;overflow-wrap:anywhere}
.fw-passage[open] .fw-show,.fw-passage:not([open]) .fw-hide{display:none}
.fw-passage summary .fw-loc{color:var(--fw-muted);font-size:.88rem}
.fw-passage:target{outline:3px solid #ffd43b;outline-offset:3px;border-radius:3px}
.fw-passage blockquote{margin:.5rem 0;padding:.6rem .8rem;background:var(--fw-soft);
 border-left:3px solid var(--fw-line);white-space:pre-wrap;overflow-wrap:anywhere}
.fw-span{background:#fff3bf}
.fw-passage mark{background:#ffd43b;color:inherit;padding:0 .1em;border-radius:2px}
.fw-controls{display:flex;gap:.5rem;flex-wrap:wrap}
.fw-controls button{font:inherit;font-size:.88rem;padding:.3rem .7rem;border-radius:6px;
 border:1px solid #adb5bd;background:#fff;cursor:pointer}
.fw-meta dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}
.fw-meta dt{font-weight:600}.fw-meta dd{margin:0;overflow-wrap:anywhere}
.fw-tags{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.3rem}
.fw-tags li{background:var(--fw-soft);border:1px solid var(--fw-line);border-radius:4px;
 padding:0 .45rem;font-size:.9rem;overflow-wrap:anywhere}
.fw-tags .fw-ok{border-color:#237032}.fw-tags .fw-miss{border-color:#c2410c;border-style:dashed}
.fw-summary-text{margin:.3rem 0;padding:.4rem .8rem;border-left:3px solid var(--fw-line);
 white-space:pre-wrap}
.fw-meta h3{margin-top:1rem}.fw-audit{padding-left:1.2rem}.fw-audit li{margin:.2rem 0}
.fw-footer{margin-top:2rem;border-top:1px solid var(--fw-line);padding-top:.5rem}
@media (max-width:600px){.fw-report{padding:10px}.fw-report h1{font-size:1.35rem}
 .fw-meta dl{grid-template-columns:1fr}.fw-meta dd{margin-bottom:.4rem}
 .fw-timeline-svg{min-width:560px}.fw-timeline-svg .fw-row-label{font-size:15px}}
""".strip()

SCRIPT = (
    "document.querySelectorAll('[data-fw-toggle]').forEach(function(b){b.hidden=false;"
    "b.addEventListener('click',function(){var open=b.getAttribute('data-fw-toggle')==='show';"
    "b.closest('.fw-doc').querySelectorAll('details.fw-passage,details.fw-morepass')"
    ".forEach(function(d){"
    "d.open=open;});});});"
)
#: The policy the page carries: nothing loads from anywhere; only SCRIPT may run.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()}'"
)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _anchor(doc_index: int, warning: ContentWarning, i: int) -> str:
    return f"fw-{doc_index}-{warning.id}-{i + 1}"


def _plural(n: int, word: str, words: str = "") -> str:
    return f"{n:,} {word if n == 1 else words or word + 's'}"


def _context(report: DocumentReport, e: Evidence) -> str:
    """The passage in its paragraph: the quoted span marked, the words that triggered it marked."""
    doc = report.document
    para = doc.paragraph_at(e.start)
    lo, hi = (para.start, para.end) if para else (e.start, e.end)
    lo = max(lo, e.start - CONTEXT_CHARS)
    hi = min(max(hi, e.end), e.end + CONTEXT_CHARS)
    if para and lo > para.start:
        lo = doc.text.find(" ", lo, e.start) + 1 or lo
    if para and hi < para.end:
        cut = doc.text.rfind(" ", e.end, hi)
        hi = cut if cut > 0 else hi
    ms, me = e.match_start, e.match_end
    if not (e.start <= ms < me <= e.end):
        ms = me = e.start
    text = doc.text
    return (
        ("…" if para and lo > para.start else "")
        + _e(text[lo : e.start])
        + '<span class="fw-span">'
        + _e(text[e.start : ms])
        + (f"<mark>{_e(text[ms:me])}</mark>" if me > ms else "")
        + _e(text[me : e.end])
        + "</span>"
        + _e(text[e.end : hi])
        + ("…" if para and hi < para.end else "")
    )


def _where(e: Evidence) -> str:
    return f"{_e(passage_place(e))} · {e.severity}"


def _epub_place(e: Evidence) -> str:
    """For an EPUB, where an e-reader finds the passage (no spoiler: shown with it folded)."""
    spine = e.place.spine if e.place else None
    if spine is None:
        return ""
    return f'<p class="fw-epub">EPUB {_e(spine.href)} <code>{_e(spine.cfi)}</code></p>'


def _warning(report: DocumentReport, index: int, w: ContentWarning) -> str:
    by_chapter: dict[int, list[int]] = {}
    for loc in warning_locations(report, w):
        paragraphs = by_chapter.setdefault(loc.chapter, [])
        if loc.paragraph:
            paragraphs.append(loc.paragraph)
    places = [
        _e(chapter_named(report.document, c)) + (f", {numbered('paragraph', p)}" if p else "")
        for c, p in sorted(by_chapter.items())
    ]
    where = "; ".join(places[:WHERE_CHAPTERS])
    if len(places) > WHERE_CHAPTERS:
        where += f"; and {_plural(len(places) - WHERE_CHAPTERS, 'more chapter')}"
    items = [
        f'<li><details class="fw-passage" id="{_anchor(index, w, i)}"><summary>'
        '<span class="fw-show">Show passage</span><span class="fw-hide">Hide passage</span> '
        f'<span class="fw-loc">{_where(e)}</span></summary>'
        f"<blockquote>{_context(report, e)}</blockquote></details>{_epub_place(e)}</li>"
        for i, e in enumerate(w.evidence)
    ]
    listed = f'<ol class="fw-evidence">{"".join(items[:PASSAGES_SHOWN])}</ol>'
    if len(items) > PASSAGES_SHOWN:
        listed += (
            f'<details class="fw-morepass"><summary>'
            f"{_plural(len(items) - PASSAGES_SHOWN, 'more passage')}</summary>"
            f'<ol class="fw-evidence" start="{PASSAGES_SHOWN + 1}">'
            f"{''.join(items[PASSAGES_SHOWN:])}</ol></details>"
        )
    more = w.evidence_total - len(w.evidence)
    return (
        f'<section class="fw-warning fw-{w.severity}" id="fw-{index}-w-{w.id}">'
        f'<h3>{_e(w.name)} <span class="fw-badge">{w.severity}</span></h3>'
        f'<p class="fw-where">{_plural(w.evidence_total, "passage")} · {where} · '
        f"how sure {w.score:.2f}</p>"
        + listed
        + (f'<p class="fw-more">+ {_plural(more, "more passage")} not listed</p>' if more else "")
        + "</section>"
    )


def _chapters(report: DocumentReport, w: ContentWarning) -> str:
    chapters = [loc.chapter for loc in warning_locations(report, w)]
    return _e(chapters_in_brief(report.document, chapters, CHAPTER_LIST_CHARS))


def _category(report: DocumentReport, index: int, w: ContentWarning) -> str:
    facts = " · ".join(
        [_plural(w.evidence_total, "passage"), _chapters(report, w), f"how sure {w.score:.2f}"]
    )
    return (
        f'<li class="fw-cat fw-{w.severity}"><a href="#fw-{index}-w-{w.id}">{_e(w.name)}</a> '
        f'<span class="fw-badge">{w.severity}</span> <span class="fw-count">{facts}</span></li>'
    )


def _summary(report: DocumentReport, index: int) -> str:
    """Every category found, most severe first, then surest; past SUMMARY_SHOWN, collapsed."""
    if not report.document.language_supported:
        return '<p class="fw-unchecked">Not checked: see the note above.</p>'
    caveat = f'<p class="fw-caveat">{_e(CAVEAT)}</p>'
    if not report.warnings:
        return f'<p class="fw-none">{_e(nothing_found(report))}</p>{caveat}'
    ws = sorted(report.warnings, key=lambda w: (-severity_rank(w.severity), -w.score, w.id))
    counts = " ".join(
        f'<span class="fw-badge fw-{sev}">{n} {sev}</span>'
        for sev in reversed(SEVERITIES)
        if (n := sum(w.severity == sev for w in ws))
    )
    shown, rest = ws[:SUMMARY_SHOWN], ws[SUMMARY_SHOWN:]
    more = ""
    if rest:
        hidden = _plural(len(rest), "more category", "more categories")
        more = (
            f'<details class="fw-rest"><summary>{hidden}, less severe or less sure</summary>'
            f'<ol class="fw-cats" start="{len(shown) + 1}">'
            + "".join(_category(report, index, w) for w in rest)
            + "</ol></details>"
        )
    return (
        f'<div class="fw-sevgrid"><p class="fw-sevcounts">'
        f"{_plural(len(ws), 'category', 'categories')} found: {counts}</p>"
        f'<ol class="fw-cats">{"".join(_category(report, index, w) for w in shown)}</ol>'
        f"{more}</div>{caveat}"
        f'<p class="fw-hint">Most severe first, then the surest. {_e(SCORE_HELP)}</p>'
    )


def _tag_list(tags: list[str], classes: dict[str, str] | None = None) -> str:
    classes = classes or {}
    items = "".join(
        f'<li class="{classes[t]}">{_e(t)}</li>' if t in classes else f"<li>{_e(t)}</li>"
        for t in tags
    )
    return f'<ul class="fw-tags">{items}</ul>'


def _names(ids: list[str], sep: str = " or ") -> str:
    tax = load_taxonomy()
    return _e(sep.join(tax[i].name.lower() for i in ids))


def _audit(tags: TagReport) -> str:
    audit, doc = tags.audit, tags.report.document
    if audit is None:
        return ""
    items = [
        f"<li>✓ <b>{_e(t.tag)}</b>: found {_names(t.found, ', ')} "
        f"({_e(chapters_in_brief(doc, t.chapters, CHAPTER_LIST_CHARS))})</li>"
        for t in audit.confirmed
    ]
    items += [
        f"<li>? <b>{_e(t.tag)}</b>: tagged, but "
        + (
            f"only {_e(', '.join(t.below_warning_level))} found, below warning level"
            if t.below_warning_level
            else f"no {_names(t.categories)} found"
        )
        + "</li>"
        for t in audit.not_found
    ]
    items += [
        f"<li>· <b>{_e(t.tag)}</b>: forewarn cannot check {_names(t.categories)} yet</li>"
        for t in audit.not_checked
    ]
    items += [
        f"<li>! <b>{_e(u.warning.name)}</b> ({u.warning.severity}, "
        f"{_e(chapters_in_brief(doc, u.chapters, CHAPTER_LIST_CHARS))}): found but not tagged"
        + (f"; suggested tag “{_e(u.suggested_tag)}”" if u.suggested_tag else "")
        + "</li>"
        for u in audit.untagged
    ]
    notes = [audit.rating_note] if audit.rating_note else []
    notes += [f"Archive Warning not chosen: {t}" for t in audit.missing_archive_warnings]
    items += [f"<li>! {_e(n)}</li>" for n in notes]
    return (
        f'<h3>Author’s tags and what forewarn found</h3><ul class="fw-audit">{"".join(items)}</ul>'
    )


def _metadata(report: DocumentReport, tags: TagReport) -> str:
    meta = report.document.metadata
    status: dict[str, str] = {}
    if tags.audit:
        status.update({t.tag: "fw-ok" for t in tags.audit.confirmed})
        status.update({t.tag: "fw-miss" for t in tags.audit.not_found})
    rows: list[tuple[str, str]] = []
    if meta.authors:
        rows.append(("Authors", _e(", ".join(meta.authors))))
    if meta.rating:
        rows.append(("Rating", _e(meta.rating)))
    for label, values in (
        ("Archive Warnings", meta.archive_warnings),
        ("Categories", meta.categories),
        ("Fandoms", meta.fandoms),
        ("Relationships", meta.relationships),
        ("Characters", meta.characters),
        ("Additional Tags", meta.additional_tags),
    ):
        if values:
            rows.append((label, _tag_list(values, status)))
    if meta.language:
        rows.append(("Language", _e(meta.language)))
    if meta.url:
        url = _e(meta.url)
        safe = meta.url.startswith(("https://", "http://"))
        link = f'<a href="{url}" rel="noopener noreferrer">{url}</a>' if safe else url
        rows.append(("Source", link))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    summary = (
        f'<h3>Summary</h3><blockquote class="fw-summary-text">{_e(meta.summary)}</blockquote>'
        if meta.summary
        else ""
    )
    if not (body or summary):
        return ""
    return (
        '<section class="fw-meta"><h2>About this story</h2>'
        + (f"<dl>{body}</dl>" if body else "")
        + summary
        + _audit(tags)
        + "</section>"
    )


def render_document(report: DocumentReport, index: int = 0) -> str:
    """One story's part of the report (an ``<article>``)."""
    doc = report.document
    meta = doc.metadata
    timeline = build_timeline(report, lambda w, i: _anchor(index, w, i))
    facts = " · ".join(
        [
            _e(report.source),
            _e(meta.source_format),
            _plural(doc.word_count, "word"),
            _plural(len(doc.chapters), "chapter"),
        ]
    )
    notices = "".join(f'<p class="fw-notice">{_e(n)}</p>' for n in doc.notices)
    byline = f'<p class="fw-byline">by {_e(", ".join(meta.authors))}</p>' if meta.authors else ""
    warnings = "".join(_warning(report, index, w) for w in report.warnings)
    details = (
        '<section class="fw-warnings"><h2>Warnings and evidence</h2>'
        '<p class="fw-hint">Passages stay hidden until you choose to show them.</p>'
        '<div class="fw-controls"><button type="button" data-fw-toggle="show" hidden>'
        'Show all passages</button><button type="button" data-fw-toggle="hide" hidden>'
        f"Hide all passages</button></div>{warnings}</section>"
        if report.warnings
        else ""
    )
    return (
        f'<article class="fw-doc" id="fw-{index}"><header>'
        f"<h1>{_e(report.title)}</h1>{byline}"
        f'<p class="fw-facts">{facts}</p></header>{notices}'
        f"<section><h2>Summary</h2>{_summary(report, index)}</section>"
        + (
            '<section class="fw-timeline"><h2>Timeline</h2>'
            '<p class="fw-hint">Chapters run left to right, one row per warning; taller, darker '
            "marks are more intense. Select a mark to go to its (hidden) passage.</p>"
            f'<div class="fw-scroll">{timeline_svg(timeline)}</div></section>'
            if doc.language_supported
            else ""
        )
        + f"{details}{_metadata(report, suggest_tags(report))}</article>"
    )


def render_fragment(report: Report) -> str:
    """The report's body: every story's article plus a footer (needs STYLE and SCRIPT)."""
    articles = "".join(render_document(d, i) for i, d in enumerate(report.documents))
    footer = (
        f'<p class="fw-footer">forewarn · mode {_e(report.mode)} · detectors '
        f"{_e(', '.join(report.detectors) or 'none')} · found content is a guide, not a "
        "guarantee.</p>"
    )
    return (
        f'<div class="fw-report"><p class="fw-brand">forewarn content report</p>'
        f"{articles}{footer}</div>"
    )


def page_title(report: Report) -> str:
    """The page's <title>: the story's title, or how many stories the report covers."""
    titles = [d.title for d in report.documents]
    if len(titles) == 1:
        return f"Content warnings: {titles[0]}"
    return f"Content warnings: {len(titles)} stories"


def render_html(report: Report) -> str:
    """The whole self-contained HTML page for ``report``."""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="generator" content="forewarn">'
        f"<title>{_e(page_title(report))}</title>"
        f"<style>{STYLE}</style></head>\n<body>{render_fragment(report)}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
