"""Alembic environment: the connection is handed in by antrian.storage.migrate (no URL in files)."""

from alembic import context

from antrian.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via antrian.storage.migrate
    raise RuntimeError("run migrations through `mpp db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
