"""Engines, migrations and the QueueStore over SQL (its transactions: antrian.storage.sql_tx).

SQLite: WAL journal, foreign keys, busy timeout, and writes inside BEGIN IMMEDIATE (the driver's
own transaction handling is switched off and SQLAlchemy's "begin" event emits the BEGIN).
PostgreSQL: psycopg 3; a write transaction's events are written just before its commit, under a
shared advisory lock keyed by the event sequence that lets readers of the event feed tell which
event ids are final (antrian.storage.sql_tx), and each event sends NOTIFY mpp_events (at commit)
as a wake-up hint for displays.
"""

from __future__ import annotations

import logging
import re
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from sqlalchemy import (
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from antrian.domain.errors import SchemaMissing, StoreUnavailable
from antrian.paths import secure_file
from antrian.services.ports import Clock, SystemClock
from antrian.storage.sql_raw import Raw, Sql
from antrian.storage.store_common import (
    CONNECT_TIMEOUT_S,
    HEAD_REVISION,
    IDLE_IN_TX_TIMEOUT_MS,
    MAX_OVERFLOW,
    POOL_SIZE,
    SQLITE_BUSY_TIMEOUT_MS,
    STATEMENT_TIMEOUT_MS,
    TX_DEADLINE_S,
    ServerClock,
    _Deadline,
    conflict,
    pg_connect_args,
    set_wal,
    schema_message,
    sqlite_busy,
    unavailable,
)
from antrian.storage.sql_text import EVENT_CHANNEL
from antrian.storage.sql_tx import SqlTx

__all__ = ["CONNECT_TIMEOUT_S", "EVENT_CHANNEL", "HEAD_REVISION", "IDLE_IN_TX_TIMEOUT_MS", "MAX_OVERFLOW", "POOL_SIZE",
           "SQLITE_BUSY_TIMEOUT_MS", "STATEMENT_TIMEOUT_MS", "TX_DEADLINE_S", "ServerClock", "SqlStore", "SqlTx",
           "current_revision", "normalise_url", "pg_connect_args", "redact", "upgrade"]

if TYPE_CHECKING:
    from alembic.config import Config

    from antrian.services.ports import QueueStore, QueueTx

log = logging.getLogger(__name__)




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


_BEGIN = {"BEGIN IMMEDIATE": Sql("BEGIN IMMEDIATE"), "BEGIN": Sql("BEGIN")}

# deadlock_detected, serialization_failure: retried by the use cases, never "offline"
_CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})


def _make_engine(url: str, immediate: bool, pool_size: int = POOL_SIZE, application_name: str = "mpp") -> Engine:
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
            secure_file(Path(db).expanduser())  # issue 10 (12): created 0600, an existing one tightened
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                                  "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            set_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # FULL: a commit (a printed ticket) survives a power cut; NORMAL in WAL mode may lose
            # the last commits and issue the same number again
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # on the driver's cursor (issue 11: Core's exec_driver_sql cost more than the BEGIN);
            # statement listeners still see it, driver errors arrive wrapped as from Core
            Raw(conn, pg=False).run(_BEGIN[begin])

        return engine
    if u.get_backend_name() == "postgresql":
        try:
            return create_engine(
                url,
                pool_size=max(1, min(pool_size, 2)),
                max_overflow=MAX_OVERFLOW,
                pool_timeout=TX_DEADLINE_S,
                # no pre-ping: its SELECT 1 runs before the transaction's deadline could bound it
                # (a hung server would block the checkout forever); a dropped connection fails
                # one transaction as offline and the pool reconnects on the next
                pool_pre_ping=False,
                connect_args=pg_connect_args(application_name),
            )
        except NoSuchModuleError:
            raise StoreUnavailable("PostgreSQL driver missing: install psycopg (pip install 'psycopg[binary]')") from None
    raise StoreUnavailable(f"unsupported database '{u.get_backend_name()}': use sqlite:/// or postgresql://")


def _unavailable(url: str, exc: Exception) -> StoreUnavailable:
    return unavailable(url, exc)


