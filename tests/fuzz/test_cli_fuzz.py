"""Issue 10 (14): no traceback ever reaches a user. Random command lines built from the real
parser's subcommands and options, and random mutations of the hall and station TOML files, run
through mpp.cli.main against one SQLite file. For every run: the exit code is in the documented
set (0-9; never 70, the last-resort handler), a refusal is exactly one line on stderr, and a
refused command leaves the database as it was (failed logins excepted: they are recorded on
purpose and count towards the lockout). Bounded and deterministic: derandomize=True."""

from __future__ import annotations

import argparse
import copy
import io
import sqlite3
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antrian import paths
from mpp.cli import build_parser, main
from tests.conftest import hall_dict
from tests.integration.test_cli import write_toml

DOCUMENTED = set(range(0, 10))  # 0 done, 1-9 refused (see README "Exit codes"); 70 must never happen
# windows and sound: not headless (they would open a window or play audio); the web server
SKIP = {"kiosk", "counter", "monitor", "display", "demo", "announce", "survey",
        "serve"}  # serve runs the web server until stopped
PIN = "135790"
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

WORDS = ["", "7", "8", "99", "K-001", "K-999", "ktp", "kk", "dukcapil", "kepala", "budi", "admin",
         "supervisor", "officer", "-1", "0", "2026-11-30", "9999-12-31", "0001-01-01", "2026-13-01",
         "18446744073709551616", "9223372036854775808", "1e9", "x" * 41, "y" * 300, "<b>x</b><img src=a>",
         "Ä" * 60, "K-0\n01", "'; DROP TABLE tickets; --", "MPP-20261130-K001-ABCDEF", "/", ".", "1234",
         "135790", "nan", "lansia", "disdukcapil=6", "a,b,c"]


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...],
                                                                                        argparse.ArgumentParser]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                if name in SKIP:
                    continue
                out.append((prefix + (name,), child))
                out.extend(commands(child, prefix + (name,)))
    return out


PARSER = build_parser()
COMMANDS = commands(PARSER)
GLOBAL = {"--db", "--config", "--station", "-v", "--verbose", "-h", "--help"}


def argv_for(draw, path: tuple[str, ...], parser: argparse.ArgumentParser) -> list[str]:
    argv = list(path)
    value = st.one_of(st.sampled_from(WORDS), st.text(max_size=20))
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        if not action.option_strings:  # positional: usually given, sometimes left out
            if draw(st.integers(0, 9)) > 0:
                argv.append(draw(st.sampled_from(action.choices) if action.choices else value))
            continue
        if set(action.option_strings) & GLOBAL or not draw(st.booleans()):
            continue
        opt = action.option_strings[-1]
        if action.nargs == 0:
            argv.append(opt)
        else:
            choices = list(action.choices) if action.choices else None
            argv += [opt, draw(st.sampled_from(choices + ["zz"]) if choices else value)]
    return argv


