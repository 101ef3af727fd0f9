"""The queue transaction's methods that need nothing but fixed SQL on a DBAPI cursor: the day
rollover, numbering, the count upserts and reads (with PostgreSQL's counts deferred to the
commit), the event writes, tickets and counters by key. ``SqlTx``
(over a SQLAlchemy connection, antrian.storage.sql_tx) and ``DbapiTx`` (the SQLAlchemy-free
issue path of `mpp issue`, antrian.storage.dbapi_store) both inherit them, so both paths run the
same statements (antrian.storage.sql_text) with the same logic.

A class using this mixin calls ``_init_raw`` with its ``raw`` (antrian.storage.sql_raw.Raw or a
subclass). No SQLAlchemy import here."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any

from antrian.domain.errors import ClockJump, DayRolledOver
from antrian.domain.model import CounterState, Event, Ticket
from antrian.services.ports import ServiceTimes
from antrian.storage.sql_raw import Raw, Sql, counter_from, ticket_from
from antrian.storage.sql_text import (
    _ADD_TICKET,
    _APPEND,
    _BUMP,
    _BUMP2,
    _SLOT_NUMBER,
    _SLOT_NUMBER_PINNED,
    _BY_NUMBER,
    _BY_TOKEN,
    _COUNT,
    _COUNTER_STATE,
    _COUNTER_STATES,
    _COUNTS3,
    COUNT_SHARDS,
    _DAY_PIN,
    _GET_TICKET,
    _ROLL_COUNTERS,
    _ROLL_DAY,
    _ROLL_TICKETS,
    _SERVER_NOW,
    _STORED_DAY,
    base_key,
    commit_tail_sql,
    open_among_sql,
    shard_params,
)

_OPEN_AMONG: dict[int, Sql] = {}


def _bump_many_sql(n: int) -> Sql:
    """PostgreSQL: ``n`` count changes of a transaction in one upsert (rows in key order)."""
    rows = ", ".join(f"(:day{i}, :key{i}, :by{i})" for i in range(n))
    return Sql(f"INSERT INTO daily_counts (day, key, value) VALUES {rows} "
               "ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value")


_BUMP_MANY: dict[int, Sql] = {}
_TAILS: dict[tuple[int, int], Sql] = {}


def _check_day(stored: str, iso: str) -> None:
    """Refuse to write for a day that is already over."""
    if stored > iso:
        raise DayRolledOver(
            f"the hall's service day is already {stored}, but this station's clock says {iso}: "
            "check this PC's date and time",
            stored=stored, day=iso,
        )


def _json_default(o: object) -> str:
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    return str(o)


def pick_shard() -> int:
    """The one shard a transaction writes its deferred count changes to (COUNT_SHARDS)."""
    return random.randrange(COUNT_SHARDS)


class RawQueueTx:
    raw: Raw
    pg: bool
    known_day: date | None

    def _init_raw(self, raw: Raw, pg: bool, known_day: date | None) -> None:
        self.raw = raw
        self.pg = pg
        # what this process already knows to be in the database (skips needless writes)
        self.known_day = known_day
        self._stored_day: str | None = None  # the service day read by this transaction's rollover
        self._times_read: tuple[int, date, str, ServiceTimes] | None = None  # by waiting_count
        self._pending: list[Event] = []  # PostgreSQL: the events, written at commit
        self._deferred: dict[tuple[date, str], int] = {}  # PostgreSQL: count changes written at commit
        self._pin_iso: str | None = None  # the day whose pin rides on the next statement (rollover)
        self.wrote_events = False  # PostgreSQL: the displays need a wake-up after the commit (sql_text.WAKE)

    # -- the count upserts (in key order: the same lock order everywhere)
    def _bump(self, day: date, key: str, by: int = 1) -> int:
        row = self.raw.one(_BUMP, {"day": self.raw.day(day), "key": key, "by": by})
        assert row is not None
        return int(row[0])

    def _bump2(self, day: date, key: str, by: int, key2: str, by2: int) -> None:
        """Two counts of one day in one statement (in key order: the same lock order everywhere)."""
        if key2 < key:
            key, by, key2, by2 = key2, by2, key, by
        self.raw.run(_BUMP2, {"day": self.raw.day(day), "key": key, "by": by, "key2": key2, "by2": by2})

    def _waiting_delta(self, day: date, service_code: str, priority: bool, delta: int) -> None:
        if priority:
            self._bump2(day, f"wait:{service_code}", delta, f"waitp:{service_code}", delta)
        else:
            self._bump(day, f"wait:{service_code}", delta)

    # -- events (the feed's rules: antrian.storage.sql_tx's module docstring)
    def append_event(self, e: Event) -> int:
        """SQLite: written at once, its id returned. PostgreSQL: kept until the commit, where the
        events are written last (module docstring of antrian.storage.sql_tx); 0 is returned
        (readers learn ids from the feed, use cases do not need them)."""
        if self.pg:
            self._pending.append(e)
            return 0
        return self._insert_event(e)

    def _insert_event(self, e: Event) -> int:
        """SQLite: one event, its id returned."""
        r = self.raw
        row = r.one(_APPEND, dict(
            at=r.ts(e.at), type=e.type, ticket_id=e.ticket_id, number=e.number, counter_code=e.counter_code,
            officer=e.officer, service_code=e.service_code,
            payload=json.dumps(e.payload, default=_json_default, separators=(",", ":")),
        ))
        assert row is not None
        return int(row[0])

    def _flush_events(self) -> None:
        """PostgreSQL: the events kept so far, now (a read of the feed inside the transaction)."""
        if self._pending:
            self._write_tail([])

    def before_commit(self) -> None:
        """PostgreSQL: the transaction's counts, then its events (with their lock), just before it
        commits: one statement (commit_tail_sql) when it has events."""
        if self._pin_iso is not None:  # nothing ran since the rollover
            self._settle_pin()
        if self._pending:
            self._write_tail(self._deferred_rows())
        else:
            self.flush_counts()

    def _write_tail(self, counts: list[tuple[tuple[date, str], int]]) -> None:
        """``counts`` (rows of _deferred_rows), the event lock and the kept events in one
        statement (commit_tail_sql)."""
        pending, self._pending = self._pending, []
        self.wrote_events = True
        key = (len(counts), len(pending))
        sql = _TAILS.get(key)
        if sql is None:
            sql = _TAILS.setdefault(key, commit_tail_sql(*key))
        r = self.raw
        params: dict[str, Any] = {}
        for i, ((day, ckey), by) in enumerate(counts):
            params[f"cday{i}"], params[f"ckey{i}"], params[f"cby{i}"] = r.day(day), ckey, by
        for i, e in enumerate(pending):
            params.update({
                f"at{i}": r.ts(e.at), f"type{i}": e.type, f"ticket_id{i}": e.ticket_id, f"number{i}": e.number,
                f"counter_code{i}": e.counter_code, f"officer{i}": e.officer, f"service_code{i}": e.service_code,
                f"payload{i}": json.dumps(e.payload, default=_json_default, separators=(",", ":")),
            })
        r.run(sql, params)

    # -- day
    def rollover(self, day: date, now: datetime | None = None, confirm_jump: bool = False) -> int:
        iso = day.isoformat()
        n = 0
        self._stored_day = None
        if self.known_day != day:
            n = self._roll(day, iso, now, confirm_jump)
        stored = self._stored_day
        if stored is None:
            # pin the service day until this transaction ends (a rollover waits for it), and
            # refuse to write for a day that is already over. The pin rides as a column on this
            # transaction's first statement when that is a call's counter lock or an issue's
            # quota count and number (PIN_COLUMN), else it runs alone just before it (Raw.before_run);
            # either way before anything else is read or written
            self._pin_iso = iso
            self.raw.before_run = self._settle_pin
        else:
            _check_day(stored, iso)
        self.known_day = day
        return n

    def _take_pin(self) -> str:
        """The pending pin's day; the caller's statement carries the pin."""
        iso = self._pin_iso
        assert iso is not None
        self._pin_iso = None
        self.raw.before_run = None
        return iso

    def _settle_pin(self) -> None:
        iso = self._take_pin()
        row = self.raw.one(_DAY_PIN)
        _check_day((row[0] if row else "") or "", iso)

    def _roll(self, day: date, iso: str, now: datetime | None, confirm_jump: bool) -> int:
        stored: str | None = None
        if not self.pg and not confirm_jump:
            row = self.raw.one(_STORED_DAY)
            stored = (row[0] if row else "") or ""
            if stored and stored < iso and (day - date.fromisoformat(stored)).days > 1:
                raise ClockJump(
                    f"this PC's clock says {iso}, more than a day after the last service day {stored}: "
                    "if the date is right, confirm the new day; otherwise correct the clock "
                    "(nothing was changed, no ticket expired)",
                    last_day=stored, day=iso,
                )
        changed = self.raw.rowcount(_ROLL_DAY, {"iso": iso})
        if not self.pg:
            # SQLite: this transaction holds the write lock since BEGIN IMMEDIATE, so the day just
            # read (or just written) is the pin rollover() would read again
            self._stored_day = iso if changed else stored
        if not changed:
            return 0
        self.raw.run(_ROLL_COUNTERS)
        n = self.raw.rowcount(_ROLL_TICKETS, {"day": self.raw.day(day)})
        self.append_event(Event(type="day_rollover", at=now or datetime.now(timezone.utc), payload={"day": iso, "expired": n}))
        return int(n)

    def server_now(self) -> datetime | None:
        if not self.pg:
            return None
        row = self.raw.one(_SERVER_NOW)
        t = row[0] if row else None
        return t.astimezone(timezone.utc) if isinstance(t, datetime) else None

    # -- numbering and the day's counts (the count keys are the adapter's business: "seq:<prefix>",
    #    "svc:<service>", "wait:"/"waitp:" waiting and priority-waiting, "done_n:"/"done_s:" service
    #    times)
    def next_number(self, day: date, prefix: str) -> int:
        return self._bump(day, f"seq:{prefix}")

    def take_quota_slot(self, day: date, service_code: str) -> int:
        return self._bump(day, f"svc:{service_code}")

    def take_slot_and_number(self, day: date, service_code: str, prefix: str) -> tuple[int, int]:
        slot, number = f"svc:{service_code}", f"seq:{prefix}"
        params = {"day": self.raw.day(day), "k0": min(slot, number), "k1": max(slot, number)}
        if self._pin_iso is not None:  # the first statement: it carries the day's pin
            iso = self._take_pin()
            rows = self.raw.run(_SLOT_NUMBER_PINNED, params).fetchall()
            _check_day(rows[0][2] or "", iso)
        else:
            rows = self.raw.run(_SLOT_NUMBER, params).fetchall()
        got = {k: int(v) for k, v, *_ in rows}
        return got[slot], got[number]

    def _count(self, day: date, key: str) -> int:
        row = self.raw.one(_COUNT, {"day": self.raw.day(day), **shard_params("key", key)})
        return (int(row[0] or 0) if row else 0) + self._deferred_delta(day, key)

    # PostgreSQL: the waiting and service-time counts that follow a ticket's change ("wait:",
    # "waitp:", "done_n:", "done_s:") are kept and written in one statement at commit
    # (flush_counts, from before_commit), in key order, before the events: a count row of a
    # service is one row every counter changes, so it is locked only for that statement and the
    # commit instead of from the ticket's change to the end of the use case (a cycle's finish
    # held its service's done_ rows through the whole call next; issue 11). The numbering and
    # quota counts ("seq:", "svc:") stay immediate: their new value is the answer.
    def _defer(self, day: date, key: str, delta: int) -> None:
        k = (day, key)
        self._deferred[k] = self._deferred.get(k, 0) + delta

    def _deferred_delta(self, day: date, key: str) -> int:
        """What this transaction will still add to a count at commit (its reads include it)."""
        return self._deferred.get((day, key), 0) if self._deferred else 0

    def _deferred_rows(self) -> list[tuple[tuple[date, str], int]]:
        """The deferred changes as rows to add to, in key order, on one shard of each key
        (antrian.storage.sql_text.COUNT_SHARDS), the same for the whole transaction; taken."""
        shard = pick_shard()
        items = sorted(((day, f"{key}#{shard}"), by) for (day, key), by in self._deferred.items() if by)
        self._deferred = {}
        return items

    def flush_counts(self) -> None:
        if not self._deferred:
            return
        items = self._deferred_rows()
        if not items:
            return
        sql = _BUMP_MANY.get(len(items))
        if sql is None:
            sql = _BUMP_MANY.setdefault(len(items), _bump_many_sql(len(items)))
        params: dict[str, Any] = {}
        for i, ((day, key), by) in enumerate(items):
            params[f"day{i}"], params[f"key{i}"], params[f"by{i}"] = self.raw.day(day), key, by
        self.raw.run(sql, params)

    def waiting_count(self, day: date, service_code: str, priority: bool) -> int:
        """Also reads the service's times of the day in the same statement: a service_times()
        right after it (nothing run in between: the issue estimate) takes them from here."""
        key = f"waitp:{service_code}" if priority else f"wait:{service_code}"
        n_key, s_key = f"done_n:{service_code}", f"done_s:{service_code}"
        params = {"day": self.raw.day(day), **shard_params("k0", key), **shard_params("k1", n_key),
                  **shard_params("k2", s_key)}
        got: dict[str, int] = {}
        for k, v in self.raw.run(_COUNTS3, params).fetchall():  # a count's base row and its shards
            got[base_key(k)] = got.get(base_key(k), 0) + int(v)
        dd = self._deferred_delta
        self._times_read = (self.raw.statements, day, service_code,
                            ServiceTimes(int(got.get(n_key) or 0) + dd(day, n_key),
                                         int(got.get(s_key) or 0) + dd(day, s_key)))
        return int(got.get(key) or 0) + dd(day, key)

    def service_times(self, day: date, service_code: str) -> ServiceTimes:
        read = self._times_read
        if read is not None and read[0] == self.raw.statements and read[1] == day and read[2] == service_code:
            return read[3]
        return ServiceTimes(self._count(day, f"done_n:{service_code}"), self._count(day, f"done_s:{service_code}"))

    # -- tickets
    def add_waiting(self, t: Ticket) -> Ticket:
        r = self.raw
        row = r.one(_ADD_TICKET, dict(
            service_day=r.day(t.service_day), prefix=t.prefix, seq=t.seq, number=t.number,
            service_code=t.service_code, agency_code=t.agency_code, priority=t.priority,
            prio=1 if t.priority else 0, status=t.status.value, issued_at=r.ts(t.issued_at),
            arrival_at=r.ts(t.arrival_at), token=t.token, counter_code=t.counter_code, officer=t.officer,
            target_counter=t.target_counter, recall_count=t.recall_count, transferred_from=t.transferred_from,
            d=1,
        ))
        assert row is not None
        new_id = row[0]
        if not self.pg:  # PostgreSQL: counted in the same statement
            self._waiting_delta(t.service_day, t.service_code, bool(t.priority), +1)
        return t.evolve(id=new_id)

    def get_ticket(self, ticket_id: int) -> Ticket | None:
        row = self.raw.one(_GET_TICKET, {"id": ticket_id})
        return ticket_from(row) if row else None

    def find_by_token(self, token: str) -> Ticket | None:
        row = self.raw.one(_BY_TOKEN, {"token": token})
        return ticket_from(row) if row else None

    def find_by_number(self, day: date, prefix: str, seq: int) -> Ticket | None:
        row = self.raw.one(_BY_NUMBER, {"day": self.raw.day(day), "prefix": prefix, "seq": seq})
        return ticket_from(row) if row else None

    # -- counters
    def counter_state(self, code: str) -> CounterState:
        row = self.raw.one(_COUNTER_STATE, {"code": code})
        return counter_from(row) if row else CounterState(code=code)

    def counter_states(self) -> list[CounterState]:
        return [counter_from(r) for r in self.raw.run(_COUNTER_STATES).fetchall()]

    def open_counter_count(self, codes: Sequence[str]) -> int:
        if not codes:
            return 0
        sql = _OPEN_AMONG.get(len(codes))
        if sql is None:
            sql = _OPEN_AMONG.setdefault(len(codes), open_among_sql(len(codes)))
        row = self.raw.one(sql, {f"c{i}": code for i, code in enumerate(codes)})
        return int(row[0]) if row else 0
