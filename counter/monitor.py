"""The supervisor monitor (`mpp monitor`): every counter with its state, ticket and officer; the
waiting queue per agency and service with the longest wait; tickets past their service's target
wait in red. A supervisor (or admin) can transfer a counter's ticket, cancel a ticket and close a
counter. Follows the EventFeed like the counter window; database work runs on the Runner.

Why this module is over 400 lines: ``MonitorPanel`` is one screen with three tables (counters,
waiting per service, overdue tickets) and their texts (Qt context "MonitorPanel" in
counter_id.ts). Its flow is thin: read one snapshot, show it, run one queue call per supervisor
action; the shared parts already live in counter/common.py (header, banner, error texts) and
counter/dialogs.py (transfer, reason and confirmation dialogs), counter/fit.py (scrolling pages,
the folding splitter) and counter/station.py (top bar, clock banner, login; shared with the
counter window). ``MonitorWindow`` (login, then the panel) is the last ~45 lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from antrian.domain.errors import StoreUnavailable
from antrian.domain.model import AT_COUNTER, CounterStatus, Status, Ticket
from antrian.services.alerts import AlertService
from antrian.services.health import HealthService, counter_presence
from antrian.services.ports import UserRecord
from antrian.services.read_models import HallStatus
from antrian.services.users import require_role
from antrian.storage.manager_store import ManagerStore
from antrian.storage.web_store import WebStore
from counter.alerts_view import AlertsView
from counter.clock_banner import SUPERVISOR_ROLES
from counter.common import ErrorText, HeaderWidgets, booking_service, booking_tag, build_header, minutes_text, named, with_booking
from counter.dialogs import ConfirmDialog, ReasonDialog, TransferDialog
from counter.fit import FoldingSplitter, ScrollTabs
from counter.reports_view import ReportsView
from counter.station import StationWindow

OVERDUE_BG = QColor("#f8d7d5")
OVERDUE_FG = QColor("#a01b14")
RETRY_MS = 2000
FOLD_WIDTH = 1100  # narrower (half a screen, portrait): the counters above the queue, not beside it
FOLDED_HEIGHT = 820  # folded, the queue page scrolls below this height


@dataclass(frozen=True)
class Snapshot:
    status: HallStatus
    waiting: list[Ticket]
    names: dict[str, str]
    presence: dict[str, str] = field(default_factory=dict)  # counter code -> counter_presence() value
    booked: dict[int, str] = field(default_factory=dict)  # ticket id -> booking code (issue 13)


# The ticket table shows the oldest this many waiting or parked tickets (the overdue ones are
# the oldest); the per-service counts above it count them all.
MAX_TICKET_ROWS = 300


def read_snapshot(queue, users) -> Snapshot:
    """Everything the monitor shows, read in the background. A counter whose window's heartbeat
    went red is "offline" (antrian.services.health.counter_presence), not "Melayani"."""
    status = queue.status()
    with queue.store.read() as tx:  # the oldest first, bounded: a 100k queue is not one table
        waiting = tx.oldest_open(queue.service_day(), [s.code for s in queue.hall.services], MAX_TICKET_ROWS)
    names = {u.username: u.full_name for u in users.list()} if users is not None else {}
    try:
        devices = HealthService(ManagerStore(queue.store)).devices()
    except Exception:  # noqa: BLE001 - no health table or store: show the queue's own states
        devices = []
    bookings = booking_service(queue)
    booked = bookings.booked_tickets() if bookings is not None else {}
    return Snapshot(status, waiting, names, counter_presence(status.counters, devices), booked)


def _shown_part(snap: Snapshot) -> tuple:
    """What the monitor's tables show of a snapshot (everything but the time it was read)."""
    return (snap.status.services, snap.status.counters, snap.waiting, snap.names, snap.presence, snap.booked)


