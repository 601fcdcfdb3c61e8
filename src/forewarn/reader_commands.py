"""The reader and author commands behind ``forewarn check``, ``tags``, ``plot`` and ``profile``.

cli.py registers thin wrappers; each function here returns the exit code: 0 ok, 1 input error,
2 usage error, and for ``check`` 3 when a story holds avoided content.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from forewarn.profile import ProfileError

if TYPE_CHECKING:
    from forewarn.detectors import Pipeline
    from forewarn.report import DocumentReport
    from forewarn.verdict import Verdict

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_AVOIDED = 0, 1, 2, 3


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


class TagsFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


class Severity(StrEnum):
    """The taxonomy's SEVERITIES, mildest first, as a command-line choice."""

    implied = "implied"
    mentioned = "mentioned"
    depicted = "depicted"
    graphic = "graphic"


def _fail(message: str) -> None:
    from forewarn.cli import fail

    fail(message)


def _console() -> Console:
    return Console(highlight=False)


def _scan_one(name: str, pipeline: Pipeline) -> DocumentReport | None:
    """Read and scan one story (progress bar on stderr for long works); None after a failure."""
    from forewarn.errors import InputError
    from forewarn.overrides import apply_overrides
    from forewarn.readers import read_path
    from forewarn.render.terminal import scan_with_progress

    try:
        return apply_overrides(scan_with_progress(read_path(name), pipeline, Console(stderr=True)))
    except (InputError, ProfileError) as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug must not stop the other files of a batch
        _fail(f"{name}: internal error ({type(exc).__name__}: {exc}); please report it")
    return None


def check_command(
    paths: list[str], avoid_spec: str | None, spoilers: bool, fmt: CheckFormat, mode: str
) -> int:
    """Judge each story against ``--avoid`` (or the profile): 0 all safe, 3 avoided content."""
    from forewarn.cli import _expand
    from forewarn.detectors import build_pipeline
    from forewarn.profile import load_profile, parse_avoid, profile_path
    from forewarn.render.terminal import render_verdict
    from forewarn.verdict import check_to_dict, judge

    try:
        avoid = parse_avoid(avoid_spec) if avoid_spec is not None else load_profile()
    except ProfileError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    if not avoid:
        _fail(
            f"nothing to avoid: pass --avoid CATEGORY[,CATEGORY…] or add categories to "
            f"{profile_path()} with `forewarn profile set CATEGORY SEVERITY`"
        )
        return EXIT_USAGE
    pipeline = build_pipeline(mode)
    files = _expand(paths)
    if not files:
        _fail(f"no supported story files in {', '.join(paths)}")
        return EXIT_INPUT
    failures, unsafe = 0, 0
    verdicts: list[Verdict] = []
    console = _console()
    for name in files:
        report = _scan_one(name, pipeline)
        if report is None:
            failures += 1
            continue
        verdict = judge(report, avoid)
        if not verdict.checked:  # never let "could not read it" pass for "safe"
            _fail(f"{name}: {verdict.summary()}")
            failures += 1
        unsafe += verdict.checked and not verdict.safe
        if fmt is CheckFormat.text:
            console.print(render_verdict(verdict, spoilers))
        else:
            verdicts.append(verdict)
    if fmt is CheckFormat.json:
        out = check_to_dict(avoid, verdicts, spoilers)
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    if failures:
        if len(files) > 1:
            _fail(f"{failures} of {len(files)} files could not be read")
        return EXIT_INPUT
    return EXIT_AVOIDED if unsafe else EXIT_OK


def tags_command(path: str, fmt: TagsFormat, mode: str, min_severity: str = "implied") -> int:
    """Suggest AO3 tags for one story (warnings from ``min_severity`` up); audit the author's."""
    from forewarn.ao3tags import suggest_tags
    from forewarn.detectors import build_pipeline
    from forewarn.report import at_least

    report = _scan_one(path, build_pipeline(mode))
    if report is None:
        return EXIT_INPUT
    if not report.document.language_supported:
        _fail(f"{path}: not checked: {'; '.join(report.document.notices)}")
        return EXIT_INPUT
    tags = suggest_tags(at_least(report, min_severity))
    if fmt is TagsFormat.json:
        sys.stdout.write(json.dumps(tags.to_dict(), indent=2, ensure_ascii=False) + "\n")
    elif fmt is TagsFormat.md:
        from forewarn.render.markdown import content_notes

        sys.stdout.write(content_notes(tags))
    else:
        from forewarn.render.terminal import render_tags

        _console().print(render_tags(tags))
    return EXIT_OK


def plot_command(path: str, output: Path, mode: str) -> int:
    """Draw one story's timeline into ``output`` (.svg or .png)."""
    from forewarn.detectors import build_pipeline
    from forewarn.plot import PlotError, plot, plot_format

    try:
        plot_format(output)
    except PlotError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    report = _scan_one(path, build_pipeline(mode))
    if report is None:
        return EXIT_INPUT
    try:
        plot(report, output)
    except PlotError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        _fail(f"{output}: cannot write file ({exc.strerror or exc})")
        return EXIT_INPUT
    Console(stderr=True, highlight=False).print(f"wrote {output}", markup=False)
    return EXIT_OK


def write_output(text: str, output: Path | None) -> int:
    """``text`` to ``output`` (or stdout); 1 with a one-line error if the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write file ({exc.strerror or exc})")
        return EXIT_INPUT
    return EXIT_OK


# -- forewarn profile ----------------------------------------------------------------------------
profile_app = typer.Typer(
    help="Show or change your avoid-list (used by `forewarn check` without --avoid).",
    no_args_is_help=False,
)


def _show_profile() -> None:
    from forewarn.profile import load_profile, profile_path

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
    from forewarn.profile import edit_profile

    try:
        if edit:
            edit_profile()
        _show_profile()
    except ProfileError as exc:
        _fail(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


@profile_app.command("show")
def profile_show() -> None:
    """Show your avoid-list profile (the same as `forewarn profile`)."""
    try:
        _show_profile()
    except ProfileError as exc:
        _fail(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


@profile_app.command("set")
def profile_set(
    category: Annotated[str, typer.Argument(help="A category id, name or alias.")],
    severity: Annotated[
        str, typer.Argument(help="Lowest severity to avoid: implied (any), mentioned, …")
    ] = "implied",
) -> None:
    """Avoid CATEGORY from SEVERITY up (implied = any mention at all)."""
    from forewarn.profile import set_rule

    try:
        cid, sev = set_rule(category, severity)
    except ProfileError as exc:
        _fail(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    _console().print(f"avoiding {cid} from {sev}", markup=False)


@profile_app.command("unset")
def profile_unset(
    category: Annotated[str, typer.Argument(help="A category id, name or alias.")],
) -> None:
    """Stop avoiding CATEGORY."""
    from forewarn.profile import unset_rule

    try:
        cid = unset_rule(category)
    except ProfileError as exc:
        _fail(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    _console().print(f"no longer avoiding {cid}", markup=False)
