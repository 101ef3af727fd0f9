"""Migration 0003_manager: creates the survey, alert-log and heartbeat tables, and goes back."""

from __future__ import annotations

from sqlalchemy import inspect

from antrian.storage.db import HEAD_REVISION, _make_engine, upgrade

MANAGER_TABLES = {"survey_responses", "alert_log", "heartbeats"}


def _tables(url):
    engine = _make_engine(url, immediate=False)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_and_downgrade(db_url):
    assert upgrade(db_url) == HEAD_REVISION
    assert MANAGER_TABLES <= _tables(db_url)
    from alembic import command

    from antrian.storage.db import _alembic_config

    engine = _make_engine(db_url, immediate=True)
    with engine.connect() as conn:
        command.downgrade(_alembic_config(conn), "0001")
        conn.commit()
    engine.dispose()
    assert not (MANAGER_TABLES & _tables(db_url)) and "tickets" in _tables(db_url)
    assert upgrade(db_url) == HEAD_REVISION