class MonitorAlerts(AlertsView):
    """The alerts panel, telling the monitor how many alerts are not acknowledged yet."""

    unacknowledged = Signal(int)

    def _shown(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        super()._shown(result)
        self.unacknowledged.emit(result[0].unacknowledged)


class MonitorPanel(HeaderWidgets, QWidget):
    logged_out = Signal()
    error_shown = Signal(object)  # the window shows a clock jump's banner (counter/station.py)

    def __init__(self, queue, users, runner, feed, clock, user: UserRecord, parent: QWidget | None = None,
                 beep: Callable[[], None] | None = None):
        super().__init__(parent)
        require_role(user, *SUPERVISOR_ROLES)
        self._beep = beep
        self._alerts_open = 0
        self.queue = queue
        self.hall = queue.hall
        self.users = users
        self.runner = runner
        self.feed = feed
        self.clock = clock or queue.clock
        self.user = user
        self.snapshot: Snapshot | None = None
        self.busy = False
        self._refreshing = False
        self._dirty = False
        self._store_down = False
        self._feed_down = feed is not None and feed.is_online is False
        self._closed = False
        self._message: tuple[str, Callable[[], str]] | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.reason_dialog: ReasonDialog | None = None
        self.confirm_dialog: ConfirmDialog | None = None
        self._build()
        if feed is not None:
            feed.events.connect(self._on_events)
            feed.online.connect(self._on_online)
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self.refresh)
        self._ticker = QTimer(self)
        self._ticker.setInterval(15000)  # waits and overdue marks move with the clock
        self._ticker.timeout.connect(self._render)
        self._ticker.start()
        self.retranslate()
        self.refresh()
        self.alerts_view.start()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        root = build_header(self, 8)

        # every page scrolls rather than widen the window: half a 1366-px screen is enough (issue 14)
        self.tabs = ScrollTabs()
        self.tabs.setObjectName("monitor_tabs")
        root.addWidget(self.tabs, 1)
        split = self.split = FoldingSplitter(FOLD_WIDTH, FOLDED_HEIGHT)
        self.tabs.add_page(split)
        mstore = ManagerStore(self.queue.store)
        health = HealthService(mstore)
        self.alerts_view = MonitorAlerts(AlertService(self.hall, self.queue, mstore, health,
                                                      notify=WebStore(self.queue.store)), health, self.runner,
                                         self.user.username, self.clock, beep=self._beep, tz=self.hall.tz)
        self.alerts_view.unacknowledged.connect(self._on_alerts)
        self.tabs.add_page(self.alerts_view)
        self.reports_view = ReportsView(self.queue.store, self.hall, self.runner, self.clock)
        self.tabs.add_page(self.reports_view)

        left = QWidget()
        ll = QVBoxLayout(left)
        self.counters_caption = named(QLabel(), "section")
        self.counters_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        ll.addWidget(self.counters_caption)
        self.counters = named(QTableWidget(0, 5), "counters")
        self._table_setup(self.counters, stretch=4)
        ll.addWidget(self.counters, 1)
        row = QHBoxLayout()
        self.transfer_button = named(QPushButton(), "small")
        self.close_button = named(QPushButton(), "small")
        row.addWidget(self.transfer_button)
        row.addWidget(self.close_button)
        row.addStretch(1)
        ll.addLayout(row)
        split.addWidget(left)

        right = QWidget()
        rl = QVBoxLayout(right)
        self.services_caption = named(QLabel(), "section")
        self.services_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        rl.addWidget(self.services_caption)
        self.services = named(QTreeWidget(), "services")
        self.services.setColumnCount(5)
        self.services.setRootIsDecorated(True)
        self.services.setUniformRowHeights(True)
        self.services.header().setStretchLastSection(False)
        for col in range(5):
            self.services.header().setSectionResizeMode(
                col, QHeaderView.ResizeMode.Stretch if col == 0 else QHeaderView.ResizeMode.ResizeToContents)
        rl.addWidget(self.services, 3)
        self.tickets_caption = named(QLabel(), "section")
        self.tickets_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        rl.addWidget(self.tickets_caption)
        self.tickets = named(QTableWidget(0, 5), "tickets")
        self._table_setup(self.tickets, stretch=1)
        rl.addWidget(self.tickets, 2)
        row2 = QHBoxLayout()
        self.cancel_button = named(QPushButton(), "small")
        row2.addWidget(self.cancel_button)
        row2.addStretch(1)
        self.logout_button = named(QPushButton(), "small")
        row2.addWidget(self.logout_button)
        rl.addLayout(row2)
        split.addWidget(right)
        split.setSizes([640, 720])
        for caption in (self.counters_caption, self.services_caption, self.tickets_caption, self.subtitle):
            caption.setWordWrap(True)  # a narrow window wraps them instead of growing

        self.message = named(QLabel(), "message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        self.message.setWordWrap(True)
        self.message.setContentsMargins(16, 0, 16, 8)
        root.addWidget(self.message)

        self.transfer_button.clicked.connect(self.transfer_selected)
        self.close_button.clicked.connect(self.close_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.logout_button.clicked.connect(self.logout)
        self.counters.itemSelectionChanged.connect(self._update_enabled)
        self.tickets.itemSelectionChanged.connect(self._update_enabled)
        for key, fn in (("F6", self.transfer_selected), ("F9", self.close_selected), ("Delete", self.cancel_selected),
                        ("F12", self.logout)):
            sc = QShortcut(QKeySequence(key), self)
            sc.setAutoRepeat(False)
            sc.activated.connect(fn)

    @staticmethod
    def _table_setup(table: QTableWidget, stretch: int) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(26)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        for col in range(table.columnCount()):
            mode = QHeaderView.ResizeMode.Stretch if col == stretch else QHeaderView.ResizeMode.ResizeToContents
            header.setSectionResizeMode(col, mode)

    # ------------------------------------------------------------------ language
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Monitor - {hall}").format(hall=self.hall.short_name))
        self.subtitle.setText(self.tr("Supervisor: {name} ({role})").format(name=self.user.full_name,
                                                                            role=self.user.role))
        self.tabs.setTabText(0, self.tr("Queue"))
        self._on_alerts(self._alerts_open)
        self.tabs.setTabText(2, self.tr("Reports"))
        self.counters_caption.setText(self.tr("Counters"))
        self.counters.setHorizontalHeaderLabels(
            [self.tr("Counter"), self.tr("State"), self.tr("Ticket"), self.tr("Officer"), self.tr("Agency")])
        self.services_caption.setText(self.tr("Waiting per agency and service"))
        self.services.setHeaderLabels(
            [self.tr("Agency / service"), self.tr("Waiting"), self.tr("Priority"), self.tr("Longest wait"),
             self.tr("Target")])
        self.tickets_caption.setText(self.tr("Waiting tickets (red: past the service's target wait)"))
        self.tickets.setHorizontalHeaderLabels(
            [self.tr("Ticket"), self.tr("Service"), self.tr("Priority"), self.tr("Waiting for"), self.tr("State")])
        self.transfer_button.setText(self.tr("Transfer the counter's ticket") + "  [F6]")
        self.close_button.setText(self.tr("Close the counter") + "  [F9]")
        self.cancel_button.setText(self.tr("Cancel the selected ticket") + "  [Del]")
        self.logout_button.setText(self.tr("Log out") + "  [F12]")
        self.banner.setText(self.tr("OFFLINE: the database cannot be reached. Retrying by itself; "
                                    "what you see may be out of date."))
        self._render()
        self._render_message()

    # ------------------------------------------------------------------ data
    @property
    def gone(self) -> bool:
        return self._closed or not shiboken6.isValid(self)

    def refresh(self) -> None:
        if self.gone:
            return
        if self._refreshing:
            self._dirty = True
            return
        self._refreshing = True
        self._dirty = False
        queue, users = self.queue, self.users
        self.runner.submit(lambda: read_snapshot(queue, users), self._on_snapshot, self._on_failed)

    def _on_snapshot(self, snap: Snapshot) -> None:
        self._refreshing = False
        if self.gone:
            return
        # a snapshot showing what is already shown is not rendered again (three tables rebuilt):
        # a burst of events (a busy hour, the feed catching up) must not keep the GUI thread
        # rebuilding identical rows; the 15 s ticker still moves the waits on
        same = self.snapshot is not None and _shown_part(self.snapshot) == _shown_part(snap)
        self.snapshot = snap
        if self._store_down:
            self._store_down = False
            self._update_banner()
        if not same:
            self._render()
        if self._dirty:
            self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
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

    def _on_events(self, _events: list) -> None:
        if not self.gone:
            self.refresh()

    def _on_online(self, online: bool) -> None:
        if self.gone:
            return
        self._feed_down = not online
        self._update_banner()
        if online:
            self.refresh()

    def _update_banner(self) -> None:
        self.banner.setVisible(self._store_down or self._feed_down)
        if self._store_down and not self._retry.isActive():
            self._retry.start()
        elif not self._store_down:
            self._retry.stop()

    @property
    def offline(self) -> bool:
        return self._store_down or self._feed_down

    def _on_alerts(self, unacknowledged: int) -> None:
        if self.gone:
            return
        self._alerts_open = unacknowledged
        text = self.tr("Alerts") if not unacknowledged else self.tr("Alerts ({n})").format(n=unacknowledged)
        self.tabs.setTabText(1, text)
        self.tabs.tabBar().setTabTextColor(1, OVERDUE_FG if unacknowledged else QColor("black"))

    # ------------------------------------------------------------------ rendering
    def overdue(self, t: Ticket, now: datetime) -> bool:
        target = self.hall.service(t.service_code).target_wait_minutes
        return t.status == Status.WAITING and now - t.arrival_at > timedelta(minutes=target)

    def _render(self) -> None:
        now = self.clock.now()
        self.clock_label.setText(now.astimezone(self.hall.tz).strftime("%H.%M"))  # Indonesian: a dot
        snap = self.snapshot
        if snap is None:
            self._update_enabled()
            return
        hall = self.hall
        selected_counter = self.selected_counter()
        selected_ticket = self.selected_ticket()

        views = list(snap.status.counters)
        self.counters.setRowCount(len(views))
        for r, cv in enumerate(views):
            c = hall.counter(cv.code)
            ticket = cv.ticket if cv.ticket is not None and cv.ticket.status in AT_COUNTER else None
            state = ErrorText.counter_status(cv.state.status.value, ticket is not None)
            if cv.state.status == CounterStatus.PAUSED and cv.state.pause_reason:
                state += f" ({cv.state.pause_reason})"
            away = snap.presence.get(cv.code) == "offline"
            if away:
                state = self.tr("Offline (no heartbeat)")
            tick = ""
            if ticket is not None:
                number = with_booking(ticket.number, booking_tag(ticket, snap.booked, hall.tz))
                tick = f"{number}  {ErrorText.status(ticket.status.value)}"
            officer = cv.state.officer or ""
            if officer:
                officer = snap.names.get(officer, officer)
            cells = [c.name, state, tick, officer, hall.agency(c.agency_code).short_name]
            colour = {"open": QColor("#1b6e20"), "paused": QColor("#b26a00"), "closed": QColor("#777777")}
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, cv.code)
                if col == 1:
                    item.setForeground(QBrush(colour.get(cv.state.status.value, QColor("black"))))
                    if ticket is not None:
                        item.setForeground(QBrush(QColor("#1f5fbf")))
                    if away:
                        item.setForeground(QBrush(OVERDUE_FG))
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.counters.setItem(r, col, item)
            if cv.code == selected_counter:
                self.counters.selectRow(r)

        # waiting per agency and service
        self.services.clear()
        by_service = {s.service_code: s for s in snap.status.services}
        bold = QFont()
        bold.setBold(True)
        for a in hall.agencies:
            rows = [by_service[s.code] for s in hall.services_of(a.code) if s.code in by_service]
            total = sum(s.waiting for s in rows)
            prio = sum(s.waiting_priority for s in rows)
            oldest = min((s.oldest_arrival for s in rows if s.oldest_arrival), default=None)
            top = QTreeWidgetItem([a.short_name, str(total), str(prio),
                                   minutes_text(now - oldest) if oldest is not None else "-", ""])
            for col in range(5):
                top.setFont(col, bold)
            over_any = False
            for s in rows:
                svc = hall.service(s.service_code)
                wait = now - s.oldest_arrival if s.oldest_arrival else None
                child = QTreeWidgetItem([svc.name, str(s.waiting), str(s.waiting_priority),
                                         minutes_text(wait) if wait is not None else "-",
                                         minutes_text(timedelta(minutes=s.target_wait_minutes))])
                child.setData(0, Qt.ItemDataRole.UserRole, s.service_code)
                if wait is not None and wait > timedelta(minutes=s.target_wait_minutes):
                    over_any = True
                    for col in range(5):
                        child.setBackground(col, QBrush(OVERDUE_BG))
                        child.setForeground(col, QBrush(OVERDUE_FG))
                top.addChild(child)
            if over_any:
                for col in range(5):
                    top.setForeground(col, QBrush(OVERDUE_FG))
            top.setData(0, Qt.ItemDataRole.UserRole, a.code)
            self.services.addTopLevelItem(top)
            top.setExpanded(total > 0)

        # waiting (and parked) tickets, oldest first
        self.tickets.setRowCount(len(snap.waiting))
        for r, t in enumerate(snap.waiting):
            svc = hall.service(t.service_code)
            late = self.overdue(t, now)
            cells = [with_booking(t.number, booking_tag(t, snap.booked, hall.tz)), svc.name, t.priority or "",
                     minutes_text(now - t.arrival_at), ErrorText.status(t.status.value)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, t.token)
                item.setData(Qt.ItemDataRole.UserRole + 1, t.number)
                if late:
                    item.setBackground(QBrush(OVERDUE_BG))
                    item.setForeground(QBrush(OVERDUE_FG))
                    if col == 0:
                        f = item.font()
                        f.setBold(True)
                        item.setFont(f)
                self.tickets.setItem(r, col, item)
            if t.token == selected_ticket:
                self.tickets.selectRow(r)
        self._update_enabled()

    def overdue_rows(self) -> list[str]:
        """Numbers of the ticket rows shown in red (for tests and people alike)."""
        out = []
        for r in range(self.tickets.rowCount()):
            item = self.tickets.item(r, 0)
            if item is not None and item.background().color() == OVERDUE_BG:
                out.append(item.data(Qt.ItemDataRole.UserRole + 1))
        return out

    @staticmethod
    def _data(table: QTableWidget, row: int, col: int, role: int) -> Any:
        item = table.item(row, col)
        return item.data(role) if item is not None else None

    def counter_row(self, code: str) -> list[str]:
        for r in range(self.counters.rowCount()):
            if self._data(self.counters, r, 0, Qt.ItemDataRole.UserRole) == code:
                return [self._data(self.counters, r, c, Qt.ItemDataRole.DisplayRole) or ""
                        for c in range(self.counters.columnCount())]
        raise KeyError(code)

    def selected_counter(self) -> str | None:
        rows = self.counters.selectionModel().selectedRows() if self.counters.selectionModel() else []
        if not rows:
            return None
        item = self.counters.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def selected_ticket(self) -> str | None:
        rows = self.tickets.selectionModel().selectedRows() if self.tickets.selectionModel() else []
        if not rows:
            return None
        item = self.tickets.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def select_counter(self, code: str) -> None:
        for r in range(self.counters.rowCount()):
            if self._data(self.counters, r, 0, Qt.ItemDataRole.UserRole) == code:
                self.counters.selectRow(r)

    def select_ticket(self, number: str) -> None:
        for r in range(self.tickets.rowCount()):
            if self._data(self.tickets, r, 0, Qt.ItemDataRole.UserRole + 1) == number:
                self.tickets.selectRow(r)

    def _counter_view(self, code: str | None):
        if code is None or self.snapshot is None:
            return None
        for cv in self.snapshot.status.counters:
            if cv.code == code:
                return cv
        return None

    def _update_enabled(self) -> None:
        cv = self._counter_view(self.selected_counter())
        has_ticket = cv is not None and cv.ticket is not None and cv.ticket.status in AT_COUNTER
        self.transfer_button.setEnabled(not self.busy and has_ticket)
        self.close_button.setEnabled(not self.busy and cv is not None and cv.state.status != CounterStatus.CLOSED)
        self.cancel_button.setEnabled(not self.busy and self.selected_ticket() is not None)

    def _say(self, kind: str, fn) -> None:
        self._message = (kind, fn)
        self._render_message()

    def _render_message(self) -> None:
        if not self._message:
            self.message.clear()
            return
        kind, fn = self._message
        self.message.setProperty("kind", kind)
        self.message.setText(fn())
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    # ------------------------------------------------------------------ actions
    def _act(self, work, ok_text) -> bool:
        if self.busy:
            return False
        self.busy = True
        self._update_enabled()

        def ok(result):
            if self.gone:
                return
            self.busy = False
            self._say("ok", lambda r=result: ok_text(r))
            self.refresh()

        def err(exc):
            if self.gone:
                return
            self.busy = False
            if isinstance(exc, StoreUnavailable) and not exc.params.get("busy"):  # busy is not offline
                self._store_down = True
                self._update_banner()
            self._say("error", lambda e=exc: ErrorText.of(e))
            self.error_shown.emit(exc)
            self.refresh()

        self.runner.submit(work, ok, err)
        return True

    def transfer_selected(self) -> bool:
        code = self.selected_counter()
        cv = self._counter_view(code)
        if self.busy or cv is None or cv.ticket is None or cv.ticket.status not in AT_COUNTER:
            return False
        dlg = TransferDialog(self.hall, cv.ticket, code, self)
        queue, officer = self.queue, self.user.username

        def go(to_service, to_counter):
            self._act(lambda: queue.transfer(code, to_service=to_service, to_counter=to_counter, officer=officer),
                      lambda t: self.tr("{number} transferred.").format(number=t.number))

        dlg.chosen.connect(go)
        self.transfer_dialog = dlg
        dlg.open()
        return True

    def cancel_selected(self) -> bool:
        token = self.selected_ticket()
        if self.busy or token is None:
            return False
        rows = self.tickets.selectionModel().selectedRows()
        number = self._data(self.tickets, rows[0].row(), 0, Qt.ItemDataRole.UserRole + 1)
        dlg = ReasonDialog("cancel", number, self)
        queue, officer = self.queue, self.user.username
        dlg.chosen.connect(lambda reason: self._act(
            lambda: queue.cancel(token, officer=officer, reason=reason),
            lambda t: self.tr("{number} cancelled.").format(number=t.number)))
        self.reason_dialog = dlg
        dlg.open()
        return True

    def close_selected(self) -> bool:
        code = self.selected_counter()
        cv = self._counter_view(code)
        if self.busy or cv is None or cv.state.status == CounterStatus.CLOSED:
            return False
        name = self.hall.counter(code).name
        has_ticket = cv.ticket is not None and cv.ticket.status in AT_COUNTER
        if has_ticket:
            question = self.tr("Close {counter}? Its ticket {number} goes back to the queue.").format(
                counter=name, number=cv.ticket.number)
        else:
            question = self.tr("Close {counter}?").format(counter=name)
        dlg = ConfirmDialog(question, self.tr("Close the counter"), self.tr("Back"), self)
        queue, officer = self.queue, self.user.username
        dlg.chosen.connect(lambda: self._act(
            lambda: queue.close_counter(code, officer=officer, force=has_ticket),
            lambda st: self.tr("{counter} closed.").format(counter=name)))
        self.confirm_dialog = dlg
        dlg.open()
        return True

    def logout(self) -> None:
        self.shutdown()
        self.logged_out.emit()

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        if shiboken6.isValid(self):
            self._ticker.stop()
            self._retry.stop()
            self.alerts_view.shutdown()
        if self.feed is not None:
            for signal, slot in ((self.feed.events, self._on_events), (self.feed.online, self._on_online)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass


class MonitorWindow(StationWindow):
    """Login (supervisor or admin) -> the monitor panel."""

    purpose = "monitor"
    panel: MonitorPanel | None

    def __init__(self, queue, users, runner, feed, clock=None, translations=None, parent: QWidget | None = None,
                 beep: Callable[[], None] | None = None):
        super().__init__(queue, users, runner, feed, clock, translations, parent)
        self.beep = beep  # the alert sound (None: the hall chime)
        self.resize(1360, 820)
        self.retranslate()

    def window_title(self) -> str:
        return self.tr("Monitor - {hall}").format(hall=self.queue.hall.short_name)

    def login(self, username: str, pin: str) -> None:
        self.login_page.set_busy(True)
        users = self.users

        def ok(user):
            if not shiboken6.isValid(self):
                return
            self.user = user
            self.login_page.set_busy(False)
            self.login_page.message.clear()
            panel = MonitorPanel(self.queue, self.users, self.runner, self.feed, self.clock, user, beep=self.beep)
            self.panel = panel
            panel.logged_out.connect(self._logged_out)
            panel.error_shown.connect(self.saw_error)
            self.stack.addWidget(panel)
            self.stack.setCurrentWidget(panel)

        def err(exc):
            if not shiboken6.isValid(self):
                return
            self.login_page.set_busy(False)
            self.login_page.show_error(ErrorText.of(exc))
            self.saw_error(exc)

        self.runner.submit(lambda: users.login(username, pin, roles=SUPERVISOR_ROLES), ok, err)
