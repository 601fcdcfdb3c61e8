"""Running the real command line in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Debian's Chromium, which the browser tests drive (``make test`` installs it).
CHROMIUM = Path("/usr/bin/chromium")


def require_chromium() -> None:
    """Skip the calling test module when Chromium is missing (a bare ``pytest``), but never in
    CI, where the browser tests must not pass skipped."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise RuntimeError("Debian's chromium is not installed: `make test` should have")
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


def run_cli(
    *args: str,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``forewarn ARGS...`` with captured text output."""
    full_env = {**os.environ, "COLUMNS": "100", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "forewarn", *args],
        input=stdin.decode("utf-8", "replace") if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
    )
