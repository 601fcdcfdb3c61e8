"""The passage model and its detector: plain-array persistence, deterministic fitting, windows,
the gate's budget, and the decision above the window."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import forewarn
from forewarn.detectors.model import (
    FIRST_SCENES,
    GATE_ROWS,
    ModelDetector,
    _beyond_chance,
    _budgeted,
    _focus,
    _static_gate,
    judge_budget,
    shipped_model,
)
from forewarn.detectors.windows import (
    SentenceHits,
    Window,
    Windows,
    pool_sentences,
    pool_words,
    sentence_windows,
)
from forewarn.document import Span
from forewarn.learn.corpus import Record
from forewarn.learn.features import Features, passage_features
from forewarn.models.passage import PassageModel
from forewarn.scanner import text_document
from forewarn.taxonomy import load_taxonomy


def test_shipped_model_covers_the_taxonomy_and_round_trips_as_plain_arrays(tmp_path: Path):
    model = shipped_model()
    assert model.categories == load_taxonomy().ids()
    model.save(tmp_path / "m.npz")
    again = PassageModel.load(tmp_path / "m.npz")  # np.load(allow_pickle=False) inside
    assert again.categories == model.categories and again.vocabulary == model.vocabulary
    assert np.array_equal(again.coef, model.coef) and np.array_equal(again.sure, model.sure)
    assert again.encoder == model.encoder
    assert ((model.cut > 0) & (model.cut <= 1)).all()


def test_windows_are_a_sentence_and_its_neighbours_within_one_chapter():
    doc = forewarn.scanner.text_document(
        "Chapter 1\n\nOne. Two. Three.\n\nChapter 2\n\nFour. Five."
    )
    spans = [(w.lo, w.centre, w.hi) for w in sentence_windows(doc)]
    assert spans == [(0, 0, 1), (0, 1, 2), (1, 2, 2), (3, 3, 4), (3, 4, 4)]


def test_pooled_features_equal_a_direct_sum():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 4)).astype(np.float32)
    doc = text_document("Rain fell. Sun rose. Wind blew. Birds sang. Night came.")
    assert len(doc.sentences) == 5
    windows = sentence_windows(doc)
    pooled = pool_sentences(vectors, windows)
    direct = vectors[0:2].sum(0)
    assert np.allclose(pooled[0], direct / np.linalg.norm(direct), atol=1e-6)
    weights = np.array([[1.0, 10.0, 100.0]], dtype=np.float32)  # k=1, V=3
    bags = ["rain fell", "rain rain", "sun", "", ""]
    words = pool_words(bags, windows, {"rain": 0, "fell": 1, "sun": 2}, weights)
    # window 1 spans all three sentences: rain counts once per sentence it is in
    assert words[1, 0] == pytest.approx(1 + 10 + 1 + 100)


def _tiny_corpus() -> tuple[list[Record], list[Record]]:
    war = [
        "The shells fell on the trenches all night and the regiment held the line.",
        "Bombers crossed the river and the city burned under the air raid.",
        "The soldiers fixed bayonets and charged the enemy guns at dawn.",
        "The battalion was shelled for three days before the retreat.",
    ]
    calm = [
        "She planted tulips along the fence and watered them at dusk.",
        "The bakery smelled of cinnamon and the kettle was already on.",
        "They played cards by the window while the rain kept falling.",
        "He mended the bicycle chain and rode to the market.",
    ]

    def records(texts: list[str], labels: dict[str, str], split: str, tag: str) -> list[Record]:
        return [
            Record(f"{tag}-{i}", "written", f"{tag}-{i % 2}", split, "t", t, labels)
            for i, t in enumerate(texts)
        ]

    train = records(war * 2, {"war": "depicted", "violence": "depicted"}, "train", "w") + records(
        calm * 2, {}, "train", "c"
    )
    dev = records(war, {"war": "depicted", "violence": "depicted"}, "dev", "dw") + records(
        calm, {}, "dev", "dc"
    )
    return train, dev


def _tiny_features() -> tuple[list[Record], list[Record], Features, Features, list[str]]:
    """The tiny corpus's splits, their features and its two categories."""
    train, dev = _tiny_corpus()
    categories = ["war", "death"]
    tx = passage_features([r.text for r in train], categories)
    dx = passage_features([r.text for r in dev], categories)
    return train, dev, tx, dx, categories


