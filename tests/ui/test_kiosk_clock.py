"""A kiosk whose PC clock jumped more than a day (issue 10, SQLite): the citizen sees the usual
"no ticket, ask the staff" message and nothing about clocks; the staff screen says what happened
and what to do, until a ticket is issued again."""

from __future__ import annotations

import pytest

from printer.fakes import FakeTicketPrinter
from tests.ui.kiosk_helpers import close_kiosk, count_tickets, make_kiosk, tap

pytestmark = pytest.mark.ui


def test_a_clock_jump_is_a_staff_note_not_a_citizen_message(qtbot, qapp, queue, clock):
    if getattr(queue.store, "dialect", "") == "postgresql":
        pytest.skip("on PostgreSQL the server's clock decides: no jump to confirm")
    queue.issue("ktp")
    clock.advance(days=6)
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter())
    try:
        assert w.staff.clock_note.isHidden()
        tap(w.home.tiles["dukcapil"])
        tap(w.agency.buttons["ktp"])
        qtbot.waitUntil(lambda: not w.busy and w.message.isVisible(), timeout=5000)
        citizen = (w.message.title.text() + " " + w.message.text.text()).lower()
        assert "jam" not in citizen and "melompat" not in citizen and "petugas" in citizen
        assert count_tickets(queue) == 0  # nothing issued, nothing expired
        note = w.staff.clock_note
        assert not note.isHidden()
        assert "melompat 6 hari" in note.text() and "01-12-2026" in note.text() and "25-11-2026" in note.text()

        queue.confirm_new_day(officer="sri")
        w.message.dismiss()
        w.show_home()
        tap(w.home.tiles["dukcapil"])
        tap(w.agency.buttons["ktp"])
        qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
        assert note.isHidden()
    finally:
        close_kiosk(w, qapp)
