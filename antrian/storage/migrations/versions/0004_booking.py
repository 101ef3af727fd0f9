"""Bookings: the bookings and booking_slots tables (antrian.storage.tables_booking).

Revision ID: 0004_booking
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# Also registers the booking tables on the shared metadata (autogenerate, the drift check).
from antrian.storage import tables_booking  # noqa: F401
from antrian.storage.tables import UTCDateTime

revision = "0004_booking"
down_revision = "0002_web"
branch_labels = None
depends_on = None

HOLDING = "status IN ('active', 'checked_in')"


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("service_code", sa.String(40), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("slot_at", UTCDateTime, nullable=False),
        sa.Column("slot_minutes", sa.Integer, nullable=False),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("contact_kind", sa.String(8), nullable=False),
        sa.Column("contact_hint", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id")),
        sa.Column("checked_in_at", UTCDateTime),
        sa.Column("cancelled_at", UTCDateTime),
        sa.Column("cancelled_by", sa.String(40)),
        sa.Column("released_at", UTCDateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("ux_bookings_person", "bookings", ["person_key", "service_code", "day"], unique=True,
                    sqlite_where=sa.text(HOLDING), postgresql_where=sa.text(HOLDING))
    op.create_index("ix_bookings_day_slot", "bookings", ["day", "service_code", "slot_at"])
    op.create_index("ix_bookings_status_slot", "bookings", ["status", "slot_at"])
    op.create_table(
        "booking_slots",
        sa.Column("service_code", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("slot_at", UTCDateTime, primary_key=True),
        sa.Column("taken", sa.Integer, nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    op.drop_table("booking_slots")
    op.drop_index("ix_bookings_status_slot", table_name="bookings")
    op.drop_index("ix_bookings_day_slot", table_name="bookings")
    op.drop_index("ux_bookings_person", table_name="bookings")
    op.drop_table("bookings")
