"""Fewer statements per write on PostgreSQL (issue 11), without weakening what they guard:

- the service day's pin rides on a transaction's first statement (a call's counter lock, an
  issue's quota count) or runs alone just before whatever else comes first; a station whose
  clock is behind the hall's day is refused on every path, and a rollover still waits for a
  transaction that has pinned the day (forced interleaving);
- the counts, the event lock and the events go in one statement at commit; a transaction's
  events keep their order and its counts are written.

On SQLite (writers serialised) the same behaviour holds with the plain statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, text

from antrian.domain.errors import DayRolledOver
from antrian.domain.model import Status
from antrian.services.queue import QueueService
from antrian.storage.db import SqlStore
from tests.conftest import FakeClock
from tests.integration.interleave import Entered, Paused


def _two_days(hall, store, db_url):
    """Station A knows day D (it has written on it); station B, on its own store, then starts
    D + 1. A's clock still says D."""
    a = QueueService(hall, store, FakeClock())
    a.issue("ktp")
    a.issue("ktp")
    a.open_counter("7")
    b_store = SqlStore(db_url)
    b = QueueService(hall, b_store, FakeClock(FakeClock().t + timedelta(days=1)))
    b.issue("ktp")
    return a, b, b_store


@pytest.mark.parametrize("action", ["issue", "call_next", "call_number", "open_counter", "pause_counter",
                                    "cancel"])
def test_a_station_behind_the_halls_day_is_refused_on_every_first_statement(hall, store, db_url, action):
    a, _b, b_store = _two_days(hall, store, db_url)
    try:
        run = {
            "issue": lambda: a.issue("kk"),
            "call_next": lambda: a.call_next("7"),
            "call_number": lambda: a.call_number("7", "K-001"),
            "open_counter": lambda: a.open_counter("8"),
            "pause_counter": lambda: a.pause_counter("7", "istirahat"),
            "cancel": lambda: a.cancel("K-002"),
        }[action]
        before = _rows(db_url)
        with pytest.raises(DayRolledOver, match="already 2026-11-26.*clock says 2026-11-25"):
            run()
        assert _rows(db_url) == before  # nothing written: no ticket, count, counter or event
    finally:
        b_store.dispose()


def _rows(url: str) -> list:
    s = SqlStore(url)
    try:
        with s.raw_engine().connect() as c:
            return [list(c.execute(text(q))) for q in (
                "SELECT id, status, counter_code FROM tickets ORDER BY id",
                "SELECT day, key, value FROM daily_counts ORDER BY day, key",
                "SELECT code, status, current_ticket_id FROM counters ORDER BY code",
                "SELECT max(id) FROM events")]
    finally:
        s.dispose()


def test_a_rollover_waits_for_an_issue_that_has_pinned_the_day(hall, store, db_url):
    """A pauses right after its first statement (the quota count, which carries the pin; it
    locks no counter row, which a rollover would wait for anyway); B starts the next day
    meanwhile and must wait for A (PostgreSQL: on the pin's FOR SHARE; SQLite: on the write
    lock); A's ticket commits for day D, then B's rollover expires it."""
    a = QueueService(hall, store, FakeClock())
    a.issue("ktp")
    b_store = Entered(SqlStore(db_url))
    b = QueueService(hall, b_store, FakeClock(FakeClock().t + timedelta(days=1)))
    paused = Paused(store, db_url, after="take_slot_and_number", between=lambda: b.issue("kk"), b_store=b_store)
    try:
        issued = QueueService(hall, paused, FakeClock()).issue("ktp").ticket
        paused.finish_b()
        assert paused.b_error is None, paused.b_error
        assert paused.b_was_blocked, "the next day's rollover did not wait for the issue holding the day"
        assert issued.service_day == FakeClock().t.date() and issued.number == "K-002"
        assert paused.b_result.ticket.number == "K-001"  # the new day's first number
        with store.read() as tx:
            assert tx.get_ticket(issued.id).status == Status.EXPIRED  # expired by B's rollover
    finally:
        b_store.store.dispose()


def test_one_transactions_events_keep_their_order_and_its_counts_are_written(hall, store):
    q = QueueService(hall, store, FakeClock())
    first = q.issue("ktp").ticket
    q.issue("ktp")
    start = q.events_after(0)[-1].id
    # a closed counter's call: "counter_opened", then "called", in one transaction
    t = q.call_next("7")
    assert t.id == first.id
    events = q.events_after(start)
    assert [e.type for e in events] == ["counter_opened", "called"]
    assert events[0].id < events[1].id
    assert events[1].ticket_id == first.id and events[1].counter_code == "7"
    assert events[1].payload["seq"] == first.seq
    q.finish("7")
    with store.read() as tx:
        assert tx.waiting_count(first.service_day, "ktp", priority=False) == 1
        times = tx.service_times(first.service_day, "ktp")
    assert times.finished == 1
    assert [e.type for e in q.events_after(events[1].id)] == ["finished"]


