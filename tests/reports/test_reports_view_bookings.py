"""The monitor's "Laporan" screen shows the bookings in their own tab (the golden case of
test_report_bookings.py), in Bahasa Indonesia; a screenshot goes to out/screenshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.reports.conftest import play_two_days
from tests.reports.test_report_bookings import add_bookings

pytestmark = pytest.mark.ui

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'mpp.sqlite3'}"


@pytest.fixture
def runner(qapp):
    from qtshared.common import Runner, Translations

    tr = Translations(qapp)
    tr.set_language("id")
    r = Runner(max_workers=1, name="test-report-bookings")
    yield r
    r.shutdown(wait=True)
    tr.set_language("en")


def test_laporan_screen_has_a_booking_tab(qtbot, queue, clock, hall, store, runner):
    from counter.reports_view import ReportsView, _qdate
    from qtshared.common import save_screenshot

    play_two_days(queue, clock)
    add_bookings(store)
    w = ReportsView(store, hall, runner, clock=clock)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.start.setDate(_qdate(date(2026, 11, 25)))
    w.end.setDate(_qdate(date(2026, 11, 26)))
    w.show_button.click()
    qtbot.waitUntil(lambda: w.model is not None, timeout=15000)
    assert w.summary.text().endswith("; booking 7: 3 check-in, 2 hangus, 1 dibatalkan")
    t = w.tables["bookings"]
    assert w.tabs.tabText(1) == "Booking"
    assert t.rowCount() == 3 + 4  # three services, then the four per-day total rows
    assert [t.item(0, c).text() for c in range(t.columnCount())] == ["Disdukcapil - KTP-el", "K", "3", "2", "5", "3",
                                                                    "1", "1"]
    assert t.item(5, 0).text() == "Jumlah hangus" and t.item(5, 2).text() == "1" and t.item(5, 6).text() == "2"
    assert t.horizontalHeaderItem(t.columnCount() - 2).text() == "Hangus"
    w.tabs.setCurrentIndex(1)
    save_screenshot(w, SCREENSHOTS / "monitor-laporan-booking-1366x768.png")
