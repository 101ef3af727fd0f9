"""The monitor's alert panel shows alerts generically (issue 14): a kind it has never heard of,
such as the web's failed notifications, appears with its message and severity, counts on the
tab and sounds until acknowledged; no change to the view is needed for a new kind."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from antrian.services.alerts import CRITICAL, AlertView, LoggedAlert
from qtshared.common import Runner

pytestmark = pytest.mark.ui

AT = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


class NewKindAlerts:
    def __init__(self):
        self.acked: list[str] = []

    def _alert(self) -> LoggedAlert:
        return LoggedAlert(1, "notify:web", "notify_failed", CRITICAL, "web",
                           "Notifikasi web gagal terkirim: 3 pesan (WhatsApp tidak menjawab)", AT, AT,
                           acknowledged_at=AT if self.acked else None,
                           acknowledged_by=self.acked[-1] if self.acked else None)

    def check(self) -> AlertView:
        return AlertView((self._alert(),))

    def log(self, limit: int = 200) -> list[LoggedAlert]:
        return [self._alert()]

    def acknowledge(self, key: str, user: str) -> bool:
        self.acked.append(user)
        return True


def test_an_alert_of_a_new_kind_shows_counts_and_sounds(qtbot):
    from counter.monitor import MonitorAlerts

    runner = Runner(max_workers=1, name="test-alerts")
    beeps: list[int] = []
    alerts = NewKindAlerts()
    view = MonitorAlerts(alerts, None, runner, "sri", beep=lambda: beeps.append(1), tz=timezone.utc)
    qtbot.addWidget(view)
    counts: list[int] = []
    view.unacknowledged.connect(counts.append)
    try:
        view.refresh()
        qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5000)
        assert view.table.item(0, 0).text() == "Kritis"
        assert view.table.item(0, 1).text().startswith("Notifikasi web gagal terkirim")
        assert counts[-1] == 1 and view.sounding and beeps
        view.table.selectRow(0)
        view.acknowledge_selected()
        qtbot.waitUntil(lambda: view.table.item(0, 3) is not None and view.table.item(0, 3).text() == "sri",
                        timeout=5000)
        assert counts[-1] == 0 and not view.sounding
    finally:
        view.shutdown()
        runner.shutdown(wait=True)
