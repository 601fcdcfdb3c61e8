"""forewarn calibre against a real Calibre library built with Debian's calibredb."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import forewarn
from tests.conftest import EXAMPLE
from tests.helpers import run_cli

pytestmark = pytest.mark.calibre

OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:{uid}</dc:identifier>
    <dc:title>{title}</dc:title><dc:creator>Test Author</dc:creator><dc:language>en</dc:language>
  </metadata>
  <manifest>
    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
  </manifest>
  <spine><itemref idref="c1"/></spine>
</package>"""
XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title></head>
<body><h1>{title}</h1>{body}</body></html>"""
NAV = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>nav</title></head><body><nav epub:type="toc"><ol>
<li><a href="c1.xhtml">One</a></li></ol></nav></body></html>"""
CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf"
 media-type="application/oebps-package+xml"/></rootfiles></container>"""

WAR = "The soldier was shot in the chest and died in the mud before the medics came."
CALM = "They walked along the harbour and bought bread, and the evening was quiet and kind."


def make_epub(path: Path, title: str, paragraphs: list[str], uid: str) -> Path:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER)
        zf.writestr("OEBPS/content.opf", OPF.format(uid=uid, title=title))
        zf.writestr("OEBPS/c1.xhtml", XHTML.format(title=title, body=body))
        zf.writestr("OEBPS/nav.xhtml", NAV)
    return path


def calibredb(library: Path, *args: str) -> str:
    cmd = ["calibredb", *args, "--library-path", str(library)]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def books(library: Path, fields: str = "title,tags,last_modified") -> dict[str, dict]:
    """The library's books by title, as calibredb reports them."""
    listing = json.loads(calibredb(library, "list", "--fields", fields, "--for-machine"))
    return {b["title"]: b for b in listing}


def expected_tags(path: Path, prefix: str = "cw:", mode: str = "default") -> set[str]:
    """What forewarn finds in the file, as prefixed tags."""
    return {f"{prefix}{w.id}" for w in forewarn.scan_file(path, mode).warnings}


