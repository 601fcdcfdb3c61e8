"""The annotated corpus (training/corpus): well-formed final records, split by work, real text
only from the allowed sources, and nothing from the founding story."""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict

import pytest

from forewarn.taxonomy import SEVERITIES, load_taxonomy, severity_rank
from tests.conftest import EXAMPLE, ROOT

CORPUS = ROOT / "training" / "corpus"
SPLITS = ("train", "dev", "test")
FIELDS = {"id", "source", "origin", "work", "split", "selection", "annotation", "text", "labels"}


def _records() -> list[dict]:
    rows = []
    for split in SPLITS:
        for line in (CORPUS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            rows.append(json.loads(line))
    return rows


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return _records()


def test_records_are_complete_and_labelled_with_taxonomy_ids(records):
    tax = load_taxonomy()
    assert records, "the corpus is empty"
    seen = set()
    for r in records:
        assert set(r) == FIELDS, r["id"]
        assert r["id"] not in seen, f"duplicate id {r['id']}"
        seen.add(r["id"])
        assert r["text"].strip() and r["origin"] in {"public-domain", "webis", "written"}
        for category, severity in r["labels"].items():
            assert category in tax, (r["id"], category)
            assert isinstance(severity, str) and severity in SEVERITIES, (r["id"], severity)
            # a child's label carries its parent at least as severe
            for parent in tax.ancestors(category):
                assert (
                    severity_rank(r["labels"].get(parent, "implied")) >= severity_rank(severity)
                    and parent in r["labels"]
                ), (r["id"], category, parent)


def test_each_record_sits_in_the_split_of_its_work(records):
    sys.path.insert(0, str(CORPUS / "tools"))
    try:
        from splits import split_of_key, split_of_work
    finally:
        sys.path.pop(0)
    splits_of_work: dict[str, set[str]] = defaultdict(set)
    for r in records:
        splits_of_work[r["work"]].add(r["split"])
        expected = (
            split_of_work(r["work"]) if r["origin"] == "public-domain" else split_of_key(r["work"])
        )
        assert r["split"] == expected, r["id"]
    straddling = {w: s for w, s in splits_of_work.items() if len(s) > 1}
    assert not straddling, straddling


def test_real_text_comes_only_from_the_shared_novels_and_webis(records):
    novels = {p.name for p in (ROOT.parent / "shared" / "texts").glob("*.txt")} or None
    for r in records:
        if r["origin"] == "public-domain":
            name = r["source"].removeprefix("texts/")
            assert r["source"].startswith("texts/") and (novels is None or name in novels)
        elif r["origin"] == "webis":
            assert r["source"] == "webis-passages/passages.jsonl"
        else:
            assert r["source"].startswith("written/")
            # no passage is written to show underage sexual content (a written passage may
            # still mention abuse a survivor suffered as a child, and is labelled for it)
            assert not r["selection"].endswith(":underage"), r["id"]
    real = sum(r["origin"] != "written" for r in records)
    assert real * 2 >= len(records), "at least half the corpus is real text"


@pytest.mark.slow
def test_nothing_from_the_founding_story(records):
    def grams(text: str, n: int = 7) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z']+", text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    story = grams(EXAMPLE.read_text(encoding="utf-8"))
    shared = [r["id"] for r in records if grams(r["text"]) & story]
    assert not shared, shared[:5]


@pytest.mark.slow
def test_written_batches_never_straddle_splits():
    batches: dict[str, set[str]] = defaultdict(set)
    for r in _records():
        if r["origin"] == "written":
            batches[r["work"]].add(r["split"])
    assert all(len(s) == 1 for s in batches.values())


def test_top_level_files_hold_only_final_records():
    names = {p.name for p in CORPUS.glob("*.jsonl")}
    assert names == {f"{s}.jsonl" for s in SPLITS}, names
