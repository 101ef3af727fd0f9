"""Bookings ("antrean online"): the policy, the slots of a day, the booking window, the check-in
window, NIK and phone checks, booking codes and the keyed person hash. Pure Python.

Decisions (the hall may change the numbers through ``BookingPolicy``):

- Slots follow each service's opening spans: a span 08:00-11:30 with 30-minute slots gives 08:00,
  08:30, 09:00, 09:30, 10:00, 10:30, 11:00 (a slot must end inside its span), so a Friday break
  (two spans on Friday) and closed dates (no spans) need no special case.
- The online quota of a service per day is separate from the walk-in quota (``Service.quota``,
  which the kiosk counts): ``online_share`` of the service's quota (default 20 %, rounded up) when
  the service has one, else ``default_online_quota``. It is spread over the day's slots as evenly
  as possible (the first slots take the remainder), so the slot capacities add up to it exactly.
- Booking window: from today up to ``days_ahead`` days ahead. The newest day opens at
  ``opens_at`` (default 16:00) local time: on Monday before 16:00 a citizen can book Monday to
  Sunday, from 16:00 also the next Monday. A slot whose start has passed cannot be booked.
- Check-in: from ``checkin_before`` minutes before the slot start to ``checkin_after`` minutes
  after it (default 30 and 15).
- One active booking per person per service per day, and at most ``max_per_person_per_day``
  bookings per person per day over all services (brokers hoarding slots).

Over 400 lines, on purpose: the whole booking rule book (policy, slots, windows, NIK/phone
checks, codes, person hash) is one pure module so the rules are read and tested in one place.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from antrian.domain.catalogue import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ID, Service
from antrian.domain.errors import QueueError

# ---------------------------------------------------------------------------------- the policy


@dataclass(frozen=True)
class BookingPolicy:
    slot_minutes: int = 30
    online_share: float = 0.20  # of the service's (walk-in) quota, when it has one
    default_online_quota: int = 40  # per service per day when the service has no quota
    days_ahead: int = 7
    opens_at: time = time(16, 0)  # the newest bookable day opens at this local time
    checkin_before: int = 30  # minutes before the slot start
    checkin_after: int = 15  # minutes after the slot start
    max_per_person_per_day: int = 3
    code_attempts: int = 5  # failed check-ins by code per source ...
    code_attempts_seconds: int = 60  # ... within this many seconds, then refused until it passes
    full_hint_seconds: float = 1.0  # a slot seen full answers "penuh" from memory this long (0 = off)
    online_quotas: tuple[tuple[str, int], ...] = ()  # (service code, seats per day) set by the hall
    per_person_per_hour: int = 10  # booking tries with one NIK or phone number per hour
    per_ip_per_hour: int = 10  # bookings (and cancels) from one address per hour (web pages)
    wrong_codes_per_ip: int = 20  # unknown booking codes looked up per address per 10 minutes

    def online_quota(self, service: Service) -> int:
        for code, seats in self.online_quotas:
            if code == service.code:
                return seats
        if service.quota:
            return max(1, math.ceil(service.quota * self.online_share))
        return self.default_online_quota


class BookingStatus(StrEnum):
    ACTIVE = "active"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    RELEASED = "released"  # not checked in by the end of its check-in window


HOLDING_STATUSES = frozenset({BookingStatus.ACTIVE, BookingStatus.CHECKED_IN})


@dataclass(frozen=True)
class Slot:
    start: time
    end: time
    capacity: int

    def label(self) -> str:
        return f"{self.start:%H.%M}-{self.end:%H.%M}"


def slot_starts(service: Service, day: date, policy: BookingPolicy) -> list[tuple[time, time]]:
    """(start, end) of every slot of ``service`` on ``day`` (local times), in order."""
    step = timedelta(minutes=policy.slot_minutes)
    out: list[tuple[time, time]] = []
    for span in service.hours.spans_on(day):
        t = datetime.combine(day, span.start)
        end = datetime.combine(day, span.end)
        while t + step <= end:
            out.append((t.time(), (t + step).time()))
            t += step
    return out


def slots_on(service: Service, day: date, policy: BookingPolicy) -> list[Slot]:
    """The day's slots with their capacity (the online quota spread evenly)."""
    times = slot_starts(service, day, policy)
    if not times:
        return []
    quota = policy.online_quota(service)
    base, extra = divmod(quota, len(times))
    return [Slot(s, e, base + (1 if i < extra else 0)) for i, (s, e) in enumerate(times)]


