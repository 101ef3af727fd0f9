"""The booking use cases on SQLite and PostgreSQL: the same rules as on the fake store, the
NIK nowhere in the database, and no slot sold twice when two citizens race for the last seat
(the interleaving forced on two connections)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from antrian.domain import booking as B
from antrian.domain.booking import BookingStatus
from antrian.services.booking import BookingService
from antrian.services.queue import QueueService
from antrian.storage.booking_store import SqlBookingStore
from antrian.storage.db import upgrade
from tests.conftest import FakeClock
from tests.unit.test_booking_service import NIK, NIK2, WED, at_local, booking_hall


@pytest.fixture
def sql_store(db_url):
    upgrade(db_url)
    s = SqlBookingStore(db_url)
    yield s
    s.dispose()


@pytest.fixture
def bclock():
    return FakeClock(at_local(WED, 7, 0))


@pytest.fixture
def svc(sql_store, bclock):
    return BookingService(booking_hall(), sql_store, bclock)


def _dump(store) -> str:
    with store.raw_engine().connect() as conn:
        parts = []
        for table in ("bookings", "booking_slots", "events", "meta", "tickets"):
            parts += [repr(tuple(r)) for r in conn.execute(text(f"SELECT * FROM {table}"))]
        return "\n".join(parts)


def _counts(store) -> tuple[int, int, int]:
    with store.raw_engine().connect() as conn:
        return tuple(int(conn.execute(text(q)).scalar() or 0) for q in (  # type: ignore[return-value]
            "SELECT count(*) FROM bookings", "SELECT coalesce(sum(taken), 0) FROM booking_slots",
            "SELECT count(*) FROM events"))


def test_book_find_cancel_and_the_nik_is_nowhere(svc, sql_store):
    v = svc.book("ktp", WED, "09:00", nik=NIK)
    p = svc.book("ktp", WED, "09:00", phone="0812 3456 7890")
    assert svc.find(v.code).slot_start == v.slot_start and svc.find(p.code).contact_hint == "0812****7890"
    dump = _dump(sql_store)
    assert NIK not in dump and "81234567890" not in dump
    assert [s.taken for s in svc.slots("ktp", WED)][2] == 2
    c = svc.cancel(p.code, officer="budi")
    assert c.status == BookingStatus.CANCELLED and c.cancelled_by == "budi"
    assert [s.taken for s in svc.slots("ktp", WED)][2] == 1
    assert [b.code for b in svc.list(WED)] == [v.code, p.code]


@pytest.mark.parametrize("kwargs,error", [
    (dict(day=WED, start="09:00", nik="123"), B.InvalidNik),
    (dict(day=WED + timedelta(days=9), start="09:00", nik=NIK2), B.DateOutsideWindow),
    (dict(day=date(2026, 11, 29), start="09:00", nik=NIK2), B.DayClosed),
    (dict(day=WED, start="06:00", nik=NIK2), B.NoSuchSlot),
    (dict(day=WED, start="09:00", nik=NIK), B.AlreadyBooked),
])
def test_refusals_write_nothing(svc, sql_store, kwargs, error):
    svc.book("ktp", WED, "10:00", nik=NIK)
    before = _counts(sql_store)
    with pytest.raises(error):
        svc.book("ktp", **kwargs)
    assert _counts(sql_store) == before


def test_full_and_past_slots(svc, sql_store, bclock):
    svc.book("pdam-baru", WED, "08:00", nik=NIK)
    before = _counts(sql_store)
    with pytest.raises(B.SlotFull):
        svc.book("pdam-baru", WED, "08:00", nik=NIK2)
    bclock.t = at_local(WED, 9, 0)
    with pytest.raises(B.SlotInPast):
        svc.book("ktp", WED, "09:00", nik=NIK2)
    assert _counts(sql_store) == before


def test_check_in_order_release_and_booked_flag(svc, sql_store, bclock):
    queue = QueueService(booking_hall(), sql_store, bclock)
    v = svc.book("ktp", WED, "09:00", nik=NIK)
    gone = svc.book("ktp", WED, "09:00", nik=NIK2)
    bclock.t = at_local(WED, 8, 40)
    early = queue.issue("ktp")
    bclock.t = at_local(WED, 8, 50)
    ci = svc.check_in(v.code)
    assert ci.issued.ticket.arrival_at == at_local(WED, 9, 0) and ci.issued.ahead == 1
    bclock.t = at_local(WED, 9, 5)
    late = queue.issue("ktp")
    queue.open_counter("7", officer="budi")
    order = []
    for _ in range(3):
        order.append(queue.call_next("7", officer="budi").id)
        queue.finish("7", officer="budi")
    assert order == [early.ticket.id, ci.issued.ticket.id, late.ticket.id]
    assert svc.booked_tickets(WED) == {ci.issued.ticket.id: v.code}
    with sql_store.read() as tx:
        ev = [e for e in tx.events_after(0) if e.type == "issued" and e.ticket_id == ci.issued.ticket.id]
    assert ev[0].payload["booked"] is True and ev[0].payload["booking_id"] is not None
    bclock.t = at_local(WED, 9, 15)
    assert svc.release_unused() == 1
    assert svc.find(gone.code).status == BookingStatus.RELEASED
    assert svc.find(v.code).status == BookingStatus.CHECKED_IN


def test_the_secret_is_stored_once_in_the_database(svc, sql_store, bclock, db_url):
    svc.book("ktp", WED, "09:00", nik=NIK)
    other = SqlBookingStore(db_url)
    try:
        with pytest.raises(B.AlreadyBooked):
            BookingService(booking_hall(), other, bclock).book("ktp", WED, "11:00", nik=NIK)
    finally:
        other.dispose()


def test_schema_of_the_migration_equals_the_booking_tables(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from antrian.storage import tables_booking  # noqa: F401  (on the shared metadata)
    from antrian.storage.db import normalise_url
    from antrian.storage.tables import metadata

    upgrade(db_url)
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            assert list(compare_metadata(ctx, metadata)) == []
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------ races


def _warm(svc: BookingService) -> None:
    """The day's rollover and the secret read happen before a race (the rollover's event takes
    the event log's lock, which would serialise the racers before they read the seat)."""
    svc._hall_secret()
    with svc.store.transaction() as tx:
        svc._begin(tx, svc.clock.now())


