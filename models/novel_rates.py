"""Chance rates measured on the train novels instead of the dev split's ordinary windows: an
experiment (docs/EVALUATION.md, "Chance rates from the train novels"), not part of the build.

Judges every window of the train novels (``thorough``), counts per category the windows at
the cut and 1, 2, 3 logits above it outside the corpus's drawn passages, discounts them by the
precision that round-5 labels (drawn with the shipped model, never trained on) measure at each
level, and writes a copy of the model with those rates (``--scale`` multiplies them):

    .venv/bin/python models/novel_rates.py ../shared --out /tmp/rates/passage.npz
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training" / "corpus"
sys.path.insert(0, str(CORPUS / "tools"))

from hard_cases import corpus_spans  # noqa: E402  (a sibling tool, not a package)
from splits import split_of_work  # noqa: E402

#: The batches of round 5: drawn with the shipped model, labelled after it was frozen.
ROUND_5 = ("075", "076", "077")
#: Pseudo-count pulling a category's precision towards the level's pooled precision.
PRIOR = 4.0


def judged(
    shared: Path, cache: Path, works: set[str] | None = None
) -> dict[str, dict[str, np.ndarray]]:
    """Per train or dev novel: the thorough judge's probabilities and the windows' spans."""
    from forewarn.detectors.model import ModelDetector
    from forewarn.detectors.windows import sentence_windows
    from forewarn.readers.text import document_from_text

    cache.mkdir(parents=True, exist_ok=True)
    detector, out = ModelDetector(mode="thorough"), {}
    for path in sorted((shared / "texts").glob("*.txt")):
        split = split_of_work(path.stem)
        if split == "test" or (works and path.stem not in works):
            continue
        saved = cache / f"{path.stem}.npz"
        if not saved.exists():
            doc = document_from_text(path.read_text(encoding="utf-8"), path.stem)
            windows = sentence_windows(doc)
            seen = detector.judge(doc, windows)
            spans = np.array([[w.span.start, w.span.end] for w in windows])
            np.savez(saved, proba=seen.proba, gate=seen.gate, spans=spans, split=split)
            print(f"judged {path.stem} ({split}): {len(windows)} windows", flush=True)
        with np.load(saved) as data:
            out[path.stem] = {name: data[name] for name in data.files}
    return out


def main() -> int:
    from forewarn.detectors.model import model_path
    from forewarn.models.passage import PassageModel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", type=Path, help="the shared folder (its texts/)")
    parser.add_argument("--out", type=Path, required=True, help="where the model copy goes")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--works", default="", help="comma-separated novels (default: all)")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "novel-judgements")
    args = parser.parse_args()
    model = PassageModel.load(model_path())
    cuts = np.vstack([model.cut[None, :], model.strict_cuts()])  # cut, +1, +2, +3 logits
    novels = judged(args.shared, args.cache, set(filter(None, args.works.split(","))))
    taken = corpus_spans(CORPUS)
    drawn = {}
    for batch in ROUND_5:
        for line in (CORPUS / "candidates" / f"batch-{batch}.jsonl").read_text().splitlines():
            row = json.loads(line)
            drawn[(row["work"], int(row["offset"]))] = row["id"]
    labels = {}
    for split in ("train", "dev"):
        for line in (CORPUS / f"{split}.jsonl").read_text().splitlines():
            row = json.loads(line)
            labels[row["id"]] = set(row.get("labels", {}))
    levels, k = cuts.shape
    hits, gate_hits, fired, true = (np.zeros((levels, k)), np.zeros(k), *np.zeros((2, levels, k)))
    windows = 0
    for work, data in novels.items():
        proba, spans = data["proba"], data["spans"]
        for i, start in enumerate(spans[:, 0]):
            rid = drawn.get((work, int(start)))
            if rid in labels:
                for level in range(levels):
                    for j in np.nonzero(proba[i] >= cuts[level])[0]:
                        fired[level, j] += 1
                        true[level, j] += model.categories[j] in labels[rid]
        if str(data["split"]) != "train":
            continue
        free = np.ones(len(spans), dtype=bool)
        for a, b in taken.get(work, []):
            free &= ~((spans[:, 0] < b) & (spans[:, 1] > a))
        hits += np.stack([(proba[free] >= cuts[level]).sum(axis=0) for level in range(levels)])
        gate_hits += (data["gate"][free] >= model.fast_cut).sum(axis=0)
        windows += int(free.sum())
    pooled = true.sum(axis=1) / np.maximum(1, fired.sum(axis=1))
    precision = (true + PRIOR * pooled[:, None]) / (fired + PRIOR)
    floor = 0.5 / windows
    rate = np.maximum(floor, hits * (1 - precision) / windows) * args.scale
    gate_rate = np.maximum(floor, gate_hits * (1 - precision[0]) / windows) * args.scale
    print(f"{windows} train-novel windows; pooled precision by level {np.round(pooled, 3)}")
    for j, category in enumerate(model.categories):
        print(
            f"  {category:26} at the cut {model.false_rate[2, j]:.5f} -> {rate[0, j]:.5f}; "
            f"3 logits up {model.strict_rate[-1, j]:.5f} -> {rate[-1, j]:.5f}"
        )
    model.false_rate[2], model.false_rate[0] = rate[0], gate_rate
    model.strict_rate = rate[1:].astype(np.float32)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
