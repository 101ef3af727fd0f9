"""The database schema (SQLAlchemy Core). The schema itself is created only by the Alembic
migrations in kiosk/storage/migrations; this module describes it for queries."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite raw text in some aggregate queries
            value = datetime.fromisoformat(value)
        result: datetime = value.replace(tzinfo=timezone.utc)
        return result


tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_day", Date, nullable=False),
    Column("prefix", String(1), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(16), nullable=False),
    Column("service_code", String(40), nullable=False),
    Column("agency_code", String(40), nullable=False),
    Column("priority", String(20)),
    Column("prio", SmallInteger, nullable=False),  # 1 = priority class; indexed for call-next
    Column("status", String(12), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("arrival_at", UTCDateTime, nullable=False),
    Column("token", String(40), nullable=False),
    Column("counter_code", String(8)),
    Column("officer", String(40)),
    Column("target_counter", String(8)),
    Column("called_at", UTCDateTime),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("recall_count", Integer, nullable=False, server_default=text("0")),
    Column("transferred_from", Integer, ForeignKey("tickets.id")),
    sqlite_autoincrement=True,
)
Index(
    "ux_tickets_number",
    tickets.c.service_day,
    tickets.c.prefix,
    tickets.c.seq,
    unique=True,
    sqlite_where=tickets.c.transferred_from.is_(None),
    postgresql_where=tickets.c.transferred_from.is_(None),
)
Index("ix_tickets_waiting", tickets.c.status, tickets.c.service_code, tickets.c.prio, tickets.c.arrival_at, tickets.c.id)
# The day's waiting line of each service in call-next order (it replaced ix_tickets_day_status,
# its first two columns; target_counter last: the untargeted filter is read from the index).
Index("ix_tickets_day_line", tickets.c.service_day, tickets.c.status, tickets.c.service_code, tickets.c.prio,
      tickets.c.arrival_at, tickets.c.id, tickets.c.target_counter)
# Tickets sent to one counter (few: partial), and a counter's parked tickets (few: partial).
Index("ix_tickets_targeted", tickets.c.target_counter, tickets.c.service_day, tickets.c.status, tickets.c.prio,
      tickets.c.arrival_at, tickets.c.id,
      sqlite_where=tickets.c.target_counter.isnot(None), postgresql_where=tickets.c.target_counter.isnot(None))
Index("ix_tickets_parked", tickets.c.counter_code, tickets.c.service_day,
      sqlite_where=text("status = 'parked'"), postgresql_where=text("status = 'parked'"))
Index("ix_tickets_token", tickets.c.token)

counters = Table(
    "counters",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("status", String(10), nullable=False, server_default=text("'closed'")),
    Column("officer", String(40)),
    Column("current_ticket_id", Integer, ForeignKey("tickets.id")),
    Column("priority_streak", Integer, nullable=False, server_default=text("0")),
    Column("pause_reason", String(120)),
    Column("updated_at", UTCDateTime),
)

daily_counts = Table(
    "daily_counts",
    metadata,
    Column("day", Date, primary_key=True),
    Column("key", String(60), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Event ids in commit order (antrian.storage.sql_tx): SQLite's rowid (writers are serialised),
# PostgreSQL's serial taken under the event lock at commit; ``xid`` records the writing transaction.
events = Table(
    "events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("type", String(24), nullable=False),
    Column("ticket_id", Integer),
    Column("number", String(16)),
    Column("counter_code", String(8)),
    Column("officer", String(40)),
    Column("service_code", String(40)),
    Column("payload", Text, nullable=False, server_default=text("'{}'")),
    Column("xid", BigInteger),  # PostgreSQL: pg_current_xact_id() of the writer; NULL on SQLite
    sqlite_autoincrement=True,
)
Index("ix_events_at", events.c.at)

meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("username", String(40), primary_key=True),
    Column("full_name", String(120), nullable=False),
    Column("role", String(12), nullable=False),
    Column("pin_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("failed_attempts", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", UTCDateTime),
)
