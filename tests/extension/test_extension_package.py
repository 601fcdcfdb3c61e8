"""The extension as shipped: its manifest loads as it is in Chromium and Firefox, it may reach
only this machine, and ``web-ext lint`` (Mozilla's linter, pinned in extension/package.json)
passes."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import ROOT

EXTENSION = ROOT / "extension"
WEB_EXT = EXTENSION / "node_modules" / ".bin" / "web-ext"
#: Expected: the manifest names a service worker for Chromium and scripts for Firefox.
ALLOWED_WARNINGS = {"BACKGROUND_SERVICE_WORKER_IGNORED"}


def manifest() -> dict[str, object]:
    return dict(json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8")))


def test_the_manifest_is_mv3_for_both_browsers_and_reaches_only_this_machine() -> None:
    m = manifest()
    assert m["manifest_version"] == 3
    assert m["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    assert m["permissions"] == ["storage"], "no tabs, history, cookies or web requests"
    background = m["background"]
    assert isinstance(background, dict)
    assert background["service_worker"] == "background.js"  # Chromium
    assert background["scripts"] == ["background.js"]  # Firefox
    gecko = m["browser_specific_settings"]["gecko"]  # type: ignore[index]
    assert gecko["id"].endswith("@forewarn.invalid")
    [scripts] = m["content_scripts"]  # type: ignore[misc]
    assert scripts["matches"] == [
        "https://archiveofourown.org/*",
        "https://www.archiveofourown.org/*",
    ]
    for name in ["background.js", "options.html", *scripts["js"], *scripts["css"]]:
        assert (EXTENSION / name).is_file(), name
    # the only network call in the code is the service worker's, to the configured server
    for path in EXTENSION.glob("*.js"):
        code = path.read_text(encoding="utf-8")
        calls = code.count("fetch(") + code.count("XMLHttpRequest") + code.count("sendBeacon")
        assert calls == (1 if path.name == "background.js" else 0), path.name


@pytest.mark.slow
def test_web_ext_lint_passes() -> None:
    assert WEB_EXT.exists(), "web-ext is missing: `make test` installs it (npm ci in extension/)"
    done = subprocess.run(
        [str(WEB_EXT), "lint", "--source-dir", str(EXTENSION), "--output", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=EXTENSION,
    )
    report = json.loads(done.stdout)
    assert report["summary"]["errors"] == 0, report["errors"]
    assert report["summary"]["notices"] == 0, report["notices"]
    assert {w["code"] for w in report["warnings"]} <= ALLOWED_WARNINGS, report["warnings"]
    assert done.returncode == 0, done.stderr
