"""What an officer does at a counter: call next, call a number, recall, start, finish, no-show,
park, unpark, transfer, and a supervisor's cancel.

Each public method is one transaction. The ``_..._in(tx, ...)`` steps do the work inside a
transaction the caller holds, so the composite actions (antrian.services.handover) chain them in
one transaction too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from antrian.domain import rules
from antrian.domain.catalogue import Counter
from antrian.domain.errors import (
    CounterBusy,
    InvalidTransition,
    NothingWaiting,
    TicketNotFound,
    TooManyRecalls,
    UnknownService,
)
from antrian.domain.model import AT_COUNTER, CounterState, CounterStatus, Status, Ticket
from antrian.services.ports import QueueTx, ServerCall, ServerCalled
from antrian.services.queue_base import QueueCore, retry_conflicts

CLAIM_ATTEMPTS = 25


class CounterActions(QueueCore):
    # ------------------------------------------------------------------ seating a ticket
    def _seat(self, tx: QueueTx, st: CounterState, ticket: Ticket, officer: str | None,
              now: datetime, streak: int | None = None) -> None:
        assert ticket.id is not None
        self._seated(tx, st, tx.seat_ticket(st.code, ticket.id, officer, now, streak), officer, now)

    def _seated(self, tx: QueueTx, st: CounterState, seated: bool, officer: str | None, now: datetime) -> None:
        if not seated:
            raise CounterBusy(f"counter {st.code} already has a ticket called", counter=st.code)
        if st.status != CounterStatus.OPEN:
            self._event(tx, "counter_opened", now, counter=st.code, officer=officer or st.officer)

    def _release(self, tx: QueueTx, counter_code: str, t: Ticket) -> None:
        self._released(tx, counter_code, t)

    def _claim(self, tx: QueueTx, t: Ticket, action: str, counter: Counter, officer: str | None,
               now: datetime) -> Ticket:
        assert t.id is not None
        self._may(t, action)
        self._applied(tx, tx.claim_for_counter(t.id, t.status, counter.code, officer, now), t, action)
        return t.evolve(status=Status.CALLED, counter_code=counter.code,
                        officer=officer if officer is not None or t.status == Status.WAITING else t.officer,
                        called_at=now)

    # ------------------------------------------------------------------ calling
    def _at_server(self, counter: Counter, officer: str | None, now: datetime, finish: bool,
                   call: bool = True) -> ServerCalled | None:
        """Call next (after finishing the counter's ticket if ``finish``; without ``call``, the
        finish alone) as one request where the
        store can run it (PostgreSQL: antrian.services.ports.ServerCalls); None, with nothing
        changed, when it cannot: then the use case runs its own steps below, which also say what
        is wrong in their words."""
        calls = getattr(self.store, "call_at_server", None)
        if calls is None or not getattr(self.store, "at_server", False):
            return None
        policy = self.hall.priority
        limit = now - timedelta(minutes=policy.max_wait_minutes) if policy.max_wait_minutes else None
        done: ServerCalled | None = calls(ServerCall(
            counter=counter.code, services=tuple(counter.service_codes), officer=officer, at=now,
            day=self.service_day(now), ratio=policy.ratio, overdue_before=limit, finish=finish, call=call))
        return done

    @staticmethod
    def _as_called(t: Ticket, counter: Counter, officer: str | None, now: datetime) -> Ticket:
        """A waiting ticket as call next leaves it."""
        return t.evolve(status=Status.CALLED, counter_code=counter.code, officer=officer, called_at=now)

    @retry_conflicts
    def call_next(self, counter_code: str, officer: str | None = None) -> Ticket:
        counter = self._counter(counter_code)
        now = self.clock.now()
        done = self._at_server(counter, officer, now, finish=False)
        if done is not None:
            assert done.called is not None
            return self._as_called(done.called, counter, officer, now)
        with self.store.transaction() as tx:
            self._begin(tx, now)
            return self._call_next_in(tx, counter, officer, now)

    def _call_next_in(self, tx: QueueTx, counter: Counter, officer: str | None, now: datetime) -> Ticket:
        st = tx.lock_counter(counter.code)
        if st.current_ticket_id is not None:
            cur = tx.get_ticket(st.current_ticket_id)
            raise CounterBusy(
                f"counter {counter.code} still has {cur.number if cur else 'a ticket'} open: "
                "finish it, mark it no-show, park or transfer it first",
                counter=counter.code, number=cur.number if cur else None,
            )
        for _ in range(CLAIM_ATTEMPTS):
            prio, regular = tx.next_candidates(counter.service_codes, counter.code)
            pick = rules.choose_next(prio, regular, st.priority_streak, self.hall.priority, now)
            if pick is None:
                raise NothingWaiting(f"nobody is waiting for counter {counter.code}", counter=counter.code)
            assert pick.id is not None
            # the claim and the seat in one write (a ticket no longer waiting: the next candidates)
            seated = tx.call_to_counter(pick.id, counter.code, officer, now, rules.next_streak(st.priority_streak, pick))
            if seated is not None:
                break
        else:
            raise CounterBusy(f"counter {counter.code}: too much contention, try again", counter=counter.code)
        ticket = self._as_called(pick, counter, officer, now)
        self._seated(tx, st, seated, officer, now)
        self._event(tx, "called", now, ticket, counter=counter.code, officer=officer,
                    prefix=ticket.prefix, seq=ticket.seq, priority=ticket.priority,
                    waited_s=int((now - ticket.arrival_at).total_seconds()))
        return ticket

    @retry_conflicts
    def call_number(self, counter_code: str, ref_text: str, officer: str | None = None) -> Ticket:
        """Call one ticket by its number or QR text (a parked ticket is called back)."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            return self._call_number_in(tx, counter, ref_text, officer, now, day)

    def _call_number_in(self, tx: QueueTx, counter: Counter, ref_text: str, officer: str | None,
                        now: datetime, day: date) -> Ticket:
        st = tx.lock_counter(counter.code)  # lock order: the counter row first
        t = self.resolve_ref(tx, ref_text, day)
        if t.service_day != day:
            raise TicketNotFound(f"ticket {t.number} was for {t.service_day}, not today", ref=t.number)
        if t.status == Status.PARKED:
            return self._unpark_in(tx, counter, t, officer, now)
        if t.status != Status.WAITING:
            raise InvalidTransition(f"ticket {t.number} is {t.status.value}, not waiting",
                                    number=t.number, status=t.status.value, action="call")
        self._check_serves(counter, t, "call")
        if st.current_ticket_id is not None:
            raise CounterBusy(f"counter {counter.code} still has a ticket open", counter=counter.code)
        t = self._claim(tx, t, "call", counter, officer, now)
        self._seat(tx, st, t, officer, now)
        self._event(tx, "called_number", now, t, counter=counter.code, officer=officer,
                    prefix=t.prefix, seq=t.seq, priority=t.priority)
        return t

    # ------------------------------------------------------------------ the ticket at the counter
    @contextmanager
    def _at_counter(self, counter_code: str) -> Iterator[tuple[QueueTx, Counter, Ticket, datetime, date]]:
        """One transaction on the ticket now at a counter: yields (tx, counter, ticket, now, day)."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            _, t = self._current(tx, counter.code)
            yield tx, counter, t, now, day

    @retry_conflicts
    def recall(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            if t.status == Status.CALLED and t.recall_count >= self.hall.max_recalls:
                raise TooManyRecalls(
                    f"{t.number} was already called again {t.recall_count} times; mark it no-show",
                    number=t.number, count=t.recall_count,
                )
            self._may(t, "recall")
            assert t.id is not None
            self._applied(tx, tx.mark_recalled(t.id, t.status, t.recall_count), t, "recall")
            t = t.evolve(recall_count=t.recall_count + 1)
            self._event(tx, "recalled", now, t, counter=counter.code, officer=officer,
                        prefix=t.prefix, seq=t.seq, recall_count=t.recall_count)
        return t

    @retry_conflicts
    def start(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            self._may(t, "start")
            assert t.id is not None
            self._applied(tx, tx.mark_serving(t.id, t.status, now), t, "start")
            t = t.evolve(status=Status.SERVING, started_at=now)
            self._event(tx, "started", now, t, counter=counter.code, officer=officer)
        return t

    @retry_conflicts
    def finish(self, counter_code: str, officer: str | None = None) -> Ticket:
        counter = self._counter(counter_code)
        now = self.clock.now()
        done = self._at_server(counter, officer, now, finish=True, call=False)
        if done is not None:
            assert done.closed is not None
            return self._as_finished(done.closed, now)
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            return self._finish_in(tx, counter, t, officer, now)

    def _finish_in(self, tx: QueueTx, counter: Counter, t: Ticket, officer: str | None, now: datetime) -> Ticket:
        self._may(t, "finish")
        assert t.id is not None
        done = self._as_finished(t, now)
        assert done.started_at is not None
        seconds = max(0, int((now - done.started_at).total_seconds()))
        # the finish and the counter's release in one write
        released = tx.finish_at_counter(counter.code, t.id, t.status, done.started_at, now, seconds)
        self._applied(tx, released is not None, t, "finish")
        self._release_applied(bool(released), counter.code, done)
        self._event(tx, "finished", now, done, counter=counter.code, officer=officer, service_s=seconds)
        return done

    @staticmethod
    def _as_finished(t: Ticket, now: datetime) -> Ticket:
        """A ticket at the counter as finish leaves it (served since it started, else since called)."""
        return t.evolve(status=Status.DONE, finished_at=now, started_at=t.started_at or t.called_at or now)

    @retry_conflicts
    def no_show(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            return self._no_show_in(tx, counter, t, officer, now)

    def _no_show_in(self, tx: QueueTx, counter: Counter, t: Ticket, officer: str | None, now: datetime) -> Ticket:
        self._may(t, "no_show")
        assert t.id is not None
        self._applied(tx, tx.mark_no_show(t.id, t.status, now), t, "no_show")
        t = t.evolve(status=Status.NO_SHOW, finished_at=now)
        self._release(tx, counter.code, t)
        self._event(tx, "no_show", now, t, counter=counter.code, officer=officer, recalls=t.recall_count)
        return t

    @retry_conflicts
    def park(self, counter_code: str, officer: str | None = None) -> Ticket:
        with self._at_counter(counter_code) as (tx, counter, t, now, _):
            return self._park_in(tx, counter, t, officer, now)

    def _park_in(self, tx: QueueTx, counter: Counter, t: Ticket, officer: str | None, now: datetime) -> Ticket:
        self._may(t, "park")
        assert t.id is not None
        self._applied(tx, tx.mark_parked(t.id, t.status), t, "park")
        t = t.evolve(status=Status.PARKED)
        self._release(tx, counter.code, t)
        self._event(tx, "parked", now, t, counter=counter.code, officer=officer)
        return t

    def _unpark_in(self, tx: QueueTx, counter: Counter, t: Ticket, officer: str | None, now: datetime) -> Ticket:
        st = tx.lock_counter(counter.code)
        if st.current_ticket_id is not None:
            raise CounterBusy(f"counter {counter.code} still has a ticket open", counter=counter.code)
        self._may(t, "unpark")
        self._check_serves(counter, t, "unpark")
        t = self._claim(tx, t, "unpark", counter, officer, now)
        self._seat(tx, st, t, officer, now)
        self._event(tx, "unparked", now, t, counter=counter.code, officer=officer, prefix=t.prefix, seq=t.seq)
        return t

    @retry_conflicts
    def unpark(self, counter_code: str, ref_text: str, officer: str | None = None) -> Ticket:
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            tx.lock_counter(counter.code)  # lock order: the counter row before the ticket
            return self._unpark_in(tx, counter, self.resolve_ref(tx, ref_text, day), officer, now)

    # ------------------------------------------------------------------ transfer and cancel
    @retry_conflicts
    def transfer(self, counter_code: str, to_service: str | None = None, to_counter: str | None = None,
                 officer: str | None = None) -> Ticket:
        """Close the counter's ticket as transferred and queue a linked ticket, keeping its number
        and its original arrival time, for another service or a named counter."""
        counter = self._counter(counter_code)
        target = self._counter(to_counter) if to_counter else None
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            _, t = self._current(tx, counter.code)
            return self._transfer_in(tx, counter, t, to_service, target, officer, now)

    def _transfer_in(self, tx: QueueTx, counter: Counter, t: Ticket, to_service: str | None,
                     target: Counter | None, officer: str | None, now: datetime) -> Ticket:
        if to_service:
            service = self._service(to_service)
        elif target:
            code = t.service_code if t.service_code in target.service_codes else target.service_codes[0]
            service = self._service(code)
        else:
            raise UnknownService("transfer needs a service or a counter to send the ticket to", service=None)
        if target and service.code not in target.service_codes:
            raise InvalidTransition(
                f"counter {target.code} does not serve '{service.name}'",
                number=t.number, status=t.status.value, action="transfer",
            )
        if target is None and not self.hall.counters_serving(service.code):
            raise InvalidTransition(f"no counter serves '{service.name}'", number=t.number,
                                    status=t.status.value, action="transfer")
        self._may(t, "transfer")
        assert t.id is not None
        self._applied(tx, tx.mark_transferred(t.id, t.status, now), t, "transfer")
        old = t.evolve(status=Status.TRANSFERRED, finished_at=now)
        self._release(tx, counter.code, old)
        new = tx.add_waiting(
            Ticket(
                id=None, service_day=t.service_day, prefix=t.prefix, seq=t.seq, number=t.number,
                service_code=service.code, agency_code=service.agency_code, priority=t.priority,
                status=Status.WAITING, issued_at=now, arrival_at=t.arrival_at, token=t.token,
                target_counter=target.code if target else None,
                transferred_from=t.id,
            )
        )
        self._event(tx, "transferred", now, old, counter=counter.code, officer=officer,
                    to_ticket=new.id, to_service=service.code, to_counter=target.code if target else None)
        self._event(tx, "transferred_in", now, new, counter=new.target_counter, officer=officer,
                    from_counter=counter.code)
        return new

    def _locked_ref(self, tx: QueueTx, ref_text: str, day: date) -> Ticket:
        """The ticket named by ``ref_text`` with the row of the counter holding it locked first
        (the lock order), read again after the lock until it holds still."""
        t = self.resolve_ref(tx, ref_text, day)
        locked: set[str] = set()
        for _ in range(CLAIM_ATTEMPTS):
            if t.status not in AT_COUNTER or not t.counter_code or t.counter_code in locked:
                return t
            tx.lock_counter(t.counter_code)
            locked.add(t.counter_code)
            assert t.id is not None
            fresh = tx.get_ticket(t.id)
            if fresh is None:
                raise TicketNotFound(f"no ticket {t.number} today", ref=t.number)
            t = fresh
        raise CounterBusy(f"ticket {t.number} keeps moving between counters; try again", counter=t.counter_code)

    @retry_conflicts
    def cancel(self, ref_text: str, officer: str | None = None, reason: str = "") -> Ticket:
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            t = self._locked_ref(tx, ref_text, day)
            was_at = t.counter_code if t.status in AT_COUNTER else None
            self._may(t, "cancel")
            assert t.id is not None
            self._applied(tx, tx.mark_cancelled(t.id, t.status, now), t, "cancel")
            t = t.evolve(status=Status.CANCELLED, finished_at=now)
            if was_at:
                self._release(tx, was_at, t)
            self._event(tx, "cancelled", now, t, counter=was_at, officer=officer, reason=reason)
        return t
