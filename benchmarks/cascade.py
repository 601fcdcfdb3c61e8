"""The detection cascade's speed, in one run on the same text: each stage and each scan mode.

``python -m benchmarks.cascade [--text moby_dick.txt] [--runs 3]`` measures stage 1 (static
embeddings + heads) in sentences/s, stage 2 (MiniLM windows + heads) in windows/s, and the
whole ``forewarn scan`` in ``--fast``, default and ``--thorough`` modes as fresh processes
(wall time including model load, peak RSS), then writes its section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench import NOVELS, OUTPUT, machine, measure_process, write_section

START, END = "<!-- bench:cascade -->", "<!-- /bench:cascade -->"
MODES = {"fast": ["--fast"], "default": [], "thorough": ["--thorough"]}


def stage_rates(path: Path, windows: int) -> dict[str, float]:
    """Sentences/s of stage 1 over the whole text; windows/s of stage 2 over ``windows``."""
    from forewarn.detectors.model import ModelDetector, shipped_heads
    from forewarn.models import OnnxEncoder, StaticEmbedder
    from forewarn.readers import read_path

    doc = read_path(path)
    sentences = doc.sentences
    texts = [doc.text[s.start : s.end] for s in sentences]
    static, encoder = StaticEmbedder.load(), OnnxEncoder.load()
    screen, judge = shipped_heads("static"), shipped_heads("minilm")
    start = time.perf_counter()
    screen.predict_proba(static.encode(texts))
    stage1 = len(texts) / (time.perf_counter() - start)
    detector = ModelDetector("default")
    step = max(1, len(sentences) // windows)
    sample = [detector._window(doc, sentences, i) for i in range(0, len(sentences), step)]
    sample = sample[:windows]
    start = time.perf_counter()
    judge.predict_proba(encoder.encode(sample))
    stage2 = len(sample) / (time.perf_counter() - start)
    return {"sentences": len(texts), "stage1": stage1, "stage2": stage2, "windows": len(sample)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=NOVELS / "moby_dick.txt")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--windows", type=int, default=500, help="stage-2 sample size")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    info = machine()
    rates = stage_rates(args.text, args.windows)
    rows, verdicts = [], {}
    for mode, flags in MODES.items():
        wall, rss = [], []
        for _ in range(args.runs):
            mb, seconds, result = measure_process(
                ["scan", "--format", "json", *flags, str(args.text)]
            )
            if result.returncode != 0:
                raise SystemExit(f"forewarn scan {mode} failed: {result.stderr.strip()[-300:]}")
            wall.append(seconds)
            rss.append(mb)
            verdicts[mode] = sorted(_present(result.stdout))
        rows.append((mode, statistics.median(wall), min(wall), max(wall), max(rss)))
        print(f"{mode}: median {statistics.median(wall):.2f} s, peak RSS {max(rss):.0f} MB")
    default = next(r for r in rows if r[0] == "default")[1]
    thorough = next(r for r in rows if r[0] == "thorough")[1]
    lines = [
        START,
        "## Detection cascade",
        "",
        f"`python -m benchmarks.cascade --runs {args.runs}` on `{args.text.name}` "
        f"({rates['sentences']:,} sentences), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        + "; ".join(f"{k}: {v}" for k, v in info.items())
        + ".",
        "",
        f"- Stage 1 (static embeddings + heads): **{rates['stage1']:,.0f} sentences/s**",
        f"- Stage 2 (MiniLM int8 windows + heads): **{rates['stage2']:,.0f} windows/s** "
        f"({rates['windows']} windows)",
        "",
        "| `forewarn scan` mode | median wall s | min | max | peak RSS MB |",
        "|---|---|---|---|---|",
        *(f"| {m} | {med:.2f} | {lo:.2f} | {hi:.2f} | {mb:.0f} |" for m, med, lo, hi, mb in rows),
        "",
        f"Default is {thorough / default:.1f}x faster than `--thorough` "
        "(wall time of a fresh process, model load included).",
        "Warnings reported: "
        + "; ".join(f"{m}: {', '.join(v) or 'none'}" for m, v in verdicts.items())
        + ".",
        END,
        "",
    ]
    write_section(args.output, "\n".join(lines), START, END)
    return 0


def _present(report_json: str) -> list[str]:
    import json

    report = json.loads(report_json)
    return [w["id"] for d in report["documents"] for w in d["warnings"] if w["present"]]


if __name__ == "__main__":
    raise SystemExit(main())
