"""The flat reads (issue 11) give the answers the old full scans of the day's open tickets gave:
``status()``, ``counter_view()``, people ahead of a ticket (reprint, issued view, a booking's
check-in), on random queues built by the use cases themselves (waiting, priority, targeted at a
counter, parked, called, served, transferred, cancelled), on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from antrian.domain.errors import QueueError
from antrian.domain.model import CounterState, Status
from antrian.fakes import FakeStore
from antrian.services.queue import QueueService
from antrian.services.read_models import CounterView, HallStatus, ServiceStatus
from antrian.services.reprint import _ahead_of, people_ahead
from antrian.storage import read_sql
from antrian.storage.db import SqlStore, upgrade


# ---------------------------------------------------------------- the old computations (full scans)
def old_status(q: QueueService) -> HallStatus:
    now = q.clock.now()
    day = q.service_day(now)
    with q.store.read() as tx:
        open_tickets = tx.open_tickets(day)
        counts = tx.issued_counts(day)
        states = {st.code: st for st in tx.counter_states()}
    by_id = {t.id: t for t in open_tickets}
    waiting: dict[str, list] = {}
    for t in open_tickets:
        if t.status == Status.WAITING:
            waiting.setdefault(t.service_code, []).append(t)
    services = tuple(
        ServiceStatus(s.code, s.agency_code, len(waiting.get(s.code, [])),
                      sum(1 for t in waiting.get(s.code, []) if t.is_priority),
                      min((t.arrival_at for t in waiting.get(s.code, [])), default=None),
                      counts.get(s.code, 0), s.target_wait_minutes)
        for s in q.hall.services
    )
    counters = []
    for c in q.hall.counters:
        st = states.get(c.code) or CounterState(code=c.code)
        counters.append(CounterView(c.code, st, by_id.get(st.current_ticket_id)))
    return HallStatus(at=now, services=services, counters=tuple(counters))


def old_counter_view(q: QueueService, code: str, limit: int):
    counter = q.hall.find_counter(code)
    day = q.service_day()
    with q.store.read() as tx:
        st = tx.counter_state(code)
        cur = tx.get_ticket(st.current_ticket_id) if st.current_ticket_id else None
        open_tickets = tx.open_tickets(day)
    mine = [t for t in open_tickets if t.status == Status.WAITING
            and (t.target_counter == code or (t.target_counter is None and t.service_code in counter.service_codes))]
    mine.sort(key=lambda t: (not t.is_priority, t.arrival_at, t.id or 0))
    parked = [t for t in open_tickets if t.status == Status.PARKED and t.counter_code == code]
    return CounterView(code, st, cur), mine[:limit], parked


# ---------------------------------------------------------------- stores and random queues
@pytest.fixture(params=["fake", "sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def any_store(request, tmp_path):
    if request.param == "fake":
        yield FakeStore()
        return
    url = f"sqlite:///{tmp_path / 'reads.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    upgrade(url)
    s = SqlStore(url)
    yield s
    s.dispose()


SERVICES = ("ktp", "ktp", "kk", "pdam-bayar", "pdam-baru", "pbb")
COUNTERS = ("7", "8", "3", "4", "10")


def random_day(q: QueueService, clock, rng: random.Random, ops: int) -> None:
    """``ops`` random use cases (refusals are part of a day: nothing waiting, quota reached ...)."""
    for _ in range(ops):
        if rng.random() < 0.7:
            clock.advance(seconds=rng.choice((0, 0, 1, 7, 40)))  # equal arrivals: the id decides
        op = rng.random()
        counter = rng.choice(COUNTERS)
        try:
            if op < 0.45:
                q.issue(rng.choice(SERVICES), priority="lansia" if rng.random() < 0.25 else None)
            elif op < 0.6:
                q.call_next(counter)
            elif op < 0.67:
                try:
                    q.call_next(counter)
                finally:
                    q.park(counter)
            elif op < 0.74:
                q.transfer(counter, to_counter=rng.choice(COUNTERS))
            elif op < 0.78:
                q.transfer(counter, to_service=rng.choice(("ktp", "kk", "pdam-bayar")))
            elif op < 0.85:
                q.finish(counter)
            elif op < 0.88:
                q.no_show(counter)
            elif op < 0.92:
                q.cancel(f"{rng.choice('KPJ')}-{rng.randint(1, 30):03d}")
            elif op < 0.96:
                with q.store.read() as tx:
                    parked = [t for t in tx.open_tickets(q.service_day()) if t.status == Status.PARKED]
                if parked:
                    t = rng.choice(parked)
                    q.unpark(t.counter_code or counter, t.number)
            else:
                q.close_counter(counter, force=True)
        except QueueError:
            pass


def assert_same_answers(q: QueueService) -> int:
    """Every read equals its full-scan answer; returns how many waiting tickets were checked."""
    status = q.status()
    assert status == old_status(q)
    # the kiosk's poll: availability() and status()'s waiting counts, in one read
    assert q.kiosk_poll() == (q.availability(), {s.service_code: s.waiting for s in status.services})
    for code in COUNTERS:
        for limit in (1, 3, 5, 200):
            assert q.counter_view(code, next_limit=limit) == old_counter_view(q, code, limit), (code, limit)
    day = q.service_day()
    with q.store.read() as tx:
        open_tickets = tx.open_tickets(day)
        waiting = [t for t in open_tickets if t.status == Status.WAITING]
        # the monitor's table: the oldest waiting or parked tickets, arrival then id
        table = sorted((t for t in open_tickets if t.status in (Status.WAITING, Status.PARKED)),
                       key=lambda t: (t.arrival_at, t.id or 0))
        codes = [s.code for s in q.hall.services]
        for limit in (1, 4, 10_000):
            assert tx.oldest_open(day, codes, limit) == table[:limit], limit
        for t in waiting:
            assert people_ahead(tx, t) == sum(1 for o in open_tickets if _ahead_of(o, t)), t
            # a booking checking in at this arrival time: the priority line and all who arrived by then
            for at in (t.arrival_at, t.arrival_at - timedelta(microseconds=1)):
                booked = tx.waiting_count(day, t.service_code, True) + tx.count_waiting_before(
                    day, t.service_code, False, at)
                assert booked == sum(1 for o in waiting if o.service_code == t.service_code
                                     and (o.is_priority or o.arrival_at <= at))
    for t in waiting:
        assert q.issued_view(t).ahead == sum(
            1 for o in waiting if o.service_code == t.service_code
            and (o.arrival_at, o.id or 0) < (t.arrival_at, t.id or 0))
    return len(waiting)


@pytest.mark.parametrize(("seed", "bound"), [(1, None), (2, 1), (3, 3)])
def test_flat_reads_equal_the_full_scans_on_random_queues(any_store, hall, clock, seed, bound, monkeypatch):
    """``bound``: people ahead counts at most this many on each side first (SQL), so the small
    queues here take each way to the answer: the side ahead, the side behind and the day's
    count, the whole range."""
    if bound is not None:
        monkeypatch.setattr(read_sql, "AHEAD_BOUND", bound)
    rng = random.Random(seed)
    q = QueueService(hall, any_store, clock)
    checked, kinds, targeted = 0, set(), 0
    for _ in range(6):
        random_day(q, clock, rng, 40)
        checked += assert_same_answers(q)
        with any_store.read() as tx:  # what the checks saw
            open_tickets = tx.open_tickets(q.service_day())
        kinds |= {t.status for t in open_tickets}
        targeted += sum(1 for t in open_tickets if t.target_counter and t.status == Status.WAITING)
    # the random day built each kind of queue
    assert checked > 20 and targeted and {Status.WAITING, Status.PARKED, Status.CALLED} <= kinds


def test_the_next_day_before_any_write_shows_nothing_of_yesterday(any_store, hall, clock):
    q = QueueService(hall, any_store, clock)
    random_day(q, clock, random.Random(7), 60)
    clock.advance(days=1)  # yesterday's tickets are still 'waiting' until a write rolls the day over
    assert_same_answers(q)
    assert all(s.waiting == 0 and s.oldest_arrival is None for s in q.status().services)


def test_an_empty_hall(any_store, hall, clock):
    q = QueueService(hall, any_store, clock)
    assert q.status() == old_status(q)
    view, mine, parked = q.counter_view("7")
    assert view.ticket is None and mine == [] and parked == []


# ---------------------------------------------------------------- one statement per read, and its transaction
def statements(store, fn) -> list[str]:
    """The statements ``fn`` sent through the store's read engine (BEGIN left out)."""
    from sqlalchemy import event

    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    engine = store._read
    event.listen(engine, "before_cursor_execute", listen)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return [s for s in seen if s.strip().upper() != "BEGIN"]


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def sql_store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'one.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    upgrade(url)
    s = SqlStore(url, pool_size=1)  # one connection: the next transaction gets the one the read used
    yield s
    s.dispose()


