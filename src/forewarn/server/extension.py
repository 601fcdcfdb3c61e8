"""The browser extension's check: an AO3 work as structured chapters in, a verdict per chapter out.

The extension's content script parses the AO3 page the reader has open (titles, summary, notes,
each chapter's paragraphs and the author's tags) and its service worker sends that here as JSON.
The work is built into one Document whose chapter numbers are AO3's own (a page showing only
chapter 3 yields "chapter 3", not "chapter 1"), scanned like any story, judged against the
reader's avoid-list with the verdict code and audited with the ``tags`` audit. Paragraph numbers
in the answer index the paragraphs the extension sent, so it can fold exactly those.

The main process validates the body (422 before any worker is asked) and caches answers by the
work's text hash; the worker process runs :func:`check_work`.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from forewarn.ao3tags import audit_notes, suggest_tags
from forewarn.builder import clean_block
from forewarn.document import Document, Metadata, Span
from forewarn.errors import InputError
from forewarn.language import annotate_language
from forewarn.limits import Deadline, Limits
from forewarn.locations import warning_locations
from forewarn.overrides import overrides_path
from forewarn.place import chapters_as_printed, ranges
from forewarn.profile import AvoidList
from forewarn.report import DocumentReport
from forewarn.scanner import Scanner
from forewarn.server.problems import Problem
from forewarn.verdict import Verdict, category_label, verdict_for

#: Version of the extension endpoint's answer.
EXTENSION_VERSION = "1.0"
#: AO3 allows far fewer chapters than this; it bounds the work a body can ask for.
MAX_CHAPTERS = 2000
#: Answers kept, most recently used first out last.
CACHE_ENTRIES = 128

_TEXT_FIELDS = ("id", "url", "title", "summary", "rating", "language")
_LIST_FIELDS = (
    "authors",
    "notes",
    "end_notes",
    "archive_warnings",
    "categories",
    "fandoms",
    "relationships",
    "characters",
    "additional_tags",
)
_CHAPTER_TEXT = ("title", "summary")
_CHAPTER_LISTS = ("notes", "end_notes", "paragraphs")


# -- the request -------------------------------------------------------------------------------
def _text(value: object, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Problem(422, f"{where} must be a string")


def _texts(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Problem(422, f"{where} must be a list of strings")
    return list(value)


def parse_work(body: bytes) -> dict[str, Any]:
    """The work in a request body, checked and normalised; Problem 422 when it is malformed.

    ``{"title", "authors", "summary", "notes", "end_notes", "rating", "archive_warnings",
    "additional_tags", …, "chapters": [{"number", "title", "summary", "notes", "end_notes",
    "paragraphs"}]}``; chapter numbers are AO3's positions, increasing.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Problem(422, f"malformed JSON body ({exc})") from None
    if not isinstance(data, dict):
        raise Problem(422, "the JSON body must be an object holding the work")
    known = {*_TEXT_FIELDS, *_LIST_FIELDS, "chapters"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise Problem(422, f"unknown field(s) in the work: {', '.join(unknown)}")
    work: dict[str, Any] = {name: _text(data.get(name), name) for name in _TEXT_FIELDS}
    work.update({name: _texts(data.get(name), name) for name in _LIST_FIELDS})
    chapters = data.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        raise Problem(422, 'the work needs "chapters", a list of at least one chapter')
    if len(chapters) > MAX_CHAPTERS:
        raise Problem(422, f"too many chapters ({len(chapters)}; at most {MAX_CHAPTERS})")
    work["chapters"] = []
    last = 0
    for i, raw in enumerate(chapters):
        where = f"chapters[{i}]"
        if not isinstance(raw, dict):
            raise Problem(422, f"{where} must be an object")
        unknown = sorted(set(raw) - {"number", *_CHAPTER_TEXT, *_CHAPTER_LISTS})
        if unknown:
            raise Problem(422, f"unknown field(s) in {where}: {', '.join(unknown)}")
        number = raw.get("number", last + 1)
        if not isinstance(number, int) or isinstance(number, bool) or number <= last:
            raise Problem(422, f"{where}.number must be a whole number after {last}")
        if number > MAX_CHAPTERS * 10:
            raise Problem(422, f"{where}.number is too large")
        chapter: dict[str, Any] = {"number": number}
        chapter.update({k: _text(raw.get(k), f"{where}.{k}") for k in _CHAPTER_TEXT})
        chapter.update({k: _texts(raw.get(k), f"{where}.{k}") for k in _CHAPTER_LISTS})
        work["chapters"].append(chapter)
        last = number
    if not any(clean_block(p) for c in work["chapters"] for p in c["paragraphs"]):
        raise Problem(422, "the work has no chapter text")
    return work


def text_hash(work: dict[str, Any]) -> str:
    """SHA-256 of everything in the work that can change its answer (canonical JSON)."""
    canonical = json.dumps(work, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def overrides_stamp() -> str:
    """A digest of the reader's overrides file ("" when there is none): part of a cached
    answer's key, so that a dismissal made since is never hidden behind the cache."""
    try:
        return hashlib.sha256(overrides_path().read_bytes()).hexdigest()
    except OSError:
        return ""


class ResultCache:
    """Answers by (text hash, mode, avoid-list, spoilers, overrides), least recently used
    dropped first."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self._items: OrderedDict[tuple[object, ...], dict[str, Any]] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> dict[str, Any] | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[object, ...], value: dict[str, Any]) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.entries:
            self._items.popitem(last=False)

    def clear(self) -> int:
        n = len(self._items)
        self._items.clear()
        return n

    def __len__(self) -> int:
        return len(self._items)


# -- the document ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SentChapter:
    """A chapter as the extension sent it: AO3 number, title, and for each Document paragraph
    (in order) the 1-based index of the sent paragraph it came from."""

    number: int
    title: str | None
    paragraphs: int
    sent_index: tuple[int, ...]


def work_document(work: dict[str, Any], source: str) -> tuple[Document, list[SentChapter]]:
    """One Document for the work, numbered as AO3 numbers its chapters.

    Chapters the page does not show (before a lone chapter 3, or one with no text) become
    empty placeholders, so that the Document's chapter numbers are AO3's. Paragraphs are
    cleaned as every reader cleans them; blank ones are left out (and mapped around).
    """
    parts: list[str] = []
    spans: list[Span] = []
    starts: list[tuple[int, str | None]] = []
    sent: list[SentChapter] = []
    pos, last = 0, 0
    for chapter in work["chapters"]:
        kept = [(i, b) for i, p in enumerate(chapter["paragraphs"], 1) if (b := clean_block(p))]
        title = chapter["title"]
        sent.append(
            SentChapter(
                chapter["number"], title, len(chapter["paragraphs"]), tuple(i for i, _ in kept)
            )
        )
        if not kept:
            continue
        begin = pos + 2 if parts else 0
        starts += [(begin, None)] * (chapter["number"] - last - 1)
        starts.append((begin, clean_block(title).replace("\n", " ") if title else None))
        last = chapter["number"]
        for _, block in kept:
            if parts:
                parts.append("\n\n")
                pos += 2
            parts.append(block)
            spans.append(Span(pos, pos + len(block)))
            pos += len(block)
    metadata = Metadata(
        title=work["title"],
        authors=work["authors"],
        source_format="ao3-page",
        rating=work["rating"],
        archive_warnings=work["archive_warnings"],
        categories=work["categories"],
        fandoms=work["fandoms"],
        relationships=work["relationships"],
        characters=work["characters"],
        additional_tags=work["additional_tags"],
        summary=work["summary"],
        notes=[
            *work["notes"],
            *(n for c in work["chapters"] for n in (*c["notes"], *c["end_notes"])),
            *work["end_notes"],
        ],
        chapter_titles=[c.title or "" for c in sent],
        url=work["url"],
    )
    return Document("".join(parts), spans, starts, metadata, source), sent


def _summary(verdict: Verdict, summary: str, warnings: list[dict[str, Any]]) -> str:
    """The verdict's words; with no avoid-list, what was found (labels and chapters only)."""
    if not verdict.checked:
        return summary
    if not verdict.avoid:
        doc = verdict.report.document  # chapters named as AO3 prints them, as the verdict does
        found = "; ".join(
            f"{w['label']} in {chapters_as_printed(doc, w['chapters'])}" for w in warnings
        )
        return "no avoid-list set; " + (f"found: {found}" if found else "no warning found")
    if verdict.safe and summary == "safe":
        return f"no warning found for {verdict.avoid.describe()}"
    return summary


# -- the answer (in a worker) -----------------------------------------------------------------
def check_work(
    work: dict[str, Any],
    scanner: Scanner,
    avoid_rules: dict[str, str],
    spoilers: bool = False,
) -> dict[str, Any]:
    """Scan the work and answer: verdict, chapters, findings, tag audit and the report."""
    source = f"ao3:{work['id']}" if work["id"] else "ao3-page"
    doc, sent = work_document(work, source)
    if not doc.text.strip():
        raise InputError(source, "no chapter text")
    doc.deadline = Deadline.start(source, scanner.limits or Limits.from_env())
    annotate_language(doc)
    report = scanner.document(doc)
    verdict = verdict_for(report, AvoidList(dict(avoid_rules)))
    full = scanner.report([report]).to_dict()
    return answer(work, report, verdict, sent, full, spoilers)


def answer(
    work: dict[str, Any],
    report: DocumentReport,
    verdict: Verdict,
    sent: list[SentChapter],
    full: dict[str, Any],
    spoilers: bool,
) -> dict[str, Any]:
    """The JSON answer; chapter numbers are AO3's, paragraph numbers the sent paragraphs'."""

    shown = {c.number: c for c in sent}

    def sent_paragraph(chapter: int, paragraph: int) -> int | None:
        c = shown.get(chapter)
        if c is None or not 1 <= paragraph <= len(c.sent_index):
            return None
        return c.sent_index[paragraph - 1]

    found: dict[int, list[str]] = {}
    warnings = []
    for w in report.warnings:
        where = sorted({loc.chapter for loc in warning_locations(report, w)})
        label = category_label(w.id, w.severity)
        warnings.append(
            {
                "id": w.id,
                "name": w.name,
                "label": label,
                "severity": w.severity,
                "chapters": where,
            }
        )
        for n in where:
            found.setdefault(n, []).append(label)
    avoided: dict[int, tuple[list[int], list[str]]] = {}
    for hit in verdict.hits:
        for loc in hit.locations:
            paragraphs, labels = avoided.setdefault(loc.chapter, ([], []))
            if (index := sent_paragraph(loc.chapter, loc.paragraph)) is not None:
                paragraphs.append(index)
            if hit.label not in labels:
                labels.append(hit.label)
    chapters = [
        {
            "number": c.number,
            "title": c.title,
            "paragraphs": c.paragraphs,
            "found": found.get(c.number, []),
            "avoided": avoided.get(c.number, ([], []))[1],
            "fold": [list(r) for r in ranges(avoided.get(c.number, ([], []))[0])],
        }
        for c in sent
    ]
    judged = verdict.to_dict(spoilers)
    tags = suggest_tags(report)
    audit = tags.audit
    tags_dict = tags.to_dict()
    if audit is not None and not spoilers:
        for untagged in tags_dict["audit"]["found_but_untagged"]:
            untagged["evidence"] = []
    document = full["documents"][0]
    document["chapters"] = [c for c in document["chapters"] if c["number"] in shown]
    if not spoilers:
        for w in document["warnings"]:
            w["evidence"] = []
    return {
        "version": EXTENSION_VERSION,
        "work_id": work["id"],
        "title": work["title"],
        "checked": verdict.checked,
        "safe": verdict.safe,
        "avoid": verdict.avoid.to_dict(),
        "avoiding": verdict.avoid.describe(),
        "summary": _summary(verdict, judged["summary"], warnings),
        "caveat": judged.get("caveat") or "forewarn can miss things: a guide, not a guarantee.",
        "notices": list(report.document.notices),
        "hits": judged["hits"],
        "chapters": chapters,
        "safe_chapters": [c.number for c in sent if c.number not in avoided],
        "warnings": warnings,
        "tags": {
            "rating": tags_dict["rating"],
            "archive_warnings": tags_dict["archive_warning_tags"],
            "additional_tags": [s.tag for s in tags.additional_tags],
            "audit": tags_dict["audit"],
            "notes": [n.to_dict() for n in audit_notes(audit, report.document)] if audit else [],
        },
        "report": full,
    }
