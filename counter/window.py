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

import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from antrian.domain.errors import UnknownCounter
from antrian.services.ports import UserRecord
from counter.common import STYLE, ErrorText
from counter.login import CounterPicker, LoginPage
from counter.panel import ACTIONS, NEXT_LIMIT, RETRY_MS, CounterPanel

__all__ = ["ACTIONS", "NEXT_LIMIT", "RETRY_MS", "CounterPanel", "CounterWindow"]


class CounterWindow(QMainWindow):
    """Login -> counter choice (unless preset) -> the counter panel."""

    def __init__(self, queue, users, runner, feed, clock=None, translations=None, counter: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = queue
        self.users = users
        self.runner = runner
        self.feed = feed
        self.clock = clock or queue.clock
        self.translations = translations
        self.preset_counter = counter or None
        self.user: UserRecord | None = None
        self.panel: CounterPanel | None = None
        self.setStyleSheet(STYLE)
        self.resize(1280, 800)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        top = QWidget(objectName="header")
        top.setStyleSheet("background: #16294a;")
        tl = QHBoxLayout(top)
        tl.setContentsMargins(16, 2, 16, 2)
        self.hall_label = QLabel(queue.hall.short_name)
        self.hall_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.hall_label.setStyleSheet("color: #d6e2f5;")
        tl.addWidget(self.hall_label, 1)
        self.lang_button = QPushButton(objectName="small")
        self.lang_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lang_button.clicked.connect(self.toggle_language)
        self.lang_button.setVisible(translations is not None)
        tl.addWidget(self.lang_button)
        lay.addWidget(top)

        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.login_page = LoginPage(queue.hall.name, "counter")
        self.picker = CounterPicker(queue.hall)
        self.stack.addWidget(self.login_page)
        self.stack.addWidget(self.picker)
        self.setCentralWidget(central)
        self.login_page.submitted.connect(self.login)
        self.picker.chosen.connect(self.open_counter)
        if self.preset_counter:
            self.picker.select(self.preset_counter)
        self.retranslate()
        self.login_page.username.setFocus()

    # ------------------------------------------------------------------ language
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Counter - {hall}").format(hall=self.queue.hall.short_name))
        if self.translations is not None:
            self.lang_button.setText("English" if self.translations.language == "id" else "Bahasa Indonesia")

    def toggle_language(self) -> None:
        if self.translations is None:
            return
        self.translations.set_language("en" if self.translations.language == "id" else "id")
        self.retranslate()

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

        self.runner.submit(lambda: queue.open_counter(code, officer=officer), ok, err)

    def _show_panel(self, code: str) -> None:
        self.panel = CounterPanel(self.queue, self.runner, self.feed, self.clock, self.user, code)
        self.panel.logged_out.connect(self._logged_out)
        self.stack.addWidget(self.panel)
        self.stack.setCurrentWidget(self.panel)
        self.panel.scan.setFocus()

    def _logged_out(self) -> None:
        panel, self.panel = self.panel, None
        self.user = None
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.username.clear()
        self.login_page.reset()
        if panel is not None:
            self.stack.removeWidget(panel)
            panel.deleteLater()

    def closeEvent(self, event) -> None:
        if self.panel is not None:
            self.panel.shutdown()
        super().closeEvent(event)
