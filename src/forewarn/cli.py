"""The ``forewarn`` command line; exit codes are ``exits.ExitCode`` (0 success, 1 input error(s),
2 usage error)."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from forewarn.document import Document
from forewarn.errors import InputError
from forewarn.evaluation.command import eval_app
from forewarn.exits import ExitCode, fail
from forewarn.override_commands import dismiss_command, overrides_app
from forewarn.passages import passage_lines, scan_passages
from forewarn.readers import expand_paths, read_path
from forewarn.render.formats import REPORT_FORMATS, STORY_FORMATS
from forewarn.render.safe import terminal_safe
from forewarn.render.terminal import ProgressBar, print_report
from forewarn.scanner import ScanFailure, Scanner
from forewarn.story_commands import (
    CheckFormat,
    Severity,
    TagsFormat,
    check_command,
    plot_command,
    profile_app,
    tags_command,
    write_output,
)
from forewarn.taxonomy import load_taxonomy
from forewarn.version import __version__

app = typer.Typer(
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
    no_args_is_help=True,
    help="Content warnings for fiction, with the passages that justify them.",
    pretty_exceptions_enable=False,
)
app.add_typer(eval_app, name="eval")
app.add_typer(profile_app, name="profile")
app.add_typer(overrides_app, name="overrides")
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    html = "html"


FastOption = Annotated[
    bool, typer.Option("--fast", help="Judge matches with the static embeddings (faster).")
]
ThoroughOption = Annotated[
    bool,
    typer.Option(
        "--thorough", help="Also judge every passage: more evidence for each warning (slower)."
    ),
]
MinSeverityOption = Annotated[
    Severity,
    typer.Option("--min-severity", help="Leave out warnings milder than this."),
]


WorkersOption = Annotated[int | None, typer.Option(min=1, help="Processes (default: all cores).")]


def _mode(fast: bool, thorough: bool) -> str:
    if fast and thorough:
        raise typer.BadParameter("choose at most one of --fast and --thorough")
    return "fast" if fast else "thorough" if thorough else "default"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"forewarn {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Content warnings for fiction, with the passages that justify them."""


@app.command()
def scan(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Story files or folders; - reads stdin.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the json or html report to this file."),
    ] = None,
    passages: Annotated[
        Path | None,
        typer.Option(help='Score JSONL passages {"id", "text"}; writes one line per passage.'),
    ] = None,
    fast: FastOption = False,
    thorough: ThoroughOption = False,
) -> None:
    """Report the sensitive content in stories, with evidence and where it is."""
    mode = _mode(fast, thorough)
    if passages is not None:
        if paths:
            raise typer.BadParameter("give either story paths or --passages, not both")
        raise typer.Exit(_scan_passages(passages, mode))
    if not paths:
        raise typer.BadParameter("give at least one story file or folder (or - for stdin)")
    if output is not None and fmt.value not in REPORT_FORMATS:
        raise typer.BadParameter("--output works with --format json or html")
    files = expand_paths(paths)
    failures: list[str] = []
    reports = []
    console = Console(highlight=False)
    with ProgressBar(err) as bar:
        scanner = Scanner(mode, progress=bar, overrides=True)
        for name in files:
            doc_report = scanner.attempt_path(name)
            if isinstance(doc_report, ScanFailure):
                fail(str(doc_report))
                failures.append(name)
                continue
            report = scanner.report([doc_report])
            if fmt is Format.text:
                print_report(report, console)
            elif fmt.value in STORY_FORMATS:
                sys.stdout.write(STORY_FORMATS[fmt.value](doc_report))
                sys.stdout.flush()
            else:
                reports.append(doc_report)
    if fmt.value in REPORT_FORMATS and (reports or not failures):
        rendered = REPORT_FORMATS[fmt.value](scanner.report(reports))
        if write_output(rendered, output):
            raise typer.Exit(ExitCode.INPUT)
        if output is not None:
            stories = f"{len(reports)} {'story' if len(reports) == 1 else 'stories'}"
            err.print(
                f"wrote {output} ({fmt.value} report of {stories})", markup=False, soft_wrap=True
            )
    if not files:
        fail(f"no supported story files in {', '.join(paths)}")
        raise typer.Exit(ExitCode.INPUT)
    if failures:
        if len(files) > 1:
            fail(f"{len(failures)} of {len(files)} files could not be read")
        raise typer.Exit(ExitCode.INPUT)


