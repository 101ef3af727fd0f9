"""The kiosk's printing flow below the window: the PrintDesk (serial worker, status check before
printing, what staff sees), the real network backend against the fake ESC/POS printer on
127.0.0.1, and the `mpp printer test|status|reprint` and `mpp kiosk-pin` commands."""

from __future__ import annotations

import io
import json
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from antrian.config import PrinterSettings  # noqa: E402
from antrian.services.auth import verify_pin  # noqa: E402
from printer.fakes import FakeTicketPrinter  # noqa: E402
from printer.model import PrinterStatus  # noqa: E402
from tests.conftest import ONE_COUNTER_HALL_TOML


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))


def wait(qtbot, cond, timeout=5000):
    qtbot.waitUntil(lambda: bool(cond()), timeout=timeout)


@pytest.fixture
def desk_for(qapp, hall, clock):
    from qtshared.common import Runner
    from kiosk.printing import PrintDesk

    runners = []

    def make(printer, check_status=True):
        r = Runner(max_workers=1, name="test-printer")
        runners.append(r)
        return PrintDesk(printer, r, hall, clock, check_status=check_status)

    yield make
    for r in runners:
        r.shutdown(wait=True)


# ------------------------------------------------------------------------------ PrintDesk

@pytest.mark.ui
def test_desk_prints_in_order_and_keeps_failures_for_reprint(qtbot, desk_for, queue):
    printer = FakeTicketPrinter(status=PrinterStatus(True, "ok", False, "ready"))  # answers, then drops
    desk = desk_for(printer)
    a, b, c = (queue.issue("kk") for _ in range(3))
    outcomes = []
    printer.fail_with("lost", times=1)
    for issued in (a, b, c):
        desk.print_issued(issued, outcomes.append)
    wait(qtbot, lambda: len(outcomes) == 3)
    assert [o.number for o in outcomes] == ["K-001", "K-002", "K-003"]  # serial: in order
    assert outcomes[0].error.kind == "lost" and outcomes[1].error is None
    assert [t.number for t in printer.printed] == ["K-002", "K-003"]
    assert list(desk.unprinted) == ["K-001"]
    assert desk.warning is None  # a later print succeeded
    assert desk.last_error_number == "K-001"
    desk.print_issued(desk.unprinted["K-001"], outcomes.append, reprint=True)
    wait(qtbot, lambda: len(outcomes) == 4)
    assert printer.printed[-1].reprint and not desk.unprinted


@pytest.mark.ui
def test_desk_checks_status_first_unless_told_not_to(qtbot, desk_for, queue):
    printer = FakeTicketPrinter(status=PrinterStatus(True, "ok", True, "cover open"))
    desk = desk_for(printer)
    done = []
    desk.print_issued(queue.issue("kk"), done.append)
    wait(qtbot, lambda: done)
    assert done[0].error.kind == "cover_open" and printer.attempts == []
    assert desk.warning == "failed"
    unchecked = desk_for(printer, check_status=False)
    unchecked.print_issued(queue.issue("kk"), done.append)
    wait(qtbot, lambda: len(done) == 2)
    assert done[1].error is None and len(printer.printed) == 1


@pytest.mark.ui
def test_desk_test_ticket_and_status(qtbot, desk_for):
    printer = FakeTicketPrinter()
    desk = desk_for(printer)
    done = []
    desk.print_test(done.append)
    wait(qtbot, lambda: done)
    assert printer.printed[0].test and not desk.unprinted
    printer.fail_with("offline")
    got = []
    desk.refresh_status(got.append)
    wait(qtbot, lambda: got)
    assert not got[0].online and desk.warning == "offline"


