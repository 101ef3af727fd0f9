"""The booking tables (SQLAlchemy Core), on the same ``metadata`` as antrian.storage.tables; built
by the migration 0004_booking.

- ``bookings``: one row per booking. No NIK, no phone number: ``person_key`` is an HMAC of the
  normalised NIK or phone (the hall secret is in ``meta``), ``contact_hint`` a masked phone or
  "NIK". A partial unique index keeps one holding booking (active or checked in) per person,
  service and day, even under a race.
- ``booking_slots``: seats taken per (service, day, slot start); incremented with
  ``UPDATE ... WHERE taken < :capacity`` checked by row count.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, text

from antrian.storage.tables import UTCDateTime, metadata

HOLDING = "status IN ('active', 'checked_in')"

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("service_code", String(40), nullable=False),
    Column("day", Date, nullable=False),
    Column("slot_at", UTCDateTime, nullable=False),
    Column("slot_minutes", Integer, nullable=False),
    Column("person_key", String(64), nullable=False),
    Column("contact_kind", String(8), nullable=False),
    Column("contact_hint", String(20), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ticket_id", Integer, ForeignKey("tickets.id")),
    Column("checked_in_at", UTCDateTime),
    Column("cancelled_at", UTCDateTime),
    Column("cancelled_by", String(40)),
    Column("released_at", UTCDateTime),
    sqlite_autoincrement=True,
)
Index("ux_bookings_person", bookings.c.person_key, bookings.c.service_code, bookings.c.day, unique=True,
      sqlite_where=text(HOLDING), postgresql_where=text(HOLDING))
Index("ix_bookings_day_slot", bookings.c.day, bookings.c.service_code, bookings.c.slot_at)
Index("ix_bookings_status_slot", bookings.c.status, bookings.c.slot_at)

booking_slots = Table(
    "booking_slots",
    metadata,
    Column("service_code", String(40), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("slot_at", UTCDateTime, primary_key=True),
    Column("taken", Integer, nullable=False, server_default=text("0")),
)
