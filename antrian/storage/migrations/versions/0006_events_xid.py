"""events.xid: the writing transaction of each event (PostgreSQL; diagnostics), and BIGINT event
ids on PostgreSQL (``events.id`` and the heartbeats' ``last_event_id``) so the feed's ids never
outgrow their column. Ids stay in commit order (antrian.storage.sql_tx). SQLite keeps its rowid
ids; ``xid`` stays NULL there.

Revision ID: 0006_events_xid
Revises: 0005_reads
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_events_xid"
down_revision = "0005_reads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("xid", sa.BigInteger))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("events", "id", type_=sa.BigInteger, existing_nullable=False)
        op.alter_column("heartbeats", "last_event_id", type_=sa.BigInteger, existing_nullable=True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # the old code numbers events from the serial again: continue after the largest id
        # (ids past 32 bits cannot go back to INTEGER; such a database cannot be downgraded)
        op.execute("SELECT setval(pg_get_serial_sequence('events', 'id'), "
                   "GREATEST((SELECT max(id) FROM events), 1))")
        op.alter_column("heartbeats", "last_event_id", type_=sa.Integer, existing_nullable=True)
        op.alter_column("events", "id", type_=sa.Integer, existing_nullable=False)
    with op.batch_alter_table("events") as batch:
        batch.drop_column("xid")
