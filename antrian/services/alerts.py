"""Service-level alerts for the monitor (Qt-free): tickets past their service's target wait, a
counter paused too long, a service with people waiting and no counter open, a printer near or
out of paper, a station gone silent, citizens' notifications (WhatsApp/SMS) that failed. Each evaluation is synced into a log (raised, still seen,
resolved); a supervisor acknowledges an alert, which silences its sound but keeps it listed
until it is resolved."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, Sequence

from antrian.domain.model import CounterStatus
from antrian.services.health import RED, DeviceStatus
from antrian.services.notify import FailedMessage, scrub

if TYPE_CHECKING:
    from antrian.domain.catalogue import Hall
    from antrian.services.health import HealthService
    from antrian.services.queue import HallStatus, QueueService

WARNING, CRITICAL = "warning", "critical"


@dataclass(frozen=True)
class AlertSettings:
    pause_minutes: int = 20  # a counter paused longer than this
    overdue_critical_factor: float = 2.0  # oldest wait >= factor x target is critical
    silent_kinds: tuple[str, ...] = ("kiosk", "counter", "display", "survey", "web")
    notify_window_minutes: int = 60  # failed notifications counted over this window
    notify_critical: int = 10  # this many failures in the window is critical


@dataclass(frozen=True)
class Alert:
    key: str  # stable: one alert per key while it lasts
    kind: str  # overdue | paused | unstaffed | paper | silent | notify_failed
    severity: str
    subject: str
    message: str  # Bahasa Indonesia, one line


@dataclass(frozen=True)
class LoggedAlert:
    id: int
    key: str
    kind: str
    severity: str
    subject: str
    message: str
    raised_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class AlertTx(Protocol):
    def open_alerts(self) -> list[LoggedAlert]: ...
    def raise_alert(self, alert: Alert) -> None:
        """Insert (raised_at = last_seen_at = the database's now)."""
        ...
    def touch_alert(self, key: str, alert: Alert) -> None:
        """Update message/severity and last_seen_at of the open alert with this key."""
        ...
    def resolve_alert(self, key: str) -> None: ...
    def acknowledge_alert(self, key: str, user: str) -> bool: ...
    def alert_log(self, limit: int = 200) -> list[LoggedAlert]: ...


class NotifyFailures(Protocol):
    """Where the notifications given up on are kept (antrian.services.notify.NotifyStore has it)."""

    def failures_since(self, since: datetime, limit: int = 100) -> list[FailedMessage]: ...


class AlertStore(Protocol):
    def transaction(self) -> AbstractContextManager[AlertTx]: ...
    def read(self) -> AbstractContextManager[AlertTx]: ...


def _minutes(td: timedelta) -> int:
    return int(td.total_seconds() // 60)


def notify_alert(failed: Sequence[FailedMessage], settings: AlertSettings = AlertSettings()) -> Alert | None:
    """One alert for the notifications that failed for good within the window (``failed``: newest
    first), with the last error on one line. The error texts are scrubbed when stored; scrubbed
    again here so that no phone number can reach the monitor."""
    if not failed:
        return None
    last = failed[0]
    error = " ".join(scrub(last.last_error).split()) or "tanpa keterangan"
    if len(error) > 120:
        error = error[:119] + "…"
    n = len(failed)
    window = settings.notify_window_minutes
    span = "1 jam" if window == 60 else f"{window} menit"
    return Alert("notify_failed", "notify_failed", CRITICAL if n >= settings.notify_critical else WARNING,
                 "Notifikasi WhatsApp/SMS",
                 f"Notifikasi WhatsApp/SMS: {n} pesan gagal terkirim dalam {span} terakhir "
                 f"(terakhir untuk nomor antrean {last.number}: {error})")


def evaluate(hall: Hall, status: HallStatus, devices: Sequence[DeviceStatus] = (), settings: AlertSettings = AlertSettings(),
             notify_failed: Sequence[FailedMessage] = ()) -> list[Alert]:
    """Alerts from a QueueService.status() snapshot, the device health list and the notifications
    that failed within the window (newest first). Pure."""
    now = status.at
    out: list[Alert] = []
    states = {cv.code: cv.state for cv in status.counters}
    for svc in status.services:
        if not svc.waiting:
            continue
        s = hall.find_service(svc.service_code)
        name = s.name if s else svc.service_code
        if svc.oldest_arrival is not None and svc.target_wait_minutes > 0:
            waited = _minutes(now - svc.oldest_arrival)
            if waited > svc.target_wait_minutes:
                crit = waited >= svc.target_wait_minutes * settings.overdue_critical_factor
                out.append(Alert(
                    f"overdue:{svc.service_code}", "overdue", CRITICAL if crit else WARNING, name,
                    f"{name}: antrean terlama menunggu {waited} menit (target {svc.target_wait_minutes} menit), "
                    f"{svc.waiting} menunggu"))
        serving = hall.counters_serving(svc.service_code)
        if serving and all(states.get(c.code) is None or states[c.code].status == CounterStatus.CLOSED
                           for c in serving):
            lokets = ", ".join(c.code for c in serving)
            out.append(Alert(
                f"unstaffed:{svc.service_code}", "unstaffed", CRITICAL, name,
                f"{name}: {svc.waiting} menunggu, tetapi loket {lokets} tutup"))
    for cv in status.counters:
        st = cv.state
        if st.status == CounterStatus.PAUSED and st.updated_at is not None:
            paused = _minutes(now - st.updated_at)
            if paused > settings.pause_minutes:
                out.append(Alert(
                    f"paused:{cv.code}", "paused", WARNING, f"Loket {cv.code}",
                    f"Loket {cv.code} istirahat {paused} menit ({st.pause_reason or 'istirahat'}; "
                    f"batas {settings.pause_minutes} menit)"))
    from antrian.services.health import KIND_LABELS

    for d in devices:
        label = f"{KIND_LABELS.get(d.kind, d.kind)} {d.name}"
        if d.kind in settings.silent_kinds and d.colour == RED:
            out.append(Alert(f"silent:{d.kind}/{d.name}", "silent", CRITICAL, label,
                             f"{label}: tidak ada kabar sejak {int(d.age_s // 60)} menit"))
            continue
        ps = d.heartbeat.printer_state
        if ps == "paper_out":
            out.append(Alert(f"paper:{d.kind}/{d.name}", "paper", CRITICAL, label, f"{label}: kertas printer habis"))
        elif ps == "paper_near_end":
            out.append(Alert(f"paper:{d.kind}/{d.name}", "paper", WARNING, label,
                             f"{label}: kertas printer hampir habis"))
        elif ps in ("offline", "error"):
            out.append(Alert(f"paper:{d.kind}/{d.name}", "paper", CRITICAL, label,
                             f"{label}: printer {'tidak terhubung' if ps == 'offline' else 'galat'}"))
    na = notify_alert(notify_failed, settings)
    if na is not None:
        out.append(na)
    return out


@dataclass(frozen=True)
class AlertView:
    """What the alert panel shows: the open alerts, and whether any calls for the sound."""

    alerts: tuple[LoggedAlert, ...]

    @property
    def sound(self) -> bool:
        return any(not a.acknowledged for a in self.alerts)

    @property
    def unacknowledged(self) -> int:
        return sum(1 for a in self.alerts if not a.acknowledged)


class AlertService:
    def __init__(self, hall: Hall, queue: QueueService, store: AlertStore, health: HealthService | None = None,
                 settings: AlertSettings = AlertSettings(), notify: NotifyFailures | None = None):
        self.hall = hall
        self.queue = queue
        self.store = store
        self.health = health
        self.settings = settings
        self.notify = notify

    def check(self) -> AlertView:
        """Evaluate now, sync the log (one write transaction), return the open alerts."""
        status = self.queue.status()
        devices = self.health.devices() if self.health is not None else []
        failed: list[FailedMessage] = []
        if self.notify is not None:
            since = status.at - timedelta(minutes=self.settings.notify_window_minutes)
            failed = self.notify.failures_since(since, limit=1000)
        return self.sync(evaluate(self.hall, status, devices, self.settings, failed))

    def sync(self, current: Sequence[Alert]) -> AlertView:
        by_key = {a.key: a for a in current}
        with self.store.transaction() as tx:
            open_now = {a.key: a for a in tx.open_alerts()}
            for key, a in by_key.items():
                if key in open_now:
                    tx.touch_alert(key, a)
                else:
                    tx.raise_alert(a)
            for key in open_now.keys() - by_key.keys():
                tx.resolve_alert(key)
            alerts = tx.open_alerts()
        order = {CRITICAL: 0, WARNING: 1}
        return AlertView(tuple(sorted(alerts, key=lambda a: (a.acknowledged, order.get(a.severity, 2), a.raised_at))))

    def acknowledge(self, key: str, user: str) -> bool:
        with self.store.transaction() as tx:
            return tx.acknowledge_alert(key, user)

    def log(self, limit: int = 200) -> list[LoggedAlert]:
        with self.store.read() as tx:
            return tx.alert_log(limit)


# ------------------------------------------------------------------ what the alert panel shows

SEVERITY_LABELS = {CRITICAL: "Kritis", WARNING: "Peringatan"}


@dataclass(frozen=True)
class AlertRow:
    key: str
    severity: str
    severity_label: str
    message: str
    since: str  # "12 menit"
    acknowledged_by: str | None


def alert_rows(view: AlertView, now: datetime) -> list[AlertRow]:
    rows = []
    for a in view.alerts:
        mins = max(0, int((now - a.raised_at).total_seconds() // 60))
        rows.append(AlertRow(a.key, a.severity, SEVERITY_LABELS.get(a.severity, a.severity), a.message,
                             f"{mins} menit", a.acknowledged_by))
    return rows
