"""The booking use cases on the in-memory store: book, the one-per-person rule, every refusal
(nothing written), cancel, check-in (the slot start is the arrival time), the rate limit on
codes, and the release of unused bookings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from antrian.config import HallFile, build_hall
from antrian.domain import booking as B
from antrian.domain.booking import BookingStatus
from antrian.fakes_booking import FakeBookingStore
from antrian.services.booking import BookingService
from antrian.services.queue import QueueService
from tests.conftest import FakeClock, hall_dict

NIK = "3201014101900001"
NIK2 = "3201015505920002"
WED = date(2026, 11, 25)
THU = date(2026, 11, 26)


def booking_hall():
    d = hall_dict(closed_dates=["2026-12-01"])
    d["defaults"]["hours"] = {
        "mon": ["08:00-15:00"], "tue": ["08:00-15:00"], "wed": ["08:00-15:00"], "thu": ["08:00-15:00"],
        "fri": ["08:00-11:30", "13:00-15:00"],
    }
    return build_hall(HallFile.model_validate(d), "<booking test hall>")


def at_local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=booking_hall().tz).astimezone(timezone.utc)


@pytest.fixture
def bhall():
    return booking_hall()


@pytest.fixture
def bclock():
    return FakeClock(at_local(WED, 7, 0))  # Wednesday 07:00 in Jakarta


@pytest.fixture
def bstore():
    return FakeBookingStore()


@pytest.fixture
def svc(bhall, bstore, bclock):
    return BookingService(bhall, bstore, bclock)


def written(store) -> tuple[int, int, int]:
    """(bookings, seats taken, events): what a refusal must leave unchanged."""
    with store.read() as tx:
        bk = store.bookings(tx)
        rows = bk.list_bookings()
        seats = sum(sum(bk.slots_taken(s, d).values()) for s, d in {(b.service_code, b.day) for b in rows})
        return len(rows), seats, tx.last_event_id()


def test_book_shows_a_code_and_never_stores_the_nik(svc, bstore):
    v = svc.book("ktp", WED, "09:00", nik=NIK)
    assert v.status == BookingStatus.ACTIVE and v.contact_hint == "NIK"
    assert v.slot_start.hour == 9 and v.slot_end.minute == 30 and v.checkin_opens.minute == 30
    assert B.parse_code(v.qr_text) == v.code and v.code_display[4] == "-"
    assert svc.find(v.code_display.lower()).code == v.code
    assert NIK not in repr(bstore._bstate) and NIK not in repr(bstore._state)
    assert [s.taken for s in svc.slots("ktp", WED) if s.start.hour == 9 and s.start.minute == 0] == [1]
    ev = bstore.snapshot().events_after(0)[-1]
    assert ev.type == "booked" and v.code not in repr(ev)


def test_one_booking_per_person_service_and_day(svc, bstore):
    svc.book("ktp", WED, "09:00", nik=NIK)
    before = written(bstore)
    with pytest.raises(B.AlreadyBooked) as e:
        svc.book("ktp", WED, "10:00", nik="3201 0141 0190 0001")
    assert "sudah memesan KTP-el" in str(e.value)
    assert written(bstore) == before
    svc.book("kk", WED, "10:00", nik=NIK)  # another service
    svc.book("ktp", THU, "10:00", nik=NIK)  # another day
    svc.book("ktp", WED, "10:00", nik=NIK2)  # another person
    p = svc.book("ktp", WED, "11:00", phone="0812-3456-7890")
    assert p.contact_hint == "0812****7890"
    with pytest.raises(B.AlreadyBooked):
        svc.book("ktp", WED, "12:00", phone="+62 812 3456 7890")


def test_per_person_daily_limit_over_services(bhall, bstore, bclock):
    svc = BookingService(bhall, bstore, bclock, B.BookingPolicy(max_per_person_per_day=2))
    svc.book("ktp", WED, "09:00", nik=NIK)
    svc.book("kk", WED, "09:00", nik=NIK)
    with pytest.raises(B.TooManyBookings):
        svc.book("pdam-bayar", WED, "09:00", nik=NIK)


@pytest.mark.parametrize("kwargs,error", [
    (dict(service_code="ktp", day=WED, start="09:00", nik="320101410190000"), B.InvalidNik),
    (dict(service_code="ktp", day=WED, start="09:00", nik="32010141019000x1"), B.InvalidNik),
    (dict(service_code="ktp", day=WED, start="09:00", phone="12345"), B.InvalidPhone),
    (dict(service_code="ktp", day=WED, start="09:00"), B.NoIdentity),
    (dict(service_code="ktp", day=WED - timedelta(days=1), start="09:00", nik=NIK), B.DateOutsideWindow),
    (dict(service_code="ktp", day=WED + timedelta(days=7), start="09:00", nik=NIK), B.DateOutsideWindow),
    (dict(service_code="ktp", day=date(2026, 11, 29), start="09:00", nik=NIK), B.DayClosed),  # Sunday
    (dict(service_code="ktp", day=date(2026, 12, 1), start="09:00", nik=NIK), B.DayClosed),  # closed date
    (dict(service_code="ktp", day=date(2026, 11, 27), start="11:30", nik=NIK), B.NoSuchSlot),  # Friday break
    (dict(service_code="ktp", day=WED, start="09:15", nik=NIK), B.NoSuchSlot),
    (dict(service_code="ktp", day=WED, start="25:00", nik=NIK), B.BadSlotTime),
])
def test_bad_input_is_refused_in_indonesian_and_nothing_is_written(svc, bstore, kwargs, error):
    before = written(bstore)
    with pytest.raises(error) as e:
        svc.book(**kwargs)
    assert isinstance(e.value, B.BookingError) and str(e.value) == e.value.message_id and e.value.message_en
    assert written(bstore) == before


def test_slot_in_the_past(svc, bclock, bstore):
    bclock.t = at_local(WED, 9, 0)
    before = written(bstore)
    with pytest.raises(B.SlotInPast):
        svc.book("ktp", WED, "09:00", nik=NIK)
    with pytest.raises(B.SlotInPast):
        svc.book("ktp", WED, "08:30", nik=NIK)
    assert written(bstore) == before
    svc.book("ktp", WED, "09:30", nik=NIK)
    assert [s.past for s in svc.slots("ktp", WED)][:3] == [True, True, True]


def test_full_slot(svc, bstore):
    svc.book("pdam-baru", WED, "08:00", nik=NIK)  # the one online seat of the day
    before = written(bstore)
    with pytest.raises(B.SlotFull) as e:
        svc.book("pdam-baru", WED, "08:00", nik=NIK2)
    assert "penuh" in str(e.value)
    with pytest.raises(B.SlotFull):
        svc.book("pdam-baru", WED, "08:30", nik=NIK2)  # capacity 0
    assert written(bstore) == before
    assert not any(s.bookable for s in svc.slots("pdam-baru", WED))


def test_bookable_days_window_and_closed_days(svc, bclock):
    assert svc.bookable_days("ktp") == [WED, THU, date(2026, 11, 27), date(2026, 11, 30)]
    bclock.t = at_local(WED, 16, 0)
    assert svc.bookable_days("ktp")[-1] == date(2026, 12, 2)  # Tuesday 1 December is closed
    assert date(2026, 12, 1) not in svc.bookable_days("ktp")


def test_cancel_frees_the_seat_and_cannot_be_repeated(svc, bstore):
    v = svc.book("pdam-baru", WED, "08:00", nik=NIK)
    c = svc.cancel(v.code, officer="budi")
    assert c.status == BookingStatus.CANCELLED and c.cancelled_by == "budi"
    with pytest.raises(B.BookingNotActive) as e:
        svc.cancel(v.code)
    assert "dibatalkan" in str(e.value)
    v2 = svc.book("pdam-baru", WED, "08:00", nik=NIK)  # the seat and the person are free again
    assert v2.code != v.code
    with pytest.raises(B.BookingNotFound):
        svc.cancel("ZZZZ-ZZZZ")


def test_check_in_issues_a_ticket_at_the_slot_time(bhall, bstore, bclock, svc):
    """Booked for 09:00, checking in at 08:50: called after a walk-in of 08:40 and before one of 09:05."""
    queue = QueueService(bhall, bstore, bclock)
    v = svc.book("ktp", WED, "09:00", nik=NIK)
    bclock.t = at_local(WED, 8, 40)
    early_walkin = queue.issue("ktp")
    bclock.t = at_local(WED, 8, 50)
    ci = svc.check_in(v.code_display, source="kiosk1")
    assert ci.issued.ticket.arrival_at == at_local(WED, 9, 0)
    assert ci.issued.ticket.issued_at == at_local(WED, 8, 50)
    assert ci.issued.ahead == 1 and ci.booking.status == BookingStatus.CHECKED_IN
    assert ci.booking.ticket_number == ci.issued.ticket.number
    bclock.t = at_local(WED, 9, 5)
    late_walkin = queue.issue("ktp")
    assert late_walkin.ahead == 2
    queue.open_counter("7", officer="budi")
    order = []
    for _ in range(3):
        t = queue.call_next("7", officer="budi")
        order.append(t.id)
        queue.finish("7", officer="budi")
    assert order == [early_walkin.ticket.id, ci.issued.ticket.id, late_walkin.ticket.id]
    issued = [e for e in bstore.snapshot().events_after(0) if e.type == "issued" and e.ticket_id == ci.issued.ticket.id]
    assert issued[0].payload["booked"] is True
    assert svc.booked_tickets(WED) == {ci.issued.ticket.id: v.code}
    with pytest.raises(B.BookingNotActive) as e:
        svc.check_in(v.code)
    assert ci.issued.ticket.number in str(e.value)


def test_check_in_too_early_and_too_late(svc, bclock, bstore):
    v = svc.book("ktp", WED, "09:00", nik=NIK)
    bclock.t = at_local(WED, 8, 29)
    before = written(bstore)
    with pytest.raises(B.CheckInTooEarly) as e:
        svc.check_in(v.code)
    assert "pukul 08.30" in str(e.value)
    bclock.t = at_local(WED, 9, 15)
    with pytest.raises(B.CheckInTooLate) as late:
        svc.check_in(v.code)
    assert late.value.offer_normal_ticket and "antrean biasa" in str(late.value)
    assert written(bstore) == before
    v2 = svc.book("ktp", THU, "09:00", nik=NIK)
    with pytest.raises(B.CheckInTooEarly) as e2:
        svc.check_in(v2.code)
    assert "26 November" in str(e2.value)


def test_wrong_codes_are_rate_limited_per_source(svc, bclock):
    v = svc.book("ktp", WED, "09:00", nik=NIK)
    bclock.t = at_local(WED, 8, 45)
    for _ in range(svc.policy.code_attempts):
        with pytest.raises(B.BookingNotFound):
            svc.check_in("ABCD-EFGH", source="kiosk1")
    with pytest.raises(B.TooManyAttempts) as e:
        svc.check_in(v.code, source="kiosk1")  # even the right code waits
    assert "detik" in str(e.value)
    assert svc.check_in(v.code, source="kiosk2").issued.ticket.arrival_at == at_local(WED, 9, 0)
    bclock.advance(seconds=svc.policy.code_attempts_seconds)
    with pytest.raises(B.BookingNotFound):
        svc.check_in("ABCD-EFGH", source="kiosk1")


def test_release_unused_bookings_at_the_end_of_their_window(svc, bclock, bstore):
    a = svc.book("ktp", WED, "09:00", nik=NIK)
    b = svc.book("ktp", WED, "09:30", nik=NIK2)
    c = svc.book("kk", WED, "09:00", nik=NIK2)
    bclock.t = at_local(WED, 8, 55)
    svc.check_in(c.code)
    bclock.t = at_local(WED, 9, 14)
    assert svc.release_unused() == 0
    bclock.t = at_local(WED, 9, 15)
    assert svc.release_unused() == 1
    assert svc.find(a.code).status == BookingStatus.RELEASED
    assert svc.find(b.code).status == BookingStatus.ACTIVE
    with pytest.raises(B.BookingNotActive) as e:
        svc.check_in(a.code)
    assert "hangus" in str(e.value)
    bclock.t = at_local(WED, 23, 0)
    assert svc.release_unused() == 1
    assert svc.release_unused() == 0
    counts = {s: len(svc.list(WED, status=s)) for s in BookingStatus}
    assert counts == {BookingStatus.ACTIVE: 0, BookingStatus.CHECKED_IN: 1, BookingStatus.CANCELLED: 0,
                      BookingStatus.RELEASED: 2}
    ev = [e for e in bstore.snapshot().events_after(0) if e.type == "bookings_released"]
    assert [e.payload["count"] for e in ev] == [1, 1]


def test_the_secret_is_made_once_and_kept(svc, bstore, bhall, bclock):
    svc.book("ktp", WED, "09:00", nik=NIK)
    again = BookingService(bhall, bstore, bclock)  # another process on the same store
    with pytest.raises(B.AlreadyBooked):
        again.book("ktp", WED, "10:00", nik=NIK)


def test_list_and_unknown_service(svc):
    svc.book("ktp", WED, "10:00", nik=NIK)
    svc.book("ktp", WED, "09:00", nik=NIK2)
    assert [v.slot_start.hour for v in svc.list(WED)] == [9, 10]
    assert svc.list(THU) == []
    from antrian.domain.errors import UnknownService

    with pytest.raises(UnknownService):
        svc.book("nope", WED, "09:00", nik=NIK)


def test_a_cancelled_seat_is_bookable_at_once_despite_the_full_hint(svc):
    v = svc.book("pdam-baru", WED, "08:00", nik=NIK)
    with pytest.raises(B.SlotFull):
        svc.book("pdam-baru", WED, "08:00", nik=NIK2)  # this process now remembers "full"
    svc.cancel(v.code, officer="budi")
    assert svc.book("pdam-baru", WED, "08:00", nik=NIK2).status == BookingStatus.ACTIVE


def test_without_the_hint_the_store_decides_every_time(bhall, bstore, bclock):
    svc = BookingService(bhall, bstore, bclock, B.BookingPolicy(full_hint_seconds=0))
    svc.book("pdam-baru", WED, "08:00", nik=NIK)
    for _ in range(2):
        with pytest.raises(B.SlotFull):
            svc.book("pdam-baru", WED, "08:00", nik=NIK2)
    assert svc._full == {}
