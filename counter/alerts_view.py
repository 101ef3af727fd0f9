"""The monitor's alert panel and device-health view as a standalone widget: open alerts with
their severity, age and who acknowledged them (a chime repeats while any is unacknowledged), the
alert log, and every station's heartbeat as green / amber / red. Built on the Qt-free
antrian.services.alerts / health presenters; checks run on the Runner every ``interval_ms``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from antrian.services.alerts import CRITICAL, AlertRow, alert_rows
from antrian.services.health import AMBER, GREEN, RED, DeviceRow, device_rows

COLOURS = {GREEN: "#2E7D32", AMBER: "#F9A825", RED: "#C62828"}
SEVERITY_BG = {CRITICAL: "#FDECEA"}


class AlertsView(QWidget):
    def __init__(self, alerts, health, runner, user: str, clock=None, beep: Callable[[], None] | None = None,
                 interval_ms: int = 10_000, tz=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.alerts, self.health, self.runner = alerts, health, runner
        self.user = user
        self.clock = clock
        self._beep = beep
        self._sound: Any = None  # qtshared.sound.SoundPlayer, made at the first beep
        self.tz = tz  # the hall's time zone for the log's times
        self.rows: list[AlertRow] = []
        self.devices: list[DeviceRow] = []
        self.sounding = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self._build()

    def _build(self) -> None:
        v = QVBoxLayout(self)
        self.status = QLabel()
        v.addWidget(self.status)
        self.tabs = QTabWidget()
        page = QWidget()
        pv = QVBoxLayout(page)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Level"), self.tr("Alert"), self.tr("Since"),
                                              self.tr("Acknowledged")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        pv.addWidget(self.table)
        row = QHBoxLayout()
        self.ack_button = QPushButton(self.tr("Acknowledge"))
        self.ack_button.clicked.connect(self.acknowledge_selected)
        row.addWidget(self.ack_button)
        row.addStretch(1)
        pv.addLayout(row)
        self.tabs.addTab(page, self.tr("Alerts"))
        self.devices_table = QTableWidget(0, 6)
        self.devices_table.setHorizontalHeaderLabels([self.tr("Kind"), self.tr("Name"), self.tr("State"),
                                                      self.tr("Last heard"), self.tr("Printer"), self.tr("Version")])
        self.devices_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.devices_table.verticalHeader().setVisible(False)
        self.devices_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.tabs.addTab(self.devices_table, self.tr("Devices"))
        self.log_table = QTableWidget(0, 4)
        self.log_table.setHorizontalHeaderLabels([self.tr("Raised"), self.tr("Alert"), self.tr("Acknowledged"),
                                                  self.tr("Resolved")])
        self.log_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.log_table.verticalHeader().setVisible(False)
        self.log_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tabs.addTab(self.log_table, self.tr("Log"))
        v.addWidget(self.tabs, 1)

    def start(self) -> None:
        self.timer.start()
        self.refresh()

    def _now(self) -> datetime:
        return self.clock.now() if self.clock else datetime.now(timezone.utc)

    def refresh(self) -> None:
        def work():
            view = self.alerts.check()
            devices = self.health.devices() if self.health is not None else []
            return view, devices, self.alerts.log(100)

        self.runner.submit(work, self._shown, self._failed)

    def _shown(self, result) -> None:
        view, devices, log = result
        now = max([self._now()] + [a.last_seen_at for a in view.alerts])
        self.rows = alert_rows(view, now)
        self.devices = device_rows(devices)
        self.status.setText(self.tr("{n} open alerts, {u} not acknowledged").format(
            n=len(self.rows), u=view.unacknowledged))
        self.table.setRowCount(len(self.rows))
        for r, a in enumerate(self.rows):
            cells = (a.severity_label, a.message, a.since, a.acknowledged_by or "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if a.severity in SEVERITY_BG and not a.acknowledged_by:
                    item.setBackground(QColor(SEVERITY_BG[a.severity]))
                item.setData(Qt.ItemDataRole.UserRole, a.key)
                self.table.setItem(r, c, item)
        self.devices_table.setRowCount(len(self.devices))
        for r, d in enumerate(self.devices):
            for c, text in enumerate((d.kind, d.name, d.state, d.age, d.printer, d.version)):
                item = QTableWidgetItem(text)
                if c == 2:
                    item.setBackground(QColor(COLOURS[d.colour]))
                    item.setForeground(QColor("white" if d.colour != AMBER else "black"))
                self.devices_table.setItem(r, c, item)
        self.log_table.setRowCount(len(log))
        tz = self.tz
        for r, a in enumerate(log):
            for c, text in enumerate((f"{a.raised_at.astimezone(tz):%d-%m %H.%M}", a.message,
                                      a.acknowledged_by or "", "" if a.resolved_at is None
                                      else f"{a.resolved_at.astimezone(tz):%d-%m %H.%M}")):
                self.log_table.setItem(r, c, QTableWidgetItem(text))
        self.sounding = view.sound
        if view.sound:
            self.beep()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("Alerts unavailable: {error}").format(error=exc))

    def selected_key(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def acknowledge_selected(self) -> None:
        key = self.selected_key()
        if key is None:
            return
        self.runner.submit(lambda: self.alerts.acknowledge(key, self.user), lambda _ok: self.refresh(), self._failed)

    def beep(self) -> None:
        if self._beep is not None:
            self._beep()
            return
        if self._sound is None:  # a command-line player, not Qt Multimedia (~16 MB) in the window
            from antrian import paths
            from qtshared.sound import SoundPlayer

            self._sound = SoundPlayer(paths.asset("sounds", "chime.wav"), parent=self)
        self._sound.play()

    def shutdown(self) -> None:
        self.timer.stop()
