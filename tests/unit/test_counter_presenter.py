"""The officer window's flow logic (counter/presenter.py) without Qt: a fake queue that records
every call, a runner whose background jobs run only when the test says so, a fake clock and a
view that records what it was told to show."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from antrian.services.handover import Handover
from antrian.domain.errors import CounterBusy, NothingWaiting, StoreUnavailable
from antrian.domain.model import CounterState, CounterStatus, Event, Status, Ticket
from antrian.services.queue import CounterView, HallStatus, ServiceStatus
from counter.presenter import CounterPresenter
from tests.conftest import FakeClock, make_hall


class ManualRunner:
    """``submit`` queues the job; ``run_all`` runs the queued jobs (and the ones they queue) and
    hands their results to the callbacks, as the GUI thread would."""

    def __init__(self):
        self.jobs: list = []

    def submit(self, fn, on_ok=None, on_err=None):
        self.jobs.append((fn, on_ok, on_err))

    def run_one(self) -> None:
        fn, on_ok, on_err = self.jobs.pop(0)
        try:
            value = fn()
        except Exception as exc:
            if on_err is not None:
                on_err(exc)
            return
        if on_ok is not None:
            on_ok(value)

    def run_all(self) -> None:
        while self.jobs:
            self.run_one()


class FakeQueue:
    """Counter 7 of the test hall: a waiting line, one open ticket at most, every call recorded."""

    def __init__(self, hall, clock):
        self.hall, self.clock = hall, clock
        self.calls: list[tuple] = []
        self.down = False
        self.waiting: list[Ticket] = []
        self.parked: list[Ticket] = []
        self.current: Ticket | None = None
        self.state = CounterState("7", CounterStatus.OPEN, officer="budi")
        self._seq = 0
        self._inner = False

    def add(self, n: int = 1) -> list[Ticket]:
        made = []
        for _ in range(n):
            self._seq += 1
            t = Ticket(self._seq, self.clock.now().date(), "K", self._seq, f"K-{self._seq:03d}", "ktp", "dukcapil",
                       None, Status.WAITING, self.clock.now(), self.clock.now(), f"tok{self._seq}")
            self.waiting.append(t)
            made.append(t)
        return made

    def _check(self):
        if self.down:
            raise StoreUnavailable("database unreachable (test)")

    def _log(self, name, *args):
        self._check()
        if not self._inner:
            self.calls.append((name, *args))

    # composite use cases: one recorded write each (the real ones are one transaction)
    def _composite(self, name, code, first, call, *args):
        self._log(name, code, first, *args)
        self._inner = True
        try:
            closed = getattr(self, first)(code)
            try:
                called = call(code, *args)
            except NothingWaiting:
                called = None
        finally:
            self._inner = False
        return Handover(closed, called)

    def close_and_call_next(self, code, first, officer=None):
        return self._composite("close_and_call_next", code, first, self.call_next)

    def close_and_call_number(self, code, first, ref, officer=None):
        return self._composite("close_and_call_number", code, first, self.call_number, ref)

    def close_and_unpark(self, code, first, token, officer=None):
        return self._composite("close_and_unpark", code, first, self.unpark, token)

    # reads
    def counter_view(self, code, next_limit=5):
        self._log("counter_view", code)
        return CounterView(code, self.state, self.current), list(self.waiting[:next_limit]), list(self.parked)

    def status(self):
        self._check()
        s = ServiceStatus("ktp", "dukcapil", len(self.waiting), 0, None, self._seq, 15)
        return HallStatus(self.clock.now(), (s,), ())

    # calling
    def _open(self, t: Ticket) -> Ticket:
        if self.current is not None:
            raise CounterBusy(f"counter 7 still has {self.current.number} open")
        self.current = t.evolve(status=Status.CALLED, counter_code="7", called_at=self.clock.now())
        return self.current

    def call_next(self, code, officer=None):
        self._log("call_next", code)
        if self.current is not None:
            return self._open(self.current)
        if not self.waiting:
            raise NothingWaiting("nobody is waiting for counter 7")
        return self._open(self.waiting.pop(0))

    def call_number(self, code, ref, officer=None):
        self._log("call_number", code, ref)
        t = next(t for t in self.waiting if t.number == ref)
        self.waiting.remove(t)
        return self._open(t)

    def unpark(self, code, token, officer=None):
        self._log("unpark", code, token)
        t = next(t for t in self.parked if t.token == token)
        result = self._open(t)
        self.parked.remove(t)
        return result

    # closing the open ticket
    def _close(self, name, code, status):
        self._log(name, code)
        t, self.current = self.current, None
        t = t.evolve(status=status)
        if status == Status.PARKED:
            self.parked.append(t)
        return t

    def finish(self, code, officer=None):
        return self._close("finish", code, Status.DONE)

    def no_show(self, code, officer=None):
        return self._close("no_show", code, Status.NO_SHOW)

    def park(self, code, officer=None):
        return self._close("park", code, Status.PARKED)

    def recall(self, code, officer=None):
        self._log("recall", code)
        self.current = self.current.evolve(recall_count=self.current.recall_count + 1)
        return self.current

    def start(self, code, officer=None):
        self._log("start", code)
        self.current = self.current.evolve(status=Status.SERVING, started_at=self.clock.now())
        return self.current

    def pause_counter(self, code, reason, officer=None):
        self._log("pause_counter", code, reason)
        self.state = CounterState("7", CounterStatus.PAUSED, officer=officer, pause_reason=reason)
        return self.state

    def open_counter(self, code, officer=None):
        self._log("open_counter", code)
        self.state = CounterState("7", CounterStatus.OPEN, officer=officer)
        return self.state

    def close_counter(self, code, officer=None):
        self._log("close_counter", code)
        self.state = CounterState("7", CounterStatus.CLOSED)
        return self.state


class FakeView:
    def __init__(self):
        self.gone = False
        self.log: list[tuple] = []
        self.questions: list = []  # (ticket, then) of every "what about the open ticket?"
        self.retrying = False
        self.left = False

    def render(self):
        self.log.append(("render",))

    def render_enabled(self):
        pass

    def show_result(self, action, result):
        self.log.append(("result", action, getattr(result, "number", None)))

    def show_error(self, exc):
        self.log.append(("error", type(exc).__name__))

    def show_notice(self, key):
        self.log.append(("notice", key))

    def set_retrying(self, on):
        self.retrying = on

    def ask_open_ticket(self, ticket, then):
        self.questions.append((ticket, then))

    def focus_input(self):
        pass

    def leave(self):
        self.left = True

    def last(self, kind):
        return [e for e in self.log if e[0] == kind][-1]


@pytest.fixture
def env():
    clock = FakeClock()
    hall = make_hall()
    queue = FakeQueue(hall, clock)
    runner = ManualRunner()
    view = FakeView()
    p = CounterPresenter(queue, runner, "7", "budi", view)
    p.refresh()
    runner.run_all()
    return SimpleNamespace(clock=clock, queue=queue, runner=runner, view=view, p=p)


def writes(queue) -> list[tuple]:
    return [c for c in queue.calls if c[0] != "counter_view"]


def test_first_read_loads_the_counter(env):
    assert env.p.loaded and env.p.current is None
    assert env.p.enabled()["call"] and not env.p.enabled()["finish"]


def test_call_next_shows_the_called_ticket_and_rereads(env):
    env.queue.add(2)
    assert env.p.call("next")
    env.runner.run_all()
    assert writes(env.queue) == [("call_next", "7")]
    assert env.view.last("result") == ("result", "call", "K-001")
    assert env.p.current.number == "K-001"
    assert [t.number for t in env.p.next_in_line] == ["K-002"]
    assert env.p.enabled()["finish"] and env.p.enabled()["recall"]


def test_a_double_press_calls_one_ticket(env):
    env.queue.add(3)
    assert env.p.call("next") is True
    assert env.p.busy and not any(env.p.enabled().values())
    assert env.p.call("next") is False  # the second press while the first is in flight
    assert env.p.act("recall") is False
    env.runner.run_all()
    assert writes(env.queue) == [("call_next", "7")]
    assert not env.p.busy


def test_calling_with_a_ticket_open_asks_first_and_calls_nothing_until_chosen(env):
    env.queue.add(2)
    env.p.call("next")
    env.runner.run_all()
    assert env.p.call("next") is True
    env.runner.run_all()
    assert writes(env.queue) == [("call_next", "7")]  # nothing more yet
    (ticket, then), = env.view.questions
    assert ticket.number == "K-001"
    then("finish")
    env.runner.run_all()
    assert writes(env.queue) == [("call_next", "7"), ("close_and_call_next", "7", "finish")]
    assert env.p.current.number == "K-002"
    assert env.view.last("result") == ("result", "call", "K-002")


@pytest.mark.parametrize("first", ["finish", "no_show", "park"])
def test_the_first_step_and_the_call_are_one_background_job(env, first):
    """One officer action is one queue use case: the adapter runs both steps in one job."""
    env.queue.add(2)
    env.p.call("next")
    env.runner.run_all()
    env.p.call("next")
    _ticket, then = env.view.questions[-1]
    then(first)
    assert len(env.runner.jobs) == 1
    env.runner.run_one()
    assert writes(env.queue)[-1:] == [("close_and_call_next", "7", first)]


def test_call_by_number_and_call_back_a_parked_ticket_are_guarded_too(env):
    env.queue.add(3)
    env.p.call("number", "K-003")
    env.runner.run_all()
    assert env.p.current.number == "K-003"
    env.p.act("park")
    env.runner.run_all()
    assert [t.number for t in env.p.parked] == ["K-003"]
    env.p.call("next")
    env.runner.run_all()
    env.p.call("parked", env.p.parked[0].token)
    _ticket, then = env.view.questions[-1]
    then("finish")
    env.runner.run_all()
    assert writes(env.queue)[-1:] == [("close_and_unpark", "7", "finish", "tok3")]
    assert env.p.current.number == "K-003" and env.p.parked == []


def test_a_stale_view_learns_of_the_open_ticket_from_the_refusal(env):
    """Another station called on this counter; this view still shows it idle."""
    env.queue.add(2)
    env.queue.call_next("7")  # behind the presenter's back
    assert env.p.current is None
    env.p.call("next")
    env.runner.run_all()
    (ticket, then), = env.view.questions
    assert ticket.number == "K-001" and env.p.current.number == "K-001"
    then("no_show")
    env.runner.run_all()
    assert writes(env.queue)[-1:] == [("close_and_call_next", "7", "no_show")]
    assert env.p.current.number == "K-002"


def test_refreshes_are_coalesced(env):
    reads = env.p.reads
    for _ in range(5):
        env.p.refresh()
    assert env.p.refreshing and env.p.dirty
    env.runner.run_all()
    assert env.p.reads == reads + 2  # the one in flight, then one more for all the asks meanwhile
    assert not env.p.refreshing and not env.p.dirty


def test_only_relevant_events_refresh(env):
    reads = env.p.reads
    at = env.clock.now()
    env.p.on_events([Event("called", at, counter_code="10", service_code="pbb")])
    assert env.p.reads == reads
    env.p.on_events([Event("issued", at, service_code="ktp")])
    env.p.on_events([Event("transferred", at, service_code="pbb", payload={"to_counter": "7"})])
    env.runner.run_all()
    assert env.p.reads == reads + 2


def test_offline_then_back_by_itself(env):
    env.queue.add(1)
    env.queue.down = True
    env.p.call("next")
    env.runner.run_all()
    assert env.p.offline and env.view.retrying
    assert env.view.last("error") == ("error", "StoreUnavailable")
    assert env.p.enabled()["call"]  # still responsive
    env.queue.down = False
    env.p.refresh()  # the view's retry timer
    env.runner.run_all()
    assert not env.p.offline and not env.view.retrying


def test_feed_offline_shows_offline_and_online_rereads(env):
    env.p.on_online(False)
    assert env.p.offline and not env.view.retrying  # the feed retries, not the panel
    reads = env.p.reads
    env.p.on_online(True)
    env.runner.run_all()
    assert not env.p.offline and env.p.reads == reads + 1


def test_nothing_waiting_is_an_error_message_not_a_lock(env):
    env.p.call("next")
    env.runner.run_all()
    assert env.view.last("error") == ("error", "NothingWaiting")
    assert not env.p.busy and env.p.enabled()["call"]


def test_closing_refuses_over_an_open_ticket_and_needs_a_confirmation(env):
    env.queue.add(1)
    env.p.call("next")
    env.runner.run_all()
    assert env.p.close_or_open(confirmed=True) is False
    assert env.view.last("notice") == ("notice", "finish_before_closing")
    env.p.act("finish")
    env.runner.run_all()
    assert env.p.close_or_open() is False  # not confirmed yet: nothing done
    assert env.p.close_or_open(confirmed=True)
    env.runner.run_all()
    assert env.p.status == CounterStatus.CLOSED
    assert env.p.close_or_open()  # a closed counter opens without asking
    env.runner.run_all()
    assert env.p.status == CounterStatus.OPEN


def test_pause_needs_a_reason_resume_does_not(env):
    assert env.p.pause_or_resume() is False
    env.p.pause_or_resume("Sholat")
    env.runner.run_all()
    assert env.p.status == CounterStatus.PAUSED
    env.p.pause_or_resume()
    env.runner.run_all()
    assert env.p.status == CounterStatus.OPEN
    assert writes(env.queue) == [("pause_counter", "7", "Sholat"), ("open_counter", "7")]


def test_logout_pauses_an_open_counter_and_leaves_even_offline(env):
    env.queue.down = True
    env.p.logout()
    env.runner.run_all()
    assert env.view.left


def test_nothing_happens_after_the_view_is_gone(env):
    env.queue.add(1)
    env.p.call("next")
    env.view.gone = True
    env.runner.run_all()
    assert env.view.last("render") == ("render",)
    assert not [e for e in env.view.log if e[0] == "result"]
    env.clock.advance(minutes=1)
    assert env.clock.now() - env.queue.current.called_at == timedelta(minutes=1)


def test_the_presenter_does_not_import_qt():
    import subprocess
    import sys

    code = "import sys, counter.presenter; print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_echo_of_an_own_call_starts_no_second_read(env):
    """F1: the call commits, its refresh starts; the feed then brings the call's own events. At
    100k waiting each read of the whole queue is what the officer waits for, so the echo must not
    start another one; the same number called by someone else, or another ticket, still does."""
    env.queue.add(2)
    env.p.call("next")
    env.runner.run_all()
    called = env.p.current
    assert called is not None
    reads = env.p.reads
    at = env.clock.now()
    env.p.on_events([Event("called", at, number=called.number, counter_code="7", officer="budi", service_code="ktp")])
    env.runner.run_all()
    assert env.p.reads == reads  # the echo of this window's own call
    env.p.on_events([Event("recalled", at, number=called.number, counter_code="7", officer="sri", service_code="ktp")])
    env.runner.run_all()
    assert env.p.reads == reads + 1  # a supervisor acted on the same ticket: re-read
    env.p.on_events([Event("issued", at, number="K-099", service_code="ktp")])
    env.runner.run_all()
    assert env.p.reads == reads + 2
    # finish and call: both numbers are the window's own
    env.p.call("next")  # an open ticket: the view is asked first
    (ticket, then), = env.view.questions[-1:]
    then("finish")
    env.runner.run_all()
    second = env.p.current
    assert second is not None and second.number != called.number
    reads = env.p.reads
    env.p.on_events([Event("finished", at, number=called.number, counter_code="7", officer="budi", service_code="ktp"),
                     Event("called", at, number=second.number, counter_code="7", officer="budi", service_code="ktp")])
    env.runner.run_all()
    assert env.p.reads == reads


def test_a_call_and_its_reread_are_one_background_job(env):
    """F1 (issue 11): the counter is re-read in the call's own job, right after the commit, so the
    window gets the called ticket and the new queue in one hand-over and renders once."""
    env.queue.add(3)
    env.view.log.clear()
    assert env.p.call("next")
    assert len(env.runner.jobs) == 1
    env.runner.run_one()
    assert env.runner.jobs == []  # no second round trip for the read
    assert [e[0] for e in env.view.log] == ["result", "render"]
    assert env.p.current.number == "K-001"
    assert [t.number for t in env.p.next_in_line] == ["K-002", "K-003"]
    assert env.p.waiting_counts["ktp"] == 2


def test_a_refresh_in_flight_during_a_call_is_read_again_after_it(env):
    """A refresh submitted before the call may bring older state after the call's result: the
    call's read is then not shown on its own; one more read follows the refresh in flight."""
    env.queue.add(2)
    env.p.refresh()  # e.g. a feed event: its read is queued first
    env.p.call("next")
    stale_fn, stale_ok, _ = env.runner.jobs[0]
    stale = stale_fn()  # read before the call commits
    env.runner.jobs.pop(0)
    env.runner.run_one()  # the call and its read
    assert env.p.dirty and env.p.refreshing
    stale_ok(stale)  # the older read arrives last...
    env.runner.run_all()  # ...and the read after it shows the called ticket
    assert env.p.current.number == "K-001" and [t.number for t in env.p.next_in_line] == ["K-002"]
    assert not env.p.refreshing and not env.p.dirty


def test_a_failed_reread_after_a_done_call_is_no_error(env):
    env.queue.add(1)
    counter_view = env.queue.counter_view
    env.queue.counter_view = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("read failed"))
    env.p.call("next")
    env.runner.run_one()
    assert env.view.last("result") == ("result", "call", "K-001")
    assert not [e for e in env.view.log if e[0] == "error"]
    env.queue.counter_view = counter_view
    env.runner.run_all()  # the normal refresh it fell back to
    assert env.p.current.number == "K-001"
