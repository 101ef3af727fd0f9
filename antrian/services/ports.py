"""Ports: what the use cases need from the outside world. Adapters (antrian.storage.db, the
in-memory antrian.fakes) implement them.

A transaction is split by concern into small protocols (service days, numbering, tickets,
counters, the event log, users); ``QueueTx`` is all of them together. The use cases speak in
intentions (``claim_for_counter``, ``mark_finished``, ``next_number`` ...), never in columns or
count keys.

Compare-and-set: every conditional ticket update takes the exact status the use case read
(``WHERE id = :id AND status = :status_read``) and returns whether it applied; the use case
checks the answer. The per-day waiting counts (what "people ahead" reads) and the service-time
totals change inside the same operation, under the same guard, so they never drift from the
tickets.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Protocol

from antrian.domain.model import CounterState, CounterStatus, Event, Status, Ticket


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass(frozen=True)
class UserRecord:
    username: str
    full_name: str
    role: str
    pin_hash: str
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class ServiceTimes:
    """Tickets of one service finished today and their total service time (for the average)."""

    finished: int = 0
    total_seconds: int = 0


@dataclass(frozen=True)
class ServiceCounts:
    """One service's counts of the day: tickets issued, waiting, waiting in the priority line."""

    issued: int = 0
    waiting: int = 0
    waiting_priority: int = 0


@dataclass(frozen=True)
class HallSnapshot:
    """What ``status()`` reads, in one snapshot: the day's counts of every service, the earliest
    waiting arrival of the services asked for, every counter's state, and the open tickets of the
    day the counters hold (by id)."""

    counts: dict[str, ServiceCounts]
    oldest: dict[str, datetime]
    states: list[CounterState]
    held: dict[int, Ticket]


@dataclass(frozen=True)
class CounterSnapshot:
    """What ``counter_view()`` reads, in one snapshot: the counter's state, its current ticket
    (any day or status, None when it holds none), the next few in line for it, its parked tickets."""

    state: CounterState
    current: Ticket | None
    next: list[Ticket]
    parked: list[Ticket]


class ServiceDays(Protocol):
    def rollover(self, day: date, now: datetime | None = None, confirm_jump: bool = False) -> int:
        """Make ``day`` the current service day. The first call on a new day expires the open
        tickets of earlier days and closes every counter; returns how many tickets expired.

        Serialised with the rollover: the stored day is pinned (read with a share lock on
        PostgreSQL) until the transaction ends; if it is already later than ``day`` (the clock
        was read before another station rolled the day over) DayRolledOver is raised, so no
        ticket is written for a day already over. SQLite: a ``day`` more than one day past the
        stored one raises ClockJump unless ``confirm_jump``."""
        ...

    def server_now(self) -> datetime | None:
        """The database server's clock (aware UTC) where there is one (PostgreSQL), else None."""
        ...


class Numbering(Protocol):
    """The day's numbers and quotas."""

    def next_number(self, day: date, prefix: str) -> int:
        """The next sequence number of an agency prefix on ``day`` (1, 2, 3 ...)."""
        ...

    def take_quota_slot(self, day: date, service_code: str) -> int:
        """Count one more ticket issued for a service on ``day``; returns the new total."""
        ...

    def take_slot_and_number(self, day: date, service_code: str, prefix: str) -> tuple[int, int]:
        """take_quota_slot and next_number in one write where the store can: (the service's
        new total, the prefix's next number)."""
        ...

    def issued_count(self, day: date, service_code: str) -> int: ...

    def issued_counts(self, day: date) -> dict[str, int]:
        """Tickets issued on ``day`` per service code (services with none are left out)."""
        ...

    def waiting_count(self, day: date, service_code: str, priority: bool) -> int:
        """People waiting for a service on ``day`` (``priority``: only the priority line)."""
        ...

    def service_times(self, day: date, service_code: str) -> ServiceTimes: ...

    def set_waiting_count(self, day: date, service_code: str, priority: bool, value: int) -> None:
        """Overwrite a waiting count (the doctor's repair, from a recount of the rows)."""
        ...


