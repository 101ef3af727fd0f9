"""Reports end to end: read the store, build the read model, write the chosen format."""

from __future__ import annotations

from datetime import datetime, timezone
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from antrian.domain.catalogue import Hall
from antrian.reports.model import Report
from antrian.reports.period import BadPeriod, NoReportData, Period

if TYPE_CHECKING:
    from antrian.storage.db import SqlStore

FORMATS = ("xlsx", "pdf", "csv")


def load_report(store: SqlStore, hall: Hall, period: Period, by: str = "service", agency: str | None = None,
                now: datetime | None = None) -> Report:
    from antrian.reports.queries import build_report, check_agency

    check_agency(hall, agency)
    # the store's read transaction directly (manager_store.read_connection does the same but
    # imports the survey, alert and health services with it: a tenth of a second for a CLI run)
    with store.read() as tx:
        return build_report(tx.conn, hall, period, by=by, agency=agency,
                            now=(now or datetime.now(timezone.utc)).astimezone(hall.tz))


def write_report(store: SqlStore, hall: Hall, period: Period, fmt: str, out: Path | str, by: str = "service",
                 agency: str | None = None, logo: Path | None = None, now: datetime | None = None) -> Report:
    if fmt not in FORMATS:
        raise BadPeriod(f"--format must be one of {', '.join(FORMATS)} (got '{fmt}')")
    warm = _warm_up(fmt)
    report = load_report(store, hall, period, by=by, agency=agency, now=now)
    if warm is not None:
        warm.join()
    if report.empty:
        scope = f" for agency '{agency}'" if agency else ""
        raise NoReportData(f"no tickets in {period.label()}{scope} and no bookings: nothing to report", period=period.slug())
    write_format(report, fmt, Path(out), logo)
    return report


def _warm_up(fmt: str) -> threading.Thread | None:
    """Import the writer's libraries (ReportLab, openpyxl: a few tenths of a second) on a
    thread while the database reads (SQLite and psycopg release the GIL while they work)."""
    modules = {"pdf": ("reportlab.platypus", "reportlab.graphics.charts.barcharts", "reportlab.graphics.charts.legends"),
               "xlsx": ("openpyxl",)}.get(fmt)
    if not modules:
        return None

    def work() -> None:
        import importlib

        for m in modules:
            try:
                importlib.import_module(m)
            except ImportError:  # reported by the writer itself, in one line
                return

    t = threading.Thread(target=work, name="mpp-report-warm", daemon=True)
    t.start()
    return t


def write_format(report: Report, fmt: str, out: Path, logo: Path | None = None) -> Path:
    if fmt == "xlsx":
        from antrian.reports.xlsx import write_xlsx

        return write_xlsx(report, out)
    if fmt == "pdf":
        from antrian.reports.pdf import write_pdf

        return write_pdf(report, out, logo)
    from antrian.reports.csvout import write_csv

    return write_csv(report, out)