@pytest.mark.ui
def test_desk_with_the_network_backend_on_loopback(qtbot, desk_for, queue, escpos_server):
    from printer.backends import build_ticket_printer

    printer = build_ticket_printer(PrinterSettings(backend="network", host="127.0.0.1",
                                                   port=escpos_server.port, timeout=2.0))
    desk = desk_for(printer)
    issued = queue.issue("ktp")
    done = []
    escpos_server.set_paper("near_end")
    desk.print_issued(issued, done.append)
    wait(qtbot, lambda: done)
    assert done[0].error is None
    assert issued.qr_text.encode() in bytes(escpos_server.connections[-1].data)
    assert desk.warning == "paper_near_end"  # learnt from the backend's own status query
    escpos_server.set_paper("out")
    desk.print_issued(queue.issue("ktp"), done.append)
    wait(qtbot, lambda: len(done) == 2)
    assert done[1].error.kind == "paper_out"
    assert desk.status.paper == "out" and "K-002" in desk.unprinted
    escpos_server.set_paper("ok")
    escpos_server.mode = "hangup"
    desk.print_issued(queue.issue("ktp"), done.append)
    wait(qtbot, lambda: len(done) == 3)
    assert done[2].error.kind == "lost"


@pytest.mark.ui
def test_desk_when_the_printer_refuses_connections(qtbot, desk_for, queue, free_port):
    from printer.backends import build_ticket_printer

    printer = build_ticket_printer(PrinterSettings(backend="network", host="127.0.0.1", port=free_port,
                                                   timeout=1.0))
    desk = desk_for(printer)
    done = []
    desk.print_issued(queue.issue("kk"), done.append)
    wait(qtbot, lambda: done)
    assert done[0].error.kind == "refused"
    assert desk.warning == "failed" and not desk.status.online


def test_ticket_print_is_indonesian_in_hall_time(hall, queue):
    from printer.content import ticket_print_for

    issued = queue.issue("ktp", priority="ibu-hamil")
    tp = ticket_print_for(issued, hall)
    assert (tp.number, tp.agency, tp.service, tp.priority_label) == ("K-001", "Disdukcapil", "KTP-el", "Ibu Hamil")
    assert tp.issued_at.hour == 9 and tp.qr_text == issued.qr_text and not tp.reprint


# ------------------------------------------------------------------------------ commands

@pytest.fixture
def station(tmp_path):
    def write(printer_toml: str) -> str:
        path = tmp_path / "station.toml"
        path.write_text(f"[printer]\n{printer_toml}\n", encoding="utf-8")
        return str(path)

    return write


def mpp(*argv) -> int:
    from mpp.cli import main

    return main(list(argv))


def test_kiosk_pin_hash_verifies(capsys):
    assert mpp("kiosk-pin", "--pin", "482913") == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("scrypt$") and verify_pin("482913", out) and not verify_pin("0000", out)


def test_kiosk_pin_from_stdin_twice(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("735194\n735194\n"))
    assert mpp("--json", "kiosk-pin") == 0
    assert verify_pin("735194", json.loads(capsys.readouterr().out)["admin_pin_hash"])
    monkeypatch.setattr("sys.stdin", io.StringIO("735194\n735195\n"))
    assert mpp("kiosk-pin") == 2
    assert "differ" in capsys.readouterr().err


@pytest.mark.parametrize("pin", ["12", "12ab", "0000", "1111111", "1234567890123"])
def test_kiosk_pin_refuses_weak_or_bad(capsys, pin):
    assert mpp("kiosk-pin", "--pin", pin) == 2
    assert capsys.readouterr().err.startswith("mpp: ")


@pytest.mark.parametrize("pin", ["7351", "73519"])
def test_kiosk_pin_refuses_fewer_than_six_digits(capsys, monkeypatch, pin):
    assert mpp("kiosk-pin", "--pin", pin) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "PIN terlalu pendek" in err and "at least 6 digits" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{pin}\n{pin}\n"))  # the same refusal from a pipe
    assert mpp("kiosk-pin") == 2
    assert "at least 6 digits" in capsys.readouterr().err


def test_printer_status_and_test_dummy(capsys, station, db_url):
    st = station('backend = "dummy"')
    assert mpp("--db", db_url, "--station", st, "--json", "printer", "status") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["online"] and data["can_print"] and "dummy" in data["printer"]
    assert mpp("--db", db_url, "--station", st, "printer", "test") == 0
    assert "test ticket printed" in capsys.readouterr().out




