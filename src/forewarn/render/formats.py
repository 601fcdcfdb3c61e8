"""The output formats of ``forewarn scan`` by name: a report format renders the whole Report as
one text (``--output`` can write it to a file); a story format renders each story's lines as
soon as it is scanned. The terminal's text is printed through Rich (render.terminal)."""

from __future__ import annotations

import json
from collections.abc import Callable

from forewarn.render.html import render_html
from forewarn.report import SCHEMA_VERSION, DocumentReport, Report


def report_json(report: Report) -> str:
    """The JSON report (schema ``schema/report.schema.json``), indented, with a final newline."""
    return report.to_json() + "\n"


def story_jsonl(report: DocumentReport) -> str:
    """One story as one JSON line, stamped with the schema version."""
    line = {"schema_version": SCHEMA_VERSION, **report.to_dict()}
    return json.dumps(line, ensure_ascii=False) + "\n"


#: Formats that render the whole report at once.
REPORT_FORMATS: dict[str, Callable[[Report], str]] = {"json": report_json, "html": render_html}
#: Formats written story by story, as each is scanned.
STORY_FORMATS: dict[str, Callable[[DocumentReport], str]] = {"jsonl": story_jsonl}
