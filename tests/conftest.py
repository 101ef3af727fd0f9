"""Shared fixtures: a small test hall, a fake clock, stores on SQLite and (when MPP_TEST_PG_URL
is set) on a fresh PostgreSQL database per test run."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from antrian.config import HallFile, build_hall
from tests.support.halls import all_day, one_counter_hall, to_toml

_SHM = Path("/dev/shm")
_RAM_TMP: Path | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Temporary files (tmp_path, tempfile, the subprocesses' TMPDIR) go to a private directory
    in RAM (/dev/shm) when there is one: the product's SQLite writes fsync every commit (a
    printed ticket survives a power cut), which on a disk costs 2-8 ms per commit and makes up
    much of the suite's time; on tmpfs an fsync costs nothing. No test depends on fsync (a
    kill -9 keeps the page cache). Set MPP_TEST_TMP_ON_DISK=1, or pass --basetemp, to keep the
    usual place. The directory is removed at the end unless tests failed (then its path is
    printed)."""
    global _RAM_TMP
    if config.option.basetemp or os.environ.get("MPP_TEST_TMP_ON_DISK") or not _SHM.is_dir():
        return
    try:
        if not os.access(_SHM, os.W_OK) or shutil.disk_usage(_SHM).free < 2**30:
            return
        _remove_stale_ram_tmp()
        _RAM_TMP = Path(tempfile.mkdtemp(prefix=f"mpp-pytest-{os.getpid()}-", dir=_SHM))
    except OSError:
        return
    config.option.basetemp = str(_RAM_TMP / "basetemp")
    (_RAM_TMP / "tmp").mkdir()
    os.environ["TMPDIR"] = str(_RAM_TMP / "tmp")
    tempfile.tempdir = None  # tempfile reads TMPDIR again


def _remove_stale_ram_tmp() -> None:
    """Directories left by earlier runs (failed ones keep theirs) whose process has ended."""
    for d in _SHM.glob("mpp-pytest-*-*"):
        try:
            pid = int(d.name.split("-")[2])
            if d.stat().st_uid != os.getuid():
                continue
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (ValueError, IndexError, OSError):
            continue


def pytest_sessionfinish(session, exitstatus):
    if _RAM_TMP is None:
        return
    if exitstatus == 0:
        shutil.rmtree(_RAM_TMP, ignore_errors=True)
    else:
        session.config.get_terminal_writer().line(f"temporary files of this run: {_RAM_TMP}")


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """Every test writes its log file, previews and default database in a temp data dir, never in
    the user's own (tests that need another dir set MPP_DATA_DIR themselves)."""
    if "MPP_DATA_DIR" not in os.environ:
        monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(autouse=True)
def _cheap_pin_hashes(request, monkeypatch):
    """scrypt at n = 2**10 instead of 2**15 for new PIN hashes: 32x less work (about 0.1 s per hash
    or check at full cost, and the suite makes hundreds). Each hash records its own cost, so every
    check works as with full-cost hashes. Tests about the cost itself are marked real_pin_cost."""
    if request.node.get_closest_marker("real_pin_cost") is None:
        monkeypatch.setattr("antrian.services.auth._N", 2**10)


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


# Fixtures that bring their database to the head revision at once: a test that uses one of them
# gets its PostgreSQL database as a copy of the session's migrated template (see below).
MIGRATING_FIXTURES = frozenset({"store", "sql_store", "any_store"})


@pytest.fixture
def pg_url(request, pg_admin_url, _pg_dropper):
    """A fresh PostgreSQL database for one test, dropped afterwards: empty, or (for a test that
    uses a store fixture, which migrates it first thing) already at the head revision."""
    import psycopg

    dsn, admin = _pg_admin(pg_admin_url)
    name = f"mpp_test_{uuid.uuid4().hex[:12]}"
    template = ""
    if MIGRATING_FIXTURES & set(request.fixturenames):
        template = request.getfixturevalue("_pg_template")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = admin.set(database=name).render_as_string(hide_password=False)
    if template:
        _MIGRATED.add(url)
    yield url
    _MIGRATED.discard(url)
    _pg_dropper(name)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
    return request.getfixturevalue("pg_url")


