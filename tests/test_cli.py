"""The command line as users run it: output, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import EXAMPLE, FIXTURES, validate_report
from tests.helpers import run_cli


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.slow
def test_scan_prints_readable_report():
    result = run_cli("scan", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "Suicide attempt — depicted" in result.stdout
    assert re.search(r"chapter 1 \(\d+ %\), paragraph \d+", result.stdout)  # where, how far


@pytest.mark.slow
def test_scan_json_validates_and_quotes_match_text():
    result = run_cli("scan", "--format", "json", str(EXAMPLE))
    assert result.returncode == 0
    data = json.loads(result.stdout)
    validate_report(data)
    text = run_cli("text", str(EXAMPLE)).stdout
    for w in data["documents"][0]["warnings"]:
        for e in w["evidence"]:
            assert text[e["start"] : e["end"]] == e["quote"]


MARKDOWN = """# The Lighthouse Keeper

## Chapter 1

Tom climbed the *lighthouse* stairs every night.

He had been dead for a week before anyone thought to climb them after him.
"""


@pytest.mark.slow
def test_every_input_format_gives_a_valid_report_whose_quotes_are_the_text(tmp_path):
    """Plain text, Markdown, HTML, AO3 HTML and EPUB 2/3 (AO3, FanFicFare, Gutenberg): the
    JSON validates, and each quote is exactly ``forewarn text``'s output at its offsets."""
    markdown, page = tmp_path / "keeper.md", tmp_path / "keeper.html"
    markdown.write_text(MARKDOWN)
    page.write_text(
        "<!DOCTYPE html><html><head><title>The Keeper</title></head><body>"
        "<h1>The Keeper</h1><p>Tom climbed the stairs.</p>"
        "<p>He had been dead for a week before anyone climbed them after him.</p></body></html>"
    )
    paths = [*sorted(FIXTURES.glob("*.epub")), *sorted(FIXTURES.glob("*.html"))]
    paths += [FIXTURES / "gutenberg.txt", EXAMPLE, markdown, page]
    result = run_cli("scan", "--format", "json", *map(str, paths))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    validate_report(data)
    documents = data["documents"]
    assert [d["source"] for d in documents] == [str(p) for p in paths]
    formats = {d["metadata"]["source_format"] for d in documents}
    assert formats == {
        *("ao3-epub", "epub", "fanficfare-epub", "gutenberg-epub"),
        *("ao3-html", "html", "gutenberg-text", "text", "markdown"),
    }
    quoted = 0
    for path, document in zip(paths, documents, strict=True):
        text = run_cli("text", str(path)).stdout
        for w in document["warnings"]:
            for e in w["evidence"]:
                assert text[e["start"] : e["end"]] == e["quote"], (path, w["id"])
                quoted += 1
    assert quoted > 0


def test_text_prints_the_document_text():
    result = run_cli("text", str(EXAMPLE))
    assert result.returncode == 0
    assert result.stdout.startswith('"If you want a quirk so bad')


