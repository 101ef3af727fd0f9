"""The officer's counter panel (inside `mpp counter`): shows the state its ``CounterPresenter``
(counter/presenter.py) keeps and forwards keys, clicks, dialogs and feed signals to it. The
widgets are laid out in counter/panel_layout.py. All texts are here (Qt context "CounterPanel"),
which is why this module is a little over 400 lines.

Keys: F1/Space call next, F2 call again, F3 start serving, F4 finish, F5 absent (asks first when
the ticket was not called again), F6 transfer, F7 park, F8 break/resume, F9 close/open the
counter, F10 call the selected parked ticket back, F12 log out. A USB scanner types the QR
text and Enter into the number field, which has the focus.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidgetItem, QWidget

from antrian.domain.model import CounterStatus, Status, Ticket
from antrian.services.ports import UserRecord
from antrian.services.return_from_no_show import return_window_minutes
from printer.content import priority_label_id
from counter.common import BookedTickets, ErrorText, clock_text, minutes_text, since, with_booking
from counter.dialogs import ConfirmDialog, OpenTicketDialog, ReasonDialog, TransferDialog
from counter.panel_layout import (
    ACTIONS,
    CALL_BACK_KEY,
    ROLE_NUMBER,
    ROLE_PRIORITY,
    ROLE_RIGHT,
    ROLE_SERVICE,
    PanelWidgets,
    build_panel,
    build_shortcuts,
)
from counter.presenter import NEXT_LIMIT, CounterPresenter

RETRY_MS = 2000

__all__ = ["ACTIONS", "CounterPanel", "NEXT_LIMIT", "RETRY_MS"]


class CounterPanel(PanelWidgets, QWidget):
    """One counter, one logged-in officer."""

    logged_out = Signal()
    error_shown = Signal(object)  # the window shows a clock jump's banner (counter/station.py)

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
        self._closed = False
        self.presenter = CounterPresenter(queue, runner, counter_code, user.username, self,
                                          feed_down=feed is not None and feed.is_online is False)
        # (kind, callable producing the text in the current language)
        self._message_ok: tuple[str, Callable[[], str]] | None = None
        self.guard_dialog: OpenTicketDialog | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.reason_dialog: ReasonDialog | None = None
        self.confirm_dialog: ConfirmDialog | None = None

        self._number_idle: str | None = None  # the number label's "idle" style property as polished
        self._next_shown: tuple | None = None  # what the next-in-line list shows
        self._parked_shown: tuple | None = None  # what the parked list shows
        self.booked = BookedTickets(queue, runner, lambda: None if self.gone else self._render())
        build_panel(self)
        build_shortcuts(self)
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
        self.booked.refresh()

    # ------------------------------------------------------------------ the presenter's state
    state = property(lambda self: self.presenter.state)
    current = property(lambda self: self.presenter.current)
    next_in_line = property(lambda self: self.presenter.next_in_line)
    parked = property(lambda self: self.presenter.parked)
    waiting_counts = property(lambda self: self.presenter.waiting_counts)
    waiting_priority = property(lambda self: self.presenter.waiting_priority)
    loaded = property(lambda self: self.presenter.loaded)
    busy = property(lambda self: self.presenter.busy)
    _refreshing = property(lambda self: self.presenter.refreshing)
    offline = property(lambda self: self.presenter.offline)

    @property
    def gone(self) -> bool:
        """Logged out, or the widget was destroyed while background work was in flight."""
        return self._closed or not shiboken6.isValid(self)

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
        self.unpark_button.setText(self.tr("Call back") + f"  [{CALL_BACK_KEY}]")
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
            if self.booked.tag(t):
                via += "  \u00b7  " + self.booked.tag(t)
            self.service_label.setText(f"{service.name}  |  {self.hall.agency(t.agency_code).short_name}{via}")
            if t.is_priority:
                self.prio_label.setText("\u2605 " + self.tr("Priority: {group}").format(group=priority_label_id(t.priority)))
                self.prio_label.show()
            else:
                self.prio_label.hide()
            self.recall_label.setText(
                self.tr("Called again {n} times").format(n=t.recall_count) if t.recall_count else "")
        idle = "true" if t is None else "false"
        if self._number_idle != idle:  # re-polish (the idle colour) only when it changes
            self._number_idle = idle
            self.number_label.style().unpolish(self.number_label)
            self.number_label.style().polish(self.number_label)

        for code, label in self.waiting_labels.items():
            n, p = self.waiting_counts.get(code, 0), self.waiting_priority.get(code, 0)
            label.setText(f"{n}" + (f"  (\u2605 {p})" if p else ""))

        # the lists are rebuilt only when what they show changed (a call changes them; the
        # second's tick, a count or a message does not)
        now = self.clock.now()
        rows = []
        for nt in self.next_in_line:
            service = self.hall.service(nt.service_code)
            rows.append((nt.number, service.name, with_booking(service.name, self.booked.tag(nt)),
                         minutes_text(now - nt.arrival_at), nt.is_priority))
        shown = (tuple(rows), self.tr("Nobody is waiting") if not rows else "")
        if shown != self._next_shown:
            self._next_shown = shown
            self.next_list.clear()
            for number, name, service_text, waited, priority in rows:
                item = QListWidgetItem(f"{number}  {name}  {waited}")
                item.setData(ROLE_NUMBER, number)
                item.setData(ROLE_SERVICE, service_text)
                item.setData(ROLE_RIGHT, waited)
                item.setData(ROLE_PRIORITY, priority)
                self.next_list.addItem(item)
            if not rows:
                self.next_list.addItem(QListWidgetItem(shown[1]))

        parked = tuple((pt.token, pt.number, self.hall.service(pt.service_code).name, pt.is_priority)
                       for pt in self.parked)
        if parked != self._parked_shown:
            self._parked_shown = parked
            selected = self._selected_parked_token()
            self.parked_list.clear()
            for token, number, name, priority in parked:
                item = QListWidgetItem(f"{number}  {name}")
                item.setData(Qt.ItemDataRole.UserRole, token)
                item.setData(ROLE_NUMBER, number)
                item.setData(ROLE_SERVICE, name)
                item.setData(ROLE_PRIORITY, priority)
                self.parked_list.addItem(item)
                if token == selected:
                    self.parked_list.setCurrentItem(item)
        if self.parked and self.parked_list.currentRow() < 0:
            self.parked_list.setCurrentRow(0)

        for name, keys, _role in ACTIONS:
            self.buttons[name].setText(f"{self._action_label(name)}\n{self._key_label(keys)}")
        self.render_enabled()
        self._tick()

    def _tick(self) -> None:
        now = self.clock.now()
        self.clock_label.setText(now.astimezone(self.hall.tz).strftime("%H.%M"))  # Indonesian: a dot
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

    def render(self) -> None:  # type: ignore[override]  # the presenter's view (QWidget.render unused)
        self._render()

    def render_enabled(self) -> None:
        enabled = self.presenter.enabled()
        for name, button in self.buttons.items():
            button.setEnabled(enabled[name])
        self.scan_button.setEnabled(enabled["call_number"])
        self.unpark_button.setEnabled(enabled["call_back"])

    def focus_input(self) -> None:
        self.scan.setFocus()

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

    def show_error(self, exc: BaseException) -> None:
        self._say("error", lambda e=exc: ErrorText.of(e))
        self.error_shown.emit(exc)

    def show_notice(self, key: str) -> None:
        if key == "finish_before_closing":
            self._say("error", lambda: self.tr("Finish or transfer {number} before closing the counter.").format(
                number=self.current.number if self.current else ""))

    def show_result(self, action: str, result) -> None:
        self._say("ok", lambda a=action, r=result: self._result_text(a, r))

    def _result_text(self, action: str, r) -> str:
        if action == "call":
            return self.tr("Calling {number} ({service}).").format(
                number=r.number, service=self.hall.service(r.service_code).name)
        if action == "recall":
            return self.tr("Called {number} again.").format(number=r.number)
        if action == "start":
            return self.tr("Serving {number}.").format(number=r.number)
        if action == "finish":
            return self.tr("{number} finished.").format(number=r.number)
        if action == "no_show":
            minutes = return_window_minutes(self.hall)
            if minutes <= 0:
                return self.tr("{number} marked absent.").format(number=r.number)
            return self.tr("{number} marked absent. If the citizen comes back within {minutes} min, type "
                           "{number} and press Enter to call it again.").format(number=r.number, minutes=minutes)
        if action == "park":
            return self.tr("{number} parked.").format(number=r.number)
        if action == "transfer":
            where = (self.hall.counter(r.target_counter).name if r.target_counter
                     else self.hall.service(r.service_code).name)
            return self.tr("{number} transferred to {where}.").format(number=r.number, where=where)
        if action == "resume":
            return self.tr("Counter open again.")
        if action == "open":
            return self.tr("Counter open.")
        if action == "pause":
            return self.tr("Counter paused: {reason}.").format(reason=r.pause_reason)
        if action == "close":
            return self.tr("Counter closed.")
        return ""

    def set_retrying(self, store_down: bool) -> None:
        """The banner shows while offline; the panel re-reads by itself while the store is down."""
        self.banner.setVisible(self.presenter.offline)
        if store_down:
            if not self._retry.isActive():
                self._retry.start()
        else:
            self._retry.stop()

    def ask_open_ticket(self, ticket: Ticket, then) -> None:
        """Ask what to do with the open ticket; ``then(first)`` runs with the officer's choice."""
        if (self.guard_dialog is not None and shiboken6.isValid(self.guard_dialog)
                and self.guard_dialog.isVisible()):
            return
        dlg = OpenTicketDialog(ticket, self)
        dlg.chosen.connect(lambda choice: then(choice))
        dlg.finished.connect(self._dialog_closed)
        self.guard_dialog = dlg
        dlg.open()

    def leave(self) -> None:
        self.shutdown()
        self.logged_out.emit()

    def _dialog_closed(self, _result=None) -> None:
        """Give the keys back to the counter window: under a bare X server (no window manager)
        nobody re-activates it when a dialog closes, and the F-keys would go nowhere."""
        if self.gone:
            return
        w = self.window()
        if w is not None and w.isVisible():
            w.raise_()
            w.activateWindow()
            handle = w.windowHandle()
            if handle is not None:
                handle.requestActivate()
        self.scan.setFocus()

    # ------------------------------------------------------------------ forwarding
    def refresh(self) -> None:
        self.presenter.refresh()

    def _on_events(self, events: list) -> None:
        self.presenter.on_events(events)
        self.booked.on_events(events)

    def _on_online(self, online: bool) -> None:
        self.presenter.on_online(online)

    def trigger(self, name: str) -> bool:
        """Run an action by name (buttons and shortcuts come here). False when refused."""
        if self.busy or self.gone:
            return False
        if not self.presenter.enabled()[name] and name != "call":
            return False
        p = self.presenter
        handler = {
            "call": lambda: p.call("next"),
            "recall": lambda: p.act("recall"),
            "start": lambda: p.act("start"),
            "finish": lambda: p.act("finish"),
            "no_show": self.ask_no_show,
            "park": lambda: p.act("park"),
            "transfer": self.open_transfer,
            "pause": self.pause_or_resume,
            "close": self.close_or_open,
            "logout": self.ask_logout,
        }[name]
        return handler() is not False

    def call_next(self) -> bool:
        return self.presenter.call("next")

    def call_number_from_field(self) -> bool:
        text = self.scan.text().strip()
        if not text:
            self.scan.setFocus()
            return False
        if self.busy:
            return False
        self.scan.clear()
        return self.presenter.call("number", text)

    def _selected_parked_token(self) -> str | None:
        item = self.parked_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def call_back_parked(self) -> bool:
        token = self._selected_parked_token()
        if token is None or self.busy:
            return False
        return self.presenter.call("parked", token)

    def ask_no_show(self) -> bool:
        """F5: a ticket not yet called again (F2) needs a confirmation before it is marked absent."""
        t = self.current
        if t is None:
            return False
        if t.recall_count >= 1:
            return self.presenter.act("no_show")
        dlg = ConfirmDialog(self.tr("{number} has not been called again yet. Call again first (F2), or mark "
                                    "absent now?").format(number=t.number),
                            self.tr("Mark absent"), self.tr("Back"), self)
        dlg.chosen.connect(lambda: self.presenter.act("no_show"))
        dlg.finished.connect(self._dialog_closed)
        self.confirm_dialog = dlg
        dlg.open()
        return True

    def open_transfer(self) -> bool:
        t = self.current
        if t is None:
            return False
        dlg = TransferDialog(self.hall, t, self.counter.code, self)
        dlg.chosen.connect(lambda to_service, to_counter: self.presenter.act(
            "transfer", to_service=to_service, to_counter=to_counter))
        dlg.finished.connect(self._dialog_closed)
        self.transfer_dialog = dlg
        dlg.open()
        return True

    def pause_or_resume(self) -> bool:
        if self.presenter.status == CounterStatus.PAUSED:
            return self.presenter.pause_or_resume()
        dlg = ReasonDialog("pause", parent=self)
        dlg.chosen.connect(lambda reason: self.presenter.pause_or_resume(reason))
        dlg.finished.connect(self._dialog_closed)
        self.reason_dialog = dlg
        dlg.open()
        return True

    def close_or_open(self) -> bool:
        p = self.presenter
        if p.status == CounterStatus.CLOSED or self.current is not None:
            return p.close_or_open()
        dlg = ConfirmDialog(self.tr("Close {counter}? Waiting tickets stay in the queue for other counters.").format(
            counter=self.counter.name), self.tr("Close counter"), self.tr("Back"), self)
        dlg.chosen.connect(lambda: p.close_or_open(confirmed=True))
        dlg.finished.connect(self._dialog_closed)
        self.confirm_dialog = dlg
        dlg.open()
        return True

    def ask_logout(self) -> bool:
        dlg = ConfirmDialog(self.tr("Log out? An open counter is paused until someone logs in again."),
                            self.tr("Log out"), self.tr("Back"), self)
        dlg.chosen.connect(self.logout)
        dlg.finished.connect(self._dialog_closed)
        self.confirm_dialog = dlg
        dlg.open()
        return True

    def logout(self) -> None:
        """Pause the counter if it is open (best effort: offline still logs out), then leave."""
        self.presenter.logout()

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