class Tickets(Protocol):
    # -- reading
    def get_ticket(self, ticket_id: int) -> Ticket | None: ...
    def find_by_token(self, token: str) -> Ticket | None: ...
    def find_by_number(self, day: date, prefix: str, seq: int) -> Ticket | None: ...
    def oldest_waiting(self, service_code: str, priority: bool, counter_code: str) -> Ticket | None: ...

    def next_candidates(self, service_codes: tuple[str, ...] | list[str],
                        counter_code: str) -> tuple[Ticket | None, Ticket | None]:
        """Call next's two candidates among ``service_codes`` in one read: the oldest waiting
        priority ticket and the oldest waiting regular one (each by arrival, then id), taking
        tickets sent to ``counter_code`` by name or to no counter."""
        ...
    def open_tickets(self, day: date) -> list[Ticket]: ...
    def tickets_between(self, start: datetime, end: datetime) -> list[Ticket]: ...

    # -- writing
    def add_waiting(self, ticket: Ticket) -> Ticket:
        """Store a new waiting ticket (and count it as waiting); returns it with its id."""
        ...

    def claim_for_counter(self, ticket_id: int, read_status: Status, counter_code: str,
                          officer: str | None, at: datetime) -> bool:
        """waiting/parked -> called at a counter (a waiting ticket stops counting as waiting)."""
        ...

    def mark_recalled(self, ticket_id: int, read_status: Status, read_recalls: int) -> bool:
        """recall_count ``read_recalls`` -> ``read_recalls + 1`` (guarded on both the status and
        the count read, so two recalls from one stale read cannot both apply)."""
        ...
    def mark_serving(self, ticket_id: int, read_status: Status, at: datetime) -> bool: ...

    def mark_finished(self, ticket_id: int, read_status: Status, started_at: datetime, at: datetime,
                      service_seconds: int) -> bool:
        """-> done; adds ``service_seconds`` to the day's service times of its service."""
        ...

    def mark_no_show(self, ticket_id: int, read_status: Status, at: datetime) -> bool: ...
    def mark_parked(self, ticket_id: int, read_status: Status) -> bool: ...
    def mark_transferred(self, ticket_id: int, read_status: Status, at: datetime) -> bool: ...

    def mark_cancelled(self, ticket_id: int, read_status: Status, at: datetime) -> bool:
        """-> cancelled (a waiting ticket stops counting as waiting)."""
        ...

    def requeue(self, ticket_id: int, read_status: Status) -> bool:
        """called/serving -> waiting again, off any counter (counts as waiting again)."""
        ...


class Counters(Protocol):
    def counter_state(self, code: str) -> CounterState: ...
    def counter_states(self) -> list[CounterState]: ...

    def open_counter_count(self, codes: Sequence[str]) -> int:
        """How many of the counters ``codes`` are open (the issue estimate: one count, not every
        counter's state)."""
        ...

    def lock_counter(self, code: str) -> CounterState:
        """The counter's state, its row locked until the transaction ends (PostgreSQL; SQLite's
        BEGIN IMMEDIATE already serialises writers). Lock order in every use case: the counter
        row first, then ticket rows, then the event append."""
        ...

    def seat_ticket(self, code: str, ticket_id: int, officer: str | None, at: datetime,
                    priority_streak: int | None = None) -> bool:
        """Give a free counter its ticket (and open it); False if it already holds one."""
        ...

    def call_to_counter(self, ticket_id: int, code: str, officer: str | None, at: datetime,
                        priority_streak: int) -> bool | None:
        """Call next's write: claim_for_counter of a waiting ticket, then seat_ticket if it
        applied (one statement where the store can). None: the claim did not apply (the ticket
        is no longer waiting); False: claimed, but the counter already holds a ticket."""
        ...

    def release_ticket(self, code: str, ticket_id: int) -> bool:
        """The counter no longer holds ``ticket_id``; False if it did not hold it."""
        ...

    def finish_at_counter(self, code: str, ticket_id: int, read_status: Status, started_at: datetime,
                          at: datetime, service_seconds: int) -> bool | None:
        """Finish's write: mark_finished, then release_ticket if it applied (one statement where
        the store can). None: the finish did not apply (the ticket changed); False: finished,
        but the counter no longer held the ticket."""
        ...

    def set_counter_status(self, code: str, status: CounterStatus, officer: str | None,
                           reason: str | None, at: datetime) -> None:
        """Open or pause a counter (``officer`` None keeps the one recorded)."""
        ...

    def close_counter(self, code: str, read_current: int | None, at: datetime) -> bool:
        """Close a counter, dropping its ticket and streak; False if its ticket is no longer
        ``read_current``."""
        ...


class EventLog(Protocol):
    def append_event(self, event: Event) -> int: ...
    def events_after(self, after_id: int, limit: int = 500) -> list[Event]: ...
    def events_between(self, start: datetime, end: datetime) -> list[Event]: ...
    def last_event_id(self) -> int: ...


class Users(Protocol):
    def get_user(self, username: str) -> UserRecord | None: ...
    def list_users(self) -> list[UserRecord]: ...
    def save_user(self, user: UserRecord) -> None: ...
    def record_failed_login(self, username: str, now: datetime, max_attempts: int,
                            lock_until: datetime) -> int | None:
        """One wrong PIN, atomically (one conditional UPDATE, never read-modify-write): unless the
        account is locked at ``now``, add one to ``failed_attempts``; the attempt that reaches
        ``max_attempts`` sets ``locked_until = lock_until`` and resets the count. Returns the
        attempt's number (``max_attempts`` when it locked), or None when the account was already
        locked (or is gone) and nothing changed."""
        ...


