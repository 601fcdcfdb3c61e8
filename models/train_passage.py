"""Train the shipped passage model: ``make passage-model`` (in .venv, needs the ``train`` extra).

Fits on ``training/corpus/train.jsonl``, calibrates on ``dev.jsonl`` (never reads the test
split) and writes ``src/forewarn/data/models/passage.npz`` (plain arrays) and
``passage.json`` (counts, cut-offs, held-out F1 per category). ``forewarn eval corpus`` then
scores it on the frozen test split.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training" / "corpus"
OUT = ROOT / "src" / "forewarn" / "data" / "models"
CACHE = ROOT / "build" / "vectors"
TEXTS = ROOT.parent / "shared" / "texts"


def load_cache(path: Path) -> dict[str, np.ndarray]:
    """MiniLM vectors of texts embedded before (the encoder is frozen: text -> vector)."""
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return dict(zip([str(t) for t in data["texts"]], data["vectors"], strict=True))


def save_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    texts = list(cache)
    np.savez(path, texts=np.array(texts), vectors=np.stack([cache[t] for t in texts]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--word-scale", type=float, default=None, help="word-count scale")
    parser.add_argument(
        "--encoder",
        type=Path,
        default=None,
        help="an ONNX encoder folder (as models/build.py writes them) instead of the shipped "
        "MiniLM; it is copied beside the model as data/models/<its name>",
    )
    parser.add_argument(
        "--hidden",
        type=int,
        default=None,
        help="hidden units of a network averaged with the judge's heads (default 0: none)",
    )
    parser.add_argument(
        "--no-patterns", action="store_true", help="leave the pattern features out (all zero)"
    )
    parser.add_argument(
        "--distil",
        type=int,
        default=3,
        metavar="STRIDE",
        help="the gate also learns what the judge accepts among every STRIDE-th window of "
        "the train split's novels (0: labels only)",
    )
    parser.add_argument("--texts", type=Path, default=TEXTS, help="the novels' folder")
    args = parser.parse_args(argv)

    from forewarn.learn import fit as fitting
    from forewarn.learn.corpus import read_corpus
    from forewarn.learn.features import novel_windows, passage_features
    from forewarn.learn.fit import fit_passage_model
    from forewarn.taxonomy import load_taxonomy

    if args.word_scale is not None:
        fitting.WORD_SCALE = args.word_scale
    if args.hidden is not None:
        fitting.HIDDEN = args.hidden
    categories = load_taxonomy().ids()
    train = read_corpus(args.corpus, ("train",))
    dev = read_corpus(args.corpus, ("dev",))
    from forewarn.models import models_dir

    encoder = args.encoder or models_dir() / "minilm"
    cache_file = CACHE / f"{encoder.name}.npz"
    cache = load_cache(cache_file)
    train_x = passage_features([r.text for r in train], categories, cache, encoder)
    dev_x = passage_features([r.text for r in dev], categories, cache, encoder)
    natural, natural_works = None, None
    if args.distil:
        novels = sorted({r.work for r in train if r.origin == "public-domain"})
        texts, natural_works = [], []
        for work in novels:
            windows = novel_windows(args.texts / f"{work}.txt", args.distil)
            texts += windows
            natural_works += [work] * len(windows)
        print(f"natural windows: {len(texts)} from {len(novels)} train novels", flush=True)
        natural = passage_features(texts, categories, cache, encoder)
    save_cache(cache_file, cache)
    if args.no_patterns:
        train_x.patterns[:] = 0.0
        dev_x.patterns[:] = 0.0
    digest = hashlib.sha256()
    for split in ("train", "dev"):
        digest.update((args.corpus / f"{split}.jsonl").read_bytes())
    model, report = fit_passage_model(
        categories,
        train,
        train_x,
        dev,
        dev_x,
        c=args.c,
        seed=args.seed,
        version=digest.hexdigest()[:12],
        natural=natural,
        natural_works=natural_works,
    )
    model.encoder = encoder.name
    target = args.out / encoder.name
    if encoder.resolve() != target.resolve():
        import shutil

        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(encoder, target, ignore=shutil.ignore_patterns("*.json.bak"))
    model.save(args.out / "passage.npz")
    summary = {
        "command": "python models/train_passage.py",
        "train": len(train),
        "dev": len(dev),
        "corpus_sha256": model.version,
        "c": args.c,
        "encoder": encoder.name,
        "seed": args.seed,
        "distil_stride": args.distil,
        "natural_windows": 0 if natural is None else len(natural.windows),
        "gate_share_dev_ordinary": round(report.gate_share, 4),
        "categories": {
            c: {
                **row,
                "cut": round(float(model.cut[j]), 4),
                "fast_cut": round(float(model.fast_cut[j]), 4),
                "gate_cut": round(float(model.gate_cut[j]), 4),
            }
            for j, (c, row) in enumerate(report.rows.items())
        },
    }
    summary["word_scale"] = fitting.WORD_SCALE
    summary["hidden"] = fitting.HIDDEN
    (args.out / "passage.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(
        f"passage model: {len(train)} train, {len(dev)} dev passages; gate passes "
        f"{report.gate_share:.1%} of dev ordinary windows"
    )
    for c, row in report.rows.items():
        print(
            f"  {c:26} {row.get('train_positives', 0):5} {row.get('dev_positives', 0):4} "
            f"{row.get('held_f1', float('nan')):.2f} {row.get('status')}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