@pytest.mark.parametrize("at_server", [True, False], ids=["at-server", "plain"])
def test_write_paths_send_the_fewest_statements(hall, db_url, at_server):
    """Statements per use case once the station knows its counter (COMMIT is not counted; nor is
    PostgreSQL's BEGIN, which psycopg sends itself): the day's pin rides on the first statement,
    and on PostgreSQL the counts and events on the last. On PostgreSQL each use case here is one
    call of a server-side function in autocommit (no BEGIN, no COMMIT), or, on its plain path
    (SqlStore.server_calls off), the fewest statements; then the displays' wake-up (counted
    apart). SQLite has no server functions: its plain path is run once."""
    from antrian.storage.db import upgrade

    pg = not db_url.startswith("sqlite")
    if not pg and not at_server:
        pytest.skip("SQLite runs only the plain path (the at-server case covers it)")
    upgrade(db_url)
    store = SqlStore(db_url)
    store.server_calls = at_server
    try:
        q = QueueService(hall, store, FakeClock())
        for _ in range(4):
            q.issue("ktp")
        q.call_next("7")
        q.finish("7")
        seen: list[str] = []
        event.listen(store.raw_engine(), "before_cursor_execute", lambda c, cur, st, *a: seen.append(st))
        counts = {}
        for name, run in [("issue", lambda: q.issue("ktp")), ("call_next", lambda: q.call_next("7")),
                          ("finish", lambda: q.finish("7")),
                          ("cycle", lambda: (q.call_next("7"), seen.clear(), q.close_and_call_next("7", "finish")))]:
            seen.clear()
            run()
            if pg:  # the displays' wake-up: after the commit, a transaction of its own (sql_text.WAKE)
                assert "pg_notify" in seen[-1] and sum("pg_notify" in s for s in seen) == 1, (name, seen)
                seen.pop()
            counts[name] = len(seen)
            assert not any(s.startswith("SELECT value FROM meta") for s in seen), (name, seen)
            if pg and at_server:
                assert f"FROM mpp_{'issue' if name == 'issue' else 'call_next'}(" in seen[0], (name, seen)
            elif pg:
                assert sum("pg_advisory_xact_lock_shared" in s for s in seen) == 1, (name, seen)
        # SQLite: BEGIN IMMEDIATE, and counts and events as their own statements
        expected = ({"issue": 7, "call_next": 7, "finish": 7, "cycle": 12} if not pg else
                    {"issue": 1, "call_next": 1, "finish": 1, "cycle": 1} if at_server else
                    {"issue": 5, "call_next": 4, "finish": 4, "cycle": 6})
        assert counts == expected
        with store.raw_engine().connect() as c:
            ids = [r[0] for r in c.execute(text("SELECT id FROM events ORDER BY id"))]
        assert ids == sorted(set(ids))
    finally:
        store.dispose()


@pytest.fixture(params=["fake", "sql"])
def port_store(request, store):
    from antrian.fakes import FakeStore

    return FakeStore() if request.param == "fake" else store


def test_call_to_counter_claims_and_seats_in_one_write_or_tells_which_part_failed(hall, port_store):
    s = port_store
    q = QueueService(hall, s, FakeClock())
    a, b = q.issue("ktp").ticket, q.issue("ktp").ticket
    q.open_counter("7")
    at = FakeClock().t + timedelta(minutes=1)
    with s.transaction() as tx:
        tx.rollover(a.service_day)
        tx.lock_counter("7")
        assert tx.call_to_counter(a.id, "7", "budi", at, 0) is True
        assert tx.lock_counter("7").current_ticket_id == a.id  # (this transaction's view)
        assert tx.call_to_counter(a.id, "7", "budi", at, 0) is None  # no longer waiting: nothing applied
        # claimed, but the counter holds a ticket already: False (the use case then rolls back)
        assert tx.call_to_counter(b.id, "7", "budi", at, 0) is False
    with s.read() as tx:
        got = tx.get_ticket(a.id)
        assert (got.status, got.counter_code, got.officer) == (Status.CALLED, "7", "budi")
        assert tx.counter_state("7").current_ticket_id == a.id
        assert tx.waiting_count(a.service_day, "ktp", priority=False) == 0  # both claims counted


