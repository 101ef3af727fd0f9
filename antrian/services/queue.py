"""Use cases of the queue: issue, call, recall, start, finish, no-show, park, transfer, cancel,
open/pause/close a counter, and the read models the windows show.

Every state change is one transaction that also appends its event; leaving early by an
exception rolls everything back (no half-issued ticket, no number used twice)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

from antrian.domain import rules
from antrian.domain.catalogue import Hall, Service
from antrian.domain.errors import (
    BadTicketRef,
    CounterBusy,
    InvalidTransition,
    NoCurrentTicket,
    NothingWaiting,
    PriorityNotAllowed,
    QuotaFull,
    TicketNotFound,
    TooManyRecalls,
    UnknownCounter,
    UnknownPriorityGroup,
    UnknownService,
)
from antrian.domain.model import (
    ALLOWED_FROM,
    AT_COUNTER,
    CounterState,
    CounterStatus,
    Event,
    IssuedTicket,
    Status,
    Ticket,
    make_token,
    parse_ticket_ref,
    qr_text,
)
from antrian.services.ports import Clock, QueueStore, QueueTx, SystemClock

CLAIM_ATTEMPTS = 25


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


class QueueService:
    def __init__(self, hall: Hall, store: QueueStore, clock: Clock | None = None):
        self.hall = hall
        self.store = store
        self.clock = clock or SystemClock()

    # ------------------------------------------------------------------ helpers
    def local_now(self, now: datetime | None = None) -> datetime:
        return (now or self.clock.now()).astimezone(self.hall.tz)

    def service_day(self, now: datetime | None = None) -> date:
        return self.local_now(now).date()

    def _service(self, code: str) -> Service:
        s = self.hall.find_service(code)
        if s is None:
            raise UnknownService(f"unknown service '{code}' (see `mpp catalogue`)", service=code)
        return s

    def _counter(self, code: str):
        c = self.hall.find_counter(str(code))
        if c is None:
            known = ", ".join(c.code for c in self.hall.counters)
            raise UnknownCounter(f"unknown counter '{code}' (counters: {known})", counter=code)
        return c

    def _begin(self, tx: QueueTx, now: datetime) -> date:
        day = self.service_day(now)
        tx.rollover(day, now)
        return day

    def _event(self, tx: QueueTx, type_: str, now: datetime, ticket: Ticket | None = None,
               counter: str | None = None, officer: str | None = None, **payload) -> int:
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

    def _current(self, tx: QueueTx, counter_code: str) -> tuple[CounterState, Ticket]:
        st = tx.counter_state(counter_code)
        t = tx.get_ticket(st.current_ticket_id) if st.current_ticket_id else None
        if t is None or t.status not in AT_COUNTER:
            raise NoCurrentTicket(f"counter {counter_code} has no ticket called", counter=counter_code)
        return st, t

    def _move(self, tx: QueueTx, t: Ticket, action: str, **fields) -> Ticket:
        allowed = ALLOWED_FROM[action]
        if t.status not in allowed:
            raise InvalidTransition(
                f"ticket {t.number} is {t.status.value}; cannot {action.replace('_', '-')} it",
                number=t.number, status=t.status.value, action=action,
            )
        if not tx.update_ticket(t.id, allowed, **fields):
            # someone else changed it between our read and our write
            fresh = tx.get_ticket(t.id)
            raise InvalidTransition(
                f"ticket {t.number} was changed by another station (now {fresh.status.value if fresh else 'gone'})",
                number=t.number, status=fresh.status.value if fresh else None, action=action,
            )
        if "status" in fields:
            fields["status"] = Status(fields["status"])
        return t.evolve(**fields)

    @staticmethod
    def _waiting_delta(tx: QueueTx, t: Ticket, delta: int) -> None:
        """Keep the per-day waiting counts (what 'people ahead' reads) in step with the tickets."""
        tx.bump(t.service_day, f"wait:{t.service_code}", delta)
        if t.is_priority:
            tx.bump(t.service_day, f"waitp:{t.service_code}", delta)

    def _release_counter(self, tx: QueueTx, counter_code: str, ticket_id: int) -> None:
        tx.update_counter(counter_code, expect_current=ticket_id, current_ticket_id=None)

    def _assign_counter(self, tx: QueueTx, st: CounterState, ticket: Ticket, officer: str | None,
                        now: datetime, streak: int | None = None) -> None:
        fields = dict(current_ticket_id=ticket.id, status=CounterStatus.OPEN.value, pause_reason=None,
                      updated_at=now)
        if officer:
            fields["officer"] = officer
        if streak is not None:
            fields["priority_streak"] = streak
        if not tx.update_counter(st.code, expect_current=None, **fields):
            raise CounterBusy(f"counter {st.code} already has a ticket called", counter=st.code)
        if st.status != CounterStatus.OPEN:
            self._event(tx, "counter_opened", now, counter=st.code, officer=officer or st.officer)

    def resolve_ref(self, tx: QueueTx, text: str, day: date) -> Ticket:
        ref = parse_ticket_ref(text)
        if ref is None:
            raise BadTicketRef(
                f"'{text[:40]}' is not a ticket number (like K-012) or a ticket QR code", text=text[:40]
            )
        if ref.token:
            t = tx.find_by_token(ref.token)
        else:
            t = tx.find_by_number(day, ref.prefix, ref.seq)
        if t is None:
            shown = ref.token or self.hall.format_number(ref.prefix, ref.seq)
            raise TicketNotFound(f"no ticket {shown} today", ref=shown)
        return t

    # ------------------------------------------------------------------ issuing
    def issue(self, service_code: str, priority: str | None = None, officer: str | None = None) -> IssuedTicket:
        service = self._service(service_code)
        if priority is not None:
            if priority not in self.hall.priority.groups:
                raise UnknownPriorityGroup(
                    f"unknown priority group '{priority}' (groups: {', '.join(self.hall.priority.groups)})",
                    group=priority,
                )
            if not service.priority_allowed:
                raise PriorityNotAllowed(f"service '{service.name}' has no priority line", service=service.name)
        agency = self.hall.agency(service.agency_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            issued = tx.get_count(day, f"svc:{service.code}")
            rules.check_can_issue(service, self.hall, self.local_now(now), issued)
            n = tx.bump(day, f"svc:{service.code}")
            if service.quota and n > service.quota:  # lost a race for the last number
                raise QuotaFull(service.name, service.quota, service.quota)
            seq = tx.bump(day, f"seq:{agency.prefix}")
            ahead = tx.get_count(day, f"waitp:{service.code}" if priority else f"wait:{service.code}")
            token = make_token(day, agency.prefix, seq)
            ticket = tx.add_ticket(
                Ticket(
                    id=None, service_day=day, prefix=agency.prefix, seq=seq,
                    number=self.hall.format_number(agency.prefix, seq),
                    service_code=service.code, agency_code=agency.code, priority=priority,
                    status=Status.WAITING, issued_at=now, arrival_at=now, token=token,
                )
            )
            self._waiting_delta(tx, ticket, +1)
            eta = rules.estimate_wait_minutes(
                ahead, self._avg_minutes(tx, day, service), self._open_counters(tx, service.code)
            )
            self._event(tx, "issued", now, ticket, officer=officer, ahead=ahead, eta_minutes=eta,
                        priority=priority, prefix=agency.prefix, seq=seq)
        return IssuedTicket(ticket=ticket, ahead=ahead, eta_minutes=eta, qr_text=qr_text(token, self.hall.public_url))

    def _avg_minutes(self, tx: QueueTx, day: date, service: Service) -> float:
        n = tx.get_count(day, f"done_n:{service.code}")
        if n <= 0:
            return service.service_minutes
        return tx.get_count(day, f"done_s:{service.code}") / n / 60.0

    def _open_counters(self, tx: QueueTx, service_code: str) -> int:
        serving = {c.code for c in self.hall.counters_serving(service_code)}
        return sum(1 for st in tx.counter_states() if st.code in serving and st.status == CounterStatus.OPEN)

    # ------------------------------------------------------------------ calling
    def _oldest(self, tx: QueueTx, service_codes: Iterable[str], priority: bool, counter: str) -> Ticket | None:
        best = None
        for code in service_codes:
            t = tx.oldest_waiting(code, priority, counter)
            if t is not None and (best is None or (t.arrival_at, t.id) < (best.arrival_at, best.id)):
                best = t
        return best

    def call_next(self, counter_code: str, officer: str | None = None) -> Ticket:
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            st = tx.counter_state(counter.code)
            if st.current_ticket_id is not None:
                cur = tx.get_ticket(st.current_ticket_id)
                raise CounterBusy(
                    f"counter {counter.code} still has {cur.number if cur else 'a ticket'} open: "
                    "finish it, mark it no-show, park or transfer it first",
                    counter=counter.code, number=cur.number if cur else None,
                )
            for _ in range(CLAIM_ATTEMPTS):
                pick = rules.choose_next(
                    self._oldest(tx, counter.service_codes, True, counter.code),
                    self._oldest(tx, counter.service_codes, False, counter.code),
                    st.priority_streak, self.hall.priority, now,
                )
                if pick is None:
                    raise NothingWaiting(f"nobody is waiting for counter {counter.code}", counter=counter.code)
                if tx.update_ticket(pick.id, [Status.WAITING], status=Status.CALLED.value,
                                    counter_code=counter.code, officer=officer, called_at=now):
                    break
            else:
                raise CounterBusy(f"counter {counter.code}: too much contention, try again", counter=counter.code)
            ticket = pick.evolve(status=Status.CALLED, counter_code=counter.code, officer=officer, called_at=now)
            self._waiting_delta(tx, ticket, -1)
            self._assign_counter(tx, st, ticket, officer, now, streak=rules.next_streak(st.priority_streak, ticket))
            self._event(tx, "called", now, ticket, counter=counter.code, officer=officer,
                        prefix=ticket.prefix, seq=ticket.seq, priority=ticket.priority,
                        waited_s=int((now - ticket.arrival_at).total_seconds()))
        return ticket

    def call_number(self, counter_code: str, ref_text: str, officer: str | None = None) -> Ticket:
        """Call one ticket by its number or QR text (a parked ticket is called back)."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            t = self.resolve_ref(tx, ref_text, day)
            if t.service_day != day:
                raise TicketNotFound(f"ticket {t.number} was for {t.service_day}, not today", ref=t.number)
            if t.status == Status.PARKED:
                return self._unpark(tx, counter, t, officer, now)
            if t.status != Status.WAITING:
                raise InvalidTransition(f"ticket {t.number} is {t.status.value}, not waiting",
                                        number=t.number, status=t.status.value, action="call")
            if t.service_code not in counter.service_codes and t.target_counter != counter.code:
                raise InvalidTransition(
                    f"ticket {t.number} is for '{self.hall.service(t.service_code).name}', which counter "
                    f"{counter.code} does not serve; transfer it instead",
                    number=t.number, status=t.status.value, action="call",
                )
            st = tx.counter_state(counter.code)
            if st.current_ticket_id is not None:
                raise CounterBusy(f"counter {counter.code} still has a ticket open", counter=counter.code)
            t = self._move(tx, t, "call", status=Status.CALLED.value, counter_code=counter.code,
                           officer=officer, called_at=now)
            self._waiting_delta(tx, t, -1)
            self._assign_counter(tx, st, t, officer, now)
            self._event(tx, "called_number", now, t, counter=counter.code, officer=officer,
                        prefix=t.prefix, seq=t.seq, priority=t.priority)
        return t

    @contextmanager
    def _at_counter(self, counter_code: str):
        """One transaction on the ticket now at a counter: yields (tx, counter, ticket, now, day)."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            _, t = self._current(tx, counter.code)
            yield tx, counter, t, now, day

    def recall(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            if t.status == Status.CALLED and t.recall_count >= self.hall.max_recalls:
                raise TooManyRecalls(
                    f"{t.number} was already called again {t.recall_count} times; mark it no-show",
                    number=t.number, count=t.recall_count,
                )
            t = self._move(tx, t, "recall", recall_count=t.recall_count + 1)
            self._event(tx, "recalled", now, t, counter=counter.code, officer=officer,
                        prefix=t.prefix, seq=t.seq, recall_count=t.recall_count)
        return t

    def start(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            t = self._move(tx, t, "start", status=Status.SERVING.value, started_at=now)
            self._event(tx, "started", now, t, counter=counter.code, officer=officer)
        return t

    def finish(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, day):
            started = t.started_at or t.called_at or now
            t = self._move(tx, t, "finish", status=Status.DONE.value, finished_at=now,
                           started_at=started)
            seconds = max(0, int((now - started).total_seconds()))
            tx.bump(day, f"done_n:{t.service_code}")
            tx.bump(day, f"done_s:{t.service_code}", seconds)
            self._release_counter(tx, counter.code, t.id)
            self._event(tx, "finished", now, t, counter=counter.code, officer=officer, service_s=seconds)
        return t

    def no_show(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            t = self._move(tx, t, "no_show", status=Status.NO_SHOW.value, finished_at=now)
            self._release_counter(tx, counter.code, t.id)
            self._event(tx, "no_show", now, t, counter=counter.code, officer=officer, recalls=t.recall_count)
        return t

    def park(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            t = self._move(tx, t, "park", status=Status.PARKED.value)
            self._release_counter(tx, counter.code, t.id)
            self._event(tx, "parked", now, t, counter=counter.code, officer=officer)
        return t

    def _unpark(self, tx: QueueTx, counter, t: Ticket, officer: str | None, now: datetime) -> Ticket:
        st = tx.counter_state(counter.code)
        if st.current_ticket_id is not None:
            raise CounterBusy(f"counter {counter.code} still has a ticket open", counter=counter.code)
        t = self._move(tx, t, "unpark", status=Status.CALLED.value, counter_code=counter.code,
                       officer=officer or t.officer, called_at=now)
        self._assign_counter(tx, st, t, officer, now)
        self._event(tx, "unparked", now, t, counter=counter.code, officer=officer, prefix=t.prefix, seq=t.seq)
        return t

    def unpark(self, counter_code: str, ref_text: str, officer: str | None = None) -> Ticket:
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            t = self.resolve_ref(tx, ref_text, day)
            return self._unpark(tx, counter, t, officer, now)

    def transfer(self, counter_code: str, to_service: str | None = None, to_counter: str | None = None,
                 officer: str | None = None) -> Ticket:
        """Close the counter's ticket as transferred and queue a linked ticket, keeping its number
        and its original arrival time, for another service or a named counter."""
        counter = self._counter(counter_code)
        target_counter = self._counter(to_counter) if to_counter else None
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            _, t = self._current(tx, counter.code)
            if to_service:
                service = self._service(to_service)
            elif target_counter:
                code = t.service_code if t.service_code in target_counter.service_codes else target_counter.service_codes[0]
                service = self._service(code)
            else:
                raise UnknownService("transfer needs a service or a counter to send the ticket to", service=None)
            if target_counter and service.code not in target_counter.service_codes:
                raise InvalidTransition(
                    f"counter {target_counter.code} does not serve '{service.name}'",
                    number=t.number, status=t.status.value, action="transfer",
                )
            if target_counter is None and not self.hall.counters_serving(service.code):
                raise InvalidTransition(f"no counter serves '{service.name}'", number=t.number,
                                        status=t.status.value, action="transfer")
            old = self._move(tx, t, "transfer", status=Status.TRANSFERRED.value, finished_at=now)
            self._release_counter(tx, counter.code, t.id)
            new = tx.add_ticket(
                Ticket(
                    id=None, service_day=t.service_day, prefix=t.prefix, seq=t.seq, number=t.number,
                    service_code=service.code, agency_code=service.agency_code, priority=t.priority,
                    status=Status.WAITING, issued_at=now, arrival_at=t.arrival_at, token=t.token,
                    target_counter=target_counter.code if target_counter else None,
                    transferred_from=t.id,
                )
            )
            self._waiting_delta(tx, new, +1)
            self._event(tx, "transferred", now, old, counter=counter.code, officer=officer,
                        to_ticket=new.id, to_service=service.code,
                        to_counter=target_counter.code if target_counter else None)
            self._event(tx, "transferred_in", now, new, counter=new.target_counter, officer=officer,
                        from_counter=counter.code)
        return new

    def cancel(self, ref_text: str, officer: str | None = None, reason: str = "") -> Ticket:
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            t = self.resolve_ref(tx, ref_text, day)
            was_at = t.counter_code if t.status in AT_COUNTER else None
            was_waiting = t.status == Status.WAITING
            t = self._move(tx, t, "cancel", status=Status.CANCELLED.value, finished_at=now)
            if was_waiting:
                self._waiting_delta(tx, t, -1)
            if was_at:
                self._release_counter(tx, was_at, t.id)
            self._event(tx, "cancelled", now, t, counter=was_at, officer=officer, reason=reason)
        return t

    # ------------------------------------------------------------------ counters
    def open_counter(self, counter_code: str, officer: str | None = None) -> CounterState:
        return self._set_counter_status(counter_code, CounterStatus.OPEN, officer, None, "counter_opened")

    def pause_counter(self, counter_code: str, reason: str, officer: str | None = None) -> CounterState:
        return self._set_counter_status(counter_code, CounterStatus.PAUSED, officer, reason or "istirahat",
                                        "counter_paused")

    def close_counter(self, counter_code: str, officer: str | None = None, force: bool = False) -> CounterState:
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            st = tx.counter_state(counter.code)
            if st.current_ticket_id is not None:
                t = tx.get_ticket(st.current_ticket_id)
                if not force:
                    raise CounterBusy(
                        f"counter {counter.code} still has {t.number if t else 'a ticket'} open; finish or "
                        "transfer it, or close with force to put it back in the queue",
                        counter=counter.code,
                    )
                if t is not None and t.status in AT_COUNTER:
                    tx.update_ticket(t.id, AT_COUNTER, status=Status.WAITING.value, counter_code=None,
                                     called_at=None, started_at=None)
                    self._waiting_delta(tx, t, +1)
                    self._event(tx, "requeued", now, t, counter=counter.code, officer=officer)
                tx.update_counter(counter.code, current_ticket_id=None)
            tx.update_counter(counter.code, status=CounterStatus.CLOSED.value, pause_reason=None,
                              updated_at=now, priority_streak=0)
            self._event(tx, "counter_closed", now, counter=counter.code, officer=officer or st.officer)
            return tx.counter_state(counter.code)

    def _set_counter_status(self, counter_code, status, officer, reason, event_type) -> CounterState:
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            st = tx.counter_state(counter.code)
            fields = dict(status=status.value, pause_reason=reason, updated_at=now)
            if officer:
                fields["officer"] = officer
            tx.update_counter(counter.code, **fields)
            self._event(tx, event_type, now, counter=counter.code, officer=officer or st.officer,
                        reason=reason)
            return tx.counter_state(counter.code)

    # ------------------------------------------------------------------ reading
    def availability(self) -> dict[str, rules.Availability]:
        now = self.clock.now()
        local = self.local_now(now)
        with self.store.read() as tx:
            counts = tx.get_counts(local.date(), "svc:")
        return {
            s.code: rules.availability(s, self.hall, local, counts.get(f"svc:{s.code}", 0))
            for s in self.hall.services
        }

    def status(self) -> HallStatus:
        now = self.clock.now()
        day = self.service_day(now)
        with self.store.read() as tx:
            open_tickets = tx.open_tickets(day)
            counts = tx.get_counts(day, "svc:")
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
                issued_today=counts.get(f"svc:{s.code}", 0),
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
        mine.sort(key=lambda t: (not t.is_priority, t.arrival_at, t.id))
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
                    and (t.arrival_at, t.id) < (ticket.arrival_at, ticket.id)
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
        from antrian.domain.model import CALL_EVENTS

        return [e for e in events if e.type in CALL_EVENTS][-limit:]
