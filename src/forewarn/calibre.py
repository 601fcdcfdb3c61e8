"""Scan a Calibre library through ``calibredb`` and write the warnings back as tags.

forewarn manages only the values that start with its prefix (``cw:`` by default): it adds and
removes those, and leaves every other tag alone. Calibre's tags are library-wide and ignore
case, so a tag the user spells differently (``CW:Violence``) is never written, not even on
another book: writing ``cw:violence`` would rename the user's tag everywhere. A book already
tagged right is not touched, so re-running is idempotent. ``column`` writes to a custom column
instead of Tags.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from forewarn.batch.inputs import Work
from forewarn.batch.journal import Journal, read_records
from forewarn.batch.runner import Job, Record, scan_tasks
from forewarn.errors import InputError
from forewarn.exits import ExitCode, fail
from forewarn.overrides import Overrides, apply_to_record, load_overrides
from forewarn.profile import ProfileError
from forewarn.render.safe import terminal_safe
from forewarn.taxonomy import severity_rank
from forewarn.version import model_version

#: Formats forewarn reads from a book, best first: EPUB, then HTML, then plain text.
FORMAT_PREFERENCE = (".epub", ".html", ".htm", ".xhtml", ".txt", ".text")


@dataclass
class Book:
    """A library entry: its id, title, format files and the values of the managed field."""

    id: int
    title: str
    formats: list[str]
    values: list[str]


@dataclass
class Change:
    """What forewarn does (or would do) to one book's managed field."""

    book: Book
    added: list[str]
    removed: list[str]
    values: list[str]


@dataclass
class CalibreSummary:
    """Counts of a library run, and the changes made (or proposed by a dry run)."""

    books: int = 0
    #: Books scanned in this run, and books tagged from the journal (unchanged: not rescanned).
    scanned: int = 0
    cached: int = 0
    unchanged: int = 0
    no_format: int = 0
    errors: int = 0
    changes: list[Change] = field(default_factory=list)
    #: forewarn tags not written because a user tag differs only in case: books per tag.
    withheld: Counter[str] = field(default_factory=Counter)
    #: The user's spelling of each withheld tag.
    spellings: dict[str, str] = field(default_factory=dict)


class Calibre:
    """A library, driven through the real ``calibredb`` command."""

    def __init__(self, library: str, column: str | None = None) -> None:
        self.library = library
        self.column = column.lstrip("#") if column else None
        self.binary = shutil.which("calibredb")
        if self.binary is None:
            raise InputError(library, "calibredb not found; install calibre to use this command")
        if not Path(library, "metadata.db").is_file():
            raise InputError(library, "not a Calibre library (no metadata.db)")
        if self.column and self.column not in self._custom_columns():
            raise InputError(
                library,
                f"no custom column #{self.column}; create it with: calibredb add_custom_column "
                f"--library-path {library!r} --is-multiple {self.column} 'Content warnings' text",
            )

    @property
    def field(self) -> str:
        """The calibredb field name of the managed values."""
        return f"#{self.column}" if self.column else "tags"

    def run(self, *args: str) -> str:
        """``calibredb ARGS --library-path LIBRARY``; raises InputError with its message."""
        assert self.binary is not None
        cmd = [self.binary, *args, "--library-path", self.library]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            reason = lines[-1] if lines else f"exit status {proc.returncode}"
            raise InputError(self.library, f"calibredb {args[0]} failed: {reason}")
        return proc.stdout

    def _custom_columns(self) -> set[str]:
        return {line.split(" (")[0].strip() for line in self.run("custom_columns").splitlines()}

    def books(self) -> list[Book]:
        """Every book, with its format files and managed values."""
        key = f"*{self.column}" if self.column else "tags"
        raw = json.loads(self.run("list", "--fields", f"title,formats,{key}", "--for-machine"))
        return [
            Book(int(b["id"]), b.get("title") or "", b.get("formats") or [], _values(b.get(key)))
            for b in raw
        ]

    def write(self, book: Book, values: list[str]) -> None:
        """Replace the managed field of ``book`` with ``values``."""
        self.run("set_metadata", "--field", f"{self.field}:{','.join(values)}", str(book.id))


