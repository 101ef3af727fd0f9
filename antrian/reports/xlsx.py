"""XLSX writer for the reports (openpyxl in write-only mode: rows streamed to the file, no cell
objects kept): real numbers (minutes, shares), frozen headers, one sheet per table."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

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


class _Book:
    """A write-only workbook and the few styles the sheets share (created once)."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = Workbook(write_only=True)
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=13)
        self.fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.centre = Alignment(wrap_text=True, vertical="center", horizontal="center")

    def cell(self, ws: Any, value: Any, fmt: str | None = None, bold: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(ws, value=value)
        if fmt and value is not None:
            c.number_format = fmt
        if bold:
            c.font = self.bold
        return c

    def sheet(self, title: str, report_title: str, report: Report, period_label: str, headers: Sequence[str],
              widths: dict[int, int] | None = None, freeze: str = "B6", narrow_from: int = 0,
              narrow_count: int = 0) -> Any:
        """A sheet with a title block (rows 1-3) and a bold header row 5, frozen below it (and
        right of the label columns). Columns ``narrow_from`` .. + ``narrow_count`` are the days."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        ws.freeze_panes = freeze  # set before the first row: write-only sheets stream
        for i in range(1, len(headers) + 1):
            narrow = narrow_from <= i < narrow_from + narrow_count
            ws.column_dimensions[get_column_letter(i)].width = 5 if narrow else (widths or {}).get(i, 12)
        top = WriteOnlyCell(ws, value=report_title)
        top.font = self.title_font
        ws.append([top])
        ws.append([f"{report.hall_name} - {report.operator}"])
        ws.append([f"Periode: {period_label}"])
        ws.append([])
        head = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.font, c.fill, c.alignment = self.bold, self.fill, self.centre
            head.append(c)
        ws.append(head)
        return ws

    def save(self, out: Path) -> None:
        self.wb.save(out)
        self.saved = True

    def close(self) -> None:
        """After a failed save: close the sheets' streams (write-only sheets hold a temporary file)."""
        if getattr(self, "saved", False):
            return
        for ws in self.wb.worksheets:
            try:
                ws.close()
            except Exception:  # already closed or half written: nothing more to free
                pass


def write_xlsx(report: Report, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)  # a bad folder fails before any sheet is streamed
    book = _Book()
    try:
        _write_sheets(book, report)
        book.save(out)
    finally:
        book.close()
    return out


def _write_sheets(book: _Book, report: Report) -> None:
    label = report.period.label()
    days = report.period.days

    # ---- Rekap Layanan: one sheet with days as columns for "issued", one for "served"
    for measure, title in (("issued", "Rekap Layanan"), ("served", "Rekap Dilayani")):
        headers = (["Instansi", "Layanan", "Kode"] if report.by == "service" else ["Instansi", "Awalan", "-"]) \
            + [str(d.day) for d in days] + [MEASURE_LABELS[m] for m in MEASURES]
        ws = book.sheet(title, f"Rekap Layanan ({MEASURE_LABELS[measure]} per hari)", report, label, headers,
                        {1: 34, 2: 30, 3: 7}, freeze="D6", narrow_from=4, narrow_count=len(days))
        for row in report.rekap:
            names = [row.agency_name, row.service_name, row.prefix] if report.by == "service" \
                else [row.agency_name, row.prefix, None]
            tot = row.total
            ws.append(names + [row.day(d).get(measure) for d in days] + [tot.get(m) for m in MEASURES])
        tot = report.total
        ws.append([book.cell(ws, "Jumlah", bold=True), None, None]
                  + [book.cell(ws, report.daily_total(d).get(measure), bold=True) for d in days]
                  + [book.cell(ws, tot.get(m), bold=True) for m in MEASURES])

    if report.bookings:
        _booking_sheet(book, report, label)

    # ---- times
    overall = [report.overall_times] if report.overall_times and report.overall_times.called else []
    for title, rows in (("Waktu per Instansi", report.agency_times + overall), ("Waktu per Layanan", report.service_times),
                        ("Waktu per Loket", report.counter_times), ("Waktu per Petugas", report.officer_times)):
        _times_sheet(book, title, report, label, rows)

    # ---- arrivals heatmap
    ws = book.sheet("Kedatangan", "Kedatangan per jam dan hari (nomor diambil)", report, label,
                    ["Hari"] + [f"{h:02d}" for h in range(24)] + ["Jumlah"], {1: 10})
    for i, name in enumerate(WEEKDAYS_ID):
        ws.append([name, *report.heatmap[i], sum(report.heatmap[i])])

    # ---- counters
    reasons = sorted({r for u in report.counters for r in u.pause_s})
    ws = book.sheet("Utilisasi Loket", "Utilisasi loket (jam)", report, label,
                    ["Loket", "Nama", "Buka (jam)", "Melayani (jam)", "Menganggur (jam)", "Utilisasi"]
                    + [f"Jeda: {r} (jam)" for r in reasons], {1: 8, 2: 26}, freeze="C6")
    for u in report.counters:
        hours = [u.open_s, u.serving_s, u.idle_s]
        ws.append([u.code, u.name, *_hours(book, ws, hours), book.cell(ws, u.utilisation, "0.0%"),
                   *_hours(book, ws, [u.pause_s.get(reason, 0.0) for reason in reasons])])


def _hours(book: _Book, ws: Any, seconds: Iterable[float]) -> list[Any]:
    return [book.cell(ws, round(s / 3600, 2), "0.00") for s in seconds]


TIME_HEADERS = ["Kode", "Nama", "Dipanggil", "Tunggu p50 (menit)", "Tunggu p90 (menit)", "Tunggu maks (menit)",
                "Sesuai target", "Dilayani", "Layanan rata-rata (menit)", "Layanan p90 (menit)"]


def _times_sheet(book: _Book, title: str, report: Report, label: str, rows: list[TimeRow]) -> None:
    ws = book.sheet(title, f"Waktu tunggu dan waktu layanan - {title.split(' per ')[-1]}", report, label,
                    TIME_HEADERS, {1: 22, 2: 34}, freeze="C6")

    def minutes(v: float | None) -> Any:
        return book.cell(ws, None if v is None else round(v, 1), "0.0")

    for t in rows:
        ws.append([t.code, t.name, t.called, minutes(t.wait_p50), minutes(t.wait_p90), minutes(t.wait_max),
                   book.cell(ws, t.within_target, "0.0%"), t.served, minutes(t.service_mean),
                   minutes(t.service_p90)])


def _booking_sheet(book: _Book, report: Report, label: str) -> None:
    """Bookings per service and day booked for (made), the four totals per service; below the
    "Jumlah" row, each measure per day for the whole scope."""
    days = report.period.days
    headers = (["Instansi", "Layanan", "Kode"] if report.by == "service" else ["Instansi", "Awalan", "-"]) \
        + [str(d.day) for d in days] + [BOOKING_LABELS[m] for m in BOOKING_MEASURES]
    ws = book.sheet("Booking", "Booking per hari layanan (booking dibuat; check-in, hangus, dibatalkan)", report,
                    label, headers, {1: 34, 2: 30, 3: 7}, freeze="D6", narrow_from=4, narrow_count=len(days))
    for row in report.bookings:
        names = [row.agency_name, row.service_name, row.prefix] if report.by == "service" \
            else [row.agency_name, row.prefix, None]
        tot = row.total
        ws.append(names + [row.day(d).made for d in days] + [tot.get(m) for m in BOOKING_MEASURES])
    daily = [report.booking_daily_total(d) for d in days]
    total = report.booking_total
    for m in BOOKING_MEASURES:
        name = "Jumlah" if m == "made" else f"Jumlah {BOOKING_LABELS[m].lower()}"
        ws.append([book.cell(ws, name, bold=True), None, None] + [book.cell(ws, c.get(m), bold=True) for c in daily]
                  + [book.cell(ws, total.get(m), bold=True) if k == m else None for k in BOOKING_MEASURES])
