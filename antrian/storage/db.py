"""Engines, migrations and the QueueStore over SQL (its transactions: antrian.storage.sql_tx).

SQLite: WAL journal, foreign keys, busy timeout, and writes inside BEGIN IMMEDIATE (the driver's
own transaction handling is switched off and SQLAlchemy's "begin" event emits the BEGIN).
PostgreSQL: psycopg 3; a write transaction's events are written just before its commit, under a
shared advisory lock keyed by the event sequence that lets readers of the event feed tell which
event ids are final (antrian.storage.sql_tx); after a commit that wrote events, one NOTIFY
mpp_events in a transaction of its own wakes the displays (sql_text.WAKE). Call next, finish,
finish + call next and issue run as one server-side function each (migration
0007_server_functions, ``call_at_server``/``issue_at_server``) in two round trips, the plain
steps for every other case.
"""

from __future__ import annotations

import logging
import re
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

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
from antrian.services.ports import Clock, ServerCall, ServerCalled, ServerIssue, ServerIssued, SystemClock
from antrian.storage.sql_raw import TICKET_COLS, Raw, Sql, ticket_from
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
from antrian.storage.raw_tx import pick_shard
from antrian.storage.sql_text import COMMIT_AND_WAKE, EVENT_CHANNEL, WAKE, shard_keys
from antrian.storage.sql_tx import SqlTx

__all__ = ["CONNECT_TIMEOUT_S", "EVENT_CHANNEL", "HEAD_REVISION", "IDLE_IN_TX_TIMEOUT_MS", "MAX_OVERFLOW", "POOL_SIZE",
           "SQLITE_BUSY_TIMEOUT_MS", "STATEMENT_TIMEOUT_MS", "TX_DEADLINE_S", "ServerClock", "SqlStore", "SqlTx",
           "current_revision", "normalise_url", "pg_connect_args", "redact", "upgrade"]

if TYPE_CHECKING:
    from alembic.config import Config

    from antrian.services.ports import QueueStore, QueueTx, ServerCalls

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

    # PostgreSQL: call next as one server-side function (call_at_server); False: the plain path
    # only (the tests that compare both)
    server_calls = True

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
        with self._errors_mapped():
            with engine.connect() as conn:
                with _Deadline(_socket_fd(conn) if self.dialect == "postgresql" else None):
                    tx = SqlTx(conn, self.dialect, self._known_day, self._known_counters)
                    with conn.begin():
                        yield tx
                        if write:
                            tx.before_commit()
                    if tx.wrote_events:
                        _wake(conn)
                if write:  # committed: remember what is now known to be in the database
                    self._known_day = tx.known_day
                    self._known_counters = frozenset(tx.known_counters)

    @contextmanager
    def _errors_mapped(self) -> Iterator[None]:
        """The database's errors as the use cases know them: busy, offline, a conflict to retry."""
        try:
            yield
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

    @property
    def at_server(self) -> bool:
        """Whether call_at_server and issue_at_server can run here at all (PostgreSQL, not off):
        the use cases skip preparing a request otherwise."""
        return self.dialect == "postgresql" and self.server_calls

    def call_at_server(self, req: ServerCall) -> ServerCalled | None:
        """PostgreSQL: call next (after a finish if ``req.finish``; or the finish alone) in one
        statement, the function mpp_call_next (migration 0007_server_functions): two round trips
        in all (``_at_server``: the call, then the COMMIT) instead of eight (issue 11). None,
        with nothing changed, for anything but the plain case (the function's outcome, or a day
        this store has not seen committed yet: the rollover is the plain path's) and on SQLite."""
        if not self.at_server or self._known_day != req.day:
            return None
        row = self._at_server(_SERVER_CALL, lambda raw: {
            "counter": req.counter, "services": list(req.services), "officer": req.officer,
            "at": raw.ts(req.at), "iso": req.day.isoformat(), "ratio": req.ratio,
            "overdue": raw.ts(req.overdue_before), "finish": req.finish, "call": req.call,
            "shard": pick_shard()})
        if row is None:
            return None
        n = len(_TICKET_COLS)
        closed = ticket_from(row[1:1 + n]) if row[1] is not None else None
        called = ticket_from(row[1 + n:]) if row[1 + n] is not None else None
        return ServerCalled(closed=closed, called=called)

    def issue_at_server(self, req: ServerIssue) -> ServerIssued | None:
        """PostgreSQL: issue in one statement, the function mpp_issue (migration
        0007_server_functions); None as for call_at_server."""
        if not self.at_server or self._known_day != req.day:
            return None
        wait = f"waitp:{req.service}" if req.priority is not None else f"wait:{req.service}"
        keys = [k for key in (wait, f"done_n:{req.service}", f"done_s:{req.service}") for k in shard_keys(key)]
        row = self._at_server(_SERVER_ISSUE, lambda raw: {
            "iso": req.day.isoformat(), "service": req.service, "agency": req.agency, "prefix": req.prefix,
            "priority": req.priority, "at": raw.ts(req.at), "quota": req.quota,
            "num_pre": req.number_parts[0], "num_width": req.number_parts[1], "num_post": req.number_parts[2],
            "tok_pre": req.token_parts[0], "tok_width": req.token_parts[1], "tok_post": req.token_parts[2],
            "keys": keys, "counters": list(req.counters), "minutes": float(req.service_minutes),
            "officer": req.officer})
        if row is None:
            return None
        return ServerIssued(ticket_id=row[1], seq=row[2], number=row[3], token=row[4], ahead=row[5],
                            eta_minutes=row[6])

    def _at_server(self, sql: Sql, params: Callable[[Raw], dict[str, Any]]) -> tuple[Any, ...] | None:
        """One server-side function in a transaction of its own, in two round trips: BEGIN and
        the call in one batch, then, its outcome (the first column) 'ok', COMMIT and the
        displays' wake-up in another (sql_text.COMMIT_AND_WAKE). So the station commits only once
        it has the answer, as on the plain path: a call whose answer never arrives (a network
        that drops it, a server that stalls: the watchdog drops the connection) is rolled back,
        never committed behind the back of a station that reported nothing changed. The row if
        'ok', else None, rolled back (the function returned before writing, or raised MPP01)."""
        self.ensure_schema()
        with self._errors_mapped():
            with self._write.connect() as conn:
                raw = Raw(conn, pg=True)
                dbapi = conn.connection.dbapi_connection
                assert dbapi is not None
                with _Deadline(_socket_fd(conn)):
                    dbapi.autocommit = True  # the batches say BEGIN and COMMIT themselves
                    try:
                        try:
                            row: tuple[Any, ...] | None = raw.batch(sql, params(raw)).fetchone()
                        except DBAPIError as e:
                            _rollback(dbapi)
                            if _sqlstate(e) != _PLAIN_PATH:
                                raise
                            row = None
                        if row is not None and row[0] == "ok":
                            raw.batch(COMMIT_AND_WAKE)
                        else:
                            _rollback(dbapi)
                    finally:
                        try:
                            dbapi.autocommit = False
                        except Exception:  # never back to the pool in autocommit
                            conn.invalidate()
        if row is None or row[0] != "ok":
            log.debug("at the server: %s, the plain path", row[0] if row else "a step did not apply")
            return None
        return row

    def read(self) -> AbstractContextManager[SqlTx]:
        return self._tx(self._read, False)

    def raw_engine(self) -> Engine:
        return self._write

    def dispose(self) -> None:
        self._write.dispose()
        if self._read is not self._write:
            self._read.dispose()


