"""The benchmark tool runs end to end on a tiny input and writes only its own section."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench import END, STAGES, START, main


def test_bench_writes_its_section_and_keeps_the_rest(tmp_path: Path) -> None:
    story = tmp_path / "tiny.txt"
    story.write_text("Chapter 1\n\nHe tried to kill himself when he was sixteen.\n")
    output = tmp_path / "BENCHMARKS.md"
    other = "# Benchmarks\n\n<!-- bench:other -->\nsomeone else's numbers\n<!-- /bench:other -->\n"
    output.write_text(other + f"\n{START}\nstale\n{END}\n")
    assert main(["--runs", "2", "--no-rss", "--output", str(output), str(story)]) == 0
    text = output.read_text()
    assert text.startswith(other) and "stale" not in text
    assert text.count(START) == text.count(END) == 1
    section = text[text.index(START) : text.index(END)]
    header = next(line for line in section.splitlines() if line.startswith("| text |"))
    assert all(f" {stage} " in header for stage in STAGES)
    row = next(line for line in section.splitlines() if line.startswith("| tiny.txt |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 3 + len(STAGES) + 1  # name, size, words, stages, throughput
    assert all(float(c) >= 0 for c in cells[3:]), row  # numbers, not their size
    assert "median of 2 run(s)" in section and "- Python: " in section and "- CPU: " in section


def test_cascade_bench_times_every_mode_on_a_tiny_text(tmp_path: Path) -> None:
    from benchmarks.cascade import END as C_END
    from benchmarks.cascade import START as C_START
    from benchmarks.cascade import main as cascade_main

    story = tmp_path / "tiny.txt"
    story.write_text("He was stabbed in the alley.\n\nShe ate breakfast. It rained.\n")
    output = tmp_path / "BENCHMARKS.md"
    args = ["--text", str(story), "--runs", "1", "--windows", "3", "--output", str(output)]
    assert cascade_main(args) == 0
    section = output.read_text().split(C_START)[1].split(C_END)[0]
    for mode in ("fast", "default", "thorough"):
        row = next(line for line in section.splitlines() if line.startswith(f"| {mode} |"))
        assert all(float(c) >= 0 for c in row.strip("|").split("|")[1:]), row
    assert "windows/s" in section and "the gate passes" in section
