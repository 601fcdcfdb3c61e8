"""Draw the passages to label: scanner-sized windows from the public-domain novels and the Webis
Train passages, written to ``training/corpus/candidates/batch-NNN.jsonl`` in labelling order.

Novel windows are three sentences (a sentence and its neighbours in the same chapter, as the
model detector judges them). Half are drawn at random from each work, half around a match of
the high-recall pattern lexicons, stratified by category so that rare categories get positives.
Windows never overlap within a work. Deterministic given ``--seed``.

    .venv/bin/python training/corpus/tools/candidates.py ../shared --per-batch 300
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

from forewarn.detectors.patterns import PatternDetector
from forewarn.readers.text import document_from_text
from splits import split_of_key, split_of_work

#: Novel windows drawn per 10,000 words of a work (half random, half candidates).
PER_10K_WORDS = 32
#: Candidate windows per (work, category) at most, so frequent categories do not crowd out.
PER_CATEGORY = 120


def windows_of(path: Path, seed: int) -> list[dict]:
    """Random and candidate windows of one novel, as unlabelled records."""
    work = path.stem
    text = path.read_text(encoding="utf-8")
    doc = document_from_text(text, work)
    sentences = doc.sentences
    rng = random.Random(f"{seed}:{work}")
    budget = max(40, doc.word_count * PER_10K_WORDS // 10_000)
    taken: set[int] = set()
    chosen: list[tuple[int, str]] = []

    def take(i: int, why: str) -> bool:
        if i in taken or i - 1 in taken or i + 1 in taken or i - 2 in taken or i + 2 in taken:
            return False
        taken.add(i)
        chosen.append((i, why))
        return True

    starts = [s.start for s in sentences]
    import bisect

    by_category: dict[str, list[int]] = defaultdict(list)
    for f in PatternDetector()(doc):
        row = max(0, bisect.bisect_right(starts, f.start) - 1)
        by_category[f.category].append(row)
    candidate_budget = budget // 2
    pools = {c: rng.sample(sorted(set(rows)), len(set(rows))) for c, rows in by_category.items()}
    per_cat = defaultdict(int)
    progress = True
    while candidate_budget > 0 and progress:
        progress = False
        for c in sorted(pools):
            rows = pools[c]
            while rows and per_cat[c] < PER_CATEGORY:
                if take(rows.pop(), f"candidate:{c}"):
                    per_cat[c] += 1
                    candidate_budget -= 1
                    progress = True
                    break
    random_rows = list(range(len(sentences)))
    rng.shuffle(random_rows)
    want = budget - sum(1 for _, why in chosen if why.startswith("candidate"))
    for i in random_rows:
        if want <= 0:
            break
        if len(doc.text[sentences[i].start : sentences[i].end].split()) < 4:
            continue
        if take(i, "random"):
            want -= 1
    records = []
    for i, why in chosen:
        chapter = doc.chapter_at(sentences[i].start).number
        lo = i - 1 if i > 0 and doc.chapter_at(sentences[i - 1].start).number == chapter else i
        hi = (
            i + 1
            if i + 1 < len(sentences) and doc.chapter_at(sentences[i + 1].start).number == chapter
            else i
        )
        start, end = sentences[lo].start, sentences[hi].end
        passage = doc.text[start:end]
        if len(passage) > 1500:
            passage = doc.text[sentences[i].start : sentences[i].end][:1500]
            start = sentences[i].start
        records.append(
            {
                "id": f"pd-{work}-{start}",
                "source": f"texts/{path.name}",
                "origin": "public-domain",
                "work": work,
                "split": split_of_work(work),
                "selection": why,
                "offset": start,
                "text": " ".join(passage.split()),
            }
        )
    return records


def webis_records(path: Path) -> list[dict]:
    """Every Webis Train passage, with its majority label for the warning it was annotated for."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        records.append(
            {
                "id": f"webis-{row['example_id']}",
                "source": "webis-passages/passages.jsonl",
                "origin": "webis",
                "work": f"ao3-{row['work_id']}",
                "split": split_of_key(f"ao3-{row['work_id']}"),
                "selection": f"webis:{row['warning']}",
                "webis": {"warning": row["warning"], "votes": row["labels"]},
                "text": row["text"],
            }
        )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shared", type=Path, help="the shared folder (texts/, data/)")
    parser.add_argument("--out", type=Path, default=Path("training/corpus/candidates"))
    parser.add_argument("--per-batch", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    novels = []
    for path in sorted((args.shared / "texts").glob("*.txt")):
        novels.extend(windows_of(path, args.seed))
        print(path.stem, len(novels))
    webis = webis_records(args.shared / "data" / "webis-passages" / "passages.jsonl")
    rng = random.Random(args.seed)
    rng.shuffle(novels)
    rng.shuffle(webis)
    # Interleave so that any prefix of the batches covers every work and both origins.
    ordered, w = [], iter(webis)
    for k, record in enumerate(novels):
        ordered.append(record)
        if k % 6 == 5 and (extra := next(w, None)) is not None:
            ordered.append(extra)
    ordered.extend(w)
    args.out.mkdir(parents=True, exist_ok=True)
    for b in range(0, len(ordered), args.per_batch):
        name = args.out / f"batch-{b // args.per_batch + 1:03d}.jsonl"
        with name.open("w", encoding="utf-8") as fh:
            for record in ordered[b : b + args.per_batch]:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    digest = hashlib.sha256("".join(r["id"] for r in ordered).encode()).hexdigest()[:12]
    print(f"{len(ordered)} candidates ({len(novels)} novel windows, {len(webis)} Webis) {digest}")


if __name__ == "__main__":
    main()
