"""The timeline as SVG: shared by the HTML report (inline, marks link to passages) and
``forewarn plot -o timeline.svg`` (a standalone file). All story text is escaped.
"""

from __future__ import annotations

import math
from html import escape

from forewarn.taxonomy import SEVERITIES, severity_rank
from forewarn.timeline import Mark, Timeline

#: Severity colours (colour-blind-safe ramp) and mark heights (so severity is not colour alone).
SEVERITY_COLORS = {
    "implied": "#1f6fa8",
    "mentioned": "#8a6100",
    "depicted": "#c2410c",
    "graphic": "#b3001b",
}
MARK_HEIGHT = {"implied": 0.4, "mentioned": 0.6, "depicted": 0.8, "graphic": 1.0}
BAND_FILLS = ("#f1f3f5", "#e3e7eb")

WIDTH = 720
PAD = 12
AXIS_H = 22
LABEL_H = 18
STRIP_H = 20
ROW_GAP = 10
ROW_H = LABEL_H + STRIP_H + ROW_GAP
LEGEND_H = 26
TITLE_H = 28
MARK_W = 4
MAX_AXIS_LABELS = 24
#: Room left of the chapter bands for the axis label "ch." (so it never meets chapter 1's number).
AXIS_LABEL_W = 22


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _mark(m: Mark, x: float, y: float) -> str:
    h = STRIP_H * MARK_HEIGHT[m.severity]
    chapter = m.chapter_name or f"chapter {m.chapter}"
    where = chapter + (f", paragraph {m.paragraph}" if m.paragraph else "")
    tip = f"{where} · {m.severity}"
    rect = (
        f'<rect class="fw-mark fw-{m.severity}" x="{_num(x - MARK_W / 2)}" '
        f'y="{_num(y + STRIP_H - h)}" width="{MARK_W}" height="{_num(h)}" '
        f'fill="{SEVERITY_COLORS[m.severity]}"><title>{escape(tip)}</title></rect>'
    )
    if m.anchor:
        return f'<a href="#{escape(m.anchor)}" aria-label="{escape(tip)}">{rect}</a>'
    return rect


def timeline_svg(timeline: Timeline, standalone: bool = False) -> str:
    """An SVG picture of ``timeline``; ``standalone`` adds a title, a white background and xmlns."""
    numbered = len(timeline.bands) > 1
    x0, x1 = PAD + (AXIS_LABEL_W if numbered else 0), WIDTH - PAD
    span = x1 - x0
    top = TITLE_H if standalone else 0
    rows_top = top + AXIS_H
    height = rows_top + max(1, len(timeline.rows)) * ROW_H + LEGEND_H
    # Marks that link to their passages are controls; a picture (role img) may not hold any.
    linked = any(m.anchor for row in timeline.rows for m in row.marks)
    role = "group" if linked else "img"
    out = [
        f'<svg class="fw-timeline-svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="{role}" aria-label="Timeline of content warnings"'
        + (' xmlns="http://www.w3.org/2000/svg"' if standalone else "")
        + ' font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
    ]
    if standalone:
        out.append(f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>')
        out.append(
            f'<text x="{PAD}" y="19" font-size="15" font-weight="600" fill="#212529">'
            f"{escape(timeline.title)}</text>"
        )
    band_bottom = rows_top + max(1, len(timeline.rows)) * ROW_H - ROW_GAP / 2
    step = math.ceil(len(timeline.bands) / MAX_AXIS_LABELS)
    for i, band in enumerate(timeline.bands):
        bx = x0 + band.x0 * span
        bw = (band.x1 - band.x0) * span
        out.append(
            f'<rect class="fw-band" x="{_num(bx)}" y="{top + AXIS_H - 4}" width="{_num(bw)}" '
            f'height="{_num(band_bottom - top - AXIS_H + 4)}" fill="{BAND_FILLS[i % 2]}">'
            f"<title>{escape(band.name or f'chapter {band.number}')}</title></rect>"
        )
        if numbered and i % step == 0:
            out.append(
                f'<text class="fw-axis" x="{_num(bx + bw / 2)}" y="{top + AXIS_H - 8}" '
                f'font-size="11" text-anchor="middle" fill="#495057">{band.number}</text>'
            )
    if not numbered:
        out.append(
            f'<text class="fw-axis" x="{x0}" y="{top + AXIS_H - 8}" font-size="11" '
            f'fill="#495057">start</text><text class="fw-axis" x="{x1}" y="{top + AXIS_H - 8}" '
            f'font-size="11" text-anchor="end" fill="#495057">end</text>'
        )
    else:
        out.append(
            f'<text class="fw-axis" x="{PAD}" y="{top + AXIS_H - 8}" font-size="11" '
            f'fill="#495057">ch.</text>'
        )
    if not timeline.rows:
        out.append(
            f'<text x="{x0 + 6}" y="{rows_top + LABEL_H + 6}" font-size="13" fill="#237032">'
            "No content warnings found.</text>"
        )
    for r, row in enumerate(timeline.rows):
        y = rows_top + r * ROW_H
        out.append(
            f'<text class="fw-row-label" x="{x0 + 4}" y="{y + LABEL_H - 5}" font-size="13" '
            f'fill="#212529">{escape(row.name)}<tspan fill="{SEVERITY_COLORS[row.severity]}" '
            f'font-weight="600"> · {row.severity}</tspan></text>'
        )
        sy = y + LABEL_H
        out.append(
            f'<line x1="{x0}" y1="{sy + STRIP_H}" x2="{x1}" y2="{sy + STRIP_H}" '
            'stroke="#adb5bd" stroke-width="1"/>'
        )
        marks = sorted(row.marks, key=lambda m: severity_rank(m.severity))
        out.extend(_mark(m, x0 + m.x * span, sy) for m in marks)
    ly = height - LEGEND_H + 16
    lx = float(x0)
    for sev in SEVERITIES:
        h = 12 * MARK_HEIGHT[sev]
        out.append(
            f'<rect x="{_num(lx)}" y="{_num(ly - h + 2)}" width="{MARK_W + 2}" height="{_num(h)}" '
            f'fill="{SEVERITY_COLORS[sev]}"/><text class="fw-legend" x="{_num(lx + 11)}" '
            f'y="{ly}" font-size="11" fill="#495057">{sev}</text>'
        )
        lx += 120
    out.append("</svg>")
    return "".join(out)
