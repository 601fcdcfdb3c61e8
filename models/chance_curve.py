"""Give the shipped passage model its chance curve without refitting it: ``fit_chance_curve``
(what ``make passage-model`` now does at fit time) on the dev split, written into
``src/forewarn/data/models/passage.npz`` and recorded in ``passage.json``. Runs in ``.venv``:

    .venv/bin/python models/chance_curve.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from train_passage import CACHE, CORPUS, OUT, load_cache  # noqa: E402  (a sibling script)


def main() -> int:
    from forewarn.learn.corpus import is_ordinary, label_matrix, read_corpus
    from forewarn.learn.features import passage_features
    from forewarn.learn.fit import fit_chance_curve
    from forewarn.models.passage import PassageModel

    path = OUT / "passage.npz"
    model = PassageModel.load(path)
    dev = read_corpus(CORPUS, ("dev",))
    x = passage_features([r.text for r in dev], model.categories, load_cache(CACHE / "minilm.npz"))
    gate = model.gate(x.static, x.patterns, x.word_scores(model.word_index, model.gate_words))
    judge = model.judge(x.minilm, x.patterns, x.word_scores(model.word_index, model.words))
    ordinary = np.array([is_ordinary(r) or r.origin == "webis" for r in dev])
    negative = ordinary[:, None] & (label_matrix(dev, model.categories) == 0)
    negative &= (model.cut < 1)[None, :]  # categories with a fitted judge
    model.chance_bias, model.chance_slope = fit_chance_curve(
        gate, judge, model.gate_cut, model.cut, negative
    )
    model.save(path)
    summary_path = OUT / "passage.json"
    summary = json.loads(summary_path.read_text())
    summary["chance_curve"] = {
        "command": "python models/chance_curve.py",
        "slope": round(float(model.chance_slope[0]), 4),
        "pairs": int(negative.sum()),
    }
    summary_path.write_text(json.dumps(summary, indent=1) + "\n")
    slope, pairs = float(model.chance_slope[0]), int(negative.sum())
    print(f"chance curve: slope {slope:.3f} over {pairs} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
