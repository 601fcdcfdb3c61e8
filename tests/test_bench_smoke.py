"""The benchmark tool runs end to end on a tiny input and writes only its own section."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_hostile_bench_measures_every_shape_at_64_kb(tmp_path: Path) -> None:
    from benchmarks.hostile import END as H_END
    from benchmarks.hostile import START as H_START
    from benchmarks.hostile import main as hostile_main

    from tests.hostile_shapes import SHAPES

    output = tmp_path / "BENCHMARKS.md"
    output.write_text(f"# Benchmarks\n\n{H_START}\nstale\n{H_END}\n")
    assert hostile_main(["--sizes", "0.0625", "--max-seconds", "60", "--output", str(output)]) == 0
    text = output.read_text()
    assert text.count(H_START) == text.count(H_END) == 1 and "stale" not in text
    section = text.split(H_START)[1].split(H_END)[0]
    assert re.search(r"one-line story \(median of 3\): \*\*\d+ MB\*\* peak RSS", section)
    for shape in SHAPES:
        row = next(line for line in section.splitlines() if line.startswith(f"| {shape} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == "64 KB" and cells[3].isdigit() and cells[4], row
        assert re.fullmatch(r"\d+ MB", cells[6]) and int(cells[6].split()[0]) > 0, row
        assert cells[9] == "yes" or cells[9].startswith("**no** (budget"), row
        assert re.fullmatch(r"-?\d+ MB", cells[10]), row  # the readers alone
    assert "Over budget: " in section and "- Python: " in section


@pytest.mark.slow
def test_a_partial_hostile_run_leaves_the_published_table_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchmarks.hostile as hostile

    published = tmp_path / "BENCHMARKS.md"
    text = f"# Benchmarks\n\n{hostile.START}\nthe full table and its notes\n{hostile.END}\n"
    published.write_text(text)
    monkeypatch.setattr(hostile, "OUTPUT", published)
    shape = "text line without spaces"
    assert hostile.main(["--sizes", "0.0625", "--shapes", shape, "--max-seconds", "60"]) == 0
    assert published.read_text() == text
