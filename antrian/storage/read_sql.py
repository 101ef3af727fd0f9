"""The hall's reads in SQL (the ``HallReads`` port): what the windows read every few seconds,
each answered by index seeks bounded by the hall's size (services, counters, the few tickets
shown), never by the queue's length. ``SqlTx`` inherits it.

Indexes (antrian.storage.tables): ``ix_tickets_day_line`` (service_day, status, service_code,
prio, arrival_at, id, target_counter) is the waiting line of a service in call-next order;
``ix_tickets_targeted`` (partial, target_counter set) the tickets sent to one counter;
``ix_tickets_parked`` (partial, status 'parked') a counter's parked tickets.

Every read is hand-written SQL on the driver's cursor (antrian.storage.sql_raw), built once per
shape (how many services, the LIMIT) and reused with new parameters; the polled ones
(``hall_snapshot`` for status(), ``counter_snapshot`` for counter_view(), ``service_counts``
for the kiosk) are one statement each: one round trip, one snapshot, no SQLAlchemy statement
compilation. On PostgreSQL a statement that is the
first of its read transaction runs outside it (``_fetch``): READ COMMITTED gives every statement
its own snapshot anyway, and BEGIN and COMMIT would be two more round trips."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any


from antrian.domain.model import OPEN_STATUSES, CounterState, Status, Ticket
from antrian.services.ports import CounterSnapshot, HallSnapshot, ServiceCounts
from antrian.storage.sql_raw import COUNTER_COLS, TICKET_COLS, Raw, Sql, _ts, counter_from, ticket_from
from antrian.storage.sql_text import base_key, in_shards, shard_params

_WAITING = Status.WAITING.value


_COUNT_FIELDS = {"svc": "issued", "wait": "waiting", "waitp": "waiting_priority"}


# People ahead: each side of a ticket is counted up to this many index entries first; the
# smaller side, with the line's count of the day, gives the answer (the ticket at the back or the
# front, the usual reprint, costs a bounded count); only a ticket with more than this on both sides
# counts the whole range ahead of it.
AHEAD_BOUND = 1000


_shapes: dict[tuple[Any, ...], Any] = {}


def _shape(kind: str, *args: Any) -> Any:
    """The statement of one shape (how many services; a LIMIT written into the text: PostgreSQL
    plans a prepared statement once for good only when its LIMIT is a constant, otherwise it
    plans it again on every run, 1.4 ms for the counter's read)."""
    key = (kind, *args)
    stmt = _shapes.get(key)
    if stmt is None:
        build: Any = {"open": _oldest_open_sql, "hall": _hall_sql, "counter": _counter_sql,
                 "bounded": _bounded_sql, "before": _before_sql}[kind]
        stmt = _shapes[key] = build(*args)
    return stmt


# ------------------------------------------------------------------ hand-written SQL (DBAPI cursor)
_OPEN_IN = "(" + ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES, key=lambda s: s.value)) + ")"
_T_COLS = ", ".join("t." + col.strip() for col in TICKET_COLS.split(","))
_K_COLS = ", ".join("k." + col.strip() for col in COUNTER_COLS.split(","))
_N_T, _N_K = len(TICKET_COLS.split(",")), len(COUNTER_COLS.split(","))


def _nulls(n: int) -> str:
    return ", ".join(["NULL"] * n)


def _line_sql(service: str, prio: str) -> str:
    return f"service_day = :day AND status = '{_WAITING}' AND service_code = {service} AND prio = {prio}"


# The reading of the day's count rows, all here (with _counts_of): "svc:<service>" (issued),
# "wait:<service>" (waiting) and "waitp:<service>" (waiting in the priority line). If a count is
# spread over several rows (shards, antrian.storage.sql_text.COUNT_SHARDS), _counts_of adds them up.
_COUNTS_WHERE = "day = :day AND (key BETWEEN 'svc:' AND 'svc;' OR key BETWEEN 'wait:' AND 'waitp;')"
_SERVICE_COUNTS = Sql(f"SELECT key, value FROM daily_counts WHERE {_COUNTS_WHERE}")


def _count_sql(key_param: str) -> str:
    """One count of the day (its base row and shards: parameters shard_params(key_param, key))
    as a scalar subquery."""
    return f"(SELECT sum(value) FROM daily_counts WHERE day = :day AND key IN ({in_shards(key_param)}))"