def _scan_passages(path: Path, mode: str) -> int:
    try:
        stream = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    except OSError as exc:
        fail(f"{path}: cannot read file ({exc.strerror or exc})")
        return ExitCode.INPUT
    errors = 0
    with stream:
        for result in scan_passages(passage_lines(stream), mode):
            if "error" in result:
                errors += 1
                fail(f"{path}: {result['error']}")
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return ExitCode.INPUT if errors else ExitCode.OK


@app.command()
def text(
    path: Annotated[str, typer.Argument(help="A story file, or - for stdin.")],
) -> None:
    """Print the story text exactly as forewarn reads it (evidence offsets index into this)."""
    try:
        doc: Document = read_path(path)
    except InputError as exc:
        fail(str(exc))
        raise typer.Exit(ExitCode.INPUT) from None
    # Exact text for pipes and files; control sequences shown escaped on a terminal.
    sys.stdout.write(terminal_safe(doc.text) if sys.stdout.isatty() else doc.text)


@app.command()
def taxonomy(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
) -> None:
    """List the content categories forewarn knows, with their aliases in published label sets."""
    tax = load_taxonomy()
    if fmt is not Format.text:
        sys.stdout.write(json.dumps(tax.to_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    console = Console(highlight=False)
    console.print(f"forewarn taxonomy {tax.version} — {len(tax.categories)} categories")
    for c in tax:
        indent = "  " * len(tax.ancestors(c.id))
        console.print(f"{indent}[bold]{c.id}[/bold]  {c.name}", soft_wrap=True)


class Engine(StrEnum):
    local = "local"
    spark = "spark"


@app.command()
def batch(
    inputs: Annotated[
        list[str], typer.Argument(help='Files, folders, or JSONL of {"id","text"}/{"id","path"}.')
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The JSONL results journal.")],
    parquet: Annotated[
        Path | None, typer.Option(help="Also write a Parquet table of the results.")
    ] = None,
    workers: WorkersOption = None,
    engine: Annotated[Engine, typer.Option(help="local processes or Spark.")] = Engine.local,
    master: Annotated[str, typer.Option(help="Spark master URL.")] = "local[*]",
    conf: Annotated[
        list[str] | None, typer.Option(help="Spark setting KEY=VALUE (repeatable).")
    ] = None,
    retry_errors: Annotated[
        bool, typer.Option("--retry-errors", help="Rescan works recorded as errors.")
    ] = False,
    progress_every: Annotated[
        float,
        typer.Option(min=0, help="Seconds between progress lines when stderr is not a terminal."),
    ] = 30.0,
    fast: FastOption = False,
    thorough: ThoroughOption = False,
) -> None:
    """Scan many works into a resumable JSONL journal (re-run to resume after a crash or
    Ctrl-C, which lets the works in flight finish first)."""
    from forewarn.batch.command import batch_command, parse_conf  # deferred: ~50 ms a scan skips

    try:
        spark_conf = parse_conf(conf or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    raise typer.Exit(
        batch_command(
            inputs,
            str(out),
            parquet=str(parquet) if parquet else None,
            workers=workers,
            mode=_mode(fast, thorough),
            engine=engine.value,
            master=master,
            conf=spark_conf,
            retry_errors=retry_errors,
            progress_every=progress_every,
        )
    )


@app.command()
def calibre(
    library: Annotated[str, typer.Argument(help="The Calibre library folder.")],
    prefix: Annotated[str, typer.Option(help="Prefix of the tags forewarn manages.")] = "cw:",
    column: Annotated[
        str | None, typer.Option(help="Write to this custom column instead of Tags.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the changes, write nothing.")
    ] = False,
    min_severity: MinSeverityOption = Severity.implied,
    tag_severity: Annotated[
        bool,
        typer.Option(
            "--tag-severity", help="Tags carry the severity: cw:suicide-attempt:depicted."
        ),
    ] = False,
    workers: WorkersOption = None,
    fast: FastOption = False,
    thorough: ThoroughOption = False,
) -> None:
    """Tag a Calibre library's books with their warnings (e.g. cw:suicide); books unchanged
    since the last run are not scanned again."""
    from forewarn.calibre import TagRules, calibre_command  # deferred: loads the batch engine

    if not prefix and not column:
        raise typer.BadParameter("--prefix must not be empty when writing Tags")
    raise typer.Exit(
        calibre_command(
            library,
            prefix,
            column,
            dry_run=dry_run,
            mode=_mode(fast, thorough),
            workers=workers or os.cpu_count() or 1,
            rules=TagRules(min_severity.value, tag_severity),
        )
    )


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Story files or folders; - reads stdin.")],
    avoid: Annotated[
        str | None,
        typer.Option(
            "--avoid",
            "-a",
            help="Categories to avoid, comma-separated; CATEGORY:SEVERITY avoids it from that "
            "severity up (e.g. suicide,violence:graphic). Default: your profile.",
        ),
    ] = None,
    spoilers: Annotated[
        bool, typer.Option("--spoilers", help="Also show the passages (quotes).")
    ] = False,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.text,
    fast: FastOption = False,
    thorough: ThoroughOption = False,
) -> None:
    """Is a story safe for you? Spoiler-free verdict; exit 3 if it holds what you avoid."""
    raise typer.Exit(check_command(paths, avoid, spoilers, fmt, _mode(fast, thorough)))


@app.command()
def tags(
    path: Annotated[str, typer.Argument(help="A story file, or - for stdin.")],
    fmt: Annotated[TagsFormat, typer.Option("--format", "-f")] = TagsFormat.text,
    min_severity: MinSeverityOption = Severity.implied,
    fast: FastOption = False,
    thorough: ThoroughOption = False,
) -> None:
    """Suggest AO3 warnings, tags and rating, and audit the author's own tags."""
    raise typer.Exit(tags_command(path, fmt, _mode(fast, thorough), min_severity.value))


@app.command()
def dismiss(
    path: Annotated[str, typer.Argument(help="The story file the warning is wrong for.")],
    category: Annotated[str, typer.Argument(help="The category to dismiss (id, name or alias).")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Only this passage: CHAPTER:PARAGRAPH (chapter counted in reading order, as in "
            "the JSON). Default: the category everywhere in this work.",
        ),
    ] = None,
) -> None:
    """Dismiss a wrong warning for one work; every command leaves it out from then on."""
    raise typer.Exit(dismiss_command(path, category, at))


@app.command()
def plot(
    path: Annotated[str, typer.Argument(help="A story file, or - for stdin.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="timeline.svg or .png")],
    fast: FastOption = False,
    thorough: ThoroughOption = False,
) -> None:
    """Draw the story's timeline of warnings as an SVG or PNG picture."""
    raise typer.Exit(plot_command(path, output, _mode(fast, thorough)))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    allow_remote: Annotated[
        bool,
        typer.Option(help="Allow a --host that is not loopback (other machines can connect)."),
    ] = False,
    pair: Annotated[
        bool,
        typer.Option(
            "--pair", help="Print the browser extension's pairing token (and do not serve)."
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (/v1/…) and the web page (/). Limits and access: FOREWARN_SERVE_*
    variables (see README, "Serving")."""
    from forewarn.server.command import serve_command  # deferred: a scan never serves

    raise typer.Exit(serve_command(host, port, allow_remote, pair))


def main() -> None:
    """Console-script entry point: no tracebacks for bad input, usage errors exit 2."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        app(prog_name="forewarn")  # also under `python -m forewarn`, for shell completion
    except KeyboardInterrupt:
        fail("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
