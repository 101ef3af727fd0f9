"""Initial schema: tickets, counters, daily counts, events, meta, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from antrian.storage.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("service_day", sa.Date, nullable=False),
        sa.Column("prefix", sa.String(1), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("service_code", sa.String(40), nullable=False),
        sa.Column("agency_code", sa.String(40), nullable=False),
        sa.Column("priority", sa.String(20)),
        sa.Column("prio", sa.SmallInteger, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("arrival_at", UTCDateTime, nullable=False),
        sa.Column("token", sa.String(40), nullable=False),
        sa.Column("counter_code", sa.String(8)),
        sa.Column("officer", sa.String(40)),
        sa.Column("target_counter", sa.String(8)),
        sa.Column("called_at", UTCDateTime),
        sa.Column("started_at", UTCDateTime),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("recall_count", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("transferred_from", sa.Integer, sa.ForeignKey("tickets.id")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ux_tickets_number", "tickets", ["service_day", "prefix", "seq"], unique=True,
        sqlite_where=sa.text("transferred_from IS NULL"),
        postgresql_where=sa.text("transferred_from IS NULL"),
    )
    op.create_index("ix_tickets_waiting", "tickets", ["status", "service_code", "prio", "arrival_at", "id"])
    op.create_index("ix_tickets_day_status", "tickets", ["service_day", "status"])
    op.create_index("ix_tickets_token", "tickets", ["token"])
    op.create_table(
        "counters",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("status", sa.String(10), nullable=False, server_default=sa.text("'closed'")),
        sa.Column("officer", sa.String(40)),
        sa.Column("current_ticket_id", sa.Integer, sa.ForeignKey("tickets.id")),
        sa.Column("priority_streak", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("pause_reason", sa.String(120)),
        sa.Column("updated_at", UTCDateTime),
    )
    op.create_table(
        "daily_counts",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("ticket_id", sa.Integer),
        sa.Column("number", sa.String(16)),
        sa.Column("counter_code", sa.String(8)),
        sa.Column("officer", sa.String(40)),
        sa.Column("service_code", sa.String(40)),
        sa.Column("payload", sa.Text, nullable=False, server_default=sa.text("'{}'")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_at", "events", ["at"])
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.bulk_insert(meta, [{"key": "service_day", "value": ""}])
    op.create_table(
        "users",
        sa.Column("username", sa.String(40), primary_key=True),
        sa.Column("full_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("pin_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("locked_until", UTCDateTime),
    )


def downgrade() -> None:
    for name in ("users", "meta", "events", "daily_counts", "counters", "tickets"):
        op.drop_table(name)
