"""The readable report: warnings ranked by severity, each with its strongest quote and place."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from forewarn.render.safe import terminal_safe
from forewarn.report import DocumentReport, Evidence, Report

SEVERITY_STYLE = {
    "graphic": "bold red",
    "depicted": "red",
    "mentioned": "yellow",
    "implied": "cyan",
}
QUOTE_CHARS = 220


def location(e: Evidence) -> str:
    """ "chapter 3 “The Roof”, paragraph 12"."""
    title = f" “{terminal_safe(e.chapter_title)}”" if e.chapter_title else ""
    return f"chapter {e.chapter}{title}, paragraph {e.paragraph}"


def shorten(quote: str, limit: int = QUOTE_CHARS) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


def render_document(report: DocumentReport) -> Group:
    doc = report.document
    meta = doc.metadata
    title = Text(terminal_safe(meta.title or report.source), style="bold")
    if meta.authors:
        title.append(" by " + terminal_safe(", ".join(meta.authors)))
    facts = Text(
        f"{terminal_safe(report.source)} · {meta.source_format} · {doc.word_count:,} words · "
        f"{len(doc.chapters)} chapter{'s' if len(doc.chapters) != 1 else ''}",
        style="dim",
    )
    parts: list[Text | Panel] = [title, facts]
    for notice in doc.notices:
        parts.append(Text("note: " + terminal_safe(notice), style="magenta"))
    if not report.warnings:
        if doc.language_supported:
            parts.append(Text("No content warnings found.", style="green"))
        return Group(*parts, Text(""))
    for w in report.warnings:
        head = Text("● ", style=SEVERITY_STYLE[w.severity])
        head.append(w.name, style="bold")
        head.append(f" — {w.severity}", style=SEVERITY_STYLE[w.severity])
        chapters = ", ".join(str(c) for c in w.chapters)
        head.append(
            f"  (score {w.score:.2f}; {w.evidence_total} passage"
            f"{'s' if w.evidence_total != 1 else ''}; chapter {chapters})",
            style="dim",
        )
        parts.append(head)
        if w.evidence:
            best = w.evidence[0]
            parts.append(
                Text(f"    {location(best)}: ", style="dim")
                + Text(f"“{terminal_safe(shorten(best.quote))}”", style="italic")
            )
    return Group(*parts, Text(""))


def print_report(report: Report, console: Console | None = None) -> None:
    """Print every document of ``report`` to the terminal (or ``console``)."""
    console = console or Console()
    for doc_report in report.documents:
        console.print(render_document(doc_report))
