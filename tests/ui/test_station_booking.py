"""A booked ticket shows as such in the counter window and the monitor (issue 13): "K-002 ·
Booking 09.30", from the ticket's booking link (BookingService.booked_tickets()); a walk-in
shows its number only. SQLite; screenshots out/screenshots/station-booked-*.png."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from antrian.services.booking import BookingService
from antrian.services.queue import QueueService
from antrian.storage.booking_store import SqlBookingStore
from tests.ui.counter_helpers import activate, close_env, make_env

pytestmark = pytest.mark.ui

NIK = "3201014501900001"


@pytest.fixture
def env(qapp, hall, clock, tmp_path):
    e = make_env(qapp, hall, clock, tmp_path)
    store = SqlBookingStore(e.url)
    e._others.append(store)
    e.queue = QueueService(hall, store, clock)
    e.booking = BookingService(hall, store, clock)
    yield e
    close_env(e)


def booked_and_walk_in(env):
    """K-001 walks in at 09:00; a citizen booked for 09:30 checks in at 09:10 (K-002)."""
    env.queue.issue("ktp")
    b = env.booking.book("ktp", env.booking.local_now().date(), "09:30", nik=NIK)
    env.clock.advance(minutes=10)
    return env.booking.check_in(b.code).issued.ticket


def test_the_counter_shows_a_booked_ticket(env, qtbot, shot):
    from counter.window import CounterWindow

    booked = booked_and_walk_in(env)
    assert booked.number == "K-002"
    w = CounterWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations,
                      counter="7")
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    w.login_page.username.setText("budi")
    w.login_page.pin.setText("1234")
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.page() == "counter" and w.panel.loaded, timeout=5000)
    panel = w.panel

    def services():
        return [panel.next_list.item(i).data(Qt.ItemDataRole.UserRole + 2) for i in range(panel.next_list.count())]

    qtbot.waitUntil(lambda: "KTP-el \u00b7 Booking 09.30" in services(), timeout=5000)
    assert services() == ["KTP-el", "KTP-el \u00b7 Booking 09.30"]  # K-001 walked in, K-002 booked
    shot(w, "station-booked-counter-next")

    assert panel.call_next()  # K-001 first (arrived 09:00)
    qtbot.waitUntil(lambda: panel.current is not None and not panel.busy, timeout=5000)
    assert panel.current.number == "K-001" and "Booking" not in panel.service_label.text()
    assert panel.presenter.act("finish")
    qtbot.waitUntil(lambda: panel.current is None and not panel.busy, timeout=5000)
    assert panel.call_next()
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.number == "K-002", timeout=5000)
    qtbot.waitUntil(lambda: "Booking 09.30" in panel.service_label.text(), timeout=5000)
    shot(w, "station-booked-counter")


def test_the_monitor_shows_a_booked_ticket(env, qtbot, shot):
    from counter.monitor import MonitorWindow

    booked_and_walk_in(env)
    env.queue.open_counter("8", officer="ani")
    w = MonitorWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations)
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    w.login_page.username.setText("sri")
    w.login_page.pin.setText("567890")
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel is not None and w.panel.snapshot is not None, timeout=5000)
    panel = w.panel
    numbers = [panel.tickets.item(r, 0).text() for r in range(panel.tickets.rowCount())]
    assert numbers == ["K-001", "K-002 \u00b7 Booking 09.30"]
    panel.select_ticket("K-002")  # selection and cancel go by the number, not the cell's text
    assert panel.selected_ticket() is not None

    # loket 8 calls the booked ticket after K-001: its row says so
    env.queue.call_next("8", officer="ani")
    env.queue.finish("8", officer="ani")
    env.queue.call_next("8", officer="ani")
    qtbot.waitUntil(lambda: panel.counter_row("8")[2].startswith("K-002 \u00b7 Booking 09.30"), timeout=5000)
    shot(w, "station-booked-monitor")
