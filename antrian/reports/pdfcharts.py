"""The PDF report's charts as ReportLab vector drawings (reportlab.graphics): tickets per day,
the arrivals heatmap (hour x weekday) and counter utilisation. Each is a platypus flowable of the
given width; nothing is rasterised and matplotlib is not imported on the report's path (it cost
more CPU than the rest of the PDF). The monitor's screen charts are antrian.reports.charts."""

from __future__ import annotations

import math
from typing import Any, Sequence

from antrian.reports.model import WEEKDAYS_ID, Report

BLUE, GREEN = "#4C72B0", "#55A868"
# ColorBrewer YlOrRd (the heatmap's ramp), light -> dark
RAMP = ("#FFFFCC", "#FFEDA0", "#FED976", "#FEB24C", "#FD8D3C", "#FC4E2A", "#E31A1C", "#BD0026", "#800026")


def nice_step(peak: float, ticks: int = 5) -> float:
    """A 1, 2 or 5 x 10^k step giving at most ``ticks`` intervals up to ``peak`` (>= 1: counts)."""
    if peak <= 0:
        return 1.0
    raw = peak / ticks
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * mag >= raw:
            return max(1.0, m * mag)
    return max(1.0, 10 * mag)  # pragma: no cover - the loop always returns


def ramp_colour(share: float) -> Any:
    """The YlOrRd colour of a share 0..1, interpolated between the ramp's stops."""
    from reportlab.lib import colors

    share = min(1.0, max(0.0, share))
    pos = share * (len(RAMP) - 1)
    i = min(len(RAMP) - 2, int(pos))
    return colors.linearlyInterpolatedColor(colors.HexColor(RAMP[i]), colors.HexColor(RAMP[i + 1]), 0, 1, pos - i)


def _title(d: Any, text: str) -> None:
    from reportlab.graphics.shapes import String

    d.add(String(42, d.height - 10, text, fontName="Helvetica-Bold", fontSize=9))  # the legend is on the right


def _y_label(d: Any, x: float, y: float, text: str) -> None:
    from reportlab.graphics.shapes import Group, String

    g = Group(String(0, 0, text, fontName="Helvetica", fontSize=7, textAnchor="middle"))
    g.transform = (0, 1, -1, 0, x, y)  # rotated a quarter turn
    d.add(g)


def _bars(d: Any, series: Sequence[Sequence[float]], names: Sequence[str], fills: Sequence[str],
          value_max: float | None = None, step: float | None = None, label_format: str = "%d") -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.lib import colors

    bc = VerticalBarChart()
    bc.x, bc.y = 42, 22
    bc.width, bc.height = d.width - 52, d.height - 42
    bc.data = [list(s) for s in series]
    peak = max([v for s in series for v in s] + [0])
    step = step or nice_step(peak)
    bc.valueAxis.valueMin = 0
    # a little headroom above the highest bar
    bc.valueAxis.valueMax = value_max if value_max is not None else max(step, math.ceil(peak * 1.05 / step) * step)
    bc.valueAxis.valueStep = step
    bc.valueAxis.labelTextFormat = label_format
    bc.valueAxis.labels.fontSize = 6.5
    bc.valueAxis.visibleGrid = 1
    bc.valueAxis.gridStrokeColor = colors.HexColor("#D8D8D8")
    bc.valueAxis.gridStrokeWidth = 0.4
    bc.categoryAxis.categoryNames = list(names)
    bc.categoryAxis.labels.fontSize = 6.5
    bc.categoryAxis.labels.dy = -2
    bc.barSpacing = 0
    bc.groupSpacing = 3 if len(series) > 1 else 6
    bc.bars.strokeColor = None
    for i, fill in enumerate(fills):
        bc.bars[i].fillColor = colors.HexColor(fill)
    d.add(bc)
    return bc


