"""Agreement between the two independent annotation passes (``passes/a`` and ``passes/b``),
and the disagreements to adjudicate.

Per category: Cohen's kappa on presence (parents derived from children first, as in the final
records), the number of passages where either pass found it, and exact severity agreement
where both did. Writes ``agreement.json`` and ``agreement.md`` beside the corpus, and
``disagreements/<name>.jsonl`` (the passages whose label sets differ, with both labels) for the
adjudicator.

    PYTHONPATH=training/corpus/tools .venv/bin/python training/corpus/tools/agreement.py
"""

from __future__ import annotations

import json
from pathlib import Path

from build import CORPUS, clean, labels_of, read_jsonl

from forewarn.taxonomy import load_taxonomy


def kappa(a: list[bool], b: list[bool]) -> float | None:
    """Cohen's kappa of two binary codings (None when chance agreement is total)."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def texts() -> dict[str, str]:
    """Passage text by id, from the candidates, the written files and the second-pass files."""
    found = {}
    for folder in ("candidates", "written", "second"):
        for path in sorted((CORPUS / folder).glob("*.jsonl")):
            for row in read_jsonl(path):
                found[row["id"]] = row["text"]
    return found


def main() -> None:
    first, second = labels_of(CORPUS / "passes" / "a"), labels_of(CORPUS / "passes" / "b")
    for row in (r for p in sorted((CORPUS / "written").glob("*.jsonl")) for r in read_jsonl(p)):
        first.setdefault(row["id"], row["labels"])  # the writer's reading is pass A
    ids = sorted(set(first) & set(second))
    a = {i: clean(first[i], i) for i in ids}
    b = {i: clean(second[i], i) for i in ids}
    rows = {}
    for c in load_taxonomy().ids():
        xa, xb = [c in a[i] for i in ids], [c in b[i] for i in ids]
        both = [i for i in ids if c in a[i] and c in b[i]]
        same = sum(a[i][c] == b[i][c] for i in both)
        k = kappa(xa, xb) if ids else None
        rows[c] = {
            "kappa": None if k is None else round(k, 3),
            "either": sum(x or y for x, y in zip(xa, xb, strict=True)),
            "both": len(both),
            "severity_agreement": round(same / len(both), 3) if both else None,
        }
    exact = sum(a[i] == b[i] for i in ids)
    summary = {"passages": len(ids), "identical_label_sets": exact, "categories": rows}
    (CORPUS / "agreement.json").write_text(json.dumps(summary, indent=1) + "\n")
    lines = [
        f"{len(ids)} passages labelled twice; identical label sets: {exact} "
        f"({exact / max(1, len(ids)):.1%}).",
        "",
        "| category | passages either pass labelled | both | Cohen's kappa | same severity |",
        "|---|---:|---:|---:|---:|",
    ]
    for c, r in rows.items():
        k = "–" if r["kappa"] is None else f"{r['kappa']:.2f}"
        s = "–" if r["severity_agreement"] is None else f"{r['severity_agreement']:.2f}"
        lines.append(f"| {c} | {r['either']} | {r['both']} | {k} | {s} |")
    (CORPUS / "agreement.md").write_text("\n".join(lines) + "\n")
    text = texts()
    out = CORPUS / "disagreements"
    out.mkdir(exist_ok=True)
    with (out / "all.jsonl").open("w", encoding="utf-8") as fh:
        for i in ids:
            if a[i] != b[i]:
                row = {"id": i, "text": text.get(i, ""), "a": first[i], "b": second[i]}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print("\n".join(lines[:1]))


if __name__ == "__main__":
    main()
