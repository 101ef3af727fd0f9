"""The network backend against a fake ESC/POS printer on 127.0.0.1 (raw TCP, DLE EOT status)."""

from __future__ import annotations

import time

import pytest

from antrian.config import PrinterSettings
from printer.backends import NetworkTicketPrinter, build_ticket_printer
from printer.layout import ticket_bytes
from printer.model import PAPER_80MM, PrinterError
from tests.printer.conftest import make_ticket

TIMEOUT = 1.0


def network(port: int, **kw) -> NetworkTicketPrinter:
    settings = PrinterSettings(backend="network", host="127.0.0.1", port=port, timeout=TIMEOUT,
                               paper="80mm", profile="RP-F10-80mm", **kw)  # fmt: skip
    printer = build_ticket_printer(settings)
    assert isinstance(printer, NetworkTicketPrinter)
    return printer


def expected_bytes(t) -> bytes:
    return ticket_bytes(t, PAPER_80MM, None, "RP-F10-80mm")


def test_delivers_exactly_the_layout_bytes_after_a_status_check(escpos_server):
    t = make_ticket(priority_label="Lansia")
    printer = network(escpos_server.port)
    printer.print_ticket(t)
    escpos_server.wait_for_connections(1)
    conn = escpos_server.connections[0]
    assert bytes(conn.data) == expected_bytes(t)
    assert conn.queries == [1, 2, 4, 1, 2, 4]  # before and after the ticket
    kinds = [k for k, _ in conn.events]
    assert kinds[:3] == ["query"] * 3 and kinds[-3:] == ["query"] * 3
    assert printer.last_status.paper == "ok" and printer.last_status.online


def test_without_status_checks_only_the_ticket_is_sent(escpos_server):
    t = make_ticket()
    printer = network(escpos_server.port, check_status=False)
    printer.print_ticket(t)
    deadline = time.monotonic() + 2
    while (not escpos_server.connections or len(escpos_server.connections[0].data) < len(expected_bytes(t))) \
            and time.monotonic() < deadline:  # fmt: skip
        time.sleep(0.01)
    conn = escpos_server.connections[0]
    assert bytes(conn.data) == expected_bytes(t) and conn.queries == []


def test_each_ticket_is_its_own_connection(escpos_server):
    printer = network(escpos_server.port)
    printer.print_ticket(make_ticket(number="K-001"))
    printer.print_ticket(make_ticket(number="K-002"))
    escpos_server.wait_for_connections(2)
    assert [b"K-00%d" % i in c.data for i, c in enumerate(escpos_server.connections, 1)] == [True, True]


def test_connection_refused_is_reported_quickly(free_port):
    printer = network(free_port)
    start = time.monotonic()
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(make_ticket())
    assert time.monotonic() - start < TIMEOUT
    assert e.value.kind == "refused"
    assert str(e.value) == (
        f"printer at 127.0.0.1:{free_port} refused the connection: is it switched on and on the network?"
    )
    st = printer.status()
    assert not st.online and "refused" in st.message


def test_paper_out_fails_before_any_ticket_byte_is_sent(escpos_server):
    escpos_server.set_paper("out")
    printer = network(escpos_server.port)
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(make_ticket())
    assert e.value.kind == "paper_out"
    assert "out of paper" in str(e.value) and "new roll" in str(e.value)
    escpos_server.wait_for_connections(1)
    conn = escpos_server.connections[0]
    time.sleep(0.1)
    assert conn.queries and bytes(conn.data) == b""
    st = printer.status()
    assert st.online and st.paper == "out" and not st.can_print


def test_cover_open_fails_before_any_ticket_byte_is_sent(escpos_server):
    escpos_server.open_cover()
    printer = network(escpos_server.port)
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(make_ticket())
    assert e.value.kind == "cover_open"
    time.sleep(0.1)
    assert bytes(escpos_server.connections[0].data) == b""
    assert printer.status().cover_open is True


def test_paper_near_end_prints_and_the_status_says_so(escpos_server):
    escpos_server.set_paper("near_end")
    t = make_ticket()
    printer = network(escpos_server.port)
    printer.print_ticket(t)
    escpos_server.wait_for_connections(1)
    assert bytes(escpos_server.connections[0].data) == expected_bytes(t)
    assert printer.last_status.paper == "near_end"
    st = printer.status()
    assert st.online and st.paper == "near_end" and st.can_print and st.needs_attention
    assert "nearly finished" in st.message


