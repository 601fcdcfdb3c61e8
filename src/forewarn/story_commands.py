"""The commands about one story, for its reader or its author: ``forewarn check``, ``tags``,
``plot`` and ``profile`` (not to be confused with ``readers/``, which read story files).

cli.py registers thin wrappers; each function here returns its ``ExitCode``: OK, INPUT, USAGE,
and for ``check`` AVOIDED when a story holds avoided content.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from forewarn.ao3tags import suggest_tags
from forewarn.errors import ProfileError
from forewarn.exits import ExitCode, fail
from forewarn.plot import PlotError, plot, plot_format
from forewarn.profile import (
    edit_profile,
    load_profile,
    parse_avoid,
    profile_path,
    set_rule,
    unset_rule,
)
from forewarn.readers import expand_paths
from forewarn.render.formats import CHECK_FORMATS, TAGS_FORMATS
from forewarn.render.terminal import ProgressBar, render_tags, render_verdict
from forewarn.report import DocumentReport, at_least
from forewarn.scanner import ScanFailure, Scanner
from forewarn.verdict import Verdict, verdict_for


class CheckFormat(StrEnum):
    """``text`` (the terminal, story by story) and the names in ``CHECK_FORMATS``."""

    text = "text"
    json = "json"


class TagsFormat(StrEnum):
    """``text`` (the terminal) and the names in ``TAGS_FORMATS``."""

    text = "text"
    json = "json"
    md = "md"


class Severity(StrEnum):
    """The taxonomy's SEVERITIES, mildest first, as a command-line choice."""

    implied = "implied"
    mentioned = "mentioned"
    depicted = "depicted"
    graphic = "graphic"


def _console() -> Console:
    return Console(highlight=False)


def _scan_one(name: str, scanner: Scanner) -> DocumentReport | None:
    """Read and scan one story (progress bar on stderr for long works); None after a failure."""
    report = scanner.attempt_path(name)
    if isinstance(report, ScanFailure):
        fail(str(report))
        return None
    return report


def _scanner(mode: str, bar: ProgressBar) -> Scanner:
    """The readers' scanner: their dismissals applied, long works shown on ``bar``."""
    return Scanner(mode, progress=bar, overrides=True)


def _bar() -> ProgressBar:
    return ProgressBar(Console(stderr=True))


def check_command(
    paths: list[str], avoid_spec: str | None, spoilers: bool, fmt: CheckFormat, mode: str
) -> int:
    """Judge each story against ``--avoid`` (or the profile): 0 all safe, 3 avoided content."""
    try:
        avoid = parse_avoid(avoid_spec) if avoid_spec is not None else load_profile()
    except ProfileError as exc:
        fail(str(exc))
        return ExitCode.USAGE
    if not avoid:
        fail(
            f"nothing to avoid: pass --avoid CATEGORY[,CATEGORY…] or add categories to "
            f"{profile_path()} with `forewarn profile set CATEGORY SEVERITY`"
        )
        return ExitCode.USAGE
    files = expand_paths(paths)
    if not files:
        fail(f"no supported story files in {', '.join(paths)}")
        return ExitCode.INPUT
    failures, unsafe = 0, 0
    verdicts: list[Verdict] = []
    console = _console()
    with _bar() as bar:
        scanner = _scanner(mode, bar)
        for name in files:
            report = _scan_one(name, scanner)
            if report is None:
                failures += 1
                continue
            verdict = verdict_for(report, avoid)
            if not verdict.checked:  # never let "could not read it" pass for "safe"
                fail(f"{name}: {verdict.summary()}")
                failures += 1
            unsafe += verdict.checked and not verdict.safe
            if fmt is CheckFormat.text:
                console.print(render_verdict(verdict, spoilers))
            else:
                verdicts.append(verdict)
    if fmt is not CheckFormat.text:
        sys.stdout.write(CHECK_FORMATS[fmt.value](avoid, verdicts, spoilers))
    if failures:
        if len(files) > 1:
            fail(f"{failures} of {len(files)} files could not be read")
        return ExitCode.INPUT
    return ExitCode.AVOIDED if unsafe else ExitCode.OK


