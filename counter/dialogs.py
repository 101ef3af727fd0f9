"""Dialogs of the counter and monitor windows. Each is shown with ``open()`` (window-modal, does
not block the event loop) and reports the choice through a signal, so tests can drive it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from antrian.domain.catalogue import Hall
from antrian.domain.model import Status, Ticket
from counter.common import ErrorText, named


class _Dialog(QDialog):
    def __init__(self, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per action, all day long
        self.setMinimumWidth(560)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:  # pragma: no cover - overridden
        pass

    @staticmethod
    def _button(role: str | None = None) -> QPushButton:
        b = named(QPushButton(), "action")
        if role:
            b.setProperty("role", role)
        b.setAutoDefault(False)
        return b


class OpenTicketDialog(_Dialog):
    """'K-012 is still open. What should happen to it?' before calling the next ticket."""

    chosen = Signal(str)  # "finish", "no_show" or "park"; nothing when the call is cancelled

    def __init__(self, ticket: Ticket, parent: QWidget | None = None):
        super().__init__(parent)
        self.ticket = ticket
        lay = QVBoxLayout(self)
        self.question = named(QLabel(), "section")
        self.question.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.question.setWordWrap(True)
        lay.addWidget(self.question)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        lay.addWidget(self.note)
        grid = QGridLayout()
        self.finish = self._button("finish")
        self.no_show = self._button()
        self.park = self._button()
        self.back = self._button()
        grid.addWidget(self.finish, 0, 0)
        grid.addWidget(self.no_show, 0, 1)
        grid.addWidget(self.park, 1, 0)
        grid.addWidget(self.back, 1, 1)
        lay.addLayout(grid)
        # absent is only possible before serving started
        self.no_show.setEnabled(ticket.status == Status.CALLED)
        for button, choice, key in ((self.finish, "finish", "F4"), (self.no_show, "no_show", "F5"),
                                    (self.park, "park", "F7")):
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            sc = QShortcut(QKeySequence(key), self)
            sc.activated.connect(button.click)
        self.back.clicked.connect(self.reject)
        self.setWindowTitle(ticket.number)
        self.retranslate()

    def retranslate(self) -> None:
        self.question.setText(
            self.tr("{number} is still open ({status}). What should happen to it first?").format(
                number=self.ticket.number, status=ErrorText.status(self.ticket.status.value)))
        self.note.setText(self.tr("Then the call goes ahead."))
        self.finish.setText(self.tr("Finish") + "\nF4")
        self.no_show.setText(self.tr("Absent") + "\nF5")
        self.park.setText(self.tr("Park") + "\nF7")
        self.back.setText(self.tr("Do not call yet") + "\nEsc")

    def _choose(self, choice: str) -> None:
        button = {"finish": self.finish, "no_show": self.no_show, "park": self.park}[choice]
        if not button.isEnabled():
            return
        self.accept()
        self.chosen.emit(choice)


class TransferDialog(_Dialog):
    """Send the ticket to another service of the hall, or to a named counter."""

    chosen = Signal(object, object)  # to_service (str | None), to_counter (str | None)

    def __init__(self, hall: Hall, ticket: Ticket, from_counter: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.hall = hall
        self.ticket = ticket
        lay = QVBoxLayout(self)
        self.heading = named(QLabel(), "section")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.to_service_radio = QRadioButton()
        self.to_counter_radio = QRadioButton()
        group = QButtonGroup(self)
        group.addButton(self.to_service_radio)
        group.addButton(self.to_counter_radio)
        # no default target: the officer picks one (the ticket's own service is not offered)
        self.service_box = named(QComboBox(), "service")
        self.service_box.addItem("", None)
        for a in hall.agencies:
            for s in hall.services_of(a.code):
                if s.code != ticket.service_code:
                    self.service_box.addItem(f"{a.short_name}  -  {s.name}", s.code)
        self.service_box.setCurrentIndex(0)
        self.service_box.currentIndexChanged.connect(self._sync)
        self.counter_box = named(QComboBox(), "counter")
        self.counter_box.addItem("", None)
        for c in hall.counters:
            if c.code == from_counter:
                continue
            agency = hall.agency(c.agency_code)
            self.counter_box.addItem(f"{c.name}  -  {agency.short_name}", c.code)
        self.counter_box.setCurrentIndex(0)
        self.counter_box.currentIndexChanged.connect(self._sync)
        lay.addWidget(self.to_service_radio)
        lay.addWidget(self.service_box)
        lay.addWidget(self.to_counter_radio)
        lay.addWidget(self.counter_box)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        lay.addWidget(self.note)
        row = QHBoxLayout()
        self.ok = self._button("finish")
        self.cancel = self._button()
        row.addWidget(self.ok)
        row.addWidget(self.cancel)
        lay.addLayout(row)
        self.to_service_radio.setChecked(True)
        self.to_service_radio.toggled.connect(self._sync)
        self._sync()
        self.ok.clicked.connect(self._accept)
        self.ok.setDefault(True)
        self.cancel.clicked.connect(self.reject)
        self.setWindowTitle(ticket.number)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Transfer {number} to:").format(number=self.ticket.number))
        self.to_service_radio.setText(self.tr("Another service (any counter that serves it)"))
        self.to_counter_radio.setText(self.tr("A named counter"))
        self.note.setText(self.tr("The ticket keeps its number and its place by arrival time."))
        self.service_box.setItemText(0, self.tr("Choose a service..."))
        self.counter_box.setItemText(0, self.tr("Choose a counter..."))
        self.ok.setText(self.tr("Transfer") + "\nEnter")
        self.cancel.setText(self.tr("Cancel") + "\nEsc")

    def _sync(self, *_args) -> None:
        by_service = self.to_service_radio.isChecked()
        self.service_box.setEnabled(by_service)
        self.counter_box.setEnabled(not by_service)
        if hasattr(self, "ok"):
            to_service, to_counter = self.target()
            self.ok.setEnabled(bool(to_service or to_counter))

    def choose_service(self, code: str) -> None:
        self.to_service_radio.setChecked(True)
        self.service_box.setCurrentIndex(self.service_box.findData(code))

    def choose_counter(self, code: str) -> None:
        self.to_counter_radio.setChecked(True)
        self.counter_box.setCurrentIndex(self.counter_box.findData(code))

    def target(self) -> tuple[str | None, str | None]:
        if self.to_service_radio.isChecked():
            return self.service_box.currentData(), None
        return None, self.counter_box.currentData()

    def _accept(self) -> None:
        to_service, to_counter = self.target()
        if not (to_service or to_counter):
            return
        self.accept()
        self.chosen.emit(to_service, to_counter)


class ReasonDialog(_Dialog):
    """A short reason: for a break (preset reasons) or for cancelling a ticket (free text)."""

    chosen = Signal(str)

    def __init__(self, kind: str, subject: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind  # "pause" or "cancel"
        self.subject = subject
        lay = QVBoxLayout(self)
        self.heading = named(QLabel(), "section")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.presets = named(QComboBox(), "presets")
        self.presets.setVisible(kind == "pause")
        lay.addWidget(self.presets)
        self.text = named(QLineEdit(), "reason")
        self.text.setMaxLength(80)
        lay.addWidget(self.text)
        row = QHBoxLayout()
        self.ok = self._button("danger" if kind == "cancel" else "finish")
        self.cancel = self._button()
        row.addWidget(self.ok)
        row.addWidget(self.cancel)
        lay.addLayout(row)
        self.ok.clicked.connect(self._accept)
        self.cancel.clicked.connect(self.reject)
        self.text.returnPressed.connect(self._accept)
        self.presets.currentIndexChanged.connect(self._preset)
        self.retranslate()

    def retranslate(self) -> None:
        if self.kind == "pause":
            self.heading.setText(self.tr("Pause this counter. Waiting tickets stay in the queue."))
            current = self.presets.currentIndex()
            self.presets.blockSignals(True)
            self.presets.clear()
            for text in (self.tr("Break"), self.tr("Prayer"), self.tr("Lunch"), self.tr("Meeting"),
                         self.tr("Other (type below)")):
                self.presets.addItem(text)
            self.presets.setCurrentIndex(max(0, current))
            self.presets.blockSignals(False)
            if not self.text.text():
                self._preset(self.presets.currentIndex())
            self.ok.setText(self.tr("Pause") + "\nEnter")
        else:
            self.heading.setText(self.tr("Cancel ticket {number}? Give a reason:").format(number=self.subject))
            self.text.setPlaceholderText(self.tr("e.g. documents incomplete, left the hall"))
            self.ok.setText(self.tr("Cancel ticket") + "\nEnter")
        self.cancel.setText(self.tr("Back") + "\nEsc")

    def _preset(self, index: int) -> None:
        if index < self.presets.count() - 1:
            self.text.setText(self.presets.itemText(index))
        else:
            self.text.clear()
            self.text.setFocus()

    def reason(self) -> str:
        return self.text.text().strip()

    def _accept(self) -> None:
        if not self.reason():
            self.text.setFocus()
            return
        self.accept()
        self.chosen.emit(self.reason())


class ConfirmDialog(_Dialog):
    """A yes/no question with big buttons."""

    chosen = Signal()

    def __init__(self, question: str, yes: str, no: str, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.question = named(QLabel(question), "section")
        self.question.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.question.setWordWrap(True)
        lay.addWidget(self.question)
        row = QHBoxLayout()
        self.yes = self._button("danger")
        self.yes.setText(yes + "\nEnter")
        self.no = self._button()
        self.no.setText(no + "\nEsc")
        row.addWidget(self.yes)
        row.addWidget(self.no)
        lay.addLayout(row)
        self.yes.setDefault(True)
        self.yes.clicked.connect(self._accept)
        self.no.clicked.connect(self.reject)

    def _accept(self) -> None:
        self.accept()
        self.chosen.emit()
