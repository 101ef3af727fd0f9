"""The hall's reads in SQL (the ``HallReads`` port): what the windows read every few seconds,
each answered by index seeks bounded by the hall's size (services, counters, the few tickets
shown), never by the queue's length. ``SqlTx`` inherits it.

Indexes (antrian.storage.tables): ``ix_tickets_day_line`` (service_day, status, service_code,
prio, arrival_at, id, target_counter) is the waiting line of a service in call-next order;
``ix_tickets_targeted`` (partial, target_counter set) the tickets sent to one counter;
``ix_tickets_parked`` (partial, status 'parked') a counter's parked tickets.

The statements are built once per shape (how many services) and reused with new parameters."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, func, literal_column, or_, select, type_coerce, union_all
from sqlalchemy.engine import Connection, Row

from antrian.domain.model import OPEN_STATUSES, Status, Ticket
from antrian.services.ports import ServiceCounts
from antrian.storage import tables as T

_FIELDS = tuple(f.name for f in dataclasses.fields(Ticket))
_WAITING = Status.WAITING.value
c = T.tickets.c
_dc = T.daily_counts.c


def _ticket(row: Row[Any]) -> Ticket:
    m = row._mapping
    values = {k: m[k] for k in _FIELDS}
    values["status"] = Status(values["status"])
    return Ticket(**values)


def _line(service: Any, prio: Any) -> Any:
    """WHERE of one service's waiting line (one priority class) of the day ``:day``."""
    return (c.service_day == bindparam("day"), c.status == _WAITING, c.service_code == service, c.prio == prio)


def _oldest_stmt(n: int) -> Select[Any]:
    """One row: the earliest waiting arrival of services :s0..:s{n-1}, priority class 0 and 1
    (2n scalar subqueries, each one index seek)."""
    cols: list[Any] = []
    for i in range(n):
        for prio in (0, 1):
            cols.append(
                select(c.arrival_at).where(*_line(bindparam(f"s{i}"), prio))
                .order_by(c.arrival_at).limit(1).scalar_subquery().label(f"a{i}_{prio}")
            )
    return select(*cols)


def _next_stmt(n: int) -> Any:
    """The call-order keys (prio, arrival_at, id) of the first :lim of each line a counter
    :counter calls from: the untargeted waiting tickets of services :s0..:s{n-1} and those
    targeted at it, per priority class (UNION ALL of covering index ranges, merged by the
    caller, who then fetches the winners by id)."""
    # arrival_at as the driver gives it (SQLite: the stored text, which sorts as the time does;
    # PostgreSQL: a naive timestamp): only compared with each other, never shown
    keys = (c.prio, type_coerce(c.arrival_at, String).label("arrival_at"), c.id)
    parts = []
    for prio in (1, 0):
        for i in range(n):
            parts.append(
                select(*keys).where(*_line(bindparam(f"s{i}"), prio), c.target_counter.is_(None))
                .order_by(c.arrival_at, c.id).limit(bindparam("lim")).subquery()
            )
        parts.append(
            select(*keys).where(c.target_counter == bindparam("counter"), c.service_day == bindparam("day"),
                                c.status == _WAITING, c.prio == prio)
            .order_by(c.arrival_at, c.id).limit(bindparam("lim")).subquery()
        )
    return union_all(*(select(p) for p in parts))


def _oldest_open_stmt(n: int) -> Any:
    """The keys (arrival_at, id) of the first :lim waiting tickets of each line (services
    :s0..:s{n-1}, both priority classes, targeted or not) oldest first, and of the day's parked
    tickets (UNION ALL of index ranges, merged by the caller)."""
    keys = (type_coerce(c.arrival_at, String).label("arrival_at"), c.id)
    parts = [
        select(*keys).where(*_line(bindparam(f"s{i}"), prio)).order_by(c.arrival_at, c.id)
        .limit(bindparam("lim")).subquery()
        for i in range(n) for prio in (0, 1)
    ]
    parts.append(
        select(*keys).where(c.service_day == bindparam("day"),
                            c.status == literal_column(f"'{Status.PARKED.value}'"))
        .order_by(c.arrival_at, c.id).limit(bindparam("lim")).subquery()
    )
    return union_all(*(select(p) for p in parts))


_PARKED = (
    select(T.tickets)
    .where(c.counter_code == bindparam("counter"), c.service_day == bindparam("day"),
           c.status == literal_column(f"'{Status.PARKED.value}'"))  # literal: matches the partial index
    .order_by(c.arrival_at, c.id)
)
_BY_ID = select(T.tickets).where(c.id.in_(bindparam("ids", expanding=True)))  # the primary key only
# the day's "svc:<service>" (issued), "wait:<service>" and "waitp:<service>" counts: two key ranges
_SERVICE_COUNTS = select(_dc.key, _dc.value).where(
    _dc.day == bindparam("day"), or_(_dc.key.between("svc:", "svc;"), _dc.key.between("wait:", "waitp;"))
)
_COUNT_FIELDS = {"svc": "issued", "wait": "waiting", "waitp": "waiting_priority"}


# People ahead: each side of a ticket is counted up to this many index entries first; the
# smaller side, with the line's count of the day, gives the answer (the ticket at the back or the
# front, the usual reprint, costs a bounded count); only a ticket with more than this on both sides
# counts the whole range ahead of it.
AHEAD_BOUND = 1000


def _side(with_id: bool, ahead: bool) -> list[Any]:
    """WHERE of the waiting tickets of line (:service, :prio) ahead of (or behind) (:at, :tid)
    (without an id: arrived by :at, or after it)."""
    at: Any = bindparam("at")
    where = list(_line(bindparam("service"), bindparam("prio")))
    if ahead:
        where.append(c.arrival_at <= at)
        if with_id:
            where.append(or_(c.arrival_at < at, c.id < bindparam("tid")))
    elif with_id:
        where += [c.arrival_at >= at, or_(c.arrival_at > at, c.id > bindparam("tid"))]
    else:
        where.append(c.arrival_at > at)
    return where


