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
