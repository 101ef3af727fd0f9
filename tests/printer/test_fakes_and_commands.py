"""FakeTicketPrinter (for other layers' tests) and the `mpp printer` helpers."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from printer.commands import error_text, status_text, test_ticket
from printer.fakes import FakeTicketPrinter
from printer.layout import ticket_bytes
from printer.model import PAPER_58MM, PrinterError, PrinterStatus, TicketPrint
from tests.printer.conftest import WIB, make_ticket
from tests.printer.escpos_text import texts


def test_fake_records_tickets():
    fake = FakeTicketPrinter()
    a, b = make_ticket(number="K-001"), make_ticket(number="K-002")
    fake.print_ticket(a)
    fake.print_ticket(b)
    assert fake.printed == [a, b] and fake.last == b
    assert fake.status() == PrinterStatus(True, "ok", False, "the printer is ready")


def test_fake_fails_until_recovered():
    fake = FakeTicketPrinter()
    fake.fail_with("paper_out")
    for _ in range(2):
        with pytest.raises(PrinterError) as e:
            fake.print_ticket(make_ticket())
        assert e.value.kind == "paper_out"
    assert fake.status().paper == "out" and fake.status().online  # not "offline"
    assert fake.printed == [] and len(fake.attempts) == 2
    fake.recover()
    fake.print_ticket(make_ticket())
    assert len(fake.printed) == 1


def test_fake_fails_a_number_of_times_with_a_message():
    fake = FakeTicketPrinter()
    fake.fail_with("timeout", "printer at 10.0.0.9:9100 did not answer within 3 s", times=1)
    assert not fake.status().online and "10.0.0.9" in fake.status().message
    with pytest.raises(PrinterError, match="10.0.0.9") as e:
        fake.print_ticket(make_ticket())
    assert e.value.kind == "timeout"
    fake.print_ticket(make_ticket())
    assert len(fake.printed) == 1 and fake.status().online


def test_fake_reports_the_status_it_is_given():
    fake = FakeTicketPrinter()
    fake.set_status(PrinterStatus(True, "near_end", False, "paper low"))
    assert fake.status().paper == "near_end"
    fake.fail_with("cover_open")
    assert fake.status().paper == "near_end"  # an explicit status wins
    fake.set_status(None)
    assert fake.status().cover_open is True


def test_fake_rejects_unknown_kinds_and_is_thread_safe():
    fake = FakeTicketPrinter()
    with pytest.raises(ValueError):
        fake.fail_with("jammed")  # type: ignore[arg-type]
    threads = [threading.Thread(target=lambda: [fake.print_ticket(make_ticket()) for _ in range(50)])
               for _ in range(4)]  # fmt: skip
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(fake.printed) == 200


def test_printer_error_kind_and_message():
    e = PrinterError("refused", "printer at 10.0.0.9:9100 refused the connection: is it switched on?")
    assert e.kind == "refused" and str(e).startswith("printer at 10.0.0.9:9100")
    with pytest.raises(ValueError):
        PrinterError("jammed", "x")  # type: ignore[arg-type]


def test_ticket_print_needs_an_aware_time():
    with pytest.raises(ValueError):
        make_ticket(issued_at=datetime(2026, 11, 28, 8, 15))


def test_test_ticket_prints_as_a_marked_test():
    now = datetime(2026, 11, 28, 7, 45, tzinfo=WIB)
    t = test_ticket("Mal Pelayanan Publik Kota Tangerang", "Kota Tangerang", "Terima kasih", now)
    assert isinstance(t, TicketPrint) and t.test and not t.reprint and t.issued_at == now
    lines = texts(ticket_bytes(t, PAPER_58MM))
    assert " TES PRINTER " in lines and "Bukan nomor antrean" in lines
    assert "Sabtu, 28 November 2026 07.45" in lines and "Terima kasih" in lines


@pytest.mark.parametrize(
    "status, starts",
    [
        (PrinterStatus(True, "ok", False, "the printer is ready"), "Printer siap / the printer is ready"),
        (PrinterStatus(True, "near_end", False, ""), "Printer siap, kertas hampir habis / the paper"),
        (PrinterStatus(True, "out", False, "x"), "Kertas printer habis / x"),
        (PrinterStatus(True, "ok", True, ""), "Penutup printer terbuka / the printer cover is open"),
        (PrinterStatus(online=False, message="refused\nthe connection"), "Printer tidak terhubung / refused the"),
        (PrinterStatus(True), "Printer terhubung (status kertas tidak diketahui) / "),
    ],
)
def test_status_text_is_one_line_indonesian_first(status, starts):
    text = status_text(status)
    assert text.startswith(starts) and "\n" not in text


def test_error_text():
    e = PrinterError("paper_out", "printer at 10.0.0.9:9100 ran out of paper: load a new roll and try again")
    assert error_text(e) == "Kertas printer habis / " + str(e)
