"""`mpp user ...` and `mpp audit`, run in-process through mpp.cli.main with a SQLite file."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest

from mpp.cli import main


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    # issue 10 (11): account commands need an admin login; the first admin needs none (bootstrap)
    monkeypatch.setattr("antrian.services.auth._N", 2**10)  # cheap hashes for speed (recorded in each)
    monkeypatch.delenv("MPP_USER", raising=False)
    monkeypatch.delenv("MPP_PIN", raising=False)
    assert main(["--db", url, "user", "add", "kepala", "--name", "Kepala MPP", "--role", "admin",
                 "--pin", "135790"]) == 0
    monkeypatch.setenv("MPP_USER", "kepala")
    monkeypatch.setenv("MPP_PIN", "135790")
    return url


def run(capsys, db, *args, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    rc = main(["--db", db, *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_user_add_list_json(capsys, db, monkeypatch):
    rc, out, err = run(capsys, db, "user", "add", "budi", "--name", "Budi Santoso", "--role", "officer",
                       "--pin", "1234")
    assert rc == 0 and "added officer 'budi'" in out and err == ""
    # the PIN from stdin (a pipe), and --json at the subcommand
    rc, out, _ = run(capsys, db, "user", "add", "sri", "--name", "Sri Wahyuni", "--role", "supervisor", "--json",
                     stdin="567890\n", monkeypatch=monkeypatch)
    assert rc == 0 and json.loads(out)["role"] == "supervisor"
    rc, out, _ = run(capsys, db, "user", "list")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].split() == ["USERNAME", "ROLE", "STATE", "NAME"]
    assert "budi" in lines[1] and "officer" in lines[1] and "active" in lines[1] and "Budi Santoso" in lines[1]
    # --json before the command (global) and after it (local) both work
    for args in (("--json", "user", "list"), ("user", "list", "--json")):
        capsys.readouterr()
        assert main(["--db", db, *args]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert [r["username"] for r in rows] == ["budi", "kepala", "sri"]
        assert "pin_hash" not in rows[0]


def test_user_passwd_disable_enable(capsys, db, monkeypatch):
    from antrian.services.auth import verify_pin
    from antrian.storage.db import SqlStore

    assert run(capsys, db, "user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", "1234")[0] == 0
    rc, out, _ = run(capsys, db, "user", "passwd", "budi", stdin="24680\n", monkeypatch=monkeypatch)
    assert rc == 0 and "PIN changed" in out
    store = SqlStore(db)
    try:
        with store.read() as tx:
            assert verify_pin("24680", tx.get_user("budi").pin_hash)
    finally:
        store.dispose()
    rc, out, _ = run(capsys, db, "user", "disable", "budi")
    assert rc == 0 and "disabled" in out
    assert "disabled" in run(capsys, db, "user", "list")[1]
    rc, out, _ = run(capsys, db, "user", "enable", "budi")
    assert rc == 0 and "enabled" in out
    assert "active" in run(capsys, db, "user", "list")[1]


def test_user_list_shows_a_lockout(capsys, db):
    from antrian.services.users import UserService
    from antrian.storage.db import SqlStore

    run(capsys, db, "user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", "1234")
    store = SqlStore(db)
    users = UserService(store)
    for _ in range(5):
        with pytest.raises(Exception):
            users.login("budi", "0000")
    store.dispose()
    out = run(capsys, db, "user", "list")[1]
    assert "locked until" in out
    assert run(capsys, db, "user", "enable", "budi")[0] == 0
    assert "active" in run(capsys, db, "user", "list")[1]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("user", "add", "budi", "--name", "B", "--role", "boss", "--pin", "1234"), 2, "unknown role 'boss'"),
        (("user", "add", "budi", "--name", "B", "--role", "officer", "--pin", "12"), 2, "4 to 8 digits"),
        (("user", "add", "budi", "--name", "B", "--role", "officer", "--pin", "12ab"), 2, "4 to 8 digits"),
        (("user", "add", "Budi Santoso", "--name", "B", "--role", "officer", "--pin", "1234"), 2,
         "not a valid username"),
        (("user", "add", "budi", "--role", "officer", "--pin", "1234"), 2, "--name"),
        (("user", "passwd", "nobody", "--pin", "1234"), 6, "no user 'nobody'"),
        (("user", "disable", "nobody"), 6, "no user 'nobody'"),
        (("user", "enable", "nobody"), 6, "no user 'nobody'"),
        (("user",), 2, "needs an action"),
        (("audit", "--date", "2026-13-01"), 2, "not a date"),
        (("audit", "--date", "yesterday"), 2, "YYYY-MM-DD"),
    ],
)
def test_bad_inputs_one_line_no_traceback(capsys, db, args, code, message):
    rc, out, err = run(capsys, db, *args)
    assert rc == code, err
    assert message in err
    assert err.startswith("mpp: ") and err.count("\n") == 1 and "Traceback" not in err


def test_duplicate_user_and_empty_stdin(capsys, db, monkeypatch):
    run(capsys, db, "user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", "1234")
    rc, _, err = run(capsys, db, "user", "add", "budi", "--name", "Budi 2", "--role", "officer", "--pin", "1234")
    assert rc == 2 and "already exists" in err
    rc, _, err = run(capsys, db, "user", "add", "ani", "--name", "Ani", "--role", "officer", stdin="",
                     monkeypatch=monkeypatch)
    assert rc == 2 and "no PIN given" in err


def test_audit_lists_every_action_of_the_day(capsys, db, tmp_path):
    from antrian.bootstrap import build_context
    from antrian.services.users import UserService

    run(capsys, db, "user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", "1234")
    ctx = build_context(db=db)
    try:
        q = ctx.queue
        UserService(q.store, q.clock, tz=ctx.hall.tz).login("budi", "1234", counter="1")
        service = ctx.hall.services[0]
        counter = ctx.hall.counters_serving(service.code)[0].code
        local_now = datetime.now(timezone.utc).astimezone(ctx.hall.tz)
        open_now = service.hours.is_open(local_now, ctx.hall.issue_early_minutes)
        if open_now:
            q.issue(service.code)
            q.call_next(counter, officer="budi")
            q.finish(counter, officer="budi")
        else:  # outside the bundled hall's hours: record counter actions only
            q.open_counter(counter, officer="budi")
            q.pause_counter(counter, "Sholat", officer="budi")
        day = q.service_day()
    finally:
        ctx.close()

    rc, out, err = run(capsys, db, "audit")  # default: today
    assert rc == 0, err
    assert out.splitlines()[0].split()[:6] == ["TIME", "EVENT", "NUMBER", "LOKET", "OFFICER", "SERVICE"]
    assert "login" in out and "budi" in out
    rc, out, _ = run(capsys, db, "audit", "--date", day.isoformat(), "--json")
    rows = json.loads(out)
    types = [r["type"] for r in rows]
    assert types[0] == "user_added" and "login" in types
    if open_now:
        assert {"issued", "called", "finished"} <= set(types)
        called = next(r for r in rows if r["type"] == "called")
        assert called["officer"] == "budi" and called["counter"] == counter and called["number"]
    else:
        assert "counter_paused" in types
    for r in rows:
        assert set(r) >= {"time", "type", "number", "counter", "officer", "service", "payload"}
        assert r["at"].startswith(day.isoformat()) and r["at"].endswith("+07:00")

    rc, out, _ = run(capsys, db, "audit", "--date", "2020-01-01")
    assert rc == 0 and "no events on 2020-01-01" in out
    rc, out, _ = run(capsys, db, "audit", "--date", "2020-01-01", "--json")
    assert json.loads(out) == []


def test_audit_day_is_the_local_day(db):
    """An event at 23:30 WIB belongs to that day, not to the next UTC day, and vice versa."""
    from datetime import date

    from antrian.domain.model import Event
    from antrian.services.audit import audit_rows
    from antrian.storage.db import SqlStore
    from tests.conftest import make_hall

    hall = make_hall()
    store = SqlStore(db)
    try:
        with store.transaction() as tx:
            # 2026-11-24 16:30 UTC = 23:30 WIB on the 24th; 17:30 UTC = 00:30 WIB on the 25th
            tx.append_event(Event(type="late", at=datetime(2026, 11, 24, 16, 30, tzinfo=timezone.utc)))
            tx.append_event(Event(type="early", at=datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)))
        assert [r["type"] for r in audit_rows(store, hall, date(2026, 11, 24))] == ["late"]
        rows = audit_rows(store, hall, date(2026, 11, 25))
        assert [r["type"] for r in rows] == ["early"] and rows[0]["time"] == "00:30:00"
    finally:
        store.dispose()
