"""Sanity check for the pattern lexicons on long public-domain novels (a review aid, not a test).

Runs ``forewarn scan --format json`` on each file (default: the three novels in
../shared/texts) and prints, per reported warning, its score and severity, how many passages
each pattern contributed, and the strongest evidence quotes. A reviewer reads this to judge
whether a reader would agree with each warning and to spot patterns that misfire.

    .venv/bin/python scripts/lexicon_sanity.py [--top 3] [--all] [files...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOVELS = [ROOT.parent / "shared" / "texts" / f"{n}.txt" for n in ("moby_dick", "frankenstein", "dracula")]


def scan(path: Path) -> dict:
    """The JSON report of ``forewarn scan`` on ``path`` (the real CLI, as a user runs it)."""
    exe = shutil.which("forewarn", path=str(Path(sys.executable).parent)) or "forewarn"
    out = subprocess.run([exe, "scan", "--format", "json", str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{path}: forewarn scan failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


def pattern_counts(evidence: list[dict]) -> Counter[str]:
    """How many evidence passages each pattern id contributed."""
    return Counter(c[8:] for e in evidence for c in e["cues"] if c.startswith("pattern:"))


def show(path: Path, top: int, show_all: bool) -> None:
    doc = scan(path)["documents"][0]
    warnings = doc["warnings"] if show_all else [w for w in doc["warnings"] if w["present"]]
    print(f"\n=== {path.name}: {doc['word_count']} words, {len(warnings)} warnings")
    for w in warnings:
        counts = ", ".join(f"{p}×{n}" for p, n in pattern_counts(w["evidence"]).most_common())
        print(
            f"\n  {w['id']}  score={w['score']:.2f} {w['severity']} "
            f"passages={w['evidence_total']}  [{counts}]"
        )
        for e in w["evidence"][:top]:
            start, end = e["highlight"]
            quote = " ".join(e["quote"].split())
            hit = doc_text_slice(e, start, end)
            print(f"    - ch{e['chapter']} {e['score']:.2f} {e['severity']} «{hit}»: {quote[:220]}")


def doc_text_slice(e: dict, start: int, end: int) -> str:
    """The matched words, cut from the evidence quote by the highlight offsets."""
    return " ".join(e["quote"][start - e["start"] : end - e["start"]].split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=NOVELS)
    parser.add_argument("--top", type=int, default=3, help="evidence quotes per warning")
    parser.add_argument("--all", action="store_true", help="also categories below threshold")
    args = parser.parse_args()
    for path in args.files:
        show(path, args.top, args.all)


if __name__ == "__main__":
    main()
