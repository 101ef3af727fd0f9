"""The counter officer's window, offscreen: login, every action and its shortcut (checked in the
database), live updates from another connection, double-click safety, the open-ticket guard,
offline and recovery, language switch. Screenshots go to out/screenshots/counter-*.png."""

from __future__ import annotations

import ast
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from antrian.domain.errors import CounterBusy
from antrian.domain.model import CounterStatus, Status
from tests.ui.counter_helpers import BrokenStore, activate, close_env, make_env

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(qapp, hall, clock, tmp_path):
    e = make_env(qapp, hall, clock, tmp_path)
    yield e
    close_env(e)


@pytest.fixture
def env_nofeed(qapp, hall, clock, tmp_path):
    e = make_env(qapp, hall, clock, tmp_path, feed=False)
    yield e
    close_env(e)


def make_window(env, qtbot, counter=None):
    from counter.window import CounterWindow

    w = CounterWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations,
                      counter=counter)
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    return w


def login(env, qtbot, counter="7", user="budi", pin="1234"):
    w = make_window(env, qtbot, counter=counter)
    w.login_page.username.setText(user)
    w.login_page.pin.setText(pin)
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.page() == "counter", timeout=5000)
    panel = w.panel
    qtbot.waitUntil(lambda: panel.loaded, timeout=5000)
    return w, panel


def settle(qtbot, panel):
    """Wait until the action in flight and the refresh after it are done."""
    qtbot.waitUntil(lambda: not panel.busy and not panel._refreshing, timeout=5000)


def press(qtbot, panel, k):
    """A key press as the officer makes it: in the active counter window (offscreen Qt does not
    give the activation back to the window when a dialog closes, a window manager does)."""
    w = panel.window()
    if not w.isActiveWindow():
        w.windowHandle().requestActivate()
        qtbot.waitUntil(w.isActiveWindow, timeout=3000)
    QTest.keyClick(panel.scan, k)


def key(qtbot, panel, k):
    press(qtbot, panel, k)
    settle(qtbot, panel)


# ------------------------------------------------------------------------------------ login


def test_login_right_then_choose_counter(env, qtbot, shot):
    w = make_window(env, qtbot)
    assert w.page() == "login"
    w.login_page.username.setText("budi")
    shot(w, "counter-login")
    QTest.keyClicks(w.login_page.pin, "1234")
    QTest.keyClick(w.login_page.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.page() == "picker", timeout=5000)
    assert "Pilih loket" in w.picker.title.text()
    shot(w, "counter-picker")
    w.picker.select("8")
    qtbot.mouseClick(w.picker.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.page() == "counter", timeout=5000)
    assert w.panel.counter.code == "8"
    with env.store.read() as tx:
        st = tx.counter_state("8")
    assert st.status == CounterStatus.OPEN and st.officer == "budi"
    [e] = env.events("login")
    assert e.officer == "budi"


def test_login_wrong_pin_then_locked(env, qtbot, shot):
    w = make_window(env, qtbot, counter="7")
    page = w.login_page
    page.username.setText("budi")
    for left in (4, 3, 2, 1):
        page.pin.setText("9999")
        qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.button.isEnabled() and "PIN salah" in page.message.text(), timeout=5000)
        assert f"Sisa {left} kali" in page.message.text()
        assert page.pin.text() == ""  # cleared for the next try
    page.pin.setText("9999")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "terkunci" in page.message.text(), timeout=5000)
    assert "Akun terkunci sampai 09.05" in page.message.text()
    shot(w, "counter-login-locked")
    # the right PIN does not help while locked
    page.pin.setText("1234")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.button.isEnabled(), timeout=5000)
    assert w.page() == "login" and "terkunci" in page.message.text()
    assert len(env.events("locked")) == 1
    # five minutes later it works
    env.clock.advance(minutes=5)
    page.pin.setText("1234")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.page() == "counter", timeout=5000)


