"""Ports of the booking use cases: what they need from a store besides the queue's own ports.

``BookingStore.bookings(tx)`` gives the booking side of a queue transaction, so a check-in
writes the booking and the new ticket in one transaction. The slot counter is a row per
(service, day, slot) incremented with a conditional upsert (``WHERE taken < capacity``) checked
by row count, so a slot is never sold twice, whatever the interleaving.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from antrian.domain.booking import BookingStatus
from antrian.services.ports import Clock, QueueTx


class CodeTaken(Exception):
    """``add_booking``: another booking already has this code (drawn twice, ~1e-12); the
    transaction is rolled back and the booking made again with a new code."""


@dataclass(frozen=True)
class Booking:
    id: int | None
    code: str
    service_code: str
    day: date
    slot_at: datetime  # the slot's start (aware)
    slot_minutes: int
    person_key: str  # HMAC of the NIK or phone; never the NIK itself
    contact_kind: str  # "nik" or "phone"
    contact_hint: str  # "NIK" or a masked phone number
    status: BookingStatus
    created_at: datetime
    ticket_id: int | None = None
    checked_in_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    released_at: datetime | None = None

    def evolve(self, **changes: Any) -> Booking:
        return replace(self, **changes)


class Bookings(Protocol):
    def booking_secret(self, candidate: str) -> str:
        """The hall's secret for person keys; stores ``candidate`` first if there is none."""
        ...

    def take_slot(self, service_code: str, day: date, slot_at: datetime, capacity: int) -> int:
        """One more seat of a slot if fewer than ``capacity`` are taken: the seats taken now,
        this one included (so the caller knows when it took the last one); 0 if full."""
        ...

    def give_back_slot(self, service_code: str, day: date, slot_at: datetime) -> None: ...

    def slots_taken(self, service_code: str, day: date) -> dict[datetime, int]:
        """Seats taken per slot start (slots with none are left out)."""
        ...

    def people_holdings(self, people: Sequence[tuple[str, date]]) -> dict[tuple[str, date], list[str]]:
        """For each (person key, day): the service codes of the person's active or checked-in
        bookings that day (serves both the one-per-service rule and the per-day limit). One
        query for a whole batch of bookings; people without any are left out."""
        ...

    def add_booking(self, booking: Booking) -> Booking:
        """Store a new booking; returns it with its id. Raises AlreadyBooked when the person
        already holds one of the service that day (the unique index, a race with another
        process) and CodeTaken when the code is taken; either leaves the transaction to be rolled
        back (no savepoint: a statement fewer per booking)."""
        ...

    def get_booking(self, booking_id: int) -> Booking | None: ...
    def find_booking(self, code: str) -> Booking | None: ...

    def list_bookings(self, day: date | None = None, service_code: str | None = None,
                      status: BookingStatus | None = None) -> list[Booking]:
        """Ordered by slot, then id."""
        ...

    def mark_booking(self, booking_id: int, read_status: BookingStatus, status: BookingStatus,
                     at: datetime, ticket_id: int | None = None, officer: str | None = None) -> bool:
        """Compare-and-set: the booking had ``read_status`` and now has ``status``; False if it
        no longer had ``read_status``."""
        ...

    def active_started_by(self, cutoff: datetime) -> list[Booking]:
        """Active bookings whose slot started at or before ``cutoff`` (release candidates)."""
        ...

    def booked_tickets(self, day: date) -> dict[int, str]:
        """Ticket id -> booking code of the tickets issued at check-in on ``day`` (for the counter
        and monitor to show a ticket as booked)."""
        ...


class BookingStore(Protocol):
    def transaction(self) -> AbstractContextManager[QueueTx]: ...
    def read(self) -> AbstractContextManager[QueueTx]: ...
    def bookings(self, tx: QueueTx) -> Bookings:
        """The booking side of a transaction opened by this store."""
        ...

    def describe(self) -> str: ...
    def default_clock(self) -> Clock: ...
