"""Composite officer actions: close the ticket at the counter (finish, no-show, park or
transfer) and call the next one, as ONE use case in ONE transaction.

If nobody is waiting, the first step still counts: the result's ``called`` is None and the
counter is free. Any other refusal (a stale view, a wrong number typed, a busy counter) rolls
back both steps, so the officer never sees half an action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from antrian.domain.catalogue import Counter
from antrian.domain.errors import NothingWaiting
from antrian.domain.model import Ticket
from antrian.services.counter_actions import CounterActions
from antrian.services.ports import QueueTx
from antrian.services.queue_base import retry_conflicts

# What the open-ticket guard offers before a call ("finish", "no_show" or "park").
FirstStep = Literal["finish", "no_show", "park"]


@dataclass(frozen=True)
class Handover:
    """``closed``: the ticket that left the counter (after a transfer: the new linked ticket,
    waiting at its new service, as ``transfer`` returns). ``called``: the ticket now called, or
    None when nobody was waiting (then the counter is free)."""

    closed: Ticket
    called: Ticket | None


class Handovers(CounterActions):
    def _close_in(self, tx: QueueTx, counter: Counter, first: str, officer: str | None, now: datetime) -> Ticket:
        _, t = self._current(tx, counter.code)
        if first == "finish":
            return self._finish_in(tx, counter, t, officer, now)
        if first == "no_show":
            return self._no_show_in(tx, counter, t, officer, now)
        if first == "park":
            return self._park_in(tx, counter, t, officer, now)
        raise ValueError(f"unknown first step {first!r} (finish, no_show or park)")

    def _next_in(self, tx: QueueTx, counter: Counter, officer: str | None, now: datetime) -> Ticket | None:
        try:
            return self._call_next_in(tx, counter, officer, now)
        except NothingWaiting:
            return None

    @retry_conflicts
    def close_and_call_next(self, counter_code: str, first: FirstStep, officer: str | None = None) -> Handover:
        """The guard's choice, then call next: ``first`` is "finish", "no_show" or "park"."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        done = self._at_server(counter, officer, now, finish=True) if first == "finish" else None
        if done is not None:
            assert done.closed is not None and done.called is not None
            return Handover(self._as_finished(done.closed, now), self._as_called(done.called, counter, officer, now))
        with self.store.transaction() as tx:
            self._begin(tx, now)
            closed = self._close_in(tx, counter, first, officer, now)
            return Handover(closed, self._next_in(tx, counter, officer, now))

    def finish_and_call_next(self, counter_code: str, officer: str | None = None) -> Handover:
        return self.close_and_call_next(counter_code, "finish", officer)

    def no_show_and_call_next(self, counter_code: str, officer: str | None = None) -> Handover:
        return self.close_and_call_next(counter_code, "no_show", officer)

    def park_and_call_next(self, counter_code: str, officer: str | None = None) -> Handover:
        return self.close_and_call_next(counter_code, "park", officer)

    @retry_conflicts
    def transfer_and_call_next(self, counter_code: str, to_service: str | None = None,
                               to_counter: str | None = None, officer: str | None = None) -> Handover:
        counter = self._counter(counter_code)
        target = self._counter(to_counter) if to_counter else None
        now = self.clock.now()
        with self.store.transaction() as tx:
            self._begin(tx, now)
            _, t = self._current(tx, counter.code)
            new = self._transfer_in(tx, counter, t, to_service, target, officer, now)
            return Handover(new, self._next_in(tx, counter, officer, now))

    @retry_conflicts
    def close_and_call_number(self, counter_code: str, first: FirstStep, ref_text: str,
                              officer: str | None = None) -> Handover:
        """The guard's choice, then call a typed/scanned number (a parked ticket is called back,
        so this also serves "call back this parked ticket"). A number that cannot be called
        rolls back the first step too."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day: date = self._begin(tx, now)
            closed = self._close_in(tx, counter, first, officer, now)
            return Handover(closed, self._call_number_in(tx, counter, ref_text, officer, now, day))

    @retry_conflicts
    def close_and_unpark(self, counter_code: str, first: FirstStep, ref_text: str,
                         officer: str | None = None) -> Handover:
        """The guard's choice, then call back a parked ticket (the parked list's double-click)."""
        counter = self._counter(counter_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            closed = self._close_in(tx, counter, first, officer, now)
            called = self._unpark_in(tx, counter, self.resolve_ref(tx, ref_text, day), officer, now)
            return Handover(closed, called)
