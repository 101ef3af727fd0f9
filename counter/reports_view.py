"""The monitor's "Laporan" screen as a standalone widget: pick a period and the grouping, see the
Rekap Layanan, waiting and service times, counter utilisation, arrivals and a chart; export the
same report to XLSX or PDF. Built on the Qt-free antrian.reports.presenter; database work and
chart drawing run on the Runner."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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

from antrian.reports.period import Period
from antrian.reports.presenter import ReportScreenModel, Table, chart_png, load_ikm_table, load_screen_model


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class ReportsView(QWidget):
    def __init__(self, store, hall, runner, clock=None, ask_path: Callable[[str], Path | None] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.hall, self.runner = store, hall, runner
        self.clock = clock
        self.ask_path = ask_path or self._ask_path
        self.model: ReportScreenModel | None = None
        self.error_text = ""
        self._build()
        today = (clock.now() if clock else datetime.now(timezone.utc)).astimezone(hall.tz).date()
        self.start.setDate(_qdate(today.replace(day=1)))
        self.end.setDate(_qdate(today))

    def _build(self) -> None:
        v = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.start = QDateEdit()
        self.end = QDateEdit()
        for w in (self.start, self.end):
            w.setCalendarPopup(True)
            w.setDisplayFormat("dd-MM-yyyy")
        self.by = QComboBox()
        self.by.addItem(self.tr("By service"), "service")
        self.by.addItem(self.tr("By agency"), "agency")
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.clicked.connect(self.refresh)
        self.xlsx_button = QPushButton(self.tr("Export XLSX"))
        self.xlsx_button.clicked.connect(lambda: self.export("xlsx"))
        self.pdf_button = QPushButton(self.tr("Export PDF"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        for widget in (QLabel(self.tr("From")), self.start, QLabel(self.tr("To")), self.end, self.by,
                       self.show_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.xlsx_button)
        bar.addWidget(self.pdf_button)
        v.addLayout(bar)
        self.summary = QLabel(self.tr("Choose a period and press Show."))
        self.summary.setWordWrap(True)
        f = self.summary.font()
        f.setPointSize(f.pointSize() + 2)
        self.summary.setFont(f)
        v.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for key, title in (("rekap", self.tr("Service summary")), ("bookings", self.tr("Bookings")),
                           ("service", self.tr("Times per service")),
                           ("counter", self.tr("Times per counter")), ("officer", self.tr("Times per officer")),
                           ("counters", self.tr("Counter use")), ("heatmap", self.tr("Arrivals")),
                           ("ikm", self.tr("Satisfaction (IKM)"))):
            t = QTableWidget()
            t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            t.verticalHeader().setVisible(False)
            self.tables[key] = t
            self.tabs.addTab(t, title)
        chart_page = QWidget()
        cv = QVBoxLayout(chart_page)
        self.chart_kind = QComboBox()
        for kind, title in (("daily", self.tr("Tickets per day")), ("heatmap", self.tr("Arrivals by hour and day")),
                            ("counters", self.tr("Counter use"))):
            self.chart_kind.addItem(title, kind)
        self.chart_kind.currentIndexChanged.connect(self._show_chart)
        cv.addWidget(self.chart_kind, 0, Qt.AlignmentFlag.AlignLeft)
        self.chart = QLabel()
        self.chart.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cv.addWidget(self.chart, 1)
        self.charts: dict[str, bytes] = {}
        self.tabs.addTab(chart_page, self.tr("Chart"))
        v.addWidget(self.tabs, 1)
        self._set_enabled(False)

    def _set_enabled(self, has_data: bool) -> None:
        self.xlsx_button.setEnabled(has_data)
        self.pdf_button.setEnabled(has_data)

    def period(self) -> Period:
        return Period(_pydate(self.start.date()), _pydate(self.end.date()))

    def refresh(self) -> None:
        try:
            period = self.period()
        except Exception as exc:  # a reversed range: one line, no report
            self._failed(exc)
            return
        by = self.by.currentData()
        self.show_button.setEnabled(False)
        self.summary.setText(self.tr("Reading..."))

        def work():
            model = load_screen_model(self.store, self.hall, period, by=by)
            pngs = {} if model.empty else {k: chart_png(model, k) for k in ("daily", "heatmap", "counters")
                                           if k != "counters" or model.report.counters}
            return model, pngs, load_ikm_table(self.store, self.hall, period, by=by)

        self.runner.submit(work, self._shown, self._failed)

    def _shown(self, result) -> None:
        model, pngs, ikm = result
        self.model = model
        self.charts = pngs
        self.error_text = ""
        self.show_button.setEnabled(True)
        self.summary.setText(model.summary())
        self._set_enabled(not model.empty)
        if model.empty:
            for t in self.tables.values():
                t.clear()
                t.setRowCount(0)
                t.setColumnCount(0)
            self.chart.clear()
            return
        self._fill(self.tables["rekap"], model.rekap())
        self._fill(self.tables["bookings"], model.bookings())
        for level in ("service", "counter", "officer"):
            self._fill(self.tables[level], model.times(level))
        self._fill(self.tables["counters"], model.counters())
        self._fill(self.tables["heatmap"], model.heatmap())
        self._fill(self.tables["ikm"], ikm)
        self._show_chart()

    def _show_chart(self, *_):
        png = self.charts.get(self.chart_kind.currentData())
        if not png:
            self.chart.clear()
            return
        pix = QPixmap()
        pix.loadFromData(png, "PNG")
        self.chart.setPixmap(pix)

    def _failed(self, exc: BaseException) -> None:
        self.show_button.setEnabled(True)
        self.error_text = str(exc)
        self.summary.setText(self.tr("Report failed: {error}").format(error=exc))

    @staticmethod
    def _fill(table: QTableWidget, data: Table) -> None:
        table.clear()
        table.setColumnCount(len(data.headers))
        table.setRowCount(len(data.rows))
        table.setHorizontalHeaderLabels(list(data.headers))
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(data.rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                if isinstance(value, (int, float)):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if r >= len(data.rows) - int(data.bold_last):  # the total rows
                    item.setFont(bold)
                table.setItem(r, c, item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if data.headers:
            table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(0, 300)

    def export(self, fmt: str) -> None:
        if self.model is None or self.model.empty:
            return
        path = self.ask_path(fmt)
        if not path:
            return
        model = self.model

        def work():
            from antrian.reports.service import write_format

            return write_format(model.report, fmt, Path(path))

        self.runner.submit(work, lambda p: self.summary.setText(self.tr("Saved {path}").format(path=p)),
                           self._failed)

    def _ask_path(self, fmt: str) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save report"), f"laporan-{self.period().slug()}.{fmt}",
                                              f"*.{fmt}")
        return Path(name) if name else None
