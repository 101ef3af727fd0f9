"""What every queue use case shares: the hall, the store, the clock, the service day, lookups of
services and counters, the event helper and the compare-and-set check."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from antrian.domain.catalogue import Counter, Hall, Service
from antrian.domain.errors import (
    BadTicketRef,
    ClockJump,
    InvalidTransition,
    NoCurrentTicket,
    StoreConflict,
    TicketNotFound,
    UnknownCounter,
    UnknownService,
)
from antrian.domain.model import (
    ALLOWED_FROM,
    AT_COUNTER,
    CounterState,
    Event,
    Ticket,
    parse_ticket_ref,
)
from antrian.services.ports import Clock, QueueStore, QueueTx

P = ParamSpec("P")
R = TypeVar("R")

# A deadlock or serialization failure is retried this many times in all before it is reported.
CONFLICT_ATTEMPTS = 4


def retry_conflicts(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a use case again (a fresh transaction, fresh reads) when the database broke a
    deadlock or a serialization conflict; after CONFLICT_ATTEMPTS the StoreConflict goes to
    the caller as what it is (not "offline")."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                return fn(*args, **kwargs)
            except StoreConflict:
                if attempt == CONFLICT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


class QueueCore:
    def __init__(self, hall: Hall, store: QueueStore, clock: Clock | None = None):
        self.hall = hall
        self.store = store
        self.clock: Clock = clock or store.default_clock()

    # ------------------------------------------------------------------ time and lookups
    def local_now(self, now: datetime | None = None) -> datetime:
        return (now or self.clock.now()).astimezone(self.hall.tz)

    def service_day(self, now: datetime | None = None) -> date:
        return self.local_now(now).date()

    def _service(self, code: str) -> Service:
        s = self.hall.find_service(code)
        if s is None:
            raise UnknownService(f"unknown service '{code}' (see `mpp catalogue`)", service=code)
        return s

    def _counter(self, code: str) -> Counter:
        c = self.hall.find_counter(str(code))
        if c is None:
            known = ", ".join(c.code for c in self.hall.counters)
            raise UnknownCounter(f"unknown counter '{code}' (counters: {known})", counter=code)
        return c

    def _begin(self, tx: QueueTx, now: datetime) -> date:
        day = self.service_day(now)
        try:
            tx.rollover(day, now)
        except ClockJump as jump:
            # Friday -> Monday, or a holiday week: the days skipped are days the hall is closed,
            # so the date moving on by more than one is expected, not a clock that jumped.
            last = jump.params.get("last_day")
            if not last or not self.hall.closed_between(date.fromisoformat(str(last)), day):
                raise
            tx.rollover(day, now, confirm_jump=True)
        return day

    # ------------------------------------------------------------------ events
    def _event(self, tx: QueueTx, type_: str, now: datetime, ticket: Ticket | None = None,
               counter: str | None = None, officer: str | None = None, **payload: Any) -> int:
        return tx.append_event(
            Event(
                type=type_,
                at=now,
                ticket_id=ticket.id if ticket else None,
                number=ticket.number if ticket else None,
                counter_code=counter,
                officer=officer,
                service_code=ticket.service_code if ticket else None,
                payload=payload,
            )
        )

    # ------------------------------------------------------------------ tickets
    def _current(self, tx: QueueTx, counter_code: str) -> tuple[CounterState, Ticket]:
        """The counter (its row locked first: the lock order) and the ticket it holds."""
        st = tx.lock_counter(counter_code)
        t = tx.get_ticket(st.current_ticket_id) if st.current_ticket_id else None
        if t is None or t.status not in AT_COUNTER:
            raise NoCurrentTicket(f"counter {counter_code} has no ticket called", counter=counter_code)
        return st, t

    @staticmethod
    def _may(t: Ticket, action: str) -> None:
        """Refuse an action the ticket's status does not allow."""
        if t.status not in ALLOWED_FROM[action]:
            raise InvalidTransition(
                f"ticket {t.number} is {t.status.value}; cannot {action.replace('_', '-')} it",
                number=t.number, status=t.status.value, action=action,
            )

    @staticmethod
    def _applied(tx: QueueTx, applied: bool, t: Ticket, action: str) -> None:
        """The compare-and-set answer: False means someone changed the ticket after we read it."""
        if applied:
            return
        fresh = tx.get_ticket(t.id) if t.id is not None else None
        raise InvalidTransition(
            f"ticket {t.number} was changed by another station (now {fresh.status.value if fresh else 'gone'})",
            number=t.number, status=fresh.status.value if fresh else None, action=action,
        )

    @staticmethod
    def _released(tx: QueueTx, counter_code: str, t: Ticket) -> None:
        """Free the counter of ``t``; refuse (rolling back the whole action) if it no longer held it."""
        assert t.id is not None
        QueueCore._release_applied(tx.release_ticket(counter_code, t.id), counter_code, t)

    @staticmethod
    def _release_applied(released: bool, counter_code: str, t: Ticket) -> None:
        if not released:
            raise InvalidTransition(
                f"counter {counter_code} no longer holds {t.number} (changed by another station); try again",
                number=t.number, status=t.status.value, action="release",
            )

    def _check_serves(self, counter: Counter, t: Ticket, action: str) -> None:
        """A counter calls only tickets of the services it serves (or sent to it by name)."""
        if t.service_code not in counter.service_codes and t.target_counter != counter.code:
            service = self.hall.find_service(t.service_code)
            raise InvalidTransition(
                f"ticket {t.number} is for '{service.name if service else t.service_code}', which counter "
                f"{counter.code} does not serve; transfer it instead",
                number=t.number, status=t.status.value, action=action,
            )

    def resolve_ref(self, tx: QueueTx, text: str, day: date) -> Ticket:
        ref = parse_ticket_ref(text)
        if ref is None:
            raise BadTicketRef(
                f"'{text[:40]}' is not a ticket number (like K-012) or a ticket QR code", text=text[:40]
            )
        t: Ticket | None
        if ref.token:
            t = tx.find_by_token(ref.token)
        else:
            assert ref.prefix is not None and ref.seq is not None
            t = tx.find_by_number(day, ref.prefix, ref.seq)
        if t is None:
            shown = ref.token or self.hall.format_number(ref.prefix or "", ref.seq or 0)
            raise TicketNotFound(f"no ticket {shown} today", ref=shown)
        return t

    # ------------------------------------------------------------------ estimates
    def _avg_minutes(self, tx: QueueTx, day: date, service: Service) -> float:
        times = tx.service_times(day, service.code)
        if times.finished <= 0:
            return float(service.service_minutes)
        return times.total_seconds / times.finished / 60.0

    def _open_counters(self, tx: QueueTx, service_code: str) -> int:
        return tx.open_counter_count(sorted({c.code for c in self.hall.counters_serving(service_code)}))
