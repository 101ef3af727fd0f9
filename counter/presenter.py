"""The officer window's flow logic, without Qt: what each officer action does, in which order,
and what the window shows afterwards. ``CounterPanel`` (counter/window.py) only shows the state
kept here and forwards keys, clicks and feed signals.

- One officer action is one queue call, run on the ``runner`` (``submit(fn, on_ok, on_err)``; the
  callbacks come back on the GUI thread). ``_close_and_call`` is the only place where "finish (or
  mark absent, or park) the open ticket, then call" is put together.
- Guards: calling while a ticket is still open asks the view what to do with it first
  (``view.ask_open_ticket``); when the store refuses a call because the view was stale
  (``CounterBusy``), the presenter re-reads the counter and asks then.
- Double-press safety: while an action is in flight ``busy`` is set and every action is refused.
- Refresh coalescing: one read at a time; asks that arrive meanwhile make one more read after it.
- Offline: ``store_down`` (a read or action failed with ``StoreUnavailable``; the view retries)
  and ``feed_down`` (the event feed lost the database) make ``offline``.

The view (``CounterPanel``) implements: ``gone`` (property), ``render()``, ``render_enabled()``
(only which actions may be pressed), ``show_result(action,
result)``, ``show_error(exc)``, ``show_notice(key)``, ``set_retrying(bool)``,
``ask_open_ticket(ticket, then)`` (``then(first)`` with first in "finish", "no_show", "park"),
``focus_input()`` and ``leave()`` (after logout).
"""

from __future__ import annotations

from collections import deque

from typing import Any, Callable, Protocol

from antrian.domain.errors import CounterBusy, InvalidTransition, NothingWaiting, StoreUnavailable
from antrian.domain.model import AT_COUNTER, CounterStatus, Status, Ticket

NEXT_LIMIT = 10

# the first step an officer may choose for a ticket still open at the counter
CLOSE_STEPS = ("finish", "no_show", "park")
# how a ticket is called: the next one, by number or QR text, or a parked one back
CALL_KINDS = {"next": "call_next", "number": "call_number", "parked": "unpark"}
# actions that are one queue method on the counter's open ticket or the counter itself
SIMPLE_ACTIONS = {
    "recall": "recall",
    "start": "start",
    "finish": "finish",
    "no_show": "no_show",
    "park": "park",
    "transfer": "transfer",
    "pause": "pause_counter",
    "resume": "open_counter",
    "open": "open_counter",
    "close": "close_counter",
}


class Runner(Protocol):
    def submit(self, fn: Callable[[], Any], on_ok: Callable[[Any], None] | None = ...,
               on_err: Callable[[BaseException], None] | None = ...) -> Any: ...


