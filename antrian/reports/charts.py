"""The report's charts for the monitor's "Laporan" screen as matplotlib figures on the Agg
canvas (no pyplot, no global backend switch), drawn to PNG bytes for a QLabel. The PDF draws the
same charts as ReportLab vector graphics (antrian.reports.pdfcharts): no matplotlib import and no
rasterising on the report's path."""

from __future__ import annotations

import io
from typing import Any

from antrian.reports.model import WEEKDAYS_ID, Report

DPI = 80  # a screen chart: the QLabel shows it at about this size


def figure(width_in: float, height_in: float) -> Any:
    """A matplotlib Figure on the Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    # fixed margins: one draw per chart (a layout engine draws several times)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.9)
    FigureCanvasAgg(fig)
    return fig


def png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()



def daily_chart(report: Report) -> Any:
    days = report.period.days
    fig = figure(11, 3.2)
    ax = fig.add_subplot(111)
    issued = [report.daily_total(d).issued for d in days]
    served = [report.daily_total(d).served for d in days]
    x = range(len(days))
    ax.bar([i - 0.2 for i in x], issued, width=0.4, label="Diambil", color="#4C72B0")
    ax.bar([i + 0.2 for i in x], served, width=0.4, label="Dilayani", color="#55A868")
    ax.set_xticks(list(x))
    ax.set_xticklabels([f"{d.day}" for d in days], fontsize=7)
    ax.set_ylabel("Nomor", fontsize=8)
    ax.set_title("Nomor diambil dan dilayani per hari", fontsize=9)
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of tickets
    return fig


def heatmap_chart(report: Report) -> Any:
    fig = figure(11, 3.4)
    ax = fig.add_subplot(111)
    hours = [h for h in range(24) if any(report.heatmap[d][h] for d in range(7))]
    lo, hi = min(hours + [7]), max(hours + [16])  # at least the hall's usual 07-16
    grid = [row[lo:hi + 1] for row in report.heatmap]
    im = ax.imshow(grid, aspect="auto", cmap="YlOrRd")
    ax.set_yticks(range(7))
    ax.set_yticklabels(WEEKDAYS_ID, fontsize=7)
    ax.set_xticks(range(hi - lo + 1))
    ax.set_xticklabels([f"{h:02d}" for h in range(lo, hi + 1)], fontsize=7)
    ax.set_xlabel("Jam", fontsize=8)
    peak = max((v for row in grid for v in row), default=0)
    for d in range(7):
        for j, v in enumerate(grid[d]):
            if v:
                ax.text(j, d, str(v), ha="center", va="center", fontsize=6,
                        color="white" if v > peak * 0.6 else "black")
    fig.colorbar(im, ax=ax, shrink=0.8).ax.tick_params(labelsize=7)
    return fig


def counter_chart(report: Report) -> Any:
    fig = figure(11, 3.2)
    ax = fig.add_subplot(111)
    codes = [u.code for u in report.counters]
    util = [(u.utilisation or 0) * 100 for u in report.counters]
    ax.bar(range(len(codes)), util, color="#4C72B0")
    ax.set_xticks(range(len(codes)))
    ax.set_xticklabels(codes, fontsize=7)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% melayani", fontsize=8)
    ax.set_xlabel("Loket", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", alpha=0.3)
    return fig
