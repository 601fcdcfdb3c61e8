"""The training data under training/: complete, well-formed, documented, not the founding story."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from forewarn.taxonomy import SEVERITIES, load_taxonomy
from tests.conftest import EXAMPLE, ROOT

TRAINING = ROOT / "training"
SENTENCES = TRAINING / "fiction-sentences"
POSITIVE_KINDS = {"narration", "dialogue", "thought", "backstory"}
NEGATIVE_KINDS = {
    "idiom",
    "figurative",
    "negation",
    "hypothetical",
    "fear",
    "threat",
    "historical",
    "clinical",
    "near-miss",
    "other-sense",
    "play",
}


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_category_has_positives_and_hard_negatives():
    tax = load_taxonomy()
    files = {p.stem for p in SENTENCES.glob("*.jsonl")}
    assert files == set(tax.ids())
    for cid in tax.ids():
        rows = _rows(SENTENCES / f"{cid}.jsonl")
        counts = Counter(r["label"] for r in rows)
        assert counts[True] >= 15 and counts[False] >= 15, cid
        for r in rows:
            assert set(r) == {"id", "text", "category", "label", "severity", "kind", "also"}, r
            assert r["category"] == cid and r["text"].strip() == r["text"] and r["text"]
            assert all(a in tax and a != cid for a in r["also"]), r
            if r["label"]:
                assert r["severity"] in SEVERITIES and r["kind"] in POSITIVE_KINDS, r
            else:
                assert r["severity"] is None and r["kind"] in NEGATIVE_KINDS, r


def test_sentences_are_unique_and_not_from_the_founding_story():
    def grams(text: str, n: int = 7) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z']+", text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    story = grams(EXAMPLE.read_text(encoding="utf-8"))
    texts = [r["text"] for p in SENTENCES.glob("*.jsonl") for r in _rows(p)]
    assert len(texts) == len(set(texts))
    borrowed = [t for t in texts if grams(t) & story]
    assert not borrowed


@pytest.mark.parametrize(
    "folder", ["suicide-risk-lexicon", "fiction-sentences", "webis-pool", "background"]
)
def test_each_dataset_documents_source_and_licence(folder):
    readme = (TRAINING / folder / "README.md").read_text(encoding="utf-8")
    assert "**Source.**" in readme
    assert "licen" in readme.lower() or "public domain" in readme.lower()


def test_suicide_risk_lexicon_maps_to_taxonomy_ids():
    data = json.loads((TRAINING / "suicide-risk-lexicon" / "constructs.json").read_text())
    tax = load_taxonomy()
    assert "Apache-2.0" in data["licence"]
    assert (TRAINING / "suicide-risk-lexicon" / "LICENSE").read_text().count("Apache License")
    names = {c["construct"] for c in data["constructs"]}
    assert {"Passive suicidal ideation", "Direct self-injury", "Lethal means for suicide"} <= names
    for c in data["constructs"]:
        assert c["categories"] and all(cid in tax for cid in c["categories"])
        assert c["relation"] in {"direct", "means", "related", "context"}
        assert c["tokens"]
