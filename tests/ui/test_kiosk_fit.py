"""Issue 15 (1-3): at the three screen sizes people use (1366x768, 1920x1080, 1080x1920) and in
both languages, every agency of the bundled hall (18) is on the start screen at once and no tile is
clipped (each tile lies inside the visible area; its name fits its width); a hall with more
agencies than fit gets pages with big buttons; the result screen's big number is not clipped.
Screenshots go to out/screenshots/fit-*.png."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QPushButton

from antrian import paths
from antrian.config import KioskSettings, load_hall
from antrian.fakes import FakeStore
from antrian.services.queue import QueueService
from printer.fakes import FakeTicketPrinter
from tests.conftest import FakeClock
from tests.ui.kiosk_helpers import close_kiosk, make_kiosk, tap

pytestmark = pytest.mark.ui

SIZES = [(1366, 768), (1920, 1080), (1080, 1920)]


@pytest.fixture
def real_hall():
    return load_hall(paths.default_hall_config())


def settle(qtbot, ms: int = 120) -> None:
    qtbot.wait(ms)
    QApplication.processEvents()


def _visible_rect(w, widget) -> QRect:
    top_left = widget.mapTo(w, QPoint(0, 0))
    return QRect(top_left, widget.size())


def _label_fits(label) -> bool:
    """Every line of the label's text is no wider than the label (wrapped words included)."""
    font = QFont(label.font())
    fm = QFontMetrics(font)
    words = label.text().split()
    return all(fm.horizontalAdvance(word) <= label.width() for word in words)


def assert_tiles_fit(w) -> None:
    home = w.home
    area = _visible_rect(w, home.grid_viewport())
    shown = [t for t in home.tiles.values() if t.isVisible()]
    assert len(shown) == len(home.current_page_tiles())
    for tile in shown:
        r = _visible_rect(w, tile)
        assert area.contains(r), f"{tile.code} at {r} outside {area}"
        assert w.rect().contains(r), f"{tile.code} at {r} outside the window"
        assert r.height() >= w.m.touch - 1, f"{tile.code} only {r.height()} px high"
        assert _label_fits(tile.name_label), f"{tile.code}: '{tile.name_label.text()}' clipped"
        assert _label_fits(tile.state_label), f"{tile.code}: '{tile.state_label.text()}' clipped"
        needed = tile.name_label.heightForWidth(tile.name_label.width()) + tile.state_label.heightForWidth(
            tile.state_label.width())
        assert needed <= r.height(), f"{tile.code}: texts need {needed} px, tile {r.height()} px"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_agency_fits_the_start_screen(qtbot, qapp, real_hall, shot, size, lang):
    clock = FakeClock()
    queue = QueueService(real_hall, FakeStore(), clock)
    for _ in range(3):
        queue.issue("ktp-el")
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=size)
    try:
        qtbot.waitUntil(lambda: w.waiting is not None, timeout=5000)
        if lang == "en":
            w.set_language("en")
        settle(qtbot)
        assert len(real_hall.agencies) == 18
        assert w.home.page_count() == 1, "the bundled hall's 18 agencies must fit one page"
        assert all(t.isVisible() for t in w.home.tiles.values())
        assert_tiles_fit(w)
        shot(w, f"fit-home-{lang}-{size[0]}x{size[1]}")
        # the priority band open (group chosen) must not push tiles out either
        tap(w.home.group_buttons["lansia"])
        settle(qtbot)
        assert_tiles_fit(w)
    finally:
        close_kiosk(w)


