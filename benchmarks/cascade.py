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
    """Windows/s of stage 1 (static embeddings + gate) over the whole text; windows/s of
    stage 2 (MiniLM + judge) over ``windows`` of them; the share of windows the gate passes."""
    from forewarn.detectors.model import feature_patterns, shipped_model
    from forewarn.detectors.windows import (
        pattern_features,
        pool_sentences,
        pool_words,
        sentence_texts,
        sentence_windows,
        window_texts,
    )
    from forewarn.models import OnnxEncoder, StaticEmbedder
    from forewarn.readers import read_path

    doc = read_path(path)
    model = shipped_model()
    all_windows = sentence_windows(doc)
    feats = pattern_features(doc, all_windows, feature_patterns()(doc), model.categories)
    static, encoder = StaticEmbedder.load(), OnnxEncoder.load()
    start = time.perf_counter()
    sentences = sentence_texts(doc)
    gate_words = pool_words(sentences, all_windows, model.word_index, model.gate_words)
    passed = model.passes_gate(
        pool_sentences(static.encode(sentences), all_windows), feats, gate_words
    )
    stage1 = len(all_windows) / (time.perf_counter() - start)
    step = max(1, len(all_windows) // windows)
    sample = list(range(0, len(all_windows), step))[:windows]
    texts = window_texts(doc, [all_windows[i] for i in sample])
    start = time.perf_counter()
    chosen = [all_windows[i] for i in sample]
    words = pool_words(sentences, chosen, model.word_index, model.words)
    model.judge(encoder.encode(texts), feats[sample], words)
    stage2 = len(sample) / (time.perf_counter() - start)
    return {
        "sentences": len(all_windows),
        "stage1": stage1,
        "stage2": stage2,
        "windows": len(sample),
        "gate_share": float(passed.mean()),
    }


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
        f"- Stage 1 (static embeddings + gate): **{rates['stage1']:,.0f} windows/s**; the gate "
        f"passes **{rates['gate_share']:.1%}** of the windows to the judge",
        f"- Stage 2 (MiniLM int8 windows + judge): **{rates['stage2']:,.0f} windows/s** "
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
