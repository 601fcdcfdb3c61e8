"""``forewarn dismiss`` and ``forewarn overrides``: record, list and undo a reader's corrections.

Each function returns its ``ExitCode``: OK, INPUT (a bad file) or USAGE (a bad argument).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console

from forewarn.errors import InputError, ProfileError
from forewarn.exits import ExitCode, fail
from forewarn.overrides import dismiss, load_overrides, overrides_path, restore
from forewarn.place import chapter_named
from forewarn.readers import read_path
from forewarn.render.safe import terminal_safe


def _out(line: str) -> None:
    Console(highlight=False, soft_wrap=True).print(terminal_safe(line), markup=False)


def parse_where(spec: str) -> tuple[int, int]:
    """``"3:9"`` -> (chapter 3, paragraph 9); ProfileError for anything else."""
    chapter, sep, paragraph = spec.partition(":")
    if not (sep and chapter.strip().isdigit() and paragraph.strip().isdigit()):
        raise ProfileError(f"--at expects CHAPTER:PARAGRAPH, e.g. 3:9 (got {spec!r})")
    return int(chapter), int(paragraph)


def _guarded(action: Callable[[], int]) -> int:
    """Run ``action``; a bad file is an input error, a bad argument a usage error."""
    try:
        return action()
    except InputError as exc:
        fail(str(exc))
        return ExitCode.INPUT
    except ProfileError as exc:
        fail(str(exc))
        return ExitCode.USAGE


def dismiss_command(path: str, category: str, at: str | None) -> int:
    """Dismiss ``category`` in the work at ``path`` (everywhere, or in one paragraph)."""

    def run() -> int:
        where = parse_where(at) if at else None
        doc = read_path(path)
        if where and not any((p.chapter, p.number) == where for p in doc.paragraphs):
            raise ProfileError(f"{path} has no paragraph {where[1]} in chapter {where[0]}")
        assert doc.sha256 is not None
        cid = dismiss(doc.sha256, category, where, doc.metadata.title or path, url=doc.metadata.url)
        scope = f"chapter {where[0]}, paragraph {where[1]}" if where else "the whole work"
        printed = chapter_named(doc, where[0]) if where else ""
        if where and printed != f"chapter {where[0]}":
            # the reading-order number --at takes, and the chapter as the reports name it
            scope += f" ({terminal_safe(printed)})"
        _out(f"dismissed {cid} in {scope} of {doc.metadata.title or path} ({doc.sha256[:12]}…)")
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"saved in {overrides_path()}; scan, check, tags, calibre, batch and serve leave "
            "it out",
            markup=False,
        )
        return ExitCode.OK

    return _guarded(run)


def list_overrides() -> int:
    """Print every work's dismissals."""
    try:
        overrides = load_overrides()
    except ProfileError as exc:
        fail(str(exc))
        return ExitCode.USAGE
    _out(f"overrides: {overrides_path()}")
    if not any(overrides.works.values()):
        _out("nothing dismissed yet; e.g. `forewarn dismiss book.epub death --at 3:9`")
    for sha, work in sorted(overrides.works.items()):
        if not work:
            continue
        _out(f"{work.title or '(untitled)'} ({sha[:12]}…)")
        for cid in sorted(work.categories):
            _out(f"  dismissed {cid} everywhere")
        for cid, chapter, paragraph in sorted(work.passages):
            _out(f"  dismissed {cid} in chapter {chapter}, paragraph {paragraph}")
    return ExitCode.OK


def restore_command(path: str, category: str | None) -> int:
    """Undo the dismissals of a work (of one category, if given)."""

    def run() -> int:
        doc = read_path(path)
        assert doc.sha256 is not None
        undone = restore(doc.sha256, category)
        _out(f"restored {undone} dismissal{'s' if undone != 1 else ''} in {path}")
        return ExitCode.OK

    return _guarded(run)


overrides_app = typer.Typer(
    help="List or undo the warnings you dismissed (see `forewarn dismiss`).",
    no_args_is_help=False,
)


@overrides_app.callback(invoke_without_command=True)
def overrides(ctx: typer.Context) -> None:
    """List the warnings you dismissed, per work."""
    if not ctx.invoked_subcommand:
        raise typer.Exit(list_overrides())


@overrides_app.command("restore")
def overrides_restore(
    path: Annotated[str, typer.Argument(help="The story file.")],
    category: Annotated[
        str | None, typer.Argument(help="Only this category (default: all).")
    ] = None,
) -> None:
    """Undo the dismissals recorded for the work at PATH."""
    raise typer.Exit(restore_command(path, category))