@pytest.mark.slow
def test_jsonl_one_document_per_line(tmp_path):
    (tmp_path / "a.txt").write_text("He tried to kill himself when he was sixteen.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("# One\n\nShe was fine, really.")
    result = run_cli("scan", "--format", "jsonl", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [d["source"].split("/")[-1] for d in lines] == ["a.txt", "b.md"]


@pytest.mark.slow
def test_stdin(tmp_path):
    result = run_cli(
        "scan", "--format", "json", "-", stdin=b"He tried to kill himself when he was sixteen."
    )
    assert result.returncode == 0
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["source"] == "<stdin>"
    assert [w["id"] for w in doc["warnings"]] == ["suicide-attempt"] or any(
        w["id"] == "suicide-attempt" for w in doc["warnings"]
    )


def _bomb(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", "<container/>")
        with z.open("OEBPS/big.xhtml", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(8):
                f.write(chunk)


BAD_INPUTS = {
    "missing": (None, "no such file"),
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"   \n\n  ", "empty file"),
    "binary.txt": (bytes(range(256)) * 8, "binary file"),
    "doc.pdf": (b"%PDF-1.7\n%binary", "unsupported format (PDF)"),
    "truncated.epub": (b"PK\x03\x04" + b"\x14\x00" * 20, "corrupt or truncated EPUB"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
@pytest.mark.slow
def test_bad_input_is_one_clear_line(tmp_path, name):
    data, message = BAD_INPUTS[name]
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    result = run_cli("scan", str(path))
    assert_one_line_error(result, str(path), message)


def test_unreadable_file(tmp_path):
    import os

    path = tmp_path / "secret.txt"
    path.write_text("story")
    path.chmod(0)
    if os.access(path, os.R_OK):  # running as root: permissions do not apply
        path.chmod(0o644)
        path = tmp_path / "dir.txt"
        path.mkdir()
        result = run_cli("text", str(path))
        assert_one_line_error(result, str(path), "is a folder")
    else:
        assert_one_line_error(run_cli("text", str(path)), "permission denied")


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.epub"
    _bomb(path)
    result = run_cli("scan", str(path), env={"FOREWARN_MAX_DECOMPRESSED_MB": "4"})
    assert_one_line_error(result, str(path), "zip bomb")


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 300_000)  # ~1.5 MB
    result = run_cli("scan", str(path), env={"FOREWARN_MAX_INPUT_MB": "1"})
    assert_one_line_error(result, str(path), "too large", "limit is 1 MB")


@pytest.mark.slow
def test_bad_file_in_folder_does_not_stop_others(tmp_path):
    (tmp_path / "a.txt").write_text("He tried to kill himself when he was sixteen.")
    (tmp_path / "b.epub").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "c.txt").write_text("She cut herself again that night.")
    result = run_cli("scan", "--format", "jsonl", str(tmp_path))
    assert result.returncode == 1
    sources = [json.loads(x)["source"] for x in result.stdout.splitlines()]
    assert [s.split("/")[-1] for s in sources] == ["a.txt", "c.txt"]
    assert "b.epub" in result.stderr and "1 of 3 files could not be read" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_usage_error_exits_2():
    result = run_cli("scan", "--no-such-option")
    assert result.returncode == 2
    result = run_cli("scan")
    assert result.returncode == 2


@pytest.mark.slow
def test_passages_interface(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps({"id": 7, "text": "he tried to kill himself when he was sixteen."})
        + "\n"
        + json.dumps({"id": "x", "text": "they went to the beach and ate ice cream."})
        + "\n"
    )
    result = run_cli("scan", "--passages", str(path))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [7, "x"]
    ids = [w["id"] for w in rows[0]["warnings"]]
    assert ids == [w["id"] for w in rows[1]["warnings"]] and "death" in ids
    attempt = {w["id"]: w for w in rows[0]["warnings"]}["suicide-attempt"]
    assert attempt["present"] is True
    assert not any(w["present"] for w in rows[1]["warnings"])


def test_taxonomy_json():
    result = run_cli("taxonomy", "--format", "json")
    data = json.loads(result.stdout)
    ids = [c["id"] for c in data["categories"]]
    assert {"suicide-attempt", "self-harm", "animal-death", "abortion"} <= set(ids)
    c = next(c for c in data["categories"] if c["id"] == "suicide-attempt")
    assert c["parent"] == "suicide" and set(c["aliases"]) == {
        "pan23",
        "webis",
        "webis_passages",
        "ao3",
    }


@pytest.mark.slow
def test_output_file_is_confirmed_on_stderr(tmp_path):
    target = tmp_path / "report.json"
    result = run_cli("scan", "-f", "json", "-o", str(target), str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and json.loads(target.read_text())["documents"]
    assert result.stderr.strip() == f"wrote {target} (json report of 1 story)"


def _typed_in_bash(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``forewarn ARGS`` typed at a bash prompt: --show-completion and --install-completion are
    flags that ask the process tree for the shell, so bash must be a parent (not exec'd away)."""
    command = shlex.join([sys.executable, "-m", "forewarn", *args]) + "; exit $?"
    return subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
        timeout=120,
    )


def test_shell_completion_can_be_shown_and_installed(tmp_path):
    shown = _typed_in_bash("--show-completion")
    assert shown.returncode == 0 and "complete -o default -F _forewarn_completion forewarn" in (
        shown.stdout
    )
    env = {"HOME": str(tmp_path), "SHELL": "/bin/bash"}
    installed = _typed_in_bash("--install-completion", env=env)
    assert installed.returncode == 0, installed.stderr
    assert (tmp_path / ".bash_completions" / "forewarn.sh").is_file()
    assert "forewarn.sh" in (tmp_path / ".bashrc").read_text()
    completed = run_cli(
        env={"_FOREWARN_COMPLETE": "complete_bash", "COMP_WORDS": "forewarn sc", "COMP_CWORD": "1"}
    )
    assert completed.stdout.split() == ["scan"]


#: Extras a base install (`pipx install forewarn`, `make demo`) does not have.
OPTIONAL = ("sklearn", "pyspark", "playwright", "pandas", "pyarrow", "matplotlib", "torch")
_WITHOUT_EXTRAS = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {optional!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in a base install)")
sys.meta_path.insert(0, Missing())
from forewarn.cli import main
sys.argv = ["forewarn", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["scan", str(EXAMPLE)], 0),
        (["check", "--avoid", "suicide", str(EXAMPLE)], 3),  # 3: it holds what you avoid
        (["tags", str(EXAMPLE)], 0),
    ],
    ids=["scan", "check", "tags"],
)
@pytest.mark.slow
def test_a_base_install_scans_checks_and_tags(args: list[str], code: int) -> None:
    """scan, check and tags run with none of the extras importable (the light install)."""
    import subprocess
    import sys

    program = _WITHOUT_EXTRAS.format(optional=set(OPTIONAL))
    result = subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == code, result.stderr[-800:]
    assert "not in a base install" not in result.stderr
    assert result.stdout.strip()


#: What `pipx install '.[serve]'` lacks besides OPTIONAL: the test and development tools.
NOT_IN_SERVE = (*OPTIONAL, "httpx", "schemathesis", "axe_playwright_python", "jsonschema")
_SITECUSTOMIZE = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {optional!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not in a base install)")
sys.meta_path.insert(0, Missing())
"""


@pytest.mark.slow
def test_a_serve_install_answers_without_the_other_extras(tmp_path) -> None:
    """`pipx install '.[serve]'`: forewarn serve (its workers too: every Python process started
    with this PYTHONPATH runs the hook) scans, checks and serves the page with none of Spark,
    Playwright, scikit-learn, pandas, pyarrow, matplotlib or the test tools importable."""
    import httpx

    from tests.server.conftest import start_server, stop_server

    (tmp_path / "sitecustomize.py").write_text(
        _SITECUSTOMIZE.format(optional=set(NOT_IN_SERVE)), encoding="utf-8"
    )
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    server = start_server("base-serve", env={"PYTHONPATH": path})
    story, plain = EXAMPLE.read_bytes(), {"Content-Type": "text/plain"}
    try:
        page = httpx.get(f"{server.url}/", timeout=30)
        scan = httpx.post(f"{server.url}/v1/scan", content=story, headers=plain, timeout=300)
        check = httpx.post(
            f"{server.url}/v1/check",
            params={"avoid": "suicide"},
            content=story,
            headers=plain,
            timeout=300,
        )
        log = server.log()
    finally:
        stop_server(server)
    assert page.status_code == 200 and "<form" in page.text
    assert scan.status_code == 200, scan.text
    assert scan.json()["documents"][0]["warnings"]
    assert check.status_code == 200 and check.json()["verdicts"][0]["safe"] is False
    assert "not in a base install" not in log
