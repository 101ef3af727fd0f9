"""What the windows show: availability for the kiosk, the hall status, one counter's view, a
ticket found by its number, a reprint's text, and the event log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from antrian.domain import rules
from antrian.domain.model import CALL_EVENTS, CounterState, Event, IssuedTicket, Status, Ticket, qr_text
from antrian.services.ports import ServiceCounts
from antrian.services.queue_base import QueueCore

NONE = ServiceCounts()


@dataclass(frozen=True)
class ServiceStatus:
    service_code: str
    agency_code: str
    waiting: int
    waiting_priority: int
    oldest_arrival: datetime | None
    issued_today: int
    target_wait_minutes: int


@dataclass(frozen=True)
class CounterView:
    code: str
    state: CounterState
    ticket: Ticket | None


@dataclass(frozen=True)
class HallStatus:
    at: datetime
    services: tuple[ServiceStatus, ...]
    counters: tuple[CounterView, ...]


class ReadModels(QueueCore):
    def availability(self) -> dict[str, rules.Availability]:
        now = self.clock.now()
        local = self.local_now(now)
        with self.store.read() as tx:
            counts = tx.issued_counts(local.date())
        return {s.code: rules.availability(s, self.hall, local, counts.get(s.code, 0)) for s in self.hall.services}

    def status(self) -> HallStatus:
        """The hall at a glance. Bounded by the hall's size, not the queue's: the waiting counts
        are the day's counts, the oldest arrival one index seek per service and line, the
        counters' tickets fetched by id; one read (SQL: one statement)."""
        now = self.clock.now()
        day = self.service_day(now)
        with self.store.read() as tx:
            snap = tx.hall_snapshot(day, [s.code for s in self.hall.services])
        counts, oldest, by_id = snap.counts, snap.oldest, snap.held
        states = {st.code: st for st in snap.states}
        services = tuple(
            ServiceStatus(
                service_code=s.code,
                agency_code=s.agency_code,
                waiting=counts.get(s.code, NONE).waiting,
                waiting_priority=counts.get(s.code, NONE).waiting_priority,
                oldest_arrival=oldest.get(s.code),
                issued_today=counts.get(s.code, NONE).issued,
                target_wait_minutes=s.target_wait_minutes,
            )
            for s in self.hall.services
        )
        counters = []
        for c in self.hall.counters:
            st = states.get(c.code) or CounterState(code=c.code)
            cur = by_id.get(st.current_ticket_id) if st.current_ticket_id is not None else None
            counters.append(CounterView(c.code, st, cur))
        return HallStatus(at=now, services=services, counters=tuple(counters))

    def counter_view(self, counter_code: str, next_limit: int = 5) -> tuple[CounterView, list[Ticket], list[Ticket]]:
        """(this counter's state and ticket, the next few in line for it in call-next order,
        tickets it parked): index-ordered reads of the few shown, whatever the queue's length, in
        one read (SQL: one statement)."""
        counter = self._counter(counter_code)
        day = self.service_day()
        with self.store.read() as tx:
            snap = tx.counter_snapshot(day, counter.code, counter.service_codes, next_limit)
        return CounterView(counter.code, snap.state, snap.current), snap.next, snap.parked

    def kiosk_poll(self) -> tuple[dict[str, rules.Availability], dict[str, int]]:
        """What the kiosk shows every few seconds: each service's availability and how many wait,
        from the day's counts in one read (``availability()`` and ``status()``'s waiting counts)."""
        now = self.clock.now()
        local = self.local_now(now)
        day = self.service_day(now)
        with self.store.read() as tx:
            counts = tx.service_counts(day)
            issued = counts if day == local.date() else tx.service_counts(local.date())
        return ({s.code: rules.availability(s, self.hall, local, issued.get(s.code, NONE).issued)
                 for s in self.hall.services},
                {s.code: counts.get(s.code, NONE).waiting for s in self.hall.services})

    def find_ticket(self, ref_text: str) -> Ticket:
        with self.store.read() as tx:
            return self.resolve_ref(tx, ref_text, self.service_day())

    def issued_view(self, ticket: Ticket) -> IssuedTicket:
        """Rebuild what the holder was told (for a reprint)."""
        with self.store.read() as tx:
            ahead = 0
            if ticket.status == Status.WAITING:  # everyone of the service who arrived earlier
                ahead = sum(tx.count_waiting_before(ticket.service_day, ticket.service_code, line,
                                                    ticket.arrival_at, ticket.id or 0) for line in (False, True))
            service = self.hall.service(ticket.service_code)
            eta = rules.estimate_wait_minutes(ahead, self._avg_minutes(tx, ticket.service_day, service),
                                              self._open_counters(tx, service.code))
        return IssuedTicket(ticket, ahead, eta, qr_text(ticket.token, self.hall.public_url))

    def events_after(self, after_id: int, limit: int = 500) -> list[Event]:
        with self.store.read() as tx:
            return tx.events_after(after_id, limit)

    def last_event_id(self) -> int:
        with self.store.read() as tx:
            return tx.last_event_id()

    def recent_calls(self, within: timedelta = timedelta(hours=12), limit: int = 200) -> list[Event]:
        """Call events of the current service day, oldest first (a display rebuilding its state)."""
        now = self.clock.now()
        local = self.local_now(now)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = max(now - within, day_start)
        with self.store.read() as tx:
            events = tx.events_between(start, now + timedelta(seconds=5))
        return [e for e in events if e.type in CALL_EVENTS][-limit:]