def tags_command(path: str, fmt: TagsFormat, mode: str, min_severity: str = "implied") -> int:
    """Suggest AO3 tags for one story (warnings from ``min_severity`` up); audit the author's."""
    with _bar() as bar:
        report = _scan_one(path, _scanner(mode, bar))
    if report is None:
        return ExitCode.INPUT
    if not report.document.language_supported:
        fail(f"{path}: not checked: {'; '.join(report.document.notices)}")
        return ExitCode.INPUT
    tags = suggest_tags(at_least(report, min_severity))
    if fmt is TagsFormat.text:
        _console().print(render_tags(tags))
    else:
        sys.stdout.write(TAGS_FORMATS[fmt.value](tags))
    return ExitCode.OK


def plot_command(path: str, output: Path, mode: str) -> int:
    """Draw one story's timeline into ``output`` (.svg or .png)."""
    try:
        plot_format(output)
    except PlotError as exc:
        fail(str(exc))
        return ExitCode.USAGE
    with _bar() as bar:
        report = _scan_one(path, _scanner(mode, bar))
    if report is None:
        return ExitCode.INPUT
    try:
        plot(report, output)
    except PlotError as exc:
        fail(str(exc))
        return ExitCode.USAGE
    except OSError as exc:
        fail(f"{output}: cannot write file ({exc.strerror or exc})")
        return ExitCode.INPUT
    Console(stderr=True, highlight=False).print(f"wrote {output}", markup=False)
    return ExitCode.OK


def write_output(text: str, output: Path | None) -> int:
    """``text`` to ``output`` (or stdout); 1 with a one-line error if the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write file ({exc.strerror or exc})")
        return ExitCode.INPUT
    return ExitCode.OK


# -- forewarn profile ----------------------------------------------------------------------------
profile_app = typer.Typer(
    help="Show or change your avoid-list (used by `forewarn check` without --avoid).",
    no_args_is_help=False,
)


def _show_profile() -> None:
    console = _console()
    path = profile_path()
    avoid = load_profile(path)
    console.print(f"profile: {path}{'' if path.exists() else ' (not created yet)'}", markup=False)
    if not avoid:
        console.print(
            "nothing avoided yet; e.g. `forewarn profile set suicide implied`", markup=False
        )
    for cid, severity in avoid.rules.items():
        console.print(f"  avoid {cid} from {severity}", markup=False)


@profile_app.callback(invoke_without_command=True)
def profile(
    ctx: typer.Context,
    edit: Annotated[bool, typer.Option("--edit", help="Open the profile in $EDITOR.")] = False,
) -> None:
    """Show your avoid-list profile (or edit it with --edit)."""
    if ctx.invoked_subcommand:
        return
    try:
        if edit:
            edit_profile()
        _show_profile()
    except ProfileError as exc:
        fail(str(exc))
        raise typer.Exit(ExitCode.USAGE) from None


@profile_app.command("show")
def profile_show() -> None:
    """Show your avoid-list profile (the same as `forewarn profile`)."""
    try:
        _show_profile()
    except ProfileError as exc:
        fail(str(exc))
        raise typer.Exit(ExitCode.USAGE) from None


@profile_app.command("set")
def profile_set(
    category: Annotated[str, typer.Argument(help="A category id, name or alias.")],
    severity: Annotated[
        str, typer.Argument(help="Lowest severity to avoid: implied (any), mentioned, …")
    ] = "implied",
) -> None:
    """Avoid CATEGORY from SEVERITY up (implied = any mention at all)."""
    try:
        cid, sev = set_rule(category, severity)
    except ProfileError as exc:
        fail(str(exc))
        raise typer.Exit(ExitCode.USAGE) from None
    _console().print(f"avoiding {cid} from {sev}", markup=False)


@profile_app.command("unset")
def profile_unset(
    category: Annotated[str, typer.Argument(help="A category id, name or alias.")],
) -> None:
    """Stop avoiding CATEGORY."""
    try:
        cid = unset_rule(category)
    except ProfileError as exc:
        fail(str(exc))
        raise typer.Exit(ExitCode.USAGE) from None
    _console().print(f"no longer avoiding {cid}", markup=False)
