"""`mpp issue`'s short path (antrian.issue_path: the DBAPI store, the cached hall) writes exactly
what the full path (QueueService over SqlStore) writes, on SQLite and PostgreSQL, and loads no
SQLAlchemy, alembic or pydantic."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from antrian.services.issuing import Issuing
from antrian.services.queue import QueueService
from antrian.storage import dbapi_store
from antrian.storage.db import SqlStore, redact
from antrian.storage.dbapi_store import DbapiStore, DbapiTx
from antrian.storage.sql_tx import SqlTx
from antrian.storage.store_common import redact as plain_redact
from tests.conftest import FakeClock

ROOT = Path(__file__).resolve().parents[2]


def test_the_two_stores_share_their_write_methods():
    """The count upserts and the event writes exist once (RawQueueTx), for both paths."""
    for name in ("_bump", "_bump2", "_waiting_delta", "flush_counts", "append_event", "_insert_event",
                 "_flush_events", "before_commit"):
        assert name not in vars(DbapiTx) and name not in vars(SqlTx), name


@pytest.mark.parametrize("url", [
    "sqlite:////tmp/x.sqlite3", "sqlite:///rel/x.sqlite3", "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://u:secret@db.example:5432/mpp", "postgresql+psycopg://u@h/d?sslmode=require",
])
def test_plain_redact_is_sqlalchemys(url):
    assert plain_redact(url) == redact(url)


def _state(url: str) -> dict:
    """Every row the issue path writes, without what differs by nature (ids of the xid column,
    the random part of the token)."""
    if url.startswith("sqlite"):
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        q = con.execute
    else:
        import psycopg

        con = psycopg.connect(url.replace("+psycopg", ""))
        q = con.execute
    try:
        tickets = [r[:11] + (r[11].rsplit("-", 1)[0],) + r[12:] for r in q(
            "SELECT id, service_day, prefix, seq, number, service_code, agency_code, priority, prio, status, "
            "issued_at, token, arrival_at, counter_code, officer, recall_count FROM tickets ORDER BY id").fetchall()]
        events = [(r[0], r[1], str(r[2]), r[3], r[4], r[5], json.loads(r[6])) for r in q(
            "SELECT id, type, at, ticket_id, number, service_code, payload FROM events ORDER BY id").fetchall()]
        counts = q("SELECT day, key, value FROM daily_counts ORDER BY day, key").fetchall()
        counters = q("SELECT code, status, current_ticket_id FROM counters ORDER BY code").fetchall()
        meta = q("SELECT key, value FROM meta ORDER BY key").fetchall()
        return {"tickets": [tuple(map(str, r)) for r in tickets], "events": events,
                "counts": [tuple(map(str, r)) for r in counts], "counters": counters, "meta": meta}
    finally:
        con.close()


def _two_databases(request, tmp_path, backend: str, migrate) -> tuple[str, str]:
    if backend == "sqlite":
        urls = [f"sqlite:///{tmp_path / 'full.sqlite3'}", f"sqlite:///{tmp_path / 'short.sqlite3'}"]
    else:
        urls = [request.getfixturevalue("pg_url")]
        # a second fresh database: the fixture gives one per test, so make one more the same way
        import uuid

        import psycopg

        from tests.conftest import _pg_admin

        dsn, admin = _pg_admin(request.getfixturevalue("pg_admin_url"))
        name = f"mpp_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        request.addfinalizer(lambda: request.getfixturevalue("_pg_dropper")(name))
        urls.append(admin.set(database=name).render_as_string(hide_password=False))
    for u in urls:
        migrate(u)
    return urls[0], urls[1]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def test_both_paths_write_the_same_rows_counts_and_events(request, tmp_path, backend, hall, migrate):
    full_url, short_url = _two_databases(request, tmp_path, backend, migrate)
    clocks = FakeClock(), FakeClock()
    full = QueueService(hall, SqlStore(full_url), clocks[0])
    # two open counters on both: the estimate divides by the open counters of the service
    other = SqlStore(short_url)
    for q in (full, QueueService(hall, other, clocks[1])):
        q.open_counter("7")
        q.open_counter("8")
    other.dispose()
    # the day before: tickets left waiting, then a new day (the rollover expires them)
    plan = [("ktp", None), ("ktp", None), ("ktp", "lansia"), ("kk", None), ("next day", None), ("ktp", None),
            ("ktp", "disabilitas"), ("kk", None), ("ktp", None)]
    results = []
    for which, clock in enumerate(clocks):
        out = []
        for service, priority in plan:
            if service == "next day":
                clock.advance(days=1)
                continue
            clock.advance(minutes=3)
            if which == 0:
                issued = full.issue(service, priority=priority)
            else:
                short = DbapiStore(short_url)  # one per process in `mpp issue`
                try:
                    issued = Issuing(hall, short, clock).issue(service, priority=priority)
                finally:
                    short.dispose()
            t = issued.ticket
            out.append((t.id, t.number, t.seq, t.status, t.priority, t.issued_at, t.service_day, issued.ahead,
                        issued.eta_minutes, issued.qr_text.rsplit("-", 1)[0]))
        results.append(out)
    full.store.dispose()
    assert results[0] == results[1]
    a, b = _state(full_url), _state(short_url)
    assert a["events"] and any(e[1] == "day_rollover" for e in a["events"])
    assert results[0][1][7:9] == (1, 5)  # one ahead, 10 minutes each, two counters open
    assert a == b


def _env(tmp_path: Path, db_url: str) -> dict[str, str]:
    env = dict(os.environ, MPP_DATA_DIR=str(tmp_path / "data"), MPP_DB_URL=db_url, MPP_ALWAYS_OPEN="1",
               PYTHONPATH=str(ROOT))
    for var in ("MPP_CONFIG", "MPP_STATION", "MPP_PUBLIC_URL"):
        env.pop(var, None)
    return env


_PROBE = textwrap.dedent("""
    import sys
    from mpp.cli import main
    rc = main(["--json", "issue", "skck-baru"])
    heavy = sorted(m for m in ("sqlalchemy", "alembic", "pydantic", "antrian.config", "holidays")
                   if m in sys.modules)
    print("HEAVY", ",".join(heavy), file=sys.stderr)
    sys.exit(rc)
