"""The clock lines of the counter and monitor windows (issue 10, one clock).

- A clock jump (SQLite, one PC): the PC's clock is more than a day past the hall's last service
  day. The core refuses every write (``ClockJump``) instead of expiring the hall; the banner says
  "Jam PC ini melompat N hari" and offers "Mulai hari baru", which asks for a supervisor's
  username and PIN and then calls ``QueueService.confirm_new_day``. It shows when a write of this
  window was refused, and ahead of that when the last event of the hall is more than a day older
  than the clock (the core's rule, read without writing).
- A skewed clock (PostgreSQL): this PC's clock is more than a minute off the database server's
  (``QueueService.clock_skew``); a warning line names the difference and both times.

All database work runs on the Runner; the check repeats every ``CHECK_MS``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from antrian.domain.errors import ClockJump
from counter.common import ErrorText, day_text, jump_days, skew_text
from counter.dialogs import _Dialog as Dialog

SUPERVISOR_ROLES = ("supervisor", "admin")
CHECK_MS = 30000


def probe_clock(queue: Any) -> tuple[ClockJump | None, Any]:
    """(a ClockJump the next write would raise, the ClockSkew or None), read without writing.
    The jump is judged like the core does on SQLite: the hall's last event (every write leaves
    one) is more than one service day before the clock's, with a day the hall was open between."""
    skew = queue.clock_skew()
    if getattr(queue.store, "dialect", "") == "postgresql":
        return None, skew  # the server's clock decides there: no jump to confirm
    last = queue.last_event_id()
    jump = None
    if last:
        events = queue.events_after(last - 1, 1)
        if events:
            last_day, day = queue.service_day(events[-1].at), queue.service_day()
            if (day - last_day).days > 1 and not queue.hall.closed_between(last_day, day):
                jump = ClockJump("clock jump", last_day=last_day.isoformat(), day=day.isoformat())
    return jump, skew


class SupervisorDialog(Dialog):
    """Username and PIN of a supervisor (or admin), then ``chosen(username, pin)``."""

    chosen = Signal(str, str)

    def __init__(self, question: str, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.question = QLabel(question)
        self.question.setObjectName("section")
        self.question.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.question.setWordWrap(True)
        lay.addWidget(self.question)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setMaxLength(40)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,8}"), self.pin))
        self.user_label = QLabel()
        self.pin_label = QLabel()
        form.addRow(self.user_label, self.username)
        form.addRow(self.pin_label, self.pin)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setProperty("kind", "error")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.yes = self._button("danger")
        self.no = self._button()
        row.addWidget(self.yes)
        row.addWidget(self.no)
        lay.addLayout(row)
        self.yes.clicked.connect(self._accept)
        self.no.clicked.connect(self.reject)
        self.username.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._accept)
        self.retranslate()
        self.username.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Supervisor login"))
        self.user_label.setText(self.tr("Supervisor username"))
        self.pin_label.setText(self.tr("PIN"))
        self.yes.setText(self.tr("Start the new day") + "\nEnter")
        self.no.setText(self.tr("Back") + "\nEsc")

    def _accept(self) -> None:
        if not self.username.text().strip() or len(self.pin.text()) < 4:
            self.message.setText(self.tr("Enter a supervisor's username and PIN."))
            return
        self.accept()
        self.chosen.emit(self.username.text().strip(), self.pin.text())


