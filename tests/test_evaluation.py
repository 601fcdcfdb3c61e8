"""The Webis evaluation protocol: grouping, balanced samples, no leakage, and the CLI end to end."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict

import numpy as np
import pytest

from forewarn.evaluation.metrics import Counts
from forewarn.evaluation.protocol import Outcome, Protocol, assign_folds, evaluate, sample_test
from forewarn.evaluation.systems import TfidfSystem
from forewarn.evaluation.webis import Passage, warning_categories
from tests.helpers import run_cli

FILLER = [
    "the rain kept on through the afternoon and nobody bothered to light the lamps.",
    "she folded the letter twice and slid it under the bread tin.",
    "they argued about the price of apples all the way down the hill.",
    "the kettle whistled and he forgot, again, what he had meant to say.",
    "somewhere below, a dog barked at the delivery van and was ignored.",
    "the schoolroom smelled of chalk and wet wool and oranges.",
]
CUES = {
    "death": "he died in her arms before the doctor came, and they buried him on friday.",
    "violence": "he punched the guard and kicked him again and again until he stopped moving.",
    "abduction": "they bundled the girl into the van, tied her wrists and drove off with her.",
}


def synthetic(n_works: int = 90, seed: int = 7) -> list[Passage]:
    """Works of 1-3 passages; a positive holds its warning's cue sentence, a negative does not.

    Every work also repeats its own made-up token, so leakage of held-out works is visible.
    """
    rng = random.Random(seed)
    warnings = sorted(CUES)
    passages = []
    for w in range(n_works):
        token = f"tok{w:03d}x"
        for k in range(rng.choice([1, 2, 3])):
            warning = warnings[w % len(warnings)]
            positive = rng.random() < 0.45
            sentences = rng.sample(FILLER, 3) + [f"{token} said nothing."]
            if positive:
                sentences.insert(1, CUES[warning])
            votes = (1, 1, rng.choice([0, 1])) if positive else (0, 0, rng.choice([0, 1]))
            passages.append(Passage(f"{w}-{k}", f"w{w}", warning, " ".join(sentences), votes=votes))
    # one passage duplicated verbatim under another work: it must travel with its twin
    twin = passages[0]
    passages.append(Passage("dup", "w-dup", twin.warning, twin.text, twin.votes))
    return passages


def write_jsonl(path, passages: list[Passage]) -> None:
    lines = [
        json.dumps(
            {
                "example_id": int(i) if p.example_id.isdigit() else i,
                "work_id": p.work_id,
                "warning": p.warning,
                "labels": list(p.votes),
                "text": p.text,
            }
        )
        for i, p in enumerate(passages)
    ]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_work_and_its_duplicates_never_straddle_folds(seed):
    passages = synthetic()
    folds = assign_folds(passages, 5, seed)
    by_work: dict[str, set[int]] = defaultdict(set)
    by_text: dict[str, set[int]] = defaultdict(set)
    for p, f in zip(passages, folds, strict=True):
        by_work[p.work_id].add(f)
        by_text[p.text].add(f)
    assert all(len(fs) == 1 for fs in by_work.values())
    assert all(len(fs) == 1 for fs in by_text.values())
    sizes = Counter(folds)
    assert sorted(sizes) == [0, 1, 2, 3, 4]
    assert max(sizes.values()) - min(sizes.values()) <= 4
    # stratified: every fold holds positives and negatives of every warning
    strata = Counter((f, p.warning, p.label) for p, f in zip(passages, folds, strict=True))
    assert all(strata[f, w, y] > 0 for f in range(5) for w in CUES for y in (True, False))


def test_different_seeds_give_different_splits():
    passages = synthetic()
    assert assign_folds(passages, 5, 0) != assign_folds(passages, 5, 1)
    assert assign_folds(passages, 5, 3) == assign_folds(passages, 5, 3)


def _fold(spec: dict[str, tuple[int, int]]) -> list[Passage]:
    out = []
    for warning, (pos, neg) in spec.items():
        for i in range(pos + neg):
            votes = (1, 1, 0) if i < pos else (0, 1, 0)
            out.append(Passage(f"{warning}{i}", f"{warning}{i}", warning, "x", votes))
    return out


def test_test_samples_are_balanced_as_far_as_the_data_allows():
    held_out = _fold({"death": (30, 5), "war": (3, 40), "violence": (25, 25), "racism": (9, 0)})
    counts = Counter((p.warning, p.label) for p in sample_test(held_out, 20, random.Random(0)))
    assert counts == {
        ("death", True): 5,
        ("death", False): 5,
        ("war", True): 3,
        ("war", False): 3,
        ("violence", True): 20,
        ("violence", False): 20,
    }
    capped = sample_test(held_out, 20, random.Random(0), balanced=False)
    counts = Counter((p.warning, p.label) for p in capped)
    assert counts[("death", True)] == 20 and counts[("death", False)] == 5
    assert counts[("war", True)] == 3 and counts[("war", False)] == 20
    assert counts[("racism", True)] == 9
    assert len({p.example_id for p in capped}) == len(capped)


class Recorder:
    """A system that remembers what it was trained on and what it was asked about."""

    def __init__(self) -> None:
        self.fitted: list[Passage] = []
        self.asked: list[Passage] = []
        self.threshold = 0.0

    def fit(self, passages):
        self.fitted = list(passages)
        lengths = sorted(len(p.text) for p in passages if p.label)
        self.threshold = lengths[len(lengths) // 2]

    def predict(self, passages):
        self.asked = list(passages)
        for p in passages:
            with pytest.raises(ValueError):
                _ = p.label
        return {w: [float(len(p.text) >= self.threshold) for p in passages] for w in CUES}


@pytest.mark.slow
def test_everything_is_fitted_on_training_folds_only():
    passages = synthetic()
    recorders: list[Recorder] = []
    tfidfs: list[TfidfSystem] = []

    def make_recorder() -> Recorder:
        recorders.append(Recorder())
        return recorders[-1]

    def make_tfidf() -> TfidfSystem:
        tfidfs.append(TfidfSystem())
        return tfidfs[-1]

    protocol = Protocol(folds=3, seeds=(0, 1), per_class=20)
    evaluate(passages, {"recorder": make_recorder, "tfidf": make_tfidf}, protocol)
    assert len(recorders) == len(tfidfs) == 6  # a fresh instance per seed and fold
    all_ids = {p.example_id for p in passages}
    for rec, tfidf in zip(recorders, tfidfs, strict=True):
        seen_ids = {p.example_id for p in rec.fitted}
        seen_works = {p.work_id for p in rec.fitted}
        asked_works = {p.work_id for p in rec.asked}
        assert rec.asked and not seen_ids & {p.example_id for p in rec.asked}
        assert not seen_works & asked_works
        assert all(not p.votes for p in rec.asked)
        # the threshold comes from the training passages alone
        train_lengths = sorted(len(p.text) for p in rec.fitted if p.label)
        assert rec.threshold == train_lengths[len(train_lengths) // 2]
        # the held-out fold is exactly what the system was not trained on
        assert seen_ids < all_ids and len(seen_ids) > len(all_ids) / 2
        vocabulary = set().union(*(v.vocabulary_ for v in tfidf.vectorizers.values()))
        held_out_tokens = {f"tok{int(w[1:]):03d}x" for w in asked_works if w != "w-dup"}
        train_tokens = {f"tok{int(w[1:]):03d}x" for w in seen_works if w != "w-dup"}
        assert not vocabulary & held_out_tokens
        assert vocabulary & train_tokens  # the check above could fail


def test_metrics_on_a_known_confusion_matrix():
    outcomes = [
        Outcome(0, 0, str(i), "death", label, score)
        for i, (label, score) in enumerate(
            [(True, 0.9)] * 3 + [(False, 0.7)] + [(False, 0.1)] * 2 + [(True, 0.2)] * 2
        )
    ]
    counts = Counts.of(outcomes)
    assert (counts.tp, counts.fp, counts.tn, counts.fn) == (3, 1, 2, 2)
    assert counts.metric("accuracy") == pytest.approx(5 / 8)
    assert counts.metric("f1") == pytest.approx(6 / 9)


def test_webis_warnings_map_through_taxonomy_aliases():
    mapping = warning_categories(["abduction", "violence", "war"])
    assert mapping == {"abduction": "kidnapping", "violence": "violence", "war": "war"}


@pytest.mark.slow
def test_eval_webis_end_to_end(tmp_path):
    write_jsonl(tmp_path / "passages.jsonl", synthetic())
    out = tmp_path / "results.json"
    # the cascade (in the default set) fits MiniLM heads on all training data: minutes, not CI
    systems = ["-s", "patterns", "-s", "tfidf"]
    args = [
        "eval",
        "webis",
        str(tmp_path),
        *systems,
        "--folds",
        "3",
        "--seeds",
        "2",
        "--json",
        str(out),
    ]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    for fragment in ("Accuracy", "Positive-class F1", "patterns", "tfidf", "abduction"):
        assert fragment in result.stdout
    assert "Annotation ceiling" in result.stdout
    assert "Accuracy by annotator agreement" in result.stdout
    data = json.loads(out.read_text())
    for warning in [*CUES, "all (pooled)"]:
        ceiling = data["ceiling"][warning]
        assert 0.5 < ceiling["beta_binomial"] <= 1.0 and 0.5 < ceiling["generous"] <= 1.0
    # synthetic votes are (1, 1, x) or (0, 0, x): some unanimous, some split, all counted
    samples = [data["samples"][w] for w in data["warnings"]]
    tested = sum(sum(s["positives"]) + sum(s["negatives"]) for s in samples)
    for system in ("patterns", "tfidf"):
        split = data["agreement"][system]
        assert split["unanimous"]["passages"] > 0 and split["split"]["passages"] > 0
        assert split["unanimous"]["passages"] + split["split"]["passages"] == tested
    # tfidf learns the cue sentences, which separate the classes whatever the votes
    assert data["agreement"]["tfidf"]["unanimous"]["accuracy"] >= 0.9
    assert data["protocol"]["folds"] == 3 and data["protocol"]["seeds"] == [0, 1]
    for sizes in data["samples"].values():
        assert sizes["positives"] == sizes["negatives"]
        assert all(n > 0 for n in sizes["positives"])
    tfidf = data["systems"]["tfidf"]["rows"]
    # the cue sentences separate the classes: a trained baseline must find them
    for warning in CUES:
        assert tfidf[warning]["accuracy"]["mean"] >= 0.9
        assert len(tfidf[warning]["accuracy"]["per_seed"]) == 2
    patterns = data["systems"]["patterns"]["rows"]
    assert patterns["death"]["accuracy"]["mean"] > 0.75
    assert "abduction" in " ".join(data["systems"]["patterns"]["notes"]) or (
        patterns["abduction"]["accuracy"]["mean"] > 0.5
    )


@pytest.mark.slow
def test_eval_webis_bad_input(tmp_path):
    missing = run_cli("eval", "webis", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 1 and "nope.jsonl" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"example_id": 1, "work_id": "a", "warning": "war", "labels": [1,1,0], "text": "x"}\n'
        '{"example_id": 2, "work_id": "b", "warning": "war", "text": "y"}\n'
    )
    result = run_cli("eval", "webis", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bad.jsonl" in result.stderr and "line 2" in result.stderr
    unknown = run_cli("eval", "webis", str(bad), "--system", "nonesuch")
    assert unknown.returncode == 2 and "nonesuch" in unknown.stderr


def test_pooling_adds_only_the_weak_labels_the_rules_allow():
    from forewarn.evaluation.pooling import pool

    passages = [
        Passage("1", "a", "war", "soldiers shelled the trench all night.", (1, 1, 0)),
        Passage("2", "b", "racism", "the cousins planned a picnic by the river.", (0, 0, 0)),
        Passage("3", "c", "racism", "he spat a slur at the family next door.", (1, 1, 1)),
        Passage("4", "d", "violence", "they talked about the weather.", (0, 0, 0)),
        Passage("5", "e", "death", "the cousins planned a picnic by the river.", (1, 1, 0)),
    ]
    weak = {(e.example_id, e.warning): e for e in pool(passages) if e.source != "annotated"}
    # a war positive teaches violence; nothing is said about death or abduction
    assert weak["1", "violence"].label is True and 0 < weak["1", "violence"].weight < 1
    assert ("1", "death") not in weak and ("1", "abduction") not in weak
    # a racism negative is a weak negative for the aggression warnings only
    assert {w for (i, w) in weak if i == "2"} == {"violence", "war", "abduction"}
    assert all(not weak["2", w].label for w in ("violence", "war", "abduction"))
    # ("2" is not a death negative: the same text is annotated positive for death)
    # a racism positive is not a negative for anything, a violence negative not for war
    assert not any(i == "3" for (i, _) in weak)
    assert {w for (i, w) in weak if i == "4"} == {"racism", "homophobia", "misogyny", "ableism"}


@pytest.mark.slow
def test_scanning_never_imports_training_libraries():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from forewarn.cli import app\n"
        "from forewarn.scanner import scan_text\n"
        "scan_text('He hit her. She died the next morning.')\n"
        "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _bag_of_words(texts: list[str], dim: int = 64) -> np.ndarray:
    """A stand-in encoder: hashed word counts (deterministic, no model needed)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.split():
            out[i, int(hashlib.sha256(word.encode()).hexdigest(), 16) % dim] += 1.0
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.mark.slow
def test_precomputed_embeddings_join_the_same_run(tmp_path):
    """--embeddings NAME=FILE adds passage-lr[NAME], scored on the same folds as the rest."""
    from forewarn.evaluation.passage_lr import text_digest

    passages = synthetic()
    write_jsonl(tmp_path / "passages.jsonl", passages)
    texts = sorted({p.text for p in passages})
    vectors = tmp_path / "bow.npz"
    np.savez(
        vectors, sha256=np.array([text_digest(t) for t in texts]), vectors=_bag_of_words(texts)
    )
    out = tmp_path / "results.json"
    common = ["eval", "webis", str(tmp_path), "-s", "patterns", "--folds", "3", "--seeds", "1"]
    result = run_cli(*common, "--embeddings", f"bow={vectors}", "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert "passage-lr[bow]" in result.stdout  # a bracketed name is not taken for markup
    assert "passage-lr[bow] " in result.stdout.split("time to fit")[-1]
    rows = json.loads(out.read_text())["systems"]["passage-lr[bow]"]["rows"]
    for warning in CUES:  # the cue sentences' words separate the classes
        assert rows[warning]["accuracy"]["mean"] >= 0.9

    partial = tmp_path / "partial.npz"
    np.savez(partial, sha256=np.array([text_digest(texts[0])]), vectors=_bag_of_words(texts[:1]))
    failed = run_cli(*common, "--embeddings", f"bow={partial}")
    assert failed.returncode == 1 and "partial.npz" in failed.stderr
    assert "Traceback" not in failed.stderr
