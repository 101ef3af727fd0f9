"""Build the report's read models with SQL (SQLAlchemy Core) over the tickets, events, users and
(antrian.reports.booking_queries) bookings tables. One grouped query over the period's tickets
gives the Rekap counts, the counters' busy time and, per (day, service, counter, officer), the
waits and service times as comma lists; the percentiles are taken from those in Python (nearest
rank is not portable SQL). The arrivals heatmap is grouped per UTC hour in SQL and shifted to the
hall's time zone; the counter time lines come from the counters' state events."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, timezone

from datetime import date
from typing import Any

from sqlalchemy import Numeric, Text, and_, case, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from antrian.domain.catalogue import Hall
from antrian.reports.model import (
    Counts,
    CounterUse,
    RekapRow,
    Report,
    TimeTable,
    counter_timeline,
    day_end,
)
from antrian.reports.period import BadPeriod, Period, UnknownAgency
from antrian.storage import tables as T

STATE_EVENTS = {"counter_opened": "open", "counter_paused": "paused", "counter_closed": "closed"}


def check_agency(hall: Hall, agency: str | None) -> None:
    if agency and hall.find_agency(agency) is None:
        known = ", ".join(a.code for a in hall.agencies)
        raise UnknownAgency(f"unknown agency '{agency}' (agencies: {known})", agency=agency)


def build_report(conn: Connection, hall: Hall, period: Period, by: str = "service", agency: str | None = None,
                 now: datetime | None = None) -> Report:
    """``conn``: an SQLAlchemy connection (a read transaction)."""
    if by not in ("agency", "service"):
        raise BadPeriod(f"--by must be agency or service (got '{by}')")
    check_agency(hall, agency)
    tz = hall.tz
    c = T.tickets.c
    where = [c.service_day >= period.start, c.service_day <= period.end]
    if agency:
        where.append(c.agency_code == agency)

    # ---- one grouped pass over the period's tickets for the Rekap, the times and the counters' busy
    # time: a row per (day, service, counter, officer) with its counts in SQL and its waits and
    # service times as two comma lists (parsed at C speed), not one Python row per ticket
    dialect = conn.dialect.name
    targets = {s.code: s.target_wait_minutes for s in hall.services}
    # a transferred-in ticket keeps its first arrival; its wait here starts at the transfer
    wait_from = case((c.transferred_from.is_(None), c.arrival_at), else_=c.issued_at)
    waited = _clamped(dialect, _minutes(dialect, wait_from, c.called_at))  # NULL when never called
    served = _clamped(dialect, _minutes(dialect, func.coalesce(c.started_at, c.called_at), c.finished_at))
    counted = and_(c.counter_code.is_not(None), c.called_at.is_not(None), c.finished_at.is_not(None),
                   c.status.in_(["done", "no_show", "transferred", "cancelled"]))

    def n_status(status: str) -> Any:
        return func.sum(case((c.status == status, 1), else_=0))

    rows = conn.execute(
        select(c.service_day, c.agency_code, c.service_code, c.counter_code, c.officer,
               func.count(), func.sum(case((c.transferred_from.is_(None), 1), else_=0)),
               n_status("done"), n_status("no_show"), n_status("cancelled"), n_status("transferred"),
               _joined(dialect, waited), _joined(dialect, case((c.status == "done", served), else_=None)),
               func.sum(case((counted, _minutes(dialect, c.called_at, c.finished_at) * 60.0), else_=None)),
               func.max(case((counted, c.finished_at), else_=None)))
        .where(*where)
        .group_by(c.service_day, c.agency_code, c.service_code, c.counter_code, c.officer)
    ).all()
    rekap: dict[tuple[str, str | None], RekapRow] = {}
    total_tickets = 0
    by_agency, by_service, by_counter, by_officer = TimeTable(), TimeTable(), TimeTable(), TimeTable()
    by_hall = TimeTable()
    busy: dict[tuple[str, date], float] = {}
    last_seen: dict[tuple[str, date], datetime] = {}
    times: dict[tuple[str, str, str | None, str | None], tuple[list[str], list[str]]] = {}
    for (day, agency_code, service_code, counter_code, officer, n, orig, done, no_show, cancelled, transferred,
         waits_text, services_text, busy_s, last) in rows:
        key = (agency_code, service_code if by == "service" else None)
        row = rekap.get(key)
        if row is None:
            row = rekap[key] = _rekap_row(hall, agency_code, key[1])
        cell = row.daily.setdefault(day, Counts())
        cell.issued += int(orig or 0)
        cell.served += int(done or 0)
        cell.no_show += int(no_show or 0)
        cell.cancelled += int(cancelled or 0)
        cell.transferred += int(transferred or 0)
        total_tickets += int(n)
        if counter_code and busy_s is not None:
            busy[(counter_code, day)] = busy.get((counter_code, day), 0.0) + max(0.0, float(busy_s))
            if last is not None:
                last = _aware(last)
                seen = last_seen.get((counter_code, day))
                last_seen[(counter_code, day)] = last if seen is None else max(seen, last)
        if waits_text:  # the day does not matter to the times: gather the lists across days first
            lists = times.get((agency_code, service_code, counter_code, officer))
            if lists is None:
                lists = times[(agency_code, service_code, counter_code, officer)] = ([], [])
            lists[0].append(waits_text)
            if services_text:
                lists[1].append(services_text)
    for (agency_code, service_code, counter_code, officer), (waits, services) in times.items():
        ws = sorted(map(float, ",".join(waits).split(",")))
        ss = list(map(float, ",".join(services).split(","))) if services else []
        within = bisect_right(ws, targets.get(service_code, 0))
        levels: tuple[tuple[TimeTable, str | None], ...] = (
            (by_agency, agency_code), (by_service, service_code), (by_counter, counter_code), (by_officer, officer),
            (by_hall, "Jumlah"))
        for table_, level_key in levels:
            if level_key:
                table_.extend(level_key, ws, within, ss)

    # ---- arrivals heatmap: tickets per UTC hour grouped in SQL, shifted to the hall's time zone
    heatmap = [[0] * 24 for _ in range(7)]
    hour_key = _utc_hour(dialect, c.arrival_at)
    for hour, n in conn.execute(
        select(hour_key, func.count()).where(*where, c.transferred_from.is_(None)).group_by(hour_key)
    ):
        utc = datetime.strptime(str(hour)[:13], "%Y-%m-%d %H").replace(tzinfo=timezone.utc)
        local = utc.astimezone(tz)
        heatmap[local.weekday()][local.hour] += int(n)

    # ---- counter time lines from the counters' state events
    lo, hi = period.utc_bounds(tz)
    e = T.events.c
    ev_where = [e.at >= lo, e.at < hi, e.type.in_(list(STATE_EVENTS)), e.counter_code.is_not(None)]
    counter_codes = [k.code for k in hall.counters if not agency or k.agency_code == agency]
    if agency:
        ev_where.append(e.counter_code.in_(counter_codes))
    changes: dict[tuple[str, date], list[tuple[datetime, str, str | None]]] = defaultdict(list)
    for at, type_, counter_code, payload in conn.execute(
        select(e.at, e.type, e.counter_code, e.payload).where(and_(*ev_where)).order_by(e.id)
    ):
        reason = None
        if type_ == "counter_paused":
            try:
                reason = json.loads(payload or "{}").get("reason")
            except ValueError:
                reason = None
        changes[(counter_code, at.astimezone(tz).date())].append((at, STATE_EVENTS[type_], reason))
    uses: dict[str, CounterUse] = {}
    for (code, day), ch in changes.items():
        open_s, pauses = counter_timeline(ch, day_end(day, tz), last_seen.get((code, day)))
        u = uses.setdefault(code, CounterUse(code, _counter_name(hall, code)))
        u.open_s += open_s
        for r, s in pauses.items():
            u.pause_s[r] = u.pause_s.get(r, 0.0) + s
    for (code, _day), secs in busy.items():
        uses.setdefault(code, CounterUse(code, _counter_name(hall, code))).serving_s += secs

    from antrian.reports.booking_queries import booking_rows

    booked = booking_rows(conn, hall, period, by=by, agency=agency)
    names = _officer_names(conn)
    order = {a.code: i for i, a in enumerate(hall.agencies)}
    s_order = {s.code: i for i, s in enumerate(hall.services)}
    k_order = {k.code: i for i, k in enumerate(hall.counters)}
    rekap_rows = sorted(rekap.values(), key=lambda r: (order.get(r.agency_code, 999), r.agency_code,
                                                       s_order.get(r.service_code or "", 999), r.service_code or ""))
    return Report(
        hall_name=hall.name, operator=hall.operator, city=hall.city, period=period, by=by, agency=agency,
        generated_at=now or datetime.now(timezone.utc),
        rekap=rekap_rows,
        agency_times=[by_agency.row("agency", k, _agency_name(hall, k))
                      for k in sorted(by_agency.keys(), key=lambda k: (order.get(k, 999), k))],
        service_times=[by_service.row("service", k, _service_name(hall, k))
                       for k in sorted(by_service.keys(), key=lambda k: (s_order.get(k, 999), k))],
        counter_times=[by_counter.row("counter", k, _counter_name(hall, k))
                       for k in sorted(by_counter.keys(), key=lambda k: (k_order.get(k, 999), k))],
        officer_times=[by_officer.row("officer", k, names.get(k, k)) for k in sorted(by_officer.keys())],
        overall_times=by_hall.row("hall", "Jumlah", _agency_name(hall, agency) if agency else hall.name),
        heatmap=heatmap,
        counters=sorted(uses.values(), key=lambda u: (k_order.get(u.code, 999), u.code)),
        total_tickets=total_tickets,
        bookings=booked,
    )


def _minutes(dialect: str, a: Any, b: Any) -> ColumnElement[Any]:
    """Minutes from a to b as a float, in SQL."""
    if dialect == "postgresql":
        return func.extract("epoch", b - a) / 60.0
    return (func.julianday(b) - func.julianday(a)) * 1440.0


def _clamped(dialect: str, minutes: ColumnElement[Any]) -> ColumnElement[Any]:
    """Minutes rounded to the millisecond in SQL (julianday arithmetic is a float of days: round
    away its noise), never below zero; NULL stays NULL."""
    if dialect == "postgresql":  # GREATEST would turn NULL into 0
        return case((minutes < 0, 0.0), else_=func.round(cast(minutes, Numeric), 3))
    return func.max(func.round(minutes, 3), 0.0)  # SQLite's scalar max: NULL if any argument is NULL


def _joined(dialect: str, value: ColumnElement[Any]) -> ColumnElement[str]:
    """The group's non-NULL values as one comma list (SQLite group_concat, PostgreSQL string_agg)."""
    if dialect == "postgresql":
        return func.string_agg(cast(value, Text), ",")
    return func.group_concat(value, ",")