# Migrating a database (Alembic, every revision) costs 0.1-0.3 s on SQLite and 0.3-1 s on
# PostgreSQL, and a few hundred tests start from a migrated database. The session migrates one
# template per backend (with `upgrade`, as the product does) and those tests get a copy of it:
# SQLite through the backup API, PostgreSQL with CREATE DATABASE ... TEMPLATE. DROP DATABASE
# waits for a checkpoint (PostgreSQL 15), so the test databases are dropped by a background
# thread while the next tests run; the session waits for the last drop.

_MIGRATED: set[str] = set()  # URLs of the PostgreSQL test databases made from the template


def _pg_admin(admin_url: str):
    """(admin dsn for psycopg, SQLAlchemy URL of the server) for the admin URL."""
    from sqlalchemy.engine import make_url

    from antrian.storage.db import normalise_url

    admin = make_url(normalise_url(admin_url))
    return admin.set(drivername="postgresql").render_as_string(hide_password=False), admin


@pytest.fixture(scope="session")
def _pg_dropper(pg_admin_url):
    """drop(name): DROP DATABASE name WITH (FORCE), soon, in a background thread."""
    import queue as queue_mod
    import threading

    import psycopg

    dsn, _ = _pg_admin(pg_admin_url)
    names: queue_mod.Queue[str | None] = queue_mod.Queue()
    failures: list[str] = []

    def run() -> None:
        while (name := names.get()) is not None:
            # a few attempts: WITH (FORCE) ends the sessions it finds, but a thread of the test
            # just ended (a LISTEN loop, a pool) may connect again before the drop
            for attempt in range(5):
                try:
                    with psycopg.connect(dsn, autocommit=True) as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    break
                except Exception as e:  # the last attempt's error is reported at the end of the session
                    if attempt == 4:
                        failures.append(f"{name}: {e}")
                    else:
                        time.sleep(0.5)

    thread = threading.Thread(target=run, name="pg-test-db-dropper", daemon=True)
    thread.start()
    yield names.put
    names.put(None)
    thread.join(timeout=300)
    assert not failures, f"test databases not dropped: {failures}"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    from antrian.storage.db import upgrade

    path = tmp_path_factory.mktemp("migrated-template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_template(pg_admin_url):
    import psycopg

    from antrian.storage.db import upgrade

    dsn, admin = _pg_admin(pg_admin_url)
    name = f"mpp_template_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(admin.set(database=name).render_as_string(hide_password=False))  # disposes its engine
    yield name
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_migrated_sqlite(template: Path, path: Path) -> None:
    import sqlite3

    src, dst = sqlite3.connect(template), sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def migrate_test_db(request, url: str) -> None:
    """Bring a test's database to the head revision: a copy of the session's migrated template
    when it is a new SQLite file or a PostgreSQL database made from the template; ``upgrade``
    otherwise."""
    from sqlalchemy.engine import make_url

    from antrian.storage.db import upgrade

    if url in _MIGRATED:
        return
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and not Path(u.database).exists():
        copy_migrated_sqlite(request.getfixturevalue("_sqlite_template"), Path(u.database))
        return
    upgrade(url)


@pytest.fixture
def migrate(request):
    """migrate(url): the database at ``url`` (new) at the head revision, as ``upgrade(url)``."""
    return lambda url: migrate_test_db(request, url)


@pytest.fixture
def store(request, db_url):
    from antrian.storage.db import SqlStore

    migrate_test_db(request, db_url)
    s = SqlStore(db_url)
    yield s
    s.dispose()


@pytest.fixture
def queue(hall, store, clock):
    from antrian.services.queue import QueueService

    return QueueService(hall, store, clock)
