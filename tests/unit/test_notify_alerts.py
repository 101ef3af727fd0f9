"""The supervisor sees citizens' notifications that failed: one "notify_failed" alert while any
message was given up on within the last hour, with the count and the last error on one line and
never a phone number (the rule, then the alert log over the real store on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from antrian.services.alerts import CRITICAL, WARNING, AlertService, AlertSettings, notify_alert
from antrian.services.notify import FailedMessage, NotificationService, NotifyError, TicketProgress
from antrian.storage.manager_store import ManagerStore
from antrian.storage.web_store import WebStore

PHONE = "6281234567890"
AT = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


def failed(n: int, error: str = "gateway answered HTTP 500: down") -> list[FailedMessage]:
    return [FailedMessage(i, date(2026, 11, 25), f"K-{i:03d}", "near", 5, error, AT, AT - timedelta(minutes=i))
            for i in range(n, 0, -1)]


def test_no_failure_no_alert():
    assert notify_alert([]) is None


def test_failures_in_the_window_make_one_alert_with_the_last_error():
    a = notify_alert(failed(3))
    assert a is not None
    assert (a.key, a.kind, a.severity) == ("notify_failed", "notify_failed", WARNING)
    assert a.message == ("Notifikasi WhatsApp/SMS: 3 pesan gagal terkirim dalam 1 jam terakhir "
                         "(terakhir untuk nomor antrean K-003: gateway answered HTTP 500: down)")
    assert notify_alert(failed(10)).severity == CRITICAL
    assert notify_alert(failed(2), AlertSettings(notify_critical=2)).severity == CRITICAL


def test_the_message_is_one_line_and_never_shows_a_phone_number():
    a = notify_alert(failed(1, f"refused\nrecipient +{PHONE[:5]} {PHONE[5:]} unknown\r\n" + "x" * 300))
    assert a is not None
    assert "\n" not in a.message and "\r" not in a.message
    assert PHONE not in a.message.replace(" ", "") and "[nomor]" in a.message
    assert len(a.message) < 260


class FailingGateway:
    channel = "sms"

    def __init__(self):
        self.attempts = 0

    def send(self, to: str, body: str) -> None:
        self.attempts += 1
        raise NotifyError(f"gateway answered HTTP 502: no route to {to}")


def test_the_monitor_alert_follows_the_failures_of_the_last_hour(queue, store, hall, clock):
    web = WebStore(store)
    gateway = FailingGateway()
    n = NotificationService(web, gateway, hall.short_name, clock=clock, max_attempts=1)
    alerts = AlertService(hall, queue, ManagerStore(store), notify=web)

    def notify_alerts():  # the waiting tickets raise their own (overdue) alerts too
        return [a for a in alerts.check().alerts if a.kind == "notify_failed"]

    assert notify_alerts() == []

    day = queue.service_day(clock.now())
    tickets = [queue.issue("ktp").ticket for _ in range(2)]
    for t in tickets:
        n.subscribe(day, t.token, "0812-3456-7890")
    progress = {t.token: TicketProgress(t.token, t.number, "KTP-el", "waiting", 0, None) for t in tickets}
    assert n.observe(day, progress) == 2
    assert n.deliver_due() == (0, 0, 2) and gateway.attempts == 2

    [a] = notify_alerts()
    assert (a.kind, a.severity) == ("notify_failed", WARNING)
    assert "2 pesan gagal terkirim dalam 1 jam terakhir" in a.message and tickets[1].number in a.message
    assert "HTTP 502" in a.message and PHONE not in a.message and "0812" not in a.message

    clock.advance(minutes=30)  # one more failure half an hour later: same alert, counted
    t3 = queue.issue("ktp").ticket
    n.subscribe(day, t3.token, PHONE)
    n.observe(day, {t3.token: TicketProgress(t3.token, t3.number, "KTP-el", "waiting", 0, None)})
    assert n.deliver_due() == (0, 0, 1)
    [b] = notify_alerts()
    assert b.id == a.id and "3 pesan gagal" in b.message and t3.number in b.message

    clock.advance(minutes=31)  # the first two are older than an hour now
    [c] = notify_alerts()
    assert c.id == a.id and "1 pesan gagal" in c.message

    clock.advance(minutes=30)  # nothing failed within the hour: resolved
    assert notify_alerts() == []
    [logged] = [x for x in alerts.log() if x.kind == "notify_failed"]
    assert logged.resolved_at is not None


def test_failures_since_reads_when_a_message_failed(store, clock):
    web = WebStore(store)
    n = NotificationService(web, FailingGateway(), "MPP", clock=clock, max_attempts=2, retry_seconds=60)
    day = clock.now().date()
    n.subscribe(day, "TKT-20261125-AAAA", PHONE)
    n.observe(day, {"TKT-20261125-AAAA": TicketProgress("TKT-20261125-AAAA", "K-001", "KTP-el", "waiting", 0, None)})
    assert n.deliver_due() == (0, 1, 0)  # a retry is not a failure yet
    assert web.failures_since(clock.now() - timedelta(hours=1)) == []
    clock.advance(seconds=60)
    assert n.deliver_due() == (0, 0, 1)
    [f] = web.failures_since(clock.now() - timedelta(minutes=1))
    assert f.failed_at == clock.now() and f.created_at == clock.now() - timedelta(seconds=60)
    assert web.failures_since(clock.now() + timedelta(seconds=1)) == []
