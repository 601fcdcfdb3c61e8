"""Sample sentences from the public-domain novels as unlabelled background negatives.

    .venv/bin/python training/background/make_background.py ../shared/texts \
        training/background/background.jsonl --per-book 2000 --seed 0

Sentences on which forewarn's pattern detector finds anything are dropped, so what remains is
mostly ordinary narration; it is still unlabelled, NOT verified negative (see README).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from forewarn.detectors import Pipeline
from forewarn.detectors.patterns import PatternDetector
from forewarn.readers import read_path


def sample_book(path: Path, per_book: int, rng: random.Random) -> list[dict[str, object]]:
    """Up to ``per_book`` sentences of 40-300 characters that no pattern fires on."""
    doc = read_path(str(path))
    Pipeline([PatternDetector()])(doc)
    flagged = sorted((f.start, f.end) for f in doc.findings)
    candidates = []
    for s in doc.sentences:
        text = " ".join(doc.text[s.start : s.end].split())
        if not 40 <= len(text) <= 300:
            continue
        if any(start < s.end and s.start < end for start, end in flagged):
            continue
        candidates.append({"text": text, "book": path.name, "start": s.start, "end": s.end})
    chosen = rng.sample(candidates, min(per_book, len(candidates)))
    return sorted(chosen, key=lambda row: int(str(row["start"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-book", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with args.out.open("w", encoding="utf-8") as out:
        for book in sorted(args.texts.glob("*.txt")):
            rows = sample_book(book, args.per_book, rng)
            for row in rows:
                out.write(json.dumps({**row, "label": None}, ensure_ascii=False) + "\n")
            print(f"{book.name}: {len(rows)} sentences")


if __name__ == "__main__":
    main()