@pytest.mark.slow
def test_the_gate_read_in_chunks_equals_the_gate_over_whole_arrays():
    """The static vectors of a long text are gated ``GATE_ROWS`` sentences at a time (2
    million tiny sentences took gigabytes whole), and so are its word scores and pattern
    features; the probabilities are bit for bit those of the whole arrays, whatever the
    encoder's batches and across chapter boundaries."""
    model = shipped_model()
    rng = np.random.default_rng(1)
    chapters = [1, 2, GATE_ROWS - 1, 3, 9000, GATE_ROWS, 700, 5]
    windows, first = [], 0
    for size in chapters:
        last = first + size - 1
        for i in range(first, last + 1):
            windows.append(Window(i, max(first, i - 1), min(last, i + 1), Span(0, 0)))
        first = last + 1
    n, k = first, len(model.categories)
    vectors = rng.normal(size=(n, model.gate_coef.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = rng.normal(size=(n, k)).astype(np.float32)
    hit_rows = rng.choice(n, size=500)
    hits = SentenceHits(
        hit_rows, rng.integers(0, k, size=500), rng.random(500, dtype=np.float32), k
    )
    cuts = [0, 5, 4101, 4102, 12000, 12001, 20000, 26000, n]

    def batches():
        return ((a, vectors[a:b]) for a, b in zip(cuts, cuts[1:], strict=False))

    gate, focus, rows = _static_gate(model, batches(), windows, lambda a, b: words[a:b], hits)
    assert rows is None  # no keep: every window's row
    whole = Windows.of(windows)
    csum = np.cumsum(np.vstack([np.zeros((1, k), dtype=np.float32), words]), axis=0)
    singles = Windows(*(np.arange(n),) * 5)
    sentence_words = csum[singles.hi + 1] - csum[singles.lo]
    by_sentence = model.gate(vectors, hits.features(singles), sentence_words)
    assert focus.tobytes() == _focus(by_sentence, 0, whole).tobytes()
    assert set(np.unique(focus)) == {-1, 0, 1}
    window_words = csum[whole.hi + 1] - csum[whole.lo]
    expected = model.gate(pool_sentences(vectors, windows), hits.features(whole), window_words)
    assert gate.tobytes() == expected.tobytes()
    # Keeping only some windows' rows (as the default mode does) keeps exactly those rows.
    high = np.quantile(gate.max(axis=1), 0.9)
    kept_gate, kept_focus, kept = _static_gate(
        model, batches(), windows, lambda a, b: words[a:b], hits, lambda g: g.max(axis=1) >= high
    )
    assert kept is not None and 0 < len(kept) < n
    assert kept.tolist() == np.flatnonzero(gate.max(axis=1) >= high).tolist()
    assert kept_gate.tobytes() == gate[kept].tobytes()
    assert kept_focus.tobytes() == focus[kept].tobytes()


def test_word_scores_pooled_in_chunks_equal_the_whole_prefix_sums():
    rng = np.random.default_rng(2)
    vocabulary = {w: i for i, w in enumerate(["rain", "sun", "wind", "snow", "fog", "hail"])}
    weights = rng.normal(size=(3, len(vocabulary))).astype(np.float32)
    sentences = [" ".join(rng.choice(list(vocabulary), size=3)) for _ in range(50)]
    lo = rng.integers(0, 50, size=40)
    hi = np.minimum(lo + rng.integers(0, 4, size=40), 49)
    windows = Windows(lo, lo, hi, lo, hi)  # in no particular order
    whole = pool_words(sentences, windows, vocabulary, weights, chunk=len(sentences))
    assert pool_words(sentences, windows, vocabulary, weights, chunk=3).tobytes() == whole.tobytes()
    rows = np.vstack(
        [np.zeros((1, 3), np.float32)]
        + [weights[:, sorted({vocabulary[w] for w in s.split()})].sum(axis=1) for s in sentences]
    )
    csum = np.cumsum(rows, axis=0)
    assert whole.tobytes() == (csum[hi + 1] - csum[lo]).tobytes()


def test_pattern_features_are_the_strongest_match_in_each_window():
    hits = SentenceHits(
        np.array([0, 2, 2, 4]), np.array([1, 0, 0, 1]), np.array([0.5, 0.25, 0.75, 0.125]), 2
    )
    windows = Windows.of([Window(i, max(0, i - 1), min(4, i + 1), Span(0, 0)) for i in range(5)])
    expected = [[0, 0.5], [0.75, 0.5], [0.75, 0], [0.75, 0.125], [0, 0.125]]
    assert hits.features(windows).tolist() == expected
    assert hits.features(windows[[4, 1]]).tolist() == [expected[4], expected[1]]


@pytest.mark.slow
def test_fitting_is_deterministic_and_learns_a_separable_category():
    pytest.importorskip("sklearn")
    from forewarn.learn.fit import fit_passage_model

    train, dev, tx, dx, categories = _tiny_features()
    a, report = fit_passage_model(categories, train, tx, dev, dx, seed=3)
    b, _ = fit_passage_model(categories, train, tx, dev, dx, seed=3)
    assert np.array_equal(a.coef, b.coef) and np.array_equal(a.cut, b.cut)
    assert report.rows["death"]["status"].startswith("too few positives")
    proba = a.judge(dx.minilm, dx.patterns, dx.word_scores(a.word_index, a.words))[:, 0]
    assert (proba[:4] >= a.cut[0]).all() and (proba[4:] < a.cut[0]).all()


@pytest.mark.slow
def test_the_gate_also_learns_what_the_judge_accepts_in_unlabelled_windows():
    """Distillation: the natural windows the fitted judge accepts are the gate's positives too."""
    pytest.importorskip("sklearn")
    from forewarn.learn.fit import fit_passage_model

    train, dev, tx, dx, categories = _tiny_features()
    natural_texts = [
        "The guns thundered along the ridge as the infantry advanced.",
        "Artillery shelled the village until the garrison surrendered.",
        "She folded the laundry and hummed a song about the sea.",
        "The cat slept on the warm stones of the garden wall.",
    ]
    nx = passage_features(natural_texts, categories)
    plain, _ = fit_passage_model(categories, train, tx, dev, dx, seed=3)
    works = ["w-0", "w-1", "c-0", "c-1"]
    taught, report = fit_passage_model(
        categories, train, tx, dev, dx, seed=3, natural=nx, natural_works=works
    )
    assert np.array_equal(plain.coef, taught.coef)  # the judge is the same
    words = nx.word_scores(taught.word_index, taught.words)
    accepted = taught.judge(nx.minilm, nx.patterns, words)[:, 0] >= taught.cut[0]
    assert report.rows["war"]["natural_accepted"] == int(accepted.sum()) > 0
    assert not np.array_equal(plain.gate_coef[0], taught.gate_coef[0])


def test_out_of_fold_heads_never_train_on_the_held_out_works_extra_rows():
    """Unlabelled windows of a work join the folds that train on that work, never the fold
    that holds it out: the out-of-fold logits of a work are those fitted without it."""
    pytest.importorskip("sklearn")
    from scipy.sparse import csr_matrix

    from forewarn.learn.fit import _oof

    rng = np.random.default_rng(0)
    x = csr_matrix(rng.normal(size=(40, 5)))
    y = (rng.random(40) < 0.5).astype(np.int8)
    groups = [f"work-{i % 5}" for i in range(40)]
    plain = _oof(x, y, groups, 1.0, seed=1)
    extra_x = csr_matrix(rng.normal(size=(30, 5)) + 3.0)
    extra = (extra_x, np.ones(30, dtype=bool), np.array(["work-2"] * 30))
    with_extra = _oof(x, y, groups, 1.0, seed=1, extra=extra)
    own = np.array([g == "work-2" for g in groups])
    assert np.allclose(with_extra[own], plain[own])  # work-2's fold never saw its own rows
    assert not np.allclose(with_extra[~own], plain[~own])


def test_budget_keeps_each_categorys_strongest_windows():
    gate = np.array(
        [[0.9, 0.0], [0.8, 0.0], [0.7, 0.0], [0.6, 0.0], [0.0, 0.55], [0.0, 0.1]], np.float32
    )
    cuts = np.array([0.5, 0.5], np.float32)
    assert list(_budgeted(gate, cuts, 10)) == [0, 1, 2, 3, 4]
    # with room for two, the one window of the rarer category is not crowded out
    assert list(_budgeted(gate, cuts, 2)) == [0, 4]
    assert judge_budget(100) == judge_budget(1000) < judge_budget(100_000)


def test_budget_past_each_categorys_first_scenes_goes_to_the_surest_windows():
    """Every category gets its first scenes judged; after that a window the gate is sure of
    goes before a category's doubtful ones, whatever their categories."""
    gate = np.zeros((100, 2), np.float32)
    strong, weak = [0, 20, 40, 60, 80], [10, 30, 50, 70, 90]
    gate[strong, 0] = [0.99, 0.98, 0.97, 0.96, 0.95]
    gate[weak, 1] = [0.60, 0.59, 0.58, 0.57, 0.56]
    cuts = np.array([0.5, 0.5], np.float32)
    first = strong[:FIRST_SCENES] + weak[:FIRST_SCENES]
    assert list(_budgeted(gate, cuts, len(first))) == sorted(first)
    assert list(_budgeted(gate, cuts, len(first) + 2)) == sorted(first + strong[FIRST_SCENES:])


def test_hits_must_beat_chance_in_a_long_text():
    assert _beyond_chance(1, 1, 0.01)  # one window of one: a passage is judged as it is
    assert not _beyond_chance(1, 10_000, 0.01)  # one of ten thousand is what chance gives
    assert _beyond_chance(300, 10_000, 0.01)


@pytest.mark.slow
def test_every_location_is_listed_without_a_cap():
    """Evidence is every window above its cut: a long repetitive text lists all of them."""
    model = shipped_model()
    detector = ModelDetector("thorough")
    sentence = "He stabbed the guard in the throat and ran for the gate."
    doc = text_document(" ".join([sentence] * 40))
    windows = sentence_windows(doc)
    seen = detector.judge(doc, windows)
    j = model.categories.index("violence")
    accepted = int((seen.proba[:, j] >= model.cut[j]).sum())
    report = forewarn.scan_text(" ".join([sentence] * 40), mode="thorough")
    warning = report.warning("violence")
    assert warning is not None and accepted > 25
    assert (
        len(warning.evidence)
        == warning.evidence_total
        == len({i + int(seen.focus[i, j]) for i in np.nonzero(seen.proba[:, j] >= model.cut[j])[0]})
    )


def test_an_attempt_followed_by_a_death_is_a_completed_suicide():
    model = shipped_model()
    k = len(model.categories)
    attempt = model.categories.index("suicide-attempt")
    death = model.categories.index("death")
    doc = text_document(" ".join(f"Sentence {i} here." for i in range(6)))
    windows = sentence_windows(doc)
    proba = np.zeros((6, k), np.float32)
    proba[1, attempt] = proba[2, attempt] = 0.999
    proba[3, death] = proba[4, death] = 0.999
    detector = ModelDetector("default", model=replace(model))
    from forewarn.detectors.model import Judgement

    focus = np.zeros((len(windows), k), dtype=np.int8)  # each window's centre
    seen = Judgement(proba, np.full((6, k), 2), focus, np.zeros((6, k)))
    found = {f.category for f in detector.decide(doc, windows, seen)}
    assert {"suicide-attempt", "suicide-completed", "death"} <= found
    proba[3, death] = proba[4, death] = 0.0
    seen = Judgement(proba, np.full((6, k), 2), focus, np.zeros((6, k)))
    assert "suicide-completed" not in {f.category for f in detector.decide(doc, windows, seen)}


def test_the_wheel_ships_every_model_file():
    """Every file under data/models matches a package-data pattern (nothing is downloaded)."""
    import fnmatch
    import tomllib

    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["forewarn"]
    package = ROOT / "src" / "forewarn"
    files = [p for p in (package / "data" / "models").rglob("*") if p.is_file()]
    assert any(p.name == "passage.npz" for p in files)
    for path in files:
        rel = path.relative_to(package).as_posix()
        assert any(
            fnmatch.fnmatch(rel, pat) and rel.count("/") == pat.count("/") for pat in patterns
        ), rel


def test_budget_reaches_more_scenes_before_judging_neighbours():
    """Adjacent windows of one scene wait until every other scene has had one judged."""
    gate = np.array([[0.95], [0.94], [0.93], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0], [0.0],
                     [0.0], [0.0], [0.6]], np.float32)  # fmt: skip
    cuts = np.array([0.5], np.float32)
    assert list(_budgeted(gate, cuts, 2)) == [0, 12]
    assert list(_budgeted(gate, cuts, 3)) == [0, 1, 12]


def _long_book(rate: float, strict_rate: float, n: int = 3000):
    """A book of ``n`` one-sentence windows judged ``thorough`` by the shipped model with the
    given false-accept rates (no window surer than every dev negative): the model, the
    probabilities to set (all 0), and the categories ``decide`` then reports."""
    from forewarn.detectors.model import Judgement

    model = shipped_model()
    k = len(model.categories)
    doc = text_document(" ".join(f"Sentence {i} here." for i in range(n)))
    windows = sentence_windows(doc)
    model = replace(
        model,
        false_rate=np.full((3, k), rate, np.float32),
        strict_rate=np.full((len(model.strict_rate), k), strict_rate, np.float32),
        sure=np.ones((2, k), np.float32),
    )
    detector = ModelDetector("thorough", model=model)
    proba = np.zeros((n, k), np.float32)
    focus = np.zeros((len(windows), k), dtype=np.int8)  # each window's centre

    def found() -> set[str]:
        seen = Judgement(proba, np.full((n, k), 2), focus, np.zeros((n, k)))
        return {f.category for f in detector.decide(doc, windows, seen)}

    return model, proba, found


def test_a_few_sure_scenes_in_a_long_book_are_not_taken_for_chance():
    """Six windows far above the cut in a book of 3,000 hold the warning even when the book's
    many borderline windows are what chance gives; the borderline ones alone do not."""
    model, proba, found = _long_book(rate=0.02, strict_rate=0.0002)
    j = model.categories.index("death")
    proba[::50, j] = float(model.cut[j]) + 0.01  # 60 hits where 60 are expected by chance
    assert "death" not in found()
    proba[[100, 900, 1500, 2100, 2500, 2900], j] = float(model.strict_cuts()[-1, j]) + 0.001
    assert "death" in found()


def test_two_separate_scenes_far_above_the_cut_hold_a_warning_whatever_the_rates():
    """A long book whose category is common by chance (Dracula's violence: 345 hits where the
    dev rates expect as many) still gets it from two distinct scenes the judge is sure of; one
    such scene, or two sure windows of the same scene, do not make it."""
    from forewarn.detectors.model import SCENE_MARGIN, SPREAD

    model, proba, found = _long_book(rate=0.05, strict_rate=0.01)
    j = model.categories.index("violence")
    proba[::20, j] = float(model.cut[j]) + 0.01  # 150 hits where chance gives 150
    sure = float(model.cuts_above(SCENE_MARGIN)[j]) + 0.001
    assert "violence" not in found()
    proba[[1000, 1000 + SPREAD], j] = sure  # one scene
    assert "violence" not in found()
    proba[2500, j] = sure  # a second, far from the first
    assert "violence" in found()


def test_a_budgeted_scan_weighs_its_hits_against_the_windows_it_judged():
    """A budgeted scan judges the gate's strongest windows, which fire by chance more than an
    average gated window: hits there that the chance curve expects make no warning, although
    scaling the rate by the judged share alone would have made one."""
    from forewarn.detectors.model import Judgement

    model = shipped_model()
    assert model.chance_bias.size and float(model.chance_slope[0]) > 0
    k, n = len(model.categories), 20_000
    j = model.categories.index("sexual-content")
    doc = text_document(" ".join(f"Sentence {i} here." for i in range(n)))
    windows = sentence_windows(doc)
    assert len(windows) == n
    cut = float(model.gate_cut[j])
    gate = np.full((n, k), 1e-6, np.float32)
    gate[:, j] = cut / 2  # below the gate: never judged
    gate[:4000, j] = min(0.999, cut + 0.05)  # gated, weakly
    strong = 1 / (1 + np.exp(-(np.log(cut / (1 - cut)) + 3)))  # 3 logits above its cut
    gate[:400, j] = strong  # the budget's 400: the strongest of the gated ones
    judged = np.zeros(n, dtype=bool)
    judged[:400] = True
    chance = model.chance(gate[judged])
    assert chance is not None
    expected = float(chance[:, j].sum())
    share = 400 / 4000
    assert expected > 2 * share * n * float(model.rate("thorough")[j])
    proba = np.zeros((n, k), np.float32)
    proba[: int(round(expected)), j] = float(model.cut[j]) + 0.01  # what chance gives there
    focus = np.zeros((len(windows), k), dtype=np.int8)  # each window's centre
    seen = Judgement(proba[judged], np.full((400, k), 2), focus, gate, judged=judged)

    def found(m: PassageModel) -> set[str]:
        return {f.category for f in ModelDetector("default", model=m).decide(doc, windows, seen)}

    assert "sexual-content" not in found(model)
    without_curve = replace(model, chance_bias=np.zeros(0, np.float32))
    assert "sexual-content" in found(without_curve)


@pytest.mark.slow
def test_a_judge_with_a_network_averages_it_with_the_heads_and_round_trips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The optional hidden-layer network (``train_passage --hidden``): its logit and the
    logistic heads' are averaged; saved and loaded as plain arrays; deterministic given a seed."""
    pytest.importorskip("sklearn")
    from forewarn.learn import fit

    monkeypatch.setattr(fit, "HIDDEN", 8)
    train, dev, tx, dx, categories = _tiny_features()
    a, _ = fit.fit_passage_model(categories, train, tx, dev, dx, seed=3)
    b, _ = fit.fit_passage_model(categories, train, tx, dev, dx, seed=3)
    assert a.mlp_hidden.shape == (8, dx.minilm.shape[1] + len(categories))
    assert np.array_equal(a.mlp_out, b.mlp_out) and np.array_equal(a.cut, b.cut)
    words = dx.word_scores(a.word_index, a.words)
    head_logit = dx.minilm @ a.coef.T + dx.patterns * a.pattern_weight + words + a.bias
    both = a.judge(dx.minilm, dx.patterns, words).astype(np.float64)
    averaged = 1 / (1 + np.exp(-(head_logit + a.network(dx.minilm, dx.patterns)) / 2))
    assert np.allclose(both, averaged, atol=1e-4)
    proba = both[:, 0]
    assert (proba[:4] >= a.cut[0]).all() and (proba[4:] < a.cut[0]).all()
    a.save(tmp_path / "m.npz")
    again = PassageModel.load(tmp_path / "m.npz")
    assert np.array_equal(
        again.judge(dx.minilm, dx.patterns, words), a.judge(dx.minilm, dx.patterns, words)
    )
    # a model saved without a network (every shipped one so far) loads with none
    assert shipped_model().mlp_hidden.size == 0