def busy_hall(q: QueueService, clock) -> None:
    """Priority and normal tickets with equal arrivals, a ticket sent to counter 8 parked there,
    another waiting for it (at its old arrival time: in the middle of the line), one ticket at
    each of counters 7 and 8."""
    for i in range(12):
        q.issue("ktp", priority="lansia" if i % 3 == 0 else None)
        q.issue("kk")
        if i % 2:
            clock.advance(seconds=5)
    q.call_next("7")
    q.transfer("7", to_counter="8")
    q.call_next("8")
    q.park("8")
    q.call_next("8")
    q.call_next("7")
    q.transfer("7", to_counter="8")  # waits for 8, at its old arrival time
    q.call_next("7")


def test_status_counter_view_and_the_kiosk_poll_are_one_statement_each(sql_store, hall, clock):
    q = QueueService(hall, sql_store, clock)
    busy_hall(q, clock)
    assert assert_same_answers(q) > 10
    view, mine, parked = q.counter_view("8", next_limit=5)
    assert view.ticket is not None and parked and any(t.target_counter == "8" for t in mine)
    for fn in (q.status, lambda: q.counter_view("8", next_limit=5), q.kiosk_poll):
        assert len(statements(sql_store, fn)) == 1
    with sql_store.read() as tx:  # people ahead (a short line: the bounded count answers)
        waiting = [t for t in tx.open_tickets(q.service_day()) if t.status == Status.WAITING]
        for t in (waiting[0], waiting[-1], next(t for t in waiting if t.is_priority)):
            assert len(statements(sql_store, lambda: people_ahead(tx, t))) == 1


