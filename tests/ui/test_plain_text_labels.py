"""Issue 10 (13): typed or scanned text is shown literally, never rendered as rich text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.ui.counter_helpers import activate, close_env, make_env

pytestmark = pytest.mark.ui

MARKUP = '<b>x</b><img src="file:///etc/passwd">'


@pytest.fixture
def env(qapp, hall, clock, tmp_path):
    e = make_env(qapp, hall, clock, tmp_path)
    yield e
    close_env(e)


def make_window(env, qtbot, counter="7"):
    from counter.window import CounterWindow

    w = CounterWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations,
                      counter=counter)
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    return w


def every_label_is_plain(widget) -> list[str]:
    return [lab.objectName() or lab.text()[:30] for lab in widget.findChildren(QLabel)
            if lab.textFormat() != Qt.TextFormat.PlainText]


def test_typed_username_with_markup_is_shown_literally(env, qtbot):
    w = make_window(env, qtbot)
    page = w.login_page
    page.username.setText(MARKUP)
    page.pin.setText("1234")
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.text() not in ("", page.tr("Checking...")), timeout=5000)
    assert page.message.textFormat() == Qt.TextFormat.PlainText
    assert every_label_is_plain(w) == []


def test_scanned_markup_is_shown_literally_in_the_panel(env, qtbot):
    w = make_window(env, qtbot)
    w.login_page.username.setText("budi")
    w.login_page.pin.setText("1234")
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.page() == "counter", timeout=5000)
    panel = w.panel
    qtbot.waitUntil(lambda: panel.loaded, timeout=5000)
    panel.scan.setText(MARKUP)
    panel.call_number_from_field()
    qtbot.waitUntil(lambda: "<b>x</b>" in panel.message.text(), timeout=5000)
    assert panel.message.textFormat() == Qt.TextFormat.PlainText
    assert every_label_is_plain(w) == []
