"""Alembic environment: the connection is handed in by antrian.storage.migrate (no URL in files)."""

from alembic import context

from antrian.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via antrian.storage.migrate
    raise RuntimeError("run migrations through `mpp db upgrade`")

sqlite = connection.dialect.name == "sqlite"
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=sqlite,
    # SQLite: every migration in the one transaction that antrian.storage.db.upgrade holds from its
    # first statement (BEGIN IMMEDIATE) to its commit. Alembic's default for SQLite commits after
    # each migration, so a second station starting on the same new file took the lock in between,
    # ran the next migration, and the first one then ran it again ("duplicate column name").
    transactional_ddl=True if sqlite else None,
)
with context.begin_transaction():
    context.run_migrations()
