"""Login (username + PIN) and counter choice, shared by the counter and the monitor windows.

Both are plain views: they emit what the person entered; the window runs the check in the
background and calls ``show_error`` / ``set_busy``."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from antrian.domain.catalogue import Hall
from counter.common import named


class LoginPage(QWidget):
    submitted = Signal(str, str)  # username, pin

    def __init__(self, hall_name: str, purpose: str = "counter", parent: QWidget | None = None):
        super().__init__(parent)
        self.hall_name = hall_name
        self.purpose = purpose
        self._error = ""
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = named(QFrame(), "card")
        box.setFixedWidth(440)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(28, 24, 28, 24)
        self.title = named(QLabel(), "title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.title.setStyleSheet("color: #1f3a68;")
        self.subtitle = QLabel(hall_name)
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.subtitle.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.subtitle)
        form = QFormLayout()
        self.username = named(QLineEdit(), "username")
        self.username.setMaxLength(40)
        self.pin = named(QLineEdit(), "pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,8}"), self.pin))
        self.user_label = QLabel()
        self.user_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.pin_label = QLabel()
        self.pin_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        form.addRow(self.user_label, self.username)
        form.addRow(self.pin_label, self.pin)
        lay.addLayout(form)
        self.button = named(QPushButton(), "action")
        self.button.setProperty("role", "call")
        lay.addWidget(self.button)
        self.message = named(QLabel(), "message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.message.setWordWrap(True)
        self.message.setProperty("kind", "error")
        self.message.setMinimumHeight(64)  # room for two lines: the card does not jump
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.message)
        row = QVBoxLayout()
        row.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addLayout(row)
        outer.addStretch(2)

        self.button.clicked.connect(self._submit)
        self.username.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Supervisor monitor") if self.purpose == "monitor" else self.tr("Counter login"))
        self.user_label.setText(self.tr("Username"))
        self.pin_label.setText(self.tr("PIN"))
        self.username.setPlaceholderText(self.tr("e.g. budi"))
        self.pin.setPlaceholderText(self.tr("4-8 digits"))
        self.button.setText(self.tr("Log in") + "\n" + self.tr("Enter"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _submit(self) -> None:
        if not self.button.isEnabled():
            return
        user = self.username.text().strip()
        if not user:
            self.show_error(self.tr("Enter your username."))
            self.username.setFocus()
            return
        if len(self.pin.text()) < 4:
            self.show_error(self.tr("Enter your PIN (4-8 digits)."))
            self.pin.setFocus()
            return
        self.submitted.emit(user, self.pin.text())

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.username.setEnabled(not busy)
        self.pin.setEnabled(not busy)
        if busy:
            self.message.setText(self.tr("Checking..."))

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.pin.clear()
        self.pin.setFocus()

    def reset(self) -> None:
        self.message.clear()
        self.pin.clear()
        self.set_busy(False)
        self.message.clear()
        (self.pin if self.username.text() else self.username).setFocus()


class CounterPicker(QWidget):
    """Which counter (loket) this officer works at today."""

    chosen = Signal(str)

    def __init__(self, hall: Hall, parent: QWidget | None = None):
        super().__init__(parent)
        self.hall = hall
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 30, 40, 30)
        self.title = named(QLabel(), "title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.title.setStyleSheet("color: #1f3a68;")
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.list = named(QListWidget(), "counters")
        for c in hall.counters:
            agency = hall.agency(c.agency_code)
            services = ", ".join(hall.service(s).name for s in c.service_codes)
            item = QListWidgetItem(f"{c.name}  -  {agency.short_name}\n    {services}")
            item.setData(Qt.ItemDataRole.UserRole, c.code)
            self.list.addItem(item)
        self.list.setSpacing(3)
        self.button = named(QPushButton(), "action")
        self.button.setProperty("role", "call")
        self.message = named(QLabel(), "message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.message.setProperty("kind", "error")
        self.message.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.button)
        lay.addWidget(self.message)
        self.button.clicked.connect(self._choose)
        self.list.itemActivated.connect(lambda _item: self._choose())
        if self.list.count():
            self.list.setCurrentRow(0)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Choose your counter"))
        self.hint.setText(self.tr("The counter opens for calling when you choose it."))
        self.button.setText(self.tr("Open this counter") + "\n" + self.tr("Enter"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def select(self, code: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == code:
                self.list.setCurrentRow(i)

    def _choose(self) -> None:
        item = self.list.currentItem()
        if item is not None and self.button.isEnabled():
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.list.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.message.setText(text)