def find_slot(service: Service, day: date, start: time, policy: BookingPolicy) -> Slot | None:
    for s in slots_on(service, day, policy):
        if s.start == start:
            return s
    return None


def slot_at(day: date, start: time, tz: tzinfo) -> datetime:
    """A slot's start as an aware datetime in the hall's time zone."""
    return datetime.combine(day, start, tzinfo=tz)


def last_bookable_day(local_now: datetime, policy: BookingPolicy) -> date:
    ahead = policy.days_ahead if local_now.time() >= policy.opens_at else policy.days_ahead - 1
    return local_now.date() + timedelta(days=max(0, ahead))


def bookable_days(local_now: datetime, policy: BookingPolicy) -> list[date]:
    first = local_now.date()
    last = last_bookable_day(local_now, policy)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def parse_slot_time(text: str) -> time:
    """'09:00', '09.00', '9:00' -> time(9, 0); BadSlotTime otherwise."""
    m = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", text or "")
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return time(int(m.group(1)), int(m.group(2)))
    raise BadSlotTime(str(text)[:20])


class CheckInVerdict(StrEnum):
    EARLY = "early"
    OK = "ok"
    LATE = "late"


def checkin_window(slot_start: datetime, policy: BookingPolicy) -> tuple[datetime, datetime]:
    """[opens, closes) of the check-in window of a slot."""
    return (slot_start - timedelta(minutes=policy.checkin_before),
            slot_start + timedelta(minutes=policy.checkin_after))


def checkin_verdict(slot_start: datetime, now: datetime, policy: BookingPolicy) -> CheckInVerdict:
    opens, closes = checkin_window(slot_start, policy)
    if now < opens:
        return CheckInVerdict.EARLY
    if now >= closes:
        return CheckInVerdict.LATE
    return CheckInVerdict.OK


# ---------------------------------------------------------------------------- NIK and phone

# Province codes (first two digits of an NIK), Aceh (11) to the Papua provinces (91-97).
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
     71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97]
)
_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_nik(text: str) -> str:
    """The NIK as 16 digits, or InvalidNik. Checks the shape: a known province, regency and
    district codes that are not 00, the birth date (day 01-31, or 41-71 for women; month 01-12;
    a date that exists) and a serial that is not 0000."""
    nik = _SEPARATORS.sub("", text or "")
    if not re.fullmatch(r"\d{16}", nik):
        raise InvalidNik("length")
    if int(nik[0:2]) not in PROVINCE_CODES or nik[2:4] == "00" or nik[4:6] == "00":
        raise InvalidNik("region")
    day, month = int(nik[6:8]), int(nik[8:10])
    if day > 40:
        day -= 40
    try:
        date(2000, month, day)  # a leap year: 29 February is a real birthday
    except ValueError:
        raise InvalidNik("birth_date") from None
    if nik[12:16] == "0000":
        raise InvalidNik("serial")
    return nik


def normalise_phone(text: str) -> str:
    """An Indonesian mobile number as 628...: '0812-3456-7890', '+62 812 3456 7890' and
    '6281234567890' all give '6281234567890'. InvalidPhone otherwise."""
    p = _SEPARATORS.sub("", text or "")
    if p.startswith("+"):
        p = p[1:]
    if p.startswith("0"):
        p = "62" + p[1:]
    if not re.fullmatch(r"628\d{8,11}", p):
        raise InvalidPhone()
    return p


