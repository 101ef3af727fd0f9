""""Beri tahu saya": a citizen leaves a WhatsApp/phone number on the ticket page and gets a message
when few people are ahead and when the ticket is called.

The port (Notifier: one message out) and the store port (NotifyStore: subscriptions and an outbox)
are implemented by adapters outside the core (web.notifiers, antrian.storage.web_store).
NotificationService decides *what* to send (``observe``, fed by the web server's event reader) and
delivers the outbox with retries and exponential backoff (``deliver_due``, run by a background
worker), so a slow or failing gateway never delays a call. Phone numbers are personal data: they are
kept only for the ticket's service day and never written to a log."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Protocol, Sequence

from antrian.services.ports import Clock, SystemClock

log = logging.getLogger(__name__)

NEAR = "near"
CALLED = "called"

MESSAGES = {
    "id": {
        NEAR: "{hall}: nomor antrean {number} ({service}) tinggal {ahead} orang lagi. "
              "Mohon kembali ke ruang tunggu.",
        CALLED: "{hall}: nomor antrean {number} dipanggil. Silakan menuju Loket {counter}.",
    },
    "en": {
        NEAR: "{hall}: queue number {number} ({service}) has {ahead} people ahead. "
              "Please return to the waiting area.",
        CALLED: "{hall}: queue number {number} is being called. Please go to Counter {counter}.",
    },
}


class NotifyError(Exception):
    """A message could not be sent (the text never contains the phone number)."""


class Notifier(Protocol):
    channel: str

    def send(self, to: str, body: str) -> None:
        """Send ``body`` to the number ``to`` (digits, country code first: 62812...).
        Raises NotifyError when the gateway refuses or cannot be reached."""
        ...


class RecordingNotifier:
    """The fake: records what would be sent; ``fail_next`` makes the next sends fail."""

    channel = "fake"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.attempts = 0
        self.fail_next = 0

    def send(self, to: str, body: str) -> None:
        self.attempts += 1
        if self.fail_next > 0:
            self.fail_next -= 1
            raise NotifyError("gateway unavailable (fake)")
        self.sent.append((to, body))


@dataclass(frozen=True)
class Subscription:
    id: int
    service_day: date
    token: str
    phone: str
    channel: str
    lang: str


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    subscription_id: int | None
    number: str
    kind: str
    body: str
    attempts: int
    phone: str | None  # None once the subscription (and its number) is gone


@dataclass(frozen=True)
class FailedMessage:
    id: int
    service_day: date
    number: str
    kind: str
    attempts: int
    last_error: str
    created_at: datetime
    failed_at: datetime | None = None  # when the last attempt failed (None: recorded before this was kept)


@dataclass(frozen=True)
class TicketProgress:
    """What the decision needs to know about one subscribed ticket right now."""

    token: str
    number: str
    service_name: str
    status: str  # waiting | called | serving | ... (antrian.domain.model.Status values)
    ahead: int
    counter: str | None


class NotifyStore(Protocol):
    def subscribe(self, day: date, token: str, phone: str, channel: str, lang: str, now: datetime) -> int: ...
    def unsubscribe(self, day: date, token: str) -> bool: ...
    def subscription(self, day: date, token: str) -> Subscription | None: ...
    def subscriptions(self, day: date) -> list[Subscription]: ...
    def enqueue_once(self, subscription_id: int, day: date, number: str, kind: str, body: str,
                     now: datetime) -> bool: ...
    def queued_kinds(self, subscription_ids: Sequence[int]) -> set[tuple[int, str]]:
        """(subscription id, kind) of every message already queued for these subscriptions."""
        ...
    def due(self, now: datetime, limit: int = 20) -> list[OutboxMessage]: ...
    def mark_sent(self, message_id: int, now: datetime) -> None: ...
    def mark_retry(self, message_id: int, attempts: int, next_at: datetime, error: str) -> None: ...
    def mark_failed(self, message_id: int, attempts: int, error: str, now: datetime) -> None: ...
    def failures(self, limit: int = 100) -> list[FailedMessage]: ...
    def failures_since(self, since: datetime, limit: int = 100) -> list[FailedMessage]:
        """The messages that failed for good at or after ``since``, newest first."""
        ...
    def purge_before(self, day: date) -> int: ...


_PHONE_JUNK = re.compile(r"[\s\-.()/]")


def normalise_phone(text: str) -> str | None:
    """An Indonesian mobile number as digits with the country code (6281234567890), or None.

    Accepts '0812-3456-7890', '+62 812 3456 7890', '62812...', '812...'."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    s = _PHONE_JUNK.sub("", text.strip())
    if s.startswith("+"):
        s = s[1:]
    if not s.isdigit():
        return None
    if s.startswith("62"):
        s = s[2:]
    elif s.startswith("0"):
        s = s[1:]
    if not s.startswith("8") or not 9 <= len(s) <= 12:
        return None
    return "62" + s


