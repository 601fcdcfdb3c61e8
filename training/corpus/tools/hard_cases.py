"""Draw the passages the current model gets wrong most often: windows of the train and dev
novels where it fires (or nearly fires), for careful labelling (active learning).

A model trained on random and pattern-candidate windows still fires on family talk as incest,
gothic despair as suicide, hunger as an eating disorder. Labelling the windows it accepts turns
those into hard negatives (and confirms the true positives); windows just under a cut-off give
missed positives. Test novels are never drawn. Windows never overlap each other or a passage
already in the corpus. Deterministic given ``--seed`` and the model.

    .venv/bin/python training/corpus/tools/hard_cases.py ../shared --first-batch 61
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np

from forewarn.detectors.model import ModelDetector
from forewarn.detectors.windows import sentence_windows, window_texts
from forewarn.readers.text import document_from_text
from splits import split_of_work

#: Per (work, category): windows above the cut-off, and just under it, drawn at most
#: (``--fired``, ``--near``).
FIRED = 10
NEAR = 3
#: "Just under": at least this share of the cut-off.
NEAR_SHARE = 0.5


def corpus_spans(corpus: Path) -> dict[str, list[tuple[int, int]]]:
    """Character spans of every novel window already drawn (labelled or not), by work."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for path in sorted((corpus / "candidates").glob("batch-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("origin") == "public-domain":
                spans[row["work"]].append((row["offset"], row["offset"] + len(row["text"])))
    return spans


def hard_windows(
    path: Path, taken: list[tuple[int, int]], seed: int, fired_n: int = FIRED, near_n: int = NEAR
) -> list[dict]:
    """Windows of one novel where the default scan fires or nearly fires (of those it judges)."""
    work = path.stem
    doc = document_from_text(path.read_text(encoding="utf-8"), work)
    windows = sentence_windows(doc)
    detector = ModelDetector(mode="default")
    proba = detector.judge(doc, windows).proba
    cuts = detector.model.cuts("default")
    rng = random.Random(f"{seed}:{work}")
    used = sorted(taken)
    chosen: dict[int, str] = {}

    def free(i: int) -> bool:
        span = windows[i].span
        if any(abs(i - k) <= 2 for k in chosen):
            return False
        return not any(a < span.end and span.start < b for a, b in used)

    for j in rng.sample(range(len(detector.model.categories)), len(detector.model.categories)):
        category = detector.model.categories[j]
        fired = np.nonzero(proba[:, j] >= cuts[j])[0].tolist()
        near = np.nonzero((proba[:, j] >= NEAR_SHARE * cuts[j]) & (proba[:, j] < cuts[j]))[0]
        for pool, want, why in ((fired, fired_n, "fired"), (near.tolist(), near_n, "near")):
            rng.shuffle(pool)
            got = 0
            for i in pool:
                if got == want:
                    break
                if free(i):
                    chosen[i] = f"model-{why}:{category}"
                    got += 1
    texts = window_texts(doc, [windows[i] for i in sorted(chosen)])
    records = []
    for i, text in zip(sorted(chosen), texts, strict=True):
        start = windows[i].span.start
        if len(text) > 1500:
            continue
        records.append(
            {
                "id": f"pd-{work}-{start}",
                "source": f"texts/{path.name}",
                "origin": "public-domain",
                "work": work,
                "split": split_of_work(work),
                "selection": chosen[i],
                "offset": start,
                "text": text,
            }
        )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shared", type=Path, help="the shared folder (texts/)")
    parser.add_argument("--corpus", type=Path, default=Path("training/corpus"))
    parser.add_argument("--first-batch", type=int, required=True)
    parser.add_argument("--per-batch", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261208)
    parser.add_argument("--fired", type=int, default=FIRED, help="per work and category")
    parser.add_argument("--near", type=int, default=NEAR, help="per work and category")
    args = parser.parse_args()
    spans = corpus_spans(args.corpus)
    records: list[dict] = []
    for path in sorted((args.shared / "texts").glob("*.txt")):
        if split_of_work(path.stem) == "test":
            continue
        got = hard_windows(path, spans[path.stem], args.seed, args.fired, args.near)
        records.extend(got)
        print(path.stem, len(got), flush=True)
    random.Random(args.seed).shuffle(records)
    out = args.corpus / "candidates"
    for b in range(0, len(records), args.per_batch):
        name = out / f"batch-{args.first_batch + b // args.per_batch:03d}.jsonl"
        with name.open("w", encoding="utf-8") as fh:
            for record in records[b : b + args.per_batch]:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} hard windows")


if __name__ == "__main__":
    main()
