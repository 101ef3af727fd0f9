"""The monitor fits one cell of the demo desktop (issue 14): at most 680 px wide (half of a
1366-px screen); narrow, the counters fold above the queue and the pages scroll instead of
widening the window. Screenshots at 683x768 (the half cell), 1366x768, 1920x1080 and 1080x1920
go to out/screenshots/monitor-fit-*.png."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from tests.ui.counter_helpers import activate, close_env, make_env

pytestmark = pytest.mark.ui

HALF_CELL = 680


@pytest.fixture
def env(qapp, hall, clock, tmp_path):
    e = make_env(qapp, hall, clock, tmp_path)
    yield e
    close_env(e)


def test_the_monitor_fits_half_a_1366_screen_and_folds(env, qtbot, shot):
    from counter.monitor import FOLD_WIDTH, MonitorWindow

    q = env.queue
    for _ in range(3):
        q.issue("ktp")
    q.issue("pdam-bayar")
    q.open_counter("7", officer="budi")
    q.call_next("7", officer="budi")
    w = MonitorWindow(env.queue, env.users, env.runner, env.feed, env.clock, translations=env.translations)
    qtbot.addWidget(w)
    env.windows.append(w)
    activate(qtbot, w)
    w.login_page.username.setText("sri")
    w.login_page.pin.setText("567890")
    qtbot.mouseClick(w.login_page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel is not None and w.panel.snapshot is not None, timeout=5000)
    panel = w.panel
    assert w.minimumSizeHint().width() <= HALF_CELL
    assert panel.minimumSizeHint().width() <= HALF_CELL

    queue_page = panel.tabs.widget(0)
    assert isinstance(queue_page, QScrollArea)
    for size in ((683, 768), (1366, 768), (1920, 1080), (1080, 1920)):
        w.resize(*size)
        qtbot.waitUntil(lambda size=size: w.width() == size[0] and w.height() == size[1], timeout=2000)
        qtbot.waitUntil(lambda size=size: panel.split.folded == (size[0] < FOLD_WIDTH), timeout=2000)
        assert panel.counter_row("7")[2].startswith("K-001")
        # the half cell scrolls up and down; the others show the whole page
        qtbot.waitUntil(lambda size=size: queue_page.verticalScrollBar().isVisible() == (size == (683, 768)),
                        timeout=2000)
        assert not queue_page.horizontalScrollBar().isVisible(), size  # it folds instead
        shot(w, f"monitor-fit-{size[0]}x{size[1]}")

    # the other pages are still reached by the page itself
    panel.tabs.setCurrentWidget(panel.reports_view)
    assert panel.tabs.currentIndex() == 2 and panel.tabs.page(2) is panel.reports_view
    w.resize(683, 768)
    qtbot.waitUntil(lambda: w.width() == 683, timeout=2000)
    qtbot.waitUntil(lambda: panel.tabs.widget(2).horizontalScrollBar().isVisible(), timeout=2000)  # it scrolls
    shot(w, "monitor-fit-reports-683x768")
    panel.tabs.setCurrentWidget(panel.alerts_view)
    assert panel.tabs.indexOf(panel.alerts_view) == 1 and panel.tabs.currentIndex() == 1
    shot(w, "monitor-fit-alerts-683x768")
