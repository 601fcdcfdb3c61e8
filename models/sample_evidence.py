"""Draw evidence quotes from several judges' reports for a blind reading: an evaluation tool
(docs/EVALUATION.md, "Period-register passages"), not part of the build.

Each ``name=FOLDER`` holds ``<work>.json`` reports (``forewarn scan --format json``) of the
same works and ``TEXTS`` their ``forewarn text`` output; ``K`` items are drawn per judge,
uniformly over all its evidence, then shuffled together with the judges hidden:

    .venv/bin/python models/sample_evidence.py OUT TEXTS 40 old=DIR_A new=DIR_B

``OUT/task.jsonl`` is for the reader (id, category, quote, 600 characters of context either
side); ``OUT/key.json`` maps each id to its evidence and the judges that quoted it.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 20261207
CONTEXT = 600


def evidence(folder: Path) -> list[tuple[str, str, int, int, str]]:
    """(work, category, start, end, quote) of every evidence item in the folder's reports."""
    items = []
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))["documents"][0]
        for warning in document["warnings"]:
            for e in warning["evidence"]:
                items.append((path.stem, warning["id"], e["start"], e["end"], e["quote"]))
    return items


def main(argv: list[str]) -> int:
    out, texts, k = Path(argv[0]), Path(argv[1]), int(argv[2])
    judges = dict(arg.split("=", 1) for arg in argv[3:])
    rng = random.Random(SEED)
    drawn: dict[tuple[str, str, int], tuple[str, str, int, int, str]] = {}
    quoted_by: dict[tuple[str, str, int], list[str]] = {}
    for name, folder in judges.items():
        pool = evidence(Path(folder))
        for item in rng.sample(pool, min(k, len(pool))):
            key = item[:3]
            drawn[key] = item
            quoted_by.setdefault(key, []).append(name)
        print(f"{name}: {len(pool)} evidence items")
    order = list(drawn)
    rng.shuffle(order)
    out.mkdir(parents=True, exist_ok=True)
    book: dict[str, str] = {}
    key_file = {}
    with (out / "task.jsonl").open("w", encoding="utf-8") as fh:
        for i, key in enumerate(order):
            work, category, start, end, quote = drawn[key]
            text = book.setdefault(work, (texts / f"{work}.txt").read_text(encoding="utf-8"))
            context = text[max(0, start - CONTEXT) : end + CONTEXT]
            row = {"id": f"ev-{i:03d}", "category": category, "quote": quote, "context": context}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            key_file[row["id"]] = [f"{work}:{category}:{start}", quoted_by[key]]
    (out / "key.json").write_text(json.dumps(key_file, indent=0) + "\n", encoding="utf-8")
    print(f"{len(order)} items")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
