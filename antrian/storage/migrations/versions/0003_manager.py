"""The hall manager: survey responses (SKM), the alert log, device heartbeats.

Revision ID: 0003_manager
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from antrian.storage.tables import UTCDateTime

revision = "0003_manager"
down_revision = "0004_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False, unique=True),
        sa.Column("service_day", sa.Date, nullable=False),
        sa.Column("agency_code", sa.String(40), nullable=False),
        sa.Column("service_code", sa.String(40), nullable=False),
        sa.Column("counter_code", sa.String(8)),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        *(sa.Column(f"u{i}", sa.SmallInteger, nullable=False) for i in range(1, 10)),
        sa.Column("age_band", sa.String(8)),
        sa.Column("sex", sa.String(1)),
        sa.Column("education", sa.String(8)),
        sa.Column("occupation", sa.String(20)),
        sa.Column("comment", sa.Text),
        sa.CheckConstraint(" AND ".join(f"u{i} BETWEEN 1 AND 4" for i in range(1, 10)), name="ck_survey_scale"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_survey_day", "survey_responses", ["service_day", "agency_code", "service_code"])
    op.create_table(
        "alert_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("message", sa.String(300), nullable=False),
        sa.Column("raised_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("acknowledged_at", UTCDateTime),
        sa.Column("acknowledged_by", sa.String(40)),
        sa.Column("resolved_at", UTCDateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("ux_alert_open", "alert_log", ["key"], unique=True,
                    sqlite_where=sa.text("resolved_at IS NULL"), postgresql_where=sa.text("resolved_at IS NULL"))
    op.create_index("ix_alert_raised", "alert_log", ["raised_at"])
    op.create_table(
        "heartbeats",
        sa.Column("kind", sa.String(12), primary_key=True),
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("version", sa.String(40), nullable=False, server_default=sa.text("''")),
        sa.Column("last_event_id", sa.Integer),
        sa.Column("printer_state", sa.String(20)),
        sa.Column("detail", sa.String(200)),
        sa.Column("written_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for name in ("heartbeats", "alert_log", "survey_responses"):
        op.drop_table(name)
