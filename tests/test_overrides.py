"""Corrections that stick: a passage or a category dismissed for one work stays dismissed in
every front end (scan, check, tags, batch, serve), with no rescan of journalled results."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.helpers import run_cli
from tests.server.conftest import start_server, stop_server

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
    try:
        response = httpx.post(
            f"{server.url}/v1/scan",
            content=STORY.encode(),
            headers={"Content-Type": "text/plain; charset=utf-8"},
            timeout=60,
        )
    finally:
        stop_server(server)
    assert response.status_code == 200
    assert found(response.json()) == found(scanned)

    restored = run_cli("overrides", "restore", str(story))
    assert "restored 2 dismissals" in restored.stdout
    assert {"death", "suicide-attempt"} <= found(
        json.loads(run_cli("scan", "-f", "json", str(story)).stdout)
    )


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