def mask_phone(phone: str) -> str:
    """'6281234567890' -> '0812****7890' (what staff and the citizen see)."""
    local = "0" + phone[2:]
    return local[:4] + "*" * max(0, len(local) - 8) + local[-4:]


@dataclass(frozen=True)
class Identity:
    """Who books: kind 'nik' or 'phone' and the normalised value (kept only in memory)."""

    kind: str
    value: str = field(repr=False)  # never in a log line or a traceback's locals repr

    @property
    def hint(self) -> str:
        """What may be stored and shown: never the NIK, a masked phone number."""
        return "NIK" if self.kind == "nik" else mask_phone(self.value)


def identify(nik: str | None = None, phone: str | None = None) -> Identity:
    """The identity from an NIK or a phone number (the NIK wins when both are given)."""
    if nik is not None and nik.strip():
        return Identity("nik", normalise_nik(nik))
    if phone is not None and phone.strip():
        return Identity("phone", normalise_phone(phone))
    raise NoIdentity()


def person_key(secret: bytes, identity: Identity) -> str:
    """HMAC-SHA256 of the normalised NIK or phone with the hall's secret (hex): serves the
    one-booking-per-person rule without storing the NIK (UU 27/2022)."""
    msg = f"{identity.kind}:{identity.value}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def new_secret() -> str:
    return secrets.token_hex(32)


# ----------------------------------------------------------------------------- booking codes

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPRSTUVWXYZ"  # 31 signs: no 0/O, 1/I, Q
CODE_LENGTH = 8  # 31**8 ~ 8.5e11 ~ 39.6 bits
_CODE_RE = re.compile(rf"(?:MPPB-|/b/)?([{CODE_ALPHABET}]{{4}})-?([{CODE_ALPHABET}]{{4}})$")


def make_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """'AB23CD45' -> 'AB23-CD45' (how it is printed and shown)."""
    return f"{code[:4]}-{code[4:]}"


def booking_qr_text(code: str, public_url: str = "") -> str:
    return f"{public_url.rstrip('/')}/b/{code}" if public_url else f"MPPB-{code}"


def parse_code(text: str) -> str | None:
    """A typed code ('ab23 cd45', 'AB23-CD45') or a scanned QR (URL ending in /b/CODE, or
    MPPB-CODE) -> 'AB23CD45'; None if it is not a booking code."""
    if not isinstance(text, str) or len(text) > 512:
        return None
    t = text.strip().upper().replace(" ", "")
    m = _CODE_RE.search(t)
    return m.group(1) + m.group(2) if m else None


# ------------------------------------------------------------------------------ rate limits


class RateLimiter:
    """At most ``limit`` hits per key within ``seconds`` (a sliding window over the given
    times; the caller passes its clock's now). In memory, one per process: for check-in by code
    (failed attempts per kiosk) and for the web pages (per IP, per phone)."""

    def __init__(self, limit: int, seconds: float):
        self.limit = limit
        self.window = timedelta(seconds=seconds)
        self._hits: dict[str, deque[datetime]] = {}

    def _trim(self, key: str, now: datetime) -> deque[datetime]:
        q = self._hits.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, key: str, now: datetime) -> int:
        """0 if ``key`` may try now, else the seconds until it may."""
        q = self._trim(key, now)
        if len(q) < self.limit:
            if not q:
                self._hits.pop(key, None)
            return 0
        return max(1, math.ceil((q[0] + self.window - now).total_seconds()))

    def hit(self, key: str, now: datetime) -> None:
        self._trim(key, now).append(now)

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)


# ---------------------------------------------------------------------------------- errors


def _day_id(d: date) -> str:
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember")
    return f"{WEEKDAY_NAMES_ID[d.weekday()]}, {d.day} {months[d.month - 1]} {d.year}"


def _day_en(d: date) -> str:
    return f"{WEEKDAY_NAMES_EN[d.weekday()]} {d:%d %B %Y}"