def _utc_hour(dialect: str, col: Any) -> ColumnElement[str]:
    """'YYYY-MM-DD HH' of a UTC timestamp, in SQL (the hall's zones are whole hours from UTC)."""
    if dialect == "postgresql":
        return func.to_char(col, "YYYY-MM-DD HH24")
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff': the hour is a prefix
    # (a slice, not a date parse per ticket)
    return func.substr(col, 1, 13)


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _rekap_row(hall: Hall, agency_code: str, service_code: str | None) -> RekapRow:
    a = hall.find_agency(agency_code)
    prefix = a.prefix if a else "?"
    if service_code is None:
        return RekapRow(agency_code, a.name if a else agency_code, prefix, None, a.name if a else agency_code)
    return RekapRow(agency_code, a.name if a else agency_code, prefix, service_code, _service_name(hall, service_code))


def _agency_name(hall: Hall, code: str) -> str:
    a = hall.find_agency(code)
    return a.name if a else code


def _service_name(hall: Hall, code: str) -> str:
    s = hall.find_service(code)
    return s.name if s else code


def _counter_name(hall: Hall, code: str) -> str:
    k = hall.find_counter(code)
    return k.name if k else f"Loket {code}"


def _officer_names(conn: Connection) -> dict[str, str]:
    return {u: n for u, n in conn.execute(select(T.users.c.username, T.users.c.full_name))}
