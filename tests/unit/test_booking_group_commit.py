"""The group commit of bookings (BookingService._write_batch): the requests queued in one process
are written in ONE transaction, each gets its own answer, a refusal in the batch writes nothing
of its own and does not stop the others, and a store-level clash (a code drawn twice, the person
index hit by another process) redoes the batch one request at a time. In memory and on SQLite."""

from __future__ import annotations

from datetime import timezone

import pytest

from antrian.domain import booking as B
from antrian.fakes_booking import FakeBookingStore
from antrian.services import booking as M
from antrian.storage.booking_store import SqlBookingStore
from antrian.storage.db import upgrade
from tests.conftest import FakeClock
from tests.unit.test_booking_service import NIK, NIK2, WED, at_local, booking_hall

NIK3 = "3201014101900003"


@pytest.fixture(params=["fake", "sqlite"])
def store(request, tmp_path):
    if request.param == "fake":
        yield FakeBookingStore()
        return
    url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    upgrade(url)
    s = SqlBookingStore(url)
    yield s
    s.dispose()


def request_for(svc: M.BookingService, service: str, hhmm: str, nik: str) -> M._BookRequest:
    hall = svc.hall
    s = hall.service(service)
    slot = svc._find_slot(s, WED, B.parse_slot_time(hhmm))
    assert slot is not None
    start = B.slot_at(WED, slot.start, hall.tz)
    ident = B.identify(nik=nik)
    return M._BookRequest(s, WED, slot, start, start.astimezone(timezone.utc), B.person_key(svc._hall_secret(), ident),
                          ident, svc.clock.now())


def count_transactions(store) -> list[int]:
    opened: list[int] = []
    real = store.transaction

    def counting():
        opened.append(1)
        return real()

    store.transaction = counting
    return opened


def test_one_transaction_for_the_batch_and_an_answer_each(store):
    svc = M.BookingService(booking_hall(), store, FakeClock(at_local(WED, 7, 0)))
    seats = svc.slot_capacity("pdam-baru", WED, "08:00")
    assert seats == 1  # a slot with one seat: the second asker is told "penuh"
    batch = [request_for(svc, "pdam-baru", "08:00", NIK), request_for(svc, "pdam-baru", "08:00", NIK2),
             request_for(svc, "ktp", "09:00", NIK), request_for(svc, "ktp", "09:30", NIK),  # same person twice
             request_for(svc, "ktp", "09:00", NIK3)]
    opened = count_transactions(store)
    svc._write_batch(batch)
    assert len(opened) == 1
    answers = [type(r.error).__name__ if r.error else "ok" for r in batch]
    assert answers == ["ok", "SlotFull", "ok", "AlreadyBooked", "ok"]
    store.transaction = store.__class__.transaction.__get__(store)
    views = svc.list(WED)
    assert sorted(v.code for v in views) == sorted(r.result.code for r in batch if r.result)
    assert len({v.code for v in views}) == 3


def test_a_code_drawn_twice_redoes_the_batch_one_by_one(store, monkeypatch):
    svc = M.BookingService(booking_hall(), store, FakeClock(at_local(WED, 7, 0)))
    first = svc.book("ktp", WED, "10:00", nik=NIK3)
    codes = iter([first.code, "AAAA2222", "BBBB3333", "CCCC4444"])  # the first collides
    monkeypatch.setattr(B, "make_code", lambda: next(codes))
    batch = [request_for(svc, "ktp", "09:00", NIK), request_for(svc, "kk", "09:00", NIK2)]
    svc._write_batch(batch)
    assert [r.error for r in batch] == [None, None]
    # the batch stopped at the clash (nothing of it kept), then each request alone with new codes
    assert [r.result.code for r in batch] == ["AAAA2222", "BBBB3333"]
    assert len(svc.list(WED)) == 3
