"""The supervisor monitor, offscreen: role check at login, counters with state/ticket/officer,
overdue tickets in red, supervisor cancel / transfer / close, live update. Screenshots go to
out/screenshots/monitor-*.png."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from antrian.domain.model import CounterStatus, Status
from tests.ui.counter_helpers import BrokenStore, activate, close_env, make_env

pytestmark = pytest.mark.ui


@pytest.fixture
def env(qapp, hall, clock, tmp_path):
    e = make_env(qapp, hall, clock, tmp_path)
    yield e
    close_env(e)


def open_monitor(env, qtbot, user="sri", pin="567890"):
    from counter.monitor import MonitorWindow

    w = MonitorWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations)
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    w.login_page.username.setText(user)
    w.login_page.pin.setText(pin)
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    return w


def settle(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.busy and not panel._refreshing and panel.snapshot is not None, timeout=5000)


def busy_hall(env):
    """K-001 and K-002 issued at 09:00; 45 minutes later K-003 and P-001; loket 7 calls K-001."""
    q = env.queue
    q.issue("ktp")
    q.issue("ktp")
    env.clock.advance(minutes=45)
    q.issue("ktp")
    q.issue("pdam-bayar")
    q.open_counter("7", officer="budi")
    q.call_next("7", officer="budi")
    q.open_counter("3", officer="ani")
    q.pause_counter("3", "Sholat", officer="ani")


def test_officer_cannot_open_the_monitor(env, qtbot):
    w = open_monitor(env, qtbot, user="budi", pin="1234")
    qtbot.waitUntil(lambda: "supervisor" in w.login_page.message.text(), timeout=5000)
    assert w.panel is None
    assert env.events("login_failed")[-1].payload["reason"] == "role"


def test_monitor_shows_counters_and_overdue_tickets(env, qtbot, shot):
    busy_hall(env)
    w = open_monitor(env, qtbot)
    qtbot.waitUntil(lambda: w.panel is not None, timeout=5000)
    panel = w.panel
    settle(qtbot, panel)
    row7 = panel.counter_row("7")
    assert row7[1] == "Melayani" and row7[2].startswith("K-001") and row7[3] == "Budi Santoso"
    assert panel.counter_row("3")[1] == "Istirahat (Sholat)"
    assert panel.counter_row("10")[1] == "Tutup"
    # K-002 has waited 45 min against a 30 min target; K-003 and P-001 just came
    assert panel.overdue_rows() == ["K-002"]
    dukcapil = panel.services.topLevelItem(0)
    assert dukcapil.text(0) == "Disdukcapil" and dukcapil.text(1) == "2"
    ktp = dukcapil.child(0)
    assert ktp.text(0) == "KTP-el" and ktp.text(3) == "45 mnt"
    shot(w, "monitor")

    # live: a new ticket from the kiosk (another connection) appears by itself
    env.other_queue().issue("kk")
    qtbot.waitUntil(lambda: panel.services.topLevelItem(0).text(1) == "3", timeout=5000)


def test_supervisor_cancels_transfers_and_closes(env, qtbot, shot):
    busy_hall(env)
    w = open_monitor(env, qtbot)
    qtbot.waitUntil(lambda: w.panel is not None, timeout=5000)
    panel = w.panel
    settle(qtbot, panel)

    # cancel K-003 with a reason
    panel.select_ticket("K-003")
    assert panel.cancel_button.isEnabled()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    rd = panel.reason_dialog
    qtbot.waitUntil(rd.isVisible)
    QTest.keyClicks(rd.text, "berkas tidak lengkap")
    qtbot.mouseClick(rd.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert env.ticket("K-003").status == Status.CANCELLED
    e = env.events("cancelled")[-1]
    assert e.officer == "sri" and e.payload["reason"] == "berkas tidak lengkap"

    # transfer loket 7's ticket to Kartu Keluarga
    panel.select_counter("7")
    assert panel.transfer_button.isEnabled()
    qtbot.mouseClick(panel.transfer_button, Qt.MouseButton.LeftButton)
    td = panel.transfer_dialog
    qtbot.waitUntil(td.isVisible)
    td.choose_service("kk")
    shot(td, "monitor-transfer-dialog")
    qtbot.mouseClick(td.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    t = env.ticket("K-001")
    assert t.status == Status.WAITING and t.service_code == "kk"
    assert env.events("transferred")[-1].officer == "sri"

    # loket 8 calls; the supervisor closes it: the ticket goes back to the queue
    env.queue.call_next("8", officer="ani")
    called = [x for x in env.events("called") if x.counter_code == "8"][-1].number
    settle(qtbot, panel)
    qtbot.waitUntil(lambda: panel.counter_row("8")[2].startswith(called), timeout=5000)
    panel.select_counter("8")
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    cd = panel.confirm_dialog
    qtbot.waitUntil(cd.isVisible)
    assert called in cd.question.text()
    qtbot.mouseClick(cd.yes, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    with env.store.read() as tx:
        assert tx.counter_state("8").status == CounterStatus.CLOSED
    assert env.ticket(called).status == Status.WAITING
    assert env.events("counter_closed")[-1].officer == "sri"
    qtbot.waitUntil(lambda: panel.counter_row("8")[1] == "Tutup", timeout=5000)


def test_monitor_offline_and_back(env, qtbot):
    w = open_monitor(env, qtbot)
    qtbot.waitUntil(lambda: w.panel is not None, timeout=5000)
    panel = w.panel
    settle(qtbot, panel)
    good = env.queue.store
    env.queue.store = BrokenStore()
    try:
        qtbot.waitUntil(panel.banner.isVisible, timeout=5000)
    finally:
        env.queue.store = good
    qtbot.waitUntil(lambda: not panel.banner.isVisible(), timeout=8000)


def test_monitor_logout(env, qtbot):
    w = open_monitor(env, qtbot)
    qtbot.waitUntil(lambda: w.panel is not None, timeout=5000)
    qtbot.mouseClick(w.panel.logout_button, Qt.MouseButton.LeftButton)
    assert w.panel is None and w.stack.currentWidget() is w.login_page


# ---------------------------------------------------------------- issue 14: alerts, reports, device health

def _health(env):
    from antrian.services.health import HealthService
    from antrian.storage.manager_store import ManagerStore

    return HealthService(ManagerStore(env.store))


def open_manager_monitor(env, qtbot):
    from counter.monitor import MonitorWindow

    beeps = []
    w = MonitorWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations,
                      beep=lambda: beeps.append(1))
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    w.login_page.username.setText("sri")
    w.login_page.pin.setText("567890")
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel is not None, timeout=5000)
    settle(qtbot, w.panel)
    return w, beeps


def test_a_counter_without_a_heartbeat_shows_offline_not_serving(env, qtbot, shot):
    from antrian.services.health import Heartbeat

    busy_hall(env)  # loket 7 serves K-001, loket 3 pauses
    _health(env).beat(Heartbeat("counter", "3", "0.1.0"))  # loket 3's window beats; loket 7's died
    w, _beeps = open_manager_monitor(env, qtbot)
    panel = w.panel
    row7 = panel.counter_row("7")
    assert row7[1] == "Offline (tidak ada kabar)" and row7[2].startswith("K-001")
    assert panel.counter_row("3")[1] == "Istirahat (Sholat)"
    assert panel.counter_row("10")[1] == "Tutup"  # a closed counter needs no heartbeat
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.width() == 1366, timeout=2000)
    shot(w, "monitor-counter-offline-1366x768")

    _health(env).beat(Heartbeat("counter", "7", "0.1.0"))  # its window is back
    panel.refresh()
    qtbot.waitUntil(lambda: panel.counter_row("7")[1] == "Melayani", timeout=5000)


def test_the_alerts_tab_sounds_until_acknowledged_and_lists_the_devices(env, qtbot, shot):
    from antrian.services.health import Heartbeat

    busy_hall(env)  # K-002 waits 45 min against a 30 min target
    _health(env).beat(Heartbeat("kiosk", "kiosk-1", "0.1.0", None, "paper_near_end"))
    _health(env).beat(Heartbeat("counter", "7", "0.1.0"))
    _health(env).beat(Heartbeat("counter", "3", "0.1.0"))
    w, beeps = open_manager_monitor(env, qtbot)
    panel = w.panel
    assert [panel.tabs.tabText(i) for i in (0, 2)] == ["Antrean", "Laporan"]
    alerts = panel.alerts_view
    qtbot.waitUntil(lambda: alerts.table.rowCount() >= 2, timeout=15000)
    messages = [alerts.table.item(r, 1).text() for r in range(alerts.table.rowCount())]
    assert any(m.startswith("KTP-el: antrean terlama menunggu 45 menit") for m in messages)
    assert "Kios kiosk-1: kertas printer hampir habis" in messages
    n = alerts.table.rowCount()
    qtbot.waitUntil(lambda: panel.tabs.tabText(1) == f"Peringatan ({n})", timeout=5000)
    assert alerts.sounding and beeps
    kinds = sorted(alerts.devices_table.item(r, 0).text() for r in range(alerts.devices_table.rowCount()))
    assert kinds == ["Kios", "Loket", "Loket"]
    panel.tabs.setCurrentWidget(alerts)
    for size in ((1366, 768), (1920, 1080)):
        w.resize(*size)
        qtbot.waitUntil(lambda size=size: w.width() == size[0], timeout=2000)
        shot(w, f"monitor-alerts-{size[0]}x{size[1]}")

    for _ in range(n):  # acknowledge every alert: the sound stops, the tab says so
        row = next(r for r in range(alerts.table.rowCount()) if not alerts.table.item(r, 3).text())
        alerts.table.selectRow(row)
        acked = sum(1 for r in range(alerts.table.rowCount()) if alerts.table.item(r, 3).text())
        alerts.acknowledge_selected()
        qtbot.waitUntil(lambda acked=acked: sum(1 for r in range(alerts.table.rowCount())
                                                if alerts.table.item(r, 3).text()) == acked + 1, timeout=15000)
    assert not alerts.sounding
    assert panel.tabs.tabText(1) == "Peringatan"
    assert {alerts.table.item(r, 3).text() for r in range(n)} == {"sri"}
    assert alerts.log_table.rowCount() == n


def test_the_reports_tab_shows_the_day(env, qtbot, shot):
    busy_hall(env)
    w, _beeps = open_manager_monitor(env, qtbot)
    panel = w.panel
    reports = panel.reports_view
    panel.tabs.setCurrentWidget(reports)
    reports.refresh()
    qtbot.waitUntil(lambda: reports.model is not None or bool(reports.error_text), timeout=20000)
    assert reports.model is not None, reports.error_text
    for size in ((1366, 768), (1920, 1080)):
        w.resize(*size)
        qtbot.waitUntil(lambda size=size: w.width() == size[0], timeout=2000)
        shot(w, f"monitor-reports-{size[0]}x{size[1]}")
    panel.tabs.setCurrentIndex(0)
    for size in ((1366, 768), (1920, 1080)):
        w.resize(*size)
        qtbot.waitUntil(lambda size=size: w.width() == size[0], timeout=2000)
        shot(w, f"monitor-queue-{size[0]}x{size[1]}")


def test_the_counter_window_beats_as_its_counter_once_the_panel_opens(env, qtbot):
    from counter.app import follow_counter_heartbeat
    from counter.window import CounterWindow

    w = CounterWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations,
                      counter="7")
    qtbot.addWidget(w)
    env.windows.append(w)
    state = follow_counter_heartbeat(w, env.store)
    activate(qtbot, w)
    assert state["hb"] is None
    w.login_page.username.setText("budi")
    w.login_page.pin.setText("1234")
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.page() == "counter", timeout=5000)
    assert state["code"] == "7"
    hb = state["hb"]
    qtbot.waitUntil(lambda: hb.beats >= 1, timeout=5000)
    assert [(d.kind, d.name) for d in _health(env).devices()] == [("counter", "7")]
    w.panel.logout()
    qtbot.waitUntil(lambda: state["hb"] is None, timeout=5000)
