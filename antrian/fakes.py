"""An in-memory QueueStore implementing the same ports as antrian.storage.db, for tests, demos
and quick experiments: same answers, same compare-and-set guards, same rollover, no database.

A write transaction works on a copy of the state under a lock and replaces the state when it
leaves without an exception (so an exception rolls everything back); a read works on a
snapshot. Nothing is shared between instances."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from antrian.domain.errors import ClockJump, DayRolledOver
from antrian.domain.model import OPEN_STATUSES, CounterState, CounterStatus, Event, Status, Ticket
from antrian.services.ports import (
    Clock,
    QueueStore,
    QueueTx,
    CounterSnapshot,
    HallSnapshot,
    ServiceCounts,
    ServiceTimes,
    SystemClock,
    UserRecord,
)


def _json_default(o: object) -> str:
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    return str(o)


@dataclass
class _State:
    service_day: str = ""
    tickets: dict[int, Ticket] = field(default_factory=dict)
    counters: dict[str, CounterState] = field(default_factory=dict)
    counts: dict[tuple[date, str], int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    users: dict[str, UserRecord] = field(default_factory=dict)
    next_ticket_id: int = 1

    def copy(self) -> _State:
        return _State(self.service_day, dict(self.tickets), dict(self.counters), dict(self.counts),
                      list(self.events), dict(self.users), self.next_ticket_id)


class FakeTx(QueueTx):
    """One transaction over a private copy of the store's state."""

    def __init__(self, state: _State):
        self.s = state

    # -- service days
    def rollover(self, day: date, now: datetime | None = None, confirm_jump: bool = False) -> int:
        iso = day.isoformat()
        stored = self.s.service_day
        if stored > iso:
            raise DayRolledOver(f"the hall's service day is already {stored}, but this station's clock says {iso}",
                                stored=stored, day=iso)
        if stored == iso:
            return 0
        if stored and not confirm_jump and (day - date.fromisoformat(stored)).days > 1:
            raise ClockJump(f"this PC's clock says {iso}, more than a day after the last service day {stored}",
                            last_day=stored, day=iso)
        self.s.service_day = iso
        for code, st in self.s.counters.items():
            self.s.counters[code] = replace(st, current_ticket_id=None, priority_streak=0,
                                            status=CounterStatus.CLOSED, pause_reason=None)
        n = 0
        for tid, t in self.s.tickets.items():
            if t.service_day < day and t.status in OPEN_STATUSES:
                self.s.tickets[tid] = t.evolve(status=Status.EXPIRED)
                n += 1
        self.append_event(Event(type="day_rollover", at=now or datetime.now(timezone.utc),
                                payload={"day": iso, "expired": n}))
        return n

    def server_now(self) -> datetime | None:
        return None

    # -- numbering
    def _bump(self, day: date, key: str, by: int = 1) -> int:
        v = self.s.counts.get((day, key), 0) + by
        self.s.counts[(day, key)] = v
        return v

    def _count(self, day: date, key: str) -> int:
        return self.s.counts.get((day, key), 0)

    def _waiting_delta(self, t: Ticket, delta: int) -> None:
        self._bump(t.service_day, f"wait:{t.service_code}", delta)
        if t.is_priority:
            self._bump(t.service_day, f"waitp:{t.service_code}", delta)

    def next_number(self, day: date, prefix: str) -> int:
        return self._bump(day, f"seq:{prefix}")

    def take_quota_slot(self, day: date, service_code: str) -> int:
        return self._bump(day, f"svc:{service_code}")

    def take_slot_and_number(self, day: date, service_code: str, prefix: str) -> tuple[int, int]:
        return self.take_quota_slot(day, service_code), self.next_number(day, prefix)

    def issued_count(self, day: date, service_code: str) -> int:
        return self._count(day, f"svc:{service_code}")

    def issued_counts(self, day: date) -> dict[str, int]:
        return {k[4:]: v for (d, k), v in self.s.counts.items() if d == day and k.startswith("svc:")}

    def waiting_count(self, day: date, service_code: str, priority: bool) -> int:
        return self._count(day, f"waitp:{service_code}" if priority else f"wait:{service_code}")

    def service_times(self, day: date, service_code: str) -> ServiceTimes:
        return ServiceTimes(self._count(day, f"done_n:{service_code}"), self._count(day, f"done_s:{service_code}"))

    def set_waiting_count(self, day: date, service_code: str, priority: bool, value: int) -> None:
        self.s.counts[(day, f"waitp:{service_code}" if priority else f"wait:{service_code}")] = value

    # -- tickets: reading
    def get_ticket(self, ticket_id: int) -> Ticket | None:
        return self.s.tickets.get(ticket_id)

    def _newest(self, rows: list[Ticket]) -> Ticket | None:
        return max(rows, key=lambda t: t.id or 0, default=None)

    def find_by_token(self, token: str) -> Ticket | None:
        return self._newest([t for t in self.s.tickets.values() if t.token == token])

    def find_by_number(self, day: date, prefix: str, seq: int) -> Ticket | None:
        return self._newest([t for t in self.s.tickets.values()
                             if t.service_day == day and t.prefix == prefix and t.seq == seq])

    def oldest_waiting(self, service_code: str, priority: bool, counter_code: str) -> Ticket | None:
        rows = [t for t in self.s.tickets.values()
                if t.status == Status.WAITING and t.service_code == service_code and t.is_priority == priority
                and t.target_counter in (None, counter_code)]
        return min(rows, key=lambda t: (t.arrival_at, t.id or 0), default=None)

    def next_candidates(self, service_codes: tuple[str, ...] | list[str],
                        counter_code: str) -> tuple[Ticket | None, Ticket | None]:
        def best(priority: bool) -> Ticket | None:
            found = [t for t in (self.oldest_waiting(c, priority, counter_code) for c in service_codes) if t]
            return min(found, key=lambda t: (t.arrival_at, t.id or 0), default=None)

        return best(True), best(False)

    def open_tickets(self, day: date) -> list[Ticket]:
        rows = [t for t in self.s.tickets.values() if t.service_day == day and t.status in OPEN_STATUSES]
        return sorted(rows, key=lambda t: (t.arrival_at, t.id or 0))

    def tickets_between(self, start: datetime, end: datetime) -> list[Ticket]:
        return sorted((t for t in self.s.tickets.values() if start <= t.issued_at < end), key=lambda t: t.id or 0)

    # -- hall reads (the same answers as antrian.storage.read_sql, by plain scans)
    def service_counts(self, day: date) -> dict[str, ServiceCounts]:
        fields = {"svc": "issued", "wait": "waiting", "waitp": "waiting_priority"}
        out: dict[str, dict[str, int]] = {}
        for (d, key), v in self.s.counts.items():
            kind, _, service = key.partition(":")
            if d == day and kind in fields:
                out.setdefault(service, {})[fields[kind]] = v
        return {s: ServiceCounts(**v) for s, v in out.items()}

    def _waiting_of(self, day: date) -> list[Ticket]:
        return [t for t in self.s.tickets.values() if t.service_day == day and t.status == Status.WAITING]

    def oldest_arrivals(self, day: date, service_codes: Sequence[str]) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        for t in self._waiting_of(day):
            if t.service_code in service_codes and (t.service_code not in out or t.arrival_at < out[t.service_code]):
                out[t.service_code] = t.arrival_at
        return out

    def next_in_line(self, day: date, counter_code: str, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        rows = [t for t in self._waiting_of(day)
                if t.target_counter == counter_code or (t.target_counter is None and t.service_code in service_codes)]
        rows.sort(key=lambda t: (not t.is_priority, t.arrival_at, t.id or 0))
        return rows[:max(0, limit)]

    def oldest_open(self, day: date, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        codes = set(service_codes)
        rows = [t for t in self.s.tickets.values() if t.service_day == day and (
            t.status == Status.PARKED or (t.status == Status.WAITING and t.service_code in codes))]
        rows.sort(key=lambda t: (t.arrival_at, t.id or 0))
        return rows[:max(0, limit)]

    def parked_at(self, day: date, counter_code: str) -> list[Ticket]:
        rows = [t for t in self.s.tickets.values()
                if t.service_day == day and t.status == Status.PARKED and t.counter_code == counter_code]
        return sorted(rows, key=lambda t: (t.arrival_at, t.id or 0))

    def open_tickets_by_id(self, day: date, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        found = (self.s.tickets.get(i) for i in set(ticket_ids))
        return {t.id or 0: t for t in found if t is not None and t.service_day == day and t.status in OPEN_STATUSES}

    def hall_snapshot(self, day: date, service_codes: Sequence[str]) -> HallSnapshot:
        states = self.counter_states()
        held = [st.current_ticket_id for st in states if st.current_ticket_id is not None]
        return HallSnapshot(self.service_counts(day), self.oldest_arrivals(day, service_codes), states,
                            self.open_tickets_by_id(day, held))

    def counter_snapshot(self, day: date, counter_code: str, service_codes: Sequence[str],
                         limit: int) -> CounterSnapshot:
        st = self.counter_state(counter_code)
        cur = self.get_ticket(st.current_ticket_id) if st.current_ticket_id else None
        return CounterSnapshot(st, cur, self.next_in_line(day, counter_code, service_codes, limit),
                               self.parked_at(day, counter_code))

    def people_ahead(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                     ticket_id: int | None = None) -> int:
        before = self.count_waiting_before(day, service_code, priority, arrival_at, ticket_id)
        return before if priority else self.waiting_count(day, service_code, True) + before

    def count_waiting_before(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                             ticket_id: int | None = None) -> int:
        return sum(1 for t in self._waiting_of(day)
                   if t.service_code == service_code and t.is_priority == priority
                   and (t.arrival_at < arrival_at
                        or (t.arrival_at == arrival_at and (ticket_id is None or (t.id or 0) < ticket_id))))

    # -- tickets: writing
    def add_waiting(self, ticket: Ticket) -> Ticket:
        t = ticket.evolve(id=self.s.next_ticket_id)
        self.s.next_ticket_id += 1
        self.s.tickets[t.id or 0] = t
        self._waiting_delta(t, +1)
        return t

    def _guarded(self, ticket_id: int, read_status: Status, **changes: Any) -> Ticket | None:
        """The ticket as it was, if it had ``read_status`` and was changed; else None."""
        t = self.s.tickets.get(ticket_id)
        if t is None or t.status != Status(read_status):
            return None
        self.s.tickets[ticket_id] = t.evolve(**changes)
        return t

    def claim_for_counter(self, ticket_id: int, read_status: Status, counter_code: str,
                          officer: str | None, at: datetime) -> bool:
        changes: dict[str, Any] = dict(status=Status.CALLED, counter_code=counter_code, called_at=at)
        if officer is not None or read_status == Status.WAITING:
            changes["officer"] = officer
        t = self._guarded(ticket_id, read_status, **changes)
        if t is not None and read_status == Status.WAITING:
            self._waiting_delta(t, -1)
        return t is not None

    def mark_recalled(self, ticket_id: int, read_status: Status, read_recalls: int) -> bool:
        t = self.s.tickets.get(ticket_id)
        if t is None or t.recall_count != read_recalls:
            return False
        return self._guarded(ticket_id, read_status, recall_count=read_recalls + 1) is not None

    def mark_serving(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.SERVING, started_at=at) is not None

    def mark_finished(self, ticket_id: int, read_status: Status, started_at: datetime, at: datetime,
                      service_seconds: int) -> bool:
        t = self._guarded(ticket_id, read_status, status=Status.DONE, started_at=started_at, finished_at=at)
        if t is not None:
            self._bump(t.service_day, f"done_n:{t.service_code}")
            self._bump(t.service_day, f"done_s:{t.service_code}", service_seconds)
        return t is not None

    def mark_no_show(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.NO_SHOW, finished_at=at) is not None

    def mark_parked(self, ticket_id: int, read_status: Status) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.PARKED) is not None

    def mark_transferred(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        return self._guarded(ticket_id, read_status, status=Status.TRANSFERRED, finished_at=at) is not None

    def mark_cancelled(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        t = self._guarded(ticket_id, read_status, status=Status.CANCELLED, finished_at=at)
        if t is not None and read_status == Status.WAITING:
            self._waiting_delta(t, -1)
        return t is not None

    def requeue(self, ticket_id: int, read_status: Status) -> bool:
        t = self._guarded(ticket_id, read_status, status=Status.WAITING, counter_code=None, called_at=None,
                          started_at=None)
        if t is not None:
            self._waiting_delta(t, +1)
        return t is not None

    # -- counters
    def counter_state(self, code: str) -> CounterState:
        return self.s.counters.get(code) or CounterState(code=code)

    def counter_states(self) -> list[CounterState]:
        return [self.s.counters[c] for c in sorted(self.s.counters)]

    def open_counter_count(self, codes: Sequence[str]) -> int:
        states = (self.s.counters.get(c) for c in set(codes))
        return sum(1 for st in states if st is not None and st.status == CounterStatus.OPEN)

    def lock_counter(self, code: str) -> CounterState:
        return self._ensure(code)  # a write transaction holds the store's lock already

    def _ensure(self, code: str) -> CounterState:
        return self.s.counters.setdefault(code, CounterState(code=code))

    def seat_ticket(self, code: str, ticket_id: int, officer: str | None, at: datetime,
                    priority_streak: int | None = None) -> bool:
        st = self._ensure(code)
        if st.current_ticket_id is not None:
            return False
        self.s.counters[code] = replace(
            st, current_ticket_id=ticket_id, status=CounterStatus.OPEN, pause_reason=None, updated_at=at,
            officer=officer or st.officer,
            priority_streak=st.priority_streak if priority_streak is None else priority_streak,
        )
        return True

    def call_to_counter(self, ticket_id: int, code: str, officer: str | None, at: datetime,
                        priority_streak: int) -> bool | None:
        if not self.claim_for_counter(ticket_id, Status.WAITING, code, officer, at):
            return None
        return self.seat_ticket(code, ticket_id, officer, at, priority_streak)

    def finish_at_counter(self, code: str, ticket_id: int, read_status: Status, started_at: datetime,
                          at: datetime, service_seconds: int) -> bool | None:
        if not self.mark_finished(ticket_id, read_status, started_at, at, service_seconds):
            return None
        return self.release_ticket(code, ticket_id)

    def release_ticket(self, code: str, ticket_id: int) -> bool:
        st = self.s.counters.get(code)
        if st is None or st.current_ticket_id != ticket_id:
            return False
        self.s.counters[code] = replace(st, current_ticket_id=None)
        return True

    def set_counter_status(self, code: str, status: CounterStatus, officer: str | None,
                           reason: str | None, at: datetime) -> None:
        st = self._ensure(code)
        self.s.counters[code] = replace(st, status=CounterStatus(status), pause_reason=reason, updated_at=at,
                                        officer=officer or st.officer)

    def close_counter(self, code: str, read_current: int | None, at: datetime) -> bool:
        st = self._ensure(code)
        if st.current_ticket_id != read_current:
            return False
        self.s.counters[code] = replace(st, current_ticket_id=None, status=CounterStatus.CLOSED,
                                        pause_reason=None, updated_at=at, priority_streak=0)
        return True

    # -- events
    def append_event(self, event: Event) -> int:
        new_id = len(self.s.events) + 1
        payload = json.loads(json.dumps(event.payload, default=_json_default))
        self.s.events.append(replace(event, id=new_id, payload=payload))
        return new_id

    def events_after(self, after_id: int, limit: int = 500) -> list[Event]:
        return self.s.events[max(0, after_id):max(0, after_id) + limit]

    def events_between(self, start: datetime, end: datetime) -> list[Event]:
        return [e for e in self.s.events if start <= e.at < end]

    def last_event_id(self) -> int:
        return len(self.s.events)

    # -- users
    def get_user(self, username: str) -> UserRecord | None:
        return self.s.users.get(username)

    def list_users(self) -> list[UserRecord]:
        return [self.s.users[u] for u in sorted(self.s.users)]

    def save_user(self, user: UserRecord) -> None:
        self.s.users[user.username] = user

    def record_failed_login(self, username: str, now: datetime, max_attempts: int,
                            lock_until: datetime) -> int | None:
        user = self.s.users.get(username)
        if user is None or (user.locked_until is not None and user.locked_until > now):
            return None
        attempts = user.failed_attempts + 1
        if attempts >= max_attempts:
            self.s.users[username] = replace(user, failed_attempts=0, locked_until=lock_until)
            return max_attempts
        self.s.users[username] = replace(user, failed_attempts=attempts)
        return attempts


class FakeStore:
    """The QueueStore in memory (see the module docstring)."""

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.Lock()

    def describe(self) -> str:
        return "memory (fake store)"

    def default_clock(self) -> Clock:
        return SystemClock()

    @contextmanager
    def transaction(self) -> Iterator[FakeTx]:
        with self._lock:
            tx = FakeTx(self._state.copy())
            yield tx
            self._state = tx.s

    @contextmanager
    def read(self) -> Iterator[FakeTx]:
        with self._lock:
            snapshot = self._state.copy()
        yield FakeTx(snapshot)

    def snapshot(self) -> FakeTx:
        """A read-only look at the current state (for tests that check what was stored)."""
        with self._lock:
            return FakeTx(self._state.copy())

    def dispose(self) -> None:
        pass


if TYPE_CHECKING:  # mypy checks that the fake implements every port

    def _implements_the_ports(store: FakeStore) -> QueueStore:
        return store
