"""What the monitor's "Laporan" screen shows, Qt-free: a report turned into table rows (strings
and numbers), chart series and a one-line summary; or the line that says the period is empty.
The widget (counter.reports_view) only lays these out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from antrian.reports.model import (
    BOOKING_LABELS,
    BOOKING_MEASURES,
    MEASURE_LABELS,
    MEASURES,
    WEEKDAYS_ID,
    Report,
    TimeRow,
)
from antrian.reports.period import Period

if TYPE_CHECKING:
    from antrian.domain.catalogue import Hall
    from antrian.services.survey import IkmRow
    from antrian.storage.db import SqlStore


Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]  # cells: str, int or float (None = empty)
    bold_last: bool | int = False  # the last row (True) or the last n rows are totals


def _m(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


@dataclass(frozen=True)
class ReportScreenModel:
    report: Report
    period: Period
    message: str = ""  # set when there is nothing to show

    @property
    def empty(self) -> bool:
        return self.report.empty

    def summary(self) -> str:
        if self.empty:
            return self.message or f"Tidak ada data untuk {self.period.label()}."
        t = self.report.total
        line = (f"{self.period.label()}: {t.issued} diambil, {t.served} dilayani, {t.no_show} tidak hadir, "
                f"{t.cancelled} batal, {t.transferred} dialihkan")
        if self.report.bookings:
            b = self.report.booking_total
            line += f"; booking {b.made}: {b.checked_in} check-in, {b.released} hangus, {b.cancelled} dibatalkan"
        return line

    def rekap(self) -> Table:
        r = self.report
        days = r.period.days
        headers = ("Instansi / Layanan", "Kode", *(str(d.day) for d in days), *(MEASURE_LABELS[m] for m in MEASURES))
        rows: list[tuple[Cell, ...]] = []
        for row in r.rekap:
            label = row.label if r.by == "agency" else f"{row.agency_name} - {row.service_name}"
            rows.append((label, row.prefix, *(row.day(d).issued for d in days), *(row.total.get(m) for m in MEASURES)))
        tot = r.total
        rows.append(("Jumlah", "", *(r.daily_total(d).issued for d in days), *(tot.get(m) for m in MEASURES)))
        return Table(headers, tuple(rows), bold_last=True)

    def bookings(self) -> Table:
        """Bookings per service and day booked for, then each measure per day for the scope."""
        r = self.report
        days = r.period.days
        headers = ("Instansi / Layanan", "Kode", *(str(d.day) for d in days),
                   *(BOOKING_LABELS[m] for m in BOOKING_MEASURES))
        rows: list[tuple[Cell, ...]] = []
        for row in r.bookings:
            label = row.label if r.by == "agency" else f"{row.agency_name} - {row.service_name}"
            rows.append((label, row.prefix, *(row.day(d).made for d in days),
                         *(row.total.get(m) for m in BOOKING_MEASURES)))
        daily = [r.booking_daily_total(d) for d in days]
        total = r.booking_total
        for m in BOOKING_MEASURES:
            rows.append(("Jumlah" if m == "made" else f"Jumlah {BOOKING_LABELS[m].lower()}", "",
                         *(c.get(m) for c in daily), *(total.get(m) if k == m else None for k in BOOKING_MEASURES)))
        return Table(headers, tuple(rows), bold_last=len(BOOKING_MEASURES))

    def times(self, level: str = "service") -> Table:
        overall = [self.report.overall_times] if self.report.overall_times and self.report.overall_times.called else []
        source: list[TimeRow] = {"agency": self.report.agency_times + overall, "service": self.report.service_times,
                                 "counter": self.report.counter_times, "officer": self.report.officer_times}[level]
        headers = ("Kode", "Nama", "Dipanggil", "Tunggu p50", "Tunggu p90", "Tunggu maks", "Sesuai target",
                   "Dilayani", "Layanan rata-rata", "Layanan p90")
        rows = tuple((t.code, t.name, t.called, _m(t.wait_p50), _m(t.wait_p90), _m(t.wait_max), _pct(t.within_target),
                      t.served, _m(t.service_mean), _m(t.service_p90)) for t in source)
        return Table(headers, rows)

    def counters(self) -> Table:
        reasons = sorted({k for u in self.report.counters for k in u.pause_s})
        headers = ("Loket", "Nama", "Buka (jam)", "Melayani (jam)", "Menganggur (jam)", "Utilisasi",
                   *(f"Jeda: {k} (jam)" for k in reasons))
        rows: tuple[tuple[Cell, ...], ...] = tuple(
            (u.code, u.name, round(u.open_s / 3600, 2), round(u.serving_s / 3600, 2), round(u.idle_s / 3600, 2),
             _pct(u.utilisation), *(round(u.pause_s.get(k, 0.0) / 3600, 2) for k in reasons))
            for u in self.report.counters)
        return Table(headers, rows)

    def heatmap(self) -> Table:
        headers = ("Hari", *(f"{h:02d}" for h in range(24)))
        return Table(headers, tuple((WEEKDAYS_ID[d], *self.report.heatmap[d]) for d in range(7)))

    def daily_series(self) -> list[tuple[str, int, int]]:
        """(day label, issued, served) per day, for the chart."""
        return [(str(d.day), self.report.daily_total(d).issued, self.report.daily_total(d).served)
                for d in self.report.period.days]


def load_screen_model(store: SqlStore, hall: Hall, period: Period, by: str = "service", agency: str | None = None) -> ReportScreenModel:
    """For the monitor's background runner: the model, or the empty-period message."""
    from antrian.reports.service import load_report

    rep = load_report(store, hall, period, by=by, agency=agency)
    if rep.empty:
        return ReportScreenModel(rep, period, f"Tidak ada data untuk {period.label()}.")
    return ReportScreenModel(rep, period)


def chart_png(model: ReportScreenModel, kind: str = "daily") -> bytes:
    """The report's charts (matplotlib, Agg canvas) as PNG bytes for a QLabel."""
    from antrian.reports import charts

    fig = {"daily": charts.daily_chart, "heatmap": charts.heatmap_chart, "counters": charts.counter_chart}[kind]
    return charts.png(fig(model.report))


def ikm_table(rows: Iterable[IkmRow]) -> Table:
    """The SKM index rows (SurveyService.ikm_table) in the regulation's columns."""
    from antrian.domain.survey import ELEMENTS, to_decimal

    headers = ("Kode", "Nama", *(e.code for e in ELEMENTS), "IKM", "Mutu", "Responden")
    out: list[tuple[Cell, ...]] = []
    for r in rows:
        res = r.result
        if not res.respondents or res.mutu is None or res.ikm_decimal is None:
            continue
        out.append((r.code if r.level != "hall" else "Jumlah", r.name, *(float(to_decimal(v, 3)) for v in res.nrr),
                    float(res.ikm_decimal), f"{res.mutu.letter} ({res.mutu.label})", res.respondents))
    return Table(headers, tuple(out), bold_last=bool(out))


def load_ikm_table(store: SqlStore, hall: Hall, period: Period, by: str = "service") -> Table:
    from antrian.services.survey import SurveyService
    from antrian.storage.manager_store import ManagerStore

    return ikm_table(SurveyService(hall, ManagerStore(store)).ikm_table(period.start, period.end, by=by))
