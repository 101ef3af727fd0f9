"""The SQL implementation of the queue's ports: one ``SqlTx`` per transaction, over a
SQLAlchemy connection, on SQLite and PostgreSQL. The per-day count keys ("seq:", "svc:",
"wait:", "waitp:", "done_n:", "done_s:") live only here; the use cases speak in intentions.

Over 400 lines: it holds every port's SQL (the fixed statements of the write paths at the top);
the read methods move to a mixin of their own (issue 11, read side).

The write paths (numbering, ticket and counter updates, the event log) run fixed SQL on the
driver's cursor (antrian.storage.sql_raw: issue 11, Core's statement building was most of a
call); the rarer and the read-only paths use SQLAlchemy Core.

Event ids and the feed. Readers follow the events table by id, so an id a reader has passed
must never be followed by a smaller one committing later, and a ticket's events must come in the
order its changes happened. SQLite: writers are serialised (BEGIN IMMEDIATE), so rowids are in
commit order. PostgreSQL, without a hall-wide lock: a transaction keeps its events and writes them
last (``before_commit``): first it takes a SHARED transaction-level advisory lock whose key is the
event sequence's current value L (every id it then draws is > L; shared locks never wait for each
other), then it inserts (ids from the sequence); both in one statement with its deferred counts
(antrian.storage.sql_text.commit_tail_sql). A reader (``_feed_bound``) reads, in this order,
S = the sequence's value, F = the smallest such key held (pg_locks, this database), then in a new
snapshot (READ COMMITTED, a statement's own; refused otherwise) the events with id <= min(S, F).
Why nothing is skipped: an event e with id <= S drew its id before S was read, and its writer W
took its lock before that; if W still held the lock when pg_locks was read, F <= L < id(e); else
W had ended, and PostgreSQL makes a commit visible before it releases the locks, so the later
snapshot sees e. Why a ticket's events keep their order: a
writer that changes a ticket row waits for the previous writer of the row to commit (or read its
commit), so the earlier writer drew its ids before the later one drew any. Only a writer between
its events' insert and its commit holds readers back (a transaction left open before that holds
nothing: its ids will be larger). Ids can have gaps (an insert rolled back) and commit out of id
order; the feed still hands every committed event over once, in id order. Two earlier schemes
were dropped: one exclusive advisory lock around every insert + commit (serialised the hall's
commits), and ids from the writer's xid (an xid is taken at a transaction's first write, so a call
could get a smaller id than the issue it called; the chaos run found 45 such violations). The
``xid`` column still records the writing transaction (diagnostics).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any, Callable

from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.engine import Connection, Row

from antrian.domain.model import CounterState, CounterStatus, Event, Status, Ticket
from antrian.services.ports import UserRecord
from antrian.storage import tables as T
from antrian.storage.raw_tx import RawQueueTx, _check_day
from antrian.storage.read_sql import HallReadsSql
from antrian.storage.sql_raw import COUNTER_COLS, TICKET_COLS, Raw, Sql, counter_from, ticket_from
from antrian.storage.sql_text import (
    _DONE,
    _ENSURE_COUNTER,
    _SEQ_VALUE,
    _WAITING,
    PIN_COLUMN,
    PIN_COLUMN_SQLITE,
    shard_keys,
)

_RECALLED = Sql("UPDATE tickets SET recall_count = :recalls + 1 "
                "WHERE id = :id AND status = :status AND recall_count = :recalls")
_LOCK_COUNTER = Sql(f"SELECT {COUNTER_COLS} FROM counters WHERE code = :code",
                    pg=f"SELECT {COUNTER_COLS} FROM counters WHERE code = :code FOR UPDATE")
_LOCK_COUNTER_PINNED = Sql(f"SELECT {COUNTER_COLS}, {PIN_COLUMN_SQLITE} FROM counters WHERE code = :code",
                           pg=f"SELECT {COUNTER_COLS}, {PIN_COLUMN} FROM counters WHERE code = :code FOR UPDATE")
# call next's claim and seat in one statement (PostgreSQL; keyed by whether an officer is recorded on
# the counter): the seat applies only if the claim did; the row says (day, service, prio, seated)
_CALL_TO_COUNTER = {
    with_officer: Sql(
        "SELECT 1",  # PostgreSQL only
        pg="WITH t AS (UPDATE tickets SET status = 'called', counter_code = :code, called_at = :at, officer = :officer "
           "WHERE id = :id AND status = 'waiting' RETURNING service_day, service_code, prio), "
           "s AS (UPDATE counters SET current_ticket_id = :id, status = 'open', pause_reason = NULL, updated_at = :at, "
           f"priority_streak = :streak{', officer = :officer' if with_officer else ''} "
           "WHERE code = :code AND current_ticket_id IS NULL AND EXISTS (SELECT 1 FROM t) RETURNING 1) "
           "SELECT t.service_day, t.service_code, t.prio, (SELECT count(*) FROM s) FROM t")
    for with_officer in (False, True)}
# finish's write and the counter's release in one statement (PostgreSQL): the release applies only
# if the finish did; the row says (day, service, prio, released)
_FINISH_AT_COUNTER = Sql(
    "SELECT 1",  # PostgreSQL only
    pg="WITH t AS (UPDATE tickets SET status = 'done', started_at = :started_at, finished_at = :at "
       "WHERE id = :id AND status = :read_status RETURNING service_day, service_code, prio), "
       "r AS (UPDATE counters SET current_ticket_id = NULL WHERE code = :code AND current_ticket_id = :id "
       "AND EXISTS (SELECT 1 FROM t) RETURNING 1) "
       "SELECT t.service_day, t.service_code, t.prio, (SELECT count(*) FROM r) FROM t")
_RELEASE = Sql("UPDATE counters SET current_ticket_id = NULL WHERE code = :code AND current_ticket_id = :tid")
_CLOSE_COUNTER = ("UPDATE counters SET current_ticket_id = NULL, status = 'closed', pause_reason = NULL, "
                  "updated_at = :at, priority_streak = 0 WHERE code = :code AND ")
_CLOSE_FREE = Sql(_CLOSE_COUNTER + "current_ticket_id IS NULL")
_CLOSE_HOLDING = Sql(_CLOSE_COUNTER + "current_ticket_id = :tid")
_EVENT_COLS = "id, type, at, ticket_id, number, counter_code, officer, service_code, payload"
_EVENTS_AFTER = Sql(f"SELECT {_EVENT_COLS} FROM events WHERE id > :after ORDER BY id LIMIT :lim",
                    pg=f"SELECT {_EVENT_COLS} FROM events WHERE id > :after AND id <= :upto ORDER BY id LIMIT :lim")
_LAST_EVENT = Sql("SELECT max(id) FROM events")
# S first (the fenced subquery), then F (a subplan evaluated for S's row): the order matters
_FEED_BOUND = Sql(
    "SELECT s.v, (SELECT min((l.classid::bigint - 2147483648) * 4294967296 + l.objid::bigint) "
    "FROM pg_locks l WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.classid >= 2147483648 "
    "AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()) "
    f"AND s.v IS NOT NULL), current_setting('transaction_isolation') FROM {_SEQ_VALUE} s")




def _guard_sql(sets: tuple[str, ...]) -> Sql:
    assign = ", ".join(f"{c} = :{c}" for c in sets)
    return Sql(f"UPDATE tickets SET {assign} WHERE id = :id AND status = :read_status "
               "RETURNING service_day, service_code, prio")




_GUARDED: dict[Any, Sql] = {}


# PostgreSQL: how many of each line's oldest waiting tickets the locking candidate read looks at
CANDIDATE_WINDOW = 8


def _line_sql(i: int, prio: int, cols: str, limit: int) -> str:
    return (f"SELECT {cols} FROM tickets WHERE status = 'waiting' AND service_code = :s{i} AND prio = {prio} "
            f"AND (target_counter IS NULL OR target_counter = :counter) ORDER BY arrival_at, id LIMIT {limit}")


def _candidates_sql(n_services: int, lock: bool = True) -> Sql:
    """Call next's candidates in one statement.

    Plain (SQLite, where writers are serialised, and PostgreSQL's fallback): the oldest waiting
    ticket of each (service, class), one LIMIT 1 index probe per pair (ix_tickets_waiting).

    PostgreSQL (``lock``): per class, the oldest waiting ticket over the counter's services that
    no other transaction holds, locked FOR NO KEY UPDATE SKIP LOCKED until this one ends (the lock
    its claim's UPDATE takes anyway; unlike FOR UPDATE it does not make other transactions'
    foreign-key checks on the ticket, the KEY SHARE of an event insert, wait): at most two
    rows, one priority and one regular. So sixteen counters pressing F1 at once each get the
    next ticket at once instead of queueing on the same head row and then losing the guarded
    claim (issue 11), and the rules (choose_next) run over the heads nobody holds: a ticket is
    passed over only while another call in progress holds it (the one it claims, or the head of
    the other class it chose against); with nothing locked the order is the plain one.
    Each line is looked at through its CANDIDATE_WINDOW oldest tickets (an index range read
    without locks, their ids an array probed by primary key); the lock goes to the first of
    their union, in arrival order, still waiting and not locked. (FOR UPDATE cannot stand on a
    UNION, and one LIMIT 1 ... SKIP LOCKED per pair would also lock the head of every other
    service, which the next counter would then pass over: K-002 of KK skipped while K-001 of KTP
    is called.) More than CANDIDATE_WINDOW calls holding one line at once hide its further
    tickets from this read; when neither class shows a ticket, next_candidates falls back to
    the plain heads, whose claim then waits for the holder. (A window ticket called and
    committed by another counter after the window was read is locked in its new version, fails
    the recheck and stays locked until this transaction ends: READ COMMITTED's locking rule. So
    that counter's very next change of it, a finish at once, may wait for this call's commit.)"""
    plain = " UNION ALL ".join(f"SELECT * FROM ({_line_sql(i, prio, TICKET_COLS, 1)}) AS q{i}_{prio}"
                               for i in range(n_services) for prio in (1, 0))
    if not lock:
        return Sql(plain)
    locked = []
    for prio in (1, 0):
        window = " UNION ALL ".join(f"SELECT id FROM ({_line_sql(i, prio, 'id', CANDIDATE_WINDOW)}) AS w{i}_{prio}"
                                    for i in range(n_services))
        # "status || ''": the recheck of a row changed since the window was read (EPQ), never an
        # index condition (a planner without statistics took ix_tickets_waiting for it: a bitmap
        # over every waiting ticket, 7 ms at 10k instead of the window's primary-key probes)
        locked.append(f"SELECT * FROM (SELECT {TICKET_COLS} FROM tickets WHERE id = ANY(ARRAY({window})) "
                      "AND status || '' = 'waiting' AND (target_counter IS NULL OR target_counter = :counter) "
                      f"ORDER BY arrival_at, id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED) AS c{prio}")
    return Sql(plain, pg=" UNION ALL ".join(locked))


_CANDIDATES: dict[tuple[int, bool], Sql] = {}


def _ticket(row: Row[Any]) -> Ticket:
    m = row._mapping
    return Ticket(
        id=m["id"], service_day=m["service_day"], prefix=m["prefix"], seq=m["seq"], number=m["number"],
        service_code=m["service_code"], agency_code=m["agency_code"], priority=m["priority"],
        status=Status(m["status"]), issued_at=m["issued_at"], arrival_at=m["arrival_at"], token=m["token"],
        counter_code=m["counter_code"], officer=m["officer"], target_counter=m["target_counter"],
        called_at=m["called_at"], started_at=m["started_at"], finished_at=m["finished_at"],
        recall_count=m["recall_count"], transferred_from=m["transferred_from"],
    )


def _event(row: Row[Any]) -> Event:
    m = row._mapping
    try:
        payload = json.loads(m["payload"] or "{}")
    except ValueError:
        payload = {}
    return Event(
        id=m["id"], type=m["type"], at=m["at"], ticket_id=m["ticket_id"], number=m["number"],
        counter_code=m["counter_code"], officer=m["officer"], service_code=m["service_code"], payload=payload,
    )


def _event_raw(r: Any) -> Event:
    """An Event from a row selected as _EVENT_COLS."""
    try:
        payload = json.loads(r[8] or "{}")
    except ValueError:
        payload = {}
    at = datetime.fromisoformat(r[2]) if isinstance(r[2], str) else r[2]
    return Event(id=r[0], type=r[1], at=at.replace(tzinfo=timezone.utc), ticket_id=r[3], number=r[4],
                 counter_code=r[5], officer=r[6], service_code=r[7], payload=payload)


def _user(row: Row[Any]) -> UserRecord:
    m = row._mapping
    return UserRecord(
        username=m["username"], full_name=m["full_name"], role=m["role"], pin_hash=m["pin_hash"],
        disabled=bool(m["disabled"]), failed_attempts=m["failed_attempts"], locked_until=m["locked_until"],
    )


class SqlTx(RawQueueTx, HallReadsSql):
    """The rollover, numbering, counts and key lookups come from RawQueueTx (antrian.storage.raw_tx),
    shared with the SQLAlchemy-free issue path."""

    def __init__(self, conn: Connection, dialect: str, known_day: date | None = None,
                 known_counters: frozenset[str] = frozenset()):
        self._conn = conn
        self._init_raw(Raw(conn, dialect == "postgresql"), dialect == "postgresql", known_day)
        self.known_counters = set(known_counters)
        # the counters this transaction has locked, as they now are (its own writes included):
        # no one else can change them until it ends, so a second lock_counter (a cycle's call
        # after its finish) needs no statement
        self._locked: dict[str, CounterState] = {}

    @property
    def conn(self) -> Connection:
        """The transaction's connection, for Core statements here and in the other stores that
        share the transaction: the day's pin, if still pending, runs first."""
        if self._pin_iso is not None:
            self._settle_pin()
        return self._conn

    def _upsert(self) -> Callable[[Any], Any]:
        """The dialect's INSERT with ON CONFLICT."""
        if self.pg:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert

    # -- numbering (the rollover, next_number, take_quota_slot and the counts' reads: RawQueueTx;
    #    the count keys are this adapter's business: "seq:<prefix>", "svc:<service>",
    #    "wait:"/"waitp:" waiting and priority-waiting, "done_n:"/"done_s:" service times)
    def issued_count(self, day: date, service_code: str) -> int:
        return self._count(day, f"svc:{service_code}")

    def issued_counts(self, day: date) -> dict[str, int]:
        rows = self.conn.execute(
            select(T.daily_counts.c.key, T.daily_counts.c.value).where(
                T.daily_counts.c.day == day, T.daily_counts.c.key.startswith("svc:")
            )
        )
        return {k[4:]: int(v) for k, v in rows}

    def set_waiting_count(self, day: date, service_code: str, priority: bool, value: int) -> None:
        key = f"waitp:{service_code}" if priority else f"wait:{service_code}"
        self._deferred.pop((day, key), None)  # the value set is the truth, changes included
        c = T.daily_counts.c
        self.conn.execute(delete(T.daily_counts).where(c.day == day, c.key.in_(shard_keys(key)[1:])))  # its shards
        stmt = self._upsert()(T.daily_counts).values(day=day, key=key, value=value)
        self.conn.execute(stmt.on_conflict_do_update(
            index_elements=[T.daily_counts.c.day, T.daily_counts.c.key], set_={"value": value}))

    # -- tickets
    def oldest_waiting(self, service_code: str, priority: bool, counter_code: str) -> Ticket | None:
        c = T.tickets.c
        row = self.conn.execute(
            select(T.tickets)
            .where(
                c.status == Status.WAITING.value,
                c.service_code == service_code,
                c.prio == (1 if priority else 0),
                or_(c.target_counter.is_(None), c.target_counter == counter_code),
            )
            .order_by(c.arrival_at, c.id)
            .limit(1)
        ).first()
        return _ticket(row) if row else None

    @staticmethod
    def _candidates(n: int, plain: bool) -> Sql:
        sql = _CANDIDATES.get((n, plain))
        if sql is None:
            sql = _CANDIDATES.setdefault((n, plain), _candidates_sql(n, lock=not plain))
        return sql

    def next_candidates(self, service_codes: tuple[str, ...] | list[str],
                        counter_code: str) -> tuple[Ticket | None, Ticket | None]:
        codes = list(dict.fromkeys(service_codes))
        if not codes:
            return None, None
        params: dict[str, Any] = {f"s{i}": code for i, code in enumerate(codes)}
        params["counter"] = counter_code
        rows = self.raw.run(self._candidates(len(codes), False), params).fetchall()
        if not rows and self.pg:
            # every head is held by another call (or nobody waits): the plain heads, whose claim
            # then waits for the holder (no spinning through CLAIM_ATTEMPTS, no false "nobody waiting")
            rows = self.raw.run(self._candidates(len(codes), True), params).fetchall()
        # the oldest of each class on the raw columns (TICKET_COLS: 0 id, 7 priority, 10 arrival_at;
        # SQLite's fixed-width timestamp text sorts as the time does), then only those decoded
        best: list[Any] = [None, None]  # priority, regular
        for r in rows:
            k = 0 if r[7] is not None else 1
            cur = best[k]
            if cur is None or (r[10], r[0]) < (cur[10], cur[0]):
                best[k] = r
        prio, regular = best
        return (ticket_from(prio) if prio is not None else None,
                ticket_from(regular) if regular is not None else None)

    def _guarded(self, ticket_id: int, read_status: Status, counts: tuple[tuple[str, str, bool], ...] = (),
                 deltas: dict[str, int] | None = None, **values: Any) -> Any:
        """UPDATE ... WHERE id = :id AND status = :read_status; the row's (day, service, prio) if
        it applied, else None. ``counts`` (with their ``deltas``) change under the same guard:
        at commit on PostgreSQL (flush_counts), right after it on SQLite."""
        sets = tuple(sorted(values))
        sql = _GUARDED.get(sets)
        if sql is None:
            sql = _GUARDED.setdefault(sets, _guard_sql(sets))
        params = {k: self.raw.ts(v) if isinstance(v, datetime) else v for k, v in values.items()}
        params["id"] = ticket_id
        params["read_status"] = Status(read_status).value
        row = self.raw.one(sql, params)
        if row is None:
            return None
        day = date.fromisoformat(row[0]) if isinstance(row[0], str) else row[0]
        if counts:
            keys = [(f"{prefix}{row[1]}", (deltas or {})[param]) for prefix, param, prio_only in counts
                    if not prio_only or row[2] == 1]
            if self.pg:
                for key, by in keys:
                    self._defer(day, key, by)
            elif len(keys) == 2:
                self._bump2(day, keys[0][0], keys[0][1], keys[1][0], keys[1][1])
            elif keys:
                self._bump(day, keys[0][0], keys[0][1])
        return (day, row[1], row[2])

    def claim_for_counter(self, ticket_id: int, read_status: Status, counter_code: str,
                          officer: str | None, at: datetime) -> bool:
        values: dict[str, Any] = dict(status=Status.CALLED.value, counter_code=counter_code, called_at=at)
        if officer is not None or read_status == Status.WAITING:
            values["officer"] = officer
        if read_status == Status.WAITING:
            return self._guarded(ticket_id, read_status, _WAITING, {"d": -1}, **values) is not None
        return self._guarded(ticket_id, read_status, **values) is not None

    def mark_recalled(self, ticket_id: int, read_status: Status, read_recalls: int) -> bool:
        return self.raw.rowcount(_RECALLED, {"id": ticket_id, "status": Status(read_status).value,
                                             "recalls": read_recalls}) == 1

    def mark_serving(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.SERVING.value, started_at=at) is not None

    def mark_finished(self, ticket_id: int, read_status: Status, started_at: datetime, at: datetime,
                      service_seconds: int) -> bool:
        return self._guarded(ticket_id, read_status, _DONE, {"one": 1, "secs": service_seconds},
                             status=Status.DONE.value, started_at=started_at, finished_at=at) is not None

    def mark_no_show(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.NO_SHOW.value, finished_at=at) is not None

    def mark_parked(self, ticket_id: int, read_status: Status) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.PARKED.value) is not None

    def mark_transferred(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.TRANSFERRED.value, finished_at=at) is not None

    def mark_cancelled(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        counts = _WAITING if read_status == Status.WAITING else ()
        return self._guarded(ticket_id, read_status, counts, {"d": -1}, status=Status.CANCELLED.value,
                             finished_at=at) is not None

    def requeue(self, ticket_id: int, read_status: Status) -> bool:
        return self._guarded(ticket_id, read_status, _WAITING, {"d": +1}, status=Status.WAITING.value,
                             counter_code=None, called_at=None, started_at=None) is not None

    def open_tickets(self, day: date) -> list[Ticket]:
        c = T.tickets.c
        open_states = [s.value for s in (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)]
        rows = self.conn.execute(
            select(T.tickets).where(c.service_day == day, c.status.in_(open_states)).order_by(c.arrival_at, c.id)
        )
        return [_ticket(r) for r in rows]

    def tickets_between(self, start: datetime, end: datetime) -> list[Ticket]:
        c = T.tickets.c
        rows = self.conn.execute(
            select(T.tickets).where(c.issued_at >= start, c.issued_at < end).order_by(c.id)
        )
        return [_ticket(r) for r in rows]

    # -- counters
    def _ensure_counter(self, code: str) -> None:
        if code in self.known_counters:
            return
        self.known_counters.add(code)
        self.raw.run(_ENSURE_COUNTER, {"code": code})

    def _roll(self, day: date, iso: str, now: datetime | None, confirm_jump: bool) -> int:
        self._locked.clear()
        return super()._roll(day, iso, now, confirm_jump)

    def lock_counter(self, code: str) -> CounterState:
        held = self._locked.get(code)
        if held is not None:
            return held
        self._ensure_counter(code)
        if self._pin_iso is not None:  # a call's first statement carries the day's pin
            iso = self._take_pin()
            row = self.raw.one(_LOCK_COUNTER_PINNED, {"code": code})
            if row is None:  # no counter row: the pin alone
                self._pin_iso = iso
                self._settle_pin()
                return CounterState(code=code)
            _check_day(row[-1] or "", iso)
        else:
            row = self.raw.one(_LOCK_COUNTER, {"code": code})
            if row is None:
                return CounterState(code=code)
        st = self._locked[code] = counter_from(row)
        return st

    def seat_ticket(self, code: str, ticket_id: int, officer: str | None, at: datetime,
                    priority_streak: int | None = None) -> bool:
        self._ensure_counter(code)
        sets = ["current_ticket_id = :tid", "status = 'open'", "pause_reason = NULL", "updated_at = :at"]
        params: dict[str, Any] = {"code": code, "tid": ticket_id, "at": self.raw.ts(at)}
        if officer:
            sets.append("officer = :officer")
            params["officer"] = officer
        if priority_streak is not None:
            sets.append("priority_streak = :streak")
            params["streak"] = priority_streak
        key = ("seat", str(bool(officer)), str(priority_streak is not None))
        sql = _GUARDED.get(key)
        if sql is None:
            sql = Sql(f"UPDATE counters SET {', '.join(sets)} WHERE code = :code AND current_ticket_id IS NULL")
            _GUARDED[key] = sql
        done = self.raw.rowcount(sql, params) == 1
        self._note_seated(done, code, ticket_id, officer, at, priority_streak)
        return done

    def _note_seated(self, done: bool, code: str, ticket_id: int, officer: str | None, at: datetime,
                     priority_streak: int | None) -> None:
        held = self._locked.pop(code, None)
        if done and held is not None:
            self._locked[code] = replace(
                held, current_ticket_id=ticket_id, status=CounterStatus.OPEN, pause_reason=None, updated_at=at,
                officer=officer or held.officer,
                priority_streak=held.priority_streak if priority_streak is None else priority_streak)

    def call_to_counter(self, ticket_id: int, code: str, officer: str | None, at: datetime,
                        priority_streak: int) -> bool | None:
        if not self.pg or code not in self.known_counters:
            if not self.claim_for_counter(ticket_id, Status.WAITING, code, officer, at):
                return None
            return self.seat_ticket(code, ticket_id, officer, at, priority_streak)
        # PostgreSQL: the guarded claim and the seat (only if the claim applied) in one statement;
        # the waiting counts follow at commit as for claim_for_counter
        sql = _CALL_TO_COUNTER[bool(officer)]
        params: dict[str, Any] = {"id": ticket_id, "code": code, "officer": officer, "at": self.raw.ts(at),
                                  "streak": priority_streak}
        row = self.raw.one(sql, params)
        if row is None:
            return None
        day = row[0]
        self._defer(day, f"wait:{row[1]}", -1)
        if row[2] == 1:
            self._defer(day, f"waitp:{row[1]}", -1)
        seated = int(row[3]) == 1
        self._note_seated(seated, code, ticket_id, officer, at, priority_streak)
        return seated

    def finish_at_counter(self, code: str, ticket_id: int, read_status: Status, started_at: datetime,
                          at: datetime, service_seconds: int) -> bool | None:
        if not self.pg:
            if not self.mark_finished(ticket_id, read_status, started_at, at, service_seconds):
                return None
            return self.release_ticket(code, ticket_id)
        # PostgreSQL: the guarded finish and the release (only if the finish applied) in one
        # statement; the service-time counts follow at commit as for mark_finished
        row = self.raw.one(_FINISH_AT_COUNTER, {"id": ticket_id, "read_status": Status(read_status).value,
                                                "code": code, "started_at": self.raw.ts(started_at),
                                                "at": self.raw.ts(at)})
        if row is None:
            return None
        self._defer(row[0], f"done_n:{row[1]}", 1)
        self._defer(row[0], f"done_s:{row[1]}", service_seconds)
        released = int(row[3]) == 1
        self._note_released(released, code, ticket_id)
        return released

    def _note_released(self, done: bool, code: str, ticket_id: int) -> None:
        held = self._locked.pop(code, None)
        if done and held is not None and held.current_ticket_id == ticket_id:
            self._locked[code] = replace(held, current_ticket_id=None)

    def release_ticket(self, code: str, ticket_id: int) -> bool:
        done = self.raw.rowcount(_RELEASE, {"code": code, "tid": ticket_id}) == 1
        self._note_released(done, code, ticket_id)
        return done

    def set_counter_status(self, code: str, status: CounterStatus, officer: str | None,
                           reason: str | None, at: datetime) -> None:
        self._locked.pop(code, None)
        self._ensure_counter(code)
        values: dict[str, Any] = dict(status=CounterStatus(status).value, pause_reason=reason, updated_at=at)
        if officer:
            values["officer"] = officer
        self.conn.execute(update(T.counters).where(T.counters.c.code == code).values(**values))

    def close_counter(self, code: str, read_current: int | None, at: datetime) -> bool:
        self._locked.pop(code, None)
        self._ensure_counter(code)
        params: dict[str, Any] = {"code": code, "at": self.raw.ts(at)}
        if read_current is None:
            return self.raw.rowcount(_CLOSE_FREE, params) == 1
        params["tid"] = read_current
        return self.raw.rowcount(_CLOSE_HOLDING, params) == 1

    # -- events (written by RawQueueTx: append_event, before_commit)
    def _feed_bound(self) -> int:
        """PostgreSQL: every event with an id up to this is committed and visible to the next
        statement, or never will be (module docstring). Read before that statement's snapshot."""
        row = self.raw.one(_FEED_BOUND)
        assert row is not None
        if row[2] != "read committed":  # the events must be read in a snapshot taken after this
            raise RuntimeError(f"the event feed needs READ COMMITTED transactions, not {row[2]} "
                               "(default_transaction_isolation of the database or role)")
        seq, held = int(row[0]), row[1]
        return seq if held is None else min(seq, int(held))

    def events_after(self, after_id: int, limit: int = 500) -> list[Event]:
        """Events after ``after_id`` in id order; on PostgreSQL only those below every id still
        being committed (a reader never passes an id that a later commit could fill in)."""
        self._flush_events()
        params: dict[str, Any] = {"after": after_id, "lim": limit}
        if self.pg:
            params["upto"] = self._feed_bound()
            if params["upto"] <= after_id:
                return []
        rows = self.raw.run(_EVENTS_AFTER, params).fetchall()
        return [_event_raw(r) for r in rows]

    def events_between(self, start: datetime, end: datetime) -> list[Event]:
        rows = self.conn.execute(
            select(T.events).where(and_(T.events.c.at >= start, T.events.c.at < end)).order_by(T.events.c.id)
        )
        return [_event(r) for r in rows]

    def last_event_id(self) -> int:
        """Where a new reader starts: the newest event id such that every event up to it is
        committed (PostgreSQL: the feed's bound; it may be a gap's id)."""
        self._flush_events()
        if self.pg:
            return self._feed_bound()
        row = self.raw.one(_LAST_EVENT)
        return int(row[0] or 0) if row else 0

    # -- users
    def get_user(self, username: str) -> UserRecord | None:
        row = self.conn.execute(select(T.users).where(T.users.c.username == username)).first()
        return _user(row) if row else None

    def list_users(self) -> list[UserRecord]:
        return [_user(r) for r in self.conn.execute(select(T.users).order_by(T.users.c.username))]

    def record_failed_login(self, username: str, now: datetime, max_attempts: int,
                            lock_until: datetime) -> int | None:
        u = T.users.c
        reaches = u.failed_attempts + 1 >= max_attempts
        res = self.conn.execute(
            update(T.users)
            .where(u.username == username, or_(u.locked_until.is_(None), u.locked_until <= now))
            .values(
                failed_attempts=case((reaches, 0), else_=u.failed_attempts + 1),
                locked_until=case((reaches, literal(lock_until, u.locked_until.type)), else_=u.locked_until),
            )
        )
        if res.rowcount != 1:
            return None
        # this transaction holds the row now (SQLite: the write lock; PostgreSQL: the row lock)
        row = self.conn.execute(select(u.failed_attempts, u.locked_until).where(u.username == username)).one()
        return max_attempts if row.failed_attempts == 0 else int(row.failed_attempts)

    def save_user(self, u: UserRecord) -> None:
        values = dict(full_name=u.full_name, role=u.role, pin_hash=u.pin_hash, disabled=u.disabled,
                      failed_attempts=u.failed_attempts, locked_until=u.locked_until)
        ins = self._upsert()
        self.conn.execute(
            ins(T.users).values(username=u.username, **values).on_conflict_do_update(
                index_elements=[T.users.c.username], set_=values
            )
        )
