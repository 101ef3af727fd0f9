"""Call next and finish + call next as one server-side function on PostgreSQL (migration
0007_server_functions, SqlStore.call_at_server; issue 11).

- The same hall day run twice, once through the function and once through the plain steps,
  leaves the same tickets, counters, counts and events (the events' stored text too), and every
  use case answers the same: priority ratio, the max-wait rule, officers, a ticket sent to a named
  counter, no-show and park between calls, the queue running dry.
- Anything but the plain case goes to the plain path with nothing changed: a paused counter, the
  first call of a new day, a counter holding a ticket, a counter with none, a step that did not
  apply after a write (the function's SQLSTATE MPP01 rolls its statement back).
- Forced interleavings on separate connections: a head ticket another transaction holds is passed
  over without waiting; a call held open after its events are written (a trigger makes it wait)
  holds the event feed's readers back, and nothing is skipped when a later writer commits first.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy import text

from antrian.domain.errors import CounterBusy, NoCurrentTicket, QuotaFull, ServiceClosed
from antrian.domain.model import Status
from antrian.services.queue import QueueService
from antrian.storage.db import SqlStore
from antrian.storage.sql_text import base_key
from tests.conftest import FakeClock, _pg_admin

pytestmark = pytest.mark.pg


@pytest.fixture
def db_url(pg_url):
    """PostgreSQL only: the function is PostgreSQL's (the store fixture migrates a copy)."""
    return pg_url


class Spy:
    """Counts what call_at_server (and, apart, issue_at_server) answered: run at the server, or
    handed to the plain path."""

    def __init__(self, store: SqlStore):
        self.store = store
        self.at_server = self.plain = 0
        self.issued_at_server = self.issued_plain = 0
        real_call, real_issue = store.call_at_server, store.issue_at_server

        def call(req):
            got = real_call(req)
            if got is None:
                self.plain += 1
            else:
                self.at_server += 1
            return got

        def issue(req):
            got = real_issue(req)
            if got is None:
                self.issued_plain += 1
            else:
                self.issued_at_server += 1
            return got

        store.call_at_server = call  # type: ignore[method-assign]
        store.issue_at_server = issue  # type: ignore[method-assign]


