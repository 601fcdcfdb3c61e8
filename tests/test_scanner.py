"""The one scanning entry point: every kind of input, failures classified, one pipeline per mode,
progress reported, and the version and exit codes every command shares."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import forewarn
from forewarn.exits import ExitCode
from forewarn.scanner import ScanFailure, Scanner, ScanProgress, pipeline_for
from forewarn.version import __version__

STORY = "He tried to kill himself when he was sixteen."


def test_text_bytes_path_and_stream_give_the_same_warnings(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    scanner = Scanner("fast")
    reports = [
        scanner.scan(STORY),
        scanner.scan(STORY.encode(), "story.txt"),
        scanner.scan(path),
        scanner.scan(io.BytesIO(STORY.encode()), "story.txt"),
    ]
    found = [[(w.id, w.severity) for w in r.warnings] for r in reports]
    assert found[0] and all(f == found[0] for f in found)
    assert scanner(STORY).mode == "fast" and scanner(STORY).detectors == scanner.detectors


def test_failures_are_classified_not_raised(tmp_path: Path) -> None:
    scanner = Scanner("fast")
    empty = scanner.attempt("   ", "pasted")
    assert isinstance(empty, ScanFailure) and empty.kind == "input"
    assert str(empty) == "pasted: empty text"
    pdf = scanner.attempt(b"%PDF-1.7 ...", "book.pdf")
    assert isinstance(pdf, ScanFailure) and pdf.kind == "unsupported"
    missing = scanner.attempt_path(tmp_path / "missing.txt")
    assert isinstance(missing, ScanFailure) and missing.kind == "input"
    assert str(missing) == f"{tmp_path / 'missing.txt'}: no such file"


def test_a_bug_is_an_internal_failure_without_the_story_in_its_summary() -> None:
    try:
        raise KeyError("a quote from the story")
    except KeyError as exc:
        failure = ScanFailure.of("story.txt", exc)
    assert failure.kind == "internal"
    assert str(failure).startswith("story.txt: internal error (KeyError: ")
    assert failure.summary.startswith("internal error (KeyError at test_scanner.py:")
    assert "quote" not in failure.summary


def test_one_pipeline_per_mode_per_process() -> None:
    assert Scanner("fast").pipeline is Scanner("fast").pipeline is pipeline_for("fast")
    with pytest.raises(ValueError, match="unknown mode 'quick'"):
        Scanner("quick")


def test_progress_hears_every_stage_then_the_end() -> None:
    events: list[ScanProgress] = []
    Scanner("fast", progress=events.append).scan(STORY)
    assert [e.done for e in events] == list(range(events[0].total + 1))
    assert events[0].stage and events[-1].done == events[-1].total
    assert {e.source for e in events} == {"<text>"}


def test_the_python_api_keeps_its_functions() -> None:
    assert forewarn.scan_text("").warnings == []
    assert forewarn.scan(STORY, mode="fast").warnings
    assert forewarn.__version__ == __version__


def test_version_and_exit_codes() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "forewarn", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout == f"forewarn {__version__}\n"
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 130]


def test_every_scan_format_is_registered_by_name() -> None:
    from forewarn.cli import Format
    from forewarn.render.formats import REPORT_FORMATS, STORY_FORMATS

    assert set(REPORT_FORMATS) | set(STORY_FORMATS) | {"text"} == {f.value for f in Format}
    assert not set(REPORT_FORMATS) & set(STORY_FORMATS)


def test_readers_and_detectors_are_registered_by_name() -> None:
    from forewarn.detectors.base import DETECTORS
    from forewarn.readers import READERS

    assert set(READERS) == {"epub", "html", "markdown", "text"}
    assert list(DETECTORS) == ["patterns", "model"]
    assert Scanner("fast").detectors == ["model"]  # no category is left to the patterns