_TICKET_COLS = [c.strip() for c in TICKET_COLS.split(",")]
# the function's answer: its outcome, then the closed and the called ticket as TICKET_COLS (flat)
_SERVER_CALL = Sql(
    "SELECT 1",  # PostgreSQL only
    pg="BEGIN; SELECT * FROM mpp_call_next(CAST(:counter AS text), CAST(:services AS text[]), CAST(:officer AS text), "
         "CAST(:at AS timestamp), CAST(:iso AS text), CAST(:ratio AS integer), CAST(:overdue AS timestamp), "
         "CAST(:finish AS boolean), CAST(:call AS boolean), CAST(:shard AS integer)) AS f")
_SERVER_ISSUE = Sql(
    "SELECT 1",  # PostgreSQL only
    pg="BEGIN; SELECT outcome, o_id, o_seq, o_number, o_token, o_ahead, o_eta FROM mpp_issue("
       "CAST(:iso AS text), CAST(:service AS text), CAST(:agency AS text), CAST(:prefix AS text), "
       "CAST(:priority AS text), CAST(:at AS timestamp), CAST(:quota AS integer), CAST(:num_pre AS text), "
       "CAST(:num_width AS integer), CAST(:num_post AS text), CAST(:tok_pre AS text), CAST(:tok_width AS integer), "
       "CAST(:tok_post AS text), CAST(:keys AS text[]), CAST(:counters AS text[]), CAST(:minutes AS float8), "
       "CAST(:officer AS text))")
# the functions' "a step did not apply after a write": rolled back, the plain path decides
_PLAIN_PATH = "MPP01"



def _rollback(dbapi: Any) -> None:
    """End a server-side function's transaction (its connection may be gone: then the pool
    drops it)."""
    try:
        dbapi.rollback()
    except Exception as e:
        log.debug("rollback after a server-side function: %s", e)


def _wake(conn: Connection) -> None:
    """PostgreSQL, after a commit that wrote events: the displays' wake-up (sql_text.WAKE), in
    autocommit on the same connection. The events are committed already: a failure here is
    logged and never raised (a display then finds them at its next poll)."""
    dbapi = conn.connection.dbapi_connection
    try:
        assert dbapi is not None
        dbapi.autocommit = True
        try:
            Raw(conn, pg=True).run(WAKE)
        finally:
            dbapi.autocommit = False
    except Exception as e:
        log.warning("the displays' wake-up was not sent (they poll): %s", e)
        conn.invalidate()  # whatever state it is in, not back to the pool


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

    def _implements_the_ports(tx: SqlTx, store: SqlStore) -> tuple[QueueTx, QueueStore, ServerCalls]:
        return tx, store, store