class BookingError(QueueError):
    """A refused booking action. ``str()`` is the Indonesian sentence a citizen reads;
    ``message_en`` the English one; ``params`` the values for another wording."""

    code = "booking_error"
    exit_code = 4

    def __init__(self, message_id: str, message_en: str, **params: Any):
        super().__init__(message_id, **params)
        self.message_id = message_id
        self.message_en = message_en


class InvalidNik(BookingError):
    code = "invalid_nik"
    exit_code = 2

    def __init__(self, reason: str):
        super().__init__(
            "NIK harus 16 angka sesuai KTP-el atau Kartu Keluarga. Periksa kembali NIK Anda.",
            "The NIK must be the 16 digits on the KTP-el or family card. Please check it.",
            reason=reason,
        )


class InvalidPhone(BookingError):
    code = "invalid_phone"
    exit_code = 2

    def __init__(self) -> None:
        super().__init__(
            "Nomor HP tidak valid. Tulis nomor HP Indonesia, misalnya 0812 3456 7890.",
            "That is not a valid phone number. Write an Indonesian mobile number, e.g. 0812 3456 7890.",
        )


class NoIdentity(BookingError):
    code = "no_identity"
    exit_code = 2

    def __init__(self) -> None:
        super().__init__("Isi NIK atau nomor HP Anda.", "Give your NIK or your phone number.")


class BadSlotTime(BookingError):
    code = "bad_slot_time"
    exit_code = 2

    def __init__(self, text: str):
        super().__init__(f"Jam '{text}' tidak dikenal. Tulis jam seperti 09:00.",
                         f"'{text}' is not a time. Write it like 09:00.", text=text)


class DateOutsideWindow(BookingError):
    code = "date_outside_window"

    def __init__(self, day: date, first: date, last: date):
        super().__init__(
            f"Tanggal {_day_id(day)} belum atau tidak dapat dipesan. Pemesanan dibuka untuk "
            f"{_day_id(first)} sampai {_day_id(last)}.",
            f"{_day_en(day)} cannot be booked. Bookings are open from {_day_en(first)} to {_day_en(last)}.",
            day=day, first=first, last=last,
        )


class DayClosed(BookingError):
    code = "day_closed"

    def __init__(self, service_name: str, day: date):
        super().__init__(
            f"Layanan {service_name} tutup pada {_day_id(day)}. Silakan pilih hari lain.",
            f"{service_name} is closed on {_day_en(day)}. Please choose another day.",
            service=service_name, day=day,
        )


class NoSuchSlot(BookingError):
    code = "no_such_slot"

    def __init__(self, service_name: str, day: date, start: time):
        super().__init__(
            f"Tidak ada jadwal pukul {start:%H.%M} untuk {service_name} pada {_day_id(day)}. "
            "Silakan pilih jam yang tersedia.",
            f"{service_name} has no slot at {start:%H:%M} on {_day_en(day)}. Please choose a listed time.",
            service=service_name, day=day, start=start,
        )


class SlotInPast(BookingError):
    code = "slot_in_past"

    def __init__(self, start: datetime):
        super().__init__(
            f"Jadwal pukul {start:%H.%M} sudah lewat. Silakan pilih jam berikutnya.",
            f"The {start:%H:%M} slot has already begun. Please choose a later one.",
            start=start,
        )


class SlotFull(BookingError):
    code = "slot_full"

    def __init__(self, start: datetime):
        super().__init__(
            f"Maaf, jadwal pukul {start:%H.%M} sudah penuh. Silakan pilih jam lain.",
            f"Sorry, the {start:%H:%M} slot is full. Please choose another time.",
            start=start,
        )


