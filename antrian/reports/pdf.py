"""PDF writer for the service report: summary, daily chart, Rekap Layanan, waiting and service
times, arrivals heatmap and counter utilisation, on the hall's letterhead (A4 landscape)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from antrian.reports.model import (
    BOOKING_LABELS,
    BOOKING_MEASURES,
    MEASURE_LABELS,
    MEASURES,
    WEEKDAYS_ID,
    Report,
    TimeRow,
)
from antrian.reports.pdfdoc import Letterhead, build_pdf, figure, figure_flowable, styles, table


def _m(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


def _h(seconds: float) -> str:
    return f"{seconds / 3600:.1f}"


def write_pdf(report: Report, out: Path, logo: Path | None = None) -> Path:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

    st = styles()
    tz_now = report.generated_at
    head = Letterhead(report.hall_name, report.operator, report.city, "Laporan Pelayanan",
                      report.period.label(), tz_now, logo)
    usable = 267 * mm  # A4 landscape minus margins
    story: list[Any] = []
    scope = "seluruh instansi" if not report.agency else f"instansi {report.rekap[0].agency_name if report.rekap else report.agency}"
    story.append(Paragraph(f"Laporan Pelayanan {report.period.label()}", st["h1"]))
    tot = report.total
    all_times = _overall(report)
    story.append(Paragraph(
        f"Cakupan: {scope}. Nomor diambil <b>{tot.issued}</b>, dilayani <b>{tot.served}</b>, tidak hadir "
        f"<b>{tot.no_show}</b>, batal <b>{tot.cancelled}</b>, dialihkan <b>{tot.transferred}</b>. "
        f"Waktu tunggu p50 <b>{_m(all_times[0])}</b> menit, p90 <b>{_m(all_times[1])}</b> menit; "
        f"dipanggil sesuai target layanan: <b>{_pct(all_times[2])}</b>." + _booking_sentence(report), st["body"]))
    story.append(Spacer(1, 4))
    if len(report.period.days) > 1:
        story.append(figure_flowable(_daily_chart(report), usable * 0.9))

    # ---- Rekap Layanan
    story.append(PageBreak())
    story.append(Paragraph(f"Rekap Layanan - nomor diambil per hari ({report.period.label()})", st["h2"]))
    story.append(_rekap_table(report, usable, st))
    if report.bookings:
        story.append(Paragraph(f"Booking per hari layanan - booking dibuat, check-in, hangus, dibatalkan "
                               f"({report.period.label()})", st["h2"]))
        story.append(_booking_table(report, usable, st))

    # ---- times
    overall = [report.overall_times] if report.overall_times and report.overall_times.called else []
    for title, rows in (("Waktu tunggu dan layanan per instansi", report.agency_times + overall),
                        ("Waktu tunggu dan layanan per layanan", report.service_times),
                        ("Waktu tunggu dan layanan per loket", report.counter_times),
                        ("Waktu tunggu dan layanan per petugas", report.officer_times)):
        if not rows:
            continue
        story.append(Paragraph(title + " (menit)", st["h2"]))
        story.append(_times_table(rows, usable, st))

    # ---- heatmap + counters
    story.append(PageBreak())
    story.append(KeepTogether([Paragraph("Kedatangan per jam dan hari", st["h2"]),
                               figure_flowable(_heatmap_chart(report), usable * 0.85)]))
    if report.counters:
        story.append(PageBreak())
        story.append(Paragraph("Utilisasi loket (melayani / buka) dan jeda per alasan (jam)", st["h2"]))
        story.append(figure_flowable(_counter_chart(report), usable * 0.9))
        story.append(Spacer(1, 4))
        story.append(_counter_table(report, usable))
    return build_pdf(out, head, story)


def _overall(report: Report) -> tuple[float | None, float | None, float | None]:
    t = report.overall_times
    if t is None or not t.called:
        return None, None, None
    return t.wait_p50, t.wait_p90, t.within_target


def _rekap_table(report: Report, usable: float, st: dict[str, Any]) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    days = report.period.days
    head = ["Instansi / Layanan", "Kode"] + [str(d.day) for d in days] + [MEASURE_LABELS[m] for m in MEASURES]
    data: list[list[Any]] = [head]
    for row in report.rekap:
        label = row.label if report.by == "agency" else f"{row.agency_name} - {row.service_name}"
        data.append([Paragraph(label, st["cell"]), row.prefix] + [row.day(d).issued or "" for d in days]
                    + [row.total.get(m) for m in MEASURES])
    tot = report.total
    data.append(["Jumlah", ""] + [report.daily_total(d).issued for d in days] + [tot.get(m) for m in MEASURES])
    fixed = 8 * mm + 5 * 13 * mm
    day_w = min(7.5 * mm, (usable - fixed - 50 * mm) / max(1, len(days)))
    first = usable - fixed - day_w * len(days)
    font = 6 if len(days) > 20 else 7
    return table(data, [first, 8 * mm] + [day_w] * len(days) + [13 * mm] * 5, font_size=font, bold_last=True,
                 align_numbers_from=2)


def _booking_sentence(report: Report) -> str:
    if not report.bookings:
        return ""
    b = report.booking_total
    return (f" Booking <b>{b.made}</b>: check-in <b>{b.checked_in}</b>, hangus <b>{b.released}</b>, "
            f"dibatalkan <b>{b.cancelled}</b>.")


def _booking_table(report: Report, usable: float, st: dict[str, Any]) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    days = report.period.days
    head = ["Instansi / Layanan", "Kode"] + [str(d.day) for d in days] + [BOOKING_LABELS[m] for m in BOOKING_MEASURES]
    data: list[list[Any]] = [head]
    for row in report.bookings:
        label = row.label if report.by == "agency" else f"{row.agency_name} - {row.service_name}"
        data.append([Paragraph(label, st["cell"]), row.prefix] + [row.day(d).made or "" for d in days]
                    + [row.total.get(m) for m in BOOKING_MEASURES])
    daily = [report.booking_daily_total(d) for d in days]
    total = report.booking_total
    for m in BOOKING_MEASURES:
        name = "Jumlah" if m == "made" else f"Jumlah {BOOKING_LABELS[m].lower()}"
        data.append([name, ""] + [c.get(m) for c in daily]
                    + [total.get(m) if k == m else "" for k in BOOKING_MEASURES])
    fixed = 8 * mm + 4 * 13 * mm
    day_w = min(7.5 * mm, (usable - fixed - 50 * mm) / max(1, len(days)))
    first = usable - fixed - day_w * len(days)
    font = 6 if len(days) > 20 else 7
    return table(data, [first, 8 * mm] + [day_w] * len(days) + [13 * mm] * 4, font_size=font,
                 bold_last=len(BOOKING_MEASURES), align_numbers_from=2)


def _times_table(rows: list[TimeRow], usable: float, st: dict[str, Any]) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    head = ["Kode", "Nama", "Dipanggil", "Tunggu p50", "Tunggu p90", "Tunggu maks", "Sesuai target",
            "Dilayani", "Layanan rata-rata", "Layanan p90"]
    data: list[list[Any]] = [head]
    for t in rows:
        data.append([t.code, Paragraph(t.name, st["cell"]), t.called, _m(t.wait_p50), _m(t.wait_p90),
                     _m(t.wait_max), _pct(t.within_target), t.served, _m(t.service_mean), _m(t.service_p90)])
    w: list[float] = [35 * mm, 0] + [22 * mm] * 8
    w[1] = usable - sum(w)
    return table(data, w, font_size=7, align_numbers_from=2)


def _counter_table(report: Report, usable: float) -> Any:
    from reportlab.lib.units import mm

    reasons = sorted({r for u in report.counters for r in u.pause_s})
    head = ["Loket", "Nama", "Buka", "Melayani", "Menganggur", "Utilisasi"] + [f"Jeda: {r}" for r in reasons]
    data: list[list[Any]] = [head]
    for u in report.counters:
        data.append([u.code, u.name, _h(u.open_s), _h(u.serving_s), _h(u.idle_s), _pct(u.utilisation)]
                    + [_h(u.pause_s.get(r, 0.0)) for r in reasons])
    w = [14 * mm, 60 * mm] + [22 * mm] * (4 + len(reasons))
    return table(data, w, font_size=7, align_numbers_from=2)


# ------------------------------------------------------------------------------- charts


def _daily_chart(report: Report) -> Any:
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


def _heatmap_chart(report: Report) -> Any:
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


def _counter_chart(report: Report) -> Any:
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