def test_counts_spread_over_shards_read_the_same_everywhere(hall, store, db_url, monkeypatch):
    """PostgreSQL writes each transaction's deferred count changes to one shard of the key (a
    different one per transaction here, all of them in turn); every reading adds the base row
    and the shards up: the same answers as the in-memory store on every read path, no drift
    for the doctor, and a repair that leaves one row."""
    import random as _random

    from antrian.fakes import FakeStore
    from antrian.storage import raw_tx
    from antrian.storage.sql_text import COUNT_SHARDS

    turn = iter(range(10_000))
    monkeypatch.setattr(raw_tx, "random", type("R", (), {"randrange": staticmethod(lambda n: next(turn) % n)}))
    assert _random.randrange(1) == 0  # (the module itself untouched)

    def day_of(q):
        for i in range(12):
            q.issue("ktp", priority="lansia" if i % 3 == 0 else None)
            q.issue("kk")
        for _ in range(9):
            q.call_next("7")
            q.clock.advance(minutes=2)
            q.finish("7")
        q.call_next("8")
        q.cancel("K-010")
        return q

    fake = day_of(QueueService(hall, FakeStore(), FakeClock()))
    real = day_of(QueueService(hall, store, FakeClock()))
    day = FakeClock().t.date()
    if db_url.startswith("postgresql"):
        rows = _rows(db_url)[1]
        shards = {k for _d, k, _v in rows if "#" in k}
        assert len({k.rpartition("#")[2] for k in shards}) == COUNT_SHARDS  # every shard in use
    st_f, st_r = fake.status(), real.status()
    assert [(s.service_code, s.waiting, s.waiting_priority, s.issued_today) for s in st_r.services] == \
        [(s.service_code, s.waiting, s.waiting_priority, s.issued_today) for s in st_f.services]
    assert real.kiosk_poll()[1] == fake.kiosk_poll()[1]
    with store.read() as tx, fake.store.read() as ftx:
        for svc in ("ktp", "kk"):
            for prio in (False, True):
                assert tx.waiting_count(day, svc, prio) == ftx.waiting_count(day, svc, prio)
            assert tx.service_times(day, svc) == ftx.service_times(day, svc)
        last = max((t for t in tx.open_tickets(day) if t.status == Status.WAITING), key=lambda t: t.arrival_at)
        flast = ftx.get_ticket(last.id)
        assert tx.people_ahead(day, "ktp" if last.service_code == "ktp" else "kk", last.is_priority,
                               last.arrival_at, last.id) == \
            ftx.people_ahead(day, flast.service_code, flast.is_priority, flast.arrival_at, flast.id)
    assert real.doctor().drift == ()
    # a repair writes the recomputed value on the base row and removes the key's shards
    with store.transaction() as tx:
        tx.rollover(day)
        tx.set_waiting_count(day, "ktp", False, 99)
    assert real.doctor().drift != ()
    real.doctor(repair=True)
    assert real.doctor().drift == ()
    if db_url.startswith("postgresql"):
        keys = [k for _d, k, _v in _rows(db_url)[1] if k.startswith("wait:ktp")]
        assert keys == ["wait:ktp"]


def test_finish_at_counter_finishes_and_releases_in_one_write_or_tells_which_part_failed(hall, port_store):
    s = port_store
    q = QueueService(hall, s, FakeClock())
    q.issue("ktp")
    q.issue("ktp")
    a = q.call_next("7")
    b = q.call_next("8")
    at = FakeClock().t + timedelta(minutes=5)
    with s.transaction() as tx:
        tx.rollover(a.service_day)
        tx.lock_counter("7")
        tx.lock_counter("8")
        # a ticket not in the status read: nothing applied
        assert tx.finish_at_counter("7", a.id, Status.SERVING, a.called_at, at, 300) is None
        assert tx.get_ticket(a.id).status == Status.CALLED
        assert tx.finish_at_counter("7", a.id, Status.CALLED, a.called_at, at, 300) is True
        assert tx.lock_counter("7").current_ticket_id is None  # (this transaction's view)
        # finished, but counter 7 does not hold b: False (the use case then rolls back)
        assert tx.finish_at_counter("7", b.id, Status.CALLED, b.called_at, at, 200) is False
    with s.read() as tx:
        assert tx.get_ticket(a.id).status == Status.DONE
        assert tx.counter_state("7").current_ticket_id is None
        assert tx.counter_state("8").current_ticket_id == b.id
        assert tx.service_times(a.service_day, "ktp") == type(tx.service_times(a.service_day, "ktp"))(2, 500)