def test_printer_reprint_to_preview(capsys, station, db_url, tmp_path):
    from antrian.bootstrap import build_context
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade

    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(ONE_COUNTER_HALL_TOML, encoding="utf-8")
    folder = tmp_path / "tickets"
    st = station(f'backend = "preview"\npreview_dir = "{folder}"\npaper = "58mm"\nprofile = "POS-5890"')
    upgrade(db_url)
    ctx = build_context(db=db_url, config=str(hall_file), station=st)
    store = SqlStore(db_url)
    try:
        issued = QueueService(ctx.hall, store).issue("ktp")
    finally:
        store.dispose()
    base = ("--db", db_url, "--config", str(hall_file), "--station", st)
    assert mpp(*base, "printer", "reprint", issued.ticket.number) == 0
    out = capsys.readouterr().out
    assert issued.ticket.number in out and ".png" in out
    assert len(list(folder.glob("*.png"))) == 1
    assert mpp(*base, "printer", "reprint", issued.qr_text) == 0
    assert len(list(folder.glob("*.png"))) == 2
    assert mpp(*base, "printer", "reprint", "K-999") == 6
    assert "K-999" in capsys.readouterr().err


def test_printer_offline_is_reported_not_crashed(capsys, station, db_url, free_port):
    st = station(f'backend = "network"\nhost = "127.0.0.1"\nport = {free_port}\ntimeout = 1.0')
    assert mpp("--db", db_url, "--station", st, "printer", "status") == 1
    assert "tidak terhubung" in capsys.readouterr().out.lower()
    assert mpp("--db", db_url, "--station", st, "printer", "test") == 9
    err = capsys.readouterr().err
    assert err.startswith("mpp: ") and "refused" in err


def test_printer_needs_a_subcommand_and_kiosk_size_pairs(capsys):
    assert mpp("printer") == 2
    assert mpp("kiosk", "--width", "1080") == 2
    assert "--height" in capsys.readouterr().err


def test_printer_reprint_prints_the_current_state_and_json_failures(capsys, station, db_url, tmp_path):
    """Issue 15, points 7 and 11: a called ticket is reprinted as called; --json failures are JSON."""
    from antrian.bootstrap import build_context
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade

    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(ONE_COUNTER_HALL_TOML, encoding="utf-8")
    st = station('backend = "dummy"')
    upgrade(db_url)
    ctx = build_context(db=db_url, config=str(hall_file), station=st)
    store = SqlStore(db_url)
    try:
        q = QueueService(ctx.hall, store)
        called = q.issue("ktp")
        q.call_next("7")
        cancelled = q.issue("ktp")
        q.cancel(cancelled.ticket.number)
    finally:
        store.dispose()
    base = ("--db", db_url, "--config", str(hall_file), "--station", st)
    assert mpp(*base, "--json", "printer", "reprint", called.ticket.number) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["status"] == "called" and data["counter"] == "7" and data["ahead"] is None
    assert mpp(*base, "--json", "printer", "reprint", cancelled.ticket.number) == 5
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data == data | {"ok": False, "error": "ticket_not_reprintable", "exit_code": 5}
    assert "cancelled" in data["message"] and captured.err.startswith("mpp: ")
    assert mpp(*base, "--json", "printer", "reprint", "K-999") == 6
    assert json.loads(capsys.readouterr().out)["error"] == "ticket_not_found"


def test_printer_test_json_failure_is_json(capsys, station, db_url, free_port):
    st = station(f'backend = "network"\nhost = "127.0.0.1"\nport = {free_port}\ntimeout = 1.0')
    assert mpp("--db", db_url, "--station", st, "--json", "printer", "test") == 9
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["error"] == "printer_failed" and data["exit_code"] == 9
    assert data["kind"] == "refused"


def test_printer_test_with_status_checks_off_says_not_confirmed(capsys, station, db_url, escpos_server):
    st = station(f'backend = "network"\nhost = "127.0.0.1"\nport = {escpos_server.port}\n'
                 f'timeout = 1.0\ncheck_status = false')
    assert mpp("--db", db_url, "--station", st, "printer", "test") == 0
    out = capsys.readouterr().out
    assert "NOT confirmed" in out and "printed" not in out
    assert mpp("--db", db_url, "--station", st, "--json", "printer", "status") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["checked"] is False