class AlreadyBooked(BookingError):
    code = "already_booked"

    def __init__(self, service_name: str, day: date):
        super().__init__(
            f"Anda sudah memesan {service_name} untuk {_day_id(day)}. Satu orang hanya dapat memesan "
            "satu kali per layanan per hari.",
            f"You already have a booking for {service_name} on {_day_en(day)}: one per person per "
            "service per day.",
            service=service_name, day=day,
        )


class TooManyBookings(BookingError):
    code = "too_many_bookings"

    def __init__(self, limit: int, day: date):
        super().__init__(
            f"Anda sudah memiliki {limit} pemesanan untuk {_day_id(day)}, batas per orang per hari.",
            f"You already have {limit} bookings on {_day_en(day)}, the limit per person per day.",
            limit=limit, day=day,
        )


class BookingNotFound(BookingError):
    code = "booking_not_found"
    exit_code = 6

    def __init__(self) -> None:
        super().__init__(
            "Kode booking tidak ditemukan. Periksa kembali kode Anda (8 huruf/angka).",
            "No booking has that code. Please check it (8 letters and digits).",
        )


class BookingNotActive(BookingError):
    """Cancelled, released or already checked in."""

    code = "booking_not_active"
    exit_code = 5

    def __init__(self, status: BookingStatus, ticket_number: str | None = None):
        if status == BookingStatus.CHECKED_IN:
            mid = f"Booking ini sudah check-in{f' dengan nomor antrean {ticket_number}' if ticket_number else ''}."
            men = f"This booking is already checked in{f' as ticket {ticket_number}' if ticket_number else ''}."
        elif status == BookingStatus.CANCELLED:
            mid, men = "Booking ini sudah dibatalkan.", "This booking was cancelled."
        else:
            mid = "Booking ini sudah hangus karena tidak check-in tepat waktu. Silakan ambil nomor antrean biasa."
            men = "This booking lapsed (no check-in in time). Please take a normal ticket."
        super().__init__(mid, men, status=status.value, ticket=ticket_number)


class CheckInTooEarly(BookingError):
    code = "checkin_too_early"

    def __init__(self, opens: datetime, slot_start: datetime, today: date | None = None):
        other_day = today is not None and slot_start.date() != today
        on_id = f" tanggal {_day_id(slot_start.date())}" if other_day else ""
        on_en = f" on {_day_en(slot_start.date())}" if other_day else ""
        super().__init__(
            f"Belum waktunya check-in. Booking Anda pukul {slot_start:%H.%M}{on_id}; "
            f"check-in dibuka pukul {opens:%H.%M}.",
            f"Too early to check in. Your booking is at {slot_start:%H:%M}{on_en}; check-in opens at {opens:%H:%M}.",
            opens=opens, slot_start=slot_start,
        )


class CheckInTooLate(BookingError):
    """Too late: the kiosk offers a normal ticket (``offer_normal_ticket``)."""

    code = "checkin_too_late"
    offer_normal_ticket = True

    def __init__(self, closed: datetime, slot_start: datetime, service_code: str):
        super().__init__(
            f"Maaf, waktu check-in untuk booking pukul {slot_start:%H.%M} sudah lewat (batas pukul "
            f"{closed:%H.%M}). Silakan ambil nomor antrean biasa.",
            f"Sorry, check-in for the {slot_start:%H:%M} booking closed at {closed:%H:%M}. "
            "Please take a normal ticket.",
            closed=closed, slot_start=slot_start, service=service_code,
        )


class TooManyAttempts(BookingError):
    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        super().__init__(
            f"Terlalu banyak kode yang salah. Coba lagi dalam {retry_after} detik.",
            f"Too many wrong codes. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


class TooManyTries(BookingError):
    """Too many booking tries with one NIK or phone number within an hour (a broker cycling
    slots with someone's number)."""

    code = "too_many_tries"

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"Terlalu banyak percobaan pemesanan dengan NIK atau nomor HP ini. Coba lagi dalam {minutes} menit.",
            f"Too many booking tries with this NIK or phone number. Try again in {minutes} minutes.",
            retry_after=retry_after,
        )
