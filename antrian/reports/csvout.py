"""CSV writer: the Rekap Layanan in long form (one row per day and agency/service), which
spreadsheets and scripts read without guessing at merged headers. The booking columns count the
bookings for that day and service (made, checked in, released, cancelled)."""

from __future__ import annotations

import csv
from pathlib import Path

from antrian.reports.model import BOOKING_MEASURES, MEASURES, BookingCounts, BookingRow, Counts, RekapRow, Report

CSV_HEADERS = ["date", "agency", "agency_name", "prefix", "service", "service_name", *MEASURES,
               *(f"bookings_{m}" for m in BOOKING_MEASURES)]


def write_csv(report: Report, out: Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # the rekap's rows, then any service that only has bookings (booked, nobody came)
    keyed: dict[tuple[str, str | None], tuple[RekapRow | None, BookingRow | None]] = {
        (r.agency_code, r.service_code): (r, None) for r in report.rekap}
    for b in report.bookings:
        key = (b.agency_code, b.service_code)
        keyed[key] = (keyed.get(key, (None, None))[0], b)
    no_tickets, no_bookings = Counts(), BookingCounts()
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEADERS)
        for d in report.period.days:
            for rekap, booked in keyed.values():
                c = rekap.daily.get(d) if rekap else None
                bc = booked.daily.get(d) if booked else None
                if c is None and bc is None:
                    continue
                row = rekap or booked
                assert row is not None
                c, bc = c or no_tickets, bc or no_bookings
                w.writerow([d.isoformat(), row.agency_code, row.agency_name, row.prefix, row.service_code or "",
                            row.service_name if row.service_code else "", *(c.get(m) for m in MEASURES),
                            *(bc.get(m) for m in BOOKING_MEASURES)])
    return out
