"""Which presence rule holds each category a default scan reports in a book: an experiment
tool (docs/EVALUATION.md, "Period-register passages"), not part of the build.

The model detector reports a category when its judged hits beat chance at the cut (``cut``),
the gate's hits beat the gate's rate (``gate``), the hits 1, 2 or 3 logits above the cut beat
the stricter rates (``strict1``..``strict3``), one window is surer than every dev negative
(``sure``), or two scenes hold a window ``SCENE_MARGIN`` logits up (``scenes``):

    .venv/bin/python models/presence_rules.py ../shared/texts/dracula.txt [...]
"""

from __future__ import annotations

import sys

import numpy as np


def rules_of(path: str) -> dict[str, list[str]]:
    """Per category with a judged hit: the names of the presence rules that hold it."""
    from forewarn.detectors.model import (
        SCENE_MARGIN,
        SCENES,
        ModelDetector,
        _beyond_chance,
        _chance_share,
        _count_at_least,
        _scenes,
    )
    from forewarn.detectors.windows import sentence_windows
    from forewarn.readers import read_path

    doc = read_path(path)
    detector = ModelDetector("default")
    windows = sentence_windows(doc)
    seen = detector.judge(doc, windows)
    model, n = detector.model, len(windows)
    rows, proba = seen.judged_rows(), seen.judged_proba
    cuts, sure = model.cuts("default"), model.sure_cuts("default")
    rates, gate_rates = model.rate("thorough"), model.rate("fast")
    share = _chance_share(model, seen, n)
    gate_hits = _count_at_least(seen.gate, model.fast_cut)
    scene_cuts = model.cuts_above(SCENE_MARGIN)
    found: dict[str, list[str]] = {}
    for j, category in enumerate(model.categories):
        hit = np.nonzero(proba[:, j] >= cuts[j])[0]
        hit_proba = proba[hit, j]
        if not len(hit):
            continue
        rules = []
        if _beyond_chance(len(hit), n, float(rates[j] * share[j])):
            rules.append("cut")
        if _beyond_chance(int(gate_hits[j]), n, float(gate_rates[j])):
            rules.append("gate")
        strict = zip(model.strict_cuts()[:, j], model.strict_rate[:, j], strict=True)
        for k, (cut, rate) in enumerate(strict, start=1):
            if _beyond_chance(int((hit_proba >= cut).sum()), n, float(rate * share[j])):
                rules.append(f"strict{k}")
        if hit_proba.max() >= sure[j]:
            rules.append("sure")
        if _scenes(rows[hit][hit_proba >= scene_cuts[j]]) >= SCENES:
            rules.append("scenes")
        if rules:
            found[category] = rules
    return found


def main(paths: list[str]) -> int:
    for path in paths:
        print(path, rules_of(path), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
