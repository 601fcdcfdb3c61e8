"""Terminal output (Rich, fits 80 columns): the scan report with a compact timeline, reader
verdicts, AO3 tag suggestions, and a progress bar for long works."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from forewarn.ao3tags import audit_notes
from forewarn.locations import passage_place, warning_locations
from forewarn.place import chapters_as_printed, chapters_in_brief, ordinal
from forewarn.render.safe import terminal_safe
from forewarn.report import SCORE_HELP, DocumentReport, Evidence, Report
from forewarn.taxonomy import load_taxonomy, severity_rank
from forewarn.timeline import Timeline, build_timeline
from forewarn.verdict import CAVEAT, nothing_found

if TYPE_CHECKING:
    from forewarn.ao3tags import Audit, TagReport
    from forewarn.document import Document
    from forewarn.scanner import ScanProgress
    from forewarn.verdict import ChapterSkip, Verdict

SEVERITY_STYLE = {
    "graphic": "bold red",
    "depicted": "red",
    "mentioned": "yellow",
    "implied": "cyan",
}
QUOTE_CHARS = 220


def location(e: Evidence) -> str:
    """``"chapter 3 “The Roof” (41 %), paragraph 12"``, made terminal-safe."""
    return terminal_safe(passage_place(e))


def shorten(quote: str, limit: int = QUOTE_CHARS) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


def render_document(report: DocumentReport) -> Group:
    doc = report.document
    meta = doc.metadata
    title = Text(terminal_safe(meta.title or report.source), style="bold")
    if meta.authors:
        title.append(" by " + terminal_safe(", ".join(meta.authors)))
    # An untitled text is headed by its file name; the facts line then need not repeat it.
    where = f"{terminal_safe(report.source)} · " if meta.title else ""
    facts = Text(
        f"{where}{meta.source_format} · {doc.word_count:,} words · "
        f"{len(doc.chapters)} chapter{'s' if len(doc.chapters) != 1 else ''}",
        style="dim",
    )
    parts: list[Text | Panel] = [title, facts]
    for notice in doc.notices:
        parts.append(Text("note: " + terminal_safe(notice), style="magenta"))
    if not report.warnings:
        if doc.language_supported:
            parts.append(Text(nothing_found(report), style="green"))
            parts.append(Text(CAVEAT, style="dim"))
        return Group(*parts, Text(""))
    for w in report.warnings:
        head = Text("● ", style=SEVERITY_STYLE[w.severity])
        head.append(w.name, style="bold")
        head.append(f" — {w.severity}", style=SEVERITY_STYLE[w.severity])
        chapters = chapters_in_brief(doc, [loc.chapter for loc in warning_locations(report, w)])
        head.append(
            f"  (how sure {w.score:.2f}; {w.evidence_total} passage"
            f"{'s' if w.evidence_total != 1 else ''}; {terminal_safe(chapters)})",
            style="dim",
        )
        parts.append(head)
        if w.evidence:
            best = w.evidence[0]
            parts.append(
                Text(f"    {location(best)}: ", style="dim")
                + Text(f"“{terminal_safe(shorten(best.quote))}”", style="italic")
            )
            if best.place is not None and best.place.spine is not None:
                spine = best.place.spine
                where = f"    EPUB {spine.href} {spine.cfi}"  # the CFI holds the EPUB's own ids
                parts.append(Text(terminal_safe(where), style="dim"))
    parts.append(Text(SCORE_HELP, style="dim"))
    return Group(*parts, Text(""), render_timeline(report), Text(""))


def print_report(report: Report, console: Console | None = None) -> None:
    """Print every document of ``report`` to the terminal (or ``console``)."""
    console = console or Console()
    for doc_report in report.documents:
        console.print(render_document(doc_report))


# -- compact timeline ----------------------------------------------------------------------------
TIMELINE_CELLS = 48
LABEL_WIDTH = 24
GLYPHS = {"implied": "▂", "mentioned": "▄", "depicted": "▆", "graphic": "█"}


def _axis(timeline: Timeline, cells: int) -> Text:
    axis = [" "] * cells
    if len(timeline.bands) == 1:
        axis[:5] = "start"
        axis[-3:] = "end"
    else:
        free = 0
        for band in timeline.bands:
            label = str(band.number)
            at = min(cells - 1, int(band.x0 * cells))
            if at >= free and at + len(label) <= cells:
                axis[at : at + len(label)] = label
                free = at + len(label) + 1
    head = "chapter" if len(timeline.bands) > 1 else ""
    return Text("  " + head.ljust(LABEL_WIDTH) + " " + "".join(axis), style="dim")


def timeline_rows(report: DocumentReport, cells: int = TIMELINE_CELLS) -> list[Text]:
    """One line per warning (≤ 80 columns): the story left to right, a glyph per passage.

    Glyph height grows with severity (▂ implied … █ graphic); │ marks a chapter start.
    """
    timeline = build_timeline(report)
    starts = {min(cells - 1, int(b.x0 * cells)) for b in timeline.bands[1:]}
    lines = [_axis(timeline, cells)]
    for row in timeline.rows:
        strongest: dict[int, str] = {}
        for m in row.marks:
            cell = min(cells - 1, int(m.x * cells))
            if cell not in strongest or severity_rank(m.severity) > severity_rank(strongest[cell]):
                strongest[cell] = m.severity
        name = row.name if len(row.name) <= LABEL_WIDTH else row.name[: LABEL_WIDTH - 1] + "…"
        line = Text("  " + name.ljust(LABEL_WIDTH) + " ")
        for cell in range(cells):
            if cell in strongest:
                line.append(GLYPHS[strongest[cell]], style=SEVERITY_STYLE[strongest[cell]])
            else:
                line.append("│" if cell in starts else "·", style="dim")
        lines.append(line)
    return lines


def render_timeline(report: DocumentReport) -> Group:
    """The compact timeline block with its legend."""
    legend = Text("  timeline  ", style="bold")
    for sev, glyph in GLYPHS.items():
        legend.append(glyph, style=SEVERITY_STYLE[sev])
        legend.append(f" {sev}  ", style="dim")
    return Group(legend, *timeline_rows(report))


# -- reader verdicts -----------------------------------------------------------------------------
def _heading(report: DocumentReport) -> Text:
    meta = report.document.metadata
    head = Text(terminal_safe(meta.title or report.source), style="bold")
    if meta.authors:
        head.append(" by " + terminal_safe(", ".join(meta.authors)))
    return head


def _skip_details(skip: ChapterSkip, spoilers: bool) -> list[Text]:
    """Per range: the EPUB position, and with ``spoilers`` the paragraph's first words."""
    lines = []
    for (first, _), place in zip(skip.paragraphs, skip.places, strict=False):
        bits = [f"starts “{terminal_safe(place.first_words)}”"] if spoilers else []
        if place.spine is not None:
            bits.append(terminal_safe(f"EPUB {place.spine.href} {place.spine.cfi}"))
        if bits:
            lines.append(Text(f"    {ordinal(first)} paragraph: " + "; ".join(bits), style="dim"))
    return lines