def test_two_citizens_race_for_the_last_seat_the_second_waits_and_is_refused(svc, sql_store, db_url, bclock):
    """Citizen A holds an open write transaction that took the last seat; citizen B books the same
    slot on another connection meanwhile; A commits; B is told "penuh". One seat, one booking."""
    other = SqlBookingStore(db_url)
    b_svc = BookingService(booking_hall(), other, bclock)
    _warm(svc)
    _warm(b_svc)
    result: dict[str, object] = {}
    slot = B.slot_at(WED, B.parse_slot_time("08:00"), booking_hall().tz)
    try:
        with sql_store.transaction() as tx:
            assert sql_store.bookings(tx).take_slot("pdam-baru", WED, slot, 1)

            def citizen_b() -> None:
                try:
                    result["b"] = b_svc.book("pdam-baru", WED, "08:00", nik=NIK2)
                except B.BookingError as e:
                    result["b"] = e

            t = threading.Thread(target=citizen_b)
            t.start()
        t.join(60)
        assert not t.is_alive()
        assert isinstance(result["b"], B.SlotFull)
    finally:
        other.dispose()
    with sql_store.raw_engine().connect() as conn:
        assert conn.execute(text("SELECT taken FROM booking_slots WHERE service_code = 'pdam-baru'")).scalar() == 1


@pytest.mark.pg
def test_pg_both_read_free_then_both_write_one_wins(pg_url, bclock):
    """PostgreSQL, two connections, forced interleaving: both citizens' transactions have checked
    the person rule and read the seat as free before either writes; then both take it. The
    conditional UPDATE lets one through; the other, after the row lock, sees it full."""
    upgrade(pg_url)
    stores = [SqlBookingStore(pg_url), SqlBookingStore(pg_url)]
    barrier = threading.Barrier(2, timeout=30)
    services = []
    for s in stores:
        svc = BookingService(booking_hall(), s, bclock)
        _warm(svc)
        services.append(svc)

    class Racing:
        """Wraps a store's bookings(): take_slot waits at the barrier after reading the seat."""

        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def take_slot(self, service_code, day, slot_at, capacity):
            assert self.inner.slots_taken(service_code, day).get(slot_at, 0) == 0  # both read it free
            barrier.wait()
            return self.inner.take_slot(service_code, day, slot_at, capacity)

    for s in stores:
        real = s.bookings
        s.bookings = lambda tx, real=real: Racing(real(tx))  # type: ignore[method-assign]
    results: list[object] = [None, None]

    def citizen(i: int, nik: str) -> None:
        try:
            results[i] = services[i].book("pdam-baru", WED, "08:00", nik=nik)
        except B.BookingError as e:
            results[i] = e

    threads = [threading.Thread(target=citizen, args=(0, NIK)), threading.Thread(target=citizen, args=(1, NIK2))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        kinds = sorted(type(r).__name__ for r in results)
        assert kinds == ["BookingView", "SlotFull"], results
        with stores[0].raw_engine().connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM bookings")).scalar() == 1
            assert conn.execute(text("SELECT taken FROM booking_slots")).scalar() == 1
    finally:
        for s in stores:
            s.dispose()


@pytest.mark.pg
def test_pg_same_person_racing_two_slots_gets_one_booking(pg_url, bclock):
    """The one-per-person rule under a race: the unique index refuses the second insert."""
    upgrade(pg_url)
    stores = [SqlBookingStore(pg_url), SqlBookingStore(pg_url)]
    barrier = threading.Barrier(2, timeout=30)
    services = [BookingService(booking_hall(), s, bclock) for s in stores]
    for svc in services:
        _warm(svc)

    class Racing:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def take_slot(self, *a):
            barrier.wait()  # both have checked "no booking yet" for this person
            return self.inner.take_slot(*a)

    for s in stores:
        real = s.bookings
        s.bookings = lambda tx, real=real: Racing(real(tx))  # type: ignore[method-assign]
    results: list[object] = [None, None]

    def citizen(i: int, start: str) -> None:
        try:
            results[i] = services[i].book("ktp", WED, start, nik=NIK)
        except B.BookingError as e:
            results[i] = e

    threads = [threading.Thread(target=citizen, args=(0, "09:00")), threading.Thread(target=citizen, args=(1, "10:00"))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(type(r).__name__ for r in results) == ["AlreadyBooked", "BookingView"], results
        with stores[0].raw_engine().connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM bookings")).scalar() == 1
            assert conn.execute(text("SELECT sum(taken) FROM booking_slots")).scalar() == 1
    finally:
        for s in stores:
            s.dispose()
