"""Issue 10 (11): every state-changing command a supervisor or admin may run needs an officer
login (username + PIN from --officer/--as or MPP_USER, and MPP_PIN or a no-echo prompt), checks
the role, and the event records the authenticated account; the first admin needs no login."""

from __future__ import annotations

import io
import json

import pytest

from tests.integration.test_cli import Cli, one_line_error

ADMIN_PIN, SPV_PIN, OFFICER_PIN = "135790", "246802", "1357"


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    for var in ("MPP_DB_URL", "MPP_CONFIG", "MPP_STATION", "MPP_USER", "MPP_PIN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("antrian.services.auth._N", 2**10)  # cheap hashes: the cost is recorded in each
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal
    c = Cli(tmp_path, capsys)
    assert c("db", "upgrade")[0] == 0
    return c


def as_user(monkeypatch, user: str | None, pin: str | None) -> None:
    for var, value in (("MPP_USER", user), ("MPP_PIN", pin)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)


def accounts(cli, monkeypatch):
    assert cli("user", "add", "kepala", "--name", "Kepala", "--role", "admin", "--pin", ADMIN_PIN)[0] == 0
    as_user(monkeypatch, "kepala", ADMIN_PIN)
    assert cli("user", "add", "sri", "--name", "Sri", "--role", "supervisor", "--pin", SPV_PIN)[0] == 0
    assert cli("user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", OFFICER_PIN)[0] == 0


def test_first_account_must_be_an_admin_and_needs_no_login(cli, monkeypatch):
    line = one_line_error(*cli("user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", "1234"))
    assert "no admin account yet" in line and "--role admin" in line
    rc, out, err = cli("user", "add", "kepala", "--name", "Kepala", "--role", "admin", "--pin", ADMIN_PIN)
    assert rc == 0 and err == "" and "added admin 'kepala'" in out
    # now there is one: a second account needs an admin login
    line = one_line_error(*cli("user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", "1234"))
    assert "needs an officer login" in line and "MPP_USER" in line and "MPP_PIN" in line
    as_user(monkeypatch, "kepala", ADMIN_PIN)
    assert cli("user", "add", "budi", "--name", "Budi", "--role", "officer", "--pin", "1234")[0] == 0
    rows = [json.loads(x) for x in cli("--json", "events")[1].splitlines()]
    assert [(r["type"], r["officer"]) for r in rows if r["type"] == "user_added"] == [
        ("user_added", "kepala"), ("user_added", "kepala")]


@pytest.mark.parametrize("argv", [
    ("cancel", "K-001", "--reason", "x"),
    ("counter-close", "7", "--force"),
    ("counter-open", "7"),
    ("call", "7"),
    ("finish", "7"),
    ("user", "passwd", "budi", "--pin", "8642"),
    ("user", "disable", "budi"),
    ("user", "enable", "budi"),
    ("user", "role", "budi", "supervisor", "--pin", "864200"),
    ("user", "add", "ani", "--name", "Ani", "--role", "officer", "--pin", "1234"),
])
def test_state_changing_commands_refuse_without_a_login(cli, monkeypatch, argv):
    accounts(cli, monkeypatch)
    cli.json("issue", "ktp")
    as_user(monkeypatch, None, None)
    before = cli.state()
    rc, out, err = cli(*argv)
    assert "needs an officer login" in one_line_error(rc, out, err) and rc == 2
    assert cli.state() == before


def test_wrong_pin_is_refused_recorded_and_counts_towards_the_lockout(cli, monkeypatch):
    accounts(cli, monkeypatch)
    cli.json("issue", "ktp")
    for left in (4, 3, 2, 1):
        rc, out, err = cli("call", "7", "--officer", "budi")  # MPP_PIN is kepala's
        assert rc == 8 and f"{left} attempt" in one_line_error(rc, out, err)
    rc, out, err = cli("call", "7", "--officer", "budi")
    assert rc == 8 and "locked" in one_line_error(rc, out, err)
    as_user(monkeypatch, "budi", OFFICER_PIN)
    rc, out, err = cli("call", "7")
    assert rc == 8 and "locked" in one_line_error(rc, out, err)  # even with the right PIN, for 5 minutes
    rows = [json.loads(x) for x in cli("--json", "events")[1].splitlines()]
    assert [r["payload"]["reason"] for r in rows if r["type"] == "login_failed"] == ["wrong_pin"] * 5 + ["locked"]
    assert not any(r["type"] == "called" for r in rows)


def test_roles_are_checked_and_the_event_names_the_account(cli, monkeypatch):
    accounts(cli, monkeypatch)
    cli.json("issue", "ktp")
    cli.json("issue", "ktp")
    as_user(monkeypatch, "budi", OFFICER_PIN)
    t = cli.json("call", "7", "--officer", "budi")
    assert t["number"] == "K-001"
    for argv in (("cancel", "K-002"), ("counter-close", "7", "--force"), ("user", "disable", "sri")):
        rc, out, err = cli(*argv)
        assert rc == 8 and "this needs a" in one_line_error(rc, out, err), argv
    # budi may change his own PIN, not another's
    rc, out, err = cli("user", "passwd", "sri", "--pin", "999999")
    assert rc == 8 and "only their own PIN" in one_line_error(rc, out, err)
    assert cli("user", "passwd", "budi", "--pin", "8642")[0] == 0
    as_user(monkeypatch, "sri", SPV_PIN)
    assert cli.json("cancel", "K-002", "--reason", "salah")["status"] == "cancelled"
    assert cli.json("counter-close", "7", "--force")["status"] == "closed"
    rc, out, err = cli("user", "disable", "budi")  # account commands: admin only
    assert rc == 8 and "admin" in one_line_error(rc, out, err)
    rows = [json.loads(x) for x in cli("--json", "events")[1].splitlines()]
    by_type = {r["type"]: r for r in rows}
    assert by_type["called"]["officer"] == "budi"
    assert by_type["cancelled"]["officer"] == "sri"
    assert by_type["user_pin_changed"]["officer"] == "budi"


def test_role_change_to_supervisor_needs_a_six_digit_pin(cli, monkeypatch):
    accounts(cli, monkeypatch)
    line = one_line_error(*cli("user", "role", "budi", "admin", "--pin", "1234"))
    assert "6 to 8 digits" in line
    rc, out, err = cli("user", "role", "budi", "supervisor", "--pin", "864200")
    assert rc == 0 and "'budi' is now supervisor" in out
    rc, out, err = cli("user", "role", "kepala", "officer")
    assert rc == 2 and "cannot lower their own role" in one_line_error(rc, out, err)


def test_pin_is_asked_without_echo_on_a_terminal(cli, monkeypatch):
    accounts(cli, monkeypatch)
    cli.json("issue", "ktp")
    as_user(monkeypatch, None, None)

    class Tty(io.StringIO):
        def isatty(self):
            return True

    prompts: list[str] = []
    monkeypatch.setattr("sys.stdin", Tty(""))
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "budi")
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or OFFICER_PIN)
    t = cli.json("call", "7")
    assert t["number"] == "K-001"
    assert prompts == ["Nama pengguna / Username: ", "PIN budi: "]
