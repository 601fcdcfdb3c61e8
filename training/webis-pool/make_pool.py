"""Pool the Webis passages across warnings into weak training labels (forewarn.evaluation.pooling).

    .venv/bin/python training/webis-pool/make_pool.py ../shared/data/webis-passages \
        training/webis-pool/pooled.jsonl

For FINAL training only (a model then scored on a different batch). Inside cross-validation,
call ``forewarn.evaluation.pooling.pool`` on the training folds instead: pooling the whole file
would put the test folds' passages into training.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from forewarn.evaluation.pooling import pool
from forewarn.evaluation.webis import load_passages, warning_categories


def main(source: str, target: str) -> None:
    passages = load_passages(source)
    examples = pool(passages)
    categories = warning_categories({e.warning for e in examples})
    with Path(target).open("w", encoding="utf-8") as out:
        for e in examples:
            row = {
                "text": e.text,
                "warning": e.warning,
                "category": categories[e.warning],
                "label": e.label,
                "weight": e.weight,
                "source": e.source,
                "example_id": e.example_id,
                "work_id": e.work_id,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds = Counter(
        (e.warning, e.label, "annotated" if e.source == "annotated" else "weak") for e in examples
    )
    for (warning, label, kind), n in sorted(kinds.items()):
        print(f"{warning:11s} {'pos' if label else 'neg'} {kind:9s} {n:5d}")
    print(f"{len(examples)} examples from {len(passages)} passages -> {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