@pytest.fixture
def two_dbs(pg_admin_url, _pg_template, _pg_dropper):
    """Two fresh databases at the head revision (copies of the session's template)."""
    dsn, admin = _pg_admin(pg_admin_url)
    names = [f"mpp_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    yield [admin.set(database=n).render_as_string(hide_password=False) for n in names]
    for name in names:
        _pg_dropper(name)


def _day(q: QueueService, clock: FakeClock) -> list[object]:
    """A hall day at counters 7 and 8 (both serve ktp and kk); what each use case answered."""
    out: list[object] = []
    for i in range(14):
        q.issue("ktp" if i % 3 else "kk", priority="lansia" if i % 4 == 1 else None)
        clock.advance(minutes=1)
    q.open_counter("7", officer="budi")
    q.open_counter("8")
    out.append(q.call_next("7", "budi"))
    out.append(q.call_next("8"))
    for step in range(40):
        clock.advance(seconds=37 + step)
        try:
            if step == 3:
                out.append(q.start("7"))
            elif step == 5:
                out.append(q.close_and_call_next("8", "no_show"))
            elif step == 7:
                out.append(q.close_and_call_next("7", "park", "budi"))
            elif step == 9:  # sent to counter 8 by name, keeping its arrival
                out.append(q.transfer_and_call_next("7", to_counter="8", officer="budi"))
            elif step == 11:
                clock.advance(minutes=75)  # the max-wait rule now picks the oldest whatever its class
                out.append(q.issue("kk", priority="disabilitas"))
                for code in ("pdam-baru", "pdam-baru", "pdam-baru", "pbb"):  # quota 2; closed on Wednesdays
                    try:
                        out.append(q.issue(code))
                    except (QuotaFull, ServiceClosed) as e:
                        out.append(type(e).__name__)
            elif step % 5 == 4:  # finish, then call next, as two actions
                out.append(q.finish("8"))
                out.append(q.call_next("8"))
            elif step % 2:
                out.append(q.close_and_call_next("7", "finish", "budi"))
            else:
                out.append(q.close_and_call_next("8", "finish"))
        except NoCurrentTicket as e:  # the queue ran dry at this counter
            out.append(type(e).__name__)
    return out


def _state(url: str) -> dict[str, object]:
    import sqlalchemy as sa

    from antrian.storage.db import normalise_url

    engine = sa.create_engine(normalise_url(url))
    try:
        with engine.connect() as c:
            tickets = [tuple(r) for r in c.execute(text("SELECT * FROM tickets ORDER BY id"))]
            counters = [tuple(r) for r in c.execute(text("SELECT * FROM counters ORDER BY code"))]
            counts: dict[tuple[object, str], int] = {}
            for day, key, value in c.execute(text("SELECT day, key, value FROM daily_counts")):
                k = (day, base_key(key))
                counts[k] = counts.get(k, 0) + int(value)
            events = [tuple(r) for r in c.execute(text(
                "SELECT at, type, ticket_id, number, counter_code, officer, service_code, payload "
                "FROM events ORDER BY id"))]
    finally:
        engine.dispose()
    return {"tickets": tickets, "counters": counters, "counts": {k: v for k, v in counts.items() if v},
            "events": events}


def test_the_function_leaves_what_the_plain_steps_leave(hall, two_dbs, monkeypatch):
    from antrian.domain import model

    monkeypatch.setattr(model, "_TOKEN_ALPHABET", "S")  # the same tokens in both runs
    results, states, spies = [], [], []
    for url, at_server in zip(two_dbs, (True, False)):
        store = SqlStore(url)
        store.server_calls = at_server
        spies.append(Spy(store))
        clock = FakeClock()
        try:
            results.append(_day(QueueService(hall, store, clock), clock))
        finally:
            store.dispose()
        states.append(_state(url))
    fast, plain = spies
    assert fast.at_server >= 10 and plain.at_server == 0, (fast.at_server, fast.plain)
    assert fast.issued_at_server >= 14 and plain.issued_at_server == 0, (fast.issued_at_server, fast.issued_plain)
    assert results[0].count("QuotaFull") == 1 and results[0].count("ServiceClosed") == 1
    assert results[0] == results[1]
    for part in ("tickets", "counters", "counts", "events"):
        assert states[0][part] == states[1][part], part
    events = states[0]["events"]
    types = [e[1] for e in events]
    # the day did what it set out to: both priority rules, the targeted ticket, the end of the queue
    assert types.count("called") >= 14 and "transferred_in" in types and "no_show" in types
    called = [json.loads(e[7]) for e in events if e[1] == "called"]
    assert any(c["priority"] for c in called) and any(c["waited_s"] > 75 * 60 for c in called)
    assert "NoCurrentTicket" in results[0] or any(getattr(r, "called", 1) is None for r in results[0])


@pytest.fixture
def spied(hall, store):
    spy = Spy(store)
    clock = FakeClock()
    return QueueService(hall, store, clock), spy, clock


def test_a_paused_counter_is_the_plain_paths(spied):
    q, spy, clock = spied
    q.issue("ktp")
    q.issue("ktp")
    q.call_next("7")  # the first of the day: the plain path (the rollover)
    q.pause_counter("7", "istirahat")
    before = q.events_after(0)[-1].id
    done = q.close_and_call_next("7", "finish")
    assert spy.at_server == 0 and spy.plain == 2
    assert [e.type for e in q.events_after(before)] == ["finished", "counter_opened", "called"]
    assert done.called is not None and done.called.number == "K-002"
    with q.store.read() as tx:
        assert tx.counter_state("7").status.value == "open"


def test_the_plain_cases_at_the_server_are_refused_with_nothing_changed(spied, store):
    q, spy, clock = spied
    first = q.issue("ktp").ticket
    q.call_next("7")
    with pytest.raises(CounterBusy):  # a ticket still open at the counter
        q.call_next("7")
    assert spy.plain == 2
    q.finish("7")
    with pytest.raises(NoCurrentTicket):  # finish + call next with nothing at the counter
        q.close_and_call_next("7", "finish")
    assert spy.at_server == 1  # the finish
    q.issue("ktp")
    q.call_next("7")
    assert spy.at_server == 2
    done = q.close_and_call_next("7", "finish")  # nobody waiting: the plain path finishes
    assert done.called is None and done.closed.status == Status.DONE
    assert spy.at_server == 2
    with store.read() as tx:
        assert tx.get_ticket(first.id).status == Status.DONE
        assert tx.counter_state("7").current_ticket_id is None


def test_a_step_that_did_not_apply_rolls_the_function_back(hall, store, db_url):
    """The function's MPP01 (a step after a write did not apply) leaves nothing; the plain path
    then does the action. Forced with a trigger that refuses the claim's update once."""
    q = QueueService(hall, store, FakeClock())
    spy = Spy(store)
    a, b, c = (q.issue("ktp").ticket for _ in range(3))
    q.call_next("7")
    with store.raw_engine().begin() as conn:
        conn.execute(text("""
            CREATE FUNCTION refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.status = 'called' AND current_query() LIKE '%mpp_call_next%'
                   AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'refused') THEN
                    RAISE EXCEPTION 'claim did not apply' USING ERRCODE = 'MPP01';
                END IF;
                RETURN NEW;
            END $$"""))
        conn.execute(text("CREATE TRIGGER refuse BEFORE UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION refuse_once()"))
    done = q.close_and_call_next("7", "finish")
    assert spy.plain == 2 and spy.at_server == 0  # refused after the finish's write: rolled back
    assert done.closed.id == a.id and done.called is not None and done.called.id == b.id
    with store.read() as tx:
        assert tx.get_ticket(a.id).status == Status.DONE
        assert tx.get_ticket(b.id).status == Status.CALLED
        assert tx.waiting_count(a.service_day, "ktp", priority=False) == 1
    finished = [e for e in q.events_after(0) if e.type == "finished"]
    assert len(finished) == 1  # the function's events went with its rollback
    with store.raw_engine().begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('refused', 'yes')"))
    assert q.close_and_call_next("7", "finish").called.id == c.id
    assert spy.at_server == 1


def test_a_head_ticket_another_call_holds_is_passed_over_without_waiting(spied, store):
    q, spy, clock = spied
    a, b = q.issue("ktp").ticket, q.issue("ktp").ticket
    q.call_next("8")  # the day's first call (plain path), a
    q.open_counter("7")
    q.issue("ktp")
    other = store.raw_engine().connect()
    try:
        other.execute(text("SELECT id FROM tickets WHERE id = :id FOR NO KEY UPDATE"), {"id": b.id})
        t0 = time.monotonic()
        got = q.call_next("7")  # b is held: the next one, at once
        assert time.monotonic() - t0 < 3
        assert got.number == "K-003" and spy.at_server == 1
        other.rollback()
    finally:
        other.close()
    with store.read() as tx:
        assert tx.get_ticket(b.id).status == Status.WAITING
    done = q.close_and_call_next("8", "finish")  # once free, b is the head again
    assert done.closed.id == a.id and done.called is not None and done.called.id == b.id
    assert spy.at_server == 2


def test_a_call_held_open_after_its_events_holds_readers_back_and_is_not_skipped(hall, store, db_url):
    q = QueueService(hall, store, FakeClock())
    q.issue("ktp")
    q.issue("ktp")
    q.call_next("7")
    spy = Spy(store)
    with store.raw_engine().begin() as conn:  # the call's events wait for lock 4711 the test holds
        conn.execute(text("""
            CREATE FUNCTION hold_calls() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.type = 'called' THEN PERFORM pg_advisory_xact_lock(4711); END IF;
                RETURN NEW;
            END $$"""))
        conn.execute(text("CREATE TRIGGER hold AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION hold_calls()"))
    reader_store, other_store = SqlStore(db_url), SqlStore(db_url)
    gate = store.raw_engine().connect()
    try:
        start = QueueService(hall, reader_store, FakeClock()).events_after(0)[-1].id
        gate.execute(text("SELECT pg_advisory_lock(4711)"))
        out: dict[str, object] = {}
        caller = threading.Thread(target=lambda: out.update(done=q.close_and_call_next("7", "finish")))
        caller.start()
        deadline = time.monotonic() + 10
        while not gate.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE '%mpp_call_next%'")).scalar():
            gate.rollback()  # a fresh snapshot of the activity view
            assert time.monotonic() < deadline, "the call never reached its events"
            time.sleep(0.01)
        # a later writer commits while the call is held with its events written
        QueueService(hall, other_store, FakeClock()).issue("kk")
        reader = QueueService(hall, reader_store, FakeClock())
        assert reader.events_after(start) == []  # held back below the call's ids
        gate.execute(text("SELECT pg_advisory_unlock(4711)"))
        caller.join(10)
        assert not caller.is_alive() and spy.at_server == 1
        got = reader.events_after(start)
        assert [e.type for e in got] == ["finished", "called", "issued"]
        assert [e.id for e in got] == sorted(e.id for e in got)
    finally:
        gate.close()
        reader_store.dispose()
        other_store.dispose()


def test_a_function_commits_only_when_the_station_says_so(spied, store, monkeypatch):
    """The station sends COMMIT only once it has the function's answer (SqlStore._at_server): a
    station that never sends it (here the commit batch fails; in life its connection drops, the
    answer is lost, the watchdog gives up: test_bounded's hung proxy) leaves nothing behind."""
    import sqlalchemy.exc

    from antrian.storage import db
    from antrian.storage.sql_raw import Sql

    q, spy, clock = spied
    a, b = q.issue("ktp").ticket, q.issue("ktp").ticket
    q.call_next("7")
    monkeypatch.setattr(db, "COMMIT_AND_WAKE", Sql("SELECT 1", pg="SELECT 1 / 0"))
    with pytest.raises(sqlalchemy.exc.DBAPIError):
        q.close_and_call_next("7", "finish")
    with pytest.raises(sqlalchemy.exc.DBAPIError):
        q.issue("ktp")
    monkeypatch.undo()
    with store.read() as tx:
        assert tx.get_ticket(a.id).status == Status.CALLED and tx.get_ticket(b.id).status == Status.WAITING
    assert [e.type for e in q.events_after(0)][-1] == "called"  # no event of either
    assert q.issue("ktp").ticket.number == "K-003"  # the number drawn then was not used
    assert q.close_and_call_next("7", "finish").called.id == b.id
    assert spy.at_server == 1 and spy.issued_at_server >= 2