class HallReads(Protocol):
    """What the windows read every few seconds, each bounded by the hall's size (services,
    counters, the few shown), never by the queue's length: counts come from the day's counts,
    the rest from index seeks (SQL) or a bounded look (the fake)."""

    def service_counts(self, day: date) -> dict[str, ServiceCounts]:
        """Every service's counts of ``day`` in one read (services with no count are left out)."""
        ...

    def oldest_arrivals(self, day: date, service_codes: Sequence[str]) -> dict[str, datetime]:
        """The earliest arrival among the waiting tickets of each service on ``day`` (services
        with nobody waiting are left out)."""
        ...

    def next_in_line(self, day: date, counter_code: str, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        """The first ``limit`` waiting tickets of ``day`` for a counter in call-next order
        (priority line first, then arrival, then id): those targeted at it, and the untargeted
        ones of ``service_codes``."""
        ...

    def parked_at(self, day: date, counter_code: str) -> list[Ticket]:
        """The tickets of ``day`` the counter parked, by arrival then id."""
        ...

    def oldest_open(self, day: date, service_codes: Sequence[str], limit: int) -> list[Ticket]:
        """The ``limit`` oldest (arrival, then id) of the waiting tickets of ``service_codes`` and
        the parked tickets of ``day`` (what the supervisor's table shows first)."""
        ...

    def open_tickets_by_id(self, day: date, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
        """Those of ``ticket_ids`` that are open tickets of ``day``."""
        ...

    def hall_snapshot(self, day: date, service_codes: Sequence[str]) -> HallSnapshot:
        """``service_counts(day)``, ``oldest_arrivals(day, service_codes)``, ``counter_states()`` and
        ``open_tickets_by_id`` of the tickets the counters hold, in one read (SQL: one statement)."""
        ...

    def counter_snapshot(self, day: date, counter_code: str, service_codes: Sequence[str],
                         limit: int) -> CounterSnapshot:
        """``counter_state``, the ticket it holds (``get_ticket``), ``next_in_line`` and
        ``parked_at`` of one counter, in one read (SQL: one statement)."""
        ...

    def people_ahead(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                     ticket_id: int | None = None) -> int:
        """How many of a service's waiting tickets will be called before one of line ``priority``
        that arrived at ``arrival_at`` (with id ``ticket_id``): for the priority line the earlier
        priority tickets (``count_waiting_before``); for the other the whole priority line (the
        day's count) and the earlier others. SQL: one statement (unless both sides of the ticket
        are long, see count_waiting_before)."""
        ...

    def count_waiting_before(self, day: date, service_code: str, priority: bool, arrival_at: datetime,
                             ticket_id: int | None = None) -> int:
        """Waiting tickets of a service and line (``priority``) on ``day`` that arrived before
        ``arrival_at`` or at it with a lower id than ``ticket_id`` (None: any id, so every
        arrival at ``arrival_at`` counts). A counted index range: the cost grows with the answer."""
        ...


class QueueTx(ServiceDays, Numbering, Tickets, Counters, EventLog, Users, HallReads, Protocol):
    """One database transaction. Leaving the ``with`` block commits; an exception rolls back."""


class QueueStore(Protocol):
    def transaction(self) -> AbstractContextManager[QueueTx]:
        """A write transaction (serialised with other writers on SQLite)."""
        ...

    def read(self) -> AbstractContextManager[QueueTx]:
        """A read-only transaction; must not block writers."""
        ...

    def describe(self) -> str: ...

    def default_clock(self) -> Clock:
        """The clock the use cases stamp writes with: the database server's on PostgreSQL (one
        clock for the hall), the PC's own on SQLite and in memory."""
        ...


@dataclass(frozen=True)
class ServerCall:
    """Call next at one counter, optionally after finishing its ticket (or, ``call`` False, only
    finish it), as one request a store
    may run where the data is (PostgreSQL: one server-side function, issue 11). ``day``: the
    service day the use case computed; ``overdue_before``: the priority rule's max-wait limit
    (arrival at or before it goes first), None when off."""

    counter: str
    services: tuple[str, ...]
    officer: str | None
    at: datetime
    day: date
    ratio: int
    overdue_before: datetime | None
    finish: bool
    call: bool = True


@dataclass(frozen=True)
class ServerCalled:
    """What a ServerCall did: ``closed`` the finished ticket and ``called`` the called one, both
    as they were read before the change (the use case applies the change to them); None for
    a step not asked for."""

    closed: Ticket | None
    called: Ticket | None


@dataclass(frozen=True)
class ServerIssue:
    """Issue a ticket as one request a store may run where the data is. The station has checked
    the opening hours; the store checks the quota (``quota`` None: none) and builds the number
    and the token around the number it draws: (text before, zero-padded width, text after)."""

    day: date
    service: str
    agency: str
    prefix: str
    priority: str | None
    at: datetime
    quota: int | None
    number_parts: tuple[str, int, str]
    token_parts: tuple[str, int, str]
    counters: tuple[str, ...]  # the counters serving the service (the estimate's open ones)
    service_minutes: float  # the estimate's average before anyone was served today
    officer: str | None


@dataclass(frozen=True)
class ServerIssued:
    ticket_id: int
    seq: int
    number: str
    token: str
    ahead: int
    eta_minutes: int


class ServerCalls(Protocol):
    """Optional: a store that can run a ServerCall or a ServerIssue. Each returns None (having
    changed nothing) for anything but the plain case; the use case then runs its own steps in a
    transaction, which say what is wrong in their words."""

    def call_at_server(self, req: ServerCall) -> ServerCalled | None: ...

    def issue_at_server(self, req: ServerIssue) -> ServerIssued | None: ...
