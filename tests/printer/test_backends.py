"""Building printers from [printer] settings; the file, preview and dummy backends; status bytes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from antrian.config import PrinterSettings
from printer.backends import (
    DummyTicketPrinter,
    FileTicketPrinter,
    PreviewTicketPrinter,
    TicketPrinter,
    build_ticket_printer,
    decode_status,
)
from printer.fakes import FakeTicketPrinter
from printer.layout import ticket_bytes
from printer.model import PAPER_58MM, PAPER_80MM, PrinterError, profile_for
from tests.printer.conftest import make_ticket

ROOT = Path(__file__).resolve().parents[2]


def settings(**kw) -> PrinterSettings:
    return PrinterSettings(**kw)


@pytest.mark.parametrize(
    "kw",
    [
        dict(backend="preview"),
        dict(backend="dummy"),
        dict(backend="network", host="10.0.0.21"),
        dict(backend="usb", usb_vendor=0x04B8, usb_product=0x0202),
        dict(backend="serial"),
        dict(backend="file"),
    ],
    ids=lambda kw: kw["backend"],
)
def test_every_backend_builds_without_touching_the_device(kw):
    printer = build_ticket_printer(settings(**kw))
    assert isinstance(printer, TicketPrinter)
    assert printer.describe()


def test_fake_is_a_ticket_printer():
    assert isinstance(FakeTicketPrinter(), TicketPrinter)


def test_cups_without_pycups_is_a_config_error():
    from escpos.printer import cups

    if cups.is_usable():
        pytest.skip("pycups is installed here")
    with pytest.raises(PrinterError) as e:
        build_ticket_printer(settings(backend="cups", cups_name="tiket"))
    assert e.value.kind == "config" and "pycups" in str(e.value)


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows refusal")
def test_win32raw_off_windows_is_a_config_error():
    with pytest.raises(PrinterError) as e:
        build_ticket_printer(settings(backend="win32raw", win_name="EPSON TM-T88III"))
    assert e.value.kind == "config" and "only on Windows" in str(e.value)


def test_unknown_profile_and_missing_logo_are_config_errors(tmp_path):
    with pytest.raises(PrinterError) as e:
        build_ticket_printer(settings(profile="TM-NOPE"))
    assert e.value.kind == "config" and "TM-NOPE" in str(e.value)
    with pytest.raises(PrinterError) as e:
        build_ticket_printer(settings(logo=str(tmp_path / "missing.png")))
    assert e.value.kind == "config" and "missing.png" in str(e.value)
    bad = tmp_path / "bad.png"
    bad.write_text("not an image")
    with pytest.raises(PrinterError) as e:
        build_ticket_printer(settings(logo=str(bad)))
    assert e.value.kind == "config"


def test_logo_by_name_is_looked_up_in_the_data_folder(tmp_path, monkeypatch):
    Image.new("L", (64, 32), 0).save(tmp_path / "logo-test.png")
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path))
    printer = build_ticket_printer(settings(backend="dummy", logo="logo-test.png"))
    assert printer.logo == tmp_path / "logo-test.png"
    printer.print_ticket(make_ticket())
    assert b"\x1dv0" in printer.last_bytes


def test_unknown_paper_is_a_config_error():
    with pytest.raises(PrinterError) as e:
        profile_for("76mm")
    assert e.value.kind == "config" and "58mm" in str(e.value)


def test_file_backend_writes_the_layout_bytes(tmp_path):
    device = tmp_path / "lp0"
    device.touch()
    printer = build_ticket_printer(settings(backend="file", device=str(device), paper="58mm",
                                            profile="RP-F10-58mm"))  # fmt: skip
    assert isinstance(printer, FileTicketPrinter)
    t = make_ticket()
    printer.print_ticket(t)
    assert device.read_bytes() == ticket_bytes(t, PAPER_58MM, None, "RP-F10-58mm")
    assert printer.status().online and printer.status().paper == "unknown"


def test_file_backend_without_the_device_is_offline(tmp_path):
    printer = build_ticket_printer(settings(backend="file", device=str(tmp_path / "nope" / "lp0")))
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(make_ticket())
    assert e.value.kind == "offline" and "does not exist" in str(e.value)
    assert not printer.status().online


def test_preview_backend_writes_a_png_per_ticket_and_remembers_it(tmp_path):
    seen = []
    printer = build_ticket_printer(settings(backend="preview", paper="58mm", preview_dir=str(tmp_path)),
                                   on_preview=seen.append)  # fmt: skip
    assert isinstance(printer, PreviewTicketPrinter)
    printer.print_ticket(make_ticket(number="K-012"))
    first = printer.last_path
    printer.print_ticket(make_ticket(number="K-012", reprint=True))
    assert first != printer.last_path and seen == [first, printer.last_path]
    for path in seen:
        assert path.parent == tmp_path
        assert re.fullmatch(r"\d{8}-\d{6}-K-012(-\d+)?\.png", path.name), path.name
        assert Image.open(path).width == PAPER_58MM.dots
    st = printer.status()
    assert st.online and st.paper == "ok"


def test_preview_backend_defaults_to_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path))
    printer = build_ticket_printer(settings(backend="preview"))
    printer.print_ticket(make_ticket())
    assert printer.last_path.parent == tmp_path / "tickets"


def test_dummy_backend_keeps_the_bytes():
    printer = build_ticket_printer(settings(backend="dummy", paper="80mm", profile="RP-F10-80mm"))
    assert isinstance(printer, DummyTicketPrinter)
    t = make_ticket()
    printer.print_ticket(t)
    assert printer.jobs == [ticket_bytes(t, PAPER_80MM, None, "RP-F10-80mm")]
    assert printer.tickets == [t] and printer.status().online


@pytest.mark.parametrize(
    "answers, online, paper, cover",
    [
        ((0x12, 0x12, 0x12), True, "ok", False),
        ((0x12, 0x12, 0x1E), True, "near_end", False),
        ((0x1A, 0x32, 0x7E), True, "out", False),  # paper end: offline bit explained by the paper
        ((0x1A, 0x16, 0x12), True, "ok", True),  # cover open
        ((0x1A, 0x52, 0x12), False, "ok", False),  # offline because of an error
        ((None, None, None), True, "unknown", None),
        ((0xFF, 0x00, 0x00), True, "unknown", None),  # not status bytes
    ],
)
def test_decode_status(answers, online, paper, cover):
    st = decode_status(*answers)
    assert (st.online, st.paper, st.cover_open) == (online, paper, cover)
    assert st.message


def test_importing_the_package_loads_neither_qt_nor_escpos_and_does_no_io(tmp_path):
    code = (
        "import sys, printer, printer.model, printer.layout, printer.preview, printer.backends, "
        "printer.fakes, printer.commands\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'escpos', 'PIL', 'qrcode')]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "MPP_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, env=env, timeout=60)
    assert not (tmp_path / "data").exists()


@pytest.fixture
def serial_printer_pty():
    """A serial 'printer' on a pseudo-terminal: answers DLE EOT with ``status``, keeps the rest."""
    if not sys.platform.startswith("linux"):
        pytest.skip("pseudo-terminals as serial ports: Linux only")
    import threading

    master, slave = os.openpty()
    state = {"status": {1: 0x12, 2: 0x12, 4: 0x12}, "answer": True, "data": bytearray()}

    def serve():
        pending = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            pending += chunk
            while (at := pending.find(b"\x10\x04")) != -1 and len(pending) >= at + 3:
                state["data"] += pending[:at]
                if state["answer"]:
                    os.write(master, bytes([state["status"].get(pending[at + 2], 0x12)]))
                pending = pending[at + 3 :]
            state["data"] += pending
            pending = b""

    threading.Thread(target=serve, daemon=True).start()
    yield os.ttyname(slave), state
    os.close(slave)
    os.close(master)


def test_serial_backend_checks_status_then_prints(serial_printer_pty):
    import time

    port, state = serial_printer_pty
    printer = build_ticket_printer(settings(backend="serial", serial_port=port, timeout=1.0,
                                            paper="58mm", profile="RP-F10-58mm"))  # fmt: skip
    t = make_ticket()
    start = time.monotonic()
    printer.print_ticket(t)
    assert time.monotonic() - start < 1.0  # status answers are read byte by byte, not after a timeout
    expected = ticket_bytes(t, PAPER_58MM, None, "RP-F10-58mm")
    deadline = time.monotonic() + 2
    while len(state["data"]) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bytes(state["data"]) == expected
    state["status"] = {1: 0x1A, 2: 0x32, 4: 0x7E}
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(t)
    assert e.value.kind == "paper_out"
    time.sleep(0.1)
    assert len(state["data"]) == len(expected)  # nothing sent
    state["answer"] = False
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(t)
    assert e.value.kind == "timeout"