def test_login_unknown_user_and_short_pin(env, qtbot):
    w = make_window(env, qtbot, counter="7")
    page = w.login_page
    page.username.setText("nobody")
    page.pin.setText("12")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    assert "4-8 angka" in page.message.text()  # checked before asking the database
    page.pin.setText("1234")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "tidak dikenal" in page.message.text(), timeout=5000)
    assert "nobody" in page.message.text()


# ------------------------------------------------------------------------------------ actions


def test_every_action_and_its_shortcut(env, qtbot, shot):
    q = env.queue
    for _ in range(6):
        q.issue("ktp")
    q.issue("kk", priority="lansia")
    w, panel = login(env, qtbot)
    assert panel.waiting_counts == {"ktp": 6, "kk": 1}
    shot(w, "counter-idle")

    # F1: call next -> the priority ticket goes first
    key(qtbot, panel, Qt.Key.Key_F1)
    assert panel.current.number == "K-007"
    assert env.ticket("K-007").status == Status.CALLED and env.ticket("K-007").officer == "budi"
    assert panel.number_label.text() == "K-007" and panel.prio_label.isVisible()
    env.clock.advance(seconds=95)
    panel._tick()
    assert panel.timer_value.text() == "01:35"
    shot(w, "counter-called")

    # F2 recall, F3 start, F4 finish
    key(qtbot, panel, Qt.Key.Key_F2)
    assert env.ticket("K-007").recall_count == 1
    key(qtbot, panel, Qt.Key.Key_F3)
    assert env.ticket("K-007").status == Status.SERVING
    assert "Sedang dilayani" in panel.state_label.text()
    key(qtbot, panel, Qt.Key.Key_F4)
    assert env.ticket("K-007").status == Status.DONE
    assert panel.current is None

    # Space (in the empty number field) calls next; F5 no-show
    key(qtbot, panel, Qt.Key.Key_Space)
    assert env.ticket("K-001").status == Status.CALLED
    assert panel.scan.text() == ""
    press(qtbot, panel, Qt.Key.Key_F5)  # not called again yet: asks first
    qtbot.waitUntil(lambda: panel.confirm_dialog is not None and panel.confirm_dialog.isVisible(), timeout=3000)
    assert env.ticket("K-001").status == Status.CALLED
    qtbot.mouseClick(panel.confirm_dialog.yes, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert env.ticket("K-001").status == Status.NO_SHOW

    # F1 again, F7 park; the parked list shows it; call it back from the list
    key(qtbot, panel, Qt.Key.Key_F1)
    assert env.ticket("K-002").status == Status.CALLED
    key(qtbot, panel, Qt.Key.Key_F7)
    assert env.ticket("K-002").status == Status.PARKED
    assert [t.number for t in panel.parked] == ["K-002"]
    assert panel.parked_list.item(0).text().startswith("K-002")
    qtbot.mouseClick(panel.unpark_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert env.ticket("K-002").status == Status.CALLED and panel.parked == []
    assert env.events("unparked")[-1].officer == "budi"

    # F6 transfer to another service of the hall
    press(qtbot, panel, Qt.Key.Key_F6)
    dlg = panel.transfer_dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.choose_service("pdam-bayar")
    shot(dlg, "counter-transfer-dialog")
    qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    t = env.ticket("K-002")
    assert t.status == Status.WAITING and t.service_code == "pdam-bayar" and t.transferred_from
    [e] = env.events("transferred")
    assert e.officer == "budi" and e.payload["to_service"] == "pdam-bayar"

    # call a specific number typed in the field; then the QR text as a scanner types it
    QTest.keyClicks(panel.scan, "k-5")
    QTest.keyClick(panel.scan, Qt.Key.Key_Return)
    settle(qtbot, panel)
    assert env.ticket("K-005").status == Status.CALLED
    assert env.events("called_number")[-1].number == "K-005"
    key(qtbot, panel, Qt.Key.Key_F4)
    token = env.ticket("K-006").token
    QTest.keyClicks(panel.scan, f"https://antrian.example.go.id/t/{token}")
    QTest.keyClick(panel.scan, Qt.Key.Key_Return)
    settle(qtbot, panel)
    assert env.ticket("K-006").status == Status.CALLED
    key(qtbot, panel, Qt.Key.Key_F4)

    # a number that does not exist: a clear message, nothing changes
    QTest.keyClicks(panel.scan, "K-099")
    QTest.keyClick(panel.scan, Qt.Key.Key_Return)
    settle(qtbot, panel)
    assert "Tidak ada tiket K-099 hari ini" in panel.message.text()

    # F8 break with a reason, F8 again resumes
    press(qtbot, panel, Qt.Key.Key_F8)
    rd = panel.reason_dialog
    qtbot.waitUntil(rd.isVisible)
    rd.presets.setCurrentIndex(1)  # Salat
    qtbot.mouseClick(rd.ok, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    with env.store.read() as tx:
        st = tx.counter_state("7")
    assert st.status == CounterStatus.PAUSED and st.pause_reason == "Salat"
    assert "Lanjutkan" in panel.buttons["pause"].text()
    key(qtbot, panel, Qt.Key.Key_F8)
    assert panel.state.status == CounterStatus.OPEN

    # F9 close (confirmed), F9 opens again
    press(qtbot, panel, Qt.Key.Key_F9)
    cd = panel.confirm_dialog
    qtbot.waitUntil(cd.isVisible)
    qtbot.mouseClick(cd.yes, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert panel.state.status == CounterStatus.CLOSED
    assert "Buka loket" in panel.buttons["close"].text()
    key(qtbot, panel, Qt.Key.Key_F9)
    assert panel.state.status == CounterStatus.OPEN

    # F12 log out (confirmed): back to the login page, the counter is paused
    press(qtbot, panel, Qt.Key.Key_F12)
    cd = panel.confirm_dialog
    qtbot.waitUntil(cd.isVisible)
    qtbot.mouseClick(cd.yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.page() == "login", timeout=5000)
    with env.store.read() as tx:
        st = tx.counter_state("7")
    assert st.status == CounterStatus.PAUSED and st.pause_reason == "logout"

    # every action was recorded with the officer and the counter
    acted = [e for e in env.events() if e.counter_code == "7" and e.type not in ("login",)]
    assert acted and all(e.officer == "budi" for e in acted)


def test_buttons_show_their_keys_and_disable_when_not_possible(env, qtbot):
    w, panel = login(env, qtbot)
    assert panel.buttons["call"].text() == "Panggil\nF1 / Spasi"
    assert panel.buttons["finish"].text().endswith("\nF4")
    assert panel.buttons["call"].isEnabled()
    for name in ("recall", "start", "finish", "no_show", "transfer", "park"):
        assert not panel.buttons[name].isEnabled(), name
    # a shortcut for a disabled action does nothing
    press(qtbot, panel, Qt.Key.Key_F4)
    assert not panel.busy


def test_nothing_waiting_message(env, qtbot):
    w, panel = login(env, qtbot)
    key(qtbot, panel, Qt.Key.Key_F1)
    assert "Tidak ada antrean untuk loket ini" in panel.message.text()
    assert panel.buttons["call"].isEnabled()


# ------------------------------------------------------------------------------------ live updates


def test_live_update_when_another_connection_issues_or_transfers(env, qtbot):
    w, panel = login(env, qtbot)
    assert panel.waiting_counts["ktp"] == 0
    other = env.other_queue()

    other.issue("ktp")  # the kiosk, on another connection
    qtbot.waitUntil(lambda: panel.waiting_counts["ktp"] == 1, timeout=5000)
    qtbot.waitUntil(lambda: [t.number for t in panel.next_in_line] == ["K-001"], timeout=5000)
    assert panel.waiting_labels["ktp"].text() == "1"

    # counter 3 (PDAM) calls a ticket and transfers it to counter 7 by name
    other.issue("pdam-bayar")
    other.call_next("3", officer="ani")
    other.transfer("3", to_counter="7", officer="ani")
    qtbot.waitUntil(lambda: panel.waiting_counts["ktp"] == 2, timeout=5000)
    qtbot.waitUntil(lambda: "P-001" in [t.number for t in panel.next_in_line], timeout=5000)
    # and it can be called here
    key(qtbot, panel, Qt.Key.Key_F1)
    assert panel.current.number in ("K-001", "P-001")


# ------------------------------------------------------------------------------------ safety


def test_double_click_and_key_repeat_call_one_ticket(env, qtbot):
    for _ in range(4):
        env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    b = panel.buttons["call"]
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(b, Qt.MouseButton.LeftButton)  # the second click finds the button disabled
    press(qtbot, panel, Qt.Key.Key_F1)  # and a key repeat finds the action in flight
    QTest.keyClick(panel.scan, Qt.Key.Key_Space)
    assert panel.trigger("call") is False
    settle(qtbot, panel)  # nothing in flight any more: the refused presses left no job behind
    assert len(env.events("called")) == 1
    assert panel.current.number == "K-001"
    assert env.ticket("K-002").status == Status.WAITING
    # F1 held down: auto-repeat is off for every shortcut
    assert all(not sc.autoRepeat() for sc in panel.shortcuts)


def test_store_refuses_a_second_call_while_a_ticket_is_open(env):
    for _ in range(3):
        env.queue.issue("ktp")
    a, b = env.queue, env.other_queue()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def call(q):
        barrier.wait()
        try:
            results.append(q.call_next("7", officer="budi"))
        except CounterBusy as e:
            errors.append(e)

    threads = [threading.Thread(target=call, args=(q,)) for q in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and len(errors) == 1
    with pytest.raises(CounterBusy):
        a.call_next("7", officer="budi")
    assert len(env.events("called")) == 1


def test_open_ticket_guard(env, qtbot, shot):
    for _ in range(3):
        env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    key(qtbot, panel, Qt.Key.Key_F1)
    assert panel.current.number == "K-001"

    # F1 with K-001 still open asks first; "do not call yet" changes nothing
    press(qtbot, panel, Qt.Key.Key_F1)
    dlg = panel.guard_dialog
    qtbot.waitUntil(dlg.isVisible)
    assert "K-001" in dlg.question.text()
    shot(dlg, "counter-guard-dialog")
    qtbot.mouseClick(dlg.back, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert env.ticket("K-001").status == Status.CALLED and len(env.events("called")) == 1

    # again, and choose "finish, then call next"
    press(qtbot, panel, Qt.Key.Key_F1)
    dlg = panel.guard_dialog
    qtbot.waitUntil(dlg.isVisible)
    qtbot.mouseClick(dlg.finish, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert env.ticket("K-001").status == Status.DONE
    assert env.ticket("K-002").status == Status.CALLED

    # when serving, "absent" is not offered; park then call next
    key(qtbot, panel, Qt.Key.Key_F3)
    press(qtbot, panel, Qt.Key.Key_F1)
    dlg = panel.guard_dialog
    qtbot.waitUntil(dlg.isVisible)
    assert not dlg.no_show.isEnabled()
    dlg.windowHandle().requestActivate()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=3000)
    QTest.keyClick(dlg, Qt.Key.Key_F7)
    settle(qtbot, panel)
    assert env.ticket("K-002").status == Status.PARKED
    assert env.ticket("K-003").status == Status.CALLED


def test_guard_also_when_the_window_did_not_know_the_ticket_was_open(env_nofeed, qtbot):
    """Another station called on this counter (no feed to tell us): the store refuses the call
    and the window asks what to do with the ticket it now learns about."""
    env = env_nofeed
    for _ in range(2):
        env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    env.other_queue().call_next("7", officer="budi")
    assert panel.current is None  # stale view
    press(qtbot, panel, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: panel.guard_dialog is not None and panel.guard_dialog.isVisible(), timeout=5000)
    qtbot.mouseClick(panel.guard_dialog.no_show, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert env.ticket("K-001").status == Status.NO_SHOW
    assert env.ticket("K-002").status == Status.CALLED


# ------------------------------------------------------------------------------------ offline


def test_offline_banner_and_recovery(env, qtbot, shot):
    env.queue.issue("ktp")
    w, panel = login(env, qtbot)
    good = env.queue.store
    env.queue.store = BrokenStore()
    try:
        qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5000)  # the feed noticed
        press(qtbot, panel, Qt.Key.Key_F1)  # still responsive: the action fails cleanly
        settle(qtbot, panel)
        assert "Database tidak dapat dihubungi" in panel.message.text()
        assert panel.buttons["call"].isEnabled() and panel.offline
        assert "OFFLINE" in panel.banner.text()
        shot(w, "counter-offline")
    finally:
        env.queue.store = good
    qtbot.waitUntil(lambda: not panel.banner.isVisible(), timeout=8000)  # recovers by itself
    key(qtbot, panel, Qt.Key.Key_F1)
    assert env.ticket("K-001").status == Status.CALLED


def test_offline_without_feed_recovers_by_retrying(env_nofeed, qtbot):
    env = env_nofeed
    w, panel = login(env, qtbot)
    good = env.queue.store
    env.queue.store = BrokenStore()
    panel.refresh()
    qtbot.waitUntil(lambda: panel.banner.isVisible(), timeout=5000)
    env.queue.store = good
    qtbot.waitUntil(lambda: not panel.banner.isVisible(), timeout=8000)


# ------------------------------------------------------------------------------------ language


def test_language_switch(env, qtbot):
    w, panel = login(env, qtbot)
    assert panel.buttons["call"].text().startswith("Panggil\n")
    assert panel.waiting_caption.text() == "Menunggu"
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    # LanguageChange is posted to every widget: it arrives with the next event-loop turn
    qtbot.waitUntil(lambda: panel.buttons["call"].text() == "Call next\nF1 / Space", timeout=3000)
    assert panel.waiting_caption.text() == "Waiting"
    assert w.lang_button.text() == "Bahasa Indonesia"
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.buttons["recall"].text() == "Panggil ulang\nF2", timeout=3000)


UI_FILES = ["common.py", "login.py", "dialogs.py", "window.py", "monitor.py"]


def _source_strings(path: Path) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def visit(node, cls):
        for child in ast.iter_child_nodes(node):
            c = child.name if isinstance(child, ast.ClassDef) else cls
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                args = child.args
                if child.func.attr == "tr" and args and isinstance(args[0], ast.Constant):
                    found.add((c, args[0].value))
                if (child.func.attr == "translate" and len(args) >= 2
                        and all(isinstance(a, ast.Constant) for a in args[:2])):
                    found.add((args[0].value, args[1].value))
            visit(child, c)

    visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def test_every_string_has_an_indonesian_translation():
    ts = ET.parse(ROOT / "antrian" / "data" / "translations" / "counter_id.ts").getroot()
    have = {}
    for ctx in ts.iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            have[(name, msg.findtext("source"))] = msg.findtext("translation")
    wanted = set()
    for f in UI_FILES:
        wanted |= _source_strings(ROOT / "counter" / f)
    missing = sorted(wanted - set(have))
    assert not missing, f"add to antrian/data/translations/counter_id.ts: {missing}"
    empty = [k for k, v in have.items() if not v]
    assert not empty
    # placeholders survive translation
    import re

    for (ctx, src), tr in have.items():
        assert set(re.findall(r"{\w+}", src)) == set(re.findall(r"{\w+}", tr)), (ctx, src)
