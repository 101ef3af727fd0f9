"""XLSX writer for the reports (openpyxl): real numbers (minutes, shares), frozen headers, one
sheet per table."""

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


HEADER_FILL = "DDE6F0"


def _book() -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _sheet(wb: Any, title: str, report_title: str, report: Report | None, period_label: str, headers: list[str],
           widths: dict[int, int] | None = None, freeze: str = "B6") -> Any:
    """A sheet with a title block (rows 1-3) and a bold header row 5; frozen below it."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws["A1"] = report_title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"{report.hall_name} - {report.operator}" if report else ""
    ws["A3"] = f"Periode: {period_label}"
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row=5, column=i, value=h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.freeze_panes = freeze  # the header row and the label columns stay in view
    for i in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(i, 12)
    return ws


def _num(ws: Any, row: int, col: int, value: Any, fmt: str | None = None) -> Any:
    cell = ws.cell(row=row, column=col, value=value)
    if fmt and value is not None:
        cell.number_format = fmt
    return cell


def write_xlsx(report: Report, out: Path) -> Path:
    from openpyxl.styles import Font

    wb = _book()
    label = report.period.label()
    days = report.period.days
    bold = Font(bold=True)

    # ---- Rekap Layanan: one sheet with days as columns for "issued", one for "served"
    for measure, title in (("issued", "Rekap Layanan"), ("served", "Rekap Dilayani")):
        headers = ["Instansi", "Layanan" if report.by == "service" else "Kode", "Kode"] + [str(d.day) for d in days] \
            + [MEASURE_LABELS[m] for m in MEASURES]
        if report.by == "agency":
            headers[1] = "Awalan"
            headers[2] = "-"
        ws = _sheet(wb, title, f"Rekap Layanan ({MEASURE_LABELS[measure]} per hari)", report, label, headers,
                    {1: 34, 2: 30, 3: 7}, freeze="D6")
        r = 6
        for row in report.rekap:
            ws.cell(row=r, column=1, value=row.agency_name)
            if report.by == "service":
                ws.cell(row=r, column=2, value=row.service_name)
                ws.cell(row=r, column=3, value=row.prefix)
            else:
                ws.cell(row=r, column=2, value=row.prefix)
            for j, d in enumerate(days):
                _num(ws, r, 4 + j, row.day(d).get(measure))
            tot = row.total
            for j, m in enumerate(MEASURES):
                _num(ws, r, 4 + len(days) + j, tot.get(m))
            r += 1
        ws.cell(row=r, column=1, value="Jumlah").font = bold
        for j, d in enumerate(days):
            _num(ws, r, 4 + j, report.daily_total(d).get(measure)).font = bold
        tot = report.total
        for j, m in enumerate(MEASURES):
            _num(ws, r, 4 + len(days) + j, tot.get(m)).font = bold
        for j in range(len(days)):
            from openpyxl.utils import get_column_letter

            ws.column_dimensions[get_column_letter(4 + j)].width = 5

    if report.bookings:
        _booking_sheet(wb, report, label)

    # ---- times
    overall = [report.overall_times] if report.overall_times and report.overall_times.called else []
    for title, rows in (("Waktu per Instansi", report.agency_times + overall), ("Waktu per Layanan", report.service_times),
                        ("Waktu per Loket", report.counter_times), ("Waktu per Petugas", report.officer_times)):
        _times_sheet(wb, title, report, label, rows)

    # ---- arrivals heatmap
    ws = _sheet(wb, "Kedatangan", "Kedatangan per jam dan hari (nomor diambil)", report, label,
                ["Hari"] + [f"{h:02d}" for h in range(24)] + ["Jumlah"], {1: 10})
    for i, name in enumerate(WEEKDAYS_ID):
        ws.cell(row=6 + i, column=1, value=name)
        for h in range(24):
            _num(ws, 6 + i, 2 + h, report.heatmap[i][h])
        _num(ws, 6 + i, 26, sum(report.heatmap[i]))

    # ---- counters
    reasons = sorted({r for u in report.counters for r in u.pause_s})
    ws = _sheet(wb, "Utilisasi Loket", "Utilisasi loket (jam)", report, label,
                ["Loket", "Nama", "Buka (jam)", "Melayani (jam)", "Menganggur (jam)", "Utilisasi"]
                + [f"Jeda: {r} (jam)" for r in reasons], {1: 8, 2: 26}, freeze="C6")
    for i, u in enumerate(report.counters):
        r = 6 + i
        ws.cell(row=r, column=1, value=u.code)
        ws.cell(row=r, column=2, value=u.name)
        _num(ws, r, 3, round(u.open_s / 3600, 2), "0.00")
        _num(ws, r, 4, round(u.serving_s / 3600, 2), "0.00")
        _num(ws, r, 5, round(u.idle_s / 3600, 2), "0.00")
        _num(ws, r, 6, u.utilisation, "0.0%")
        for j, reason in enumerate(reasons):
            _num(ws, r, 7 + j, round(u.pause_s.get(reason, 0.0) / 3600, 2), "0.00")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


TIME_HEADERS = ["Kode", "Nama", "Dipanggil", "Tunggu p50 (menit)", "Tunggu p90 (menit)", "Tunggu maks (menit)",
                "Sesuai target", "Dilayani", "Layanan rata-rata (menit)", "Layanan p90 (menit)"]


def _times_sheet(wb: Any, title: str, report: Report, label: str, rows: list[TimeRow]) -> None:
    ws = _sheet(wb, title, f"Waktu tunggu dan waktu layanan - {title.split(' per ')[-1]}", report, label,
                TIME_HEADERS, {1: 22, 2: 34}, freeze="C6")
    for i, t in enumerate(rows):
        r = 6 + i
        ws.cell(row=r, column=1, value=t.code)
        ws.cell(row=r, column=2, value=t.name)
        _num(ws, r, 3, t.called)
        for j, v in enumerate((t.wait_p50, t.wait_p90, t.wait_max)):
            _num(ws, r, 4 + j, None if v is None else round(v, 1), "0.0")
        _num(ws, r, 7, t.within_target, "0.0%")
        _num(ws, r, 8, t.served)
        _num(ws, r, 9, None if t.service_mean is None else round(t.service_mean, 1), "0.0")
        _num(ws, r, 10, None if t.service_p90 is None else round(t.service_p90, 1), "0.0")


def _booking_sheet(wb: Any, report: Report, label: str) -> None:
    """Bookings per service and day booked for (made), the four totals per service; below the
    "Jumlah" row, each measure per day for the whole scope."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    days = report.period.days
    headers = ["Instansi", "Layanan" if report.by == "service" else "Awalan",
               "Kode" if report.by == "service" else "-"] + [str(d.day) for d in days] \
        + [BOOKING_LABELS[m] for m in BOOKING_MEASURES]
    ws = _sheet(wb, "Booking", "Booking per hari layanan (booking dibuat; check-in, hangus, dibatalkan)", report,
                label, headers, {1: 34, 2: 30, 3: 7}, freeze="D6")
    bold = Font(bold=True)
    r = 6
    for row in report.bookings:
        ws.cell(row=r, column=1, value=row.agency_name)
        if report.by == "service":
            ws.cell(row=r, column=2, value=row.service_name)
            ws.cell(row=r, column=3, value=row.prefix)
        else:
            ws.cell(row=r, column=2, value=row.prefix)
        for j, d in enumerate(days):
            _num(ws, r, 4 + j, row.day(d).made)
        tot = row.total
        for j, m in enumerate(BOOKING_MEASURES):
            _num(ws, r, 4 + len(days) + j, tot.get(m))
        r += 1
    daily = [report.booking_daily_total(d) for d in days]
    total = report.booking_total
    for m in BOOKING_MEASURES:
        ws.cell(row=r, column=1, value="Jumlah" if m == "made" else f"Jumlah {BOOKING_LABELS[m].lower()}").font = bold
        for j, c in enumerate(daily):
            _num(ws, r, 4 + j, c.get(m)).font = bold
        _num(ws, r, 4 + len(days) + BOOKING_MEASURES.index(m), total.get(m)).font = bold
        r += 1
    for j in range(len(days)):
        ws.column_dimensions[get_column_letter(4 + j)].width = 5
