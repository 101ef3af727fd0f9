"""Races between stations with the interleaving FORCED on two connections (issue 10: defects
1, 2, 5, 6 and 10), on SQLite and PostgreSQL: station A's use case stops right after a read,
station B's action runs on its own connection until it commits or is blocked by A, then A goes
on. See tests/integration/interleave.py.

On SQLite every write transaction is BEGIN IMMEDIATE, so B always waits for A: these tests
show the promise holds there too. On PostgreSQL each of them failed before the fix (lock order
counter row -> ticket row -> event append, compare-and-set on what was read)."""

from __future__ import annotations

import pytest

from antrian.domain.errors import (
    InvalidTransition,
    NoCurrentTicket,
    NothingWaiting,
    StoreConflict,
    StoreUnavailable,
    TooManyRecalls,
)
from antrian.domain.model import Status
from antrian.services.queue import QueueService
from antrian.storage.db import SqlStore
from tests.integration.interleave import Entered, Paused, problems


@pytest.fixture
def b_store(db_url, store):
    s = SqlStore(db_url)
    yield Entered(s)
    s.dispose()


def station_a(hall, store, db_url, clock, b_store, after, between, nth=1):
    paused = Paused(store, db_url, after=after, between=between, nth=nth, b_store=b_store)
    return QueueService(hall, paused, clock), paused


def check(db_url, hall, queue):
    assert problems(db_url, hall, queue.service_day()) == []


def events(queue, type_):
    return [e for e in queue.events_after(0) if e.type == type_]


# ------------------------------------------------------------------------ 1: cancel vs call


def test_cancel_racing_a_force_close_and_a_call_elsewhere(hall, store, db_url, clock, queue, b_store):
    """A supervisor cancels K-001 (called at 7); before the cancel writes, counter 7 is force-
    closed and counter 8 calls K-001. The cancel must free counter 8, not leave it stuck."""
    t = queue.issue("ktp").ticket
    queue.call_next("7", officer="ani")
    qb = QueueService(hall, b_store, clock)

    def b():
        qb.close_counter("7", officer="spv", force=True)
        try:
            return qb.call_next("8", officer="budi")
        except NothingWaiting:
            return None

    qa, paused = station_a(hall, store, db_url, clock, b_store, "find_by_number", b)
    cancelled = qa.cancel(t.number, officer="spv")
    paused.finish_b()
    assert paused.b_error is None, paused.b_error
    assert cancelled.status == Status.CANCELLED
    with store.read() as tx:
        assert tx.counter_state("8").current_ticket_id is None
        assert tx.get_ticket(t.id).status == Status.CANCELLED
    check(db_url, hall, queue)
    queue.issue("ktp")
    assert queue.call_next("8").number == "K-002"  # not "still has K-001 open"


# ------------------------------------------------------------------------ 2: force-close vs finish + call next


def test_force_close_racing_finish_and_call_next(hall, store, db_url, clock, queue, b_store):
    t1 = queue.issue("ktp").ticket
    t2 = queue.issue("ktp").ticket
    queue.call_next("7", officer="ani")
    qb = QueueService(hall, b_store, clock)
    qa, paused = station_a(hall, store, db_url, clock, b_store, "get_ticket",
                           lambda: qb.finish_and_call_next("7", officer="ani"))
    closed = qa.close_counter("7", officer="spv", force=True)  # not refused: it closes what is there
    paused.finish_b()
    assert paused.b_error is None or isinstance(paused.b_error, NoCurrentTicket), paused.b_error
    assert closed.status.value == "closed" and closed.current_ticket_id is None
    with store.read() as tx:
        s1, s2 = tx.get_ticket(t1.id).status, tx.get_ticket(t2.id).status
    requeued = {e.ticket_id for e in events(queue, "requeued")}
    finished = {e.ticket_id for e in events(queue, "finished")}
    assert not (requeued & finished), "a finished ticket was also requeued"
    if paused.b_error is None:  # B finished first: K-001 done, K-002 called then put back
        assert (s1, s2) == (Status.DONE, Status.WAITING) and requeued == {t2.id}
    else:  # A closed first: K-001 back in the queue, B found nothing to finish
        assert (s1, s2) == (Status.WAITING, Status.WAITING) and requeued == {t1.id}
    check(db_url, hall, queue)


# ------------------------------------------------------------------------ 5: two recalls vs max_recalls