""")


def test_mpp_issue_imports_no_sqlalchemy_alembic_or_pydantic(tmp_path, migrate):
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    migrate(url)
    env = _env(tmp_path, url)
    outs = []
    for _ in range(2):  # the first run validates the hall and caches it; the second reads the cache
        r = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        outs.append((json.loads(r.stdout), r.stderr.strip().splitlines()[-1]))
    assert outs[1][1] == "HEAVY", outs[1][1]
    assert [o[0]["number"] for o in outs] == ["A-001", "A-002"]
    assert outs[1][0]["ahead"] == 1
    cache = list((tmp_path / "data" / "cache").glob("hall-*.pickle"))
    assert len(cache) == 1 and cache[0].stat().st_mode & 0o077 == 0


def test_a_changed_config_is_validated_again(tmp_path, migrate, capsys, monkeypatch):
    from antrian import paths
    from mpp.cli import main

    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    migrate(url)
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MPP_ALWAYS_OPEN", "1")
    config = tmp_path / "hall.toml"
    text = paths.default_hall_config().read_text(encoding="utf-8")
    assert '"SKCK Baru"' in text
    config.write_text(text, encoding="utf-8")
    argv = ["--db", url, "--config", str(config), "--json", "issue", "skck-baru"]
    for _ in range(2):  # validated, then from the cache
        assert main(argv) == 0
        assert json.loads(capsys.readouterr().out)["service_name"] == "SKCK Baru"
    config.write_text(text.replace('"SKCK Baru"', '"SKCK (baru)"'), encoding="utf-8")
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["service_name"] == "SKCK (baru)"
    config.write_text("this is not toml = [", encoding="utf-8")
    assert main(argv) == 2
    assert "configuration error in" in capsys.readouterr().err


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def test_the_errors_are_the_full_paths_lines(request, tmp_path, backend, migrate, capsys, monkeypatch):
    """Unknown service, a database that does not answer, an old schema or none: the same one line
    (and exit code) on the short path as on the full one."""
    from antrian import issue_path
    from mpp.cli import main

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MPP_ALWAYS_OPEN", "1")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
        gone = "sqlite:////no/such/folder/q.sqlite3"
    else:
        url = request.getfixturevalue("pg_url")
        gone = "postgresql://nobody@127.0.0.1:1/x"
    migrate(url)
    real = issue_path.issue

    def run(short: bool, *argv: str) -> tuple[int, str]:
        monkeypatch.setattr(issue_path, "issue", real if short else (lambda *a, **k: None))
        capsys.readouterr()
        rc = main(list(argv))
        return rc, capsys.readouterr().err.strip()

    def same(*argv: str) -> str:
        full = run(False, *argv)
        short = run(True, *argv)
        assert full[0] != 0 and short == full, (argv, short, full)
        return short[1]

    assert "unknown service" in same("--db", url, "issue", "no-such-service")
    assert "does not exist" in same("--db", gone, "issue", "skck-baru") or backend == "pg"
    if backend == "pg":  # SQLite: the full path migrates the file, as it always did
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as con:
            con.execute("UPDATE alembic_version SET version_num = '0005_reads'")
        assert "is at schema 0005_reads" in same("--db", url, "issue", "skck-baru")
        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as con:
            con.execute("DROP TABLE alembic_version")
        assert "no Antrian MPP tables" in same("--db", url, "issue", "skck-baru")


def test_a_busy_sqlite_file_is_the_full_paths_line(tmp_path, migrate, capsys, monkeypatch):
    from antrian.storage import db as dbmod
    from mpp.cli import main

    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    migrate(url)
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MPP_ALWAYS_OPEN", "1")
    monkeypatch.setattr(dbmod, "SQLITE_BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(dbapi_store, "SQLITE_BUSY_TIMEOUT_MS", 300)
    other = sqlite3.connect(tmp_path / "q.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        capsys.readouterr()
        rc = main(["--db", url, "issue", "skck-baru"])
        short = rc, capsys.readouterr().err.strip()
        monkeypatch.setattr("antrian.issue_path.issue", lambda *a, **k: None)
        rc = main(["--db", url, "issue", "skck-baru"])
        full = rc, capsys.readouterr().err.strip()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "is busy" in short[1] and short == full, (short, full)
    assert sqlite3.connect(tmp_path / "q.sqlite3").execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_the_short_path_issues_the_next_day_after_a_clock_jump_like_the_full_one(tmp_path, hall, migrate):
    """More than a day later on a day the hall is open: ClockJump, nothing written (both paths)."""
    from antrian.domain.errors import ClockJump

    urls = [f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"]
    errors = []
    for i, url in enumerate(urls):
        migrate(url)
        clock = FakeClock()
        store = SqlStore(url) if i == 0 else DbapiStore(url)
        q = QueueService(hall, store, clock) if i == 0 else Issuing(hall, store, clock)
        q.issue("ktp")
        clock.advance(days=6)  # Wednesday -> next Tuesday
        with pytest.raises(ClockJump) as e:
            q.issue("ktp")
        errors.append(str(e.value))
        store.dispose()
    assert errors[0] == errors[1]
    assert _state(urls[0]) == _state(urls[1])
