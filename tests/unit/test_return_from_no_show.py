"""Issue 15.12: "hadir kembali" -- a no-show ticket is called again within the hall setting
(``no_show_return_minutes``, default 30), on the fake store and on SQLite/PostgreSQL."""

from __future__ import annotations


import pytest

from antrian.domain.errors import CounterBusy, InvalidTransition
from antrian.domain.model import Status
from antrian.fakes import FakeStore
from antrian.services.queue import QueueService
from antrian.services.return_from_no_show import ReturnFromNoShow, may_return, return_window_minutes


class Queue(QueueService, ReturnFromNoShow):
    pass


@pytest.fixture(params=["fake", "sqlite"])
def any_store(request, tmp_path):
    if request.param == "fake":
        yield FakeStore()
        return
    from antrian.storage.db import SqlStore, upgrade

    url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
    upgrade(url)
    s = SqlStore(url)
    yield s
    s.dispose()


def _no_show(q, counter="7"):
    t = q.issue("ktp").ticket
    q.call_next(counter)
    q.recall(counter)
    gone = q.no_show(counter)
    assert gone.status == Status.NO_SHOW and gone.number == t.number
    return t


def test_the_default_window_is_30_minutes(hall):
    assert return_window_minutes(hall) == 30
    assert return_window_minutes(type("H", (), {"no_show_return_minutes": 10})()) == 10
    assert return_window_minutes(type("H", (), {"no_show_return_minutes": "x"})()) == 30


def test_a_no_show_comes_back_within_the_window(hall, any_store, clock):
    q = Queue(hall, any_store, clock)
    t = _no_show(q)
    clock.advance(minutes=29)
    back = q.return_from_no_show("8", t.number, officer="budi")
    assert back.status == Status.CALLED and back.counter_code == "8"
    with any_store.read() as tx:
        stored = tx.get_ticket(t.id)
        assert stored.status == Status.CALLED and stored.counter_code == "8"
        assert tx.counter_state("8").current_ticket_id == t.id
        last = tx.events_after(0)[-1]
        assert last.type == "called_number" and last.payload.get("returned") is True
    finished = q.finish("8")
    assert finished.status == Status.DONE


def test_too_late_wrong_state_or_busy_counter_is_refused(hall, any_store, clock):
    q = Queue(hall, any_store, clock)
    t = _no_show(q)
    clock.advance(minutes=31)
    with pytest.raises(InvalidTransition) as late:
        q.return_from_no_show("7", t.number)
    assert "30 min" in str(late.value)
    waiting = q.issue("ktp").ticket
    with pytest.raises(InvalidTransition):
        q.return_from_no_show("7", waiting.number)  # not a no-show
    q.call_next("7")
    t2 = q.no_show("7")  # `waiting` is now a no-show too
    q.issue("ktp")
    q.call_next("7")  # counter 7 busy again
    with pytest.raises(CounterBusy):
        q.return_from_no_show("7", t2.number)
    with pytest.raises(InvalidTransition):
        q.return_from_no_show("3", t2.number)  # loket 3 serves PDAM only


def test_a_hall_setting_changes_the_window(hall, clock):
    q = Queue(hall, FakeStore(), clock)
    t = _no_show(q)
    clock.advance(minutes=6)
    short = type("ShortHall", (), {"no_show_return_minutes": 5})()
    assert not may_return(_stored(q, t),
                          clock.now(), return_window_minutes(short))
    assert may_return(_stored(q, t), clock.now(), 30)
    assert not may_return(_stored(q, t), clock.now(), 0)  # 0 turns it off


def _stored(q, t):
    with q.store.read() as tx:
        return tx.get_ticket(t.id)
