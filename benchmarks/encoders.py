"""Throughput, load time and peak RSS of the two shipped sentence encoders (forewarn.models).

``python -m benchmarks.encoders`` reads a novel with forewarn's own reader and sentence
splitter, then, each encoder in a fresh subprocess (so load time and peak RSS are its own):
stage 1 (StaticEmbedder) embeds every sentence; stage 2 (OnnxEncoder) embeds windows of four
consecutive sentences. Throughput is the median of ``--runs`` timed passes after a warm-up.
``--write`` replaces this tool's section of docs/BENCHMARKS.md (between its markers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEXT = ROOT.parent / "shared" / "texts" / "moby_dick.txt"
OUTPUT = ROOT / "docs" / "BENCHMARKS.md"
START, END = "<!-- bench:encoders -->", "<!-- /bench:encoders -->"
WINDOW = 4  # sentences per stage-2 window


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_rate(count: int, run: Callable[[], object], runs: int) -> float:
    """Items per second: the median of ``runs`` timed calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return count / statistics.median(times)


def texts_of(path: Path) -> tuple[list[str], list[str]]:
    """The novel's sentences, and its non-overlapping windows of WINDOW sentences."""
    from forewarn.readers import read_path

    doc = read_path(path)
    sentences = [doc.text[s.start : s.end] for s in doc.sentences]
    windows = [
        " ".join(sentences[i : i + WINDOW]) for i in range(0, len(sentences) - WINDOW + 1, WINDOW)
    ]
    return sentences, windows


def child(stage: str, path: Path, windows_limit: int, runs: int, threads: int) -> dict[str, object]:
    """Measure one encoder inside this (fresh) process."""
    sentences, windows = texts_of(path)
    baseline = peak_rss_mb()
    result: dict[str, object] = {"stage": stage, "baseline_rss_mb": round(baseline)}
    if stage == "static":
        from forewarn.models import StaticEmbedder

        started = time.perf_counter()
        static = StaticEmbedder.load()
        result["load_s"] = time.perf_counter() - started
        static.encode(sentences[:1000])
        result["items"] = len(sentences)
        result["rate"] = median_rate(len(sentences), lambda: static.encode(sentences), runs)
    else:
        from forewarn.models import OnnxEncoder

        started = time.perf_counter()
        encoder = OnnxEncoder.load(threads=threads)
        result["load_s"] = time.perf_counter() - started
        sample = windows[:windows_limit]
        encoder.encode(sample[:16])
        lengths = encoder.token_lengths(sample)
        result["items"] = len(sample)
        result["mean_tokens"] = statistics.mean(lengths)
        result["rate"] = median_rate(len(sample), lambda: encoder.encode(sample), runs)
        result["rate_batch32"] = median_rate(
            len(sample), lambda: encoder.encode(sample, batch_size=32), runs
        )
    result["peak_rss_mb"] = round(peak_rss_mb())
    return result


def measure(stage: str, args: argparse.Namespace) -> dict[str, object]:
    """Run ``child`` for one stage in a fresh interpreter and return its numbers."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.encoders",
        "--child",
        stage,
        "--text",
        str(args.text),
    ]
    command += ["--windows", str(args.windows), "--runs", str(args.runs)]
    command += ["--threads", str(args.threads)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    data: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def section(static: dict[str, object], encoder: dict[str, object], args: argparse.Namespace) -> str:
    """The Markdown section for docs/BENCHMARKS.md."""
    cpus = os.cpu_count()
    return "\n".join(
        [
            START,
            "## Sentence encoders (forewarn.models)",
            "",
            f"`python -m benchmarks.encoders --text {args.text.name} --threads {args.threads} "
            f"--write` on {platform.machine()}, {cpus} cores, Python {platform.python_version()}; "
            f"median of {args.runs} runs after a warm-up; each encoder in a fresh process.",
            "",
            "| stage | what | throughput | load | peak RSS (process) |",
            "|---|---|---:|---:|---:|",
            f"| 1 StaticEmbedder | {static['items']} sentences | "
            f"{static['rate']:,.0f} sentences/s | {static['load_s']:.2f} s | "
            f"{static['peak_rss_mb']} MB |",
            f"| 2 OnnxEncoder, batch_size=1 (default) | {encoder['items']} windows of {WINDOW} "
            f"sentences, {encoder['mean_tokens']:.0f} tokens avg | "
            f"{encoder['rate']:,.0f} windows/s | {encoder['load_s']:.2f} s | "
            f"{encoder['peak_rss_mb']} MB |",
            f"| 2 OnnxEncoder, batch_size=32 | same windows | "
            f"{encoder['rate_batch32']:,.0f} windows/s | | |",
            "",
            "Peak RSS includes the interpreter, forewarn and the novel read with forewarn's "
            f"reader ({static['baseline_rss_mb']} MB before any model is loaded).",
            END,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    parser.add_argument("--windows", type=int, default=400, help="stage-2 windows to time")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads")
    parser.add_argument("--write", action="store_true", help="update docs/BENCHMARKS.md")
    parser.add_argument("--child", choices=["static", "encoder"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.text, args.windows, args.runs, args.threads)))
        return 0
    static, encoder = measure("static", args), measure("encoder", args)
    text = section(static, encoder, args)
    print(text)
    if args.write:
        from benchmarks.bench import write_section

        write_section(OUTPUT, text, START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
