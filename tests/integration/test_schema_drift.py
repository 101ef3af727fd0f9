"""The schema the Alembic migrations build is the schema antrian.storage.tables describes, on
SQLite and PostgreSQL: autogenerate finds nothing to change. A new column or index in one place
but not the other fails here."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, create_engine

from antrian.storage.db import normalise_url, upgrade
from antrian.storage.schema import metadata


def _diffs(url: str, target: MetaData) -> list:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return list(compare_metadata(ctx, target))
    finally:
        engine.dispose()


def test_migrated_schema_equals_the_table_definitions(db_url):
    upgrade(db_url)
    assert _diffs(db_url, metadata) == []


def test_the_comparison_sees_a_drift(db_url):
    """The check itself works: a column only in the table definitions is reported."""
    upgrade(db_url)
    drifted = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["tickets"].append_column(Column("only_in_code", Integer))
    diffs = _diffs(db_url, drifted)
    assert any(d[0] == "add_column" and d[3].name == "only_in_code" for d in diffs if isinstance(d, tuple)), diffs


@pytest.fixture(autouse=True)
def _quiet_alembic(caplog):
    caplog.set_level("WARNING", logger="alembic")