def test_a_big_hall_gets_pages_with_big_buttons(qtbot, qapp, real_hall, shot):
    from dataclasses import replace

    many = list(real_hall.agencies) * 3  # 54 tiles
    agencies = [replace(a, code=f"{a.code}-{i}") for i, a in enumerate(many)]
    clock = FakeClock()
    queue = QueueService(real_hall, FakeStore(), clock)
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=(1366, 768))
    try:
        w.home.set_agencies(agencies)
        settle(qtbot)
        pages = w.home.page_count()
        assert pages >= 2
        assert w.home.next_page.isVisible() and w.home.next_page.height() >= w.m.touch - 1
        assert_tiles_fit(w)
        shot(w, "fit-home-pages-1366x768")
        seen = set()
        for _ in range(pages):
            seen |= {t.code for t in w.home.current_page_tiles()}
            tap(w.home.next_page)
            settle(qtbot, 50)
        assert seen == {a.code for a in agencies}
        w.home.reset_page()
        assert w.home.page == 0
    finally:
        close_kiosk(w)


@pytest.mark.parametrize("size", [(1200, 780), (1366, 768), (1920, 1080), (1080, 1920)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_priority_result_number_is_not_clipped(qtbot, qapp, real_hall, shot, size):
    clock = FakeClock()
    queue = QueueService(real_hall, FakeStore(), clock)
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), settings=KioskSettings(result_seconds=30), size=size)
    try:
        tap(w.home.group_buttons["lansia"])
        tap(w.home.tiles["disdukcapil"])
        tap(w.agency.buttons["ktp-el"])
        qtbot.waitUntil(lambda: w.current() is w.result, timeout=5000)
        qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=5000)
        settle(qtbot)
        shot(w, f"fit-result-priority-{size[0]}x{size[1]}")
        number = w.result.number
        fm = QFontMetrics(number.font())
        assert fm.height() <= number.height(), f"number font {fm.height()} px in a {number.height()} px label"
        assert fm.horizontalAdvance(number.text()) <= number.width()
        r = _visible_rect(w, number)
        assert w.rect().contains(r)
        for label in (w.result.where, w.result.go_to, w.result.priority, w.result.ahead, w.result.eta, w.result.print_box):
            lr = _visible_rect(w, label)
            assert w.rect().contains(lr), f"{label.text()!r} at {lr}"
            assert label.heightForWidth(label.width()) <= label.height() + 1 or not label.wordWrap(), label.text()
    finally:
        close_kiosk(w)


def test_without_a_window_manager_the_kiosk_fills_its_screen(qtbot, qapp, real_hall):
    from kiosk.app import show_full_screen

    queue = QueueService(real_hall, FakeStore(), FakeClock())
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=(910, 512))
    try:
        show_full_screen(w)
        qtbot.waitExposed(w)
        screen = w.screen().geometry()
        assert w.geometry() == screen, f"{w.geometry()} on a {screen} screen"
        show_full_screen(w, 1366, 768)
        assert (w.width(), w.height()) == (1366, 768)
    finally:
        close_kiosk(w)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_agency_still_fits_with_the_booking_entry(qtbot, qapp, real_hall, shot, size):
    """The "Sudah booking?" button (issue 13) joins the start screen: the 18 agencies still fit."""
    from antrian.fakes_booking import FakeBookingStore
    from antrian.services.booking import BookingService
    from kiosk.booking_screen import attach

    clock = FakeClock()
    store = FakeBookingStore()
    queue = QueueService(real_hall, store, clock)
    w = make_kiosk(qtbot, qapp, queue, FakeTicketPrinter(), size=size)
    try:
        attach(w, BookingService(real_hall, store, clock))
        qtbot.waitUntil(lambda: w.waiting is not None, timeout=5000)
        settle(qtbot)
        assert w.home.page_count() == 1
        assert all(t.isVisible() for t in w.home.tiles.values())
        assert_tiles_fit(w)
        entry = w.findChild(QPushButton, "bookingEntry")
        assert entry is not None and entry.isVisible()
        assert w.rect().contains(_visible_rect(w, entry))
        name = w.home.hall_name
        assert QFontMetrics(name.font()).horizontalAdvance(name.text()) <= name.width(), "hall name clipped"
        shot(w, f"fit-home-booking-{size[0]}x{size[1]}")
    finally:
        close_kiosk(w)
