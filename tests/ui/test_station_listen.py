"""The EventFeed's PostgreSQL LISTEN connection gets the same bounded-wait arguments as the
pool's connections (antrian.storage.db.pg_connect_args): connect and statement timeouts, TCP
keepalives and the application name (issue 10, defect 8)."""

from __future__ import annotations

import pytest

from antrian.storage.db import pg_connect_args
from qtshared.common import EventFeed

psycopg = pytest.importorskip("psycopg")


class _Store:
    url = "postgresql://mpp@db.example:5432/hall"


class _Queue:
    store = _Store()


def test_listen_connection_uses_the_pool_connect_args(monkeypatch):
    feed = EventFeed(_Queue())
    seen: list[tuple[str, dict]] = []

    def fake_connect(dsn, **kwargs):
        seen.append((dsn, kwargs))
        feed._stop.set()  # one attempt is enough
        raise psycopg.OperationalError("no server in this test")

    monkeypatch.setattr(psycopg, "connect", fake_connect)
    feed._listen(_Store.url)
    assert len(seen) == 1
    dsn, kwargs = seen[0]
    assert dsn.startswith("postgresql://mpp@db.example:5432/hall")
    assert kwargs.pop("autocommit") is True
    assert kwargs == pg_connect_args("mpp")
    assert kwargs["keepalives"] == 1 and "statement_timeout" in kwargs["options"]


@pytest.mark.pg
def test_a_real_listen_connection_carries_the_application_name(pg_url, hall, qtbot):
    """On a real server: the LISTEN connection is there, named like the pool's connections."""
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade
    from sqlalchemy.engine import make_url

    upgrade(pg_url)
    store = SqlStore(pg_url)
    feed = EventFeed(QueueService(hall, store), poll_ms=50)
    u = make_url(pg_url)
    dsn = u.set(drivername="postgresql").render_as_string(hide_password=False)

    def listeners():
        with psycopg.connect(dsn, autocommit=True) as admin:
            return admin.execute(
                "SELECT application_name FROM pg_stat_activity WHERE datname = %s AND query LIKE 'LISTEN%%'",
                (u.database,)).fetchall()

    feed.start()
    try:
        qtbot.waitUntil(lambda: bool(listeners()), timeout=10000)
        assert listeners() == [(pg_connect_args()["application_name"],)]
    finally:
        feed.stop()
        store.dispose()
