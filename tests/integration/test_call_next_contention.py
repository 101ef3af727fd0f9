"""Call next with several counters at once (issue 11), the interleaving FORCED on two
connections (tests/integration/interleave.py), on SQLite and PostgreSQL.

Counter A's call next stops right after its claim (its transaction open, holding the ticket);
counter B calls next on its own connection. PostgreSQL: the candidates are read FOR UPDATE SKIP
LOCKED, so B gets the next ticket at once, without waiting for A. SQLite: writers are serialised,
B waits for A's commit and then gets the next ticket. Either way no ticket is called twice, and
with nothing locked the order is exactly the rules' (compared with the in-memory store)."""

from __future__ import annotations

import pytest

from antrian.domain.errors import NothingWaiting
from antrian.domain.model import Status
from antrian.fakes import FakeStore
from antrian.services.queue import QueueService
from antrian.storage.db import SqlStore
from tests.integration.interleave import Entered, Paused, problems


@pytest.fixture
def b_store(db_url, store):
    s = SqlStore(db_url)
    yield Entered(s)
    s.dispose()


def _pg(db_url: str) -> bool:
    return db_url.startswith("postgresql")


def _called_events(queue) -> list[int]:
    return [e.ticket_id for e in queue.events_after(0) if e.type == "called"]


def _a_paused_after_claim(hall, store, db_url, clock, b_store, between):
    paused = Paused(store, db_url, after="call_to_counter", between=between, b_store=b_store)
    return QueueService(hall, paused, clock), paused


def test_a_held_head_is_passed_over_at_once_on_postgresql_and_waited_for_on_sqlite(
        hall, store, db_url, clock, queue, b_store):
    """K-001 (KTP), K-002 (KK), K-003 (KTP): A claims K-001 and holds it; B gets K-002, the
    true second across both services (not K-003, the next of K-001's own line)."""
    t1 = queue.issue("ktp").ticket
    clock.advance(seconds=1)
    t2 = queue.issue("kk").ticket
    clock.advance(seconds=1)
    queue.issue("ktp")
    qb = QueueService(hall, b_store, clock)
    qa, paused = _a_paused_after_claim(hall, store, db_url, clock, b_store, lambda: qb.call_next("8"))
    a = qa.call_next("7")
    paused.finish_b()
    assert paused.b_error is None, paused.b_error
    assert a.id == t1.id
    assert paused.b_result.id == t2.id
    # PostgreSQL: B finished while A still held its claim; SQLite: B waited for A's commit
    assert paused.b_was_blocked is (not _pg(db_url))
    with store.read() as tx:
        assert tx.get_ticket(t1.id).counter_code == "7"
        assert tx.get_ticket(t2.id).counter_code == "8"
    assert sorted(_called_events(queue)) == sorted([t1.id, t2.id])
    assert problems(db_url, hall, queue.service_day()) == []


def test_the_only_ticket_held_by_a_call_is_waited_for_not_reported_as_contention(
        hall, store, db_url, clock, queue, b_store):
    """Every candidate held by A: B's claim waits for A's commit (no spinning into "too much
    contention"), then finds nobody left."""
    t1 = queue.issue("ktp").ticket
    qb = QueueService(hall, b_store, clock)
    qa, paused = _a_paused_after_claim(hall, store, db_url, clock, b_store, lambda: qb.call_next("8"))
    assert qa.call_next("7").id == t1.id
    paused.finish_b()
    assert paused.b_was_blocked  # both backends: B waited for A
    assert isinstance(paused.b_error, NothingWaiting), paused.b_error
    assert _called_events(queue) == [t1.id]
    assert problems(db_url, hall, queue.service_day()) == []


def test_a_priority_call_in_progress_neither_gives_its_tickets_twice_nor_loses_them(
        hall, store, db_url, clock, queue, b_store):
    """A (priority streak 0) claims the priority head; B calls while A holds it; then C after
    both: every ticket is called once, A's held ticket never by B, and nothing is left out."""
    issued = []
    for svc, prio in [("ktp", "lansia"), ("ktp", None), ("kk", None), ("kk", "lansia"), ("ktp", None)]:
        clock.advance(seconds=1)
        issued.append(queue.issue(svc, priority=prio).ticket)
    qb = QueueService(hall, b_store, clock)
    qa, paused = _a_paused_after_claim(hall, store, db_url, clock, b_store, lambda: qb.call_next("8"))
    a = qa.call_next("7")
    paused.finish_b()
    assert paused.b_error is None, paused.b_error
    b = paused.b_result
    assert a.id == issued[0].id  # the priority head
    assert b.id != a.id
    if not _pg(db_url):
        assert b.id == issued[3].id  # after A's commit: the next priority ticket
    queue.finish("7")
    queue.finish("8")
    rest = []
    while True:
        try:
            rest.append(queue.call_next("7").id)
        except NothingWaiting:
            break
        queue.finish("7")
    called = [a.id, b.id, *rest]
    assert sorted(called) == sorted(t.id for t in issued)  # each once, none lost
    with store.read() as tx:
        assert all(tx.get_ticket(t.id).status == Status.DONE for t in issued)
    assert problems(db_url, hall, queue.service_day()) == []


