"""The booking ports over SQL (SQLite and PostgreSQL): ``SqlBookings`` works on the connection of
an open ``SqlTx``, so a check-in writes the booking and its ticket in one transaction;
``SqlBookingStore`` is the SqlStore that also hands it out.

No slot sold twice: one statement, ``INSERT INTO booking_slots (..., taken) VALUES (..., 1) ON
CONFLICT DO UPDATE SET taken = taken + 1 WHERE taken < :capacity RETURNING taken``: a row back
means the seat was had. On PostgreSQL a concurrent upsert waits for the row lock and re-reads
``taken`` after the other commits; on SQLite writers are serialised by BEGIN IMMEDIATE. One
holding booking per person, service and day is also a partial unique index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from antrian.domain.booking import HOLDING_STATUSES, AlreadyBooked, BookingStatus
from antrian.services.booking_ports import Booking, CodeTaken
from antrian.services.ports import QueueTx
from antrian.storage import tables as T
from antrian.storage.db import SqlStore
from antrian.storage.sql_tx import SqlTx
from antrian.storage.tables_booking import booking_slots, bookings

if TYPE_CHECKING:
    from antrian.services.booking_ports import Bookings, BookingStore

SECRET_KEY = "booking_secret"
_HOLDING = [s.value for s in HOLDING_STATUSES]


def _booking(row: Row[Any]) -> Booking:
    m = row._mapping
    return Booking(
        id=m["id"], code=m["code"], service_code=m["service_code"], day=m["day"], slot_at=m["slot_at"],
        slot_minutes=m["slot_minutes"], person_key=m["person_key"], contact_kind=m["contact_kind"],
        contact_hint=m["contact_hint"], status=BookingStatus(m["status"]), created_at=m["created_at"],
        ticket_id=m["ticket_id"], checked_in_at=m["checked_in_at"], cancelled_at=m["cancelled_at"],
        cancelled_by=m["cancelled_by"], released_at=m["released_at"],
    )


# The statements of a booking, built once (a booking at 16:00 should not pay for building and
# keying them again): bound parameters only, no expanding IN.
_HOLDINGS = select(bookings.c.service_code).where(
    bookings.c.person_key == bindparam("person_key"), bookings.c.day == bindparam("day"),
    or_(*(bookings.c.status == s for s in _HOLDING)),
)
_ADD_BOOKING = insert(bookings).values({c: bindparam(c) for c in (
    "code", "service_code", "day", "slot_at", "slot_minutes", "person_key", "contact_kind", "contact_hint",
    "status", "created_at", "ticket_id")}).returning(bookings.c.id)
_TAKE_SLOT: dict[bool, Any] = {}


def _take_slot_stmt(pg: bool) -> Any:
    stmt = _TAKE_SLOT.get(pg)
    if stmt is None:
        from sqlalchemy.dialects import postgresql, sqlite

        dialect_insert: Callable[[Any], Any] = postgresql.insert if pg else sqlite.insert
        c = booking_slots.c
        stmt = dialect_insert(booking_slots).values(
            service_code=bindparam("service_code"), day=bindparam("day"), slot_at=bindparam("slot_at"), taken=1,
        ).on_conflict_do_update(
            index_elements=[c.service_code, c.day, c.slot_at], set_={"taken": c.taken + 1},
            where=c.taken < bindparam("capacity"),
        ).returning(c.taken)
        _TAKE_SLOT[pg] = stmt
    return stmt


class SqlBookings:
    def __init__(self, conn: Connection, pg: bool):
        self.conn = conn
        self.pg = pg

    def _insert(self) -> Callable[[Any], Any]:
        if self.pg:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert

    def booking_secret(self, candidate: str) -> str:
        ins = self._insert()
        self.conn.execute(ins(T.meta).values(key=SECRET_KEY, value=candidate)
                          .on_conflict_do_nothing(index_elements=[T.meta.c.key]))
        return str(self.conn.execute(select(T.meta.c.value).where(T.meta.c.key == SECRET_KEY)).scalar_one())

    def take_slot(self, service_code: str, day: date, slot_at: datetime, capacity: int) -> int:
        # one statement: the seat row is created with 1 taken, or incremented while below capacity
        # (ON CONFLICT DO UPDATE ... WHERE: no row changed when full). RETURNING says whether a
        # row was written and the seats now taken (the driver's rowcount is -1 for an upsert on
        # PostgreSQL through psycopg).
        if capacity <= 0:
            return 0
        row = self.conn.execute(_take_slot_stmt(self.pg), {"service_code": service_code, "day": day,
                                                          "slot_at": slot_at, "capacity": capacity}).first()
        return int(row[0]) if row is not None else 0

    def give_back_slot(self, service_code: str, day: date, slot_at: datetime) -> None:
        c = booking_slots.c
        self.conn.execute(
            update(booking_slots)
            .where(c.service_code == service_code, c.day == day, c.slot_at == slot_at, c.taken > 0)
            .values(taken=c.taken - 1)
        )

    def slots_taken(self, service_code: str, day: date) -> dict[datetime, int]:
        c = booking_slots.c
        rows = self.conn.execute(select(c.slot_at, c.taken).where(c.service_code == service_code, c.day == day,
                                                                  c.taken > 0))
        return {r[0]: int(r[1]) for r in rows}

    def people_holdings(self, people: Sequence[tuple[str, date]]) -> dict[tuple[str, date], list[str]]:
        wanted = set(people)
        if not wanted:
            return {}
        if len(wanted) == 1:  # the usual case outside a rush: a prebuilt statement
            key, day = next(iter(wanted))
            rows = self.conn.execute(_HOLDINGS, {"person_key": key, "day": day})
            codes = [str(r[0]) for r in rows]
            return {(key, day): codes} if codes else {}
        c = bookings.c
        rows = self.conn.execute(select(c.person_key, c.day, c.service_code).where(
            c.person_key.in_(sorted({k for k, _ in wanted})), c.day.in_(sorted({d for _, d in wanted})),
            or_(*(c.status == s for s in _HOLDING)),
        ))
        out: dict[tuple[str, date], list[str]] = {}
        for r in rows:
            if (r[0], r[1]) in wanted:
                out.setdefault((r[0], r[1]), []).append(str(r[2]))
        return out

    def add_booking(self, b: Booking) -> Booking:
        try:
            new_id = self.conn.execute(_ADD_BOOKING, {
                "code": b.code, "service_code": b.service_code, "day": b.day, "slot_at": b.slot_at,
                "slot_minutes": b.slot_minutes, "person_key": b.person_key, "contact_kind": b.contact_kind,
                "contact_hint": b.contact_hint, "status": b.status.value, "created_at": b.created_at,
                "ticket_id": b.ticket_id,
            }).scalar_one()
        except IntegrityError as e:
            # the unique person index (the same person booked the same service and day meanwhile,
            # in another process) or the unique code
            if "person" in str(e.orig).lower():
                raise AlreadyBooked(b.service_code, b.day) from None
            raise CodeTaken(b.code) from None
        return b.evolve(id=int(new_id))

    def get_booking(self, booking_id: int) -> Booking | None:
        row = self.conn.execute(select(bookings).where(bookings.c.id == booking_id)).first()
        return _booking(row) if row else None

    def find_booking(self, code: str) -> Booking | None:
        row = self.conn.execute(select(bookings).where(bookings.c.code == code)).first()
        return _booking(row) if row else None

    def list_bookings(self, day: date | None = None, service_code: str | None = None,
                      status: BookingStatus | None = None) -> list[Booking]:
        c = bookings.c
        q = select(bookings)
        if day is not None:
            q = q.where(c.day == day)
        if service_code is not None:
            q = q.where(c.service_code == service_code)
        if status is not None:
            q = q.where(c.status == BookingStatus(status).value)
        return [_booking(r) for r in self.conn.execute(q.order_by(c.slot_at, c.id))]

    def mark_booking(self, booking_id: int, read_status: BookingStatus, status: BookingStatus,
                     at: datetime, ticket_id: int | None = None, officer: str | None = None) -> bool:
        c = bookings.c
        values: dict[str, Any] = {"status": BookingStatus(status).value}
        if status == BookingStatus.CHECKED_IN:
            values.update(checked_in_at=at, ticket_id=ticket_id)
        elif status == BookingStatus.CANCELLED:
            values.update(cancelled_at=at, cancelled_by=officer)
        elif status == BookingStatus.RELEASED:
            values.update(released_at=at)
        n = self.conn.execute(
            update(bookings).where(c.id == booking_id, c.status == BookingStatus(read_status).value).values(**values)
        ).rowcount
        return n == 1

    def active_started_by(self, cutoff: datetime) -> list[Booking]:
        c = bookings.c
        rows = self.conn.execute(select(bookings).where(
            c.status == BookingStatus.ACTIVE.value, c.slot_at <= cutoff
        ).order_by(c.slot_at, c.id))
        return [_booking(r) for r in rows]

    def booked_tickets(self, day: date) -> dict[int, str]:
        c = bookings.c
        rows = self.conn.execute(select(c.ticket_id, c.code).where(c.day == day, c.ticket_id.is_not(None)))
        return {int(r[0]): str(r[1]) for r in rows}


class SqlBookingStore(SqlStore):
    """The SQL store with the booking side."""

    def bookings(self, tx: QueueTx) -> SqlBookings:
        if not isinstance(tx, SqlTx):
            raise TypeError("SqlBookingStore.bookings() needs a transaction of this store")
        return SqlBookings(tx.conn, tx.pg)


if TYPE_CHECKING:  # mypy checks that the adapter implements the ports

    def _implements_the_ports(b: SqlBookings, store: SqlBookingStore) -> tuple[Bookings, BookingStore]:
        return b, store