@pytest.mark.pg
def test_a_pg_read_sent_outside_begin_leaves_the_connection_transactional(pg_url, hall, clock):
    """The first statement of a read runs outside a transaction (autocommit); the connection goes
    back to the pool as it came: the next write transaction on it still rolls back as one."""
    upgrade(pg_url)
    store = SqlStore(pg_url, pool_size=1)
    try:
        q = QueueService(hall, store, clock)
        busy_hall(q, clock)
        before = q.status()
        idle = 0  # psycopg.pq.TransactionStatus.IDLE
        with store.read() as tx:
            snap = tx.hall_snapshot(q.service_day(), ["ktp"])
            dbapi = tx.conn.connection.dbapi_connection
            assert dbapi.autocommit is False and dbapi.info.transaction_status == idle  # it ran outside one
            tx.counter_state("7")  # a second statement: inside the read transaction
            assert dbapi.info.transaction_status != idle
        ktp = next(s for s in before.services if s.service_code == "ktp")
        assert snap.counts["ktp"].waiting == ktp.waiting > 0
        with pytest.raises(RuntimeError):
            with store.transaction() as tx:
                assert tx.conn.connection.dbapi_connection.autocommit is False
                tx.set_waiting_count(q.service_day(), "ktp", False, 999)
                raise RuntimeError("roll back")
        assert q.status() == before
    finally:
        store.dispose()


def test_a_snapshot_inside_a_write_transaction_sees_its_writes(sql_store, hall, clock):
    """Inside a transaction that already wrote, the snapshot reads run in it (they see its
    uncommitted counts); rolled back, nothing of it shows."""
    q = QueueService(hall, sql_store, clock)
    busy_hall(q, clock)
    before = q.status()
    day = q.service_day()
    with pytest.raises(RuntimeError):
        with sql_store.transaction() as tx:
            tx.set_waiting_count(day, "ktp", False, 999)
            assert tx.hall_snapshot(day, ["ktp"]).counts["ktp"].waiting == 999
            assert tx.service_counts(day)["ktp"].waiting == 999
            raise RuntimeError("roll back")
    assert q.status() == before


def test_people_ahead_with_priorities_transfers_and_parked_tickets(any_store, hall, clock, monkeypatch):
    """Every waiting ticket's people ahead (the reprint's rule) by each way to the answer: the
    side ahead, the side behind with the day's count, the whole range."""
    q = QueueService(hall, any_store, clock)
    busy_hall(q, clock)
    for bound in (1000, 1, 2):
        monkeypatch.setattr(read_sql, "AHEAD_BOUND", bound)
        with any_store.read() as tx:
            open_tickets = tx.open_tickets(q.service_day())
            waiting = [t for t in open_tickets if t.status == Status.WAITING]
            assert any(t.target_counter for t in waiting) and any(t.is_priority for t in waiting)
            for t in waiting:
                assert people_ahead(tx, t) == sum(1 for o in open_tickets if _ahead_of(o, t)), (bound, t)


@pytest.mark.pg
def test_a_pg_read_on_a_dropped_connection_goes_offline_then_reads_again(pg_url, hall, clock):
    """The server ends the pooled connection between two reads: the next read (its first
    statement sent outside a transaction) fails as offline, the one after gets a new connection,
    which is not left in autocommit."""
    import psycopg

    from antrian.domain.errors import StoreUnavailable

    upgrade(pg_url)
    store = SqlStore(pg_url, pool_size=1)
    try:
        q = QueueService(hall, store, clock)
        busy_hall(q, clock)
        before = q.status()
        with store.read() as tx:
            pid = tx.conn.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))  # waits until it has ended
        with pytest.raises(StoreUnavailable):
            q.status()
        assert q.status() == before
        with store.transaction() as tx:
            assert tx.conn.connection.dbapi_connection.autocommit is False
    finally:
        store.dispose()
