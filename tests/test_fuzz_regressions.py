"""Inputs the fuzzers once broke forewarn with, replayed; and a short fuzz run of every target."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("atheris", reason="atheris (dev dependency) runs the fuzz targets")

from fuzz.targets import TARGETS  # noqa: E402

REGRESSIONS = ROOT / "fuzz" / "regressions"
CASES = sorted(p for p in REGRESSIONS.glob("*/*") if p.is_file())


def test_every_regression_folder_names_a_target() -> None:
    assert CASES, "the regression corpus is empty"
    assert {p.parent.name for p in CASES} <= set(TARGETS)


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_regression_input_is_handled(case: Path) -> None:
    """Each input once raised a non-InputError or ran away; now it reads (or is refused) fast."""
    started = time.monotonic()
    TARGETS[case.parent.name](case.read_bytes())
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.slow
def test_short_fuzz_run(target: str, tmp_path: Path) -> None:
    """A few seconds of coverage-guided fuzzing per target, as CI's smoke check of the harness."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fuzz.run",
            target,
            "-max_total_time=3",
            f"-artifact_prefix={tmp_path}/",
            str(tmp_path / "corpus"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done " in result.stderr and "stat::number_of_executed_units" in result.stderr
