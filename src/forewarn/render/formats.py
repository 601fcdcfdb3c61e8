"""The output formats by name. For ``forewarn scan``: a report format renders the whole Report
as one text (``--output`` can write it to a file); a story format renders each story's lines as
soon as it is scanned. For ``forewarn tags``: a tags format renders one story's TagReport; for
``forewarn check``: a check format renders every story's verdict at once. Each command's
terminal text (``text``, its default) is printed through Rich (render.terminal)."""

from __future__ import annotations

import json
from collections.abc import Callable

from forewarn.ao3tags import TagReport
from forewarn.profile import AvoidList
from forewarn.render.html import render_html
from forewarn.render.markdown import content_notes
from forewarn.report import SCHEMA_VERSION, DocumentReport, Report
from forewarn.verdict import Verdict, check_to_dict


def report_json(report: Report) -> str:
    """The JSON report (schema ``schema/report.schema.json``), indented, with a final newline."""
    return report.to_json() + "\n"


def story_jsonl(report: DocumentReport) -> str:
    """One story as one JSON line, stamped with the schema version."""
    line = {"schema_version": SCHEMA_VERSION, **report.to_dict()}
    return json.dumps(line, ensure_ascii=False) + "\n"


def tags_json(tags: TagReport) -> str:
    """The suggested tags (schema ``schema/tags.schema.json``), indented, with a final newline."""
    return json.dumps(tags.to_dict(), indent=2, ensure_ascii=False) + "\n"


def check_json(avoid: AvoidList, verdicts: list[Verdict], spoilers: bool) -> str:
    """The verdicts under ``avoid`` (schema ``schema/check.schema.json``), indented."""
    return json.dumps(check_to_dict(avoid, verdicts, spoilers), indent=2, ensure_ascii=False) + "\n"


#: Formats that render the whole report at once.
REPORT_FORMATS: dict[str, Callable[[Report], str]] = {"json": report_json, "html": render_html}
#: Formats written story by story, as each is scanned.
STORY_FORMATS: dict[str, Callable[[DocumentReport], str]] = {"jsonl": story_jsonl}
#: ``forewarn tags`` formats: one story's suggested tags.
TAGS_FORMATS: dict[str, Callable[[TagReport], str]] = {"json": tags_json, "md": content_notes}
#: ``forewarn check`` formats: every story's verdict under the avoid-list, with or without spoilers.
CHECK_FORMATS: dict[str, Callable[[AvoidList, list[Verdict], bool], str]] = {"json": check_json}
