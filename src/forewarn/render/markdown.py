"""Markdown for authors: a "Content notes" block to paste into a work's notes (no quotes)."""

from __future__ import annotations

import re

from forewarn.ao3tags import TagReport
from forewarn.locations import warning_locations
from forewarn.place import chapters_as_printed

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(text: str) -> str:
    """``text`` with the characters that start Markdown or HTML markup backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def content_notes(tags: TagReport) -> str:
    """``**Content notes**`` and one bullet per warning: name, intensity and chapters."""
    report = tags.report
    lines = ["**Content notes**", ""]
    if not report.warnings:
        lines.append("No content warnings.")
    for w in report.warnings:
        chapters = chapters_as_printed(
            report.document, [loc.chapter for loc in warning_locations(report, w)]
        )
        lines.append(f"- {md_escape(w.name)} ({w.severity}): {md_escape(chapters)}")
    lines += [
        "",
        "<!-- forewarn suggests: "
        f"Rating: {tags.rating.tag}; "
        f"Archive Warnings: {', '.join(tags.archive_warning_tags)}; "
        f"Additional Tags: {', '.join(s.tag for s in tags.additional_tags) or 'none'} -->",
    ]
    return "\n".join(lines) + "\n"
