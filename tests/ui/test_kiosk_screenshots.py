"""Saves a screenshot of every kiosk screen to out/screenshots/kiosk-*.png, with the bundled hall
(18 agencies of MPP Kota Tangerang), for people to open and check (`make screenshots`)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from PySide6.QtWidgets import QApplication

from antrian import paths
from antrian.config import KioskSettings, load_hall
from antrian.services.queue import QueueService
from printer.fakes import FakeTicketPrinter
from printer.model import PrinterStatus
from tests.conftest import FakeClock
from tests.ui.kiosk_helpers import FlakyStore, Gate, close_kiosk, make_kiosk, tap

pytestmark = pytest.mark.ui


@pytest.fixture
def real_hall():
    return load_hall(paths.default_hall_config())


def settle(qtbot, ms: int = 150) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def test_screenshot_every_kiosk_screen(qtbot, qapp, real_hall, db_url, shot):
    from antrian.storage.db import SqlStore, upgrade

    if not db_url.startswith("sqlite"):
        pytest.skip("screenshots need one database only")
    upgrade(db_url)
    store = FlakyStore(SqlStore(db_url))
    clock = FakeClock()  # Wednesday 25 November 2026, 09.00 WIB
    queue = QueueService(real_hall, store, clock)
    for _ in range(11):
        queue.issue("ktp-el")
    for _ in range(25):
        queue.issue("kia")  # quota 25: full
    for code in ("skck-baru", "skck-baru", "pbb", "jkn-pendaftaran", "pln-pasang-baru"):
        if real_hall.find_service(code):
            queue.issue(code)
    printer = FakeTicketPrinter()
    w = make_kiosk(qtbot, qapp, queue, printer, settings=KioskSettings(result_seconds=30), size=(1920, 1080))
    try:
        qtbot.waitUntil(lambda: w.waiting is not None, timeout=5000)
        settle(qtbot)
        shot(w, "kiosk-home-landscape")

        w.resize(1080, 1920)
        settle(qtbot)
        shot(w, "kiosk-home-portrait")

        tap(w.home.tiles["disdukcapil"])
        settle(qtbot)
        shot(w, "kiosk-agency-portrait")
        w.resize(1920, 1080)
        settle(qtbot)
        shot(w, "kiosk-agency-refused")  # KIA: Kuota habis (25/25)

        tap(w.agency.buttons["kia"])
        settle(qtbot)
        shot(w, "kiosk-refused-message")
        w.message.dismiss()

        w.show_home()
        tap(w.home.group_buttons["lansia"])
        settle(qtbot)
        shot(w, "kiosk-priority-agencies")
        tap(w.home.tiles["polres"])
        settle(qtbot)
        shot(w, "kiosk-priority-services")

        store.gate = gate = Gate()  # the database holds the issue while the busy screen is shot
        tap(w.agency.buttons["skck-baru"])
        settle(qtbot, 300)
        shot(w, "kiosk-busy")
        gate.open()
        qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
        store.gate = None
        qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)
        settle(qtbot)
        shot(w, "kiosk-result-priority")
        w.finish_result()

        issue = lambda agency, service: (tap(w.home.tiles[agency]), tap(w.agency.buttons[service]),  # noqa: E731
                                         qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000))
        issue("disdukcapil", "ktp-el")
        qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)
        settle(qtbot)
        shot(w, "kiosk-result")
        w.resize(1080, 1920)
        settle(qtbot)
        shot(w, "kiosk-result-portrait")
        w.resize(1920, 1080)
        w.finish_result()

        printer.fail_with("paper_out")
        issue("disdukcapil", "kartu-keluarga")
        qtbot.waitUntil(lambda: w.result.print_state == "failed", timeout=5000)
        settle(qtbot)
        shot(w, "kiosk-result-print-failed")
        w.finish_result()
        settle(qtbot)
        shot(w, "kiosk-home-printer-warning")

        w.request_pin("staff")
        for d in "00":
            tap(w.pin.pad.keys[d])
        settle(qtbot)
        shot(w, "kiosk-pin")
        for d in "00":
            tap(w.pin.pad.keys[d])
        tap(w.pin.pad.ok)
        qtbot.waitUntil(lambda: w.current() is w.staff_page, timeout=5000)
        settle(qtbot, 300)
        shot(w, "kiosk-staff")
        w.resize(1080, 1920)
        settle(qtbot)
        shot(w, "kiosk-staff-portrait")
        w.resize(1920, 1080)
        printer.recover()
        printer.set_status(PrinterStatus(True, "ok", False, "ready"))
        tap(w.staff.back_button)

        store.down = True
        w.poll()
        qtbot.waitUntil(lambda: w.online is False, timeout=5000)
        settle(qtbot)
        shot(w, "kiosk-home-offline")
        store.down = False
        qtbot.waitUntil(lambda: w.online is True, timeout=5000)

        tap(w.home.lang_button)
        settle(qtbot)
        shot(w, "kiosk-home-english")
        tap(w.home.tiles["bpjs-tk"])
        settle(qtbot)
        shot(w, "kiosk-agency-english")
        tap(w.agency.back_button)
        tap(w.home.lang_button)

        clock.t = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)  # Saturday: closed
        w.poll()
        qtbot.waitUntil(lambda: not w.availability["ktp-el"].open, timeout=5000)
        tap(w.home.tiles["samsat"])
        settle(qtbot)
        shot(w, "kiosk-agency-closed")
    finally:
        close_kiosk(w)
        store.dispose()


@pytest.mark.parametrize("size", [(1366, 768), (1080, 1920)], ids=["1366x768", "1080x1920"])
def test_screenshot_the_tap_screens(qtbot, qapp, real_hall, db_url, shot, size):
    """What a tap on a service shows (issue 11: the result now follows the ticket's bytes):
    "Memproses..." over a slow database, the result printed, and the result when printing failed."""
    from antrian.storage.db import SqlStore, upgrade

    if not db_url.startswith("sqlite"):
        pytest.skip("screenshots need one database only")
    upgrade(db_url)
    store = FlakyStore(SqlStore(db_url))
    queue = QueueService(real_hall, store, FakeClock())
    for _ in range(7):
        queue.issue("ktp-el")
    printer = FakeTicketPrinter()
    w = make_kiosk(qtbot, qapp, queue, printer, settings=KioskSettings(result_seconds=30), size=size)
    name = f"{size[0]}x{size[1]}"
    try:
        qtbot.waitUntil(lambda: w.waiting is not None, timeout=5000)
        tap(w.home.tiles["disdukcapil"])
        settle(qtbot)
        store.gate = gate = Gate()
        tap(w.agency.buttons["ktp-el"])
        qtbot.waitUntil(lambda: w.busy_overlay.isVisible(), timeout=5000)
        settle(qtbot)
        shot(w, f"kiosk-tap-busy-{name}")
        gate.open()
        qtbot.waitUntil(lambda: w.current() is w.result and w.result.print_state == "printed", timeout=5000)
        store.gate = None
        settle(qtbot)
        shot(w, f"kiosk-tap-result-{name}")
        w.finish_result()
        printer.fail_with("paper_out")
        tap(w.home.tiles["disdukcapil"])
        tap(w.agency.buttons["ktp-el"])
        qtbot.waitUntil(lambda: w.current() is w.result and w.result.print_state == "failed", timeout=5000)
        settle(qtbot)
        shot(w, f"kiosk-tap-result-failed-{name}")
    finally:
        close_kiosk(w)
