"""What the counter window and the supervisor monitor share (issue 9, duplicate D5): the hall's
top bar with the language button, the clock banner (counter/clock_banner.py), the stack of
pages starting with the login page, the language switch, logging out and closing.

``StationWindow`` subclasses say what a login leads to (``login``) and name their window
(``window_title``); ``make_station_parts`` (counter/app.py) builds what both get from a context.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from antrian.services.ports import UserRecord
from counter.clock_banner import ClockBanner
from counter.common import STYLE
from counter.login import LoginPage


class StationWindow(QMainWindow):
    """Top bar, clock banner, pages (login first). ``panel`` is the page after login."""

    purpose = "counter"  # the login page's wording: "counter" or "monitor"

    def __init__(self, queue: Any, users: Any, runner: Any, feed: Any, clock: Any = None,
                 translations: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = queue
        self.users = users
        self.runner = runner
        self.feed = feed
        self.clock = clock or queue.clock
        self.translations = translations
        self.user: UserRecord | None = None
        self.panel: Any = None
        self.setStyleSheet(STYLE)

        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        top = QWidget()
        top.setObjectName("header")
        top.setStyleSheet("background: #16294a;")
        tl = QHBoxLayout(top)
        tl.setContentsMargins(16, 2, 16, 2)
        self.hall_label = QLabel(queue.hall.short_name)
        self.hall_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.hall_label.setStyleSheet("color: #d6e2f5;")
        tl.addWidget(self.hall_label, 1)
        self.lang_button = QPushButton()
        self.lang_button.setObjectName("small")
        self.lang_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lang_button.clicked.connect(self.toggle_language)
        self.lang_button.setVisible(translations is not None)
        tl.addWidget(self.lang_button)
        lay.addWidget(top)
        self.clock_banner = ClockBanner(queue, users, runner, central)
        self.clock_banner.confirmed.connect(self._day_confirmed)
        lay.addWidget(self.clock_banner)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.login_page = LoginPage(queue.hall.name, self.purpose)
        self.stack.addWidget(self.login_page)
        self.setCentralWidget(central)
        self.login_page.submitted.connect(self.login)
        self.clock_banner.start()

    # ------------------------------------------------------------------ language
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def window_title(self) -> str:  # pragma: no cover - overridden
        return ""

    def retranslate(self) -> None:
        self.setWindowTitle(self.window_title())
        if self.translations is not None:
            self.lang_button.setText("English" if self.translations.language == "id" else "Bahasa Indonesia")

    def toggle_language(self) -> None:
        if self.translations is None:
            return
        self.translations.set_language("en" if self.translations.language == "id" else "id")
        self.retranslate()

    # ------------------------------------------------------------------ flow
    def login(self, username: str, pin: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def saw_error(self, exc: BaseException) -> None:
        """An action of this window failed: a clock jump shows the banner at once."""
        self.clock_banner.saw_error(exc)

    def _day_confirmed(self, _day: object) -> None:
        if self.panel is not None and hasattr(self.panel, "refresh"):
            self.panel.refresh()

    def _logged_out(self) -> None:
        panel, self.panel = self.panel, None
        self.user = None
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.username.clear()
        self.login_page.reset()
        if panel is not None:
            self.stack.removeWidget(panel)
            panel.deleteLater()

    def closeEvent(self, event: Any) -> None:
        if self.panel is not None:
            self.panel.shutdown()
        self.clock_banner.stop()
        super().closeEvent(event)