# ----------------------------------------------------------------------------------- migrations


def _alembic_config(connection: Connection) -> Config:
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
            rev: str | None = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return rev
        except (OperationalError, DBAPIError):
            conn.rollback()
            return None


# ------------------------------------------------------------------------------------- the store


class SqlStore:
    """The QueueStore over SQLAlchemy. ``auto_upgrade`` migrates an SQLite file on first use."""

    def __init__(self, url: str, auto_upgrade: bool | None = None, pool_size: int = POOL_SIZE,
                 application_name: str = "mpp"):
        self.url = normalise_url(url)
        self.dialect = make_url(self.url).get_backend_name() if "://" in self.url else "?"
        self._write = _make_engine(self.url, immediate=True, pool_size=pool_size, application_name=application_name)
        self._read = _make_engine(self.url, immediate=False, pool_size=pool_size) if self.dialect == "sqlite" else self._write
        if auto_upgrade is None:
            auto_upgrade = self.dialect == "sqlite"
        self._auto_upgrade = auto_upgrade
        self._checked = False
        self._known_day: date | None = None
        self._known_counters: frozenset[str] = frozenset()

    def describe(self) -> str:
        return redact(self.url)

    def default_clock(self) -> Clock:
        return ServerClock(self) if self.dialect == "postgresql" else SystemClock()

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
            else:
                raise SchemaMissing(schema_message(self.describe(), rev))
        self._checked = True

    @contextmanager
    def _tx(self, engine: Engine, write: bool) -> Iterator[SqlTx]:
        self.ensure_schema()
        try:
            with engine.connect() as conn:
                with _Deadline(_socket_fd(conn) if self.dialect == "postgresql" else None):
                    tx = SqlTx(conn, self.dialect, self._known_day, self._known_counters)
                    with conn.begin():
                        yield tx
                        if write:
                            tx.before_commit()
                if write:  # committed: remember what is now known to be in the database
                    self._known_day = tx.known_day
                    self._known_counters = frozenset(tx.known_counters)
        except PoolTimeout:
            raise StoreUnavailable(
                f"the database {self.describe()} is busy: this station's connections stayed in use longer "
                f"than {TX_DEADLINE_S:.0f} s; nothing was changed, try again",
                url=self.describe(), busy=True,
            ) from None
        except (OperationalError, DBAPIError) as e:
            if _sqlstate(e) in _CONFLICT_SQLSTATES:
                raise conflict(_sqlstate(e)) from None
            if isinstance(e, DBAPIError) and not isinstance(e, OperationalError) and not _is_connection_error(e):
                raise
            if self.dialect == "sqlite" and "locked" in str(e).lower():
                raise sqlite_busy(self.describe(), SQLITE_BUSY_TIMEOUT_MS) from None
            raise _unavailable(self.url, e) from None

    def transaction(self) -> AbstractContextManager[SqlTx]:
        return self._tx(self._write, True)

    def read(self) -> AbstractContextManager[SqlTx]:
        return self._tx(self._read, False)

    def raw_engine(self) -> Engine:
        return self._write

    def dispose(self) -> None:
        self._write.dispose()
        if self._read is not self._write:
            self._read.dispose()


def _sqlstate(e: Exception) -> str | None:
    state = getattr(getattr(e, "orig", None), "sqlstate", None)
    return state if isinstance(state, str) else None


def _socket_fd(conn: Connection) -> int | None:
    try:
        raw = conn.connection.dbapi_connection
        fd = raw.pgconn.socket if raw is not None else None
        return int(fd) if fd is not None else None
    except Exception:
        return None


def _is_connection_error(e: DBAPIError) -> bool:
    return bool(getattr(e, "connection_invalidated", False)) or "connection" in str(e).lower()


if TYPE_CHECKING:  # mypy checks that the adapters implement every port

    def _implements_the_ports(tx: SqlTx, store: SqlStore) -> tuple[QueueTx, QueueStore]:
        return tx, store
