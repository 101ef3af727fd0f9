"""Tables of the hall web server: API keys (hashed), the API's write audit, "Beri tahu saya"
subscriptions (a phone number kept only for the ticket's service day) and the message outbox.
Created by the Alembic migration 0002_web; described here for queries."""

from __future__ import annotations

from sqlalchemy import Column, Date, Index, Integer, String, Table, Text, UniqueConstraint

from antrian.storage.tables import UTCDateTime, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(60), nullable=False, unique=True),
    Column("key_id", String(16), nullable=False, unique=True),  # public part of the key
    Column("key_hash", String(64), nullable=False),  # sha256 of the secret part (hex)
    Column("scopes", String(60), nullable=False),  # "read" or "read,write"
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
)

api_audit = Table(
    "api_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("key_name", String(60), nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", String(200), nullable=False),
    Column("status", Integer, nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

notify_subscriptions = Table(
    "notify_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("service_day", Date, nullable=False),
    Column("token", String(40), nullable=False),
    Column("phone", String(20), nullable=False),  # personal data: deleted after the service day
    Column("channel", String(12), nullable=False),
    Column("lang", String(2), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("service_day", "token", name="uq_notify_sub_day_token"),
)

notify_outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer),  # no FK: failures stay visible after the number is erased
    Column("service_day", Date, nullable=False),
    Column("number", String(16), nullable=False),  # the ticket number (not personal)
    Column("kind", String(12), nullable=False),  # near | called
    Column("body", Text, nullable=False),
    Column("status", String(10), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("last_error", Text, nullable=False, default=""),
    UniqueConstraint("subscription_id", "kind", name="uq_notify_outbox_sub_kind"),
    Index("ix_notify_outbox_due", "status", "next_at"),
)
