"""One clock (issue 10, defect 7): the day rollover and issuing serialised (forced
interleaving on two connections), the SQLite clock jump refused until confirmed, the database
server's clock on PostgreSQL and the station's skew warning."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from antrian.domain.errors import ClockJump, DayRolledOver
from antrian.domain.model import Status
from antrian.fakes import FakeStore
from antrian.services.queue import QueueService
from antrian.storage.db import ServerClock, SqlStore
from tests.conftest import FakeClock
from tests.integration.interleave import Entered, Paused

# Wednesday 2026-11-25 23:59:59.5 in Jakarta, and half a second past midnight
BEFORE_MIDNIGHT = datetime(2026, 11, 25, 16, 59, 59, 500000, tzinfo=timezone.utc)
AFTER_MIDNIGHT = BEFORE_MIDNIGHT + timedelta(seconds=1)


class MovingClock:
    """Reads ``first`` once, then ``then`` (the kiosk's clock moves on past midnight)."""

    def __init__(self, first: datetime, then: datetime):
        self.reads = [first]
        self.then = then

    def now(self) -> datetime:
        return self.reads.pop(0) if self.reads else self.then


def test_a_kiosk_that_read_its_clock_before_midnight_issues_no_ticket_for_the_day_over(hall, store, db_url):
    h = hall
    early = QueueService(h, store, FakeClock(BEFORE_MIDNIGHT - timedelta(hours=10)))
    yesterday = early.issue("ktp").ticket  # the kiosk's store knows the day (no rollover pending)
    b = Entered(SqlStore(db_url))
    qb = QueueService(h, b, FakeClock(AFTER_MIDNIGHT))
    # (the test hall's services close at 23:59, so the kiosk's reading is 23:58:30)
    kiosk_clock = MovingClock(BEFORE_MIDNIGHT - timedelta(seconds=89), AFTER_MIDNIGHT + timedelta(seconds=1))
    paused = Paused(store, db_url, after="rollover", before=True, between=lambda: qb.open_counter("7"), b_store=b)
    kiosk = QueueService(h, paused, kiosk_clock)
    try:
        it = kiosk.issue("ktp")
    except DayRolledOver:  # pragma: no cover - would mean the retry did not take a fresh reading
        pytest.fail("the kiosk did not retry with a fresh clock reading")
    paused.finish_b()
    assert paused.b_error is None, paused.b_error
    with store.read() as tx:
        open_old = tx.open_tickets(yesterday.service_day)
        new_day = tx.open_tickets(yesterday.service_day + timedelta(days=1))
    # never yesterday's K-002 waiting beside today's tickets
    assert open_old == []
    if it.ticket.service_day == yesterday.service_day:  # SQLite: issued before the rollover, then expired
        with store.read() as tx:
            assert tx.get_ticket(it.ticket.id).status == Status.EXPIRED
    else:  # PostgreSQL: the rollover won; the kiosk retried and issued today's first number
        assert it.ticket.number == "K-001" and [t.id for t in new_day] == [it.ticket.id]
    b.store.dispose()


def test_a_kiosk_clock_behind_the_hall_is_refused_with_both_days(hall, store):
    QueueService(hall, store, FakeClock(AFTER_MIDNIGHT)).issue("ktp")
    with pytest.raises(DayRolledOver, match="already 2026-11-26.*clock says 2026-11-25"):
        QueueService(hall, store, FakeClock(BEFORE_MIDNIGHT)).issue("ktp")


@pytest.mark.parametrize("kind", ["sqlite", "fake"])
def test_a_clock_jump_of_more_than_a_day_is_refused_until_confirmed(hall, tmp_path, kind):
    if kind == "sqlite":
        from antrian.storage.db import upgrade

        url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
        upgrade(url)
        store = SqlStore(url)
    else:
        store = FakeStore()
    clock = FakeClock()
    q = QueueService(hall, store, clock)
    t = q.issue("ktp").ticket
    clock.advance(days=1)  # the next day: an ordinary rollover
    q.issue("ktp")
    clock.advance(days=3)  # a PC whose clock jumped
    with pytest.raises(ClockJump, match="more than a day after the last service day 2026-11-26"):
        q.issue("ktp")
    with store.read() as tx:
        assert [x.status for x in tx.open_tickets(t.service_day + timedelta(days=1))] == [Status.WAITING]
    assert q.confirm_new_day(officer="spv") == t.service_day + timedelta(days=4)
    assert q.issue("ktp").ticket.number == "K-001"
    with store.read() as tx:
        assert tx.open_tickets(t.service_day + timedelta(days=1)) == []
    types = [e.type for e in q.events_after(0)]
    assert "day_confirmed" in types


@pytest.mark.pg
def test_on_postgresql_the_server_clock_decides_and_a_skewed_station_is_warned(hall, pg_url):
    from antrian.storage.db import upgrade

    upgrade(pg_url)
    store = SqlStore(pg_url)
    try:
        q = QueueService(hall, store)  # no clock given: the store's, the server's
        assert isinstance(q.clock, ServerClock)
        server = q.clock.now()
        assert q.clock_skew() is None  # this PC and the server share one clock here
        ahead = FakeClock(server + timedelta(days=1))
        skew = q.clock_skew(ahead)
        assert skew is not None and skew.seconds > 86000
        msg = skew.message(hall.tz)
        assert server.astimezone(hall.tz).strftime("%Y-%m-%d") in msg
        assert ahead.now().astimezone(hall.tz).strftime("%Y-%m-%d") in msg and "ahead" in msg
    finally:
        store.dispose()


def test_sqlite_has_no_skew_warning(queue, store):
    if store.dialect != "sqlite":
        pytest.skip("SQLite only")
    assert queue.clock_skew(FakeClock(datetime(2030, 1, 1, tzinfo=timezone.utc))) is None


def _weekday_hall():
    from antrian.config import HallFile, build_hall
    from tests.conftest import hall_dict

    d = hall_dict()
    d["defaults"]["hours"] = {k: ["07:00-16:00"] for k in ("mon", "tue", "wed", "thu", "fri")}
    return build_hall(HallFile.model_validate(d), "<weekday hall>")


@pytest.mark.parametrize("kind", ["sqlite", "fake"])
def test_friday_to_monday_is_no_clock_jump_but_skipping_a_working_day_is(tmp_path, kind):
    """The days between are weekend days the hall is closed: Monday morning needs no supervisor.
    Friday to Tuesday skips Monday, an open day: that is still refused until confirmed."""
    hall = _weekday_hall()
    if kind == "sqlite":
        from antrian.storage.db import upgrade

        url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
        upgrade(url)
        store = SqlStore(url)
    else:
        store = FakeStore()
    friday = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # Friday 09:00 in Jakarta
    clock = FakeClock(friday)
    q = QueueService(hall, store, clock)
    t = q.issue("ktp").ticket
    clock.advance(days=3)  # Monday
    monday = q.issue("ktp").ticket
    assert monday.number == "K-001" and monday.service_day == t.service_day + timedelta(days=3)
    with store.read() as tx:
        assert tx.get_ticket(t.id).status == Status.EXPIRED
    clock.advance(days=2)  # Wednesday: Tuesday, an open day, was skipped
    with pytest.raises(ClockJump):
        q.issue("ktp")
