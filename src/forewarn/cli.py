"""The ``forewarn`` command line. Exit codes: 0 success, 1 input error(s), 2 usage error."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from forewarn.document import Document
from forewarn.errors import InputError
from forewarn.evaluation.command import eval_app
from forewarn.readers import iter_story_files, read_path
from forewarn.report import SCHEMA_VERSION, Report
from forewarn.taxonomy import load_taxonomy

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Content warnings for fiction, with the passages that justify them.",
    pretty_exceptions_enable=False,
)
app.add_typer(eval_app, name="eval")
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


def fail(message: str) -> None:
    """One line on stderr: what failed and why."""
    err.print(f"forewarn: error: {message}", markup=False, soft_wrap=True)


def _mode(fast: bool, thorough: bool) -> str:
    if fast and thorough:
        raise typer.BadParameter("choose at most one of --fast and --thorough")
    return "fast" if fast else "thorough" if thorough else "default"


def _expand(paths: list[str]) -> list[str]:
    """Folders become the supported files inside them (recursively); other paths stay."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            out.extend(str(f) for f in iter_story_files(path))
        else:
            out.append(p)
    return out


@app.command()
def scan(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Story files or folders; - reads stdin.")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    passages: Annotated[
        Path | None,
        typer.Option(help='Score JSONL passages {"id", "text"}; writes one line per passage.'),
    ] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Cheap screening only.")] = False,
    thorough: Annotated[
        bool, typer.Option("--thorough", help="Run every stage everywhere.")
    ] = False,
) -> None:
    """Report the sensitive content in stories, with evidence and where it is."""
    mode = _mode(fast, thorough)
    if passages is not None:
        if paths:
            raise typer.BadParameter("give either story paths or --passages, not both")
        raise typer.Exit(_scan_passages(passages, mode))
    if not paths:
        raise typer.BadParameter("give at least one story file or folder (or - for stdin)")
    from forewarn.detectors import build_pipeline
    from forewarn.scanner import scan_document

    pipeline = build_pipeline(mode)
    files = _expand(paths)
    failures: list[str] = []
    reports = []
    console = Console(highlight=False)
    for name in files:
        try:
            doc_report = scan_document(read_path(name), pipeline)
        except InputError as exc:
            fail(str(exc))
            failures.append(str(exc))
            continue
        except Exception as exc:  # a bug must not stop the other files of a batch
            fail(f"{name}: internal error ({type(exc).__name__}: {exc}); please report it")
            failures.append(name)
            continue
        report = Report([doc_report], mode=mode, detectors=pipeline.names)
        if fmt is Format.text:
            from forewarn.render.terminal import print_report

            print_report(report, console)
        elif fmt is Format.jsonl:
            line = {"schema_version": SCHEMA_VERSION, **doc_report.to_dict()}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            reports.append(doc_report)
    if fmt is Format.json:
        sys.stdout.write(Report(reports, mode=mode, detectors=pipeline.names).to_json() + "\n")
    if not files:
        fail(f"no supported story files in {', '.join(paths)}")
        raise typer.Exit(EXIT_INPUT)
    if failures:
        if len(files) > 1:
            fail(f"{len(failures)} of {len(files)} files could not be read")
        raise typer.Exit(EXIT_INPUT)


def _scan_passages(path: Path, mode: str) -> int:
    from forewarn.passages import scan_passages

    try:
        stream = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot read file ({exc.strerror or exc})")
        return EXIT_INPUT
    errors = 0
    with stream:
        for result in scan_passages(stream, mode):
            if "error" in result:
                errors += 1
                fail(f"{path}: {result['error']}")
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return EXIT_INPUT if errors else EXIT_OK


@app.command()
def text(
    path: Annotated[str, typer.Argument(help="A story file, or - for stdin.")],
) -> None:
    """Print the story text exactly as forewarn reads it (evidence offsets index into this)."""
    try:
        doc: Document = read_path(path)
    except InputError as exc:
        fail(str(exc))
        raise typer.Exit(EXIT_INPUT) from None
    sys.stdout.write(doc.text)


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


def main() -> None:
    """Console-script entry point: no tracebacks for bad input, usage errors exit 2."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        app()
    except KeyboardInterrupt:
        fail("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