def _values(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value:  # a single-valued text column holds "a,b"
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def pick_format(formats: list[str]) -> str | None:
    """The file forewarn should read: EPUB, else HTML, else TXT; None if there is none."""
    ranked = [
        (FORMAT_PREFERENCE.index(Path(f).suffix.lower()), f)
        for f in formats
        if Path(f).suffix.lower() in FORMAT_PREFERENCE
    ]
    return min(ranked)[1] if ranked else None


def manages(value: str, prefix: str) -> bool:
    """Whether ``value`` is forewarn's to add and remove (an empty prefix manages a column)."""
    return value.startswith(prefix)


def foreign_values(books: list[Book], prefix: str) -> dict[str, str]:
    """The user's own values in the library, by lower case (Calibre matches values so)."""
    return {v.lower(): v for book in books for v in book.values if not manages(v, prefix)}


def warning_tags(warnings: list[str], prefix: str) -> list[str]:
    """The prefixed tags of a book's warnings (``id`` or ``id:severity``), sorted."""
    return [f"{prefix}{w}" for w in sorted(set(warnings))]


def plan_values(
    current: list[str], warnings: list[str], prefix: str, foreign: Collection[str] = ()
) -> list[str]:
    """The user's values kept in order, then the warning tags whose lower case is not in
    ``foreign`` (writing those would rename the user's value library-wide)."""
    kept = [v for v in current if not manages(v, prefix)]
    return kept + [t for t in warning_tags(warnings, prefix) if t.lower() not in foreign]


def record_warnings(
    record: Record, min_severity: str = "implied", with_severity: bool = False
) -> list[str]:
    """The warnings present in a batch record's report from ``min_severity`` up, as tag
    bodies: ``suicide-attempt``, or ``suicide-attempt:depicted`` ``with_severity``."""
    floor = severity_rank(min_severity)
    return [
        f"{w['id']}:{w['severity']}" if with_severity else w["id"]
        for d in record["report"]["documents"]
        for w in d["warnings"]
        if severity_rank(w["severity"]) >= floor
    ]


def journal_path(library: str) -> Path:
    """Where the scans of ``library`` are journalled: $XDG_CACHE_HOME/forewarn/calibre/…."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = hashlib.sha256(str(Path(library).resolve()).encode()).hexdigest()[:16]
    return Path(base) / "forewarn" / "calibre" / f"{key}.jsonl"


@dataclass
class TagRules:
    """Which warnings become tags: from ``min_severity`` up, optionally with the severity."""

    min_severity: str = "implied"
    with_severity: bool = False


def scan_library(
    calibre: Calibre,
    prefix: str = "cw:",
    *,
    dry_run: bool = False,
    mode: str = "default",
    workers: int = 1,
    on_error: Callable[[str, str], None] | None = None,
    rules: TagRules | None = None,
) -> Iterator[Change | CalibreSummary]:
    """Scan every book and update its tags; yields each change as made, then the summary.

    Scans are journalled (``journal_path``) like a batch run: a book whose file and model
    version are unchanged is not scanned again; its journalled result is tagged afresh, with
    the reader's overrides and ``rules`` applied.
    """
    if not prefix and not calibre.column:
        raise ValueError("an empty prefix would manage every tag; give a prefix such as 'cw:'")
    rules = rules or TagRules()
    summary = CalibreSummary()
    books = calibre.books()
    summary.books = len(books)
    foreign = foreign_values(books, prefix)
    overrides = load_overrides()
    path = journal_path(calibre.library)
    with Journal(path) as journal:
        version = model_version(mode)
        done = journal.done(version)
        cached = {r["id"]: r for r in read_records(path) if r.get("model_version") == version}
        jobs: list[Job] = []
        by_id: dict[str, Book] = {}
        for book in books:
            fmt = pick_format(book.formats)
            if fmt is None:
                summary.no_format += 1
                continue
            work = Work(id=str(book.id), source=fmt, path=fmt)
            by_id[work.id] = book
            previous = done.get(work.id)
            jobs.append((work, previous.sha256 if previous and previous.status == "ok" else None))
        for work, fresh in scan_tasks(jobs, mode, workers):
            if fresh is not None:
                journal.append(fresh)
            record = fresh or cached[work.id]
            change = _retag(by_id[work.id], record, prefix, foreign, rules, overrides, summary)
            if change is None:
                if on_error:
                    on_error(work.source, record["error"])
                continue
            summary.scanned += fresh is not None
            summary.cached += fresh is None
            if isinstance(change, Change):
                if not dry_run:
                    calibre.write(change.book, change.values)
                summary.changes.append(change)
                yield change
    yield summary


def _retag(
    book: Book,
    record: Record,
    prefix: str,
    foreign: dict[str, str],
    rules: TagRules,
    overrides: Overrides,
    summary: CalibreSummary,
) -> Change | bool | None:
    """The change one book's record calls for: a Change, False if none, None on an error."""
    if record["status"] != "ok":
        summary.errors += 1
        return None
    warnings = record_warnings(
        apply_to_record(record, overrides), rules.min_severity, rules.with_severity
    )
    for tag in warning_tags(warnings, prefix):
        if tag.lower() in foreign:
            summary.withheld[tag] += 1
            summary.spellings[tag] = foreign[tag.lower()]
    values = plan_values(book.values, warnings, prefix, foreign)
    if set(values) == set(book.values):
        summary.unchanged += 1
        return False
    return Change(
        book,
        added=[v for v in values if v not in book.values],
        removed=[v for v in book.values if v not in values],
        values=values,
    )


def calibre_command(
    library: str,
    prefix: str = "cw:",
    column: str | None = None,
    *,
    dry_run: bool = False,
    mode: str = "default",
    workers: int = 1,
    rules: TagRules | None = None,
) -> int:
    """``forewarn calibre``: one line per changed book on stdout, errors and summary on stderr."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)

    def report_error(source: str, reason: str) -> None:
        fail(f"{source}: {reason}")

    try:
        calibre = Calibre(library, column)
        for item in scan_library(
            calibre,
            prefix,
            dry_run=dry_run,
            mode=mode,
            workers=workers,
            on_error=report_error,
            rules=rules,
        ):
            if isinstance(item, Change):
                title = (
                    item.book.title if len(item.book.title) <= 60 else item.book.title[:59] + "…"
                )
                edits = [f"+{v}" for v in item.added] + [f"-{v}" for v in item.removed]
                verb = "would set" if dry_run else "set"
                line = f"#{item.book.id} {title}: {verb} {' '.join(edits)}"
                out.print(terminal_safe(line), markup=False)  # titles come from the books
            else:
                summary = item
    except (InputError, ProfileError) as exc:
        fail(str(exc))
        return ExitCode.INPUT
    changed = len(summary.changes)
    err.print(
        f"{summary.books} books: {summary.scanned} scanned"
        + (
            f", {summary.cached} unchanged since the last scan (not rescanned)"
            if summary.cached
            else ""
        )
        + ", "
        f"{changed} {'to change' if dry_run else 'changed'}, {summary.unchanged} unchanged"
        + (f", {summary.no_format} without an EPUB, HTML or TXT file" if summary.no_format else "")
        + (f", {summary.errors} could not be read" if summary.errors else "")
        + (" (dry run: nothing written)" if dry_run else ""),
        markup=False,
    )
    for line in withheld_lines(summary):
        err.print(terminal_safe(line), markup=False)  # the user's tags come from the library
    return ExitCode.INPUT if summary.errors else ExitCode.OK


def withheld_lines(summary: CalibreSummary) -> list[str]:
    """One summary line per tag forewarn left unwritten to spare a user tag of another case."""
    return [
        f"{tag} written on no book ({n} would have it): your own tag {summary.spellings[tag]} "
        "differs only in case (Calibre's tags ignore case)"
        for tag, n in sorted(summary.withheld.items())
    ]