def render_verdict(verdict: Verdict, spoilers: bool = False) -> Group:
    """``safe`` or ``contains: …``, the paragraphs to skip and the safe chapters; quotes only
    with ``spoilers``."""
    report = verdict.report
    parts: list[Text] = [
        _heading(report),
        Text(f"{terminal_safe(report.source)} · avoiding {verdict.avoid.describe()}", style="dim"),
    ]
    if not verdict.checked:
        parts.append(Text(terminal_safe(verdict.summary()), style="bold yellow"))
        return Group(*parts, Text(""))
    parts += [Text("note: " + terminal_safe(n), style="magenta") for n in report.document.notices]
    parts.append(
        Text(terminal_safe(verdict.summary()), style="bold green" if verdict.safe else "bold red")
    )
    parts.append(Text(CAVEAT, style="dim"))
    if verdict.not_assessed:
        tax = load_taxonomy()
        names = ", ".join(tax[c].name.lower() for c in verdict.not_assessed)
        parts.append(Text(f"could not assess: {names} (no detector for them)", style="yellow"))
    if verdict.safe:
        return Group(*parts, Text(""))
    tax = load_taxonomy()
    for skip in verdict.skips():
        where = Text(f"  skip {terminal_safe(skip.where())}")
        where.append(f" ({', '.join(tax[c].name.lower() for c in skip.categories)})", style="dim")
        parts.append(where)
        parts += _skip_details(skip, spoilers)
    if len(report.document.chapters) > 1:
        safe = verdict.safe_chapters()
        clear = f"  nothing you avoid found in {chapters_as_printed(report.document, safe)}"
        clear = terminal_safe(clear)
        parts.append(
            Text(
                clear if safe else "  every chapter holds something you avoid",
                style="green" if safe else "red",
            )
        )
    if spoilers:
        for hit in verdict.hits:
            parts.append(Text(f"  {hit.label} — passages:", style="bold"))
            for e in hit.evidence():
                parts.append(
                    Text(f"    {location(e)} ({e.severity}): ", style="dim")
                    + Text(f"“{terminal_safe(shorten(e.quote))}”", style="italic")
                )
    else:
        parts.append(Text("  (no quotes shown; --spoilers reveals them)", style="dim"))
    return Group(*parts, Text(""))


