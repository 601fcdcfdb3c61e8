"""``forewarn plot``: the timeline as SVG (same builder as the HTML report) and PNG."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from forewarn.plot import TITLE_CHARS, PlotError, plot, timeline_figure
from forewarn.render.svg import timeline_svg
from forewarn.taxonomy import SEVERITIES
from forewarn.timeline import Band, Mark, Row, Timeline, build_timeline
from tests.conftest import EXAMPLE, ROOT
from tests.helpers import run_cli
from tests.sample_report import sample_document_report

GOLDEN = ROOT / "tests" / "golden"
SVG = "{http://www.w3.org/2000/svg}"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_timeline_positions_passages_by_chapter():
    timeline = build_timeline(sample_document_report())
    assert [(b.number, round(b.x0, 3)) for b in timeline.bands] == [(1, 0), (2, 0.333), (3, 0.667)]
    attempt = next(r for r in timeline.rows if r.id == "suicide-attempt")
    assert all(2 / 3 <= m.x < 1 for m in attempt.marks)  # both passages are in chapter 3
    assert sorted(m.paragraph for m in attempt.marks) == [2, 4]


def test_golden_svg():
    svg = timeline_svg(build_timeline(sample_document_report()), standalone=True) + "\n"
    assert svg == (GOLDEN / "timeline.svg").read_text()


def test_svg_file_is_valid_standalone_svg(tmp_path):
    path = tmp_path / "t.svg"
    assert plot(sample_document_report(), path) == "svg"
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    labels = [t.text for t in root.iter(f"{SVG}text") if "fw-row-label" in t.get("class", "")]
    assert labels[:2] == ["Strong language", "Suicide attempt"]


def test_png(tmp_path):
    path = tmp_path / "t.png"
    assert plot(sample_document_report(), path) == "png"
    width, height = png_size(path.read_bytes())
    assert width == 1500 and 300 < height < 1000


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(PlotError, match=r"\.gif"):
        plot(sample_document_report(), tmp_path / "t.gif")


@pytest.mark.slow
def test_plot_cli(tmp_path):
    out = tmp_path / "timeline.png"
    result = run_cli("plot", str(EXAMPLE), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert png_size(out.read_bytes())[0] == 1500
    bad = run_cli("plot", str(EXAMPLE), "-o", str(tmp_path / "t.jpg"))
    assert bad.returncode == 2 and "use a .svg or .png" in bad.stderr


def long_timeline(title: str) -> Timeline:
    """A long novel's timeline: 60 chapters, 28 rows with long names."""
    bands = [Band(c + 1, None, c / 60, (c + 1) / 60) for c in range(60)]
    rows = [
        Row(
            f"c{r}",
            f"Addiction and substance abuse {r}",
            SEVERITIES[r % 4],
            [Mark((c + 0.5) / 60, c + 1, 1, SEVERITIES[r % 4]) for c in range(0, 60, 1 + r % 5)],
        )
        for r in range(28)
    ]
    return Timeline(title, bands, rows)


@pytest.mark.parametrize(
    "title", ["Dracula", "The Unabridged Chronicle of Everything That Happened at the Castle " * 3]
)
@pytest.mark.slow
def test_png_title_legend_and_axis_do_not_overlap(title: str) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    for timeline in (long_timeline(title), build_timeline(sample_document_report())):
        fig = timeline_figure(timeline)
        try:
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
            ax = fig.axes[0]
            legend = fig.legends[0].get_window_extent(renderer)
            heading = fig.get_suptitle()
            title_box = fig._suptitle.get_window_extent(renderer)  # type: ignore[union-attr]
            labels = [ax.xaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
            boxes = [t.get_window_extent(renderer) for t in labels if t.get_text()]
            assert not legend.overlaps(title_box)
            assert not any(legend.overlaps(b) or title_box.overlaps(b) for b in boxes)
            assert not title_box.overlaps(ax.get_window_extent(renderer))
            figure = fig.bbox
            for box in (legend, title_box, *boxes):  # nothing cut off at the edges
                assert figure.x0 <= box.x0 and box.x1 <= figure.x1
                assert figure.y0 <= box.y0 and box.y1 <= figure.y1
            assert len(heading) <= TITLE_CHARS and heading.startswith(timeline.title[:40])
        finally:
            plt.close(fig)


def test_svg_hover_titles_name_chapters_as_the_book_prints_them():
    from tests.sample_report import storm_report

    svg = timeline_svg(build_timeline(storm_report()), standalone=True)
    titles = [t.text for t in ET.fromstring(svg).iter(f"{SVG}title")]
    assert "CHAPTER II — THE STORM" in titles
    assert "CHAPTER II — THE STORM, paragraph 2 · depicted" in titles
    assert not any("chapter 2" in t for t in titles)


@pytest.mark.parametrize("chapters", [3, 24, 60])
def test_svg_axis_label_keeps_clear_of_chapter_ones_number(chapters: int) -> None:
    """The 'ch.' axis label has its own room: it ends before chapter 1's number begins
    (glyphs taken as 0.6 em wide, generous for digits and 'ch.' in a sans-serif font)."""
    bands = [Band(n, None, (n - 1) / chapters, n / chapters) for n in range(1, chapters + 1)]
    svg = timeline_svg(Timeline("A long book", bands, []), standalone=True)
    axis = [t for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "fw-axis"]
    label = next(t for t in axis if t.text == "ch.")
    one = next(t for t in axis if t.text == "1")
    em = 0.6 * float(label.get("font-size", "11"))
    label_end = float(label.get("x", "0")) + em * len("ch.")
    assert one.get("text-anchor") == "middle"
    assert label_end + 2 <= float(one.get("x", "0")) - em * len("1") / 2
