"""Fixtures for the web server: the app over a real SQLite (or PostgreSQL) store with a fake
clock, a recording notifier, and a hub that tests step by hand (no background task, no sleeps)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

pytest.importorskip("fastapi")

from antrian.services.notify import NotificationService, RecordingNotifier  # noqa: E402
from antrian.services.queue import QueueService  # noqa: E402
from antrian.storage.web_store import WebStore  # noqa: E402
from web.app import WebDeps, create_app  # noqa: E402
from web.live import LiveHub  # noqa: E402
from web.security import TokenBucket  # noqa: E402


class Tick:
    """A monotonic clock for the token buckets."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Web:
    queue: QueueService
    store: WebStore
    hub: LiveHub
    notifier: RecordingNotifier
    notifications: NotificationService
    deps: WebDeps
    app: object
    client: object
    clock: object
    tick: Tick

    def step(self) -> int:
        """What the background reader does once: read new events, then wake the pages."""
        self.hub.refresh()
        return self.hub.publish()

    def key(self, scope: str = "read", name: str | None = None) -> dict:
        _, secret = self.store.add_api_key(name or f"app-{scope}", scope, self.clock.now())
        return {"Authorization": f"Bearer {secret}"}


def make_web(hall, store, clock, enabled: bool = True) -> Web:
    from fastapi.testclient import TestClient

    queue = QueueService(hall, store, clock)
    ws = WebStore(store)
    rec = RecordingNotifier()
    n = NotificationService(ws, rec if enabled else None, hall.short_name, ahead=2, clock=clock,
                            max_attempts=3, retry_seconds=10)
    hub = LiveHub(queue, ws, n)
    tick = Tick()
    deps = WebDeps(queue=queue, store=ws, hub=hub, notifications=n,
                   miss_limit=TokenBucket(rate=1 / 6, burst=10, clock=tick),
                   page_limit=TokenBucket(rate=5, burst=60, clock=tick),
                   anon_limit=TokenBucket(rate=0.5, burst=20, clock=tick),
                   key_limit=TokenBucket(rate=5, burst=60, clock=tick))
    app = create_app(deps, background=False)
    client = TestClient(app, raise_server_exceptions=False)
    return Web(queue, ws, hub, rec, n, deps, app, client, clock, tick)


@pytest.fixture
def web(hall, store, clock):
    w = make_web(hall, store, clock)
    w.queue.open_counter("7")
    w.step()
    return w


# ------------------------------------------------------------------ fresh databases, migrated once
# Every web test still gets a database of its own; it is a copy of one migrated per session
# (SQLite: the backup API; PostgreSQL: CREATE DATABASE ... TEMPLATE) instead of running every
# migration again, which was most of these tests' time.


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    from antrian.storage.db import upgrade

    path = tmp_path_factory.mktemp("template") / "mpp.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_template(pg_admin_url):
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    from antrian.storage.db import normalise_url, upgrade

    admin = make_url(normalise_url(pg_admin_url))
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"mpp_tmpl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(admin.set(database=name).render_as_string(hide_password=False))
        yield admin, dsn, name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        import sqlite3

        path = tmp_path / "mpp.sqlite3"
        src = sqlite3.connect(request.getfixturevalue("_sqlite_template"))
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        yield f"sqlite:///{path}"
        return
    import uuid

    import psycopg

    admin, dsn, template = request.getfixturevalue("_pg_template")
    name = f"mpp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(db_url):
    from antrian.storage.db import SqlStore

    s = SqlStore(db_url)  # already migrated (a copy of the session's template)
    yield s
    s.dispose()
