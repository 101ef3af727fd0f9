"""The kiosk's "Sudah booking?" screen: a typed (keypad) or scanned code checks in on the kiosk's
runner and hands the ticket on; a wrong code is one Indonesian sentence."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from antrian.fakes_booking import FakeBookingStore  # noqa: E402
from antrian.services.booking import BookingService  # noqa: E402
from kiosk.booking_screen import BookingCheckIn, BookingScreen  # noqa: E402
from qtshared.common import Runner  # noqa: E402

NIK = "3201014501900001"


@pytest.fixture
def kiosk_booking(qtbot, hall, clock):
    svc = BookingService(hall, FakeBookingStore(), clock)
    screen = BookingScreen()
    qtbot.addWidget(screen)
    runner = Runner(max_workers=1, name="test-db")
    issued: list = []
    ctl = BookingCheckIn(screen, svc, runner, "kiosk-1", issued.append)
    yield svc, screen, ctl, issued
    runner.shutdown(wait=True)


def test_keypad_code_checks_in_and_hands_the_ticket_on(qtbot, kiosk_booking, clock):
    svc, screen, ctl, issued = kiosk_booking
    day: date = svc.local_now().date()
    b = svc.book("ktp", day, "09:30", nik=NIK)  # the clock is 09:00: check-in opens now
    for ch in b.code:
        qtbot.mouseClick(screen.keys[ch], Qt.MouseButton.LeftButton)
    assert screen.code.text() == b.code
    screen.ok_button.click()
    qtbot.waitUntil(lambda: bool(issued))
    t = issued[0].ticket
    assert t.service_code == "ktp" and t.arrival_at == b.slot_start
    assert svc.find(b.code).status == "checked_in"
    assert screen.code.text() == ""


def test_scanned_qr_text_and_a_wrong_code(qtbot, kiosk_booking):
    svc, screen, ctl, issued = kiosk_booking
    screen.code.setText("MPPB-ZZZZZZZZ")  # a scanner types the QR text, then Enter
    qtbot.keyClick(screen.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "tidak ditemukan" in screen.message.text())
    assert issued == [] and not ctl.busy
    b = svc.book("ktp", svc.local_now().date(), "09:30", nik=NIK)
    screen.code.setText(b.qr_text)
    qtbot.keyClick(screen.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(issued))
    assert issued[0].ticket.arrival_at == b.slot_start


def test_window_sudah_booking_shows_the_ticket_on_the_result_screen(qtbot, qapp, hall, clock):
    from antrian.services.queue import QueueService
    from printer.fakes import FakeTicketPrinter
    from tests.ui.kiosk_helpers import close_kiosk, make_kiosk

    store = FakeBookingStore()
    svc = BookingService(hall, store, clock)
    queue = QueueService(hall, store, clock)
    b = svc.book("ktp", svc.local_now().date(), "09:30", phone="081234567890")
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), booking=svc)
    try:
        assert w.booking_screen.entry.isVisible()  # on the home screen
        w.booking_screen.entry.click()
        assert w.current() is w.booking_screen
        w.booking_screen.code.setText(b.code_display)
        w.booking_screen.ok_button.click()
        qtbot.waitUntil(lambda: w.current() is w.result)
        assert w.result.issued.ticket.arrival_at == b.slot_start
        w.booking_screen.entry.click()
        w.booking_screen.back_button.click()
        assert w.current() is w.home
    finally:
        close_kiosk(w)
