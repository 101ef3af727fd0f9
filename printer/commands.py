"""Pieces of the `mpp printer test|status` commands (the CLI wires argparse and the printer).

    printer = build_ticket_printer(station.printer)
    printer.print_ticket(test_ticket(hall.name, hall.city, hall.ticket_footer, now))
    print(status_text(printer.status()))
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from printer.model import PrinterError, PrinterStatus, TicketPrint

TEST_NUMBER = "T-000"


def test_ticket(hall_name: str, city: str, footer: str, now: datetime) -> TicketPrint:
    """A ticket marked 'TES PRINTER' that uses every part of the layout (``now``: aware, local)."""
    return TicketPrint(
        hall_name=hall_name,
        city=city,
        number=TEST_NUMBER,
        agency="Tes printer / Printer test",
        service="Contoh layanan / Sample service",
        priority_label=None,
        issued_at=now,
        ahead=0,
        eta_minutes=0,
        qr_text=f"MPP PRINTER TEST {now.isoformat(timespec='seconds')}",
        footer=footer,
        test=True,
    )


test_ticket.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def status_text(status: PrinterStatus) -> str:
    """One line, Bahasa Indonesia first then English, e.g.
    'Printer siap, kertas hampir habis / the paper roll is nearly finished: have a new roll ready'."""
    if status.cover_open:
        text, en = "Penutup printer terbuka", "the printer cover is open"
    elif status.paper == "out":
        text, en = "Kertas printer habis", "the printer is out of paper"
    elif not status.online:
        text, en = "Printer tidak terhubung", "the printer is offline"
    elif not status.checked:
        text, en = ("Printer menerima sambungan, tetapi tidak ditanya statusnya",
                    "it accepts connections; whether it prints is not known")
    elif status.paper == "near_end":
        text, en = "Printer siap, kertas hampir habis", "the paper roll is nearly finished"
    elif status.paper == "unknown":
        text, en = "Printer terhubung (status kertas tidak diketahui)", "the printer is connected"
    else:
        text, en = "Printer siap", "the printer is ready"
    return f"{text} / {' '.join(status.message.split()) or en}"


_ERROR_ID = {
    "offline": "Printer tidak terhubung",
    "refused": "Printer menolak sambungan",
    "timeout": "Printer tidak menjawab",
    "paper_out": "Kertas printer habis",
    "cover_open": "Penutup printer terbuka",
    "lost": "Sambungan ke printer terputus",
    "config": "Pengaturan printer salah",
}


def error_text(error: PrinterError) -> str:
    """One line for a failed print: Indonesian summary, then the English detail."""
    return f"{_ERROR_ID.get(error.kind, 'Gagal mencetak')} / {' '.join(str(error).split())}"


_STATE_LINES = {
    # status: (Indonesian, English); {at} = " ke/di Loket 7", {at_en} = " counter 7"
    "called": ("Sudah dipanggil: segera ke{at}", "Already called: go to{at_en} now"),
    "serving": ("Sedang dilayani di{at}", "Being served at{at_en}"),
    "parked": ("Ditunda di{at}: tunggu panggilan ulang", "On hold at{at_en}: wait to be called again"),
    "done": ("Sudah dilayani di{at}", "Already served at{at_en}"),
    "no_show": ("Tidak hadir saat dipanggil: hubungi petugas", "Absent when called: ask the staff"),
}


def reprint_state_lines(status: str, counter: str | None) -> tuple[str, ...]:
    """What a reprint of a ticket no longer waiting says instead of 'please wait' (``status``: a
    ticket status value); () for a waiting ticket."""
    pair = _STATE_LINES.get(status)
    if pair is None:
        return ()
    at = f" Loket {counter}" if counter else " loket"
    at_en = f" counter {counter}" if counter else " the counter"
    return tuple(line.format(at=at, at_en=at_en) for line in pair)


def for_reprint(t: TicketPrint, state: str, counter: str | None, requirements: tuple[str, ...] = ()) -> TicketPrint:
    """``t`` (already marked reprint) with what is true now: the state lines of a ticket no longer
    waiting (``state``: its status value), or the service's ``requirements`` for a waiting one.

        view = reprint_view(queue, ticket)               # antrian.services.reprint
        tp = for_reprint(ticket_print_for(view, hall, reprint=True), view.state.value,
                         view.counter_code, hall.service(ticket.service_code).requirements)
    """
    lines = reprint_state_lines(state, counter)
    return replace(t, state_lines=lines, requirements=() if lines else (t.requirements or tuple(requirements)))
