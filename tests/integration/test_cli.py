"""The `mpp` command, run in-process through mpp.cli.main against a temporary SQLite file and a
small hall written to tmp_path (every service open all day, one closed until a known day), plus
one real subprocess. Every user error must be one line on stderr, a non-zero exit code, no
traceback and an unchanged database."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mpp.cli import main
from tests.conftest import hall_dict

JKT = ZoneInfo("Asia/Jakarta")
ROOT = Path(__file__).resolve().parents[2]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# ------------------------------------------------------------------------------------ helpers


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def write_toml(path: Path, data: dict) -> Path:
    path.write_text("".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in data.items()), "utf-8")
    return path


def closed_day_now():
    """Three days from today (Jakarta): the test hall's closed service opens only then, at 08:00."""
    return datetime.now(JKT).date() + timedelta(days=3)


@pytest.fixture(autouse=True)
def _not_at_midnight():
    t = datetime.now(JKT).time()
    if t.hour == 23 and t.minute >= 55 or t.hour == 0 and t.minute < 3:
        pytest.skip("the test hall closes at 23:59 Jakarta time and a new service day starts at 00:00")


class Cli:
    def __init__(self, tmp_path: Path, capsys):
        self.tmp = tmp_path
        self.capsys = capsys
        self.db_path = tmp_path / "mpp.sqlite3"
        self.url = f"sqlite:///{self.db_path}"
        data = hall_dict()
        opens = closed_day_now()
        self.closed_opens = opens
        for agency in data["agency"]:
            for s in agency["service"]:
                if s["code"] == "pbb":
                    s["hours"] = {WEEKDAYS[opens.weekday()]: ["08:00-15:00"]}
        self.config = write_toml(tmp_path / "hall.toml", data)

    def __call__(self, *args: str, db: str | None = None, config: str | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        argv = ["--db", db or self.url, "--config", str(config or self.config), *args]
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse --help and friends
            rc = e.code
        out, err = self.capsys.readouterr()
        return rc, out, err

    def json(self, *args: str, config: str | None = None):
        rc, out, err = self("--json", *args, config=config)
        assert rc == 0, (args, rc, err)
        assert err == "", err
        return json.loads(out)

    def state(self) -> dict:
        con = sqlite3.connect(self.db_path)
        try:
            return {
                t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("tickets", "events", "daily_counts", "counters", "meta")
            }
        finally:
            con.close()


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    for var in ("MPP_DB_URL", "MPP_CONFIG", "MPP_STATION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    c = Cli(tmp_path, capsys)
    rc, out, err = c("db", "upgrade")
    assert rc == 0, err
    add_test_accounts(c, monkeypatch)
    return c


TEST_PIN = "246810"


def add_test_accounts(c, monkeypatch) -> None:
    """Issue 10 (11): state-changing commands need a login. The first admin needs none (bootstrap);
    the other accounts are added by it; every command then logs in as MPP_USER (or --officer)
    with MPP_PIN. Cheap scrypt for speed (the cost is recorded in each hash)."""
    monkeypatch.setattr("antrian.services.auth._N", 2**10)
    monkeypatch.delenv("MPP_USER", raising=False)
    monkeypatch.delenv("MPP_PIN", raising=False)
    rc, _, err = c("user", "add", "kepala", "--name", "Kepala MPP", "--role", "admin", "--pin", TEST_PIN)
    assert rc == 0, err
    monkeypatch.setenv("MPP_USER", "kepala")
    monkeypatch.setenv("MPP_PIN", TEST_PIN)
    for username, role in (("ani", "officer"), ("budi", "officer"), ("spv", "supervisor")):
        rc, _, err = c("user", "add", username, "--name", username.title(), "--role", role, "--pin", TEST_PIN)
        assert rc == 0, err


def one_line_error(rc: int, out: str, err: str) -> str:
    assert rc not in (0, None), (rc, out, err)
    assert "Traceback" not in err and "Traceback" not in out
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("mpp: "), err
    return lines[0]


# ------------------------------------------------------------------------------------ db, catalogue


def test_db_upgrade_and_current(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    c = Cli(tmp_path, capsys)
    rc, out, err = c("db", "current")
    assert rc == 0 and "no schema (run `mpp db upgrade`)" in out
    from antrian.storage.db import HEAD_REVISION

    rc, out, err = c("db", "upgrade")
    assert rc == 0 and out.strip() == f"database {c.url} is at revision {HEAD_REVISION}"
    assert c.json("db", "current") == {"database": c.url, "revision": HEAD_REVISION}
    assert c.json("db", "upgrade")["revision"] == HEAD_REVISION  # idempotent


def test_catalogue_text_and_json(cli):
    rc, out, err = cli("catalogue")
    assert rc == 0 and err == ""
    assert out.startswith("MPP Uji (Kota Uji, Asia/Jakarta)")
    assert "[K] Disdukcapil" in out and "ktp" in out and "quota 400" in out and "pdam-baru" in out
    data = cli.json("catalogue")
    assert data["hall"] == {"name": "MPP Uji", "city": "Kota Uji", "timezone": "Asia/Jakarta"}
    assert [a["code"] for a in data["agencies"]] == ["dukcapil", "pdam", "pajak"]
    assert [a["prefix"] for a in data["agencies"]] == ["K", "P", "J"]
    svc = {s["code"]: s for a in data["agencies"] for s in a["services"]}
    assert svc["pdam-baru"]["quota"] == 2 and svc["ktp"]["hours"]["mon"] == ["00.00-23.59"]
    counters = {c["code"]: c["services"] for c in data["counters"]}
    assert counters == {"7": ["ktp", "kk"], "8": ["ktp", "kk"], "3": ["pdam-bayar"],
                        "4": ["pdam-bayar", "pdam-baru"], "10": ["pbb"]}


# ------------------------------------------------------------------------------------ issue, call


ISSUE_KEYS = {"id", "number", "service", "agency", "priority", "ahead", "eta_minutes", "issued_at", "token"}


def test_issue_json(cli):
    a = cli.json("issue", "ktp")
    assert ISSUE_KEYS <= set(a)
    assert (a["number"], a["service"], a["agency"], a["priority"], a["ahead"], a["eta_minutes"]) == (
        "K-001", "ktp", "dukcapil", None, 0, 0)
    assert re.fullmatch(r"MPP-\d{8}-K001-[0-9A-Z]{6}", a["token"])
    issued = datetime.fromisoformat(a["issued_at"])
    assert issued.tzinfo is not None and abs((datetime.now(JKT) - issued).total_seconds()) < 120
    b = cli.json("issue", "kk")
    assert (b["number"], b["ahead"]) == ("K-002", 0)
    c = cli.json("issue", "ktp", "--priority", "lansia")
    assert (c["number"], c["priority"], c["ahead"]) == ("K-003", "lansia", 0)
    d = cli.json("issue", "ktp")
    assert d["ahead"] == 2 and d["eta_minutes"] == 20
    assert len({a["id"], b["id"], c["id"], d["id"]}) == 4


def test_issue_text(cli):
    rc, out, err = cli("issue", "pdam-bayar")
    assert rc == 0 and err == ""
    assert out.strip() == "P-001  Bayar Rekening Air  ahead 0, ~0 min"


def test_global_options_after_the_subcommand(cli):
    """The documented form `mpp issue SERVICE --json`: global options also after the subcommand."""
    rc, out, err = cli("issue", "ktp", "--priority", "anak", "--json")
    assert rc == 0, err
    assert ISSUE_KEYS <= set(json.loads(out))
    rc, out, err = cli("call", "7", "--json")
    assert rc == 0 and json.loads(out)["number"] == "K-001"
    rc, out, err = cli("status", "--json")
    assert rc == 0 and "services" in json.loads(out)
    # --db / --config after the subcommand too (the fixture also passes them first; the later wins)
    other = cli.tmp / "other.sqlite3"
    rc, out, err = cli("issue", "kk", "--db", f"sqlite:///{other}", "--json")
    assert rc == 0 and json.loads(out)["number"] == "K-001" and other.exists()


def test_call_and_nobody_waiting(cli):
    rc, out, err = cli("call", "7")
    assert rc == 3
    assert one_line_error(rc, out, err) == "mpp: nobody is waiting for counter 7"
    cli.json("issue", "ktp", "--priority", "anak")
    cli.json("issue", "kk")
    t = cli.json("call", "7", "--officer", "ani")
    assert (t["number"], t["status"], t["counter"], t["priority"]) == ("K-001", "called", "7", "anak")
    rc, out, err = cli("call", "8")
    assert rc == 0 and out.strip() == "call: K-002 at counter 8 (called)"


STATUS_BUG = (
    "BUG: QueueService._move returns a Ticket whose status is a str (Status.X.value), so "
    "cli.ticket_json crashes on ticket.status.value (traceback); see "
    "test_store.py::test_actions_return_tickets_with_a_status_enum"
)


def test_counter_workflow(cli):
    for _ in range(4):
        cli.json("issue", "ktp")
    cli.json("issue", "pdam-bayar")
    assert cli.json("call", "7", "--officer", "ani")["number"] == "K-001"
    r = cli.json("recall", "7", "--officer", "ani")
    assert (r["number"], r["recall_count"], r["status"]) == ("K-001", 1, "called")
    assert cli.json("start", "7")["status"] == "serving"
    assert cli.json("finish", "7")["status"] == "done"

    assert cli.json("call", "7")["number"] == "K-002"
    assert cli.json("no-show", "7")["status"] == "no_show"

    assert cli.json("call", "7")["number"] == "K-003"
    assert cli.json("park", "7")["status"] == "parked"
    assert cli.json("call", "8")["number"] == "K-004"
    assert cli.json("unpark", "7", "K-003")["status"] == "called"
    moved = cli.json("transfer", "7", "--to-service", "pdam-bayar")
    assert (moved["number"], moved["service"], moved["status"]) == ("K-003", "pdam-bayar", "waiting")
    # the transferred citizen keeps the place of arrival: before P-001
    assert cli.json("call", "3")["number"] == "K-003"
    assert cli.json("finish", "3")["status"] == "done"
    moved = cli.json("transfer", "8", "--to-counter", "7")
    assert (moved["number"], moved["service"]) == ("K-004", "ktp")
    rc, out, err = cli("call", "8")
    assert rc == 3  # sent to loket 7 only
    assert cli.json("call", "7")["number"] == "K-004"
    rc, out, err = cli("transfer", "7", "--to-counter", "8")
    assert rc == 0 and out.strip() == "transferred: K-004 now waits for ktp at counter 8"

    p = cli.json("call-number", "3", "P-001")
    assert (p["number"], p["status"], p["counter"]) == ("P-001", "called", "3")
    c = cli.json("cancel", "P-001", "--officer", "spv", "--reason", "salah loket")
    assert c["status"] == "cancelled"
    rc, out, err = cli("call", "3")
    assert rc == 3  # the cancel freed the counter and nothing is left for it


def test_call_number_by_qr_token(cli):
    a = cli.json("issue", "kk")
    cli.json("issue", "kk")
    t = cli.json("call-number", "8", f"https://mpp.example.go.id/t/{a['token']}")
    assert t["id"] == a["id"] and t["status"] == "called"


def _prepare(cli, command):
    """Issue two tickets and bring loket 7 to where `command` makes sense."""
    cli.json("issue", "ktp")
    cli.json("issue", "ktp")
    if command in ("start", "finish", "no-show", "park", "recall"):
        cli.json("call", "7")
    if command == "unpark":
        cli.json("call", "7")
        cli("park", "7")


@pytest.mark.parametrize("json_flag", [True, False], ids=["json", "text"])
@pytest.mark.parametrize("command, extra, status", [
    pytest.param("recall", (), "called"),
    pytest.param("start", (), "serving"),
    pytest.param("finish", (), "done"),
    pytest.param("no-show", (), "no_show"),
    pytest.param("park", (), "parked"),
    pytest.param("unpark", ("K-001",), "called"),
    pytest.param("call-number", ("K-002",), "called"),
    pytest.param("cancel", ("K-002",), "cancelled"),
])
def test_each_counter_command_prints_its_result(cli, command, extra, status, json_flag):
    _prepare(cli, command)
    args = (command, *extra) if command == "cancel" else (command, "7", *extra)
    rc, out, err = cli(*args, *(("--json",) if json_flag else ()))
    assert rc == 0 and err == "", err
    if json_flag:
        assert json.loads(out)["status"] == status
    elif command == "cancel":
        assert out == "cancelled: K-002\n"
    else:
        assert re.fullmatch(rf"{command}: K-00\d at counter 7 \({status}\)\n", out), out


def test_counter_open_pause_close(cli):
    assert cli.json("counter-open", "7", "--officer", "ani") == {"counter": "7", "status": "open", "officer": "ani",
                                                                 "reason": None}
    p = cli.json("counter-pause", "7", "--reason", "sholat")
    assert (p["status"], p["reason"]) == ("paused", "sholat")
    assert cli.json("counter-pause", "8")["reason"] == "istirahat"
    assert cli.json("counter-close", "7")["status"] == "closed"
    cli.json("issue", "ktp")
    cli.json("call", "7")
    rc, out, err = cli("counter-close", "7")
    assert rc == 5 and "K-001" in one_line_error(rc, out, err)
    assert cli.json("counter-close", "7", "--force")["status"] == "closed"
    assert cli.json("call", "8")["number"] == "K-001"  # back in the queue


def test_status_json(cli):
    cli.json("issue", "ktp")
    cli.json("issue", "ktp", "--priority", "lansia")
    cli.json("issue", "pdam-bayar")
    cli.json("call", "3", "--officer", "budi")
    st = cli.json("status")
    services = {s["service"]: s for s in st["services"]}
    assert set(services) == {"ktp", "kk", "pdam-bayar", "pdam-baru", "pbb"}
    assert (services["ktp"]["waiting"], services["ktp"]["waiting_priority"], services["ktp"]["issued_today"]) == (2, 1, 2)
    assert services["ktp"]["oldest_wait_s"] >= 0 and services["kk"]["oldest_wait_s"] is None
    assert services["pdam-bayar"]["waiting"] == 0 and services["pdam-bayar"]["issued_today"] == 1
    counters = {c["counter"]: c for c in st["counters"]}
    assert (counters["3"]["ticket"], counters["3"]["ticket_status"], counters["3"]["officer"],
            counters["3"]["status"]) == ("P-001", "called", "budi", "open")
    assert counters["7"]["ticket"] is None
    rc, out, err = cli("status")
    assert rc == 0 and "MPP Uji" in out and "loket   3  open    P-001" in out


def test_events(cli):
    base = max(json.loads(line)["id"] for line in cli("--json", "events")[1].splitlines())  # the accounts
    cli.json("issue", "ktp")
    cli.json("call", "7", "--officer", "ani")
    rc, out, err = cli("--json", "events", "--after", str(base))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in rows] == ["day_rollover", "issued", "counter_opened", "called"]
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids)
    assert rows[-1]["number"] == "K-001" and rows[-1]["counter"] == "7" and rows[-1]["officer"] == "ani"
    rc, out, err = cli("--json", "events", "--after", str(ids[1]), "--limit", "1")
    assert [json.loads(line)["type"] for line in out.splitlines()] == ["counter_opened"]
    rc, out, err = cli("events", "--after", str(base))
    assert rc == 0 and len(out.splitlines()) == 4 and "called" in out.splitlines()[-1]


def office_hours_config(tmp_path: Path) -> Path:
    """The test hall with ordinary office hours (what a simulated day is meant for)."""
    data = hall_dict()
    data["defaults"]["hours"] = {d: ["08:00-12:00", "13:00-15:30"] for d in ("mon", "tue", "wed", "thu", "fri")}
    return write_toml(tmp_path / "office-hours.toml", data)


def _summary(cli, *args, config=None):
    data = cli.json("simulate", *args, config=config)
    assert isinstance(data.pop("wall_seconds"), float)
    return data


def test_simulate_is_deterministic(cli):
    cfg = str(office_hours_config(cli.tmp))
    before = cli.state()
    a = _summary(cli, "--agencies", "dukcapil", "--seed", "1", "--day", "2026-11-25", config=cfg)
    b = _summary(cli, "--agencies", "dukcapil", "--seed", "1", "--day", "2026-11-25", config=cfg)
    c = _summary(cli, "--agencies", "dukcapil", "--seed", "2", "--day", "2026-11-25", config=cfg)
    assert a == b
    assert a != c
    assert a["day"] == "2026-11-25" and a["seed"] == 1 and a["transactions"] > 0
    (ag,) = a["agencies"]
    assert ag["agency"] == "dukcapil" and ag["counters"] == 2
    assert ag["issued"] > 0 and ag["served"] + ag["no_show"] + ag["unserved"] == ag["issued"]
    assert ag["wait_p50_min"] is not None and ag["wait_p90_min"] >= ag["wait_p50_min"]
    assert cli.state() == before  # the simulation never writes to the hall's database
    # the default day (the next weekday) is reproducible too
    assert _summary(cli, "--agencies", "pdam", "--seed", "1", config=cfg) == _summary(
        cli, "--agencies", "pdam", "--seed", "1", config=cfg)
    rc, out, err = cli("simulate", "--agencies", "pdam,dukcapil", "--seed", "3", "--counters", "pdam=3",
                       "--tickets", "40", "--day", "2026-11-25", config=cfg)
    assert rc == 0 and err == ""
    assert "Simulasi hari Rabu, 25-11-2026 (seed 3)" in out
    rows = {line[:20].strip(): line[20:].split() for line in out.splitlines()[2:5]}
    assert set(rows) == {"Disdukcapil", "PDAM Tirta Benteng", "Jumlah"} and rows["PDAM Tirta Benteng"][0] == "3"


def test_simulate_a_hall_open_until_midnight(cli):
    _summary(cli, "--agencies", "dukcapil", "--seed", "1", "--day", "2026-11-25")


# ------------------------------------------------------------------------------------ bad input

BAD = [
    # (args, exit code, text expected in the message)
    (("issue", "nope"), 2, "unknown service 'nope'"),
    (("issue", "ktp", "--priority", "vip"), 2, "unknown priority group 'vip'"),
    (("issue",), 2, "the following arguments are required: service"),
    (("call", "99"), 2, "unknown counter '99'"),
    (("finish", "99"), 2, "unknown counter '99'"),
    (("counter-open", "99"), 2, "unknown counter '99'"),
    (("transfer", "7", "--to-counter", "99"), 2, "unknown counter '99'"),
    (("transfer", "7"), 2, "transfer needs --to-service"),
    (("transfer", "7", "--to-service", "nope"), 5, "has no ticket called"),
    (("recall", "7"), 5, "counter 7 has no ticket called"),
    (("start", "7"), 5, "has no ticket called"),
    (("no-show", "7"), 5, "has no ticket called"),
    (("park", "7"), 5, "has no ticket called"),
    (("unpark", "7", "K-001"), 5, "cannot unpark"),
    (("call-number", "7", "hello"), 2, "is not a ticket number"),
    (("call-number", "7", "K-999"), 6, "no ticket K-999 today"),
    (("call-number", "7", "P-001"), 5, "does not serve"),
    (("cancel", "K-999"), 6, "no ticket K-999"),
    (("simulate", "--tickets", "-3"), 2, "must not be negative"),
    (("simulate", "--tickets", "many"), 2, "is not a whole number"),
    (("simulate", "--day", "2026-13-01"), 2, "is not a date"),
    (("simulate", "--no-show", "2"), 2, "must be between 0 and 1"),
    (("simulate", "--counters", "dukcapil"), 2, "--counters takes AGENCY=N"),
    (("simulate", "--counters", "dukcapil=abc"), 2, "is not a whole number"),
    (("simulate", "--counters", "dukcapil=0"), 2, "must be between 1 and 50"),
    (("simulate", "--counters", "nope=2"), 2, "unknown agency 'nope'"),
    (("simulate", "--agencies", "nope"), 2, "unknown agency 'nope'"),
    (("events", "--after", "-1"), 2, "must not be negative"),
    (("frobnicate",), 2, "invalid choice: 'frobnicate'"),
    (("db", "frobnicate"), 2, "invalid choice"),
    (("--no-such-flag", "status"), 2, "unrecognized arguments"),
]


@pytest.mark.parametrize("args, code, text", BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_input_is_one_line_and_changes_nothing(cli, args, code, text):
    cli.json("issue", "ktp")
    cli.json("issue", "pdam-bayar")
    before = cli.state()
    rc, out, err = cli(*args)
    line = one_line_error(rc, out, err)
    assert rc == code, (rc, line)
    assert text in line, line
    assert cli.state() == before


def test_closed_service(cli):
    cli.json("issue", "ktp")
    before = cli.state()
    rc, out, err = cli("issue", "pbb")
    line = one_line_error(rc, out, err)
    assert rc == 4
    opens = cli.closed_opens
    assert f"closed now (opens {WEEKDAY_NAMES[opens.weekday()]} {opens:%d %B} 07:45)" in line, line
    assert cli.state() == before


def test_quota_full(cli):
    cli.json("issue", "pdam-baru")
    cli.json("issue", "pdam-baru")
    before = cli.state()
    rc, out, err = cli("issue", "pdam-baru")
    assert rc == 4
    assert one_line_error(rc, out, err) == "mpp: today's quota for 'Pasang Baru' is full (2/2)"
    assert cli.state() == before


@pytest.mark.parametrize("url, text", [
    ("postgresql://nobody@127.0.0.1:1/x", "cannot use the database"),
    ("sqlite:////no/such/folder/mpp.sqlite3", "does not exist"),
    ("http://example.org/db", "unsupported database"),
])
@pytest.mark.parametrize("args", [("issue", "ktp"), ("call", "7"), ("status",), ("db", "upgrade"),
                                  ("db", "current")])
def test_unreachable_database(cli, url, text, args):
    before = cli.state()
    rc, out, err = cli(*args, db=url)
    line = one_line_error(rc, out, err)
    assert rc == 7 and text in line, line
    assert cli.state() == before


def _bad_config(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.toml"
    if kind == "missing":
        return path
    if kind == "not-toml":
        path.write_text("this is = = not toml\n")
        return path
    data = hall_dict()
    if kind == "unknown-key":
        data["hall"]["colour"] = "red"
    elif kind == "duplicate-prefix":
        data["agency"][1]["prefix"] = "K"
    return write_toml(path, data)


@pytest.mark.parametrize("kind", ["missing", "not-toml", "unknown-key", "duplicate-prefix"])
def test_bad_config_file(cli, kind):
    path = _bad_config(cli.tmp, kind)
    before = cli.state()
    rc, out, err = cli("issue", "ktp", config=str(path))
    assert rc == 2
    assert "Traceback" not in err
    assert err.startswith(f"mpp: configuration error in {path}"), err
    assert out == ""
    assert cli.state() == before


def test_bad_config_file_is_one_line(cli):
    path = _bad_config(cli.tmp, "unknown-key")
    rc, out, err = cli("issue", "ktp", config=str(path))
    one_line_error(rc, out, err)


def test_config_that_is_a_folder(cli):
    rc, out, err = cli("issue", "ktp", config=str(cli.tmp))
    assert rc == 2
    one_line_error(rc, out, err)


# ------------------------------------------------------------------------------------ real process


def _mpp_exe() -> Path:
    exe = Path(sys.executable).parent / "mpp"
    if not exe.exists():
        pytest.skip(f"no `mpp` console script next to {sys.executable} (install the project)")
    return exe


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPP_")}
    env["MPP_DATA_DIR"] = str(tmp_path / "data")
    env.pop("QT_QPA_PLATFORM", None)
    return env


def test_mpp_issue_as_a_real_process_imports_no_qt(cli, tmp_path):
    exe = _mpp_exe()
    args = ["--db", cli.url, "--config", str(cli.config), "--json", "issue", "ktp", "--priority", "lansia"]
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, env=_env(tmp_path), timeout=60,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert ISSUE_KEYS <= set(data) and data["number"] == "K-001" and data["priority"] == "lansia"

    # the same command with the import log: no Qt module is imported
    proc = subprocess.run([sys.executable, "-X", "importtime", str(exe), *args], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert imported, "no import log"
    qt = [m for m in imported if m.split(".")[0] in ("PySide6", "shiboken6")]
    assert qt == [], qt
    assert json.loads(proc.stdout)["number"] == "K-002"

    # and through sys.modules, for every headless command
    code = (
        "import json, sys\n"
        "from mpp.cli import main\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    main(argv)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))),"
        " file=sys.stderr)\n"
    )
    base = ["--db", cli.url, "--config", str(cli.config), "--json"]
    argvs = [base + a for a in (["issue", "kk"], ["call", "7"], ["status"], ["events"], ["catalogue"],
                                ["db", "current"])]
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(argvs)], capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []


def test_user_error_in_a_real_process(cli, tmp_path):
    exe = _mpp_exe()
    proc = subprocess.run([str(exe), "--db", cli.url, "--config", str(cli.config), "issue", "nope"],
                          capture_output=True, text=True, env=_env(tmp_path), timeout=60, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "" and proc.stderr == "mpp: unknown service 'nope' (see `mpp catalogue`)\n"