def _hall_sql(n: int) -> Sql:
    """status() in one statement, rows told apart by the first column:
    0: a counter (COUNTER_COLS) and the open ticket of the day it holds (TICKET_COLS, or NULLs);
    1: a count of the day (key, value); 2: the earliest waiting arrival of service :s{v // 2},
    priority class v % 2 (NULL when its line is empty): one index seek each."""
    # the first branch types every column (PostgreSQL resolves a UNION's NULLs from it)
    parts = [f"SELECT 0, CAST(NULL AS TEXT), CAST(NULL AS BIGINT), CAST(NULL AS TIMESTAMP), {_K_COLS}, {_T_COLS} "
             f"FROM counters k LEFT JOIN tickets t ON t.id = k.current_ticket_id AND t.service_day = :day "
             f"AND t.status IN {_OPEN_IN}",
             f"SELECT 1, key, value, NULL, {_nulls(_N_K + _N_T)} FROM daily_counts WHERE {_COUNTS_WHERE}"]
    for i in range(n):
        for prio in (0, 1):
            parts.append(f"SELECT 2, NULL, {2 * i + prio}, (SELECT arrival_at FROM tickets WHERE "
                         f"{_line_sql(f':s{i}', str(prio))} ORDER BY arrival_at LIMIT 1), {_nulls(_N_K + _N_T)}")
    return Sql(" UNION ALL ".join(parts))


def _next_ids_sql(n: int, lim: int) -> str:
    """The ids of the first ``lim`` waiting tickets of ``day`` for counter :counter in call-next
    order: the keys (prio, arrival_at, id) of the first ``lim`` of each line it calls from (the
    untargeted tickets of services :s0..:s{n-1} and those targeted at it, per priority class;
    covering index ranges), merged."""
    lim = int(lim)
    parts = []
    for prio in (1, 0):
        for i in range(n):
            parts.append(f"SELECT * FROM (SELECT prio, arrival_at, id FROM tickets WHERE {_line_sql(f':s{i}', str(prio))} "
                         f"AND target_counter IS NULL ORDER BY arrival_at, id LIMIT {lim}) AS n{prio}_{i}")
        parts.append(f"SELECT * FROM (SELECT prio, arrival_at, id FROM tickets WHERE target_counter = :counter "
                     f"AND service_day = :day AND status = '{_WAITING}' AND prio = {prio} "
                     f"ORDER BY arrival_at, id LIMIT {lim}) AS n{prio}_t")
    return (f"SELECT id FROM ({' UNION ALL '.join(parts)}) AS u "
            f"ORDER BY prio DESC, arrival_at, id LIMIT {lim}")


def _counter_sql(n: int, lim: int) -> Sql:
    """counter_view() in one statement, rows told apart by the first column: 0: the counter
    (COUNTER_COLS) and the ticket it holds (TICKET_COLS, any day or status, or NULLs); 1: the
    next ``lim`` in line for it (unordered: the caller sorts); 2: its parked tickets of the day."""
    return Sql(
        f"SELECT 0, {_K_COLS}, {_T_COLS} FROM counters k LEFT JOIN tickets t ON t.id = k.current_ticket_id "
        "WHERE k.code = :counter"
        + f" UNION ALL SELECT 1, {_nulls(_N_K)}, {_T_COLS} FROM tickets t WHERE t.id IN ({_next_ids_sql(n, lim)})"
        + f" UNION ALL SELECT 2, {_nulls(_N_K)}, {_T_COLS} FROM tickets t WHERE t.counter_code = :counter "
        f"AND t.service_day = :day AND t.status = '{Status.PARKED.value}'"
    )


def _oldest_open_sql(n: int, lim: int) -> Sql:
    """The ``lim`` oldest (arrival_at, id) of the waiting tickets of services :s0..:s{n-1} (both
    priority classes, targeted or not) and the day's parked tickets: the first ``lim`` of each
    line (covering index ranges) merged, then fetched by id (unordered: the caller sorts)."""
    lim = int(lim)
    parts = [f"SELECT * FROM (SELECT arrival_at, id FROM tickets WHERE {_line_sql(f':s{i}', str(prio))} "
             f"ORDER BY arrival_at, id LIMIT {lim}) AS o{i}_{prio}" for i in range(n) for prio in (0, 1)]
    parts.append(f"SELECT * FROM (SELECT arrival_at, id FROM tickets WHERE service_day = :day "
                 f"AND status = '{Status.PARKED.value}' ORDER BY arrival_at, id LIMIT {lim}) AS op")
    return Sql(f"SELECT {_T_COLS} FROM tickets t WHERE t.id IN (SELECT id FROM ({' UNION ALL '.join(parts)}) AS u "
               f"ORDER BY arrival_at, id LIMIT {lim})")


_BY_ID_SQL: dict[int, Sql] = {}


