"""Systems compared by the evaluation: a small plugin interface and the built-in baselines.

A system is fitted on the training folds' passages (labels visible) and then scores passages
whose labels are hidden. ``predict`` returns, per Webis warning, one score per passage; a
score >= 0.5 means "the warning applies". Thresholds belong inside the system, fitted in
``fit`` on training passages only. Caching features that involve no fitting (embeddings of a
frozen encoder) across instances is fine; caching anything learnt from labels is not.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from forewarn.detectors import Pipeline, build_pipeline
from forewarn.detectors.model import PATTERN_DECIDED, ModelDetector
from forewarn.detectors.patterns import PatternDetector, load_lexicons
from forewarn.evaluation.extras import MissingDependency, require_sklearn
from forewarn.evaluation.passage_lr import PassageLRSystem
from forewarn.evaluation.pooling import WeakExample, pool
from forewarn.evaluation.webis import Passage, warning_categories
from forewarn.learn.corpus import read_corpus
from forewarn.learn.features import passage_features
from forewarn.learn.fit import fit_passage_model
from forewarn.passages import scan_passages
from forewarn.taxonomy import load_taxonomy

#: Webis warnings -> one score per passage (>= 0.5 is a positive decision).
Predictions = Mapping[str, Sequence[float]]


@runtime_checkable
class System(Protocol):
    """Anything with ``fit(train_passages)`` and ``predict(passages) -> Predictions``.

    Optional attributes read by the report: ``description: str`` and ``notes: list[str]``.
    """

    def fit(self, passages: Sequence[Passage]) -> None: ...

    def predict(self, passages: Sequence[Passage]) -> Predictions: ...


SystemFactory = Callable[[], System]


@dataclass(frozen=True)
class Registration:
    """A named system: how to build a fresh instance, and whether it runs by default."""

    factory: SystemFactory
    default: bool
    description: str


_REGISTRY: dict[str, Registration] = {}


def register_system(
    name: str, factory: SystemFactory, *, default: bool = False, description: str = ""
) -> None:
    """Make ``factory`` available as ``--system NAME`` (and in every run when ``default``)."""
    _REGISTRY[name] = Registration(factory, default, description)


def registered_systems() -> dict[str, Registration]:
    """All registered systems, in registration order."""
    return dict(_REGISTRY)


def resolve_system(spec: str) -> SystemFactory:
    """A registered name, or ``package.module:factory`` naming a callable that builds a System."""
    if spec in _REGISTRY:
        return _REGISTRY[spec].factory
    if ":" not in spec:
        known = ", ".join(_REGISTRY)
        raise KeyError(f"unknown system {spec!r}; known: {known}, or give module:factory")
    module_name, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise KeyError(f"cannot load system {spec!r} ({exc})") from None
    if not callable(factory):
        raise KeyError(f"system {spec!r} is not callable")
    return factory  # type: ignore[no-any-return]


class PipelineSystem:
    """forewarn's own detectors through the ``--passages`` interface (nothing is fitted).

    A passage is positive for a Webis warning when any category a reader avoiding it would
    avoid (``taxonomy.expand`` of the aliased id) is reported present.
    """

    def __init__(self, pipeline: Callable[[], Pipeline], description: str) -> None:
        self._build = pipeline
        self.description = description
        self.notes: list[str] = []

    def fit(self, passages: Sequence[Passage]) -> None:
        return None

    def predict(self, passages: Sequence[Passage]) -> Predictions:
        pipeline = self._build()
        tax = load_taxonomy()
        covered = set(pipeline.categories())
        warnings = sorted({p.warning for p in passages})
        targets = {
            w: tax.expand(cid) & covered for w, cid in warning_categories(warnings, tax).items()
        }
        self.notes = [
            f"{w}: no detector covers it (always negative)" for w in warnings if not targets[w]
        ]
        lines = (json.dumps({"id": p.example_id, "text": p.text}) for p in passages)
        present = [
            {w["id"] for w in result["warnings"] if w["present"]}
            for result in scan_passages(lines, pipeline=pipeline)
        ]
        return {w: [1.0 if ids & targets[w] else 0.0 for ids in present] for w in warnings}


def _pattern_pipeline() -> Pipeline:
    return Pipeline([PatternDetector()])


def _mode_pipeline(mode: str) -> Callable[[], Pipeline]:
    def build() -> Pipeline:
        return build_pipeline(mode)

    return build


class TfidfSystem:
    """The paper's baseline: per warning, TF-IDF (word 1-2 grams) + logistic regression.

    Vocabulary, IDF weights and classifier are fitted on that warning's training passages;
    class weights are balanced because test samples are balanced (the decision threshold
    stays at 0.5). A warning whose training passages hold one class predicts that class.
    ``pooled``: also learn from the weak labels of ``evaluation.pooling`` (training folds only).
    """

    def __init__(self, c: float = 1.0, pooled: bool = False) -> None:
        self.c = c
        self.pooled = pooled
        self.description = (
            "TF-IDF (1-2 grams) + logistic regression per warning, training folds only"
            + (", plus weak labels pooled across warnings" if pooled else "")
        )
        self.models: dict[str, Any] = {}
        self.vectorizers: dict[str, Any] = {}
        self.constant: dict[str, float] = {}
        self.notes: list[str] = []

    def fit(self, passages: Sequence[Passage]) -> None:
        require_sklearn("the tfidf baseline")
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        examples = (
            pool(passages)
            if self.pooled
            else [
                WeakExample(p.text, p.warning, p.label, 1.0, "annotated", p.example_id, p.work_id)
                for p in passages
            ]
        )
        for warning in sorted({p.warning for p in passages}):
            own = [e for e in examples if e.warning == warning]
            labels = [int(e.label) for e in own]
            if len(set(labels)) < 2:
                self.constant[warning] = float(labels[0])
                self.notes.append(
                    f"{warning}: a training split held only one class; predicted it throughout"
                )
                continue
            vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2)
            features = vectorizer.fit_transform([e.text for e in own])
            model = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000)
            model.fit(features, labels, sample_weight=[e.weight for e in own])
            self.vectorizers[warning], self.models[warning] = vectorizer, model

    def predict(self, passages: Sequence[Passage]) -> Predictions:
        texts = [p.text for p in passages]
        out: dict[str, list[float]] = {}
        for warning in sorted({p.warning for p in passages}):
            if warning in self.models:
                features = self.vectorizers[warning].transform(texts)
                out[warning] = [
                    float(x) for x in self.models[warning].predict_proba(features)[:, 1]
                ]
            else:
                out[warning] = [self.constant.get(warning, 0.0)] * len(texts)
        return out


CORPUS = Path(__file__).resolve().parents[3] / "training" / "corpus"
#: Vectors of the frozen MiniLM encoder by text, shared by every fold (nothing fitted in it).
_VECTORS: dict[str, Any] = {}


class PassageModelSystem:
    """The scanning pipeline with a passage model fitted on the training folds.

    The model learns from the annotated corpus (``training/corpus``) without its test split and
    without any Webis passage outside the training folds; its cut-offs are calibrated on the
    corpus's dev split (again without the test folds' passages). Only the categories a Webis
    warning expands to are fitted.
    """

    def __init__(self, mode: str = "default", corpus: Path = CORPUS) -> None:
        self.mode = mode
        self.corpus = corpus
        self.description = f"scan pipeline ({mode}), passage model fitted on training folds"
        self.notes: list[str] = []
        self._inner: PipelineSystem | None = None

    def fit(self, passages: Sequence[Passage]) -> None:
        require_sklearn("the passage model (to fit)")
        if not (self.corpus / "train.jsonl").is_file():
            raise MissingDependency(f"the annotated corpus was not found in {self.corpus}")

        tax = load_taxonomy()
        warnings = sorted({p.warning for p in passages})
        needed = set().union(*(tax.expand(c) for c in warning_categories(warnings, tax).values()))
        categories = [c for c in tax.ids() if c in needed]
        seen = {f"webis-{p.example_id}" for p in passages}
        usable = [
            r
            for r in read_corpus(self.corpus, ("train", "dev"))
            if r.origin != "webis" or r.id in seen
        ]
        train = [r for r in usable if r.split == "train" or r.origin == "webis"]
        dev = [r for r in usable if r.split == "dev" and r.origin != "webis"]
        train_x = passage_features([r.text for r in train], categories, _VECTORS)
        dev_x = passage_features([r.text for r in dev], categories, _VECTORS)
        model, _ = fit_passage_model(categories, train, train_x, dev, dev_x)
        words = tuple(x for x in load_lexicons() if x.category in PATTERN_DECIDED)
        detector = ModelDetector(self.mode, model=model, cache=_VECTORS)
        self._inner = PipelineSystem(
            lambda: Pipeline([PatternDetector(words), detector], mode=self.mode),
            self.description,
        )

    def predict(self, passages: Sequence[Passage]) -> Predictions:
        if self._inner is None:
            raise RuntimeError("fit before predict")
        out = self._inner.predict(passages)
        self.notes = self._inner.notes
        return out


register_system(
    "patterns",
    lambda: PipelineSystem(_pattern_pipeline, "forewarn's pattern detector alone"),
    default=True,
    description="forewarn's pattern detector alone",
)
register_system(
    "tfidf", TfidfSystem, default=True, description="TF-IDF + logistic regression per warning"
)
register_system(
    "tfidf-pooled",
    lambda: TfidfSystem(pooled=True),
    description="the TF-IDF baseline plus weak labels pooled across warnings",
)
for _mode in ("fast", "default", "thorough"):
    register_system(
        f"scan-{_mode}",
        lambda mode=_mode: PipelineSystem(  # type: ignore[misc]
            _mode_pipeline(mode), f"forewarn scan --passages in {mode} mode"
        ),
        description=f"the whole forewarn pipeline in {_mode} mode",
    )
for _mode in ("fast", "default", "thorough"):
    register_system(
        f"model-{_mode}",
        lambda mode=_mode: PassageModelSystem(mode),  # type: ignore[misc]
        default=_mode == "default",
        description=f"the scan pipeline in {_mode} mode, passage model fitted on training folds",
    )


register_system(
    "passage-lr",
    PassageLRSystem,
    description="yardstick: LR per warning on whole-passage MiniLM + pattern scores (no spans)",
)
