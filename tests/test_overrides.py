"""Corrections that stick: a passage or a category dismissed for one work stays dismissed in
every front end (scan in the terminal and as JSON, check, tags, batch, serve's scan, check, job,
HTML and browser-extension endpoints), with no rescan of journalled results. Calibre's side:
tests/test_calibre.py (a dismissal drops the book's cw: tag without a rescan)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from forewarn.overrides import Overrides, WorkOverride, dismiss, load_overrides, work_address
from forewarn.readers import read_path
from tests.helpers import run_cli
from tests.server.conftest import start_server, stop_server

FIXTURES = Path(__file__).parent / "fixtures"
STORY = (
    "Mara counted the steps to the roof, the way she always did.\n\n"
    "He climbed onto the ledge of the roof and jumped, trying to end his life.\n\n"
    "Their grandmother had been dead for two years. She died in the winter, and the funeral "
    "was small.\n\n"
    "In the morning the river was only a river.\n"
)


def found(report: dict) -> set[str]:
    return {w["id"] for d in report["documents"] for w in d["warnings"]}


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The story on disk, with config and cache folders of this test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    return story


@pytest.mark.slow
def test_an_override_hides_a_passage_in_every_front_end(setup: Path, tmp_path: Path) -> None:
    story = setup
    journal = tmp_path / "results.jsonl"
    before = run_cli("batch", str(story), "-o", str(journal), "--workers", "1")
    assert before.returncode == 0, before.stderr
    assert {"death", "suicide-attempt"} <= found(json.loads(journal.read_text())["report"])

    one = run_cli("dismiss", str(story), "death", "--at", "1:3")
    assert one.returncode == 0, one.stderr
    assert "dismissed death in chapter 1, paragraph 3" in one.stdout
    every = run_cli("dismiss", str(story), "suicide attempt")
    assert "dismissed suicide-attempt in the whole work" in every.stdout
    listed = run_cli("overrides").stdout
    assert "dismissed suicide-attempt everywhere" in listed
    assert "dismissed death in chapter 1, paragraph 3" in listed

    scanned = json.loads(run_cli("scan", "-f", "json", str(story)).stdout)
    assert not {"death", "suicide-attempt"} & found(scanned) and "suicide" in found(scanned)
    terminal = run_cli("scan", str(story)).stdout
    assert "● Suicide attempt" not in terminal and "● Death" not in terminal
    assert "● Suicide —" in terminal
    checked = run_cli("check", "--avoid", "death,suicide-attempt", str(story))
    assert checked.returncode == 0, checked.stdout
    assert "no warning found for death (any), suicide-attempt (any)" in checked.stdout
    tags = json.loads(run_cli("tags", "-f", "json", str(story)).stdout)
    tagged = {c for t in tags["additional_tags"] for c in t["categories"]}
    assert "suicide-attempt" not in tagged and "suicide" in tagged

    # The journalled result is not rescanned; its table leaves the dismissals out.
    parquet = tmp_path / "results.parquet"
    again = run_cli("batch", str(story), "-o", str(journal), "--parquet", str(parquet))
    assert again.returncode == 0 and "1 already done" in again.stderr
    import pyarrow.parquet as pq

    (row,) = pq.read_table(parquet).to_pylist()
    assert {w["id"] for w in row["warnings"]} == found(scanned)

    server = start_server("overrides", env={"XDG_CONFIG_HOME": str(tmp_path / "config")})

    def post(path: str, **params: str) -> httpx.Response:
        return httpx.post(
            f"{server.url}{path}",
            content=STORY.encode(),
            headers={"Content-Type": "text/plain; charset=utf-8"},
            params=params,
            timeout=60,
        )

    try:
        response = post("/v1/scan")
        fragment = post("/v1/scan", format="html")
        verdict = post("/v1/check", avoid="death,suicide-attempt")
        job = post("/v1/jobs").json()
        deadline = time.monotonic() + 120
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
            job = httpx.get(f"{server.url}/v1/jobs/{job['id']}", timeout=10).json()
    finally:
        stop_server(server)
    assert response.status_code == 200
    assert found(response.json()) == found(scanned)
    assert fragment.status_code == 200 and "Suicide attempt" not in fragment.text
    assert "Suicide" in fragment.text
    assert verdict.status_code == 200 and verdict.json()["verdicts"][0]["safe"] is True
    assert job["status"] == "done" and found(job["result"]) == found(scanned)

    restored = run_cli("overrides", "restore", str(story))
    assert "restored 2 dismissals" in restored.stdout
    assert {"death", "suicide-attempt"} <= found(
        json.loads(run_cli("scan", "-f", "json", str(story)).stdout)
    )


def ao3_work(path: Path) -> dict:
    """The AO3 work in an AO3 download as the browser extension sends it from the work's page."""
    doc = read_path(path)
    assert doc.metadata.url
    return {
        "id": doc.metadata.url.rsplit("/", 1)[-1],
        "url": doc.metadata.url,
        "title": doc.metadata.title,
        "chapters": [
            {
                "number": c.number,
                "title": c.title,
                "paragraphs": [doc.quote(p) for p in doc.paragraphs if p.chapter == c.number],
            }
            for c in doc.chapters
        ],
    }