def _by_id_sql(n: int) -> Sql:
    """The tickets with ids :i0..:i{n-1} (the primary key)."""
    sql = _BY_ID_SQL.get(n)
    if sql is None:
        ids = ", ".join(f":i{k}" for k in range(n))
        sql = _BY_ID_SQL[n] = Sql(f"SELECT {_T_COLS} FROM tickets t WHERE t.id IN ({ids})")
    return sql


def _side_sql(with_id: bool, ahead: bool) -> str:
    """WHERE of the waiting tickets of line (:service, :prio) ahead of (or behind) (:at, :tid)
    (without an id: arrived by :at, or after it)."""
    where = _line_sql(":service", ":prio")
    if ahead:
        return where + (" AND arrival_at <= :at AND (arrival_at < :at OR id < :tid)" if with_id
                        else " AND arrival_at <= :at")
    return where + (" AND arrival_at >= :at AND (arrival_at > :at OR id > :tid)" if with_id
                    else " AND arrival_at > :at")


def _bounded_sql(with_id: bool, k: int) -> Sql:
    """One row, one snapshot: (ahead up to ``k``, behind up to ``k``, the service's waiting count, its
    priority count, whether the ticket :tid itself waits in this line)."""
    def upto(where: str, name: str) -> str:
        return f"(SELECT count(*) FROM (SELECT 1 AS one FROM tickets WHERE {where} LIMIT {int(k)}) AS {name})"

    mine = (f"(SELECT count(*) FROM tickets WHERE id = :tid AND {_line_sql(':service', ':prio')})"
            if with_id else "0")
    return Sql(f"SELECT {upto(_side_sql(with_id, True), 'a')}, {upto(_side_sql(with_id, False), 'b')}, "
               f"{_count_sql('wkey')}, {_count_sql('pkey')}, {mine}")


def _before_sql(with_id: bool) -> Sql:
    return Sql(f"SELECT count(*) FROM tickets WHERE {_side_sql(with_id, True)}")


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no transaction started on the connection


