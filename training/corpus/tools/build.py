"""Assemble the final corpus files (``training/corpus/{train,dev,test}.jsonl``) from the raw
annotation passes, the written passages and the adjudications.

- A candidate's label is pass A's, replaced by the adjudicated label where pass B disagreed
  (``adjudicated/*.jsonl``); candidates no pass has labelled yet are left out.
- Guideline revisions (``revisions/*.jsonl``) then change single labels, one
  ``{"id", "category", "from", "to", "rule"}`` per line (``null`` = absent); a line whose ``from``
  no longer matches stops the build.
- A Webis passage keeps the Webis majority vote as gold for the warning it was annotated for.
- Parent categories are derived from their children (highest severity), as the guideline says.
- A record sharing any 7-word sequence with the founding story is dropped (none should be).

    .venv/bin/python training/corpus/tools/build.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from splits import split_of_key

from forewarn.taxonomy import SEVERITIES, load_taxonomy, severity_rank

CORPUS = Path(__file__).resolve().parent.parent
ROOT = CORPUS.parent.parent
FOUNDING = ROOT / "examples" / "founding-story.txt"
WEBIS_CATEGORY = {"abduction": "kidnapping"}
SPLITS = ("train", "dev", "test")


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: not JSON ({exc})") from None
    return rows


def labels_of(folder: Path) -> dict[str, dict[str, str]]:
    """Every ``{"id", "labels"}`` line under ``folder`` (later files win)."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for row in read_jsonl(path):
            found[row["id"]] = row["labels"]
    return found


def read_revisions(folder: Path) -> dict[str, list[dict]]:
    """Every revision line under ``folder``, by passage id, in file order."""
    found: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for row in read_jsonl(path):
            found.setdefault(row["id"], []).append(row)
    return found


def revise(labels: dict[str, str], changes: list[dict]) -> dict[str, str]:
    """Apply a passage's revision lines to its adjudicated labels (before parents are derived)."""
    labels = dict(labels)
    for change in changes:
        category, rid = change["category"], change["id"]
        if labels.get(category) != change["from"]:
            raise SystemExit(
                f"revision {rid} {category}: expected {change['from']!r}, "
                f"found {labels.get(category)!r}"
            )
        if change["to"] is None:
            del labels[category]
        else:
            labels[category] = change["to"]
    return labels


def clean(labels: dict[str, str], where: str) -> dict[str, str]:
    """Check ids and severities, then add each parent at its children's highest severity."""
    taxonomy = load_taxonomy()
    out: dict[str, str] = {}
    for category, severity in labels.items():
        if category not in taxonomy or severity not in SEVERITIES:
            raise SystemExit(f"{where}: bad label {category!r}: {severity!r}")
        for cid in [category, *taxonomy.ancestors(category)]:
            if cid not in out or severity_rank(severity) > severity_rank(out[cid]):
                out[cid] = severity
    return dict(sorted(out.items()))


def grams(text: str, n: int = 7) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def webis_gold(record: dict, labels: dict[str, str]) -> dict[str, str]:
    """Pass labels with the Webis majority vote imposed on the annotated warning: present
    (at the annotator's severity, else ``mentioned``), or absent with all its descendants (a
    passage the Webis majority found not violent is not ``war`` either)."""
    warning = record["webis"]["warning"]
    category = WEBIS_CATEGORY.get(warning, warning)
    labels = dict(labels)
    if sum(record["webis"]["votes"]) >= 2:
        labels.setdefault(category, "mentioned")
    else:
        taxonomy = load_taxonomy()
        for cid in list(labels):
            if cid == category or category in taxonomy.ancestors(cid):
                del labels[cid]
    return labels


def annotation_of(rid: str, adjudicated: dict, second: dict) -> str:
    """How a passage was labelled: once, twice (the passes agreed), or twice and adjudicated."""
    if rid in adjudicated:
        return "double, adjudicated"
    return "double" if rid in second else "single"


