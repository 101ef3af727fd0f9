"""What the windows show: availability for the kiosk, the hall status, one counter's view, a
ticket found by its number, a reprint's text, and the event log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from antrian.domain import rules
from antrian.domain.model import CALL_EVENTS, CounterState, Event, IssuedTicket, Status, Ticket, qr_text
from antrian.services.queue_base import QueueCore


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
        now = self.clock.now()
        day = self.service_day(now)
        with self.store.read() as tx:
            open_tickets = tx.open_tickets(day)
            counts = tx.issued_counts(day)
            states = {st.code: st for st in tx.counter_states()}
            by_id = {t.id: t for t in open_tickets}
        waiting: dict[str, list[Ticket]] = {}
        for t in open_tickets:
            if t.status == Status.WAITING:
                waiting.setdefault(t.service_code, []).append(t)
        services = tuple(
            ServiceStatus(
                service_code=s.code,
                agency_code=s.agency_code,
                waiting=len(waiting.get(s.code, [])),
                waiting_priority=sum(1 for t in waiting.get(s.code, []) if t.is_priority),
                oldest_arrival=min((t.arrival_at for t in waiting.get(s.code, [])), default=None),
                issued_today=counts.get(s.code, 0),
                target_wait_minutes=s.target_wait_minutes,
            )
            for s in self.hall.services
        )
        counters = []
        for c in self.hall.counters:
            st = states.get(c.code) or CounterState(code=c.code)
            counters.append(CounterView(c.code, st, by_id.get(st.current_ticket_id)))
        return HallStatus(at=now, services=services, counters=tuple(counters))

    def counter_view(self, counter_code: str, next_limit: int = 5) -> tuple[CounterView, list[Ticket], list[Ticket]]:
        """(this counter's state and ticket, the next few in line for it, tickets it parked)."""
        counter = self._counter(counter_code)
        day = self.service_day()
        with self.store.read() as tx:
            st = tx.counter_state(counter.code)
            cur = tx.get_ticket(st.current_ticket_id) if st.current_ticket_id else None
            open_tickets = tx.open_tickets(day)
        mine = [
            t for t in open_tickets
            if t.status == Status.WAITING
            and (t.target_counter == counter.code or (t.target_counter is None and t.service_code in counter.service_codes))
        ]
        mine.sort(key=lambda t: (not t.is_priority, t.arrival_at, t.id or 0))
        parked = [t for t in open_tickets if t.status == Status.PARKED and t.counter_code == counter.code]
        return CounterView(counter.code, st, cur), mine[:next_limit], parked

    def find_ticket(self, ref_text: str) -> Ticket:
        with self.store.read() as tx:
            return self.resolve_ref(tx, ref_text, self.service_day())

    def issued_view(self, ticket: Ticket) -> IssuedTicket:
        """Rebuild what the holder was told (for a reprint)."""
        with self.store.read() as tx:
            ahead = 0
            if ticket.status == Status.WAITING:
                ahead = sum(
                    1 for t in tx.open_tickets(ticket.service_day)
                    if t.status == Status.WAITING and t.service_code == ticket.service_code
                    and (t.arrival_at, t.id or 0) < (ticket.arrival_at, ticket.id or 0)
                )
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
