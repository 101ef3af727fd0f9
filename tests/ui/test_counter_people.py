"""Issue 15 (12-14) at the counter window: F5 asks before a ticket not called again is marked
absent; "hadir kembali" (a no-show ticket typed again is called back within the hall's window);
an F-key calls a parked ticket back; the transfer dialog does not offer the ticket's own service
first; keys reach the window's shortcuts after a dialog closes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from antrian.domain.model import Status
from tests.ui.test_counter import env, key, login, press, settle  # noqa: F401  (env is a fixture)

pytestmark = pytest.mark.ui


def test_absent_needs_a_recall_or_a_yes_and_can_come_back(env, qtbot, shot):  # noqa: F811
    for _ in range(3):
        env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    key(qtbot, panel, Qt.Key.Key_F1)
    assert env.ticket("K-001").status == Status.CALLED
    press(qtbot, panel, Qt.Key.Key_F5)
    dlg = panel.confirm_dialog
    qtbot.waitUntil(lambda: dlg.isVisible(), timeout=3000)
    assert "F2" in dlg.question.text() and "belum dipanggil ulang" in dlg.question.text()
    shot(w, "counter-absent-confirm")
    qtbot.mouseClick(dlg.no, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert env.ticket("K-001").status == Status.CALLED
    key(qtbot, panel, Qt.Key.Key_F2)  # called again once: F5 is then at once
    key(qtbot, panel, Qt.Key.Key_F5)
    assert env.ticket("K-001").status == Status.NO_SHOW
    assert "30 menit" in panel.message.text() and "K-001" in panel.message.text()
    # the citizen is back from the photocopy shop: type the number, Enter
    env.clock.advance(minutes=10)
    panel.scan.setText("K-001")
    key(qtbot, panel, Qt.Key.Key_Return)
    assert env.ticket("K-001").status == Status.CALLED
    assert panel.current is not None and panel.current.number == "K-001"


def test_keys_reach_the_shortcuts_after_a_dialog_closes(env, qtbot):  # noqa: F811
    for _ in range(2):
        env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    key(qtbot, panel, Qt.Key.Key_F1)
    press(qtbot, panel, Qt.Key.Key_F6)
    dlg = panel.transfer_dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.windowHandle().requestActivate()  # the dialog has the keys, as under X
    qtbot.waitUntil(dlg.isActiveWindow, timeout=3000)
    dlg.reject()
    qtbot.waitUntil(lambda: not dlg.isVisible())
    qtbot.waitUntil(w.isActiveWindow, timeout=3000)  # given back by the panel, not by the test
    assert w.focusWidget() is panel.scan
    QTest.keyClick(panel.scan, Qt.Key.Key_F7)  # straight to the window, no re-activation
    settle(qtbot, panel)
    assert env.ticket("K-001").status == Status.PARKED


def test_f10_calls_a_parked_ticket_back_and_lists_are_lists(env, qtbot, shot):  # noqa: F811
    from counter.panel_layout import ROLE_NUMBER, TicketRowDelegate

    for _ in range(3):
        env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    key(qtbot, panel, Qt.Key.Key_F1)
    key(qtbot, panel, Qt.Key.Key_F7)  # K-001 parked
    assert env.ticket("K-001").status == Status.PARKED
    assert "F10" in panel.unpark_button.text()
    assert isinstance(panel.next_list.itemDelegate(), TicketRowDelegate)
    assert "monospace" not in panel.next_list.styleSheet()
    assert panel.next_list.item(0).data(ROLE_NUMBER) == "K-002"
    assert panel.parked_list.item(0).data(ROLE_NUMBER) == "K-001"
    shot(w, "counter-lists")
    key(qtbot, panel, Qt.Key.Key_F10)
    assert env.ticket("K-001").status == Status.CALLED and panel.parked == []


def test_the_transfer_dialog_has_no_default_target(env, qtbot):  # noqa: F811
    env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    key(qtbot, panel, Qt.Key.Key_F1)
    press(qtbot, panel, Qt.Key.Key_F6)
    dlg = panel.transfer_dialog
    qtbot.waitUntil(dlg.isVisible)
    codes = [dlg.service_box.itemData(i) for i in range(dlg.service_box.count())]
    assert "ktp" not in codes  # the ticket's own service is not offered
    assert dlg.target() == (None, None) and not dlg.ok.isEnabled()
    assert dlg.service_box.currentText() == "Pilih layanan..."
    dlg.choose_service("kk")
    assert dlg.ok.isEnabled() and dlg.target() == ("kk", None)
    dlg.reject()
