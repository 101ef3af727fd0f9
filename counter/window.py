"""The counter officer's window (`mpp counter`): log in, choose a counter, then the counter panel
(counter/panel.py) to call, recall, serve, finish, mark absent, transfer, park and call back
tickets, mostly from the keyboard. The flow logic is in counter/presenter.py (no Qt).

- All database work runs on the ``Runner`` (never on the GUI thread); while an action is in
  flight every action is disabled, so a double click or a key repeat never calls two tickets
  (the store also refuses a second call while a ticket is open).
- The window follows the ``EventFeed``: new tickets and transfers into this counter appear by
  themselves. A lost database shows a banner; the window keeps working and recovers by itself.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtWidgets import QWidget

from antrian.domain.errors import UnknownCounter
from counter.common import ErrorText
from counter.login import CounterPicker
from counter.panel import ACTIONS, NEXT_LIMIT, RETRY_MS, CounterPanel
from counter.station import StationWindow

__all__ = ["ACTIONS", "NEXT_LIMIT", "RETRY_MS", "CounterPanel", "CounterWindow"]


class CounterWindow(StationWindow):
    """Login -> counter choice (unless preset) -> the counter panel."""

    purpose = "counter"
    panel: CounterPanel | None

    def __init__(self, queue: Any, users: Any, runner: Any, feed: Any, clock: Any = None, translations: Any = None,
                 counter: str | None = None, parent: QWidget | None = None):
        super().__init__(queue, users, runner, feed, clock, translations, parent)
        self.preset_counter = counter or None
        self.resize(1280, 800)
        self.picker = CounterPicker(queue.hall)
        self.stack.addWidget(self.picker)
        self.picker.chosen.connect(self.open_counter)
        if self.preset_counter:
            self.picker.select(self.preset_counter)
        self.retranslate()
        self.login_page.username.setFocus()

    def window_title(self) -> str:
        return self.tr("Counter - {hall}").format(hall=self.queue.hall.short_name)

    # ------------------------------------------------------------------ flow
    def page(self) -> str:
        w = self.stack.currentWidget()
        return "login" if w is self.login_page else "picker" if w is self.picker else "counter"

    def login(self, username: str, pin: str) -> None:
        self.login_page.set_busy(True)
        users, counter = self.users, self.preset_counter

        def ok(user):
            if not shiboken6.isValid(self):
                return
            self.user = user
            self.login_page.set_busy(False)
            self.login_page.message.clear()
            if self.preset_counter:
                self.open_counter(self.preset_counter)
            else:
                self.stack.setCurrentWidget(self.picker)
                self.picker.list.setFocus()

        def err(exc):
            if not shiboken6.isValid(self):
                return
            self.login_page.set_busy(False)
            self.login_page.show_error(ErrorText.of(exc))
            self.saw_error(exc)

        self.runner.submit(lambda: users.login(username, pin, counter=counter), ok, err)

    def open_counter(self, code: str) -> None:
        if self.user is None:
            return
        self.picker.set_busy(True)
        queue, officer = self.queue, self.user.username

        def ok(_state):
            if not shiboken6.isValid(self):
                return
            self.picker.set_busy(False)
            self._show_panel(code)

        def err(exc):
            if not shiboken6.isValid(self):
                return
            self.picker.set_busy(False)
            if isinstance(exc, UnknownCounter):
                self.preset_counter = None
            self.stack.setCurrentWidget(self.picker)
            self.picker.show_error(ErrorText.of(exc))
            self.saw_error(exc)

        self.runner.submit(lambda: queue.open_counter(code, officer=officer), ok, err)

    def _day_confirmed(self, day: object) -> None:
        super()._day_confirmed(day)
        if self.panel is None and self.user is not None and self.page() == "picker" and self.preset_counter:
            self.open_counter(self.preset_counter)  # the refused opening goes through now

    def _show_panel(self, code: str) -> None:
        assert self.user is not None
        panel = CounterPanel(self.queue, self.runner, self.feed, self.clock, self.user, code)
        self.panel = panel
        panel.logged_out.connect(self._logged_out)
        panel.error_shown.connect(self.saw_error)
        self.stack.addWidget(panel)
        self.stack.setCurrentWidget(panel)
        panel.scan.setFocus()
