"""The counter officer's window (`mpp counter`): log in, choose a counter, then call, recall,
serve, finish, mark absent, transfer, park and call back tickets, mostly from the keyboard.

- All database work runs on the ``Runner`` (never on the GUI thread); while an action is in
  flight every action is disabled, so a double click or a key repeat never calls two tickets
  (the store also refuses a second call while a ticket is open).
- The window follows the ``EventFeed``: new tickets and transfers into this counter appear by
  themselves. A lost database shows a banner; the window keeps working and recovers by itself.
- Keys: F1/Space call next, F2 call again, F3 start serving, F4 finish, F5 absent, F6 transfer,
  F7 park, F8 break/resume, F9 close/open the counter, F12 log out. A USB scanner types the QR
  text and Enter into the number field, which has the focus.
"""

from __future__ import annotations


import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from antrian.domain.errors import CounterBusy, StoreUnavailable, UnknownCounter
from antrian.domain.model import AT_COUNTER, CounterStatus, Status, Ticket
from antrian.services.ports import UserRecord
from counter.common import STYLE, ErrorText, build_header, clock_text, minutes_text, since
from counter.dialogs import ConfirmDialog, OpenTicketDialog, ReasonDialog, TransferDialog
from counter.login import CounterPicker, LoginPage

# name, shortcut keys, colour role
ACTIONS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("call", ("F1", "Space"), "call"),
    ("recall", ("F2",), None),
    ("start", ("F3",), None),
    ("finish", ("F4",), "finish"),
    ("no_show", ("F5",), None),
    ("transfer", ("F6",), None),
    ("park", ("F7",), None),
    ("pause", ("F8",), None),
    ("close", ("F9",), "danger"),
    ("logout", ("F12",), None),
)

RETRY_MS = 2000
NEXT_LIMIT = 10


class _SpaceCalls(QObject):
    """Space in the empty number field calls the next ticket (the field keeps the focus so a
    scanner's keystrokes always land in it)."""

    def __init__(self, panel: "CounterPanel"):
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Space
                and not event.modifiers() and not obj.text()):
            if not event.isAutoRepeat():
                self.panel.trigger("call")
            return True
        return False