def _before_stmt(with_id: bool) -> Select[Any]:
    return select(func.count()).select_from(T.tickets).where(*_side(with_id, True))


def _bounded_stmt(with_id: bool) -> Select[Any]:
    """One row, one snapshot: (ahead up to :k, behind up to :k, the service's waiting count, its
    priority count, whether the ticket :tid itself waits in this line)."""

    def upto(where: list[Any]) -> Any:
        sub = select(c.id).where(*where).limit(bindparam("k")).subquery()
        return select(func.count()).select_from(sub).scalar_subquery()

    def count(key: str) -> Any:
        return select(_dc.value).where(_dc.day == bindparam("day"), _dc.key == bindparam(key)).scalar_subquery()

    mine = (select(func.count()).select_from(T.tickets)
            .where(c.id == bindparam("tid"), *_line(bindparam("service"), bindparam("prio"))).scalar_subquery()
            if with_id else literal_column("0"))
    return select(upto(_side(with_id, True)), upto(_side(with_id, False)), count("wkey"), count("pkey"), mine)


_BEFORE = {False: _before_stmt(False), True: _before_stmt(True)}
_BOUNDED = {False: _bounded_stmt(False), True: _bounded_stmt(True)}
_shapes: dict[tuple[str, int], Any] = {}


def _shape(kind: str, n: int) -> Any:
    key = (kind, n)
    stmt = _shapes.get(key)
    if stmt is None:
        build = {"oldest": _oldest_stmt, "next": _next_stmt, "open": _oldest_open_stmt}[kind]
        stmt = _shapes[key] = build(n)
    return stmt




class HallReadsSql:
    conn: Connection

    def service_counts(self, day: date) -> dict[str, ServiceCounts]:
        out: dict[str, dict[str, int]] = {}
        for key, value in self.conn.execute(_SERVICE_COUNTS, {"day": day}):
            kind, _, service = str(key).partition(":")
            if kind in _COUNT_FIELDS:
                out.setdefault(service, {})[_COUNT_FIELDS[kind]] = int(value)
        return {s: ServiceCounts(**v) for s, v in out.items()}

    def oldest_arrivals(self, day: date, service_codes: Sequence[str]) -> dict[str, datetime]:
        codes = list(service_codes)
        if not codes:
            return {}
        params: dict[str, Any] = {"day": day, **{f"s{i}": code for i, code in enumerate(codes)}}
        row = self.conn.execute(_shape("oldest", len(codes)), params).one()
        out = {}
        for i, code in enumerate(codes):
            found = [a for a in (row[2 * i], row[2 * i + 1]) if a is not None]
            if found:
                out[code] = min(found)
        return out

    def next_in_line(self, day: date, counter_code: str, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        if limit <= 0:
            return []
        codes = list(dict.fromkeys(service_codes))
        params: dict[str, Any] = {"day": day, "counter": counter_code, "lim": limit,
                                  **{f"s{i}": code for i, code in enumerate(codes)}}
        keys = sorted((-prio, at, tid) for prio, at, tid in self.conn.execute(_shape("next", len(codes)), params))
        ids = [tid for _, _, tid in keys[:limit]]
        if not ids:
            return []
        by_id = {t.id: t for t in map(_ticket, self.conn.execute(_BY_ID, {"ids": ids}))}
        return [by_id[i] for i in ids if i in by_id]

    def oldest_open(self, day: date, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        codes = list(dict.fromkeys(service_codes))
        if limit <= 0:
            return []
        params: dict[str, Any] = {"day": day, "lim": limit, **{f"s{i}": code for i, code in enumerate(codes)}}
        keys = sorted((at, tid) for at, tid in self.conn.execute(_shape("open", len(codes)), params))
        ids = [tid for _, tid in keys[:limit]]
        if not ids:
            return []
        by_id = {t.id: t for t in map(_ticket, self.conn.execute(_BY_ID, {"ids": ids}))}
        return [by_id[i] for i in ids if i in by_id]

    def parked_at(self, day: date, counter_code: str) -> list[Ticket]:
        return [_ticket(r) for r in self.conn.execute(_PARKED, {"day": day, "counter": counter_code})]

    def open_tickets_by_id(self, day: date, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        ids = sorted(set(ticket_ids))
        if not ids:
            return {}
        found = map(_ticket, self.conn.execute(_BY_ID, {"ids": ids}))
        return {t.id or 0: t for t in found if t.service_day == day and t.status in OPEN_STATUSES}

    def count_waiting_before(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                             ticket_id: int | None = None) -> int:
        with_id = ticket_id is not None
        params: dict[str, Any] = {"day": day, "service": service_code, "prio": 1 if priority else 0,
                                  "at": arrival_at, "k": AHEAD_BOUND,
                                  "wkey": f"wait:{service_code}", "pkey": f"waitp:{service_code}"}
        if with_id:
            params["tid"] = ticket_id
        ahead, behind, waiting, prio, mine = self.conn.execute(_BOUNDED[with_id], params).one()
        if ahead < AHEAD_BOUND:
            return int(ahead)
        line = (prio or 0) if priority else (waiting or 0) - (prio or 0)
        if behind < AHEAD_BOUND:
            return max(0, int(line) - int(behind) - int(mine))
        del params["k"], params["wkey"], params["pkey"]
        return int(self.conn.execute(_BEFORE[with_id], params).scalar_one())
