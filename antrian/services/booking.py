"""Booking use cases: the days and slots open to book, book, find, list, cancel, check in at the
kiosk (a ticket whose arrival time is the slot start), and the release of unused bookings.

(Over 400 lines: the use cases share the policy, the full-slot hint and the group commit of
bookings; the group commit is the part to move out first if it grows.)

The web pages, the open API, the kiosk "Sudah booking?" screen and `mpp booking` call these and
nothing else. Every refusal is a ``BookingError`` (``str()`` in Indonesian, ``message_en`` in
English) raised before anything is written, or inside the transaction so it rolls back.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from antrian.domain import booking as B
from antrian.domain.booking import BookingPolicy, BookingStatus
from antrian.domain.catalogue import Hall, Service
from antrian.domain.model import IssuedTicket, Status, Ticket, make_token, qr_text
from antrian.domain.rules import estimate_wait_minutes
from antrian.domain.errors import StoreConflict
from antrian.services.booking_ports import Booking, Bookings, BookingStore, CodeTaken
from antrian.services.ports import Clock, QueueTx
from antrian.services.queue_base import QueueCore


@dataclass(frozen=True)
class SlotView:
    start: datetime  # local, aware
    end: datetime
    capacity: int
    taken: int
    past: bool

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def bookable(self) -> bool:
        return not self.past and self.left > 0


@dataclass(frozen=True)
class BookingView:
    """What a citizen or an officer is shown of a booking (never the NIK)."""

    code: str
    code_display: str  # AB23-CD45
    qr_text: str
    service_code: str
    service_name: str
    agency_code: str
    agency_name: str
    day: date
    slot_start: datetime  # local, aware
    slot_end: datetime
    checkin_opens: datetime
    checkin_closes: datetime
    status: BookingStatus
    contact_hint: str
    created_at: datetime
    ticket_id: int | None = None
    ticket_number: str | None = None
    cancelled_by: str | None = None


@dataclass(frozen=True)
class CheckIn:
    booking: BookingView
    issued: IssuedTicket


MAX_BATCH = 100  # bookings written in one transaction at most
_Holdings = dict[tuple[str, date], list[str]]  # (person key, day) -> services held


@dataclass(eq=False)
class _BookRequest:
    service: Service
    day: date
    slot: B.Slot
    slot_start: datetime
    slot_utc: datetime
    key: str
    identity: B.Identity
    now: datetime
    done: bool = False
    tries: int = 0
    result: BookingView | None = None
    error: BaseException | None = None

    def answer(self) -> BookingView:
        if self.error is not None:
            raise self.error
        if self.result is None:  # cannot happen: a batch answers every request it takes
            raise RuntimeError("booking request left without an answer")
        return self.result


class BookingService(QueueCore):
    def __init__(self, hall: Hall, store: BookingStore, clock: Clock | None = None,
                 policy: BookingPolicy | None = None):
        super().__init__(hall, store, clock)
        self.bstore = store
        self.policy = policy or BookingPolicy()
        self._secret: bytes | None = None
        self._lock = threading.Lock()
        self._code_limiter = B.RateLimiter(self.policy.code_attempts, self.policy.code_attempts_seconds)
        self._person_limiter = B.RateLimiter(self.policy.per_person_per_hour, 3600)
        # group commit of bookings (see _write)
        self._cond = threading.Condition()
        self._pending: list[_BookRequest] = []
        self._combining = False
        # slots this process saw full -> when (monotonic): a hint only, the database decides
        self._full: dict[tuple[str, date, datetime], float] = {}
        self._slots_cache: dict[tuple[str, date], tuple[B.Slot, ...]] = {}

    # ------------------------------------------------------------------ reading
    def bookable_days(self, service_code: str) -> list[date]:
        """The days a citizen may pick (the window), open days of the service only."""
        service = self._service(service_code)
        return [d for d in B.bookable_days(self.local_now(), self.policy)
                if self._day_slots(service, d)]

    def slots(self, service_code: str, day: date) -> list[SlotView]:
        """The day's slots with seats taken and left (refused if the day is not bookable)."""
        service = self._service(service_code)
        now = self.local_now()
        self._check_day(service, day, now)
        with self.store.read() as tx:
            taken = self.bstore.bookings(tx).slots_taken(service.code, day)
        out = []
        for s in self._day_slots(service, day):
            start = B.slot_at(day, s.start, self.hall.tz)
            out.append(SlotView(start, B.slot_at(day, s.end, self.hall.tz), s.capacity,
                                taken.get(start, 0),
                                start <= now))
        return out

    def find(self, code_text: str) -> BookingView:
        """The booking with this code (typed or scanned); BookingNotFound otherwise."""
        code = B.parse_code(code_text)
        if code is None:
            raise B.BookingNotFound()
        for _ in range(2):
            with self.store.read() as tx:
                b = self.bstore.bookings(tx).find_booking(code)
                if b is None:
                    raise B.BookingNotFound()
                if not self._lapsed(b):
                    return self._view(tx, b)
            # its check-in window has closed but nothing released it yet (no `mpp serve` running,
            # or between two rounds): release now, so it is never shown as still valid
            self.release_unused()
        raise B.BookingNotFound()  # pragma: no cover - released above, so not lapsed the second time

    def list(self, day: date | None = None, service_code: str | None = None,
             status: BookingStatus | None = None) -> list[BookingView]:
        """The bookings (of a day, a service, a status), after releasing the lapsed ones so the
        counts are right even in a hall where no web server releases them."""
        if service_code is not None:
            self._service(service_code)
        self.release_unused()
        with self.store.read() as tx:
            return [self._view(tx, b) for b in self.bstore.bookings(tx).list_bookings(day, service_code, status)]

    def booked_tickets(self, day: date | None = None) -> dict[int, str]:
        """Ticket id -> booking code for the day's checked-in bookings (counter, monitor)."""
        with self.store.read() as tx:
            return self.bstore.bookings(tx).booked_tickets(day or self.service_day())

    # ------------------------------------------------------------------ booking
    def book(self, service_code: str, day: date, start: time | str, nik: str | None = None,
             phone: str | None = None) -> BookingView:
        """Book a slot of ``service_code`` on ``day`` starting at ``start`` (local time) for the
        person with this NIK or phone number."""
        now = self.clock.now()
        identity, service, slot, slot_start = self._checked(service_code, day, start, nik, phone, now)
        key = B.person_key(self._hall_secret(), identity)
        with self._lock:  # tries per NIK or phone (a broker cycling slots); in memory, O(1)
            wait = self._person_limiter.retry_after(key, now)
            if not wait:
                self._person_limiter.hit(key, now)
        if wait:
            raise B.TooManyTries(wait)
        return self._write(_BookRequest(service, day, slot, slot_start, slot_start.astimezone(timezone.utc), key,
                                        identity, now))

    def refuse_from_memory(self, service_code: str, day: date, start: time | str, nik: str | None = None,
                           phone: str | None = None) -> None:
        """Raise the refusal ``book()`` would give when it needs no database: bad input, a day
        or slot outside the window, a slot this process saw full in the last second. Returns None
        when only the database can answer. CPU only, no I/O: the web page calls it on its event
        loop, so at 16:00 most "penuh" answers never wait for a worker thread."""
        self._checked(service_code, day, start, nik, phone, self.clock.now())

    def _checked(self, service_code: str, day: date, start: time | str, nik: str | None, phone: str | None,
                 now: datetime) -> tuple[B.Identity, Service, B.Slot, datetime]:
        """The checks of a booking that need no database, in the order a citizen reads them."""
        identity = B.identify(nik=nik, phone=phone)
        service = self._service(service_code)
        start_t = B.parse_slot_time(start) if isinstance(start, str) else start
        local = self.local_now(now)
        self._check_day(service, day, local)
        slot = self._find_slot(service, day, start_t)
        if slot is None:
            raise B.NoSuchSlot(service.name, day, start_t)
        slot_start = B.slot_at(day, slot.start, self.hall.tz)
        if slot_start <= local:
            raise B.SlotInPast(slot_start)
        # "penuh" without touching the database: when the slots open, most answers are this one.
        # A slot seen full in the last second answers from memory; the conditional upsert in the
        # write still decides every race.
        if slot.capacity <= 0 or self._seen_full((service.code, day, slot_start.astimezone(timezone.utc))):
            raise B.SlotFull(slot_start)
        return identity, service, slot, slot_start

    def slot_capacity(self, service_code: str, day: date, start: time | str) -> int:
        """The seats of a slot (0 when there is no such slot)."""
        start_t = B.parse_slot_time(start) if isinstance(start, str) else start
        slot = self._find_slot(self._service(service_code), day, start_t)
        return slot.capacity if slot is not None else 0

    def _write(self, req: _BookRequest) -> BookingView:
        """Group commit: the requests of this process queue up; one thread at a time (the
        combiner) writes everything queued in ONE transaction (one commit, one fsync on SQLite,
        no wait on another thread's row lock on PostgreSQL) and hands each request its answer.
        A request that arrives meanwhile goes into the next transaction."""
        with self._cond:
            self._pending.append(req)
            while not req.done and self._combining:
                self._cond.wait()
            if req.done:
                return req.answer()
            self._combining = True
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        try:
            self._write_batch(batch)
        finally:
            with self._cond:
                for r in batch:
                    r.done = True
                self._combining = False
                self._cond.notify_all()
        return req.answer()

    def _write_batch(self, batch: Sequence[_BookRequest]) -> None:
        try:
            with self.store.transaction() as tx:
                bk = self.bstore.bookings(tx)
                # what the batch's people already hold, in one query (kept up to date below)
                held = bk.people_holdings([(r.key, r.day) for r in batch
                                           if not self._seen_full((r.service.code, r.day, r.slot_utc))])
                outcomes = [self._book_in(tx, bk, r, held) for r in batch]
        except (B.AlreadyBooked, CodeTaken, StoreConflict) as e:
            # a race with another process (the person index, a deadlock) or a code drawn twice:
            # nothing of the batch was written; each request again in its own transaction
            if len(batch) > 1:
                for r in batch:
                    self._write_batch([r])
                return
            r = batch[0]
            if isinstance(e, CodeTaken) and r.tries < 3:
                r.tries += 1
                self._write_batch(batch)
                return
            r.error = B.AlreadyBooked(r.service.name, r.day) if isinstance(e, B.AlreadyBooked) else e
            return
        except BaseException as e:  # the database is away: every request of the batch is told
            for r in batch:
                r.error = e
            return
        for r, out in zip(batch, outcomes):
            if isinstance(out, BookingView):
                r.result = out
            else:
                r.error = out

    def _book_in(self, tx: QueueTx, bk: Bookings, r: _BookRequest,
                 holdings: _Holdings) -> BookingView | B.BookingError:
        """One booking inside the batch's transaction. A refusal is returned (not raised) and
        writes nothing, so the other requests of the batch go on."""
        hint = (r.service.code, r.day, r.slot_utc)
        if self._seen_full(hint):  # filled by an earlier request of this batch
            return B.SlotFull(r.slot_start)
        held = holdings.setdefault((r.key, r.day), [])
        if r.service.code in held:
            return B.AlreadyBooked(r.service.name, r.day)
        if len(held) >= self.policy.max_per_person_per_day:
            return B.TooManyBookings(self.policy.max_per_person_per_day, r.day)
        taken = bk.take_slot(r.service.code, r.day, r.slot_utc, r.slot.capacity)
        if not taken:
            self._mark_full(hint)
            return B.SlotFull(r.slot_start)
        if taken >= r.slot.capacity:  # the last seat: the next requests are told "penuh" from memory
            self._mark_full(hint)
        b = bk.add_booking(Booking(  # raises AlreadyBooked / CodeTaken: the batch is redone
            id=None, code=B.make_code(), service_code=r.service.code, day=r.day, slot_at=r.slot_utc,
            slot_minutes=self.policy.slot_minutes, person_key=r.key, contact_kind=r.identity.kind,
            contact_hint=r.identity.hint, status=BookingStatus.ACTIVE, created_at=r.now,
        ))
        held.append(r.service.code)
        # the event log is read by displays: no code, no person key
        self._event(tx, "booked", r.now, booking_id=b.id, service=r.service.code, day=r.day, slot=r.slot_utc)
        return self._view(tx, b)

    def cancel(self, code_text: str, officer: str | None = None) -> BookingView:
        """Cancel an active booking (its seat is free again). ``officer`` None: the citizen with
        the code (the web page or API); else the staff member who cancelled it."""
        code = B.parse_code(code_text)
        if code is None:
            raise B.BookingNotFound()
        now = self.clock.now()
        with self.store.transaction() as tx:
            bk = self.bstore.bookings(tx)
            b = bk.find_booking(code)
            if b is None:
                raise B.BookingNotFound()
            if b.status != BookingStatus.ACTIVE:
                raise B.BookingNotActive(b.status, self._ticket_number(tx, b))
            # lock order as in book(): the seat row first, then the booking row (rolled back if
            # the booking changed meanwhile)
            bk.give_back_slot(b.service_code, b.day, b.slot_at)
            if not bk.mark_booking(b.id or 0, BookingStatus.ACTIVE, BookingStatus.CANCELLED, now,
                                   officer=officer or "warga"):
                fresh = bk.get_booking(b.id or 0)
                raise B.BookingNotActive(fresh.status if fresh else BookingStatus.CANCELLED)
            with self._lock:
                self._full.pop((b.service_code, b.day, b.slot_at.astimezone(timezone.utc)), None)
            self._event(tx, "booking_cancelled", now, officer=officer, booking_id=b.id, service=b.service_code,
                        day=b.day, slot=b.slot_at)
            fresh = bk.get_booking(b.id or 0)
            return self._view(tx, fresh or b)

    # ------------------------------------------------------------------ check-in
    def check_in(self, code_text: str, source: str = "kiosk", officer: str | None = None) -> CheckIn:
        """Check in with a booking code at the kiosk: issues the ticket with the slot start as its
        arrival time (so it goes ahead of walk-ins who came after the slot start). ``source`` keys
        the rate limit on wrong codes (the kiosk's station code, or an IP)."""
        now = self.clock.now()
        with self._lock:
            wait = self._code_limiter.retry_after(source, now)
        if wait:
            raise B.TooManyAttempts(wait)
        code = B.parse_code(code_text)
        try:
            if code is None:
                raise B.BookingNotFound()
            return self._check_in(code, now, officer)
        except B.BookingNotFound:
            with self._lock:
                self._code_limiter.hit(source, now)
            raise

    def _check_in(self, code: str, now: datetime, officer: str | None) -> CheckIn:
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            bk = self.bstore.bookings(tx)
            b = bk.find_booking(code)
            if b is None:
                raise B.BookingNotFound()
            if b.status != BookingStatus.ACTIVE:
                raise B.BookingNotActive(b.status, self._ticket_number(tx, b))
            slot_start = b.slot_at.astimezone(self.hall.tz)
            verdict = B.checkin_verdict(slot_start, now, self.policy)
            opens, closes = B.checkin_window(slot_start, self.policy)
            if verdict == B.CheckInVerdict.EARLY:
                raise B.CheckInTooEarly(opens, slot_start, day)
            if verdict == B.CheckInVerdict.LATE:
                raise B.CheckInTooLate(closes, slot_start, b.service_code)
            service = self._service(b.service_code)
            agency = self.hall.agency(service.agency_code)
            # the walk-in quota (svc: count) is not touched: the online quota is separate
            seq = tx.next_number(day, agency.prefix)
            arrival = b.slot_at.astimezone(timezone.utc)
            # ahead: the priority line, and everyone waiting who arrived by the slot start
            ahead = tx.waiting_count(day, service.code, True) + tx.count_waiting_before(day, service.code, False, arrival)
            token = make_token(day, agency.prefix, seq)
            ticket = tx.add_waiting(Ticket(
                id=None, service_day=day, prefix=agency.prefix, seq=seq,
                number=self.hall.format_number(agency.prefix, seq), service_code=service.code,
                agency_code=agency.code, priority=None, status=Status.WAITING, issued_at=now,
                arrival_at=arrival, token=token,
            ))
            if not bk.mark_booking(b.id or 0, BookingStatus.ACTIVE, BookingStatus.CHECKED_IN, now,
                                   ticket_id=ticket.id):
                fresh = bk.get_booking(b.id or 0)
                raise B.BookingNotActive(fresh.status if fresh else BookingStatus.CANCELLED)
            eta = estimate_wait_minutes(ahead, self._avg_minutes(tx, day, service),
                                        self._open_counters(tx, service.code))
            self._event(tx, "issued", now, ticket, officer=officer, ahead=ahead, eta_minutes=eta, priority=None,
                        prefix=agency.prefix, seq=seq, booked=True, booking_id=b.id, slot=b.slot_at)
            fresh = bk.get_booking(b.id or 0)
            view = self._view(tx, fresh or b)
        return CheckIn(view, IssuedTicket(ticket=ticket, ahead=ahead, eta_minutes=eta,
                                          qr_text=qr_text(token, self.hall.public_url)))

    # ------------------------------------------------------------------ release
    def release_unused(self) -> int:
        """Release the active bookings whose check-in window has closed; returns how many this
        call released. Idempotent and safe to run from several processes at once (the web
        server's periodic job, `mpp booking release`, a list or a lookup): each booking is
        released by one compare-and-set, so it is counted once. A read first: nothing due, no
        write lock taken."""
        now = self.clock.now()
        cutoff = now - timedelta(minutes=self.policy.checkin_after)
        with self.store.read() as rtx:
            if not self.bstore.bookings(rtx).active_started_by(cutoff):
                return 0
        with self.store.transaction() as tx:
            bk = self.bstore.bookings(tx)
            released = [b for b in bk.active_started_by(cutoff)
                        if bk.mark_booking(b.id or 0, BookingStatus.ACTIVE, BookingStatus.RELEASED, now)]
            if released:
                self._event(tx, "bookings_released", now, count=len(released),
                            booking_ids=[b.id for b in released])
        return len(released)

    # ------------------------------------------------------------------ helpers
    def _day_slots(self, service: Service, day: date) -> tuple[B.Slot, ...]:
        """The slots of a service on a day (the hall and the policy do not change while the
        process runs, so they are worked out once per service and day)."""
        key = (service.code, day)
        slots = self._slots_cache.get(key)
        if slots is None:
            if len(self._slots_cache) > 4096:
                self._slots_cache.clear()
            slots = self._slots_cache[key] = tuple(B.slots_on(service, day, self.policy))
        return slots

    def _find_slot(self, service: Service, day: date, start: time) -> B.Slot | None:
        for s in self._day_slots(service, day):
            if s.start == start:
                return s
        return None

    def _lapsed(self, b: Booking, now: datetime | None = None) -> bool:
        """Active, but its check-in window has closed (release candidate)."""
        closes = b.slot_at + timedelta(minutes=self.policy.checkin_after)
        return b.status == BookingStatus.ACTIVE and (now or self.clock.now()) >= closes

    def _check_day(self, service: Service, day: date, local_now: datetime) -> None:
        days = B.bookable_days(local_now, self.policy)
        if day not in days:
            raise B.DateOutsideWindow(day, days[0], days[-1])
        if not self._day_slots(service, day):
            raise B.DayClosed(service.name, day)

    def _seen_full(self, key: tuple[str, date, datetime]) -> bool:
        with self._lock:
            seen = self._full.get(key)
            if seen is None:
                return False
            if _time.monotonic() - seen < self.policy.full_hint_seconds:
                return True
            del self._full[key]
            return False

    def _mark_full(self, key: tuple[str, date, datetime]) -> None:
        if self.policy.full_hint_seconds > 0:
            with self._lock:
                self._full[key] = _time.monotonic()

    def _hall_secret(self) -> bytes:
        """The hall's HMAC secret: kept in the database (meta), created on first use."""
        with self._lock:
            if self._secret is not None:
                return self._secret
        with self.store.transaction() as tx:
            secret = self.bstore.bookings(tx).booking_secret(B.new_secret())
        with self._lock:
            self._secret = secret.encode()
            return self._secret

    def _ticket_number(self, tx: QueueTx, b: Booking) -> str | None:
        t = tx.get_ticket(b.ticket_id) if b.ticket_id else None
        return t.number if t else None

    def _view(self, tx: QueueTx, b: Booking) -> BookingView:
        service = self.hall.find_service(b.service_code)
        agency = self.hall.find_agency(service.agency_code) if service else None
        start = b.slot_at.astimezone(self.hall.tz)
        opens, closes = B.checkin_window(start, self.policy)
        return BookingView(
            code=b.code, code_display=B.format_code(b.code), qr_text=B.booking_qr_text(b.code, self.hall.public_url),
            service_code=b.service_code, service_name=service.name if service else b.service_code,
            agency_code=agency.code if agency else "", agency_name=agency.name if agency else "",
            day=b.day, slot_start=start, slot_end=start + timedelta(minutes=b.slot_minutes),
            checkin_opens=opens, checkin_closes=closes, status=b.status, contact_hint=b.contact_hint,
            created_at=b.created_at, ticket_id=b.ticket_id, ticket_number=self._ticket_number(tx, b),
            cancelled_by=b.cancelled_by,
        )