class ClockBanner(QWidget):
    """The jump banner (with "Mulai hari baru") and the skew line, hidden while the clock is
    fine. ``confirmed(date)`` after a supervisor started the new day."""

    confirmed = Signal(object)

    def __init__(self, queue: Any, users: Any, runner: Any, parent: QWidget | None = None,
                 check_ms: int = CHECK_MS):
        super().__init__(parent)
        self.queue = queue
        self.users = users
        self.runner = runner
        self.jump: ClockJump | None = None
        self.skew: Any = None
        self.dialog: SupervisorDialog | None = None
        self._note: BaseException | None = None  # why the last confirmation failed
        self._checking = False
        self._closed = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.jump_box = QWidget()
        self.jump_box.setObjectName("jump")
        self.jump_box.setStyleSheet("QWidget#jump { background: #b3261e; } QLabel { color: white; }")
        jl = QHBoxLayout(self.jump_box)
        jl.setContentsMargins(16, 6, 16, 6)
        self.jump_label = QLabel()
        self.jump_label.setObjectName("jump_text")
        self.jump_label.setStyleSheet("font-size: 17px; font-weight: bold;")
        self.jump_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.jump_label.setWordWrap(True)
        jl.addWidget(self.jump_label, 1)
        self.new_day_button = QPushButton()
        self.new_day_button.setObjectName("small")
        self.new_day_button.clicked.connect(self.start_new_day)
        jl.addWidget(self.new_day_button)
        lay.addWidget(self.jump_box)
        self.skew_label = QLabel()
        self.skew_label.setObjectName("skew")
        self.skew_label.setStyleSheet("background: #fff4d6; color: #7a4b00; font-weight: bold; padding: 6px 16px;")
        self.skew_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.skew_label.setWordWrap(True)
        lay.addWidget(self.skew_label)
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self.check)
        self.retranslate()

    # ------------------------------------------------------------------ language
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.new_day_button.setText(self.tr("Start a new day (supervisor)"))
        self._render()

    def _render(self) -> None:
        if self.jump is not None:
            p = self.jump.params
            text = self.tr("This PC's clock jumped {days} days: it says {day}, the last service day was "
                           "{last_day}. Nothing is saved until the clock is fixed or a supervisor starts "
                           "a new day.").format(days=jump_days(self.jump), day=day_text(p.get("day")),
                                                last_day=day_text(p.get("last_day")))
            if self._note is not None:
                text += "\n" + ErrorText.of(self._note)
            self.jump_label.setText(text)
        self.jump_box.setVisible(self.jump is not None)
        if self.skew is not None:
            self.skew_label.setText(skew_text(self.skew, self.queue.hall.tz))
        self.skew_label.setVisible(self.skew is not None)
        self.setVisible(self.jump is not None or self.skew is not None)

    # ------------------------------------------------------------------ state
    @property
    def gone(self) -> bool:
        return self._closed or not shiboken6.isValid(self)

    def start(self) -> None:
        self._timer.start()
        self.check()

    def stop(self) -> None:
        self._closed = True
        if shiboken6.isValid(self):
            self._timer.stop()

    def check(self) -> None:
        """Read the clock's state in the background (one read at a time)."""
        if self.gone or self._checking:
            return
        self._checking = True
        queue = self.queue
        self.runner.submit(lambda: probe_clock(queue), self._checked, self._check_failed)

    def _checked(self, result: tuple[ClockJump | None, Any]) -> None:
        self._checking = False
        if self.gone:
            return
        jump, self.skew = result
        if jump is None or self.jump is None:  # a refusal seen keeps its exact days
            self.jump = jump
        self._render()

    def _check_failed(self, _exc: BaseException) -> None:
        self._checking = False  # the database is away: the windows' own banners say so

    def saw_error(self, exc: BaseException) -> None:
        """A write of this window was refused: a ClockJump shows the banner at once."""
        if isinstance(exc, ClockJump) and not self.gone:
            self.jump = exc
            self._render()

    # ------------------------------------------------------------------ confirming
    def start_new_day(self) -> bool:
        if self.jump is None or self.gone:
            return False
        dlg = SupervisorDialog(self.tr("A supervisor confirms that today is {day}: the open tickets of "
                                       "earlier days expire.").format(day=day_text(self.jump.params.get("day"))),
                               self.window())
        dlg.chosen.connect(self._confirm)
        self.dialog = dlg
        dlg.open()
        return True

    def _confirm(self, username: str, pin: str) -> None:
        queue, users = self.queue, self.users
        self.new_day_button.setEnabled(False)

        def work() -> date:
            user = users.login(username, pin, roles=SUPERVISOR_ROLES)
            return queue.confirm_new_day(officer=user.username)

        self.runner.submit(work, self._confirmed, self._confirm_failed)

    def _confirmed(self, day: date) -> None:
        if self.gone:
            return
        self.new_day_button.setEnabled(True)
        self.jump = None
        self._note = None
        self._render()
        self.confirmed.emit(day)

    def _confirm_failed(self, exc: BaseException) -> None:
        if self.gone:
            return
        self.new_day_button.setEnabled(True)
        self._note = exc
        self._render()