# -- author tags ---------------------------------------------------------------------------------
TAG_WIDTH = 30


def _tag_line(tag: str, reason: str) -> Text:
    line = Text("  " + terminal_safe(tag).ljust(TAG_WIDTH - 2) + " ")
    line.append(terminal_safe(reason), style="dim")
    return line


def render_tags(tags: TagReport) -> Group:
    """Suggested rating, Archive Warnings and additional tags; then the audit, if any."""
    parts: list[Text] = [
        _heading(tags.report),
        Text(terminal_safe(tags.report.source), style="dim"),
    ]
    parts.append(Text("Rating: ", style="bold") + Text(tags.rating.tag))
    parts.append(Text("  because: " + "; ".join(tags.rating.reasons), style="dim"))
    parts.append(Text("Archive Warnings:", style="bold"))
    if tags.archive_warnings:
        parts += [_tag_line(s.tag, "; ".join(s.reasons)) for s in tags.archive_warnings]
    else:
        parts.append(_tag_line(tags.archive_warning_tags[0], "nothing at warning level found"))
    parts.append(Text("Additional Tags:", style="bold"))
    parts += [_tag_line(s.tag, "; ".join(s.reasons)) for s in tags.additional_tags] or [
        Text("  (none)", style="dim")
    ]
    if tags.audit:
        parts += _audit_lines(tags.audit, tags.report.document)
    return Group(*parts, Text(""))


#: How the terminal marks each kind of audit note (``ao3tags.audit_notes``): prefix, style.
_AUDIT_MARKS = {
    "confirmed": ("  ✓ confirmed  ", "green"),
    "not found": ("  ? not found  ", "yellow"),
    "unchecked": ("  · unchecked  ", "dim"),
}


def _audit_lines(audit: Audit, doc: Document) -> list[Text]:
    """The audit in ``audit_notes``' words, with the quotes of each untagged warning."""
    parts = [Text("Audit of the author's tags", style="bold")]
    untagged = iter(audit.untagged)
    for note in audit_notes(audit, doc):
        if note.kind == "untagged":
            line = Text(terminal_safe(f"{note.subject} {note.detail}"))
            parts.append(Text("  ! untagged   ", style="red") + line)
            parts += [
                Text(f"      {location(e)}: ", style="dim")
                + Text(f"“{terminal_safe(shorten(e.quote, 160))}”", style="italic")
                for e in next(untagged).evidence
            ]
        elif note.kind in _AUDIT_MARKS:
            prefix, style = _AUDIT_MARKS[note.kind]
            parts.append(
                Text(prefix, style=style)
                + Text(terminal_safe(note.subject))
                + Text(f" — {terminal_safe(note.detail)}", style="dim")
            )
        elif note.kind == "other":
            text = "  other tags (not content warnings): " + terminal_safe(note.subject)
            parts.append(Text(text, style="dim"))
        elif note.kind == "rating":
            parts.append(Text("  ! " + terminal_safe(note.detail), style="red"))
        else:  # an Archive Warning the author did not choose
            parts.append(Text(f"  ! Archive Warning not chosen: {note.subject}", style="red"))
    return parts


# -- progress ------------------------------------------------------------------------------------
#: Works at least this long show a progress bar while they are scanned (about a second of work).
PROGRESS_WORDS = 50_000


class ProgressBar:
    """A Scanner progress callback: a transient bar on ``console`` while a long work is scanned
    (at least ``min_words``; never when ``console`` is not a terminal). Use it as a context
    manager so that a scan stopped midway does not leave its bar behind."""

    def __init__(self, console: Console, min_words: int = PROGRESS_WORDS) -> None:
        self.console, self.min_words = console, min_words
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, event: ScanProgress) -> None:
        if event.words < self.min_words or not self.console.is_terminal:
            return
        if event.done == 0 or self._bar is None:
            self.close()
            self._bar = Progress(*_BAR_COLUMNS, console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("scanning", total=event.total)
        assert self._task is not None
        if event.done >= event.total:
            self.close()
        else:
            self._bar.update(
                self._task, description=f"detecting ({event.stage})", completed=event.done
            )

    def close(self) -> None:
        """Take the bar off the terminal, if one is showing."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = self._task = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_BAR_COLUMNS = (
    TextColumn("{task.description}"),
    BarColumn(bar_width=24),
    MofNCompleteColumn(),
    TimeElapsedColumn(),
)