def candidate_records() -> list[dict]:
    """Candidates with final labels: pass A, adjudication where pass B disagreed."""
    first = labels_of(CORPUS / "passes" / "a")
    adjudicated = labels_of(CORPUS / "adjudicated")
    second = labels_of(CORPUS / "passes" / "b")
    revisions = read_revisions(CORPUS / "revisions")
    out = []
    for path in sorted((CORPUS / "candidates").glob("*.jsonl")):
        for record in read_jsonl(path):
            rid = record["id"]
            if rid not in first:
                continue
            labels = revise(adjudicated.get(rid, first[rid]), revisions.get(rid, []))
            if "webis" in record:
                labels = webis_gold(record, labels)
            out.append(
                {
                    "id": rid,
                    "source": record["source"],
                    "origin": record["origin"],
                    "work": record["work"],
                    "split": record["split"],
                    "selection": record["selection"],
                    "annotation": annotation_of(rid, adjudicated, second),
                    "text": record["text"],
                    "labels": clean(labels, rid),
                }
            )
    return out


def written_records() -> list[dict]:
    """Written passages; their split follows their batch (near-duplicates stay together)."""
    adjudicated = labels_of(CORPUS / "adjudicated")
    second = labels_of(CORPUS / "passes" / "b")
    revisions = read_revisions(CORPUS / "revisions")
    out = []
    for path in sorted((CORPUS / "written").glob("*.jsonl")):
        for row in read_jsonl(path):
            rid = row["id"]
            labels = revise(adjudicated.get(rid, row["labels"]), revisions.get(rid, []))
            out.append(
                {
                    "id": rid,
                    "source": f"written/{path.name}",
                    "origin": "written",
                    "work": row["batch"],
                    "split": split_of_key(row["batch"]),
                    "selection": f"written:{row['kind']}:{row['target']}",
                    "annotation": annotation_of(rid, adjudicated, second),
                    "text": " ".join(row["text"].split()),
                    "labels": clean(labels, rid),
                }
            )
    return out


def main() -> int:
    records = candidate_records() + written_records()
    story = grams(FOUNDING.read_text(encoding="utf-8"))
    kept, dropped, seen = [], 0, set()
    for r in records:
        if r["id"] in seen:
            raise SystemExit(f"duplicate id {r['id']}")
        seen.add(r["id"])
        if grams(r["text"]) & story:
            dropped += 1
            continue
        kept.append(r)
    unknown = sorted(set(read_revisions(CORPUS / "revisions")) - seen)
    if unknown:
        raise SystemExit(f"revisions for passages not in the corpus: {unknown[:5]}")
    for split in SPLITS:
        rows = sorted((r for r in kept if r["split"] == split), key=lambda r: r["id"])
        with (CORPUS / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    origins = Counter((r["origin"], r["split"]) for r in kept)
    print(f"{len(kept)} records ({dropped} dropped for sharing text with the founding story)")
    print(dict(sorted(origins.items())))
    positives = Counter(c for r in kept for c in r["labels"])
    print(" ".join(f"{c}={positives[c]}" for c in load_taxonomy().ids()))
    write_counts(kept)
    return 0


def write_counts(records: list[dict]) -> None:
    """``counts.md``: passages per origin and split, positives per category and origin."""
    origins = ("public-domain", "webis", "written")
    lines = [
        "# Corpus counts (written by tools/build.py)",
        "",
        "| origin | " + " | ".join(SPLITS) + " | all |",
        "|---|" + "---:|" * (len(SPLITS) + 1),
    ]
    for o in origins:
        row = [sum(r["origin"] == o and r["split"] == s for r in records) for s in SPLITS]
        lines.append(f"| {o} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    total = [sum(r["split"] == s for r in records) for s in SPLITS]
    lines.append("| **all** | " + " | ".join(map(str, total)) + f" | {sum(total)} |")
    lines += [
        "",
        "Passages where each category is present (parents include their children), by origin "
        "and in the test split:",
        "",
        "| category | public-domain | webis | written | all | test |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for c in load_taxonomy().ids():
        per = [sum(c in r["labels"] and r["origin"] == o for r in records) for o in origins]
        test = sum(c in r["labels"] and r["split"] == "test" for r in records)
        lines.append(f"| {c} | " + " | ".join(map(str, per)) + f" | {sum(per)} | {test} |")
    empty = sum(not r["labels"] for r in records)
    lines += ["", f"Passages with no label at all: {empty}."]
    (CORPUS / "counts.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