class CounterPanel(QWidget):
    """One counter, one logged-in officer."""

    logged_out = Signal()

    def __init__(self, queue, runner, feed, clock, user: UserRecord, counter_code: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = queue
        self.hall = queue.hall
        self.runner = runner
        self.feed = feed
        self.clock = clock or queue.clock
        self.user = user
        self.counter = self.hall.counter(counter_code)
        self.agency = self.hall.agency(self.counter.agency_code)

        self.state = None  # CounterState
        self.current: Ticket | None = None
        self.next_in_line: list[Ticket] = []
        self.parked: list[Ticket] = []
        self.waiting_counts: dict[str, int] = {code: 0 for code in self.counter.service_codes}
        self.waiting_priority: dict[str, int] = {code: 0 for code in self.counter.service_codes}
        self.loaded = False
        self.busy = False
        self._refreshing = False
        self._dirty = False
        self._store_down = False
        self._feed_down = feed is not None and feed.is_online is False
        self._message_ok = None  # (kind, callable producing the text in the current language)
        self.guard_dialog: OpenTicketDialog | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.reason_dialog: ReasonDialog | None = None
        self.confirm_dialog: ConfirmDialog | None = None
        self._closed = False

        self._build()
        self._shortcuts()
        if feed is not None:
            feed.events.connect(self._on_events)
            feed.online.connect(self._on_online)
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self.refresh)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        self.retranslate()
        self.refresh()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        root = build_header(self, 6)

        body = QHBoxLayout()
        body.setContentsMargins(16, 12, 16, 8)
        body.setSpacing(16)
        root.addLayout(body, 1)

        # left: the current ticket and the number / QR field
        left = QVBoxLayout()
        body.addLayout(left, 3)
        card = QFrame(objectName="card")
        cl = QVBoxLayout(card)
        cl.setContentsMargins(20, 10, 20, 10)
        cl.setSpacing(4)
        self.state_label = QLabel(objectName="state")
        self.number_label = QLabel(objectName="number")
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.number_label.setMinimumHeight(96)
        self.service_label = QLabel(objectName="service")
        self.service_label.setWordWrap(True)
        prio_row = QHBoxLayout()
        self.prio_label = QLabel(objectName="prio")
        prio_row.addWidget(self.prio_label)
        prio_row.addStretch(1)
        times = QGridLayout()
        self.waited_caption = QLabel()
        self.waited_value = QLabel(objectName="timer")
        self.timer_caption = QLabel()
        self.timer_value = QLabel(objectName="timer")
        self.recall_label = QLabel()
        times.addWidget(self.waited_caption, 0, 0)
        times.addWidget(self.timer_caption, 0, 1)
        times.addWidget(self.waited_value, 1, 0)
        times.addWidget(self.timer_value, 1, 1)
        cl.addWidget(self.state_label)
        cl.addWidget(self.number_label)
        cl.addWidget(self.service_label)
        cl.addLayout(prio_row)
        cl.addSpacing(6)
        cl.addLayout(times)
        cl.addWidget(self.recall_label)
        cl.addStretch(1)
        left.addWidget(card, 1)

        scan_row = QHBoxLayout()
        self.scan = QLineEdit(objectName="scan")
        self.scan.setMaxLength(512)
        self.scan.setClearButtonEnabled(True)
        self.scan_button = QPushButton(objectName="small")
        self.scan_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scan_row.addWidget(self.scan, 1)
        scan_row.addWidget(self.scan_button)
        left.addLayout(scan_row)
        self.scan.returnPressed.connect(self.call_number_from_field)
        self.scan_button.clicked.connect(self.call_number_from_field)
        self.scan.installEventFilter(_SpaceCalls(self))

        # right: waiting counts, next in line, parked tickets
        right = QVBoxLayout()
        body.addLayout(right, 2)
        self.waiting_caption = QLabel(objectName="section")
        right.addWidget(self.waiting_caption)
        wgrid = QGridLayout()
        wgrid.setVerticalSpacing(2)
        self.waiting_name_labels: dict[str, QLabel] = {}
        self.waiting_labels: dict[str, QLabel] = {}
        for i, code in enumerate(self.counter.service_codes):
            name = QLabel()
            count = QLabel(objectName=f"waiting-{code}")
            count.setStyleSheet("font-size: 18px; font-weight: bold;")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            wgrid.addWidget(name, i, 0)
            wgrid.addWidget(count, i, 1)
            self.waiting_name_labels[code] = name
            self.waiting_labels[code] = count
        right.addLayout(wgrid)
        self.next_caption = QLabel(objectName="section")
        right.addWidget(self.next_caption)
        self.next_list = QListWidget(objectName="next")
        self.next_list.setStyleSheet('font-family: "DejaVu Sans Mono", monospace; font-size: 15px;')
        self.next_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        right.addWidget(self.next_list, 1)
        self.parked_caption = QLabel(objectName="section")
        self.unpark_button = QPushButton(objectName="small")
        self.unpark_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        prow = QHBoxLayout()
        prow.addWidget(self.parked_caption, 1)
        prow.addWidget(self.unpark_button)
        right.addLayout(prow)
        self.parked_list = QListWidget(objectName="parked")
        self.parked_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.parked_list.setMaximumHeight(64)  # two rows, then it scrolls; the queue list gets the space
        right.addWidget(self.parked_list, 0)
        self.unpark_button.clicked.connect(self.call_back_parked)
        self.parked_list.itemDoubleClicked.connect(lambda _item: self.call_back_parked())

        # the action buttons
        grid = QGridLayout()
        grid.setContentsMargins(16, 4, 16, 4)
        grid.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for i, (name, _keys, role) in enumerate(ACTIONS):
            b = QPushButton(objectName="action")
            b.setProperty("action", name)
            if role:
                b.setProperty("role", role)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, n=name: self.trigger(n))
            grid.addWidget(b, i // 5, i % 5)
            self.buttons[name] = b
        root.addLayout(grid)

        self.message = QLabel(objectName="message")
        self.message.setWordWrap(True)
        self.message.setContentsMargins(16, 0, 16, 8)
        root.addWidget(self.message)
        self.scan.setFocus()

    def _shortcuts(self) -> None:
        self.shortcuts: list[QShortcut] = []
        for name, keys, _role in ACTIONS:
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setAutoRepeat(False)  # a held key is one action
                sc.setContext(Qt.ShortcutContext.WindowShortcut)
                sc.activated.connect(lambda n=name: self.trigger(n))
                self.shortcuts.append(sc)

    # ------------------------------------------------------------------ language
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _action_label(self, name: str) -> str:
        status = self.state.status if self.state else CounterStatus.CLOSED
        labels = {
            "call": self.tr("Call next"),
            "recall": self.tr("Call again"),
            "start": self.tr("Start serving"),
            "finish": self.tr("Finish"),
            "no_show": self.tr("Absent"),
            "transfer": self.tr("Transfer"),
            "park": self.tr("Park"),
            "pause": self.tr("Resume") if status == CounterStatus.PAUSED else self.tr("Break"),
            "close": self.tr("Open counter") if status == CounterStatus.CLOSED else self.tr("Close counter"),
            "logout": self.tr("Log out"),
        }
        return labels[name]

    def _key_label(self, keys: tuple[str, ...]) -> str:
        return " / ".join(self.tr("Space") if k == "Space" else k for k in keys)

    def retranslate(self) -> None:
        self.title.setText(self.tr("{counter} - {agency}").format(counter=self.counter.name,
                                                                  agency=self.agency.short_name))
        self.scan.setPlaceholderText(self.tr("Type a number (e.g. K-012) or scan the ticket's QR code"))
        self.scan_button.setText(self.tr("Call number") + "  [Enter]")
        self.waiting_caption.setText(self.tr("Waiting"))
        self.next_caption.setText(self.tr("Next in line"))
        self.parked_caption.setText(self.tr("Parked tickets"))
        self.unpark_button.setText(self.tr("Call back"))
        for code, label in self.waiting_name_labels.items():
            label.setText(self.hall.service(code).name)
        self.banner.setText(self.tr("OFFLINE: the database cannot be reached. Retrying by itself; "
                                    "actions are not saved until the connection is back."))
        self._render()
        self._render_message()

    # ------------------------------------------------------------------ rendering
    def _render(self) -> None:
        st = self.state
        status = st.status if st else CounterStatus.CLOSED
        status_text = ErrorText.counter_status(status.value, self.current is not None)
        if st is not None and status == CounterStatus.PAUSED and st.pause_reason:
            status_text += f" ({st.pause_reason})"
        self.subtitle.setText(self.tr("Officer: {name} ({username})  |  Counter: {status}").format(
            name=self.user.full_name, username=self.user.username, status=status_text))

        t = self.current
        if t is None:
            self.state_label.setText(self.tr("No ticket called") if self.loaded else self.tr("Loading..."))
            self.number_label.setText("")
            self.number_label.setProperty("idle", "true")
            self.service_label.setText(self.tr("Press F1 or Space to call the next ticket."))
            self.prio_label.hide()
            self.recall_label.clear()
        else:
            self.state_label.setText(self.tr("Being served") if t.status == Status.SERVING else self.tr("Called"))
            self.number_label.setText(t.number)
            self.number_label.setProperty("idle", "false")
            service = self.hall.service(t.service_code)
            via = ""
            if t.transferred_from:
                via = "  " + self.tr("(transferred)")
            self.service_label.setText(f"{service.name}  |  {self.hall.agency(t.agency_code).short_name}{via}")
            if t.is_priority:
                self.prio_label.setText("\u2605 " + self.tr("Priority: {group}").format(group=t.priority))
                self.prio_label.show()
            else:
                self.prio_label.hide()
            self.recall_label.setText(
                self.tr("Called again {n} times").format(n=t.recall_count) if t.recall_count else "")
        self.number_label.style().unpolish(self.number_label)
        self.number_label.style().polish(self.number_label)

        for code, label in self.waiting_labels.items():
            n, p = self.waiting_counts.get(code, 0), self.waiting_priority.get(code, 0)
            label.setText(f"{n}" + (f"  (\u2605 {p})" if p else ""))

        self.next_list.clear()
        now = self.clock.now()
        width = max((len(self.hall.service(c).name) for c in self.counter.service_codes), default=10)
        width = min(width, 24)
        for nt in self.next_in_line:
            service = self.hall.service(nt.service_code)
            mark = "\u2605" if nt.is_priority else " "
            item = QListWidgetItem(f"{nt.number:<6}{mark} {service.name[:width]:<{width}}  "
                                   f"{minutes_text(now - nt.arrival_at):>8}")
            if nt.is_priority:
                item.setForeground(Qt.GlobalColor.darkRed)
            self.next_list.addItem(item)
        if not self.next_in_line:
            self.next_list.addItem(QListWidgetItem(self.tr("Nobody is waiting")))

        selected = self._selected_parked_token()
        self.parked_list.clear()
        for pt in self.parked:
            service = self.hall.service(pt.service_code)
            item = QListWidgetItem(f"{pt.number}   {service.name}")
            item.setData(Qt.ItemDataRole.UserRole, pt.token)
            self.parked_list.addItem(item)
            if pt.token == selected:
                self.parked_list.setCurrentItem(item)
        if self.parked and self.parked_list.currentRow() < 0:
            self.parked_list.setCurrentRow(0)

        for name, keys, _role in ACTIONS:
            self.buttons[name].setText(f"{self._action_label(name)}\n{self._key_label(keys)}")
        self._update_enabled()
        self._tick()

    def _tick(self) -> None:
        now = self.clock.now()
        self.clock_label.setText(now.astimezone(self.hall.tz).strftime("%H:%M"))
        t = self.current
        if t is None:
            self.waited_caption.setText("")
            self.waited_value.setText("")
            self.timer_caption.setText("")
            self.timer_value.setText("")
            return
        self.waited_caption.setText(self.tr("Waited"))
        self.waited_value.setText(minutes_text((t.called_at or now) - t.arrival_at))
        if t.status == Status.SERVING:
            self.timer_caption.setText(self.tr("Serving for"))
            self.timer_value.setText(clock_text(since(now, t.started_at)))
        else:
            self.timer_caption.setText(self.tr("Called for"))
            self.timer_value.setText(clock_text(since(now, t.called_at)))

    def _update_enabled(self) -> None:
        t = self.current
        called = t is not None and t.status == Status.CALLED
        at_counter = t is not None and t.status in AT_COUNTER
        enabled = {
            "call": True,
            "recall": called,
            "start": called,
            "finish": at_counter,
            "no_show": called,
            "transfer": at_counter,
            "park": at_counter,
            "pause": self.loaded,
            "close": self.loaded,
            "logout": True,
        }
        for name, button in self.buttons.items():
            button.setEnabled(not self.busy and enabled[name])
        self.scan_button.setEnabled(not self.busy)
        self.unpark_button.setEnabled(not self.busy and bool(self.parked))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_enabled()

    def _say(self, kind: str, text_fn) -> None:
        """Show a message; ``text_fn`` is called again after a language switch."""
        self._message_ok = (kind, text_fn)
        self._render_message()

    def _render_message(self) -> None:
        if not self._message_ok:
            self.message.clear()
            return
        kind, fn = self._message_ok
        self.message.setProperty("kind", kind)
        self.message.setText(fn())
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _update_banner(self) -> None:
        self.banner.setVisible(self._store_down or self._feed_down)
        if self._store_down:
            if not self._retry.isActive():
                self._retry.start()
        else:
            self._retry.stop()

    @property
    def offline(self) -> bool:
        return self._store_down or self._feed_down

    # ------------------------------------------------------------------ data
    @property
    def gone(self) -> bool:
        """Logged out, or the widget was destroyed while background work was in flight."""
        return self._closed or not shiboken6.isValid(self)

    def refresh(self) -> None:
        """Re-read this counter's view in the background (coalesced: one read at a time)."""
        if self.gone:
            return
        if self._refreshing:
            self._dirty = True
            return
        self._refreshing = True
        self._dirty = False
        code = self.counter.code

        def work():
            return self.queue.counter_view(code, next_limit=NEXT_LIMIT), self.queue.status()

        self.runner.submit(work, self._on_view, self._on_view_failed)

    def _on_view(self, result) -> None:
        self._refreshing = False
        if self.gone:
            return
        (view, next_in_line, parked), status = result
        self.state = view.state
        self.current = view.ticket if view.ticket is not None and view.ticket.status in AT_COUNTER else None
        self.next_in_line = next_in_line
        self.parked = parked
        for s in status.services:
            if s.service_code in self.waiting_counts:
                self.waiting_counts[s.service_code] = s.waiting
                self.waiting_priority[s.service_code] = s.waiting_priority
        self.loaded = True
        if self._store_down:
            self._store_down = False
            self._update_banner()
        self._render()
        if self._dirty:
            self.refresh()

    def _on_view_failed(self, exc: BaseException) -> None:
        self._refreshing = False
        if self.gone:
            return
        if isinstance(exc, StoreUnavailable):
            self._store_down = True
            self._update_banner()
        else:
            self._say("error", lambda e=exc: ErrorText.of(e))
        if self._dirty:
            self.refresh()

    def _relevant(self, e) -> bool:
        return (e.counter_code == self.counter.code or e.service_code in self.counter.service_codes
                or e.type == "day_rollover" or e.payload.get("to_counter") == self.counter.code)

    def _on_events(self, events: list) -> None:
        if self.gone:
            return
        if any(self._relevant(e) for e in events):
            self.refresh()

    def _on_online(self, online: bool) -> None:
        if self.gone:
            return
        self._feed_down = not online
        self._update_banner()
        if online:
            self.refresh()

    # ------------------------------------------------------------------ actions
    def trigger(self, name: str) -> bool:
        """Run an action by name (buttons and shortcuts come here). False when refused."""
        if self.busy or self.gone:
            return False
        if not self.buttons[name].isEnabled() and name not in ("call",):
            return False
        handler = {
            "call": self.call_next,
            "recall": lambda: self._act(self.queue.recall, lambda t: self.tr("Called {number} again.").format(
                number=t.number)),
            "start": lambda: self._act(self.queue.start, lambda t: self.tr("Serving {number}.").format(number=t.number)),
            "finish": lambda: self._act(self.queue.finish, lambda t: self.tr("{number} finished.").format(
                number=t.number)),
            "no_show": lambda: self._act(self.queue.no_show, lambda t: self.tr("{number} marked absent.").format(
                number=t.number)),
            "park": lambda: self._act(self.queue.park, lambda t: self.tr("{number} parked.").format(number=t.number)),
            "transfer": self.open_transfer,
            "pause": self.pause_or_resume,
            "close": self.close_or_open,
            "logout": self.ask_logout,
        }[name]
        result = handler()
        return result is not False

    def _act(self, fn, ok_text, *args, after=None, **kwargs) -> bool:
        """Run ``fn(counter_code, *args, officer=..., **kwargs)`` in the background."""
        if self.busy:
            return False
        self._set_busy(True)
        code, officer = self.counter.code, self.user.username

        def work():
            return fn(code, *args, officer=officer, **kwargs)

        def ok(result):
            if self.gone:
                return
            self._set_busy(False)
            if self._store_down:
                self._store_down = False
                self._update_banner()
            if ok_text is not None:
                self._say("ok", lambda r=result: ok_text(r))
            self.refresh()
            if after is not None:
                after(result)

        def err(exc):
            if self.gone:
                return
            self._set_busy(False)
            self._failed(exc, fn)
            self.refresh()

        self.runner.submit(work, ok, err)
        self.scan.setFocus()
        return True

    def _failed(self, exc: BaseException, fn=None) -> None:
        if isinstance(exc, StoreUnavailable):
            self._store_down = True
            self._update_banner()
        self._say("error", lambda e=exc: ErrorText.of(e))

    def _called_text(self, t: Ticket) -> str:
        return self.tr("Calling {number} ({service}).").format(number=t.number,
                                                               service=self.hall.service(t.service_code).name)

    def call_next(self):
        if self.busy:
            return False
        cur = self.current
        if cur is not None and cur.status in AT_COUNTER:
            self._open_guard(cur, self._call_next_now)
            return True
        return self._call_next_now()

    def _call_next_now(self, first=None):
        queue = self.queue
        if first is None:
            fn = queue.call_next
        else:
            def fn(code, officer=None):
                getattr(queue, first)(code, officer=officer)
                return queue.call_next(code, officer=officer)
        return self._act_with_guard(fn, self._called_text)

    def _act_with_guard(self, fn, ok_text, *args) -> bool:
        """Like ``_act`` but a CounterBusy refusal (the view was stale) opens the guard dialog."""
        if self.busy:
            return False
        self._set_busy(True)
        code, officer = self.counter.code, self.user.username

        def ok(result):
            if self.gone:
                return
            self._set_busy(False)
            if self._store_down:
                self._store_down = False
                self._update_banner()
            self._say("ok", lambda r=result: ok_text(r))
            self.refresh()

        def err(exc):
            if self.gone:
                return
            self._set_busy(False)
            if isinstance(exc, CounterBusy):
                self._guard_after_refresh(lambda first: self._retry_guarded(fn, ok_text, args, first))
                return
            self._failed(exc)
            self.refresh()

        self.runner.submit(lambda: fn(code, *args, officer=officer), ok, err)
        self.scan.setFocus()
        return True

    def _retry_guarded(self, fn, ok_text, args, first):
        queue = self.queue

        def both(code, *a, officer=None):
            getattr(queue, first)(code, officer=officer)
            return fn(code, *a, officer=officer)

        return self._act_with_guard(both, ok_text, *args)

    def _guard_after_refresh(self, then) -> None:
        code = self.counter.code

        def ok(result):
            if self.gone:
                return
            view, next_in_line, parked = result
            self.current = view.ticket if view.ticket is not None and view.ticket.status in AT_COUNTER else None
            self.state = view.state
            self._render()
            if self.current is not None:
                self._open_guard(self.current, None, then=then)
            else:
                self._say("error", lambda: ErrorText.of(CounterBusy("busy")))

        self.runner.submit(lambda: self.queue.counter_view(code, next_limit=NEXT_LIMIT), ok, self._failed)

    def _open_guard(self, ticket: Ticket, call_fn, then=None) -> None:
        """Ask what to do with the open ticket; then run the follow-up with that first step."""
        if (self.guard_dialog is not None and shiboken6.isValid(self.guard_dialog)
                and self.guard_dialog.isVisible()):
            return
        dlg = OpenTicketDialog(ticket, self)
        follow = then or (lambda first: call_fn(first))
        dlg.chosen.connect(lambda choice: follow(choice))
        dlg.finished.connect(self._dialog_closed)
        self.guard_dialog = dlg
        dlg.open()

    def _dialog_closed(self, _result=None) -> None:
        if not self.gone:
            self.scan.setFocus()

    def call_number_from_field(self) -> bool:
        text = self.scan.text().strip()
        if not text:
            self.scan.setFocus()
            return False
        if self.busy:
            return False
        self.scan.clear()
        ok_text = self._called_text
        cur = self.current
        if cur is not None and cur.status in AT_COUNTER:
            queue = self.queue

            def then(first):
                def both(code, ref, officer=None):
                    getattr(queue, first)(code, officer=officer)
                    return queue.call_number(code, ref, officer=officer)

                return self._act_with_guard(both, ok_text, text)

            self._open_guard(cur, None, then=then)
            return True
        return self._act_with_guard(self.queue.call_number, ok_text, text)

    def _selected_parked_token(self) -> str | None:
        item = self.parked_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def call_back_parked(self) -> bool:
        token = self._selected_parked_token()
        if token is None or self.busy:
            return False
        cur = self.current
        if cur is not None and cur.status in AT_COUNTER:
            queue = self.queue

            def then(first):
                def both(code, ref, officer=None):
                    getattr(queue, first)(code, officer=officer)
                    return queue.unpark(code, ref, officer=officer)

                return self._act_with_guard(both, self._called_text, token)

            self._open_guard(cur, None, then=then)
            return True
        return self._act_with_guard(self.queue.unpark, self._called_text, token)

    def open_transfer(self):
        t = self.current
        if t is None:
            return False
        dlg = TransferDialog(self.hall, t, self.counter.code, self)
        dlg.chosen.connect(self._transfer_to)
        dlg.finished.connect(self._dialog_closed)
        self.transfer_dialog = dlg
        dlg.open()
        return True

    def _transfer_to(self, to_service, to_counter) -> None:
        def text(t: Ticket) -> str:
            where = (self.hall.counter(t.target_counter).name if t.target_counter
                     else self.hall.service(t.service_code).name)
            return self.tr("{number} transferred to {where}.").format(number=t.number, where=where)

        self._act(self.queue.transfer, text, to_service=to_service, to_counter=to_counter)

    def pause_or_resume(self):
        if self.state is not None and self.state.status == CounterStatus.PAUSED:
            return self._act(self.queue.open_counter, lambda st: self.tr("Counter open again."))
        dlg = ReasonDialog("pause", parent=self)
        dlg.chosen.connect(lambda reason: self._act(
            self.queue.pause_counter, lambda st: self.tr("Counter paused: {reason}.").format(reason=st.pause_reason),
            reason))
        dlg.finished.connect(self._dialog_closed)
        self.reason_dialog = dlg
        dlg.open()
        return True

    def close_or_open(self):
        if self.state is not None and self.state.status == CounterStatus.CLOSED:
            return self._act(self.queue.open_counter, lambda st: self.tr("Counter open."))
        if self.current is not None:
            self._say("error", lambda: self.tr("Finish or transfer {number} before closing the counter.").format(
                number=self.current.number if self.current else ""))
            return False
        dlg = ConfirmDialog(self.tr("Close {counter}? Waiting tickets stay in the queue for other counters.").format(
            counter=self.counter.name), self.tr("Close counter"), self.tr("Back"), self)
        dlg.chosen.connect(lambda: self._act(self.queue.close_counter, lambda st: self.tr("Counter closed.")))
        dlg.finished.connect(self._dialog_closed)
        self.confirm_dialog = dlg
        dlg.open()
        return True

    def ask_logout(self):
        dlg = ConfirmDialog(self.tr("Log out? An open counter is paused until someone logs in again."),
                            self.tr("Log out"), self.tr("Back"), self)
        dlg.chosen.connect(self.logout)
        dlg.finished.connect(self._dialog_closed)
        self.confirm_dialog = dlg
        dlg.open()
        return True

    def logout(self) -> None:
        """Pause the counter if it is open (best effort: offline still logs out), then leave."""
        if self.busy:
            return
        self._set_busy(True)
        code, officer = self.counter.code, self.user.username
        queue = self.queue
        open_ = self.state is not None and self.state.status == CounterStatus.OPEN

        def work():
            if open_:
                queue.pause_counter(code, "logout", officer=officer)

        def done(_value=None):
            if self.gone:
                return
            self._set_busy(False)
            self.shutdown()
            self.logged_out.emit()

        self.runner.submit(work, done, done)

    def shutdown(self) -> None:
        """Stop timers and leave the feed (the panel is about to go)."""
        if self._closed:
            return
        self._closed = True
        if shiboken6.isValid(self):
            self._ticker.stop()
            self._retry.stop()
        if self.feed is not None:
            for signal, slot in ((self.feed.events, self._on_events), (self.feed.online, self._on_online)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass


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
