"""Shared fixtures: a small test hall, a fake clock, stores on SQLite and (when MPP_TEST_PG_URL
is set) on a fresh PostgreSQL database per test run."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from antrian.config import HallFile, build_hall
from tests.support.halls import all_day, one_counter_hall, to_toml

@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """Every test writes its log file, previews and default database in a temp data dir, never in
    the user's own (tests that need another dir set MPP_DATA_DIR themselves)."""
    if "MPP_DATA_DIR" not in os.environ:
        monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path_factory.mktemp("data")))


ALL_DAY = all_day()


def hall_dict(**hall_overrides) -> dict:
    return {
        "hall": {"name": "MPP Uji", "city": "Kota Uji", "timezone": "Asia/Jakarta", **hall_overrides},
        "priority": {"ratio": 2, "max_wait_minutes": 60},
        "defaults": {"hours": ALL_DAY, "service_minutes": 10, "target_wait_minutes": 30},
        "agency": [
            {
                "code": "dukcapil", "name": "Disdukcapil", "spoken_name": "Disdukcapil", "prefix": "K",
                "counters": [7, 8],
                "service": [
                    {"code": "ktp", "name": "KTP-el", "quota": 400},
                    {"code": "kk", "name": "Kartu Keluarga"},
                ],
            },
            {
                "code": "pdam", "name": "PDAM Tirta Benteng", "spoken_name": "P D A M", "prefix": "P",
                "counters": [{"number": 3, "services": ["pdam-bayar"]}, 4],
                "service": [
                    {"code": "pdam-bayar", "name": "Bayar Rekening Air"},
                    {"code": "pdam-baru", "name": "Pasang Baru", "quota": 2},
                ],
            },
            {
                "code": "pajak", "name": "Bapenda", "prefix": "J", "counters": [10],
                "service": [
                    {"code": "pbb", "name": "PBB", "hours": {"mon": ["08:00-15:00"], "tue": ["08:00-15:00"]}},
                ],
            },
        ],
    }


# One agency, one counter, open all day: for tests that write a hall file for a real `mpp` run.
ONE_COUNTER_HALL_TOML = to_toml(one_counter_hall())


def make_hall(**hall_overrides):
    return build_hall(HallFile.model_validate(hall_dict(**hall_overrides)), "<test hall>")


class FakeClock:
    def __init__(self, start: datetime | None = None):
        # Wednesday 2026-11-25 09:00 in Jakarta
        self.t = start or datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


@pytest.fixture
def hall():
    return make_hall()


@pytest.fixture
def clock():
    return FakeClock()


PG_URL = os.environ.get("MPP_TEST_PG_URL", "")


@pytest.fixture(scope="session")
def pg_admin_url():
    if not PG_URL:
        pytest.skip("PostgreSQL tests need MPP_TEST_PG_URL (e.g. postgresql://postgres@127.0.0.1:5432/test); "
                    "`make test` sets it when a server answers on 127.0.0.1:5432")
    return PG_URL


@pytest.fixture
def pg_url(pg_admin_url):
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    from antrian.storage.db import normalise_url

    admin = make_url(normalise_url(pg_admin_url))
    name = f"mpp_test_{uuid.uuid4().hex[:12]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    yield url
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    from antrian.storage.db import SqlStore, upgrade

    upgrade(db_url)
    s = SqlStore(db_url)
    yield s
    s.dispose()


@pytest.fixture
def queue(hall, store, clock):
    from antrian.services.queue import QueueService

    return QueueService(hall, store, clock)
