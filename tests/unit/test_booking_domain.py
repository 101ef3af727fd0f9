"""The pure booking rules: NIK, phone, codes, slots (Friday break, closed days), the booking
window, the check-in window, the rate limiter and the error sentences."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from antrian.domain import booking as B
from tests.unit.test_booking_service import booking_hall

TZ = booking_hall().tz


@pytest.mark.parametrize("nik", ["3201014101900001", "3201 0141 0190 0001", "3201.01.410190.0001",
                                 "3174052902000123", "9471011507850009"])
def test_good_niks(nik):
    assert B.normalise_nik(nik) == nik.replace(" ", "").replace(".", "")


@pytest.mark.parametrize("nik,reason", [
    ("320101410190001", "length"), ("32010141019000011", "length"), ("32010141019000a1", "length"), ("", "length"),
    ("0001014101900001", "region"), ("2501014101900001", "region"), ("3200014101900001", "region"),
    ("3201004101900001", "region"),
    ("3201010001900001", "birth_date"), ("3201013201900001", "birth_date"), ("3201017201900001", "birth_date"),
    ("3201013213900001", "birth_date"), ("3201013113900001", "birth_date"), ("3201013002900001", "birth_date"),
    ("3201017002900001", "birth_date"),
    ("3201014101900000", "serial"),
])
def test_bad_niks(nik, reason):
    with pytest.raises(B.InvalidNik) as e:
        B.normalise_nik(nik)
    assert e.value.params["reason"] == reason
    assert "16 angka" in str(e.value) and "16 digits" in e.value.message_en


def test_women_birth_day_41_to_71_and_29_february():
    assert B.normalise_nik("3201016902000001")  # 29 February, a woman
    assert B.normalise_nik("3201012902000001")


@pytest.mark.parametrize("text", ["081234567890", "0812-3456-7890", "+62 812 3456 7890", "6281234567890",
                                  "(0812) 3456.7890"])
def test_phone_normalised(text):
    assert B.normalise_phone(text) == "6281234567890"


@pytest.mark.parametrize("text", ["", "0212345678", "+1 555 1234567", "08123", "08123456789012345", "0812abc45678"])
def test_bad_phones(text):
    with pytest.raises(B.InvalidPhone) as e:
        B.normalise_phone(text)
    assert "Nomor HP" in str(e.value)


def test_phone_mask_and_identity_hint_never_show_the_nik():
    assert B.mask_phone("6281234567890") == "0812****7890"
    assert B.identify(nik="3201014101900001").hint == "NIK"
    assert "3201014101900001" not in repr(B.identify(nik="3201014101900001"))
    assert B.identify(phone="0812 3456 7890").hint == "0812****7890"
    with pytest.raises(B.NoIdentity):
        B.identify(nik=" ", phone=None)


def test_person_key_is_keyed_and_does_not_contain_the_nik():
    who = B.identify(nik="3201014101900001")
    k1 = B.person_key(b"secret-one", who)
    assert len(k1) == 64 and "3201014101900001" not in k1
    assert k1 == B.person_key(b"secret-one", B.identify(nik="3201 0141 0190 0001"))
    assert k1 != B.person_key(b"secret-two", who)
    assert B.person_key(b"s", B.identify(phone="0812 3456 7890")) == B.person_key(b"s", B.identify(phone="+6281234567890"))


def test_codes_cannot_be_guessed_and_parse_back():
    codes = {B.make_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 8 and set(c) <= set(B.CODE_ALPHABET) for c in codes)
    assert len(B.CODE_ALPHABET) == 31 and not set("01IOQ") & set(B.CODE_ALPHABET)
    c = sorted(codes)[0]
    assert B.parse_code(c.lower()) == c
    assert B.parse_code(B.format_code(c)) == c
    assert B.parse_code(B.booking_qr_text(c)) == c
    assert B.parse_code(B.booking_qr_text(c, "https://mpp.example.go.id")) == c
    assert B.parse_code("ABCD") is None and B.parse_code("ABCD-EF01") is None and B.parse_code("x" * 600) is None


def test_slots_follow_hours_with_the_friday_break_and_closed_days():
    hall = booking_hall()
    p = B.BookingPolicy()
    ktp = hall.service("ktp")
    wed = B.slots_on(ktp, date(2026, 11, 25), p)
    assert [s.start for s in wed][:3] == [time(8), time(8, 30), time(9)] and wed[-1].start == time(14, 30)
    assert sum(s.capacity for s in wed) == p.online_quota(ktp) == 80
    fri = [s.start for s in B.slots_on(ktp, date(2026, 11, 27), p)]
    assert time(11) in fri and time(11, 30) not in fri and time(12) not in fri and time(13) in fri
    assert B.slots_on(ktp, date(2026, 11, 29), p) == []  # Sunday
    assert B.slots_on(ktp, date(2026, 12, 1), p) == []  # a closed date
    one = B.slots_on(hall.service("pdam-baru"), date(2026, 11, 25), p)
    assert [s.capacity for s in one][:2] == [1, 0] and sum(s.capacity for s in one) == 1
    assert p.online_quota(hall.service("kk")) == p.default_online_quota


def test_window_opens_the_newest_day_at_the_set_hour():
    p = B.BookingPolicy(days_ahead=7, opens_at=time(16))
    before = datetime(2026, 11, 23, 15, 59, tzinfo=TZ)  # Monday
    after = datetime(2026, 11, 23, 16, 0, tzinfo=TZ)
    assert B.bookable_days(before, p)[-1] == date(2026, 11, 29)
    assert B.bookable_days(after, p)[-1] == date(2026, 11, 30)
    assert B.bookable_days(after, p)[0] == date(2026, 11, 23)


def test_checkin_window():
    p = B.BookingPolicy(checkin_before=30, checkin_after=15)
    slot = datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
    assert B.checkin_verdict(slot, slot - timedelta(minutes=31), p) == B.CheckInVerdict.EARLY
    assert B.checkin_verdict(slot, slot - timedelta(minutes=30), p) == B.CheckInVerdict.OK
    assert B.checkin_verdict(slot, slot + timedelta(minutes=14, seconds=59), p) == B.CheckInVerdict.OK
    assert B.checkin_verdict(slot, slot + timedelta(minutes=15), p) == B.CheckInVerdict.LATE


def test_rate_limiter_sliding_window():
    lim = B.RateLimiter(3, 60)
    t0 = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
    for i in range(3):
        assert lim.retry_after("kiosk1", t0 + timedelta(seconds=i)) == 0
        lim.hit("kiosk1", t0 + timedelta(seconds=i))
    assert lim.retry_after("kiosk1", t0 + timedelta(seconds=10)) == 50
    assert lim.retry_after("kiosk2", t0 + timedelta(seconds=10)) == 0
    assert lim.retry_after("kiosk1", t0 + timedelta(seconds=60)) == 0


def test_slot_time_parsing():
    assert B.parse_slot_time("9:00") == time(9) and B.parse_slot_time("09.30") == time(9, 30)
    with pytest.raises(B.BadSlotTime):
        B.parse_slot_time("25:00")


def test_every_error_speaks_indonesian_first_and_english_second():
    d = date(2026, 11, 29)
    at = datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
    errors = [B.InvalidNik("length"), B.InvalidPhone(), B.NoIdentity(), B.BadSlotTime("x"),
              B.DateOutsideWindow(d, d, d), B.DayClosed("KTP-el", d), B.NoSuchSlot("KTP-el", d, time(8, 15)),
              B.SlotInPast(at), B.SlotFull(at), B.AlreadyBooked("KTP-el", d), B.TooManyBookings(3, d),
              B.BookingNotFound(), B.BookingNotActive(B.BookingStatus.CHECKED_IN, "K-001"),
              B.BookingNotActive(B.BookingStatus.CANCELLED), B.BookingNotActive(B.BookingStatus.RELEASED),
              B.CheckInTooEarly(at - timedelta(minutes=30), at), B.CheckInTooLate(at, at, "ktp"),
              B.TooManyAttempts(30)]
    for e in errors:
        assert str(e) == e.message_id and e.message_en and e.message_id != e.message_en, type(e)
    assert "Minggu, 29 November 2026" in str(B.DayClosed("KTP-el", d))
    assert "penuh" in str(B.SlotFull(at))
