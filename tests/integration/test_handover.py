"""Composite officer actions (close the open ticket, then call) are one use case and one
transaction, and the ports' compare-and-set guards: on the fake store, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from antrian.domain.errors import BadTicketRef, InvalidTransition, NoCurrentTicket
from antrian.domain.model import Status
from antrian.fakes import FakeStore
from antrian.services.queue import Handover, QueueService
from antrian.storage.db import SqlStore, upgrade


@pytest.fixture(params=["fake", "sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def any_store(request, tmp_path):
    if request.param == "fake":
        yield FakeStore()
        return
    url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    upgrade(url)
    store = SqlStore(url)
    yield store
    store.dispose()


@pytest.fixture
def q(hall, any_store, clock):
    return QueueService(hall, any_store, clock)


def _types(q: QueueService, after: int) -> list[str]:
    return [e.type for e in q.events_after(after)]


def test_finish_and_call_next_is_one_action(q, clock):
    a = q.issue("ktp").ticket
    b = q.issue("ktp").ticket
    q.call_next("7", officer="ani")
    clock.advance(minutes=4)
    mark = q.last_event_id()
    r = q.finish_and_call_next("7", officer="ani")
    assert isinstance(r, Handover)
    assert (r.closed.id, r.closed.status) == (a.id, Status.DONE)
    assert r.called is not None and (r.called.id, r.called.status, r.called.counter_code) == (b.id, Status.CALLED, "7")
    assert _types(q, mark) == ["finished", "called"]
    view, _, _ = q.counter_view("7")
    assert view.state.current_ticket_id == b.id
    assert q.status().services[0].waiting == 0


def test_with_nobody_waiting_the_first_step_still_counts(q):
    a = q.issue("ktp").ticket
    q.call_next("7")
    r = q.no_show_and_call_next("7")
    assert (r.closed.id, r.closed.status, r.called) == (a.id, Status.NO_SHOW, None)
    view, _, _ = q.counter_view("7")
    assert view.state.current_ticket_id is None


def test_a_refused_second_step_rolls_back_the_first(q):
    a = q.issue("ktp").ticket
    q.call_next("7")
    mark = q.last_event_id()
    with pytest.raises(BadTicketRef):
        q.close_and_call_number("7", "finish", "not-a-ticket")
    assert q.find_ticket(a.number).status == Status.CALLED
    assert q.counter_view("7")[0].state.current_ticket_id == a.id
    assert _types(q, mark) == []


def test_a_refused_first_step_changes_nothing(q):
    q.issue("ktp")
    q.issue("ktp")
    q.call_next("7")
    q.start("7")
    mark = q.last_event_id()
    with pytest.raises(InvalidTransition):  # a ticket being served cannot be marked absent
        q.no_show_and_call_next("7")
    with pytest.raises(NoCurrentTicket):
        q.park_and_call_next("8")
    assert _types(q, mark) == []


def test_park_then_call_a_number_and_call_back_a_parked_one(q):
    a = q.issue("ktp").ticket
    b = q.issue("kk").ticket
    q.call_next("7")
    r = q.close_and_call_number("7", "park", b.number)
    assert (r.closed.status, r.called.id) == (Status.PARKED, b.id)
    r = q.close_and_unpark("7", "finish", a.token)
    assert (r.closed.id, r.closed.status, r.called.id, r.called.status) == (b.id, Status.DONE, a.id, Status.CALLED)


def test_transfer_and_call_next(q):
    a = q.issue("ktp").ticket
    b = q.issue("ktp").ticket
    q.call_next("7")
    mark = q.last_event_id()
    r = q.transfer_and_call_next("7", to_service="pdam-bayar")
    assert (r.closed.transferred_from, r.closed.status, r.closed.service_code) == (a.id, Status.WAITING, "pdam-bayar")
    assert r.called is not None and r.called.id == b.id
    assert _types(q, mark) == ["transferred", "transferred_in", "called"]
    assert q.call_next("3").id == r.closed.id


def test_guards_compare_the_status_read(any_store, hall, clock):
    q = QueueService(hall, any_store, clock)
    a = q.issue("ktp", priority="lansia").ticket
    at = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    day = a.service_day
    with any_store.transaction() as tx:
        assert tx.waiting_count(day, "ktp", priority=False) == 1
        assert tx.waiting_count(day, "ktp", priority=True) == 1
        # a stale read (the ticket is waiting, not called): nothing applies, the counts stay
        assert not tx.mark_finished(a.id, Status.CALLED, at, at, 60)
        assert not tx.claim_for_counter(a.id, Status.PARKED, "7", "ani", at)
        assert tx.waiting_count(day, "ktp", priority=True) == 1
        assert tx.service_times(day, "ktp").finished == 0
        # the status read: it applies once, the waiting counts follow under the same guard
        assert tx.claim_for_counter(a.id, Status.WAITING, "7", "ani", at)
        assert not tx.claim_for_counter(a.id, Status.WAITING, "8", "budi", at)
        assert tx.waiting_count(day, "ktp", priority=False) == 0
        assert tx.waiting_count(day, "ktp", priority=True) == 0
        assert tx.seat_ticket("7", a.id, "ani", at)
        assert not tx.seat_ticket("7", a.id, "ani", at)
        assert tx.mark_finished(a.id, Status.CALLED, at, at + timedelta(seconds=90), 90)
        assert tx.service_times(day, "ktp").total_seconds == 90
        assert not tx.release_ticket("7", a.id + 1)
        assert tx.release_ticket("7", a.id)
        assert tx.get_ticket(a.id).counter_code == "7"
        assert not tx.close_counter("7", a.id, at)
        assert tx.close_counter("7", None, at)


def test_a_failed_transaction_leaves_nothing_behind(any_store, hall, clock):
    q = QueueService(hall, any_store, clock)
    q.issue("ktp")
    before = q.last_event_id(), q.status().services[0].waiting
    with pytest.raises(RuntimeError):
        with any_store.transaction() as tx:
            t = tx.find_by_number(q.service_day(), "K", 1)
            assert tx.claim_for_counter(t.id, Status.WAITING, "7", None, clock.now())
            raise RuntimeError("boom")
    assert (q.last_event_id(), q.status().services[0].waiting) == before
    assert q.find_ticket("K-001").status == Status.WAITING
