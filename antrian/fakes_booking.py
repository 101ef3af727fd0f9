"""The booking ports in memory: ``FakeBookingStore`` is the FakeStore (antrian.fakes) whose
transactions also carry the bookings and the seat counts, copied and replaced with the rest of
the state (an exception rolls both back)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from antrian.domain.booking import HOLDING_STATUSES, AlreadyBooked, BookingStatus
from antrian.fakes import FakeStore, FakeTx, _State
from antrian.services.booking_ports import Booking, CodeTaken
from antrian.services.ports import QueueTx

if TYPE_CHECKING:
    from antrian.services.booking_ports import Bookings, BookingStore


@dataclass
class _BookingState:
    secret: str | None = None
    bookings: dict[int, Booking] = field(default_factory=dict)
    taken: dict[tuple[str, date, datetime], int] = field(default_factory=dict)
    next_id: int = 1

    def copy(self) -> _BookingState:
        return _BookingState(self.secret, dict(self.bookings), dict(self.taken), self.next_id)


class FakeBookingTx(FakeTx):
    def __init__(self, state: _State, booking_state: _BookingState):
        super().__init__(state)
        self.b = booking_state

    def booking_secret(self, candidate: str) -> str:
        if self.b.secret is None:
            self.b.secret = candidate
        return self.b.secret

    def take_slot(self, service_code: str, day: date, slot_at: datetime, capacity: int) -> int:
        key = (service_code, day, slot_at)
        if self.b.taken.get(key, 0) >= capacity:
            return 0
        self.b.taken[key] = self.b.taken.get(key, 0) + 1
        return self.b.taken[key]

    def give_back_slot(self, service_code: str, day: date, slot_at: datetime) -> None:
        key = (service_code, day, slot_at)
        if self.b.taken.get(key, 0) > 0:
            self.b.taken[key] -= 1

    def slots_taken(self, service_code: str, day: date) -> dict[datetime, int]:
        return {k[2]: v for k, v in self.b.taken.items() if k[0] == service_code and k[1] == day and v > 0}

    def _holding(self, person_key: str, service_code: str, day: date) -> bool:
        return any((b.person_key, b.service_code, b.day) == (person_key, service_code, day)
                   and b.status in HOLDING_STATUSES for b in self.b.bookings.values())

    def people_holdings(self, people: Sequence[tuple[str, date]]) -> dict[tuple[str, date], list[str]]:
        wanted = set(people)
        out: dict[tuple[str, date], list[str]] = {}
        for b in self.b.bookings.values():
            if (b.person_key, b.day) in wanted and b.status in HOLDING_STATUSES:
                out.setdefault((b.person_key, b.day), []).append(b.service_code)
        return out

    def add_booking(self, booking: Booking) -> Booking:
        if self._holding(booking.person_key, booking.service_code, booking.day):
            raise AlreadyBooked(booking.service_code, booking.day)
        if self.find_booking(booking.code) is not None:
            raise CodeTaken(booking.code)
        b = booking.evolve(id=self.b.next_id)
        self.b.next_id += 1
        self.b.bookings[b.id or 0] = b
        return b

    def get_booking(self, booking_id: int) -> Booking | None:
        return self.b.bookings.get(booking_id)

    def find_booking(self, code: str) -> Booking | None:
        return next((b for b in self.b.bookings.values() if b.code == code), None)

    def list_bookings(self, day: date | None = None, service_code: str | None = None,
                      status: BookingStatus | None = None) -> list[Booking]:
        rows = [b for b in self.b.bookings.values()
                if (day is None or b.day == day) and (service_code is None or b.service_code == service_code)
                and (status is None or b.status == status)]
        return sorted(rows, key=lambda b: (b.slot_at, b.id or 0))

    def mark_booking(self, booking_id: int, read_status: BookingStatus, status: BookingStatus,
                     at: datetime, ticket_id: int | None = None, officer: str | None = None) -> bool:
        b = self.b.bookings.get(booking_id)
        if b is None or b.status != read_status:
            return False
        if status == BookingStatus.CHECKED_IN:
            b = b.evolve(status=status, checked_in_at=at, ticket_id=ticket_id)
        elif status == BookingStatus.CANCELLED:
            b = b.evolve(status=status, cancelled_at=at, cancelled_by=officer)
        elif status == BookingStatus.RELEASED:
            b = b.evolve(status=status, released_at=at)
        else:
            b = b.evolve(status=status)
        self.b.bookings[booking_id] = b
        return True

    def active_started_by(self, cutoff: datetime) -> list[Booking]:
        rows = [b for b in self.b.bookings.values() if b.status == BookingStatus.ACTIVE and b.slot_at <= cutoff]
        return sorted(rows, key=lambda b: (b.slot_at, b.id or 0))

    def booked_tickets(self, day: date) -> dict[int, str]:
        return {b.ticket_id: b.code for b in self.b.bookings.values() if b.day == day and b.ticket_id is not None}


class FakeBookingStore(FakeStore):
    def __init__(self) -> None:
        super().__init__()
        self._bstate = _BookingState()

    @contextmanager
    def transaction(self) -> Iterator[FakeBookingTx]:
        with self._lock:
            tx = FakeBookingTx(self._state.copy(), self._bstate.copy())
            yield tx
            self._state = tx.s
            self._bstate = tx.b

    @contextmanager
    def read(self) -> Iterator[FakeBookingTx]:
        with self._lock:
            tx = FakeBookingTx(self._state.copy(), self._bstate.copy())
        yield tx

    def bookings(self, tx: QueueTx) -> FakeBookingTx:
        if not isinstance(tx, FakeBookingTx):
            raise TypeError("FakeBookingStore.bookings() needs a transaction of this store")
        return tx


if TYPE_CHECKING:

    def _implements_the_ports(tx: FakeBookingTx, store: FakeBookingStore) -> tuple[Bookings, BookingStore]:
        return tx, store