def test_with_nothing_locked_the_call_order_is_exactly_the_rules(hall, store, clock, queue):
    """Priority line, streaks (ratio 2), the max-wait rule and arrival order across services:
    the SQL store (PostgreSQL with its locking candidate read) calls in the same order as the
    in-memory store, counter by counter."""
    fake = QueueService(hall, FakeStore(), type(clock)(clock.t))
    plan = [("ktp", None), ("kk", "lansia"), ("kk", None), ("ktp", "anak"), ("ktp", None), ("kk", "lansia"),
            ("kk", None), ("ktp", "lansia"), ("ktp", None), ("kk", None), ("ktp", "anak"), ("kk", None)]
    for q in (queue, fake):
        for i, (svc, prio) in enumerate(plan):
            q.clock.advance(minutes=70 if i == 3 else 1)  # the first four wait past max_wait
            q.issue(svc, priority=prio)
    orders = []
    for q in (queue, fake):
        order = []
        for i in range(len(plan)):
            counter = ("7", "8")[i % 2]
            order.append(q.call_next(counter).number)
            q.finish(counter)
            q.clock.advance(seconds=30)
        orders.append(order)
    assert orders[0] == orders[1]
    assert len(set(orders[0])) == len(plan)


# ------------------------------------------------------------------------ the hot count rows


def test_a_finish_in_progress_does_not_hold_its_services_counts(hall, store, db_url, clock, queue, b_store):
    """Every finish of a service changes the same "done" count rows. PostgreSQL writes them at
    commit, so A's finish + call next, paused after its finish, does not make B's finish of
    the same service wait; SQLite serialises the two. The counts end exact either way."""
    for _ in range(4):
        clock.advance(seconds=1)
        queue.issue("ktp")
    queue.call_next("7")
    queue.call_next("8")
    clock.advance(minutes=5)
    qb = QueueService(hall, b_store, clock)
    paused = Paused(store, db_url, after="finish_at_counter", between=lambda: qb.finish("8"), b_store=b_store)
    qa = QueueService(hall, paused, clock)
    h = qa.finish_and_call_next("7")
    paused.finish_b()
    assert paused.b_error is None, paused.b_error
    assert h.called is not None
    assert paused.b_was_blocked is (not _pg(db_url))
    day = queue.service_day()
    with store.read() as tx:
        times = tx.service_times(day, "ktp")
        assert (times.finished, times.total_seconds) == (2, 600)
        assert tx.waiting_count(day, "ktp", False) == 1
    assert problems(db_url, hall, day) == []


def test_counts_changed_in_a_transaction_are_read_back_in_it(hall, store, clock, queue):
    """PostgreSQL keeps a transaction's waiting and service-time changes until its commit: its
    own reads include them (and an absolute repair of a count wins over them)."""
    t = queue.issue("ktp").ticket
    queue.issue("ktp", priority="lansia")
    day = queue.service_day()
    with store.transaction() as tx:
        assert tx.waiting_count(day, "ktp", False) == 2
        assert tx.claim_for_counter(t.id, Status.WAITING, "7", None, clock.now())
        assert tx.waiting_count(day, "ktp", False) == 1
        assert tx.waiting_count(day, "ktp", True) == 1
        assert tx.mark_serving(t.id, Status.CALLED, clock.now())
        assert tx.mark_finished(t.id, Status.SERVING, clock.now(), clock.now(), 90)
        assert tx.service_times(day, "ktp").finished == 1
        assert tx.service_times(day, "ktp").total_seconds == 90
        tx.set_waiting_count(day, "ktp", False, 7)
        assert tx.waiting_count(day, "ktp", False) == 7
    with store.read() as tx:
        assert tx.waiting_count(day, "ktp", False) == 7
        assert tx.service_times(day, "ktp").total_seconds == 90