def dump(db: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        # sqlite_sequence: the id counter moves with a recorded failed login
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name != 'sqlite_sequence'")]
        out = {}
        for t in tables:
            if t == "events":
                rows = con.execute("SELECT * FROM events WHERE type NOT IN ('login_failed', 'locked') "
                                   "ORDER BY id").fetchall()
            elif t == "users":
                rows = con.execute("SELECT username, full_name, role, pin_hash, disabled FROM users "
                                   "ORDER BY 1").fetchall()
            else:
                rows = con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            out[t] = rows
        return out
    finally:
        con.close()


@pytest.fixture
def hall_db(tmp_path, monkeypatch, capsys):
    for var in ("MPP_DB_URL", "MPP_CONFIG", "MPP_STATION", "MPP_USER", "MPP_PIN", "MPP_ALWAYS_OPEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("antrian.services.auth._N", 2**10)  # cheap hashes (the cost is in each hash)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: prompts refuse in one line
    db = tmp_path / "fuzz.sqlite3"
    config = write_toml(tmp_path / "hall.toml", hall_dict())
    base = ["--db", f"sqlite:///{db}", "--config", str(config)]
    assert main([*base, "db", "upgrade"]) == 0
    assert main([*base, "user", "add", "kepala", "--name", "Kepala", "--role", "admin", "--pin", PIN]) == 0
    monkeypatch.setenv("MPP_USER", "kepala")
    monkeypatch.setenv("MPP_PIN", PIN)
    assert main([*base, "issue", "ktp"]) == 0
    capsys.readouterr()
    return db, base, tmp_path


def check_run(capsys, db: Path, argv: list[str]) -> int:
    before = dump(db)
    capsys.readouterr()
    try:
        rc = main(argv)
    except SystemExit as e:  # --help
        rc = int(e.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out, (argv, err)
    assert rc in DOCUMENTED, (argv, rc, err)
    answer = rc == 1 and argv[-2:] == ["printer", "status"]  # "cannot print" is its answer, on stdout
    if rc != 0 and not answer:
        lines = err.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("mpp: "), (argv, err)
    if rc != 0:
        assert dump(db) == before, argv
    return rc


@FUZZ
@given(data=st.data())
def test_random_command_lines(hall_db, capsys, data):
    db, base, _ = hall_db
    path, parser = data.draw(st.sampled_from(COMMANDS), label="command")
    argv = argv_for(data.draw, path, parser)
    if data.draw(st.integers(0, 9)) == 0:
        argv.append(data.draw(st.sampled_from(["--json", "--officer", "--bogus", "--", "-x"])))
    check_run(capsys, db, [*base, *argv])


# ----------------------------------------------------------------------------- TOML mutations


def leaves(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from leaves(v, path + (k,))
    elif isinstance(node, list):
        yield path, node
        for i, v in enumerate(node):
            yield from leaves(v, path + (i,))
    else:
        yield path, node


NASTY = st.one_of(
    st.sampled_from(["", "x" * 300, "A" * 300, "Asia/" + "B" * 290, "{prefix}-{seq:020d}", "{prefix}{seq:999999999d}",
                     "{seq}", "{prefix}-{seq:03d}-" + "X" * 20, "<b>x</b>", "25:00-26:00", "08:00-07:00",
                     "Q", "1", "#zzzzzz", "lansia" * 5, "../../etc", "\x00"]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.lists(st.integers(-5, 2000), max_size=3),
)


def mutate(draw, doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        spots = [p for p, _ in leaves(doc) if p]
        if not spots:
            break
        path = draw(st.sampled_from(spots))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if draw(st.integers(0, 4)) == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(NASTY)
    return doc


def toml_safe(doc) -> bool:
    """write_toml writes inline values: skip what TOML cannot hold (NaN keys, huge ints are fine)."""
    try:
        text = "".join(f"{k} = {v!r}" for k, v in doc.items())
    except Exception:
        return False
    return "\x00" not in text


@FUZZ
@given(data=st.data())
def test_mutated_hall_file(hall_db, capsys, data):
    db, base, tmp = hall_db
    doc = mutate(data.draw, hall_dict())
    cfg = tmp / "mutated-hall.toml"
    try:
        write_toml(cfg, doc)
        tomllib.loads(cfg.read_text("utf-8"))
    except (TypeError, ValueError, tomllib.TOMLDecodeError):
        cfg.write_text("[hall\n" + repr(doc)[:200], "utf-8")  # not TOML at all: still one line
    command = data.draw(st.sampled_from([["status"], ["catalogue"], ["issue", "ktp"], ["call", "7"],
                                         ["audit"], ["events", "--limit", "3"]]))
    check_run(capsys, db, ["--db", base[1], "--config", str(cfg), *command])


STATIONS = sorted((paths.bundled_root() / "stations").glob("*.toml"))


@FUZZ
@given(data=st.data())
def test_mutated_station_file(hall_db, capsys, data):
    db, base, tmp = hall_db
    src = data.draw(st.sampled_from(STATIONS))
    doc = tomllib.loads(src.read_text("utf-8"))
    for key in ("db", "hall"):  # keep the test's own database and hall
        doc.pop(key, None)
    doc = mutate(data.draw, doc) if doc else doc
    cfg = tmp / "mutated-station.toml"
    try:
        write_toml(cfg, doc)
        tomllib.loads(cfg.read_text("utf-8"))
    except (TypeError, ValueError, tomllib.TOMLDecodeError):
        cfg.write_text("= nope\n", "utf-8")
    command = data.draw(st.sampled_from([["status"], ["printer", "status"], ["issue", "ktp"], ["call", "7"]]))
    check_run(capsys, db, [*base, "--station", str(cfg), *command])


# ----------------------------------------------------------------------------- the named inputs


@pytest.mark.parametrize("argv, code, text", [
    (["events", "--after", str(2**64)], 2, "too large"),
    (["events", "--after", str(2**63)], 2, "too large"),
    (["audit", "--date", "9999-12-31"], 2, "outside 2000-01-01..2999-12-31"),
    (["simulate", "--day", "9999-12-31"], 2, "outside 2000-01-01..2999-12-31"),
    (["counter-pause", "7", "--reason", "r" * 121], 2, "at most 120"),
    (["cancel", "K-001", "--reason", "r" * 121], 2, "at most 120"),
    (["call", "7", "--officer", "o" * 41], 2, "not a valid username"),
    (["user", "add", "u" * 41, "--name", "U", "--role", "officer", "--pin", "1234"], 2, "not a valid username"),
    (["user", "add", "uu", "--name", "U" * 121, "--role", "officer", "--pin", "1234"], 2, "1 to 120 characters"),
    (["call-number", "7", "K-0\n01"], 2, "\\n"),
    (["db"], 2, "needs an action"),
])
def test_named_inputs_give_one_line(hall_db, capsys, argv, code, text):
    db, base, _ = hall_db
    rc = check_run(capsys, db, [*base, *argv])
    assert rc == code


@pytest.mark.parametrize("hall, text", [
    ({"timezone": "Z" * 300}, "300 characters"),
    ({"timezone": "Asia/" + "J" * 250}, "characters"),
    ({"number_format": "{prefix}-{seq:020d}"}, "wider than 16"),
    ({"number_format": "{prefix}-NOMOR-ANTREAN-{seq:03d}"}, "at most 16 characters"),
    ({"number_format": "{prefix}{seq:999999999d}"}, "wider than 16"),
])
def test_hall_values_wider_than_their_columns(hall_db, capsys, hall, text):
    db, base, tmp = hall_db
    cfg = write_toml(tmp / "wide.toml", hall_dict(**hall))
    before = dump(db)
    capsys.readouterr()
    assert main(["--db", base[1], "--config", str(cfg), "issue", "ktp"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and text in err and "configuration error" in err, err
    assert dump(db) == before


def test_announce_wav_naming_a_folder(hall_db, capsys, tmp_path):
    db, base, _ = hall_db
    capsys.readouterr()
    assert main([*base, "announce", "K-001", "--counter", "7", "--wav", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a folder" in err


def test_sqlite_file_with_a_valid_header_and_corrupt_pages(tmp_path, capsys, monkeypatch):
    import random

    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    f = tmp_path / "broken.sqlite3"
    cfg = write_toml(tmp_path / "hall.toml", hall_dict())
    url = f"sqlite:///{f}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    for _ in range(20):
        assert main(["--db", url, "--config", str(cfg), "issue", "ktp"]) == 0
    con = sqlite3.connect(f)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(f.read_bytes())
    rnd = random.Random(1)
    for i in range(4096, len(data)):  # page 1 (the header and schema root) intact, the rest noise
        data[i] = rnd.randrange(256)
    f.write_bytes(bytes(data))
    for argv in (["status"], ["issue", "ktp"], ["events"], ["audit"], ["user", "list"]):
        capsys.readouterr()
        rc = main(["--db", url, "--config", str(cfg), *argv])
        err = capsys.readouterr().err
        assert rc in (2, 7) and err.count("\n") == 1 and err.startswith("mpp: "), (argv, rc, err)
        assert "Traceback" not in err
