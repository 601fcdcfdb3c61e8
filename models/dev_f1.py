"""The shipped judge's dev micro F1 with each category's cut chosen on dev, computed exactly as
``models/finetune.py`` reports its monitor line, so the two can be compared (both optimistic in
the same way). Runs in ``.venv``:

    .venv/bin/python models/dev_f1.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from finetune import best_f1  # noqa: E402  (a sibling script, not a package)
from train_passage import CACHE, CORPUS, load_cache  # noqa: E402


def main() -> int:
    from forewarn.detectors.model import shipped_model
    from forewarn.learn.corpus import label_matrix, read_corpus
    from forewarn.learn.features import passage_features

    model = shipped_model()
    dev = read_corpus(CORPUS, ("dev",))
    cache = load_cache(CACHE / f"{model.encoder}.npz")
    x = passage_features([r.text for r in dev], model.categories, cache)
    proba = model.judge(x.minilm, x.patterns, x.word_scores(model.word_index, model.words))
    f1 = best_f1(proba, label_matrix(dev, model.categories))
    print(f"shipped judge, dev micro F1 (cuts chosen on dev): {f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
