"""Flat reads: the day's waiting line of each service in call-next order, the tickets sent to one
counter, a counter's parked tickets (antrian.storage.read_sql). The line index replaces
ix_tickets_day_status (its first two columns), so a write updates no more indexes than before
plus the two small partial ones.

Revision ID: 0005_reads
Revises: 0003_manager
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_reads"
down_revision = "0003_manager"
branch_labels = None
depends_on = None

TARGETED = "target_counter IS NOT NULL"
PARKED = "status = 'parked'"


def upgrade() -> None:
    op.create_index("ix_tickets_day_line", "tickets",
                    ["service_day", "status", "service_code", "prio", "arrival_at", "id", "target_counter"])
    op.drop_index("ix_tickets_day_status", table_name="tickets")
    op.create_index("ix_tickets_targeted", "tickets",
                    ["target_counter", "service_day", "status", "prio", "arrival_at", "id"],
                    sqlite_where=sa.text(TARGETED), postgresql_where=sa.text(TARGETED))
    op.create_index("ix_tickets_parked", "tickets", ["counter_code", "service_day"],
                    sqlite_where=sa.text(PARKED), postgresql_where=sa.text(PARKED))


def downgrade() -> None:
    op.drop_index("ix_tickets_parked", table_name="tickets")
    op.drop_index("ix_tickets_targeted", table_name="tickets")
    op.create_index("ix_tickets_day_status", "tickets", ["service_day", "status"])
    op.drop_index("ix_tickets_day_line", table_name="tickets")