def _fetch(raw: Raw, sql: Sql, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of one statement. PostgreSQL: when it is the first of its transaction (nothing
    sent yet), it runs outside one (autocommit): the same snapshot (READ COMMITTED takes one per
    statement), one round trip instead of BEGIN, the statement and COMMIT (the transaction's
    COMMIT then has nothing to send). Otherwise, and on SQLite, inside the transaction."""
    if raw.pg and raw.before_run is None:  # (a pending day pin must run inside the transaction)
        dbapi: Any = raw.conn.connection.dbapi_connection
        if dbapi is not None and dbapi.info.transaction_status == _IDLE:
            dbapi.autocommit = True
            try:
                return list(raw.run(sql, params).fetchall())
            finally:
                try:
                    dbapi.autocommit = False
                except Exception:  # a broken connection: never back to the pool in autocommit
                    raw.conn.invalidate()
    return list(raw.run(sql, params).fetchall())




class HallReadsSql:
    raw: Raw

    def _day_param(self, day: date) -> Any:
        return self.raw.day(day)

    def service_counts(self, day: date) -> dict[str, ServiceCounts]:
        """The day's "svc:", "wait:" and "waitp:" counts of every service (the kiosk's waiting
        counts; status() reads the same rows in its statement): see _COUNTS_WHERE."""
        return _counts_of(_fetch(self.raw, _SERVICE_COUNTS, {"day": self._day_param(day)}))

    def hall_snapshot(self, day: date, service_codes: Sequence[str]) -> HallSnapshot:
        codes = list(service_codes)
        params: dict[str, Any] = {"day": self._day_param(day), **{f"s{i}": code for i, code in enumerate(codes)}}
        rows = _fetch(self.raw, _shape("hall", len(codes)), params)
        counts: list[tuple[Any, ...]] = []
        oldest: dict[str, datetime] = {}
        states: list[CounterState] = []
        held: dict[int, Ticket] = {}
        for r in rows:
            kind = r[0]
            if kind == 0:
                states.append(counter_from(r[4:4 + _N_K]))
                if r[4 + _N_K] is not None:
                    t = ticket_from(r[4 + _N_K:])
                    held[t.id or 0] = t
            elif kind == 1:
                counts.append((r[1], r[2]))
            elif r[3] is not None:
                code = codes[r[2] // 2]
                at = _ts(r[3])
                if at is not None and (code not in oldest or at < oldest[code]):
                    oldest[code] = at
        states.sort(key=lambda st: st.code)
        return HallSnapshot(_counts_of(counts), oldest, states, held)

    def counter_snapshot(self, day: date, counter_code: str, service_codes: Sequence[str],
                         limit: int) -> CounterSnapshot:
        codes = list(dict.fromkeys(service_codes))
        params: dict[str, Any] = {"day": self._day_param(day), "counter": counter_code,
                                  **{f"s{i}": code for i, code in enumerate(codes)}}
        state, current = CounterState(code=counter_code), None
        mine, parked = [], []
        for r in _fetch(self.raw, _shape("counter", len(codes), max(0, limit)), params):
            kind = r[0]
            if kind == 0:
                state = counter_from(r[1:1 + _N_K])
                if r[1 + _N_K] is not None:
                    current = ticket_from(r[1 + _N_K:])
            elif kind == 1:
                mine.append(ticket_from(r[1 + _N_K:]))
            else:
                parked.append(ticket_from(r[1 + _N_K:]))
        mine.sort(key=lambda t: (not t.is_priority, t.arrival_at, t.id or 0))
        parked.sort(key=lambda t: (t.arrival_at, t.id or 0))
        return CounterSnapshot(state, current, mine, parked)

    def oldest_arrivals(self, day: date, service_codes: Sequence[str]) -> dict[str, datetime]:
        return self.hall_snapshot(day, service_codes).oldest if service_codes else {}

    def next_in_line(self, day: date, counter_code: str, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        if limit <= 0:
            return []
        return self.counter_snapshot(day, counter_code, service_codes, limit).next

    def oldest_open(self, day: date, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        codes = list(dict.fromkeys(service_codes))
        if limit <= 0:
            return []
        params: dict[str, Any] = {"day": self._day_param(day), **{f"s{i}": code for i, code in enumerate(codes)}}
        rows = _fetch(self.raw, _shape("open", len(codes), limit), params)
        return sorted(map(ticket_from, rows), key=lambda t: (t.arrival_at, t.id or 0))

    def parked_at(self, day: date, counter_code: str) -> list[Ticket]:
        return self.counter_snapshot(day, counter_code, (), 0).parked

    def open_tickets_by_id(self, day: date, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        ids = sorted(set(ticket_ids))
        if not ids:
            return {}
        rows = _fetch(self.raw, _by_id_sql(len(ids)), {f"i{k}": tid for k, tid in enumerate(ids)})
        found = map(ticket_from, rows)
        return {t.id or 0: t for t in found if t.service_day == day and t.status in OPEN_STATUSES}

    def people_ahead(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                     ticket_id: int | None = None) -> int:
        before, in_priority_line = self._before(day, service_code, priority, arrival_at, ticket_id)
        return before if priority else in_priority_line + before

    def count_waiting_before(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                             ticket_id: int | None = None) -> int:
        return self._before(day, service_code, priority, arrival_at, ticket_id)[0]

    def _before(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                ticket_id: int | None) -> tuple[int, int]:
        """(count_waiting_before, the service's priority-line count of the day), one snapshot."""
        with_id = ticket_id is not None
        params: dict[str, Any] = {"day": self._day_param(day), "service": service_code, "prio": 1 if priority else 0,
                                  "at": self.raw.ts(arrival_at),
                                  **shard_params("wkey", f"wait:{service_code}"),
                                  **shard_params("pkey", f"waitp:{service_code}")}
        if with_id:
            params["tid"] = ticket_id
        bound = AHEAD_BOUND
        ahead, behind, waiting, prio, mine = _fetch(self.raw, _shape("bounded", with_id, bound), params)[0]
        in_priority_line = int(prio or 0)
        if ahead < bound:
            return int(ahead), in_priority_line
        line = in_priority_line if priority else int(waiting or 0) - in_priority_line
        if behind < bound:
            return max(0, line - int(behind) - int(mine)), in_priority_line
        params = {k: v for k, v in params.items() if not k.startswith(("wkey_", "pkey_"))}
        return int(_fetch(self.raw, _shape("before", with_id), params)[0][0]), in_priority_line


def _counts_of(rows: Sequence[tuple[Any, ...]]) -> dict[str, ServiceCounts]:
    """ServiceCounts from (key, value) rows of the day's counts (rows of one key add up)."""
    out: dict[str, dict[str, int]] = {}
    for key, value in rows:
        kind, _, service = base_key(str(key)).partition(":")
        if kind in _COUNT_FIELDS:
            fields = out.setdefault(service, {})
            fields[_COUNT_FIELDS[kind]] = fields.get(_COUNT_FIELDS[kind], 0) + int(value)
    return {s: ServiceCounts(**v) for s, v in out.items()}
