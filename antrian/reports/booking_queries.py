"""Read-only data access for the report's booking section: bookings per day booked for, service
and status, counted in SQL over the booking tables (antrian.storage.tables_booking, owned by the
booking store; nothing here writes)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from antrian.domain.catalogue import Hall
from antrian.reports.model import BookingCounts, BookingRow
from antrian.reports.period import Period
from antrian.storage.tables_booking import bookings

# booking status -> the measure it counts in besides "made"; "active" (not yet come) counts in made only
STATUS_MEASURE = {"checked_in": "checked_in", "released": "released", "cancelled": "cancelled"}


def booking_rows(conn: Connection, hall: Hall, period: Period, by: str = "service",
                 agency: str | None = None) -> list[BookingRow]:
    """One row per service (or agency with ``by="agency"``) that has bookings in the period, in the
    hall's catalogue order; each day's counts keyed by the day booked for."""
    b = bookings.c
    where = [b.day >= period.start, b.day <= period.end]
    if agency:
        where.append(b.service_code.in_([s.code for s in hall.services if s.agency_code == agency]))
    rows: dict[tuple[str, str | None], BookingRow] = {}
    for day, service_code, status, n in conn.execute(
        select(b.day, b.service_code, b.status, func.count()).where(*where)
        .group_by(b.day, b.service_code, b.status)
    ):
        service = hall.find_service(service_code)
        agency_code = service.agency_code if service else service_code
        key = (agency_code, service_code if by == "service" else None)
        row = rows.get(key)
        if row is None:
            row = rows[key] = _row(hall, agency_code, key[1])
        cell = row.daily.setdefault(_as_date(day), BookingCounts())
        cell.made += int(n)
        measure = STATUS_MEASURE.get(status)
        if measure:
            setattr(cell, measure, cell.get(measure) + int(n))
    a_order = {a.code: i for i, a in enumerate(hall.agencies)}
    s_order = {s.code: i for i, s in enumerate(hall.services)}
    return sorted(rows.values(), key=lambda r: (a_order.get(r.agency_code, 999), r.agency_code,
                                                s_order.get(r.service_code or "", 999), r.service_code or ""))


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _row(hall: Hall, agency_code: str, service_code: str | None) -> BookingRow:
    a = hall.find_agency(agency_code)
    name = a.name if a else agency_code
    prefix = a.prefix if a else "?"
    if service_code is None:
        return BookingRow(agency_code, name, prefix, None, name)
    s = hall.find_service(service_code)
    return BookingRow(agency_code, name, prefix, service_code, s.name if s else service_code)