def test_printer_hanging_up_mid_ticket_is_lost(escpos_server):
    escpos_server.mode = "hangup"
    escpos_server.hangup_after = 100
    t = make_ticket()
    printer = network(escpos_server.port)
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(t)
    assert e.value.kind == "lost"
    assert "reprint ticket K-012" in str(e.value)
    assert len(escpos_server.connections[0].data) < len(expected_bytes(t))


def test_printer_that_never_answers_times_out_within_the_timeout(escpos_server):
    escpos_server.mode = "silent"
    printer = network(escpos_server.port)
    start = time.monotonic()
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(make_ticket())
    elapsed = time.monotonic() - start
    assert e.value.kind == "timeout"
    assert elapsed < TIMEOUT + 1
    assert "did not answer the status query" in str(e.value) and "check_status = false" in str(e.value)
    start = time.monotonic()
    st = printer.status()
    assert not st.online and time.monotonic() - start < TIMEOUT + 1


def test_status_without_status_checks_is_just_reachability(escpos_server, free_port):
    assert network(escpos_server.port, check_status=False).status().online
    assert network(escpos_server.port, check_status=False).status().paper == "unknown"
    assert not network(free_port, check_status=False).status().online


def test_unknown_host_is_a_config_error():
    printer = build_ticket_printer(PrinterSettings(backend="network", host="printer.invalid", timeout=TIMEOUT))
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(make_ticket())
    assert e.value.kind in ("config", "offline", "timeout")
    assert "printer.invalid" in str(e.value)


def test_describe_names_host_paper_and_profile(free_port):
    assert network(free_port).describe() == f"printer at 127.0.0.1:{free_port} (80mm, RP-F10-80mm)"


# ------------------------------------------------------------------ issue 15, points 8 and 9

def _big_ticket_printer(port: int, **kw) -> NetworkTicketPrinter:
    # POS-5890 has no native QR: the raster QR makes the ticket about 11 kB, more than the
    # printer's buffer, as a real ticket with a logo is
    settings = PrinterSettings(backend="network", host="127.0.0.1", port=port, timeout=0.5,
                               paper="58mm", profile="POS-5890", **kw)  # fmt: skip
    return build_ticket_printer(settings)


def test_printer_that_never_reads_is_not_reported_as_printed(full_printer):
    from printer.backends import unsent_bytes
    import socket as _socket

    probe = _socket.socket()
    if unsent_bytes(probe) is None:
        probe.close()
        pytest.skip("this platform cannot tell unsent socket bytes (SIOCOUTQ / SO_NWRITE)")
    probe.close()
    printer = _big_ticket_printer(full_printer.port, check_status=False)
    with pytest.raises(PrinterError) as e:
        printer.print_ticket(make_ticket())
    assert e.value.kind == "timeout"
    assert "took only" in str(e.value) and "reprint ticket K-012" in str(e.value)
    assert printer.last_confirmed is None


def test_status_checks_off_the_status_does_not_claim_the_printer_is_ready(full_printer):
    from printer.commands import status_text

    st = _big_ticket_printer(full_printer.port, check_status=False).status()
    assert st.online and not st.checked and st.paper == "unknown"
    text = status_text(st)
    assert "tidak ditanya statusnya" in text and "siap" not in text.lower().split("/")[0]


def test_status_checks_off_a_reading_printer_is_sent_but_not_confirmed(escpos_server):
    printer = network(escpos_server.port, check_status=False)
    printer.print_ticket(make_ticket())
    assert printer.last_confirmed is False and not printer.last_status.checked
    printer = network(escpos_server.port)
    printer.print_ticket(make_ticket())
    assert printer.last_confirmed is True


class _Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_one_deadline_covers_the_whole_job(monkeypatch, free_port):
    """Every step gets only what is left of the one timeout (no timeout per step)."""
    import printer.escpos_base as escpos_base

    clock = _Clock()
    monkeypatch.setattr(escpos_base.time, "monotonic", clock)
    printer = network(free_port)  # TIMEOUT = 1.0
    printer._start_job()
    clock.t += 0.75
    assert printer._left("sending") == pytest.approx(0.25)

    class Sock:
        timeouts: list[float] = []

        def settimeout(self, v):
            self.timeouts.append(v)

    class Dev:
        device = Sock()

    printer._arm(Dev(), "sending")
    assert Dev.device.timeouts == [pytest.approx(0.25)]
    clock.t += 0.25
    with pytest.raises(PrinterError) as e:
        printer._arm(Dev(), "the status query after sending ticket K-012")
    assert e.value.kind == "timeout" and "within 1 s" in str(e.value)
