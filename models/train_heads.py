"""Train the shipped cascade heads: ``make heads`` (runs in .venv, needs the ``train`` extra).

Learns from everything under ``training/`` plus all Webis passages, calibrates cut-offs on the
Webis passages, and writes ``src/forewarn/data/models/heads/{static,minilm}.npz`` (plain
arrays) and ``heads.json`` (what went in). The cross-validated estimate of exactly this
procedure is ``forewarn eval webis ... -s cascade-default`` (docs/EVALUATION.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "forewarn" / "data" / "models" / "heads"
WEBIS = ROOT.parent / "shared" / "data" / "webis-passages"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webis", type=Path, default=WEBIS, help="Webis passages folder")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from forewarn.evaluation.webis import (
        file_sha256,
        load_passages,
        passages_path,
        warning_categories,
    )
    from forewarn.models.examples import (
        Example,
        fiction_examples,
        lexicon_examples,
        webis_examples,
    )
    from forewarn.models.fit import fit_heads

    passages = load_passages(args.webis)
    fiction = fiction_examples(ROOT / "training" / "fiction-sentences")
    lexicon = lexicon_examples(ROOT / "training" / "suicide-risk-lexicon")
    webis = webis_examples(passages)
    cid = warning_categories(sorted({p.warning for p in passages}))
    calibration = [Example(p.text, {cid[p.warning]: p.label}) for p in passages]
    screen, judge = fit_heads([*fiction, *lexicon, *webis], calibration=calibration, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    screen.save(args.out / "static.npz")
    judge.save(args.out / "minilm.npz")
    positives = Counter(c for e in [*fiction, *lexicon, *webis] for c, v in e.labels.items() if v)
    report = {
        "command": "make heads (python -m models.train_heads)",
        "seed": args.seed,
        "sources": {
            "fiction-sentences": len(fiction),
            "suicide-risk-lexicon": len(lexicon),
            "webis-passages (pooled)": len(webis),
        },
        "webis_sha256": file_sha256(passages_path(args.webis)),
        "categories": judge.categories,
        "explicit_positives": dict(sorted(positives.items())),
        "cut_offs": {
            "screen": dict(zip(screen.categories, map(float, screen.decision), strict=True)),
            "judge": dict(zip(judge.categories, map(float, judge.decision), strict=True)),
        },
    }
    (args.out / "heads.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(judge.categories)} heads to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
