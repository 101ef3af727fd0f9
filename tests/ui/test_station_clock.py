"""One clock in the windows (issue 10): the clock-jump banner with the supervisor's "Mulai hari
baru", the skewed-clock warning line, and SQLite's "database is locked" as one clear line with
nothing lost. Offscreen; screenshots in out/screenshots/station-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from antrian.domain.model import Status
from antrian.services.service_day import ClockSkew
from tests.ui.counter_helpers import activate, close_env, make_env

pytestmark = pytest.mark.ui


@pytest.fixture
def env(qapp, hall, clock, tmp_path):
    e = make_env(qapp, hall, clock, tmp_path)
    yield e
    close_env(e)


def counter_window(env, qtbot, counter="7"):
    from counter.window import CounterWindow

    w = CounterWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations,
                      counter=counter)
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    return w


def monitor_window(env, qtbot):
    from counter.monitor import MonitorWindow

    w = MonitorWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations)
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    return w


def log_in(qtbot, w, user, pin):
    w.login_page.username.setText(user)
    w.login_page.pin.setText(pin)
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)


def confirm_as(qtbot, w, user, pin):
    banner = w.clock_banner
    qtbot.mouseClick(banner.new_day_button, Qt.MouseButton.LeftButton)
    dlg = banner.dialog
    qtbot.waitUntil(dlg.isVisible, timeout=3000)
    QTest.keyClicks(dlg.username, user)
    QTest.keyClicks(dlg.pin, pin)
    qtbot.mouseClick(dlg.yes, Qt.MouseButton.LeftButton)


def test_a_clock_jump_shows_the_banner_and_only_a_supervisor_starts_the_new_day(env, qtbot, shot):
    first = env.queue.issue("ktp").ticket
    env.clock.advance(days=6)  # Wednesday -> next Tuesday: this PC's clock jumped
    w = counter_window(env, qtbot)
    banner = w.clock_banner
    # read only: the hall's last event is six service days old
    qtbot.waitUntil(lambda: banner.jump_box.isVisible(), timeout=5000)
    log_in(qtbot, w, "budi", "1234")
    # opening the counter is a write: refused, the banner says why, the ticket did not expire
    qtbot.waitUntil(lambda: w.page() == "picker" and "melompat" in w.picker.message.text(), timeout=5000)
    assert "Jam PC ini melompat 6 hari" in banner.jump_label.text()
    assert "25-11-2026" in banner.jump_label.text() and "01-12-2026" in banner.jump_label.text()
    assert "melompat 6 hari" in w.picker.message.text()
    assert banner.new_day_button.text() == "Mulai hari baru (supervisor)"
    with env.store.read() as tx:
        assert tx.get_ticket(first.id).status == Status.WAITING  # nothing expired
    shot(w, "station-clock-jump")

    # an officer's PIN does not start the new day
    confirm_as(qtbot, w, "budi", "1234")
    qtbot.waitUntil(lambda: "\n" in banner.jump_label.text() and banner.new_day_button.isEnabled(), timeout=5000)
    assert banner.jump_label.text().split("\n")[-1] == "Fitur ini memerlukan akun supervisor atau admin."
    assert banner.jump_box.isVisible()
    assert not env.events("day_confirmed")

    # the supervisor does: the banner goes, the counter opens, the old ticket expired
    confirm_as(qtbot, w, "sri", "567890")
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=5000)
    assert env.events("day_confirmed")[-1].officer == "sri"
    qtbot.waitUntil(lambda: w.page() == "counter", timeout=5000)
    with env.store.read() as tx:
        assert tx.get_ticket(first.id).status == Status.EXPIRED


def test_the_monitor_shows_a_jump_before_any_write_and_after_a_refused_action(env, qtbot, shot):
    env.queue.issue("ktp")
    env.clock.advance(days=2)
    w = monitor_window(env, qtbot)
    # read only: the hall's last event is two service days old
    qtbot.waitUntil(lambda: w.clock_banner.jump_box.isVisible(), timeout=5000)
    assert "melompat 2 hari" in w.clock_banner.jump_label.text()
    shot(w, "station-monitor-clock-jump")

    # a day later than the last one is an ordinary rollover: no banner
    env.clock.advance(days=-1)
    w.clock_banner.check()
    qtbot.waitUntil(lambda: not w.clock_banner.isVisible(), timeout=5000)


def test_a_skewed_clock_names_the_difference(env, qtbot, shot, monkeypatch):
    server = env.clock.now()
    skew = ClockSkew(server + timedelta(minutes=3, seconds=10), server)
    monkeypatch.setattr(env.queue, "clock_skew", lambda station=None: skew)
    w = monitor_window(env, qtbot)
    label = w.clock_banner.skew_label
    qtbot.waitUntil(label.isVisible, timeout=5000)
    assert "Jam PC ini 3 mnt lebih cepat dari jam server" in label.text()
    assert "25-11-2026 09.03.10" in label.text() and "25-11-2026 09.00.00" in label.text()
    assert not w.clock_banner.jump_box.isVisible()
    shot(w, "station-clock-skew")
    monkeypatch.setattr(env.queue, "clock_skew", lambda station=None: None)
    w.clock_banner.check()
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=5000)


def test_a_locked_sqlite_file_is_one_clear_line_and_nothing_is_lost(qapp, hall, clock, tmp_path, qtbot,
                                                                     monkeypatch):
    import sqlite3

    from antrian.storage import db

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)  # the real one waits 30 s
    env = make_env(qapp, hall, clock, tmp_path)
    try:
        env.queue.issue("ktp")
        w = counter_window(env, qtbot)
        log_in(qtbot, w, "budi", "1234")
        qtbot.waitUntil(lambda: w.page() == "counter" and w.panel.loaded, timeout=5000)
        panel = w.panel
        other = sqlite3.connect(str(tmp_path / "hall.sqlite3"))  # another program holds the file
        other.execute("BEGIN IMMEDIATE")
        try:
            assert panel.call_next()
            qtbot.waitUntil(lambda: "sibuk" in panel.message.text(), timeout=5000)
            assert panel.message.text() == "Basis data sibuk, coba lagi. Belum ada yang tersimpan."
            assert "Traceback" not in panel.message.text()
        finally:
            other.rollback()
            other.close()
        assert env.ticket("K-001").status == Status.WAITING  # nothing half done
        qtbot.waitUntil(lambda: not panel.busy and not panel._refreshing, timeout=5000)
        assert panel.call_next()
        qtbot.waitUntil(lambda: panel.current is not None, timeout=5000)
        assert panel.current.number == "K-001"
        assert env.ticket("K-001").status == Status.CALLED
    finally:
        close_env(env)


def test_the_new_window_strings_have_indonesian_translations():
    from tests.ui.test_counter import ROOT, _source_strings

    import xml.etree.ElementTree as ET

    tree = ET.parse(ROOT / "antrian" / "data" / "translations" / "counter_id.ts")
    have = {(c.findtext("name"), m.findtext("source")) for c in tree.getroot().iter("context")
            for m in c.iter("message") if m.findtext("translation")}
    wanted = set()
    for f in ("clock_banner.py", "station.py", "common.py", "monitor.py"):
        wanted |= _source_strings(ROOT / "counter" / f)
    assert wanted and not sorted(wanted - have)


def test_a_locked_sqlite_file_in_the_monitor_is_one_line_not_offline(qapp, hall, clock, tmp_path, qtbot,
                                                                     monkeypatch):
    import sqlite3

    from antrian.storage import db

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    env = make_env(qapp, hall, clock, tmp_path)
    try:
        env.queue.issue("ktp")
        env.queue.open_counter("7", officer="budi")
        w = monitor_window(env, qtbot)
        log_in(qtbot, w, "sri", "567890")
        qtbot.waitUntil(lambda: w.panel is not None and w.panel.snapshot is not None, timeout=5000)
        panel = w.panel
        panel.select_counter("7")
        other = sqlite3.connect(str(tmp_path / "hall.sqlite3"))
        other.execute("BEGIN IMMEDIATE")
        try:
            assert panel._act(lambda: env.queue.close_counter("7", officer="sri"), lambda _r: "closed")
            qtbot.waitUntil(lambda: "sibuk" in panel.message.text(), timeout=5000)
            assert panel.message.text() == "Basis data sibuk, coba lagi. Belum ada yang tersimpan."
            assert not panel.banner.isVisible() and not panel.offline
        finally:
            other.rollback()
            other.close()
        assert env.queue.counter_view("7")[0].state.status.value == "open"  # nothing half done
    finally:
        close_env(env)