def scrub(text: str) -> str:
    """An error text safe for logs and the failures table: long digit runs (numbers) removed."""
    return re.sub(r"\+?\d[\d\s\-]{6,}\d", "[nomor]", str(text))[:300]


class NotificationService:
    def __init__(self, store: NotifyStore, notifier: Notifier | None, hall_name: str, ahead: int = 5,
                 clock: Clock | None = None, max_attempts: int = 5, retry_seconds: float = 10.0,
                 max_retry_seconds: float = 900.0):
        self.store = store
        self.notifier = notifier
        self.hall_name = hall_name
        self.ahead = ahead
        self.clock = clock or SystemClock()
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds

    @property
    def enabled(self) -> bool:
        return self.notifier is not None

    @property
    def channel(self) -> str:
        return self.notifier.channel if self.notifier else "none"

    # -------------------------------------------------------------------- subscribing
    def subscribe(self, day: date, token: str, phone_text: str, lang: str = "id") -> Subscription:
        """Raises ValueError('phone') for a number that is not an Indonesian mobile number."""
        phone = normalise_phone(phone_text)
        if phone is None:
            raise ValueError("phone")
        lang = lang if lang in MESSAGES else "id"
        sid = self.store.subscribe(day, token, phone, self.channel, lang, self.clock.now())
        return Subscription(sid, day, token, phone, self.channel, lang)

    def unsubscribe(self, day: date, token: str) -> bool:
        return self.store.unsubscribe(day, token)

    # -------------------------------------------------------------------- deciding
    def compose(self, kind: str, lang: str, p: TicketProgress) -> str:
        return MESSAGES.get(lang, MESSAGES["id"])[kind].format(
            hall=self.hall_name, number=p.number, service=p.service_name, ahead=p.ahead, counter=p.counter or "-"
        )

    def observe(self, day: date, progress: dict[str, TicketProgress]) -> int:
        """Queue the messages now due for the subscribed tickets in ``progress`` (by token); each
        kind is queued at most once per subscription. Returns how many were queued."""
        if not self.enabled:
            return 0
        queued = 0
        now = self.clock.now()
        subs = self.store.subscriptions(day)
        if not subs:
            return 0
        done = self.store.queued_kinds([s.id for s in subs])  # one read, not a write per subscriber per batch
        for sub in subs:
            p = progress.get(sub.token)
            if p is None:
                continue
            kind = None
            if p.status == "called":
                kind = CALLED
            elif p.status == "waiting" and p.ahead <= self.ahead:
                kind = NEAR
            if kind is None or (sub.id, kind) in done:
                continue
            if self.store.enqueue_once(sub.id, day, p.number, kind, self.compose(kind, sub.lang, p), now):
                queued += 1
        return queued

    def purge_before(self, day: date) -> int:
        """Forget the numbers of earlier service days."""
        return self.store.purge_before(day)

    # -------------------------------------------------------------------- delivering
    def backoff(self, attempts: int) -> float:
        """Seconds to wait after ``attempts`` failed tries: retry_seconds, x2, x4, ... capped."""
        return float(min(self.max_retry_seconds, self.retry_seconds * (2 ** max(0, attempts - 1))))

    def deliver_due(self, limit: int = 20) -> tuple[int, int, int]:
        """Send what is due. Returns (sent, to retry, failed for good)."""
        notifier = self.notifier
        if notifier is None:
            return 0, 0, 0
        sent = retry = failed = 0
        for m in self.store.due(self.clock.now(), limit):
            attempts = m.attempts + 1
            if m.phone is None:
                self.store.mark_failed(m.id, attempts, "number erased before sending", self.clock.now())
                failed += 1
                continue
            try:
                notifier.send(m.phone, m.body)
            except Exception as e:  # any adapter failure is a failed attempt, never a crash
                error = scrub(str(e) if isinstance(e, NotifyError) else f"{type(e).__name__}: {e}")
                if attempts >= self.max_attempts:
                    self.store.mark_failed(m.id, attempts, error, self.clock.now())
                    log.warning("notification %s for ticket %s failed after %d attempts: %s",
                                m.kind, m.number, attempts, error)
                    failed += 1
                else:
                    wait = self.backoff(attempts)
                    self.store.mark_retry(m.id, attempts, self.clock.now() + timedelta(seconds=wait), error)
                    log.info("notification %s for ticket %s: attempt %d failed, retry in %.0f s",
                             m.kind, m.number, attempts, wait)
                    retry += 1
                continue
            self.store.mark_sent(m.id, self.clock.now())
            sent += 1
        return sent, retry, failed

    def failures(self, limit: int = 100) -> list[FailedMessage]:
        return self.store.failures(limit)

    def failures_since(self, since: datetime, limit: int = 100) -> list[FailedMessage]:
        return self.store.failures_since(since, limit)


def progress_from(items: Iterable[TicketProgress]) -> dict[str, TicketProgress]:
    return {p.token: p for p in items}
