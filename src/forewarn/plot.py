"""``forewarn plot``: the story's timeline as a picture — SVG (the HTML report's own timeline)
or PNG (drawn with matplotlib, an optional dependency: ``pip install 'forewarn[plot]'``)."""

from __future__ import annotations

from pathlib import Path

from forewarn.render.svg import BAND_FILLS, MARK_HEIGHT, SEVERITY_COLORS, timeline_svg
from forewarn.report import DocumentReport
from forewarn.taxonomy import SEVERITIES, severity_rank
from forewarn.timeline import Timeline, build_timeline

FORMATS = ("svg", "png")
#: Longer titles are cut (with "…") so the PNG's title stays on one line.
TITLE_CHARS = 80


class PlotError(ValueError):
    """The plot cannot be made as asked (unknown extension, matplotlib missing)."""


def plot_format(path: Path) -> str:
    """ "svg" or "png" from ``path``'s extension; PlotError otherwise."""
    ext = path.suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise PlotError(f"{path}: cannot plot to .{ext or '(none)'}; use a .svg or .png file name")
    return ext


def _pyplot():  # type: ignore[no-untyped-def]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotError(
            "PNG plots need matplotlib: pip install 'forewarn[plot]' (or plot to .svg)"
        ) from None
    return plt


def timeline_figure(timeline: Timeline, dpi: int = 150):  # type: ignore[no-untyped-def]
    """The matplotlib Figure of ``timeline`` (the caller closes it): the title on its own line
    at the top, the rows, the chapter axis, and the severity legend on its own line at the
    bottom, laid out by matplotlib so that none covers another however long the title."""
    plt = _pyplot()
    from matplotlib.patches import Patch

    rows = timeline.rows
    n = max(1, len(rows))
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.42 * n), dpi=dpi, layout="constrained")
    for i, band in enumerate(timeline.bands):
        ax.axvspan(band.x0, band.x1, color=BAND_FILLS[i % 2], zorder=0, lw=0)
    for r, row in enumerate(rows):
        y = n - 1 - r
        marks = sorted(row.marks, key=lambda m: severity_rank(m.severity))
        for m in marks:
            h = 0.8 * MARK_HEIGHT[m.severity]
            ax.plot(
                [m.x, m.x],
                [y - 0.4, y - 0.4 + h],
                color=SEVERITY_COLORS[m.severity],
                lw=2.2,
                solid_capstyle="butt",
                zorder=2,
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{row.name} ({row.severity})" for row in reversed(rows)] or [""])
    if len(timeline.bands) == 1:
        ax.set_xticks([0, 1])
        ax.set_xticklabels(["start", "end"])
    else:
        step = -(-len(timeline.bands) // 24)
        shown = timeline.bands[::step]
        ax.set_xticks([(b.x0 + b.x1) / 2 for b in shown])
        ax.set_xticklabels([str(b.number) for b in shown])
        ax.set_xlabel("chapter")
    if not rows:
        ax.text(0.5, 0, "No content warnings found.", ha="center", va="center")
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    title = timeline.title if len(timeline.title) <= TITLE_CHARS else timeline.title[:79] + "…"
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    handles = [Patch(color=SEVERITY_COLORS[s], label=s) for s in SEVERITIES]
    fig.legend(
        handles=handles,
        loc="outside lower left",
        ncol=4,
        frameon=False,
        fontsize=8,
        handlelength=1,
    )
    return fig


def timeline_png(timeline: Timeline, path: Path, dpi: int = 150) -> None:
    """Draw ``timeline`` with matplotlib into a PNG at ``path``."""
    fig = timeline_figure(timeline, dpi)
    try:
        fig.savefig(path, format="png")
    finally:
        _pyplot().close(fig)


def plot(report: DocumentReport, path: Path) -> str:
    """Write the timeline of ``report`` to ``path`` (.svg or .png); returns the format."""
    fmt = plot_format(path)
    timeline = build_timeline(report)
    if fmt == "svg":
        path.write_text(timeline_svg(timeline, standalone=True) + "\n", encoding="utf-8")
    else:
        timeline_png(timeline, path)
    return fmt
