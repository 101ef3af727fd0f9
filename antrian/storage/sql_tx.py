"""The SQL implementation of the queue's ports: one ``SqlTx`` per transaction, over a
SQLAlchemy connection, on SQLite and PostgreSQL. The per-day count keys ("seq:", "svc:",
"wait:", "waitp:", "done_n:", "done_s:") live only here; the use cases speak in intentions."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any, Callable

from sqlalchemy import and_, case, func, insert, literal, or_, select, text, update
from sqlalchemy.engine import Connection, Row

from antrian.domain.errors import ClockJump, DayRolledOver
from antrian.domain.model import CounterState, CounterStatus, Event, Status, Ticket
from antrian.services.ports import ServiceTimes, UserRecord
from antrian.storage import tables as T
from antrian.storage.read_sql import HallReadsSql

EVENT_CHANNEL = "mpp_events"
_EVENT_LOCK_KEY = 0x4D5050  # "MPP"



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


def _counter(row: Row[Any]) -> CounterState:
    m = row._mapping
    return CounterState(
        code=m["code"], status=CounterStatus(m["status"]), officer=m["officer"],
        current_ticket_id=m["current_ticket_id"], priority_streak=m["priority_streak"],
        pause_reason=m["pause_reason"], updated_at=m["updated_at"],
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


def _user(row: Row[Any]) -> UserRecord:
    m = row._mapping
    return UserRecord(
        username=m["username"], full_name=m["full_name"], role=m["role"], pin_hash=m["pin_hash"],
        disabled=bool(m["disabled"]), failed_attempts=m["failed_attempts"], locked_until=m["locked_until"],
    )


def _json_default(o: object) -> str:
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    return str(o)


class SqlTx(HallReadsSql):
    def __init__(self, conn: Connection, dialect: str, known_day: date | None = None,
                 known_counters: frozenset[str] = frozenset()):
        self.conn = conn
        self.pg = dialect == "postgresql"
        self._notify = False
        self._pending: list[Event] = []
        # what this process already knows to be in the database (skips needless writes)
        self.known_day = known_day
        self.known_counters = set(known_counters)

    def _upsert(self) -> Callable[[Any], Any]:
        """The dialect's INSERT with ON CONFLICT."""
        if self.pg:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert

    # -- day
    def rollover(self, day: date, now: datetime | None = None, confirm_jump: bool = False) -> int:
        iso = day.isoformat()
        n = 0
        if self.known_day != day:
            n = self._roll(day, iso, now, confirm_jump)
        # pin the service day until this transaction ends (a rollover waits for it), and refuse
        # to write for a day that is already over
        stmt = select(T.meta.c.value).where(T.meta.c.key == "service_day")
        stored = self.conn.execute(stmt.with_for_update(read=True) if self.pg else stmt).scalar() or ""
        if stored > iso:
            raise DayRolledOver(
                f"the hall's service day is already {stored}, but this station's clock says {iso}: "
                "check this PC's date and time",
                stored=stored, day=iso,
            )
        self.known_day = day
        return n

    def _roll(self, day: date, iso: str, now: datetime | None, confirm_jump: bool) -> int:
        if not self.pg and not confirm_jump:
            stored = self.conn.execute(select(T.meta.c.value).where(T.meta.c.key == "service_day")).scalar() or ""
            if stored and stored < iso and (day - date.fromisoformat(stored)).days > 1:
                raise ClockJump(
                    f"this PC's clock says {iso}, more than a day after the last service day {stored}: "
                    "if the date is right, confirm the new day; otherwise correct the clock "
                    "(nothing was changed, no ticket expired)",
                    last_day=stored, day=iso,
                )
        changed = self.conn.execute(
            update(T.meta).where(T.meta.c.key == "service_day", T.meta.c.value < iso).values(value=iso)
        ).rowcount
        if not changed:
            return 0
        open_states = [s.value for s in (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)]
        self.conn.execute(
            update(T.counters).values(current_ticket_id=None, priority_streak=0, status=CounterStatus.CLOSED.value,
                                      pause_reason=None)
        )
        n = self.conn.execute(
            update(T.tickets)
            .where(T.tickets.c.service_day < day, T.tickets.c.status.in_(open_states))
            .values(status=Status.EXPIRED.value)
        ).rowcount
        self.append_event(Event(type="day_rollover", at=now or datetime.now(timezone.utc), payload={"day": iso, "expired": n}))
        return int(n)

    def server_now(self) -> datetime | None:
        if not self.pg:
            return None
        t = self.conn.execute(text("SELECT statement_timestamp()")).scalar_one()
        return t.astimezone(timezone.utc) if isinstance(t, datetime) else None

    # -- numbering (the count keys are this adapter's business: "seq:<prefix>", "svc:<service>",
    #    "wait:"/"waitp:" waiting and priority-waiting, "done_n:"/"done_s:" service times)
    def _bump(self, day: date, key: str, by: int = 1) -> int:
        ins = self._upsert()
        stmt = ins(T.daily_counts).values(day=day, key=key, value=by)
        stmt = stmt.on_conflict_do_update(
            index_elements=[T.daily_counts.c.day, T.daily_counts.c.key],
            set_={"value": T.daily_counts.c.value + by},
        ).returning(T.daily_counts.c.value)
        return int(self.conn.execute(stmt).scalar_one())

    def _count(self, day: date, key: str) -> int:
        v = self.conn.execute(
            select(T.daily_counts.c.value).where(T.daily_counts.c.day == day, T.daily_counts.c.key == key)
        ).scalar()
        return int(v or 0)

    def _waiting_delta(self, day: date, service_code: str, priority: bool, delta: int) -> None:
        self._bump(day, f"wait:{service_code}", delta)
        if priority:
            self._bump(day, f"waitp:{service_code}", delta)

    def next_number(self, day: date, prefix: str) -> int:
        return self._bump(day, f"seq:{prefix}")

    def take_quota_slot(self, day: date, service_code: str) -> int:
        return self._bump(day, f"svc:{service_code}")

    def issued_count(self, day: date, service_code: str) -> int:
        return self._count(day, f"svc:{service_code}")

    def issued_counts(self, day: date) -> dict[str, int]:
        rows = self.conn.execute(
            select(T.daily_counts.c.key, T.daily_counts.c.value).where(
                T.daily_counts.c.day == day, T.daily_counts.c.key.startswith("svc:")
            )
        )
        return {k[4:]: int(v) for k, v in rows}

    def waiting_count(self, day: date, service_code: str, priority: bool) -> int:
        return self._count(day, f"waitp:{service_code}" if priority else f"wait:{service_code}")

    def service_times(self, day: date, service_code: str) -> ServiceTimes:
        return ServiceTimes(self._count(day, f"done_n:{service_code}"), self._count(day, f"done_s:{service_code}"))

    def set_waiting_count(self, day: date, service_code: str, priority: bool, value: int) -> None:
        key = f"waitp:{service_code}" if priority else f"wait:{service_code}"
        stmt = self._upsert()(T.daily_counts).values(day=day, key=key, value=value)
        self.conn.execute(stmt.on_conflict_do_update(
            index_elements=[T.daily_counts.c.day, T.daily_counts.c.key], set_={"value": value}))

    # -- tickets
    def add_waiting(self, t: Ticket) -> Ticket:
        new_id = self.conn.execute(
            insert(T.tickets)
            .values(
                service_day=t.service_day, prefix=t.prefix, seq=t.seq, number=t.number,
                service_code=t.service_code, agency_code=t.agency_code, priority=t.priority,
                prio=1 if t.priority else 0, status=t.status.value, issued_at=t.issued_at,
                arrival_at=t.arrival_at, token=t.token, counter_code=t.counter_code, officer=t.officer,
                target_counter=t.target_counter, recall_count=t.recall_count, transferred_from=t.transferred_from,
            )
            .returning(T.tickets.c.id)
        ).scalar_one()
        self._waiting_delta(t.service_day, t.service_code, t.is_priority, +1)
        return t.evolve(id=new_id)

    def get_ticket(self, ticket_id: int) -> Ticket | None:
        row = self.conn.execute(select(T.tickets).where(T.tickets.c.id == ticket_id)).first()
        return _ticket(row) if row else None

    def find_by_token(self, token: str) -> Ticket | None:
        row = self.conn.execute(
            select(T.tickets).where(T.tickets.c.token == token).order_by(T.tickets.c.id.desc()).limit(1)
        ).first()
        return _ticket(row) if row else None

    def find_by_number(self, day: date, prefix: str, seq: int) -> Ticket | None:
        row = self.conn.execute(
            select(T.tickets)
            .where(T.tickets.c.service_day == day, T.tickets.c.prefix == prefix, T.tickets.c.seq == seq)
            .order_by(T.tickets.c.id.desc())
            .limit(1)
        ).first()
        return _ticket(row) if row else None

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

    def _guarded(self, ticket_id: int, read_status: Status, **values: Any) -> Any:
        """UPDATE ... WHERE id = :id AND status = :read_status; the row's (day, service, prio) if
        it applied, else None."""
        c = T.tickets.c
        return self.conn.execute(
            update(T.tickets)
            .where(c.id == ticket_id, c.status == Status(read_status).value)
            .values(**values)
            .returning(c.service_day, c.service_code, c.prio)
        ).first()

    def claim_for_counter(self, ticket_id: int, read_status: Status, counter_code: str,
                          officer: str | None, at: datetime) -> bool:
        values: dict[str, Any] = dict(status=Status.CALLED.value, counter_code=counter_code, called_at=at)
        if officer is not None or read_status == Status.WAITING:
            values["officer"] = officer
        row = self._guarded(ticket_id, read_status, **values)
        if row is not None and read_status == Status.WAITING:
            self._waiting_delta(row[0], row[1], bool(row[2]), -1)
        return row is not None

    def mark_recalled(self, ticket_id: int, read_status: Status, read_recalls: int) -> bool:
        c = T.tickets.c
        return self.conn.execute(
            update(T.tickets)
            .where(c.id == ticket_id, c.status == Status(read_status).value, c.recall_count == read_recalls)
            .values(recall_count=read_recalls + 1)
        ).rowcount == 1

    def mark_serving(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.SERVING.value, started_at=at) is not None

    def mark_finished(self, ticket_id: int, read_status: Status, started_at: datetime, at: datetime,
                      service_seconds: int) -> bool:
        row = self._guarded(ticket_id, read_status, status=Status.DONE.value, started_at=started_at,
                            finished_at=at)
        if row is not None:
            self._bump(row[0], f"done_n:{row[1]}")
            self._bump(row[0], f"done_s:{row[1]}", service_seconds)
        return row is not None

    def mark_no_show(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.NO_SHOW.value, finished_at=at) is not None

    def mark_parked(self, ticket_id: int, read_status: Status) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.PARKED.value) is not None

    def mark_transferred(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.TRANSFERRED.value, finished_at=at) is not None

    def mark_cancelled(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        row = self._guarded(ticket_id, read_status, status=Status.CANCELLED.value, finished_at=at)
        if row is not None and read_status == Status.WAITING:
            self._waiting_delta(row[0], row[1], bool(row[2]), -1)
        return row is not None

    def requeue(self, ticket_id: int, read_status: Status) -> bool:
        row = self._guarded(ticket_id, read_status, status=Status.WAITING.value, counter_code=None,
                            called_at=None, started_at=None)
        if row is not None:
            self._waiting_delta(row[0], row[1], bool(row[2]), +1)
        return row is not None

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
        ins = self._upsert()
        self.conn.execute(ins(T.counters).values(code=code).on_conflict_do_nothing(index_elements=[T.counters.c.code]))

    def counter_state(self, code: str) -> CounterState:
        row = self.conn.execute(select(T.counters).where(T.counters.c.code == code)).first()
        return _counter(row) if row else CounterState(code=code)

    def counter_states(self) -> list[CounterState]:
        return [_counter(r) for r in self.conn.execute(select(T.counters).order_by(T.counters.c.code))]

    def lock_counter(self, code: str) -> CounterState:
        self._ensure_counter(code)
        row = self.conn.execute(select(T.counters).where(T.counters.c.code == code).with_for_update()).first()
        return _counter(row) if row else CounterState(code=code)

    def seat_ticket(self, code: str, ticket_id: int, officer: str | None, at: datetime,
                    priority_streak: int | None = None) -> bool:
        self._ensure_counter(code)
        c = T.counters.c
        values: dict[str, Any] = dict(current_ticket_id=ticket_id, status=CounterStatus.OPEN.value,
                                      pause_reason=None, updated_at=at)
        if officer:
            values["officer"] = officer
        if priority_streak is not None:
            values["priority_streak"] = priority_streak
        stmt = update(T.counters).where(c.code == code, c.current_ticket_id.is_(None)).values(**values)
        return self.conn.execute(stmt).rowcount == 1

    def release_ticket(self, code: str, ticket_id: int) -> bool:
        c = T.counters.c
        stmt = update(T.counters).where(c.code == code, c.current_ticket_id == ticket_id)
        return self.conn.execute(stmt.values(current_ticket_id=None)).rowcount == 1

    def set_counter_status(self, code: str, status: CounterStatus, officer: str | None,
                           reason: str | None, at: datetime) -> None:
        self._ensure_counter(code)
        values: dict[str, Any] = dict(status=CounterStatus(status).value, pause_reason=reason, updated_at=at)
        if officer:
            values["officer"] = officer
        self.conn.execute(update(T.counters).where(T.counters.c.code == code).values(**values))

    def close_counter(self, code: str, read_current: int | None, at: datetime) -> bool:
        self._ensure_counter(code)
        c = T.counters.c
        guard = c.current_ticket_id.is_(None) if read_current is None else c.current_ticket_id == read_current
        stmt = update(T.counters).where(c.code == code, guard).values(
            current_ticket_id=None, status=CounterStatus.CLOSED.value, pause_reason=None, updated_at=at,
            priority_streak=0,
        )
        return self.conn.execute(stmt).rowcount == 1

    # -- events
    def append_event(self, e: Event) -> int:
        """On PostgreSQL the event is written when the transaction commits (before_commit): the
        lock that hands out ids in commit order is then the LAST lock a transaction takes (lock
        order: counter row, ticket rows, counts, the event append), so no transaction holds it
        while waiting for a row another one holds. The id is known from then on (0 until)."""
        if self.pg:
            self._pending.append(e)
            self._notify = True
            return 0
        return self._insert_events([e])[-1]

    def _insert_events(self, events: list[Event]) -> list[int]:
        ids = []
        for e in events:
            ids.append(int(self.conn.execute(
                insert(T.events)
                .values(
                    at=e.at, type=e.type, ticket_id=e.ticket_id, number=e.number, counter_code=e.counter_code,
                    officer=e.officer, service_code=e.service_code,
                    payload=json.dumps(e.payload, default=_json_default, separators=(",", ":")),
                )
                .returning(T.events.c.id)
            ).scalar_one()))
        return ids

    def _flush_events(self) -> None:
        if not self._pending:
            return
        # ids in commit order: the lock is held until this transaction ends
        self.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVENT_LOCK_KEY})
        pending, self._pending = self._pending, []
        self._insert_events(pending)

    def before_commit(self) -> None:
        self._flush_events()
        if self._notify:
            self.conn.execute(text(f"NOTIFY {EVENT_CHANNEL}"))

    def events_after(self, after_id: int, limit: int = 500) -> list[Event]:
        self._flush_events()
        rows = self.conn.execute(
            select(T.events).where(T.events.c.id > after_id).order_by(T.events.c.id).limit(limit)
        )
        return [_event(r) for r in rows]

    def events_between(self, start: datetime, end: datetime) -> list[Event]:
        self._flush_events()
        rows = self.conn.execute(
            select(T.events).where(and_(T.events.c.at >= start, T.events.c.at < end)).order_by(T.events.c.id)
        )
        return [_event(r) for r in rows]

    def last_event_id(self) -> int:
        self._flush_events()
        return int(self.conn.execute(select(func.max(T.events.c.id))).scalar() or 0)

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
