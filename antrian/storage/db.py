"""Engines, migrations and the SQL implementation of the QueueStore port.

SQLite: WAL journal, foreign keys, busy timeout, and writes inside BEGIN IMMEDIATE (the driver's
own transaction handling is switched off and SQLAlchemy's "begin" event emits the BEGIN).
PostgreSQL: psycopg 3; event ids are handed out in commit order (advisory lock) and each
commit sends NOTIFY mpp_events as a wake-up hint for displays.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import and_, create_engine, event, func, insert, or_, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from antrian.domain.errors import SchemaMissing, StoreUnavailable
from antrian.domain.model import CounterState, CounterStatus, Event, Status, Ticket
from antrian.services.ports import UserRecord
from antrian.storage import tables as T

log = logging.getLogger(__name__)

HEAD_REVISION = "0003_manager"  # the newest migration (the lead re-chains them when merging)
EVENT_CHANNEL = "mpp_events"
_EVENT_LOCK_KEY = 0x4D5050  # "MPP"


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"//[^@/]*@", "//***@", url)


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _make_engine(url: str, immediate: bool, pool_size: int = 5) -> Engine:
    url = normalise_url(url)
    try:
        u = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"'{redact(url)}' is not a database URL (sqlite:///path or postgresql://user@host/db)") from None
    if u.get_backend_name() == "sqlite":
        db = u.database or ""
        if db and db != ":memory:":
            parent = Path(db).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreUnavailable(f"folder {parent} for the SQLite file does not exist")
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if u.get_backend_name() == "postgresql":
        try:
            return create_engine(
                url,
                pool_size=pool_size,
                max_overflow=10,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5, "application_name": "mpp"},
            )
        except NoSuchModuleError:
            raise StoreUnavailable("PostgreSQL driver missing: install psycopg (pip install 'psycopg[binary]')") from None
    raise StoreUnavailable(f"unsupported database '{u.get_backend_name()}': use sqlite:/// or postgresql://")


def _unavailable(url: str, exc: Exception) -> StoreUnavailable:
    reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
    return StoreUnavailable(
        f"cannot use the database {redact(url)}: {reason}. Is the server running and the URL right "
        "(--db or MPP_DB_URL)?",
        url=redact(url),
    )


# ----------------------------------------------------------------------------------- migrations


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "head") -> str:
    """Bring the schema to ``revision``; returns the revision now current."""
    from alembic import command

    # On SQLite the migration runs inside BEGIN IMMEDIATE: several stations starting on a new
    # file at once wait for each other instead of failing with "database is locked".
    engine = _make_engine(url, immediate=True)
    try:
        with engine.connect() as conn:
            command.upgrade(_alembic_config(conn), revision)
            conn.commit()
        return current_revision(engine) or ""
    except (OperationalError, DBAPIError) as e:
        raise _unavailable(url, e) from None
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, DBAPIError):
            conn.rollback()
            return None


# ------------------------------------------------------------------------------------- the store


def _ticket(row) -> Ticket:
    m = row._mapping
    return Ticket(
        id=m["id"], service_day=m["service_day"], prefix=m["prefix"], seq=m["seq"], number=m["number"],
        service_code=m["service_code"], agency_code=m["agency_code"], priority=m["priority"],
        status=Status(m["status"]), issued_at=m["issued_at"], arrival_at=m["arrival_at"], token=m["token"],
        counter_code=m["counter_code"], officer=m["officer"], target_counter=m["target_counter"],
        called_at=m["called_at"], started_at=m["started_at"], finished_at=m["finished_at"],
        recall_count=m["recall_count"], transferred_from=m["transferred_from"],
    )


def _counter(row) -> CounterState:
    m = row._mapping
    return CounterState(
        code=m["code"], status=CounterStatus(m["status"]), officer=m["officer"],
        current_ticket_id=m["current_ticket_id"], priority_streak=m["priority_streak"],
        pause_reason=m["pause_reason"], updated_at=m["updated_at"],
    )


def _event(row) -> Event:
    m = row._mapping
    try:
        payload = json.loads(m["payload"] or "{}")
    except ValueError:
        payload = {}
    return Event(
        id=m["id"], type=m["type"], at=m["at"], ticket_id=m["ticket_id"], number=m["number"],
        counter_code=m["counter_code"], officer=m["officer"], service_code=m["service_code"], payload=payload,
    )


def _user(row) -> UserRecord:
    m = row._mapping
    return UserRecord(
        username=m["username"], full_name=m["full_name"], role=m["role"], pin_hash=m["pin_hash"],
        disabled=bool(m["disabled"]), failed_attempts=m["failed_attempts"], locked_until=m["locked_until"],
    )


def _json_default(o):
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    return str(o)


class SqlTx:
    def __init__(self, conn, dialect: str, known_day: date | None = None, known_counters: frozenset = frozenset()):
        self.conn = conn
        self.pg = dialect == "postgresql"
        self._notify = False
        # what this process already knows to be in the database (skips needless writes)
        self.known_day = known_day
        self.known_counters = set(known_counters)

    def _upsert(self):
        if self.pg:
            from sqlalchemy.dialects.postgresql import insert as ins
        else:
            from sqlalchemy.dialects.sqlite import insert as ins
        return ins

    # -- day
    def rollover(self, day: date, now: datetime | None = None) -> int:
        if self.known_day == day:
            return 0
        iso = day.isoformat()
        self.known_day = day
        changed = self.conn.execute(
            update(T.meta).where(T.meta.c.key == "service_day", T.meta.c.value < iso).values(value=iso)
        ).rowcount
        if not changed:
            return 0
        open_states = [s.value for s in (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)]
        self.conn.execute(
            update(T.counters).values(current_ticket_id=None, priority_streak=0, status=CounterStatus.CLOSED.value,
                                      pause_reason=None)
        )
        n = self.conn.execute(
            update(T.tickets)
            .where(T.tickets.c.service_day < day, T.tickets.c.status.in_(open_states))
            .values(status=Status.EXPIRED.value)
        ).rowcount
        self.append_event(Event(type="day_rollover", at=now or datetime.now(timezone.utc), payload={"day": iso, "expired": n}))
        return n

    def bump(self, day: date, key: str, by: int = 1) -> int:
        ins = self._upsert()
        stmt = ins(T.daily_counts).values(day=day, key=key, value=by)
        stmt = stmt.on_conflict_do_update(
            index_elements=[T.daily_counts.c.day, T.daily_counts.c.key],
            set_={"value": T.daily_counts.c.value + by},
        ).returning(T.daily_counts.c.value)
        return int(self.conn.execute(stmt).scalar_one())

    def get_count(self, day: date, key: str) -> int:
        v = self.conn.execute(
            select(T.daily_counts.c.value).where(T.daily_counts.c.day == day, T.daily_counts.c.key == key)
        ).scalar()
        return int(v or 0)

    def get_counts(self, day: date, prefix: str) -> dict[str, int]:
        rows = self.conn.execute(
            select(T.daily_counts.c.key, T.daily_counts.c.value).where(
                T.daily_counts.c.day == day, T.daily_counts.c.key.startswith(prefix)
            )
        )
        return {k: int(v) for k, v in rows}

    # -- tickets
    def add_ticket(self, t: Ticket) -> Ticket:
        new_id = self.conn.execute(
            insert(T.tickets)
            .values(
                service_day=t.service_day, prefix=t.prefix, seq=t.seq, number=t.number,
                service_code=t.service_code, agency_code=t.agency_code, priority=t.priority,
                prio=1 if t.priority else 0, status=t.status.value, issued_at=t.issued_at,
                arrival_at=t.arrival_at, token=t.token, counter_code=t.counter_code, officer=t.officer,
                target_counter=t.target_counter, recall_count=t.recall_count, transferred_from=t.transferred_from,
            )
            .returning(T.tickets.c.id)
        ).scalar_one()
        return t.evolve(id=new_id)

    def get_ticket(self, ticket_id: int) -> Ticket | None:
        row = self.conn.execute(select(T.tickets).where(T.tickets.c.id == ticket_id)).first()
        return _ticket(row) if row else None

    def find_by_token(self, token: str) -> Ticket | None:
        row = self.conn.execute(
            select(T.tickets).where(T.tickets.c.token == token).order_by(T.tickets.c.id.desc()).limit(1)
        ).first()
        return _ticket(row) if row else None

    def find_by_number(self, day: date, prefix: str, seq: int) -> Ticket | None:
        row = self.conn.execute(
            select(T.tickets)
            .where(T.tickets.c.service_day == day, T.tickets.c.prefix == prefix, T.tickets.c.seq == seq)
            .order_by(T.tickets.c.id.desc())
            .limit(1)
        ).first()
        return _ticket(row) if row else None

    def oldest_waiting(self, service_code: str, priority: bool, counter_code: str) -> Ticket | None:
        c = T.tickets.c
        row = self.conn.execute(
            select(T.tickets)
            .where(
                c.status == Status.WAITING.value,
                c.service_code == service_code,
                c.prio == (1 if priority else 0),
                or_(c.target_counter.is_(None), c.target_counter == counter_code),
            )
            .order_by(c.arrival_at, c.id)
            .limit(1)
        ).first()
        return _ticket(row) if row else None

    def update_ticket(self, ticket_id: int, expected: Iterable[Status], **fields) -> bool:
        expected = [Status(s).value for s in expected]
        res = self.conn.execute(
            update(T.tickets).where(T.tickets.c.id == ticket_id, T.tickets.c.status.in_(expected)).values(**fields)
        )
        return res.rowcount == 1

    def count_waiting(self, service_code: str, priority_only: bool = False) -> int:
        c = T.tickets.c
        q = select(func.count()).select_from(T.tickets).where(
            c.status == Status.WAITING.value, c.service_code == service_code
        )
        if priority_only:
            q = q.where(c.prio == 1)
        return int(self.conn.execute(q).scalar_one())

    def open_tickets(self, day: date) -> list[Ticket]:
        c = T.tickets.c
        open_states = [s.value for s in (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)]
        rows = self.conn.execute(
            select(T.tickets).where(c.service_day == day, c.status.in_(open_states)).order_by(c.arrival_at, c.id)
        )
        return [_ticket(r) for r in rows]

    def tickets_between(self, start: datetime, end: datetime) -> list[Ticket]:
        c = T.tickets.c
        rows = self.conn.execute(
            select(T.tickets).where(c.issued_at >= start, c.issued_at < end).order_by(c.id)
        )
        return [_ticket(r) for r in rows]

    # -- counters
    def _ensure_counter(self, code: str) -> None:
        if code in self.known_counters:
            return
        self.known_counters.add(code)
        ins = self._upsert()
        self.conn.execute(ins(T.counters).values(code=code).on_conflict_do_nothing(index_elements=[T.counters.c.code]))

    def counter_state(self, code: str) -> CounterState:
        row = self.conn.execute(select(T.counters).where(T.counters.c.code == code)).first()
        return _counter(row) if row else CounterState(code=code)

    def counter_states(self) -> list[CounterState]:
        return [_counter(r) for r in self.conn.execute(select(T.counters).order_by(T.counters.c.code))]

    def update_counter(self, code: str, expect_current=..., **fields) -> bool:
        self._ensure_counter(code)
        stmt = update(T.counters).where(T.counters.c.code == code)
        if expect_current is not ...:
            col = T.counters.c.current_ticket_id
            stmt = stmt.where(col.is_(None) if expect_current is None else col == expect_current)
        return self.conn.execute(stmt.values(**fields)).rowcount == 1

    # -- events
    def append_event(self, e: Event) -> int:
        if self.pg:
            # ids in commit order: the lock is held until this transaction ends
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVENT_LOCK_KEY})
            self._notify = True
        return self.conn.execute(
            insert(T.events)
            .values(
                at=e.at, type=e.type, ticket_id=e.ticket_id, number=e.number, counter_code=e.counter_code,
                officer=e.officer, service_code=e.service_code,
                payload=json.dumps(e.payload, default=_json_default, separators=(",", ":")),
            )
            .returning(T.events.c.id)
        ).scalar_one()

    def before_commit(self) -> None:
        if self._notify:
            self.conn.execute(text(f"NOTIFY {EVENT_CHANNEL}"))

    def events_after(self, after_id: int, limit: int = 500) -> list[Event]:
        rows = self.conn.execute(
            select(T.events).where(T.events.c.id > after_id).order_by(T.events.c.id).limit(limit)
        )
        return [_event(r) for r in rows]

    def events_between(self, start: datetime, end: datetime) -> list[Event]:
        rows = self.conn.execute(
            select(T.events).where(and_(T.events.c.at >= start, T.events.c.at < end)).order_by(T.events.c.id)
        )
        return [_event(r) for r in rows]

    def last_event_id(self) -> int:
        return int(self.conn.execute(select(func.max(T.events.c.id))).scalar() or 0)

    # -- users
    def get_user(self, username: str) -> UserRecord | None:
        row = self.conn.execute(select(T.users).where(T.users.c.username == username)).first()
        return _user(row) if row else None

    def list_users(self) -> list[UserRecord]:
        return [_user(r) for r in self.conn.execute(select(T.users).order_by(T.users.c.username))]

    def save_user(self, u: UserRecord) -> None:
        values = dict(full_name=u.full_name, role=u.role, pin_hash=u.pin_hash, disabled=u.disabled,
                      failed_attempts=u.failed_attempts, locked_until=u.locked_until)
        ins = self._upsert()
        self.conn.execute(
            ins(T.users).values(username=u.username, **values).on_conflict_do_update(
                index_elements=[T.users.c.username], set_=values
            )
        )


class SqlStore:
    """The QueueStore over SQLAlchemy. ``auto_upgrade`` migrates an SQLite file on first use."""

    def __init__(self, url: str, auto_upgrade: bool | None = None, pool_size: int = 5):
        self.url = normalise_url(url)
        self.dialect = make_url(self.url).get_backend_name() if "://" in self.url else "?"
        self._write = _make_engine(self.url, immediate=True, pool_size=pool_size)
        self._read = _make_engine(self.url, immediate=False, pool_size=pool_size) if self.dialect == "sqlite" else self._write
        if auto_upgrade is None:
            auto_upgrade = self.dialect == "sqlite"
        self._auto_upgrade = auto_upgrade
        self._checked = False
        self._known_day: date | None = None
        self._known_counters: frozenset = frozenset()

    def describe(self) -> str:
        return redact(self.url)

    def ensure_schema(self) -> None:
        if self._checked:
            return
        try:
            rev = current_revision(self._read)
        except (OperationalError, DBAPIError) as e:
            raise _unavailable(self.url, e) from None
        if rev != HEAD_REVISION:
            if self._auto_upgrade:
                upgrade(self.url)
            elif rev is None:
                raise SchemaMissing(f"the database {self.describe()} has no Antrian MPP tables: run `mpp db upgrade`")
            else:
                raise SchemaMissing(
                    f"the database {self.describe()} is at schema {rev}, this program needs {HEAD_REVISION}: "
                    "run `mpp db upgrade`"
                )
        self._checked = True

    @contextmanager
    def _tx(self, engine: Engine, write: bool) -> Iterator[SqlTx]:
        self.ensure_schema()
        try:
            with engine.connect() as conn:
                tx = SqlTx(conn, self.dialect, self._known_day, self._known_counters)
                with conn.begin():
                    yield tx
                    if write:
                        tx.before_commit()
                if write:  # committed: remember what is now known to be in the database
                    self._known_day = tx.known_day
                    self._known_counters = frozenset(tx.known_counters)
        except (OperationalError, DBAPIError) as e:
            if isinstance(e, DBAPIError) and not isinstance(e, OperationalError) and not _is_connection_error(e):
                raise
            raise _unavailable(self.url, e) from None

    def transaction(self):
        return self._tx(self._write, True)

    def read(self):
        return self._tx(self._read, False)

    def raw_engine(self) -> Engine:
        return self._write

    def dispose(self) -> None:
        self._write.dispose()
        if self._read is not self._write:
            self._read.dispose()


def _is_connection_error(e: DBAPIError) -> bool:
    return bool(getattr(e, "connection_invalidated", False)) or "connection" in str(e).lower()