class CounterPresenter:
    def __init__(self, queue, runner: Runner, counter_code: str, officer: str, view,
                 *, feed_down: bool = False, next_limit: int = NEXT_LIMIT):
        self.queue = queue
        self.hall = queue.hall
        self.runner = runner
        self.counter = self.hall.counter(counter_code)
        self.officer = officer
        self.view = view
        self.next_limit = next_limit

        self.state = None  # CounterState
        self.current: Ticket | None = None
        self.next_in_line: list[Ticket] = []
        self.parked: list[Ticket] = []
        self.waiting_counts: dict[str, int] = {code: 0 for code in self.counter.service_codes}
        self.waiting_priority: dict[str, int] = {code: 0 for code in self.counter.service_codes}
        self.loaded = False
        self.busy = False
        self.refreshing = False
        self.dirty = False
        self.store_down = False
        self.feed_down = feed_down
        self.reads = 0  # how many counter reads were started (coalescing is visible in tests)
        # Tickets of this presenter's own recent actions: each action re-reads the counter once it is
        # committed, so the events the feed brings back for them (this counter, this officer, these
        # numbers) start no second read of the whole queue.
        self._own: deque[str] = deque(maxlen=8)

    # ------------------------------------------------------------------ state for the view
    @property
    def offline(self) -> bool:
        return self.store_down or self.feed_down

    @property
    def has_open_ticket(self) -> bool:
        return self.current is not None and self.current.status in AT_COUNTER

    @property
    def status(self) -> CounterStatus:
        return self.state.status if self.state is not None else CounterStatus.CLOSED

    def enabled(self) -> dict[str, bool]:
        """Which actions may be pressed now (all refused while one is in flight)."""
        t = self.current
        called = t is not None and t.status == Status.CALLED
        at_counter = t is not None and t.status in AT_COUNTER
        allowed = {
            "call": True,
            "recall": called,
            "start": called,
            "finish": at_counter,
            "no_show": called,
            "transfer": at_counter,
            "park": at_counter,
            "pause": self.loaded,
            "close": self.loaded,
            "logout": True,
            "call_number": True,
            "call_back": bool(self.parked),
        }
        return {name: not self.busy and ok for name, ok in allowed.items()}

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        """Re-read this counter's view in the background (coalesced: one read at a time)."""
        if self.view.gone:
            return
        if self.refreshing:
            self.dirty = True
            return
        self.refreshing = True
        self.dirty = False
        self.reads += 1
        self.runner.submit(self._read, self._on_view, self._on_view_failed)

    def _read(self):
        """Runs on the runner: this counter's view and the waiting counts of its services."""
        return self.queue.counter_view(self.counter.code, next_limit=self.next_limit), self._counts()

    def _counts(self) -> dict[str, tuple[int, int]]:
        """service code -> (waiting, waiting with priority). The day's counts alone (one small
        read) where the store offers them; else from ``status()``, which also reads every
        counter's state and the oldest arrivals, none of which this window shows."""
        store, day = getattr(self.queue, "store", None), getattr(self.queue, "service_day", None)
        if store is not None and day is not None and hasattr(store, "read"):
            with store.read() as tx:
                if hasattr(tx, "service_counts"):
                    return {code: (c.waiting, c.waiting_priority) for code, c in tx.service_counts(day()).items()}
        return {s.service_code: (s.waiting, s.waiting_priority) for s in self.queue.status().services}

    def _on_view(self, result) -> None:
        self.refreshing = False
        if self.view.gone:
            return
        self._apply(result)
        if self.dirty:
            self.refresh()

    def _apply(self, result) -> None:
        """Show a read's result (from ``_read``)."""
        (view, next_in_line, parked), counts = result
        self._take_view(view)
        self.next_in_line = next_in_line
        self.parked = parked
        for code in self.waiting_counts:
            self.waiting_counts[code], self.waiting_priority[code] = counts.get(code, (0, 0))
        self.loaded = True
        self._store_back()
        self.view.render()

    def _on_view_failed(self, exc: BaseException) -> None:
        self.refreshing = False
        if self.view.gone:
            return
        if isinstance(exc, StoreUnavailable):
            self._store_lost()
        else:
            self.view.show_error(exc)
        if self.dirty:
            self.refresh()

    def _take_view(self, view) -> None:
        self.state = view.state
        t = view.ticket
        self.current = t if t is not None and t.status in AT_COUNTER else None

    def relevant(self, e) -> bool:
        c = self.counter
        return (e.counter_code == c.code or e.service_code in c.service_codes
                or e.type == "day_rollover" or e.payload.get("to_counter") == c.code)

    def _own_echo(self, e) -> bool:
        """An event of this presenter's own action, already in the read that action started."""
        return (e.counter_code == self.counter.code and getattr(e, "officer", None) == self.officer
                and getattr(e, "number", None) in self._own)

    def on_events(self, events: list) -> None:
        if not self.view.gone and any(self.relevant(e) and not self._own_echo(e) for e in events):
            self.refresh()

    def on_online(self, online: bool) -> None:
        if self.view.gone:
            return
        self.feed_down = not online
        self.view.set_retrying(self.store_down)
        if online:
            self.refresh()

    def _store_lost(self) -> None:
        self.store_down = True
        self.view.set_retrying(True)

    def _store_back(self) -> None:
        if self.store_down:
            self.store_down = False
            self.view.set_retrying(False)

    # ------------------------------------------------------------------ running one action
    def _run(self, action: str, work: Callable[[str, str], Any], *,
             guarded: tuple[str, str | None] | None = None,
             after: Callable[[Any], None] | None = None) -> bool:
        """Run ``work(counter_code, officer)`` in the background; show the result and the counter
        as it is after it.

        The counter is re-read in the same background job, right after the action committed, and
        both come back to the GUI thread together: one hand-over and one render, not a second
        round trip through the GUI thread before the read can start (a read that fails there is
        retried as a normal refresh; it never turns a done action into an error).

        ``guarded`` (the call's kind and ref): a ``CounterBusy`` refusal (this view did not know a
        ticket was open) re-reads the counter, asks what to do with that ticket, then retries."""
        if self.busy or self.view.gone:
            return False
        self.busy = True
        self.view.render_enabled()
        code, officer = self.counter.code, self.officer

        before = self.current.number if self.current is not None else None

        def job():
            result = work(code, officer)
            try:
                return result, self._read()
            except Exception:  # noqa: BLE001 - the action is done; the refresh below reads again
                return result, None

        def ok(value):
            result, view = value
            if self.view.gone:
                return
            self._own.extend(n for n in (before, getattr(result, "number", None),
                                         getattr(getattr(result, "called", None), "number", None)) if n)
            self.busy = False
            self._store_back()
            self.view.show_result(action, result)
            if view is not None and not self.refreshing:
                # a refresh started before the action could still bring older state: only when
                # none is in flight is this read the newest (else one more read follows it)
                self.reads += 1
                self._apply(view)
            else:
                self.view.render_enabled()
                self.refresh()
            if after is not None:
                after(result)

        def err(exc):
            if self.view.gone:
                return
            self.busy = False
            self.view.render_enabled()
            if guarded is not None and isinstance(exc, CounterBusy):
                self._guard_after_refresh(*guarded)
                return
            if isinstance(exc, StoreUnavailable):
                self._store_lost()
            self.view.show_error(exc)
            self.refresh()

        self.runner.submit(job, ok, err)
        self.view.focus_input()
        return True

    def act(self, action: str, *args, **kwargs) -> bool:
        """One of ``SIMPLE_ACTIONS``: ``queue.<method>(counter, *args, officer=..., **kwargs)``."""
        method = getattr(self.queue, SIMPLE_ACTIONS[action])
        return self._run(action, lambda code, officer: method(code, *args, officer=officer, **kwargs))

    # ------------------------------------------------------------------ calling
    def call(self, kind: str = "next", ref: str | None = None) -> bool:
        """Call the next ticket, one by number/QR text (``ref``) or a parked one (``ref`` token).

        With a ticket still open, the view is asked what to do with it first; nothing is called
        until the officer chose (True: the action was started or the question asked)."""
        if self.busy or self.view.gone:
            return False
        if self.has_open_ticket and self.current is not None:
            return self._ask_first(self.current, kind, ref)
        return self._run_call(None, kind, ref)

    def _ask_first(self, ticket: Ticket, kind: str, ref: str | None) -> bool:
        self.view.ask_open_ticket(ticket, lambda first: self._run_call(first, kind, ref))
        return True

    def _run_call(self, first: str | None, kind: str, ref: str | None) -> bool:
        if first is not None and first not in CLOSE_STEPS:
            raise ValueError(f"unknown first step {first!r}")
        return self._run("call", lambda code, officer: self._close_and_call(code, first, kind, ref, officer),
                         guarded=(kind, ref) if first is None else None)

    def _close_and_call(self, code: str, first: str | None, kind: str, ref: str | None, officer: str):
        """The one queue use case behind an officer's call: ``first`` (finish / no_show / park the
        open ticket, or None) and then the call itself. Runs on the runner.

        With a first step this is one composite use case in one transaction
        (``close_and_call_next`` / ``close_and_call_number`` / ``close_and_unpark``): a refused
        call rolls the first step back too, except "nobody waiting", where the first step stands
        and the counter is free (shown as "nothing waiting", as before)."""
        if first is None:
            call = getattr(self.queue, CALL_KINDS[kind])
            try:
                return call(code, officer=officer) if ref is None else call(code, ref, officer=officer)
            except InvalidTransition as e:
                # "hadir kembali": a no-show ticket typed again is called back (within the hall's window)
                if kind == "number" and ref is not None and e.params.get("status") == Status.NO_SHOW.value:
                    return self._return_from_no_show(code, ref, officer)
                raise
        if kind == "next":
            handover = self.queue.close_and_call_next(code, first, officer=officer)
        elif kind == "number":
            handover = self.queue.close_and_call_number(code, first, ref, officer=officer)
        else:
            handover = self.queue.close_and_unpark(code, first, ref, officer=officer)
        if handover.called is None:
            raise NothingWaiting(f"nobody is waiting for counter {code}", counter=code)
        return handover.called

    def _return_from_no_show(self, code: str, ref: str, officer: str):
        method = getattr(self.queue, "return_from_no_show", None)
        if method is None:  # a queue service without the use case mixed in
            from antrian.services.return_from_no_show import ReturnFromNoShow

            method = ReturnFromNoShow(self.queue.hall, self.queue.store, self.queue.clock).return_from_no_show
        return method(code, ref, officer=officer)

    def _guard_after_refresh(self, kind: str, ref: str | None) -> None:
        code, queue, limit = self.counter.code, self.queue, self.next_limit

        def ok(result):
            if self.view.gone:
                return
            view, _next, _parked = result
            self._take_view(view)
            self.view.render()
            if self.current is not None:
                self._ask_first(self.current, kind, ref)
            else:
                self.view.show_error(CounterBusy("busy"))

        def err(exc):
            if self.view.gone:
                return
            if isinstance(exc, StoreUnavailable):
                self._store_lost()
            self.view.show_error(exc)

        self.runner.submit(lambda: queue.counter_view(code, next_limit=limit), ok, err)

    # ------------------------------------------------------------------ the counter
    def pause_or_resume(self, reason: str | None = None) -> bool:
        """Resume a paused counter; else pause it for ``reason`` (the view asked for it)."""
        if self.status == CounterStatus.PAUSED:
            return self.act("resume")
        if reason is None:
            return False
        return self.act("pause", reason)

    def close_or_open(self, confirmed: bool = False) -> bool:
        """Open a closed counter; close an open one once ``confirmed``, never over an open ticket."""
        if self.status == CounterStatus.CLOSED:
            return self.act("open")
        if self.current is not None:
            self.view.show_notice("finish_before_closing")
            return False
        if not confirmed:
            return False
        return self.act("close")

    def logout(self) -> bool:
        """Pause the counter if it is open (best effort: offline still logs out), then leave."""
        if self.busy or self.view.gone:
            return False
        self.busy = True
        self.view.render_enabled()
        code, officer, queue = self.counter.code, self.officer, self.queue
        open_ = self.status == CounterStatus.OPEN

        def work():
            if open_:
                queue.pause_counter(code, "logout", officer=officer)

        def done(_value=None):
            if self.view.gone:
                return
            self.busy = False
            self.view.render_enabled()
            self.view.leave()

        self.runner.submit(work, done, done)
        return True
