"""The web server's storage: API keys and the API write audit, the notification subscriptions and
outbox (the NotifyStore port), and the one read the live pages are built from (``hall_snapshot``:
every ticket of the service day plus the counters, in one read transaction).

It shares the SqlStore's engines (so SQLite writes are BEGIN IMMEDIATE like every other writer)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from antrian.domain.errors import StoreUnavailable
from antrian.services.notify import FailedMessage, OutboxMessage, Subscription
from antrian.storage import tables as T
from antrian.storage import tables_web as W
from antrian.storage.db import SqlStore

SCOPES = ("read", "write")


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    key_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def allows(self, scope: str) -> bool:
        return self.revoked_at is None and scope in self.scopes


@dataclass(frozen=True)
class TicketRow:
    id: int
    token: str
    number: str
    service_code: str
    agency_code: str
    priority: str | None
    status: str
    counter_code: str | None
    target_counter: str | None
    arrival_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    recall_count: int


@dataclass(frozen=True)
class CounterRow:
    code: str
    status: str
    current_ticket_id: int | None


@dataclass(frozen=True)
class Snapshot:
    day: date
    tickets: tuple[TicketRow, ...]
    counters: tuple[CounterRow, ...]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class WebStore:
    def __init__(self, store: SqlStore):
        self.sql = store

    @contextmanager
    def _conn(self, write: bool) -> Iterator[Connection]:
        self.sql.ensure_schema()
        engine = self.sql.raw_engine()  # the write engine (BEGIN IMMEDIATE on SQLite)
        if not write:
            engine = getattr(self.sql, "_read", None) or engine  # plain BEGIN: never blocks writers
        try:
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
        except IntegrityError:
            raise
        except (OperationalError, DBAPIError) as e:
            raise StoreUnavailable(f"cannot use the database {self.sql.describe()}: "
                                   f"{str(getattr(e, 'orig', e)).splitlines()[0] if str(e) else type(e).__name__}",
                                   url=self.sql.describe()) from None

    # ------------------------------------------------------------------------ snapshot
    def hall_snapshot(self, day: date) -> Snapshot:
        c = T.tickets.c
        cols = (c.id, c.token, c.number, c.service_code, c.agency_code, c.priority, c.status, c.counter_code,
                c.target_counter, c.arrival_at, c.called_at, c.started_at, c.finished_at, c.recall_count)
        with self._conn(False) as conn:
            rows = conn.execute(select(*cols).where(c.service_day == day).order_by(c.id)).all()
            counters = conn.execute(
                select(T.counters.c.code, T.counters.c.status, T.counters.c.current_ticket_id)
            ).all()
        return Snapshot(day, tuple(TicketRow(*tuple(r)) for r in rows), tuple(CounterRow(*tuple(r)) for r in counters))

    def ticket_day(self, token: str) -> date | None:
        with self._conn(False) as conn:
            day: date | None = conn.execute(
                select(T.tickets.c.service_day).where(T.tickets.c.token == token).order_by(T.tickets.c.id.desc()).limit(1)
            ).scalar()
        return day

    # ------------------------------------------------------------------------ API keys
    def add_api_key(self, name: str, scope: str, now: datetime) -> tuple[ApiKey, str]:
        """A new key; returns (the key, the full secret text shown once: mpp_<key_id>_<secret>)."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        scopes = "read,write" if scope == "write" else "read"
        key_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(24)
        with self._conn(True) as conn:
            new_id = conn.execute(
                insert(W.api_keys).values(name=name, key_id=key_id, key_hash=_hash(secret), scopes=scopes,
                                          created_at=now).returning(W.api_keys.c.id)
            ).scalar_one()
        return ApiKey(new_id, name, key_id, tuple(scopes.split(",")), now, None, None), f"mpp_{key_id}_{secret}"

    def _key(self, row: Row[Any]) -> ApiKey:
        m = row._mapping
        return ApiKey(m["id"], m["name"], m["key_id"], tuple(m["scopes"].split(",")), m["created_at"],
                      m["revoked_at"], m["last_used_at"])

    def list_api_keys(self) -> list[ApiKey]:
        with self._conn(False) as conn:
            return [self._key(r) for r in conn.execute(select(W.api_keys).order_by(W.api_keys.c.id))]

    def revoke_api_key(self, name_or_key_id: str, now: datetime) -> bool:
        k = W.api_keys.c
        with self._conn(True) as conn:
            res = conn.execute(
                update(W.api_keys)
                .where((k.name == name_or_key_id) | (k.key_id == name_or_key_id), k.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return bool(res.rowcount > 0)

    def check_api_key(self, text: str) -> ApiKey | None:
        """The key for a presented ``mpp_<key_id>_<secret>``, or None (unknown, wrong or revoked)."""
        parts = (text or "").split("_", 2)
        if len(parts) != 3 or parts[0] != "mpp" or not parts[1] or not parts[2] or len(text) > 100:
            return None
        with self._conn(False) as conn:
            row = conn.execute(select(W.api_keys).where(W.api_keys.c.key_id == parts[1])).first()
        if row is None or not hmac.compare_digest(row._mapping["key_hash"], _hash(parts[2])):
            return None
        key = self._key(row)
        return key if key.revoked_at is None else None

    def audit(self, now: datetime, key_name: str, method: str, path: str, status: int, detail: str = "") -> None:
        with self._conn(True) as conn:
            conn.execute(insert(W.api_audit).values(at=now, key_name=key_name, method=method, path=path[:200],
                                                    status=status, detail=detail[:1000]))
            conn.execute(update(W.api_keys).where(W.api_keys.c.name == key_name).values(last_used_at=now))

    def audit_rows(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._conn(False) as conn:
            rows = conn.execute(select(W.api_audit).order_by(W.api_audit.c.id.desc()).limit(limit)).all()
        return [dict(r._mapping) for r in rows]

    # ------------------------------------------------------------------------ NotifyStore
    def subscribe(self, day: date, token: str, phone: str, channel: str, lang: str, now: datetime) -> int:
        s = W.notify_subscriptions.c
        with self._conn(True) as conn:
            existing = conn.execute(select(s.id).where(s.service_day == day, s.token == token)).scalar()
            if existing is not None:
                conn.execute(update(W.notify_subscriptions).where(s.id == existing)
                             .values(phone=phone, channel=channel, lang=lang))
                return int(existing)
            return int(conn.execute(
                insert(W.notify_subscriptions).values(service_day=day, token=token, phone=phone, channel=channel,
                                                      lang=lang, created_at=now).returning(s.id)
            ).scalar_one())

    def unsubscribe(self, day: date, token: str) -> bool:
        s = W.notify_subscriptions.c
        with self._conn(True) as conn:
            ids = [r[0] for r in conn.execute(select(s.id).where(s.service_day == day, s.token == token))]
            if not ids:
                return False
            conn.execute(delete(W.notify_outbox).where(W.notify_outbox.c.subscription_id.in_(ids),
                                                       W.notify_outbox.c.status == "pending"))
            conn.execute(delete(W.notify_subscriptions).where(s.id.in_(ids)))
            return True

    @staticmethod
    def _sub(r: Row[Any]) -> Subscription:
        m = r._mapping
        return Subscription(m["id"], m["service_day"], m["token"], m["phone"], m["channel"], m["lang"])

    def subscription(self, day: date, token: str) -> Subscription | None:
        s = W.notify_subscriptions.c
        with self._conn(False) as conn:
            r = conn.execute(select(W.notify_subscriptions).where(s.service_day == day, s.token == token)).first()
        return self._sub(r) if r else None

    def subscriptions(self, day: date) -> list[Subscription]:
        s = W.notify_subscriptions.c
        with self._conn(False) as conn:
            return [self._sub(r) for r in conn.execute(
                select(W.notify_subscriptions).where(s.service_day == day).order_by(s.id))]

    def enqueue_once(self, subscription_id: int, day: date, number: str, kind: str, body: str,
                     now: datetime) -> bool:
        o = W.notify_outbox.c
        with self._conn(True) as conn:
            if conn.execute(select(o.id).where(o.subscription_id == subscription_id, o.kind == kind)).first():
                return False
            conn.execute(insert(W.notify_outbox).values(
                subscription_id=subscription_id, service_day=day, number=number, kind=kind, body=body,
                status="pending", attempts=0, next_at=now, created_at=now, last_error=""))
            return True

    def queued_kinds(self, subscription_ids: Sequence[int]) -> set[tuple[int, str]]:
        o = W.notify_outbox.c
        ids = list(subscription_ids)
        out: set[tuple[int, str]] = set()
        with self._conn(False) as conn:
            for i in range(0, len(ids), 500):  # through the (subscription_id, kind) unique index
                out.update((int(r[0]), str(r[1])) for r in conn.execute(
                    select(o.subscription_id, o.kind).where(o.subscription_id.in_(ids[i:i + 500]))))
        return out

    def due(self, now: datetime, limit: int = 20) -> list[OutboxMessage]:
        o = W.notify_outbox.c
        s = W.notify_subscriptions.c
        q = (
            select(o.id, o.subscription_id, o.number, o.kind, o.body, o.attempts, s.phone)
            .select_from(W.notify_outbox.outerjoin(W.notify_subscriptions, s.id == o.subscription_id))
            .where(o.status == "pending", o.next_at <= now)
            .order_by(o.next_at, o.id)
            .limit(limit)
        )
        with self._conn(False) as conn:
            return [OutboxMessage(*r) for r in conn.execute(q)]

    def mark_sent(self, message_id: int, now: datetime) -> None:
        with self._conn(True) as conn:
            conn.execute(update(W.notify_outbox).where(W.notify_outbox.c.id == message_id)
                         .values(status="sent", sent_at=now, attempts=W.notify_outbox.c.attempts + 1))

    def mark_retry(self, message_id: int, attempts: int, next_at: datetime, error: str) -> None:
        with self._conn(True) as conn:
            conn.execute(update(W.notify_outbox).where(W.notify_outbox.c.id == message_id)
                         .values(attempts=attempts, next_at=next_at, last_error=error))

    def mark_failed(self, message_id: int, attempts: int, error: str, now: datetime) -> None:
        """A message given up on. Its next_at then holds when it failed (nothing is next for it):
        the supervisor's "failed in the last hour" reads it through the (status, next_at) index."""
        with self._conn(True) as conn:
            conn.execute(update(W.notify_outbox).where(W.notify_outbox.c.id == message_id)
                         .values(status="failed", attempts=attempts, last_error=error, next_at=now))

    def failures(self, limit: int = 100) -> list[FailedMessage]:
        return self._failures(None, limit)

    def failures_since(self, since: datetime, limit: int = 100) -> list[FailedMessage]:
        return self._failures(since, limit)

    def _failures(self, since: datetime | None, limit: int) -> list[FailedMessage]:
        o = W.notify_outbox.c
        q = select(o.id, o.service_day, o.number, o.kind, o.attempts, o.last_error, o.created_at, o.next_at)
        q = q.where(o.status == "failed")
        if since is not None:
            q = q.where(o.next_at >= since)
        with self._conn(False) as conn:
            rows = conn.execute(q.order_by(o.next_at.desc(), o.id.desc()).limit(limit)).all()
        return [FailedMessage(*r) for r in rows]

    def outbox_rows(self) -> list[dict[str, Any]]:
        with self._conn(False) as conn:
            return [dict(r._mapping) for r in conn.execute(select(W.notify_outbox).order_by(W.notify_outbox.c.id))]

    def purge_before(self, day: date) -> int:
        """Delete the subscriptions (and so the phone numbers) of earlier days, and their unsent messages."""
        s = W.notify_subscriptions.c
        o = W.notify_outbox.c
        with self._conn(True) as conn:
            conn.execute(delete(W.notify_outbox).where(o.service_day < day, o.status == "pending"))
            return int(conn.execute(delete(W.notify_subscriptions).where(s.service_day < day)).rowcount)


class EventListener:
    """PostgreSQL LISTEN on the events channel in a thread: calls ``on_wake()`` when a writer
    commits. A wake-up hint only (not replayed while away); the events table stays the truth."""

    def __init__(self, store: Any, on_wake: Callable[[], Any]):
        self.url = getattr(store, "url", "")
        self.on_wake = on_wake
        self.listening = threading.Event()  # set once LISTEN is in place (tests wait for it)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def usable(self) -> bool:
        return self.url.startswith("postgresql")

    def start(self) -> None:
        if self.usable and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mpp-web-listen", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        from antrian.storage.db import EVENT_CHANNEL

        dsn = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {EVENT_CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.on_wake()
            except Exception:  # the database is away: the poll keeps going; try again
                self.listening.clear()
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None
