"""Limits from the hall's [booking] policy on the core: tries per NIK or phone per hour, the
online quota set per service, and the answers that need no database (refuse_from_memory)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from antrian.domain import booking as B
from antrian.fakes_booking import FakeBookingStore
from antrian.services.booking import BookingService
from tests.conftest import FakeClock
from tests.unit.test_booking_service import NIK, NIK2, WED, at_local, booking_hall


def service(policy: B.BookingPolicy, store=None, clock=None) -> BookingService:
    return BookingService(booking_hall(), store or FakeBookingStore(), clock or FakeClock(at_local(WED, 7, 0)), policy)


def test_tries_per_person_per_hour_then_refused_in_indonesian():
    clock = FakeClock(at_local(WED, 7, 0))
    svc = service(B.BookingPolicy(per_person_per_hour=2), clock=clock)
    svc.book("ktp", WED, "09:00", nik=NIK)
    with pytest.raises(B.AlreadyBooked):
        svc.book("ktp", WED, "09:30", nik=NIK)  # the second try
    with pytest.raises(B.TooManyTries) as e:
        svc.book("kk", WED, "09:00", nik=NIK)  # a third within the hour
    assert "Terlalu banyak percobaan" in str(e.value) and "60 menit" in str(e.value)
    svc.book("kk", WED, "09:00", nik=NIK2)  # someone else is not held up
    clock.advance(seconds=3600)
    assert svc.book("kk", WED, "10:00", nik=NIK).status == B.BookingStatus.ACTIVE


def test_the_hall_sets_a_services_online_seats():
    svc = service(B.BookingPolicy(online_quotas=(("ktp", 3), ("kk", 0))))
    assert sum(s.capacity for s in svc.slots("ktp", WED)) == 3
    with pytest.raises(B.SlotFull):
        svc.book("kk", WED, "09:00", nik=NIK)  # 0 = not bookable online
    assert svc.slot_capacity("kk", WED, "09:00") == 0


def test_refuse_from_memory_answers_without_the_database():
    store = FakeBookingStore()
    svc = service(B.BookingPolicy(), store=store)
    with pytest.raises(B.InvalidNik):
        svc.refuse_from_memory("ktp", WED, "09:00", nik="123")
    with pytest.raises(B.DateOutsideWindow):
        svc.refuse_from_memory("ktp", WED + timedelta(days=30), "09:00", nik=NIK)
    seats = svc.slot_capacity("pdam-baru", WED, "08:00")
    for i in range(seats):
        svc.book("pdam-baru", WED, "08:00", nik=f"320101410190{i + 1:04d}")
    # the last seat marked the slot full in memory: the next one is told so without a transaction
    opened = []
    real = store.transaction

    def counting():
        opened.append(1)
        return real()

    store.transaction = counting  # type: ignore[method-assign]
    with pytest.raises(B.SlotFull):
        svc.refuse_from_memory("pdam-baru", WED, "08:00", nik=NIK2)
    with pytest.raises(B.SlotFull):
        svc.book("pdam-baru", WED, "08:00", nik=NIK2)
    assert opened == []
    assert svc.refuse_from_memory("ktp", WED, "09:00", nik=NIK2) is None  # only the database can say