@pytest.fixture(scope="module")
def built_library(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A real library: the founding story (TXT), a war story (EPUB, with a TXT that says
    otherwise — forewarn must read the EPUB), a calm story (EPUB) and a PDF-only book."""
    tmp_path = tmp_path_factory.mktemp("calibre")
    lib = tmp_path / "library"
    lib.mkdir()
    files = tmp_path / "files"
    files.mkdir()
    story = files / "founding.txt"
    story.write_bytes(EXAMPLE.read_bytes())
    war = make_epub(files / "war.epub", "War Story", [CALM, WAR, CALM], "war-1")
    war_txt = files / "war.txt"
    war_txt.write_text(
        "She dragged the razor across her forearm until it bled, the way she did every night.\n"
    )
    calm = make_epub(files / "calm.epub", "Calm Story", [CALM, CALM], "calm-1")
    pdf = files / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%binary\n")
    calibredb(lib, "add", "--title", "Founding Story", str(story))
    calibredb(lib, "add", str(war), str(calm))
    war_id = next(str(b["id"]) for b in books(lib, "title").values() if b["title"] == "War Story")
    calibredb(lib, "add_format", war_id, str(war_txt))
    calibredb(lib, "add", "--title", "Scanned PDF", str(pdf))
    calibredb(lib, "set_metadata", "--field", "tags:favourite,cw:leftover-old-tag", war_id)
    return {"lib": lib, "story": story, "war": war, "war_txt": war_txt, "calm": calm}


@pytest.fixture
def library(
    built_library: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Path]:
    """A fresh copy of the built library for each test, with its own scan journal (cache)
    and overrides (config) folders."""
    copy = tmp_path / "library"
    shutil.copytree(built_library["lib"], copy)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return {**built_library, "lib": copy}


def test_tags_round_trip_dry_run_idempotence_and_user_tags(library: dict[str, Path]) -> None:
    lib = library["lib"]
    before = books(lib)

    dry = run_cli("calibre", str(lib), "--dry-run", "--workers", "2")

    assert dry.returncode == 0, dry.stderr
    assert books(lib) == before, "a dry run changed the library"
    assert "would set" in dry.stdout and "+cw:suicide-attempt" in dry.stdout
    assert "dry run" in dry.stderr

    real = run_cli("calibre", str(lib), "--workers", "2")

    assert real.returncode == 0, real.stderr
    after = books(lib)
    founding = set(after["Founding Story"]["tags"])
    assert founding == expected_tags(library["story"])
    assert "cw:suicide-attempt" in founding
    war = set(after["War Story"]["tags"])
    assert war == {"favourite"} | expected_tags(library["war"])  # the EPUB, not the TXT
    assert "cw:leftover-old-tag" not in war and "cw:death" in war
    assert expected_tags(library["war_txt"]) - expected_tags(library["war"]), "TXT differs"
    assert after["Calm Story"]["tags"] == [] and after["Scanned PDF"]["tags"] == []
    assert "1 without an EPUB, HTML or TXT file" in real.stderr
    # The dry run proposed exactly what the real run did.
    assert sorted(dry.stdout.replace("would set", "set").splitlines()) == sorted(
        real.stdout.splitlines()
    )

    rerun = run_cli("calibre", str(lib))

    assert rerun.returncode == 0 and rerun.stdout == ""
    assert "0 changed" in rerun.stderr
    assert books(lib) == after, "a re-run rewrote books (last_modified changed)"


def test_custom_column_and_prefix(library: dict[str, Path]) -> None:
    lib = library["lib"]
    calibredb(lib, "add_custom_column", "--is-multiple", "warnings", "Content warnings", "text")
    tags_before = {t: b["tags"] for t, b in books(lib).items()}

    proc = run_cli("calibre", str(lib), "--column", "#warnings", "--prefix", "")

    assert proc.returncode == 0, proc.stderr
    listing = books(lib, "title,tags,*warnings")
    assert {t: b["tags"] for t, b in listing.items()} == tags_before, "tags must stay as they were"
    expected = {w.removeprefix("cw:") for w in expected_tags(library["war"])}
    assert set(listing["War Story"]["*warnings"]) == expected


def test_missing_column_and_bad_library_are_one_line_errors(
    library: dict[str, Path], tmp_path: Path
) -> None:
    proc = run_cli("calibre", str(library["lib"]), "--column", "nosuch")
    assert proc.returncode == 1
    assert "no custom column #nosuch" in proc.stderr and "add_custom_column" in proc.stderr
    proc = run_cli("calibre", str(tmp_path / "nowhere"))
    assert proc.returncode == 1 and "not a Calibre library" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("calibre", str(library["lib"]), "--prefix", "")
    assert proc.returncode == 2


def test_a_user_tag_differing_only_in_case_is_never_renamed_or_removed(
    library: dict[str, Path],
) -> None:
    """Calibre tags are library-wide and ignore case: writing cw:violence on one book would
    rename the user's CW:Violence on every book (and the next run would remove it)."""
    lib = library["lib"]
    calm_id = str(books(lib)["Calm Story"]["id"])
    calibredb(lib, "set_metadata", "--field", "tags:CW:Violence", calm_id)
    wanted = expected_tags(library["war"], mode="fast")
    assert "cw:violence" in wanted, "the war story must call for the colliding tag"

    first = run_cli("calibre", str(lib), "--fast", "--workers", "1")
    second = run_cli("calibre", str(lib), "--fast", "--workers", "1")

    for proc in (first, second):
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    after = books(lib)
    assert after["Calm Story"]["tags"] == ["CW:Violence"]
    war = set(after["War Story"]["tags"])
    assert war == {"favourite"} | (wanted - {"cw:violence"})
    assert "cw:violence" in first.stderr and "CW:Violence" in first.stderr
    assert "differs only in case" in first.stderr
    assert "0 changed" in second.stderr and second.stdout == ""


def test_a_rerun_scans_nothing_yet_picks_up_overrides_and_tag_rules(
    library: dict[str, Path],
) -> None:
    lib = library["lib"]
    first = run_cli("calibre", str(lib), "--fast", "--workers", "1")
    assert first.returncode == 0, first.stderr
    assert "3 books" not in first.stderr and ": 3 scanned" in first.stderr
    war = set(books(lib)["War Story"]["tags"])
    assert "cw:death" in war

    rerun = run_cli("calibre", str(lib), "--fast", "--workers", "1")
    assert rerun.returncode == 0 and rerun.stdout == ""
    assert ": 0 scanned, 3 unchanged since the last scan (not rescanned)" in rerun.stderr

    # A reader dismisses death in the war story (the library's own copy of the EPUB).
    stored = next(
        f
        for b in books(lib, "title,formats").values()
        if b["title"] == "War Story"
        for f in b["formats"]
        if f.endswith(".epub")
    )
    assert run_cli("dismiss", stored, "death").returncode == 0
    dismissed = run_cli("calibre", str(lib), "--fast", "--workers", "1")
    assert ": 0 scanned" in dismissed.stderr and "-cw:death" in dismissed.stdout
    assert "cw:death" not in books(lib)["War Story"]["tags"]

    # Severity in the tags (opt-in) and a minimum severity, still without rescanning.
    graded = run_cli("calibre", str(lib), "--fast", "--tag-severity")
    assert graded.returncode == 0 and ": 0 scanned" in graded.stderr
    tagged = {t: set(b["tags"]) for t, b in books(lib).items()}
    assert any(t.startswith("cw:suicide-attempt:") for t in tagged["Founding Story"])
    cw = {t for tags in tagged.values() for t in tags if t.startswith("cw:")}
    assert all(t.count(":") == 2 for t in cw), cw
    strong = run_cli("calibre", str(lib), "--fast", "--tag-severity", "--min-severity", "depicted")
    assert strong.returncode == 0 and ": 0 scanned" in strong.stderr
    left = {t for b in books(lib).values() for t in b["tags"] if t.startswith("cw:")}
    assert left == {t for t in cw if t.endswith((":depicted", ":graphic"))}
    assert "favourite" in books(lib)["War Story"]["tags"]  # the user's own tags stay
