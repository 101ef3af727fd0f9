"""Unused bookings are released at the end of their check-in window and counted: by the web
server's periodic job (web.worker.BookingReleaser), by `mpp booking release`, and lazily where a
booking is read (a lookup by code, the list), so a hall without `mpp serve` is still right.
Every path is idempotent: a booking is released and counted once. Fake clock, no sleeps."""

from __future__ import annotations

import threading

import pytest

from antrian.domain import booking as B
from antrian.domain.booking import BookingStatus
from antrian.services.booking import BookingService
from antrian.fakes_booking import FakeBookingStore
from tests.conftest import FakeClock
from tests.unit.test_booking_service import NIK, NIK2, WED, at_local, booking_hall

pytest.importorskip("fastapi")  # web.worker lives in the web package

from web.worker import BookingReleaser  # noqa: E402


@pytest.fixture
def bhall():
    return booking_hall()


@pytest.fixture
def bclock():
    return FakeClock(at_local(WED, 7, 0))


@pytest.fixture
def bstore():
    return FakeBookingStore()


@pytest.fixture
def svc(bhall, bstore, bclock):
    return BookingService(bhall, bstore, bclock)


def released_events(bstore) -> list[int]:
    return [e.payload["count"] for e in bstore.snapshot().events_after(0) if e.type == "bookings_released"]


def test_the_periodic_job_releases_at_the_end_of_the_window_and_counts(svc, bclock, bstore):
    a = svc.book("ktp", WED, "09:00", nik=NIK)
    b = svc.book("ktp", WED, "10:00", nik=NIK2)
    job = BookingReleaser(svc, interval=60)
    bclock.t = at_local(WED, 9, 14)  # window 08:30-09:15: still open
    assert job.tick() == 0
    bclock.advance(seconds=59)  # 09:14:59
    assert job.tick() == 0
    bclock.advance(seconds=1)  # 09:15:00: closed
    assert job.tick() == 1 and job.tick() == 0  # idempotent
    assert svc.find(a.code).status == BookingStatus.RELEASED
    assert svc.find(b.code).status == BookingStatus.ACTIVE
    bclock.t = at_local(WED, 10, 15)
    assert job.tick() == 1
    assert job.released == 2 and released_events(bstore) == [1, 1]
    counts = {s.value: len(svc.list(WED, status=s)) for s in BookingStatus}
    assert counts == {"active": 0, "checked_in": 0, "cancelled": 0, "released": 2}


def test_a_checked_in_or_cancelled_booking_is_never_released(svc, bclock):
    a = svc.book("ktp", WED, "09:00", nik=NIK)
    c = svc.book("kk", WED, "09:00", nik=NIK)
    bclock.t = at_local(WED, 8, 40)
    svc.check_in(a.code)
    svc.cancel(c.code, officer="budi")
    bclock.t = at_local(WED, 23, 0)
    assert svc.release_unused() == 0
    assert [v.status for v in svc.list(WED)] == [BookingStatus.CHECKED_IN, BookingStatus.CANCELLED]


def test_without_a_server_a_lookup_or_the_list_releases_lazily(svc, bclock, bstore):
    a = svc.book("ktp", WED, "09:00", nik=NIK)
    b = svc.book("ktp", WED, "09:30", nik=NIK2)
    bclock.t = at_local(WED, 9, 15)
    v = svc.find(a.code)  # nobody ran a release: the lookup does it
    assert v.status == BookingStatus.RELEASED and released_events(bstore) == [1]
    assert svc.find(a.code).status == BookingStatus.RELEASED and released_events(bstore) == [1]  # once
    with pytest.raises(B.BookingNotActive) as e:
        svc.check_in(a.code)
    assert "hangus" in str(e.value)
    bclock.t = at_local(WED, 9, 45)
    assert [x.status for x in svc.list(WED)] == [BookingStatus.RELEASED, BookingStatus.RELEASED]
    assert released_events(bstore) == [1, 1]
    assert svc.find(b.code).status == BookingStatus.RELEASED


def test_two_processes_release_each_booking_once(svc, bhall, bstore, bclock):
    svc.book("ktp", WED, "09:00", nik=NIK)
    svc.book("kk", WED, "09:00", nik=NIK2)
    other = BookingService(bhall, bstore, bclock)  # `mpp booking release` next to `mpp serve`
    bclock.t = at_local(WED, 12, 0)
    assert svc.release_unused() + other.release_unused() == 2
    assert other.release_unused() == 0 and svc.release_unused() == 0
    assert released_events(bstore) == [2]


def test_a_released_seat_is_not_given_back(svc, bclock):
    """A released booking's slot has begun: its seat cannot be sold again anyway (a slot in the
    past), so the count of seats taken stays as it was (the online quota is not refilled)."""
    svc.book("pdam-baru", WED, "08:00", nik=NIK)
    bclock.t = at_local(WED, 8, 15)
    assert svc.release_unused() == 1
    with pytest.raises(B.SlotInPast):
        svc.book("pdam-baru", WED, "08:00", nik=NIK2)


def test_the_job_runs_in_its_thread_and_survives_a_failing_round(svc, bclock):
    svc.book("ktp", WED, "09:00", nik=NIK)
    bclock.t = at_local(WED, 10, 0)
    rounds: list[int] = []
    first = threading.Event()

    def on_round(n: int) -> None:
        rounds.append(n)
        first.set()

    job = BookingReleaser(svc, interval=3600, on_round=on_round)
    job.start()
    try:
        assert first.wait(10), "the job did not run its first round at start"
    finally:
        job.stop()
    assert rounds == [1] and job._thread is None

    class Broken:
        def release_unused(self) -> int:
            raise RuntimeError("database away")

    broken = BookingReleaser(Broken())
    assert broken.tick() == 0 and broken.released == 0  # logged, never raised