def _legend(d: Any, pairs: Sequence[tuple[str, str]]) -> None:
    from reportlab.graphics.charts.legends import Legend
    from reportlab.lib import colors

    lg = Legend()
    lg.x, lg.y = d.width - 10, d.height - 3  # beside the title, above the plot
    lg.alignment = "right"
    lg.boxAnchor = "ne"
    lg.fontName, lg.fontSize = "Helvetica", 7
    lg.columnMaximum = 1
    lg.dx = lg.dy = 7
    lg.deltax = 60
    lg.colorNamePairs = [(colors.HexColor(c), n) for c, n in pairs]
    d.add(lg)


def daily_chart(report: Report, width: float, height: float) -> Any:
    """Tickets issued and served per day of the period (grouped bars)."""
    from reportlab.graphics.shapes import Drawing

    days = report.period.days
    d = Drawing(width, height)
    _title(d, "Nomor diambil dan dilayani per hari")
    _bars(d, [[report.daily_total(x).issued for x in days], [report.daily_total(x).served for x in days]],
          [str(x.day) for x in days], (BLUE, GREEN))
    _legend(d, [(BLUE, "Diambil"), (GREEN, "Dilayani")])
    _y_label(d, 10, 22 + (height - 42) / 2, "Nomor")
    return d


def counter_chart(report: Report, width: float, height: float) -> Any:
    """Each counter's share of open time spent serving (%)."""
    from reportlab.graphics.shapes import Drawing, String

    d = Drawing(width, height)
    _title(d, "Utilisasi loket (melayani / buka)")
    _bars(d, [[round((u.utilisation or 0) * 100, 1) for u in report.counters]], [u.code for u in report.counters],
          (BLUE,), value_max=100, step=20, label_format="%d%%")
    d.add(String(width / 2, 2, "Loket", fontName="Helvetica", fontSize=7, textAnchor="middle"))
    _y_label(d, 10, 22 + (height - 42) / 2, "% melayani")
    return d


def heatmap_chart(report: Report, width: float, height: float) -> Any:
    """Tickets issued per weekday and hour (hours with arrivals, at least 07-16), with the counts
    written in the cells and a colour scale."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    hours = [h for h in range(24) if any(report.heatmap[w][h] for w in range(7))]
    lo, hi = min(hours + [7]), max(hours + [16])
    grid = [row[lo:hi + 1] for row in report.heatmap]
    peak = max((v for row in grid for v in row), default=0)
    d = Drawing(width, height)
    left, bottom, scale_w = 46.0, 24.0, 40.0
    cw = (width - left - scale_w - 8) / (hi - lo + 1)
    ch = (height - bottom - 8) / 7
    white, black = colors.white, colors.black
    for w in range(7):
        y = height - 8 - (w + 1) * ch  # Monday on top
        d.add(String(left - 4, y + ch / 2 - 2.3, WEEKDAYS_ID[w], fontName="Helvetica", fontSize=7, textAnchor="end"))
        for j, v in enumerate(grid[w]):
            x = left + j * cw
            share = v / peak if peak else 0.0
            d.add(Rect(x, y, cw, ch, fillColor=ramp_colour(share), strokeColor=white, strokeWidth=0.5))
            if v:
                d.add(String(x + cw / 2, y + ch / 2 - 2, str(v), fontName="Helvetica", fontSize=6,
                             textAnchor="middle", fillColor=white if share > 0.6 else black))
    for j in range(hi - lo + 1):
        d.add(String(left + j * cw + cw / 2, bottom - 9, f"{lo + j:02d}", fontName="Helvetica", fontSize=7,
                     textAnchor="middle"))
    d.add(String(left + (hi - lo + 1) * cw / 2, 2, "Jam", fontName="Helvetica", fontSize=7, textAnchor="middle"))
    # the colour scale: 0 at the bottom, the busiest hour at the top
    sx, steps = width - scale_w + 4, 24
    top, sh = height - 8, (height - bottom - 8) / steps
    for i in range(steps):
        d.add(Rect(sx, bottom + i * sh, 9, sh + 0.2, fillColor=ramp_colour(i / (steps - 1)), strokeColor=None))
    for v in sorted({0, int(peak / 2), int(peak)}):
        y = bottom + (v / peak if peak else 0) * (top - bottom)
        d.add(String(sx + 12, y - 2.3, str(v), fontName="Helvetica", fontSize=6.5))
    return d