@pytest.mark.slow
def test_a_dismissal_on_an_ao3_download_holds_in_the_browser_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The extension sends the AO3 page, not the downloaded file: the work is known by its AO3
    address. A dismissal made after an answer was cached is not hidden behind the cache."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    download = tmp_path / "work.html"
    download.write_bytes((FIXTURES / "ao3_work.html").read_bytes())
    work = ao3_work(download)
    server = start_server("overrides-extension", env={"XDG_CONFIG_HOME": str(config)})
    try:
        token = (config / "forewarn" / "pairing-token").read_text().strip()

        def check() -> dict:
            answer = httpx.post(
                f"{server.url}/v1/extension/check",
                json=work,
                params={"avoid": "violence,bullying", "spoilers": "true"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            assert answer.status_code == 200, answer.text
            return answer.json()

        before = check()
        assert {"violence", "bullying"} <= {w["id"] for w in before["warnings"]}
        assert check()["cached"] is True

        assert run_cli("dismiss", str(download), "bullying").returncode == 0
        assert run_cli("dismiss", str(download), "violence", "--at", "1:2").returncode == 0
        after = check()
    finally:
        stop_server(server)
    assert after["cached"] is False
    ids = {w["id"] for w in after["warnings"]}
    assert not {"violence", "bullying"} & ids and "death" in ids
    assert after["safe"] is True and after["hits"] == []
    assert not {"violence", "bullying"} & found(after["report"])


@pytest.mark.slow
def test_dismiss_names_what_it_cannot_find(setup: Path) -> None:
    wrong = run_cli("dismiss", str(setup), "deth")
    assert wrong.returncode == 2 and "did you mean 'death'" in wrong.stderr
    nowhere = run_cli("dismiss", str(setup), "death", "--at", "4:1")
    assert nowhere.returncode == 2 and "no paragraph 1 in chapter 4" in nowhere.stderr


@pytest.mark.slow
def test_tags_min_severity_leaves_milder_warnings_out(setup: Path) -> None:
    every = json.loads(run_cli("tags", "-f", "json", str(setup)).stdout)
    strong = json.loads(
        run_cli("tags", "-f", "json", "--min-severity", "depicted", str(setup)).stdout
    )
    severities = {t["severity"] for t in every["additional_tags"]}
    assert "mentioned" in severities  # the death is only mentioned
    assert strong["additional_tags"] and all(
        t["severity"] in ("depicted", "graphic") for t in strong["additional_tags"]
    )


def test_a_work_is_known_by_its_bytes_and_a_page_by_its_address() -> None:
    """A file's dismissals are found by its SHA-256 only (an edited file starts afresh); a work
    sent with no file (the extension's AO3 page) by its web address, any page of the work."""
    url = "https://archiveofourown.org/works/48151623"
    overrides = Overrides({"abc": WorkOverride(categories={"death"}, url=url)})
    assert overrides.for_work("abc") is overrides.works["abc"]
    assert overrides.for_work("edited", url) is None
    page = f"{url}/chapters/121?view_adult=true#main"
    assert overrides.for_work(None, page) is overrides.works["abc"]
    assert overrides.for_work(None, "https://archiveofourown.org/works/4815162") is None
    assert overrides.for_work(None, None) is None
    overrides.works["epub"] = WorkOverride(categories={"violence"}, url=f"{url}/")
    both = overrides.for_work(None, url)
    assert both is not None and both.categories == {"death", "violence"}
    assert work_address("http://www.archiveofourown.org/works/7/") == "ao3:7"
    assert work_address("https://example.org/story/?page=2") == "example.org/story"
    assert work_address("file:///home/me/story.html") is None


def test_the_address_is_saved_with_the_dismissal(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    dismiss("abc", "death", title="The Work", path=path, url="https://archiveofourown.org/works/9")
    dismiss("def", "death", path=path, url="not an address")
    saved = load_overrides(path)
    assert saved.works["abc"].url == "https://archiveofourown.org/works/9"
    assert saved.works["def"].url is None


@pytest.mark.slow
def test_dismiss_names_the_chapter_as_the_reports_do(setup: Path) -> None:
    """--at takes the chapter counted in reading order (a prologue is chapter 1); the
    confirmation also names it as the scan's locations do, so a wrong number shows at once."""
    book = setup.parent / "book.txt"
    book.write_text(
        "Prologue\n\nThey baked rye bread.\n\nCHAPTER I — THE ROOF\n\nMara counted the steps.\n\n"
        "He climbed onto the ledge of the roof and jumped.\n",
        encoding="utf-8",
    )
    done = run_cli("dismiss", str(book), "suicide-attempt", "--at", "2:2")
    assert done.returncode == 0, done.stderr
    assert "in chapter 2, paragraph 2 (CHAPTER I — THE ROOF) of" in done.stdout
