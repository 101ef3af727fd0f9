"""The citizen kiosk, offscreen, on a real SQLite queue and a FakeTicketPrinter: every flow of
issue 3 (agency -> service -> ticket shown and printed, quota full, closed, priority, language,
idle and result return, printer failure and reprint, database away, staff PIN, double tap)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from antrian.config import KioskSettings
from antrian.services.auth import hash_pin
from antrian.services.queue import QueueService
from printer.fakes import FakeTicketPrinter
from printer.model import PrinterStatus
from tests.ui.kiosk_helpers import (
    FakeMonotonic,
    FlakyStore,
    Gate,
    close_kiosk,
    count_tickets,
    flush,
    make_kiosk,
    tap,
)

pytestmark = pytest.mark.ui


@pytest.fixture
def printer():
    return FakeTicketPrinter()


@pytest.fixture
def kiosk(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer)
    yield w
    close_kiosk(w)


def issue_via_screen(qtbot, w, agency: str, service: str):
    tap(w.home.tiles[agency])
    assert w.current() is w.agency
    tap(w.agency.buttons[service])
    qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
    return w.result.issued


def enter_pin(qtbot, w, pin: str) -> None:
    for d in pin:
        tap(w.pin.pad.keys[d])
    tap(w.pin.pad.ok)
    qtbot.waitUntil(lambda: not w.busy, timeout=5000)


# ------------------------------------------------------------------------------ happy path

def test_agency_then_service_issues_shows_and_prints(qtbot, kiosk, printer, queue):
    w = kiosk
    issued = issue_via_screen(qtbot, w, "dukcapil", "ktp")
    assert issued.ticket.number == "K-001"
    assert w.result.number.text() == "K-001"
    assert "Disdukcapil" in w.result.where.text() and "KTP-el" in w.result.where.text()
    assert w.result.ahead.text() == "0"
    assert not w.result.qr.pixmap().isNull()
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=5000)
    tp = printer.printed[0]
    assert tp.number == "K-001"
    assert tp.service == "KTP-el"
    assert tp.agency == "Disdukcapil"
    assert tp.qr_text == issued.qr_text and tp.qr_text.startswith("MPP-")
    assert tp.priority_label is None
    assert tp.issued_at.utcoffset().total_seconds() == 7 * 3600  # hall time (WIB)
    assert tp.footer == queue.hall.ticket_footer
    qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)
    assert "ambil tiket" in w.result.print_box.text()
    # committed in the database, once
    assert queue.find_ticket("K-001").token in tp.qr_text
    assert count_tickets(queue) == 1


def test_home_shows_waiting_people_per_agency(qtbot, qapp, queue, printer):
    for _ in range(3):
        queue.issue("ktp")
    queue.issue("kk")
    w = make_kiosk(qtbot, qapp, queue, printer)
    try:
        qtbot.waitUntil(lambda: w.home.tiles["dukcapil"].state_label.text() == "4 menunggu", timeout=5000)
        tap(w.home.tiles["dukcapil"])
        assert w.agency.buttons["ktp"].state_label.text() == "3 menunggu \u00b7 sisa kuota 397"
        assert w.agency.buttons["kk"].state_label.text() == "1 menunggu"
    finally:
        close_kiosk(w)


def test_second_ticket_has_people_ahead(qtbot, kiosk, queue):
    queue.issue("ktp")
    issued = issue_via_screen(qtbot, kiosk, "dukcapil", "ktp")
    assert issued.ticket.number == "K-002"
    assert kiosk.result.ahead.text() == "1"
    assert "menit" in kiosk.result.eta.text()


# ------------------------------------------------------------------------------ refused services

def test_quota_full_is_refused_and_says_why(qtbot, kiosk, queue, printer):
    w = kiosk
    queue.issue("pdam-baru")
    queue.issue("pdam-baru")
    w.poll()
    qtbot.waitUntil(lambda: (w.availability or {}).get("pdam-baru") and not w.availability["pdam-baru"].open,
                    timeout=5000)
    tap(w.home.tiles["pdam"])
    button = w.agency.buttons["pdam-baru"]
    assert button.refused
    assert button.state_label.text() == "Kuota habis (2/2)"
    assert button.property("kind") == "refused"
    tap(button)
    assert w.message.isVisible()
    assert "(2/2)" in w.message.text.text() and "Pasang Baru" in w.message.text.text()
    QCoreApplication.processEvents()
    assert not w.busy  # nothing was sent to the database: the refusal is decided on screen
    assert w.current() is w.agency
    assert count_tickets(queue) == 2
    assert printer.attempts == []


def test_quota_filled_by_another_kiosk_meanwhile(qtbot, kiosk, queue, printer):
    """The button still looked open; the database refuses: a clear message, no ticket."""
    w = kiosk
    w.poll_timer.stop()
    qtbot.waitUntil(lambda: not w._poll_inflight)
    tap(w.home.tiles["pdam"])
    assert not w.agency.buttons["pdam-baru"].refused
    queue.issue("pdam-baru")
    queue.issue("pdam-baru")
    tap(w.agency.buttons["pdam-baru"])
    qtbot.waitUntil(lambda: w.message.isVisible(), timeout=5000)
    assert "Kuota habis" in w.message.title.text()
    assert "(2/2)" in w.message.text.text()
    assert count_tickets(queue) == 2
    assert printer.attempts == []
    qtbot.waitUntil(lambda: w.agency.buttons["pdam-baru"].refused, timeout=5000)


def test_closed_service_says_when_it_opens(qtbot, kiosk, queue, printer):
    w = kiosk  # Wednesday 09.00; PBB opens Monday and Tuesday only (issuing from 07.45)
    tap(w.home.tiles["pajak"])
    button = w.agency.buttons["pbb"]
    assert button.refused
    assert button.state_label.text() == "Sedang tutup \u00b7 buka Senin 07.45"
    assert w.home.tiles["pajak"].state_label.text() == "Sedang tutup"
    tap(button)
    assert w.message.isVisible()
    assert "Senin 07.45" in w.message.text.text()
    assert count_tickets(queue) == 0


# ------------------------------------------------------------------------------ priority

def test_priority_group_agency_service_three_taps(qtbot, kiosk, printer, queue):
    w = kiosk
    queue.issue("ktp")  # a normal ticket already waits
    assert w.home.band.isVisible()
    assert w.home.band_title.text() == "Layanan Prioritas"
    assert [b.text() for b in w.home.group_buttons.values()] == ["Lansia", "Disabilitas", "Ibu Hamil", "Anak"]
    tap(w.home.group_buttons["lansia"])  # 1
    assert w.group == "lansia"
    assert "Lansia" in w.home.band_title.text()
    tap(w.home.tiles["dukcapil"])  # 2
    assert w.agency.badge.isVisible() and "Lansia" in w.agency.badge.text()
    tap(w.agency.buttons["ktp"])  # 3
    qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
    t = w.result.issued.ticket
    assert t.priority == "lansia"
    assert w.result.priority.isVisible() and "Lansia" in w.result.priority.text()
    assert w.result.ahead.text() == "0"  # priority line: nobody ahead
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=5000)
    assert printer.printed[0].priority_label == "Lansia"
    # the next citizen starts without the priority choice
    tap(w.result.done_button) if not w.result._guard.isActive() else w.finish_result()
    assert w.group is None and w.current() is w.home


def test_priority_cancel_and_back_keeps_choice(qtbot, kiosk):
    w = kiosk
    tap(w.home.group_buttons["ibu-hamil"])
    tap(w.home.tiles["pdam"])
    tap(w.agency.back_button)
    assert w.current() is w.home and w.group == "ibu-hamil"
    tap(w.home.cancel_priority)
    assert w.group is None
    assert all(b.isVisible() for b in w.home.group_buttons.values())


# ------------------------------------------------------------------------------ language

def test_language_switch_changes_labels_and_back(qtbot, kiosk):
    w = kiosk
    assert w.home.choose.text() == "Pilih instansi"
    assert w.home.lang_button.full_text == "English"
    tap(w.home.lang_button)
    assert w.lang == "en"
    assert w.home.choose.text() == "Choose an agency"
    assert w.home.band_title.text() == "Priority service"
    assert w.home.lang_button.full_text == "Bahasa Indonesia"
    assert "Wednesday" in w.home.date.text()
    assert w.home.tiles["dukcapil"].state_label.text() == "0 waiting"
    tap(w.home.tiles["dukcapil"])
    assert w.agency.buttons["ktp"].state_label.text() == "0 waiting \u00b7 400 tickets left"
    assert w.agency.back_button.text() == "\u2190 Back"
    tap(w.agency.back_button)
    tap(w.home.lang_button)
    assert w.home.choose.text() == "Pilih instansi"
    assert w.home.date.text() == "Rabu, 25 November 2026"
    assert w.home.tiles["dukcapil"].state_label.text() == "0 menunggu"


def test_english_service_names_and_states(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer, settings=KioskSettings(language="en"))
    try:
        assert w.home.choose.text() == "Choose an agency"
        tap(w.home.tiles["pajak"])
        assert w.agency.buttons["pbb"].state_label.text() == "Closed - opens Monday 07.45"
    finally:
        close_kiosk(w)


# ------------------------------------------------------------------------------ going home

def test_idle_returns_home_from_any_screen(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer, idle_ms=300)
    try:
        tap(w.home.lang_button)
        tap(w.home.group_buttons["anak"])
        tap(w.home.tiles["dukcapil"])
        assert w.current() is w.agency
        qtbot.waitUntil(lambda: w.current() is w.home, timeout=3000)
        assert w.group is None
        assert w.lang == "id"  # the next citizen gets the default language
        w.request_pin("staff")
        assert w.current() is w.pin
        qtbot.waitUntil(lambda: w.current() is w.home, timeout=3000)
    finally:
        close_kiosk(w)


def test_touch_postpones_idle(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer, idle_ms=600)
    try:
        tap(w.home.tiles["dukcapil"])
        for _ in range(4):
            w.idle_timer.stop()  # as if the countdown had almost run out
            QTest.mousePress(w.agency.hint, Qt.LeftButton)
            QTest.mouseRelease(w.agency.hint, Qt.LeftButton)
            assert w.idle_timer.isActive()  # the touch started it again from the top
        assert w.current() is w.agency
        with qtbot.waitSignal(w.idle_timer.timeout, timeout=3000):
            pass  # nobody touches any more: it runs out
        assert w.current() is w.home
    finally:
        close_kiosk(w)


def test_result_returns_home_by_itself(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer, result_ms=600)
    try:
        issue_via_screen(qtbot, w, "dukcapil", "kk")
        assert "Selesai" in w.result.done_button.text()
        qtbot.waitUntil(lambda: w.current() is w.home, timeout=3000)
    finally:
        close_kiosk(w)


def test_result_returns_home_on_a_tap_but_not_on_a_double_tap(qtbot, kiosk):
    w = kiosk
    issue_via_screen(qtbot, w, "dukcapil", "kk")
    tap(w.result)  # the second touch of a double tap lands here at once: ignored
    assert w.current() is w.result
    qtbot.waitUntil(lambda: not w.result._guard.isActive(), timeout=3000)
    tap(w.result.number)
    assert w.current() is w.home


# ------------------------------------------------------------------------------ feedback, threads

def test_tap_gives_feedback_at_once_and_double_tap_issues_one_ticket(qtbot, qapp, hall, store, clock, printer):
    slow = FlakyStore(store)
    q = QueueService(hall, slow, clock)
    w = make_kiosk(qtbot, qapp, q, printer)
    try:
        tap(w.home.tiles["dukcapil"])
        slow.gate = gate = Gate()  # the database holds the issue until the test lets it go
        button = w.agency.buttons["ktp"]
        tap(button)
        # the tap returned while the issue is still held in the database; "Memproses..." shows
        # while it is held (after BUSY_SHOW_AFTER_MS: a ticket issued sooner never flashes it)
        assert w.busy and w.busy_overlay.pending
        tap(button)  # a second tap while the first is processed (swallowed before the overlay shows)
        assert gate.entered.wait(5)
        qtbot.waitUntil(lambda: w.busy_overlay.isVisible(), timeout=5000)
        assert w.busy_overlay.box.text().startswith("Memproses")
        tap(button)  # and once it shows
        gate.open()
        qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
        assert not w.busy_overlay.isVisible()
        slow.gate = None
        assert count_tickets(q) == 1
        qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=5000)
        flush(qtbot, w.print_runner)  # every print job queued so far has run
        assert len(printer.attempts) == 1
    finally:
        close_kiosk(w)


def test_double_tap_on_a_tile_does_not_tap_the_next_screen(qtbot, qapp, queue, printer):
    clock = FakeMonotonic()
    w = make_kiosk(qtbot, qapp, queue, printer, tap_guard_ms=350, monotonic=clock)
    try:
        clock.advance(0.4)
        tap(w.home.tiles["dukcapil"])
        assert w.current() is w.agency
        clock.advance(0.05)
        tap(w.agency.buttons["ktp"])  # the second touch of the double tap, 50 ms later
        QApplication.processEvents()
        assert not w.busy and w.current() is w.agency
        clock.advance(0.4)
        tap(w.agency.buttons["ktp"])  # a deliberate tap afterwards works
        qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
        assert count_tickets(queue) == 1
        w.finish_result()
        assert w.current() is w.home
        clock.advance(0.4)
        tap(w.home.group_buttons["anak"])
        tap(w.home.cancel_priority)  # the cancel button now sits where the group button was
        assert w.group == "anak"
    finally:
        close_kiosk(w)


def test_slow_database_never_blocks_the_screen(qtbot, qapp, hall, store, clock, printer):
    slow = FlakyStore(store)
    q = QueueService(hall, slow, clock)
    w = make_kiosk(qtbot, qapp, q, printer)
    try:
        tap(w.home.tiles["dukcapil"])
        slow.gate = gate = Gate()  # the database does not answer until the test opens the gate
        ticks = []
        w.busy_overlay._anim.timeout.connect(lambda: ticks.append(1))
        tap(w.agency.buttons["kk"])  # returns although the database is held
        assert gate.entered.wait(5)
        qtbot.waitUntil(lambda: len(ticks) >= 2, timeout=5000)  # the event loop runs (the dots move)
        assert w.current() is w.agency and w.busy_overlay.isVisible()
        gate.open()
        qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
        slow.gate = None
    finally:
        close_kiosk(w)


def test_slow_printer_never_blocks_the_screen(qtbot, kiosk, printer):
    w = kiosk
    gate = Gate()  # the paper does not come out until the test opens the gate
    real_print = printer.print_ticket

    def held_print(t):
        gate.wait()
        real_print(t)

    printer.print_ticket = held_print
    issue_via_screen(qtbot, w, "dukcapil", "kk")  # the number is shown while printing is held
    assert w.result.print_state == "printing"
    assert "Mencetak" in w.result.print_box.text()
    assert gate.entered.wait(5)
    gate.open()
    qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)


def test_the_bytes_go_out_before_the_result_screen_which_shows_the_outcome(qtbot, kiosk, printer,
                                                                          monkeypatch):
    import kiosk.window as kiosk_window

    # no time limit for the printer: the order below does not depend on the machine's speed
    monkeypatch.setattr(kiosk_window, "SHOW_AFTER_PRINT_S", 30.0)
    w = kiosk
    order: list[str] = []
    real_print = printer.print_ticket

    def recording_print(t):
        real_print(t)
        order.append("printed " + t.number)  # on the printer's worker

    printer.print_ticket = recording_print
    w.stack.currentChanged.connect(lambda _i: order.append("screen") if w.current() is w.result else None)
    issued = issue_via_screen(qtbot, w, "dukcapil", "kk")
    assert order == [f"printed {issued.ticket.number}", "screen"]
    assert w.result.print_state == "printed"  # shown with the ticket: no "printing" step
    assert not w.result.qr.pixmap().isNull()  # drawn on the database worker
    qtbot.waitUntil(lambda: w.desk.busy == 0, timeout=5000)
    assert w.result.print_state == "printed" and w.desk.printed == 1


def test_the_screen_is_not_repainted_between_the_tap_and_its_result(qtbot, qapp, hall, store, clock,
                                                                    printer):
    slow = FlakyStore(store)
    q = QueueService(hall, slow, clock)
    w = make_kiosk(qtbot, qapp, q, printer)
    try:
        tap(w.home.tiles["dukcapil"])
        slow.gate = gate = Gate()
        tap(w.agency.buttons["ktp"])
        assert not w.stack.updatesEnabled()  # the pressed button stays as it is
        assert gate.entered.wait(5)
        qtbot.waitUntil(lambda: w.busy_overlay.isVisible(), timeout=5000)  # a slow database
        assert w.stack.updatesEnabled()  # "Memproses..." over a painted screen
        gate.open()
        qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
        assert w.stack.updatesEnabled()
        w.finish_result()
        slow.gate = None
        slow.down = True  # an issue that fails thaws the screen too
        tap(w.home.tiles["dukcapil"])
        tap(w.agency.buttons["ktp"])
        qtbot.waitUntil(lambda: w.message.isVisible(), timeout=5000)
        assert w.stack.updatesEnabled() and not w.busy
        w.message.dismiss()
        slow.down = False
        button = w.agency.buttons["ktp"]  # a finger that slides off the button: no ticket
        QTest.mousePress(button, Qt.LeftButton, Qt.NoModifier, button.rect().center())
        QTest.mouseRelease(button, Qt.LeftButton, Qt.NoModifier, button.rect().bottomRight() * 2)
        assert not w.stack.updatesEnabled()  # frozen at the release, before the button repaints
        qtbot.waitUntil(lambda: w.stack.updatesEnabled(), timeout=5000)  # thawed at the next turn
        assert not w.busy and w.current() is w.agency
    finally:
        slow.down = False
        close_kiosk(w)


# ------------------------------------------------------------------------------ printer trouble

def test_print_failure_still_gives_the_number_then_reprint_clears_warning(qtbot, kiosk, printer, queue):
    w = kiosk
    printer.fail_with("offline")
    issued = issue_via_screen(qtbot, w, "dukcapil", "ktp")
    qtbot.waitUntil(lambda: w.result.print_state == "failed", timeout=5000)
    assert w.result.number.text() == "K-001"
    assert not w.result.qr.pixmap().isNull()
    assert "Tiket tidak dapat dicetak. Silakan foto nomor dan kode QR ini." in w.result.print_box.text()
    assert w.result.seconds_left >= 20  # time to take the photo
    assert queue.find_ticket("K-001").status.value == "waiting"  # committed before printing
    w.finish_result()
    assert w.printer_banner.isVisible()
    assert "K-001" in w.printer_banner.text()
    assert w.desk.warning == "failed"
    # staff: PIN, reprint the unprinted ticket
    w.request_pin("staff")
    enter_pin(qtbot, w, "0000")
    assert w.current() is w.staff_page
    assert w.staff.pin_warning.isVisible()  # demo PIN in use
    assert "K-001" in [b.text().split()[-1] for b in w.staff._unprinted_buttons]
    assert "Printer tidak terhubung" in w.staff.printer_error.text()
    printer.recover()
    tap(w.staff._unprinted_buttons[0])
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=5000)
    tp = printer.printed[0]
    assert tp.number == "K-001" and tp.reprint and tp.qr_text == issued.qr_text
    qtbot.waitUntil(lambda: w.desk.warning is None, timeout=5000)
    assert "K-001" in w.staff.result.text()
    assert w.staff._unprinted_buttons == []
    tap(w.staff.back_button)
    assert w.current() is w.home
    assert not w.printer_banner.isVisible()


def test_reprint_by_typed_number_and_unknown_number(qtbot, kiosk, printer, queue):
    w = kiosk
    issued = queue.issue("kk")
    w.request_pin("staff")
    enter_pin(qtbot, w, "0000")
    w.staff.ref.setText("k1")
    tap(w.staff.reprint_button)
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=5000)
    assert printer.printed[0].number == issued.ticket.number and printer.printed[0].reprint
    w.staff.ref.setText("Z-999")
    tap(w.staff.reprint_button)
    qtbot.waitUntil(lambda: "Z-999" in w.staff.result.text(), timeout=5000)
    assert len(printer.printed) == 1


def test_a_staff_reprint_of_a_called_ticket_prints_its_current_state(qtbot, kiosk, printer, queue):
    """Issue 15 (7) at the kiosk: a reprint says what is true now, not "please wait, 0 ahead"."""
    w = kiosk
    issued = queue.issue("kk")
    queue.call_next("7")
    w.request_pin("staff")
    enter_pin(qtbot, w, "0000")
    w.staff.ref.setText(issued.ticket.number)
    tap(w.staff.reprint_button)
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=5000)
    printed = printer.printed[0]
    assert printed.reprint and printed.state_lines and "Loket 7" in printed.state_lines[0]


def test_paper_out_is_checked_before_printing(qtbot, kiosk, printer):
    w = kiosk
    printer.set_status(PrinterStatus(True, "out", False, "out of paper"))
    issue_via_screen(qtbot, w, "dukcapil", "kk")
    qtbot.waitUntil(lambda: w.result.print_state == "failed", timeout=5000)
    assert printer.attempts == []  # nothing was sent to an empty printer
    w.finish_result()
    assert w.printer_banner.isVisible()


def test_paper_near_end_prints_and_warns_staff(qtbot, kiosk, printer):
    w = kiosk
    printer.set_status(PrinterStatus(True, "near_end", False, "paper low"))
    issue_via_screen(qtbot, w, "dukcapil", "kk")
    qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)
    w.finish_result()
    # the ticket's print state comes from the job's handle on the worker; the desk's status
    # reaches the GUI thread through the runner's signal just after (kiosk.printing._job)
    qtbot.waitUntil(lambda: w.desk.warning == "paper_near_end", timeout=5000)
    qtbot.waitUntil(lambda: w.printer_banner.isVisible(), timeout=5000)
    assert "hampir habis" in w.printer_banner.text()
    printer.set_status(None)
    issue_via_screen(qtbot, w, "dukcapil", "kk")
    qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)
    w.finish_result()
    qtbot.waitUntil(lambda: not w.printer_banner.isVisible(), timeout=5000)


def test_test_ticket_from_staff_screen(qtbot, kiosk, printer):
    w = kiosk
    w.request_pin("staff")
    enter_pin(qtbot, w, "0000")
    tap(w.staff.test_button)
    qtbot.waitUntil(lambda: len(printer.printed) == 1, timeout=5000)
    assert printer.printed[0].test
    qtbot.waitUntil(lambda: "uji" in w.staff.result.text(), timeout=5000)
    tap(w.staff.status_button)
    qtbot.waitUntil(lambda: "siap" in w.staff.printer_state.text(), timeout=5000)


# ------------------------------------------------------------------------------ database away

def test_database_unreachable_refuses_with_message_and_recovers(qtbot, qapp, hall, store, clock, printer):
    flaky = FlakyStore(store)
    q = QueueService(hall, flaky, clock)
    w = make_kiosk(qtbot, qapp, q, printer)
    try:
        assert w.online is True and not w.offline_banner.isVisible()
        tap(w.home.tiles["dukcapil"])
        flaky.down = True
        tap(w.agency.buttons["ktp"])
        qtbot.waitUntil(lambda: w.message.isVisible(), timeout=5000)
        assert "tidak" in w.message.title.text().lower()
        assert w.current() is w.agency
        assert w.offline_banner.isVisible()
        assert printer.attempts == []
        w.message.dismiss()
        w.show_home()
        assert w.offline_banner.isVisible()
        flaky.down = False
        qtbot.waitUntil(lambda: w.online is True, timeout=5000)  # the poll finds it again
        assert not w.offline_banner.isVisible()
        assert count_tickets(q) == 0
        issue_via_screen(qtbot, w, "dukcapil", "ktp")
        assert w.result.issued.ticket.number == "K-001"
    finally:
        close_kiosk(w)


def test_database_down_at_start_shows_offline(qtbot, qapp, hall, store, clock, printer):
    flaky = FlakyStore(store)
    flaky.down = True
    w = make_kiosk(qtbot, qapp, QueueService(hall, flaky, clock), printer)
    try:
        assert w.online is False
        assert w.offline_banner.isVisible()
        assert "tiket tidak dapat diambil" in w.offline_banner.text().lower()
    finally:
        close_kiosk(w)


# ------------------------------------------------------------------------------ staff PIN, lock-down

def test_staff_pin_wrong_then_right_demo(qtbot, kiosk):
    w = kiosk
    w.home.staff_requested.emit()
    assert w.current() is w.pin
    enter_pin(qtbot, w, "1234")
    assert w.current() is w.pin
    assert w.pin.message.text() == "PIN salah. Coba lagi."
    assert w.pin.pad.pin == ""
    enter_pin(qtbot, w, "0000")
    assert w.current() is w.staff_page
    tap(w.staff.back_button)
    assert w.current() is w.home


def test_staff_pin_configured_hash(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer, settings=KioskSettings(admin_pin_hash=hash_pin("4821")))
    try:
        w.request_pin("staff")
        enter_pin(qtbot, w, "0000")  # the demo PIN no longer works
        assert w.current() is w.pin
        enter_pin(qtbot, w, "4821")
        assert w.current() is w.staff_page
        assert not w.staff.pin_warning.isVisible()
    finally:
        close_kiosk(w)


def test_too_many_wrong_pins_lock_the_pad(qtbot, kiosk):
    w = kiosk
    w.request_pin("staff")
    for _ in range(5):
        enter_pin(qtbot, w, "9999")
    assert "Terlalu banyak" in w.pin.message.text()
    enter_pin(qtbot, w, "0000")  # right, but locked for now
    assert w.current() is w.pin


def test_hidden_staff_entry_long_press(qtbot, kiosk):
    w = kiosk
    w.home.staff_entry._hold.setInterval(200)
    QTest.mousePress(w.home.hall_name, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.current() is w.pin, timeout=2000)
    QTest.mouseRelease(w.home.hall_name, Qt.LeftButton)


def test_ctrl_q_needs_pin_to_close(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer, windowed=False)
    try:
        w.activateWindow()
        w.close()  # lock-down: a plain close is refused
        assert w.isVisible()
        QTest.keyClick(w, Qt.Key_Q, Qt.ControlModifier)
        qtbot.waitUntil(lambda: w.current() is w.pin, timeout=2000)
        assert w.pin.purpose == "exit"
        enter_pin(qtbot, w, "1111")
        assert w.isVisible()
        enter_pin(qtbot, w, "0000")
        qtbot.waitUntil(lambda: not w.isVisible(), timeout=2000)
    finally:
        close_kiosk(w)


# ------------------------------------------------------------------------------ readable, reachable

def _visible(widget, cls):
    return [c for c in widget.findChildren(cls) if c.isVisibleTo(widget)]


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_touch_targets_text_size_and_columns(qtbot, qapp, queue, printer, size):
    from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

    w = make_kiosk(qtbot, qapp, queue, printer, size=size)
    try:
        assert (w.width(), w.height()) == size
        assert all(t.isVisible() for t in w.home.tiles.values())  # no scrolling, no pages
        screens = []
        tap(w.home.tiles["dukcapil"])
        screens.append(w.agency)
        w.show_home()
        screens.append(w.home)
        issue_via_screen(qtbot, w, "dukcapil", "kk")
        screens.append(w.result)
        w.request_pin("staff")
        screens.append(w.pin)
        enter_pin(qtbot, w, "0000")
        screens.append(w.staff)
        for screen in screens:
            w.stack.setCurrentWidget(w.staff_page if screen is w.staff else screen)
            QApplication.processEvents()
            for b in _visible(screen, QPushButton) + _visible(screen, QLineEdit):
                assert b.height() >= 120, (type(screen).__name__, b.objectName(), b.height())
            for lab in _visible(screen, QLabel) + _visible(screen, QPushButton):
                px = lab.font().pixelSize()
                assert px >= 24, (type(screen).__name__, lab.text(), px)
            # nothing runs off the screen sideways
            for b in _visible(screen, QPushButton):
                right = b.mapTo(w, b.rect().topRight()).x()
                assert right <= w.width(), (b.text(), right)
    finally:
        close_kiosk(w)


def test_colours_have_enough_contrast():
    from antrian import paths
    from antrian.config import load_hall
    from kiosk.text import contrast_ratio, text_colour_for
    from kiosk.widgets import PAIRS

    for name, (fg, bg) in PAIRS.items():
        assert contrast_ratio(fg, bg) >= 4.5, name
    for a in load_hall(paths.default_hall_config()).agencies:
        assert contrast_ratio(text_colour_for(a.colour), a.colour) >= 4.5, a.code


def test_only_the_stations_agencies(qtbot, qapp, queue, printer):
    w = make_kiosk(qtbot, qapp, queue, printer, settings=KioskSettings(agencies=["pdam"]))
    try:
        assert list(w.home.tiles) == ["pdam"]
    finally:
        close_kiosk(w)
