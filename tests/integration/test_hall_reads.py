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
    assert q.status() == old_status(q)
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
