"""The kiosk's staff screens: the PIN pad screen and the staff screen (printer state, last print
error, reprint, test ticket, closing the kiosk). Split from kiosk/screens.py (the citizen's
screens); same rules: plain widgets, every text through ``self.tr()`` (contexts "PinScreen" and
"StaffScreen" in kiosk_id.ts), set again in ``retranslate()``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.widgets import Metrics, Overlay, PinPad, make_button, make_label


class ReprintKeypad(Overlay):
    """A touch keypad for a ticket number over the staff screen: the hall's letters, digits,
    dash, erase; OK reprints, Cancel closes. Opens when the number field is tapped."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget, m: Metrics):
        super().__init__(parent)
        self.m = m
        self.panel = QFrame()
        self.panel.setObjectName("KeypadPanel")
        self.panel.setStyleSheet("QFrame#KeypadPanel { background: white; border-radius: 24px; }")
        box = QVBoxLayout(self.panel)
        box.setContentsMargins(28, 24, 28, 24)
        box.setSpacing(14)
        self.display = make_label("", align=Qt.AlignmentFlag.AlignCenter, wrap=False)
        self.display.setMinimumHeight(m.touch * 3 // 4)
        self.display.setStyleSheet(f"border: 3px solid #8a96a3; border-radius: 12px; font-size: {m.title}px;"
                                   " font-weight: bold;")
        box.addWidget(self.display)
        self.grid = QGridLayout()
        self.grid.setSpacing(10)
        box.addLayout(self.grid)
        row = QHBoxLayout()
        row.setSpacing(14)
        self.cancel = make_button("", "secondary")
        self.cancel.clicked.connect(self.hide)
        self.ok = make_button("", "primary")
        self.ok.clicked.connect(self._submit)
        row.addWidget(self.cancel, 1)
        row.addWidget(self.ok, 2)
        box.addLayout(row)
        self._layout.addWidget(self.panel)
        self.keys: dict[str, QPushButton] = {}
        self.text = ""
        self.set_prefixes([])

    def set_prefixes(self, prefixes) -> None:
        for b in self.keys.values():
            b.setParent(None)
            b.deleteLater()
        self.keys = {}
        letters = sorted({p.upper() for p in prefixes if p})
        keys = letters + list("1234567890") + ["-", "\u232b"]
        rows = 3 if len(keys) <= 30 else 4
        cols = -(-len(keys) // rows)
        side = max(72, self.m.touch * 3 // 4)
        for i, k in enumerate(keys):
            b = make_button(k, "key")
            b.setStyleSheet(f"QPushButton {{ min-height: {side}px; min-width: {side}px; padding: 0px;"
                            f" font-size: {self.m.large}px; }}")
            b.clicked.connect(lambda _=False, k=k: self.press(k))
            self.grid.addWidget(b, i // cols, i % cols)
            self.keys[k] = b

    def open(self, text: str = "") -> None:
        self.text = text.upper()
        self._show()
        self.popup()

    def press(self, key: str) -> None:
        if key == "\u232b":
            self.text = self.text[:-1]
        elif len(self.text) < 24:
            self.text += key
        self._show()

    def _show(self) -> None:
        self.display.setText(self.text or " ")

    def _submit(self) -> None:
        self.hide()
        self.submitted.emit(self.text)


class PinScreen(QWidget):
    """Staff PIN: a keypad, a message line and Cancel."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.purpose = "staff"
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(28, 28, 28, 28)
        self.box.setSpacing(40)
        side = QVBoxLayout()
        side.setSpacing(18)
        self.title = make_label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.message = make_label("", align=Qt.AlignmentFlag.AlignCenter)
        self.message.setMinimumHeight(m.body * 2)
        self.pad = PinPad(m)
        self.pad.submitted.connect(self.submitted)
        self.cancel = make_button("", "secondary")
        self.cancel.clicked.connect(self.cancelled)
        self.cancel.setMinimumWidth(3 * max(m.touch, 150) + 28)
        side.addStretch()
        side.addWidget(self.title)
        side.addWidget(self.message)
        side.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignHCenter)
        side.addStretch()
        self.box.addStretch()
        self.box.addLayout(side)
        self.box.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignCenter)
        self.box.addStretch()
        self.retranslate()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        portrait = ev.size().height() > ev.size().width()
        self.box.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)

    def start(self, purpose: str) -> None:
        self.purpose = purpose
        self.pad.clear()
        self.set_message("")
        self.retranslate()

    def set_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #a01818; font-weight: bold;" if error else "")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff PIN") if self.purpose == "staff"
                           else self.tr("Staff PIN to close the kiosk"))
        self.cancel.setText(self.tr("Cancel"))


# ========================================================================================= staff

class StaffScreen(QWidget):
    """Printer state, last print error, reprint, test ticket, back, and closing the kiosk."""

    back = Signal()
    exit_requested = Signal()
    reprint_requested = Signal(str)
    test_requested = Signal()
    status_requested = Signal()

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.m = m
        self.demo_pin = False
        self._unprinted_buttons: list[QPushButton] = []
        root = QVBoxLayout(self)
        root.setContentsMargins(36, 24, 36, 24)
        root.setSpacing(14)
        self.title = make_label("", "title")
        root.addWidget(self.title)
        self.pin_warning = make_label("", "danger")
        root.addWidget(self.pin_warning)

        # two columns side by side in landscape, one above the other in portrait
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(40)
        left = QVBoxLayout()
        left.setSpacing(12)
        self.printer_head = make_label("", "section")
        self.printer_desc = make_label("", "small")
        self.printer_state = make_label("")
        self.printer_error = make_label("")
        self.database_state = make_label("")
        # a clock jump (issue 10) is for staff only: the citizen sees "no ticket, ask the staff"
        self.clock_note = make_label("", "danger")
        self.clock_note.hide()
        self._clock_jump: dict | None = None
        for w in (self.printer_head, self.printer_desc, self.printer_state, self.printer_error,
                  self.database_state, self.clock_note):
            left.addWidget(w)
        self.status_button = make_button("", "secondary")
        self.status_button.clicked.connect(self.status_requested)
        self.test_button = make_button("", "secondary")
        self.test_button.clicked.connect(self.test_requested)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(self.status_button)
        row.addWidget(self.test_button)
        row.addStretch()
        left.addLayout(row)
        left.addStretch()

        right = QVBoxLayout()
        right.setSpacing(12)
        self.reprint_head = make_label("", "section")
        right.addWidget(self.reprint_head)
        self.unprinted_empty = make_label("", "small")
        right.addWidget(self.unprinted_empty)
        self.unprinted_grid = QGridLayout()
        self.unprinted_grid.setSpacing(12)
        right.addLayout(self.unprinted_grid)
        self.ref = QLineEdit()
        self.ref.returnPressed.connect(self._reprint_typed)
        self.reprint_button = make_button("", "primary")
        self.reprint_button.clicked.connect(self._reprint_typed)
        row2 = QHBoxLayout()
        row2.setSpacing(16)
        row2.addWidget(self.ref, 1)
        row2.addWidget(self.reprint_button)
        right.addLayout(row2)
        self.keypad = ReprintKeypad(self, m)
        self.keypad.submitted.connect(self._keypad_done)
        self.ref.installEventFilter(self)  # a tap on the field opens the keypad
        self.result = make_label("")
        right.addWidget(self.result)
        right.addStretch()
        self.columns.addLayout(left, 1)
        self.columns.addLayout(right, 1)
        root.addLayout(self.columns, 1)

        self.back_button = make_button("", "primary")
        self.back_button.clicked.connect(self.back)
        self.exit_button = make_button("", "danger")
        self.exit_button.clicked.connect(self.exit_requested)
        row3 = QHBoxLayout()
        row3.setSpacing(16)
        row3.addWidget(self.back_button, 2)
        row3.addWidget(self.exit_button, 1)
        root.addLayout(row3)
        self._state: tuple = (None, None, None, None, [], True)
        self.retranslate()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        portrait = ev.size().height() > ev.size().width()
        self.columns.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)

    def set_prefixes(self, prefixes) -> None:
        self.keypad.set_prefixes(prefixes)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if obj is self.ref and ev.type() == QEvent.Type.MouseButtonPress:
            self.keypad.open(self.ref.text())
            return True
        return False

    def _keypad_done(self, text: str) -> None:
        self.ref.setText(text)
        self._reprint_typed()

    def _reprint_typed(self) -> None:
        text = self.ref.text().strip()
        if text:
            self.reprint_requested.emit(text)

    def set_result(self, text: str, ok: bool) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(f"color: {'#1b5e20' if ok else '#a01818'}; font-weight: bold;")

    def set_state(self, description: str, status, warning: str | None, last_error: str | None,
                  unprinted: list[str], online: bool | None) -> None:
        self._state = (description, status, warning, last_error, unprinted, online)
        self._render_state()

    def set_clock_jump(self, params: dict | None) -> None:
        """A ClockJump's ``params`` (last_day, day), or None once the kiosk issues again."""
        jump = dict(params) if params else None
        if jump != self._clock_jump:
            self._clock_jump = jump
            self._render_clock_note()

    def _render_clock_note(self) -> None:
        from datetime import date

        jump = self._clock_jump
        self.clock_note.setVisible(jump is not None)
        if jump is None:
            return
        day: date | None
        last: date | None
        try:
            day, last = date.fromisoformat(str(jump["day"])), date.fromisoformat(str(jump["last_day"]))
        except (KeyError, ValueError):
            day = last = None
        self.clock_note.setText(self.tr(
            "Clock: this PC's clock jumped {days} days ({day}; last service day {last_day}). No ticket can be "
            "issued until the clock is fixed or a supervisor starts the new day in the counter window or "
            "the monitor.").format(days=(day - last).days if day and last else "?",
                                   day=f"{day:%d-%m-%Y}" if day else "?", last_day=f"{last:%d-%m-%Y}" if last else "?"))

    def _render_state(self) -> None:
        self._render_clock_note()
        description, status, warning, last_error, unprinted, online = self._state
        self.printer_desc.setText(self.printer_text(description or ""))
        self.printer_state.setText(self.tr("Printer state: {state}").format(state=self._status_text(status)))
        self.printer_state.setStyleSheet(
            "font-weight: bold; color: " + ("#1b5e20" if warning is None and status is not None else "#a01818"))
        self.printer_error.setText(self.tr("Last print error: {error}").format(error=last_error)
                                   if last_error else self.tr("Last print error: none"))
        db = (self.tr("connected") if online else self.tr("NOT reachable") if online is False
              else self.tr("checking..."))
        self.database_state.setText(self.tr("Database: {state}").format(state=db))
        for b in self._unprinted_buttons:
            b.setParent(None)
            b.deleteLater()
        self._unprinted_buttons = []
        for i, number in enumerate(list(reversed(unprinted))[:6]):  # newest first
            b = make_button(self.tr("Reprint {number}").format(number=number), "primary")
            b.clicked.connect(lambda _=False, n=number: self.reprint_requested.emit(n))
            self.unprinted_grid.addWidget(b, i // 2, i % 2)
            self._unprinted_buttons.append(b)
        self.unprinted_empty.setVisible(not unprinted)

    def printer_text(self, description: str) -> str:
        """The printer's one-line description (printer/backends.py words it in English) in the
        screen's language."""
        import re

        m = re.fullmatch(r"preview printer \((\w+); PNG files in (.+)\)", description)
        if m:
            where = m.group(2).replace("the data folder/tickets", self.tr("the data folder, tickets"))
            return self.tr("Preview printer ({paper}; PNG files in {where})").format(paper=m.group(1), where=where)
        m = re.fullmatch(r"dummy printer \((\w+), nothing is printed\)", description)
        if m:
            return self.tr("Dummy printer ({paper}; nothing is printed)").format(paper=m.group(1))
        m = re.fullmatch(r"network printer (\S+) \((.+)\)", description)
        if m:
            return self.tr("Network printer {where} ({details})").format(where=m.group(1), details=m.group(2))
        return description

    def _status_text(self, st) -> str:
        if st is None:
            return self.tr("not checked yet")
        if not st.online:
            return self.tr("offline (not answering)")
        if st.paper == "out":
            return self.tr("paper out")
        if st.cover_open:
            return self.tr("cover open")
        if st.paper == "near_end":
            return self.tr("ready, paper near end")
        if st.paper == "unknown":
            return self.tr("ready (paper level unknown)")
        return self.tr("ready")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff screen"))
        self.pin_warning.setText(self.tr("Warning: the kiosk uses the demo PIN 0000. Set a PIN with "
                                         "the command mpp kiosk-pin and put the hash in the station config."))
        self.pin_warning.setVisible(self.demo_pin)
        self.printer_head.setText(self.tr("Ticket printer"))
        self.status_button.setText(self.tr("Check printer"))
        self.test_button.setText(self.tr("Print a test ticket"))
        self.reprint_head.setText(self.tr("Reprint a ticket"))
        self.unprinted_empty.setText(self.tr("No unprinted tickets."))
        self.ref.setPlaceholderText(self.tr("Number (K-012) or QR code"))
        self.reprint_button.setText(self.tr("Reprint"))
        self.keypad.ok.setText(self.tr("Reprint"))
        self.keypad.cancel.setText(self.tr("Cancel"))
        self.back_button.setText(self.tr("Back to the kiosk"))
        self.exit_button.setText(self.tr("Close the kiosk"))
        self._render_state()
