"""The monitor's "Laporan" screen and alert/device panel as standalone widgets (the lead wires
them into the monitor): they show the Qt-free presenters' rows and act through the Runner."""

from __future__ import annotations

from datetime import date

import pytest

from antrian.services.alerts import AlertService
from antrian.services.health import HealthService, Heartbeat
from antrian.storage.manager_store import ManagerStore
from tests.reports.conftest import play_two_days

pytestmark = pytest.mark.ui


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'mpp.sqlite3'}"


@pytest.fixture(autouse=True)
def indonesian(qapp):
    from qtshared.common import Translations

    tr = Translations(qapp)
    tr.set_language("id")
    yield
    tr.set_language("en")


@pytest.fixture
def runner():
    from qtshared.common import Runner

    r = Runner(max_workers=1, name="test-manager")
    yield r
    r.shutdown(wait=True)


def test_reports_view_shows_the_period_and_exports(qtbot, queue, clock, hall, store, runner, tmp_path, shot):
    from counter.reports_view import ReportsView, _qdate

    play_two_days(queue, clock)
    from antrian.services.survey import SurveyService

    last = queue.find_ticket("K-001")  # Thursday's K-001, served at counter 8 after its transfer
    SurveyService(hall, ManagerStore(store)).submit(last.id, [4] * 9)
    saved = tmp_path / "laporan.xlsx"
    w = ReportsView(store, hall, runner, clock=clock, ask_path=lambda fmt: saved)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.start.setDate(_qdate(date(2026, 11, 25)))
    w.end.setDate(_qdate(date(2026, 11, 26)))
    w.show_button.click()
    qtbot.waitUntil(lambda: w.model is not None, timeout=15000)
    assert w.summary.text().endswith("5 diambil, 3 dilayani, 1 tidak hadir, 1 batal, 1 dialihkan")
    rekap = w.tables["rekap"]
    assert rekap.rowCount() == 4 and rekap.item(3, 0).text() == "Jumlah" and rekap.item(3, 4).text() == "5"
    assert rekap.horizontalHeaderItem(2).text() == "25"
    assert w.tables["service"].item(0, 0).text() == "ktp" and w.tables["service"].item(0, 3).text() == "10.0"
    assert w.tables["counters"].item(0, 5).text() == "71.4%"
    assert not w.chart.pixmap().isNull()
    ikm = w.tables["ikm"]
    assert ikm.rowCount() == 2 and ikm.item(0, 0).text() == "kk" and ikm.item(1, 11).text() == "100.0"
    assert ikm.item(1, 12).text() == "A (Sangat Baik)"
    assert w.show_button.text() == "Tampilkan" and w.tabs.tabText(0) == "Rekap layanan"
    shot(w, "monitor-laporan-1366x768")
    w.tabs.setCurrentIndex(w.tabs.count() - 1)
    shot(w, "monitor-laporan-chart-1366x768")
    w.chart_kind.setCurrentIndex(1)
    assert not w.chart.pixmap().isNull()
    shot(w, "monitor-laporan-heatmap-1366x768")
    w.xlsx_button.click()
    qtbot.waitUntil(lambda: w.summary.text().startswith("Saved") or "Tersimpan" in w.summary.text(), timeout=15000)
    assert saved.is_file()


def test_reports_view_empty_period_says_so(qtbot, queue, clock, hall, store, runner):
    from counter.reports_view import ReportsView, _qdate

    w = ReportsView(store, hall, runner, clock=clock)
    qtbot.addWidget(w)
    w.start.setDate(_qdate(date(2026, 10, 1)))
    w.end.setDate(_qdate(date(2026, 10, 31)))
    w.show_button.click()
    qtbot.waitUntil(lambda: w.model is not None, timeout=15000)
    assert w.summary.text() == "Tidak ada data untuk 1 Oktober 2026 - 31 Oktober 2026."
    assert not w.xlsx_button.isEnabled()
    w.start.setDate(_qdate(date(2026, 11, 30)))
    w.end.setDate(_qdate(date(2026, 11, 1)))
    w.show_button.click()  # reversed: one line, no query
    assert "reversed" in w.error_text


def test_alerts_view_acknowledge_silences_and_devices_are_coloured(qtbot, queue, clock, hall, store, runner, shot):
    from counter.alerts_view import AlertsView

    mstore = ManagerStore(store)
    health = HealthService(mstore)
    health.beat(Heartbeat("kiosk", "kiosk-1", "0.1.0", 1, "paper_near_end"))
    health.beat(Heartbeat("counter", "7", "0.1.0", 1))
    queue.issue("pdam-baru")  # nobody serves it: counter 4 is closed
    beeps = []
    w = AlertsView(AlertService(hall, queue, mstore, health), health, runner, "sup1", clock=clock,
                   beep=lambda: beeps.append(1), tz=hall.tz)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.refresh()
    qtbot.waitUntil(lambda: w.table.rowCount() == 2, timeout=15000)
    messages = sorted(w.table.item(r, 1).text() for r in range(2))
    assert messages == ["Kios kiosk-1: kertas printer hampir habis", "Pasang Baru: 1 menunggu, tetapi loket 4 tutup"]
    assert w.sounding and beeps
    assert w.status.text() == "2 peringatan terbuka, 2 belum diakui"
    assert [w.devices_table.item(r, 2).text() for r in range(2)] == ["Aktif", "Aktif"]
    assert w.devices_table.item(0, 4).text() == "Kertas hampir habis"
    shot(w, "monitor-alerts-1366x768")
    keys = [w.table.item(r, 0).data(0x0100) for r in range(2)]  # Qt.UserRole

    def acked(key):
        return any(w.table.item(r, 0).data(0x0100) == key and w.table.item(r, 3).text() == "sup1"
                   for r in range(w.table.rowCount()))

    for key in keys:  # rows re-sort after each acknowledgement: select by key
        w.table.selectRow(next(r for r in range(w.table.rowCount()) if w.table.item(r, 0).data(0x0100) == key))
        w.acknowledge_selected()
        qtbot.waitUntil(lambda key=key: acked(key), timeout=15000)
    assert not w.sounding
    assert {w.table.item(r, 3).text() for r in range(2)} == {"sup1"}
    assert w.log_table.rowCount() == 2


def test_every_string_has_an_indonesian_translation():
    import ast
    import xml.etree.ElementTree as ET
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ts = ET.parse(root / "antrian" / "data" / "translations" / "manager_id.ts").getroot()
    have = {(c.findtext("name"), m.findtext("source")): m.findtext("translation")
            for c in ts.iter("context") for m in c.iter("message")}
    wanted = set()
    for cls, f in (("ReportsView", "reports_view.py"), ("AlertsView", "alerts_view.py")):
        for node in ast.walk(ast.parse((root / "counter" / f).read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "tr"
                    and isinstance(node.args[0], ast.Constant)):
                wanted.add((cls, node.args[0].value))
    assert wanted and not (wanted - set(have)), sorted(wanted - set(have))
    assert all(have.values())
