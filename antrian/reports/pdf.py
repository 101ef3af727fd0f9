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
    Report,
    TimeRow,
)
from antrian.reports.pdfdoc import Letterhead, build_pdf, styles, table


def _m(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


def _h(seconds: float) -> str:
    return f"{seconds / 3600:.1f}"


def write_pdf(report: Report, out: Path, logo: Path | None = None) -> Path:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

    from antrian.reports import pdfcharts

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
        story.append(pdfcharts.daily_chart(report, usable * 0.9, 66 * mm))

    # ---- Rekap Layanan (on the first page below the summary when there is no daily chart: one day)
    if len(report.period.days) > 1:
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
                               pdfcharts.heatmap_chart(report, usable * 0.85, 72 * mm)]))
    if report.counters:
        story.append(PageBreak())
        story.append(Paragraph("Utilisasi loket (melayani / buka) dan jeda per alasan (jam)", st["h2"]))
        story.append(pdfcharts.counter_chart(report, usable * 0.9, 62 * mm))
        story.append(Spacer(1, 4))
        story.append(_counter_table(report, usable))
    return build_pdf(out, head, story)


def _overall(report: Report) -> tuple[float | None, float | None, float | None]:
    t = report.overall_times
    if t is None or not t.called:
        return None, None, None
    return t.wait_p50, t.wait_p90, t.within_target


def _wrap(text: str, width: float, font_size: float) -> str:
    """Text broken into lines that fit ``width`` (a plain table cell, not a Paragraph: the
    tables have thousands of cells and most need no layout at all)."""
    from reportlab.lib.utils import simpleSplit

    return "\n".join(simpleSplit(text, "Helvetica", font_size, width - 4)) or text


DAY_PAD = 1.0  # points left and right of a day cell's number


def _day_columns(n_days: int, widest: int, usable: float, fixed: float, font: float) -> tuple[float, float, float]:
    """(day column width, label column width, font of the total rows): the day columns are wide
    enough for the largest daily total in bold (a month of 1,500 tickets a day), taken from the
    label column down to 38 mm; past that the total rows' font shrinks (to 4.5 pt at least)."""
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    n = max(1, n_days)
    day_w = min(7.5 * mm, (usable - fixed - 50 * mm) / n)
    need = stringWidth(str(widest), "Helvetica-Bold", font) + 2 * DAY_PAD
    if need > day_w:
        day_w = min(need, (usable - fixed - 38 * mm) / n)
    total_font = font
    while total_font > 4.5 and stringWidth(str(widest), "Helvetica-Bold", total_font) + 2 * DAY_PAD > day_w:
        total_font -= 0.5
    return day_w, usable - fixed - day_w * n, total_font


def _day_style(n_days: int, total_font: float, total_rows: int) -> list[tuple[Any, ...]]:
    """Narrow padding in the day columns (2 .. 1 + n_days) and the total rows' font."""
    last = 1 + n_days
    return [("LEFTPADDING", (2, 0), (last, -1), DAY_PAD), ("RIGHTPADDING", (2, 0), (last, -1), DAY_PAD),
            ("FONT", (0, -total_rows), (-1, -1), "Helvetica-Bold", total_font)]


def _rekap_table(report: Report, usable: float, st: dict[str, Any]) -> Any:
    from reportlab.lib.units import mm

    days = report.period.days
    font = 6 if len(days) > 20 else 7
    widest = max([report.daily_total(d).issued for d in days] + [0])
    day_w, first, total_font = _day_columns(len(days), widest, usable, 8 * mm + 5 * 13 * mm, font)
    head = ["Instansi / Layanan", "Kode"] + [str(d.day) for d in days] + [MEASURE_LABELS[m] for m in MEASURES]
    data: list[list[Any]] = [head]
    for row in report.rekap:
        label = row.label if report.by == "agency" else f"{row.agency_name} - {row.service_name}"
        tot = row.total
        data.append([_wrap(label, first, font), row.prefix] + [row.day(d).issued or "" for d in days]
                    + [tot.get(m) for m in MEASURES])
    tot = report.total
    data.append(["Jumlah", ""] + [report.daily_total(d).issued for d in days] + [tot.get(m) for m in MEASURES])
    return table(data, [first, 8 * mm] + [day_w] * len(days) + [13 * mm] * 5, font_size=font, bold_last=True,
                 align_numbers_from=2, extra_style=_day_style(len(days), total_font, 1))


def _booking_sentence(report: Report) -> str:
    if not report.bookings:
        return ""
    b = report.booking_total
    return (f" Booking <b>{b.made}</b>: check-in <b>{b.checked_in}</b>, hangus <b>{b.released}</b>, "
            f"dibatalkan <b>{b.cancelled}</b>.")


def _booking_table(report: Report, usable: float, st: dict[str, Any]) -> Any:
    from reportlab.lib.units import mm

    days = report.period.days
    font = 6 if len(days) > 20 else 7
    widest = max([report.booking_daily_total(d).made for d in days] + [0])
    day_w, first, total_font = _day_columns(len(days), widest, usable, 8 * mm + 4 * 13 * mm, font)
    head = ["Instansi / Layanan", "Kode"] + [str(d.day) for d in days] + [BOOKING_LABELS[m] for m in BOOKING_MEASURES]
    data: list[list[Any]] = [head]
    for row in report.bookings:
        label = row.label if report.by == "agency" else f"{row.agency_name} - {row.service_name}"
        data.append([_wrap(label, first, font), row.prefix] + [row.day(d).made or "" for d in days]
                    + [row.total.get(m) for m in BOOKING_MEASURES])
    daily = [report.booking_daily_total(d) for d in days]
    total = report.booking_total
    for m in BOOKING_MEASURES:
        name = "Jumlah" if m == "made" else f"Jumlah {BOOKING_LABELS[m].lower()}"
        data.append([name, ""] + [c.get(m) for c in daily]
                    + [total.get(m) if k == m else "" for k in BOOKING_MEASURES])
    return table(data, [first, 8 * mm] + [day_w] * len(days) + [13 * mm] * 4, font_size=font,
                 bold_last=len(BOOKING_MEASURES), align_numbers_from=2,
                 extra_style=_day_style(len(days), total_font, len(BOOKING_MEASURES)))


def _times_table(rows: list[TimeRow], usable: float, st: dict[str, Any]) -> Any:
    from reportlab.lib.units import mm

    head = ["Kode", "Nama", "Dipanggil", "Tunggu p50", "Tunggu p90", "Tunggu maks", "Sesuai target",
            "Dilayani", "Layanan rata-rata", "Layanan p90"]
    w: list[float] = [35 * mm, 0] + [22 * mm] * 8
    w[1] = usable - sum(w)
    data: list[list[Any]] = [head]
    for t in rows:
        data.append([t.code, _wrap(t.name, w[1], 7), t.called, _m(t.wait_p50), _m(t.wait_p90),
                     _m(t.wait_max), _pct(t.within_target), t.served, _m(t.service_mean), _m(t.service_p90)])
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
