"""Issue 15.4: the result screen says where to wait (the loket numbers that call the service, or
the agency's zone text); when every service is closed the start screen says when the hall opens."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

from antrian import paths
from antrian.config import KioskSettings, load_hall
from antrian.fakes import FakeStore
from antrian.services.queue import QueueService
from kiosk.text import counter_numbers_text
from printer.fakes import FakeTicketPrinter
from tests.conftest import FakeClock
from tests.ui.kiosk_helpers import close_kiosk, make_kiosk, tap

pytestmark = pytest.mark.ui


def test_counter_numbers_read_as_runs():
    assert counter_numbers_text([20, 17, 18, 19]) == "17-20"
    assert counter_numbers_text([4, 5]) == "4, 5"
    assert counter_numbers_text([3, 7, 8, 9]) == "3, 7-9"
    assert counter_numbers_text([14]) == "14"


@pytest.fixture
def real_hall():
    return load_hall(paths.default_hall_config())


def _issue(qtbot, w, agency, service):
    tap(w.home.tiles[agency])
    qtbot.waitUntil(lambda: w.agency.buttons[service].isVisible() and w.agency.buttons[service].width() > 0)
    QApplication.processEvents()
    tap(w.agency.buttons[service])
    qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)


def test_the_result_says_which_loket_calls(qtbot, qapp, real_hall, shot):
    queue = QueueService(real_hall, FakeStore(), FakeClock())
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), settings=KioskSettings(result_seconds=30),
                   size=(1366, 768))
    try:
        _issue(qtbot, w, "disdukcapil", "ktp-el")
        qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)
        assert w.result.go_to.text() == "Silakan menunggu panggilan ke Loket 17-20 (Disdukcapil)"
        assert w.result.go_to.isVisible()
        QApplication.processEvents()
        shot(w, "fit-result-where-1366x768")
        dukcapil = real_hall.agency("disdukcapil")
        assert w.result.where_to_wait(dukcapil, real_hall.service("kartu-keluarga")) == \
            "Silakan menunggu panggilan ke Loket 17-19 (Disdukcapil)"  # loket 20 is KTP-el only
        w.set_language("en")
        assert w.result.go_to.text() == "Please wait to be called to counter 17-20 (Disdukcapil)"
    finally:
        close_kiosk(w)


def test_a_zone_text_wins_over_loket_numbers(qtbot, qapp, real_hall):
    queue = QueueService(real_hall, FakeStore(), FakeClock())
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=(1366, 768))
    try:
        agency = real_hall.agency("disdukcapil")
        zoned = type("Zoned", (), {"zone": "Zona B, lantai 2", "short_name": agency.short_name})()
        assert w.result.where_to_wait(zoned, real_hall.service("ktp-el")) == \
            "Silakan menunggu panggilan: Zona B, lantai 2"
    finally:
        close_kiosk(w)


def test_a_closed_hall_says_when_it_opens(qtbot, qapp, real_hall, shot):
    clock = FakeClock(datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc))  # Saturday 10.00: closed
    queue = QueueService(real_hall, FakeStore(), clock)
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=(1366, 768))
    try:
        qtbot.waitUntil(lambda: w.availability is not None, timeout=5000)
        QApplication.processEvents()
        text = w.home.choose.text()
        assert text.startswith("Sedang tutup. Buka kembali Senin "), text
        shot(w, "fit-home-closed-1366x768")
        w.set_language("en")
        assert w.home.choose.text().startswith("Closed now. Opens again Monday ")
        w.set_language("id")
        clock.t = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # Monday 09.00: open
        w.poll()
        qtbot.waitUntil(lambda: w.home.choose.text() == "Pilih instansi", timeout=5000)
    finally:
        close_kiosk(w)




def test_the_staff_screen_speaks_indonesian(qtbot, qapp, real_hall, shot):
    queue = QueueService(real_hall, FakeStore(), FakeClock())
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=(1366, 768))
    try:
        w.show_staff()
        QApplication.processEvents()
        staff = w.staff
        assert "`" not in staff.pin_warning.text()
        assert staff.printer_text("preview printer (80mm; PNG files in the data folder/tickets)") == \
            "Printer pratinjau (80mm; berkas PNG di folder data/tickets)"
        assert "preview printer" not in staff.printer_desc.text()
        shot(w, "fit-staff-1366x768")
        tap(staff.ref)  # the field opens the touch keypad
        pad = staff.keypad
        assert pad.isVisible()
        for k in ("K", "-", "0", "1", "3", "\u232b", "2"):
            tap(pad.keys[k])
        assert pad.display.text() == "K-012"
        rects = [k.geometry() for k in pad.keys.values()]
        assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:]), "keys overlap"
        for k in pad.keys.values():
            assert k.height() >= 72 and w.rect().contains(QRect(k.mapTo(w, QPoint(0, 0)), k.size()))
        QApplication.processEvents()
        shot(w, "fit-staff-keypad-1366x768")
        tap(pad.ok)
        assert not pad.isVisible()
        assert staff.ref.text() == "K-012"
        qtbot.waitUntil(lambda: "K-012" in staff.result.text(), timeout=5000)
    finally:
        close_kiosk(w)


def _hall_with_standard(hall):
    """The bundled hall with KTP-el carrying its published standard (persyaratan, fee, time);
    built with a stand-in so it works whether or not Service has these fields yet."""
    from dataclasses import dataclass, replace

    from antrian.domain.catalogue import Service

    @dataclass(frozen=True)
    class ServiceWithStandard(Service):
        requirements: tuple = ()
        fee: str = ""
        typical_time: str = ""

    def upgrade(s):
        if s.code != "ktp-el":
            return s
        fields = {f: getattr(s, f) for f in Service.__dataclass_fields__ if f not in ("requirements", "fee",
                                                                                       "typical_time")}
        return ServiceWithStandard(**fields, requirements=("Fotokopi Kartu Keluarga", "Sudah berusia 17 tahun"),
                                   fee="Gratis", typical_time="15 menit")

    return replace(hall, services=tuple(upgrade(s) for s in hall.services))


def test_requirements_are_one_tap_away_before_the_ticket(qtbot, qapp, real_hall, shot):
    hall = _hall_with_standard(real_hall)
    queue = QueueService(hall, FakeStore(), FakeClock())
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=(1366, 768))
    try:
        tap(w.home.tiles["disdukcapil"])
        QApplication.processEvents()
        with_standard = {s.code for s in hall.services if s.agency_code == "disdukcapil" and s.requirements}
        assert "ktp-el" in with_standard
        assert set(w.agency.requirement_buttons) == with_standard  # only where the hall has them
        button = w.agency.requirement_buttons["ktp-el"]
        assert button.full_text == "Persyaratan" and button.height() >= w.m.touch - 1
        shot(w, "fit-agency-requirements-1366x768")
        tap(button)
        assert w.message.isVisible()
        assert w.message.title.text() == "Persyaratan: KTP-el"
        text = w.message.text.text()
        assert "Fotokopi Kartu Keluarga" in text and "Biaya: Gratis" in text and "Waktu pelayanan: 15 menit" in text
        QApplication.processEvents()
        shot(w, "fit-requirements-1366x768")
        tap(w.message.button)
        assert not w.message.isVisible() and w.current() is w.agency
        assert queue.status() is not None and not any(s.issued_today for s in queue.status().services)
    finally:
        close_kiosk(w)


def test_without_published_requirements_there_is_no_extra_button(qtbot, qapp, real_hall):
    queue = QueueService(real_hall, FakeStore(), FakeClock())
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=(1366, 768))
    try:
        tap(w.home.tiles["disdukcapil"])
        has = {s.code for s in real_hall.services_of("disdukcapil") if getattr(s, "requirements", ())}
        assert set(w.agency.requirement_buttons) == has
    finally:
        close_kiosk(w)