def test_two_recalls_from_one_read_cannot_pass_max_recalls(hall, store, db_url, clock, queue, b_store):
    queue.issue("ktp")
    queue.call_next("7")
    for _ in range(hall.max_recalls - 1):
        queue.recall("7")
    qb = QueueService(hall, b_store, clock)
    qa, paused = station_a(hall, store, db_url, clock, b_store, "get_ticket", lambda: qb.recall("7"))
    outcomes = []
    try:
        outcomes.append(qa.recall("7").recall_count)
    except (TooManyRecalls, InvalidTransition) as e:
        outcomes.append(type(e).__name__)
    paused.finish_b()
    outcomes.append(paused.b_result.recall_count if paused.b_error is None else type(paused.b_error).__name__)
    assert sorted(map(str, outcomes)) == sorted([str(hall.max_recalls), "TooManyRecalls"]) or \
        sorted(map(str, outcomes)) == sorted([str(hall.max_recalls), "InvalidTransition"]), outcomes
    recalls = [e.payload["recall_count"] for e in events(queue, "recalled")]
    assert recalls == list(range(1, hall.max_recalls + 1))
    with store.read() as tx:
        assert tx.open_tickets(queue.service_day())[0].recall_count == hall.max_recalls


# ------------------------------------------------------------------------ 6: lock order, no deadlock


def test_force_close_and_pause_of_one_counter_do_not_deadlock(hall, store, db_url, clock, queue, b_store):
    """Old order: the close held the ticket and the event lock, then wanted the counter row;
    the pause held the counter row and wanted the event lock: a deadlock shown as "offline"."""
    t1 = queue.issue("ktp").ticket
    queue.call_next("7")
    qb = QueueService(hall, b_store, clock)
    qa, paused = station_a(hall, store, db_url, clock, b_store, "append_event",
                           lambda: qb.pause_counter("7", "istirahat", officer="ani"))
    qa.close_counter("7", officer="spv", force=True)
    paused.finish_b()
    assert paused.b_error is None, paused.b_error
    with store.read() as tx:
        assert tx.get_ticket(t1.id).status == Status.WAITING
        assert tx.counter_state("7").status.value == "paused"
    check(db_url, hall, queue)


def test_finish_and_call_next_racing_a_cancel_does_not_deadlock(hall, store, db_url, clock, queue, b_store):
    """Old order: finish + call next held the event lock (its "finished" event) and then wanted
    K-002's row; the cancel of K-002 held that row and wanted the event lock."""
    queue.issue("ktp")
    t2 = queue.issue("ktp").ticket
    queue.call_next("7")
    qb = QueueService(hall, b_store, clock)
    qa, paused = station_a(hall, store, db_url, clock, b_store, "append_event",
                           lambda: qb.cancel(t2.number, officer="spv"))
    try:
        h = qa.finish_and_call_next("7")
    except (StoreUnavailable, StoreConflict) as e:  # pragma: no cover - the old behaviour
        pytest.fail(f"reported as {type(e).__name__}: {e}")
    paused.finish_b()
    assert paused.b_error is None, paused.b_error
    # either the cancel got K-002 first (nothing left to call) or A called it and the cancel
    # then took it off counter 7: both end cancelled, with counter 7 free
    assert h.called is None or h.called.id == t2.id
    with store.read() as tx:
        assert tx.get_ticket(t2.id).status == Status.CANCELLED
        assert tx.counter_state("7").current_ticket_id is None
    check(db_url, hall, queue)


# ------------------------------------------------------------------------ 10: parked ticket at a wrong counter


def test_parked_ticket_is_not_called_back_at_a_counter_that_does_not_serve_it(queue, store, db_url, hall):
    t = queue.issue("ktp").ticket
    queue.call_next("7")
    queue.park("7")
    with pytest.raises(InvalidTransition, match="does not serve"):
        queue.unpark("3", t.number)
    with pytest.raises(InvalidTransition, match="does not serve"):
        queue.call_number("3", t.number)
    queue.issue("pdam-bayar")
    queue.call_next("3")
    with pytest.raises(InvalidTransition, match="does not serve"):
        queue.close_and_unpark("3", "finish", t.number)
    with store.read() as tx:
        assert tx.get_ticket(t.id).status == Status.PARKED
        assert tx.counter_state("3").current_ticket_id is not None  # the finish rolled back too
    assert queue.unpark("8", t.number).counter_code == "8"
    check(db_url, hall, queue)
