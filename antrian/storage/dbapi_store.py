"""The queue store of `mpp issue` without SQLAlchemy: one transaction over a plain driver
connection (sqlite3 or psycopg), for a process that issues one ticket and exits (issue 11: the
SQLAlchemy and alembic imports were most of the command's time).

It runs the same statements with the same logic as ``SqlTx``: the rollover, numbering, counts
and lookups are RawQueueTx's (antrian.storage.raw_tx), the texts antrian.storage.sql_text's. The
event writes and the count upserts too (tests/integration/test_issue_paths.py compares the rows,
counts and events both paths write on SQLite and PostgreSQL).

Anything but the plain case goes to the full store: ``NeedsFullPath`` is raised before any
write when the URL is not a plain file or server URL, or the schema is not at HEAD_REVISION
(the full store upgrades an SQLite file or says what to run, in its words). Driver errors give
the same one line as the full store: busy, unavailable, a conflict to retry."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote

from antrian.domain.errors import StoreConflict, StoreUnavailable
from antrian.paths import secure_file
from antrian.services.ports import Clock, SystemClock
from antrian.storage.raw_tx import RawQueueTx
from antrian.storage.sql_raw import Raw, Sql
from antrian.storage.sql_text import _REVISION, WAKE
from antrian.storage.store_common import (
    HEAD_REVISION,
    SQLITE_BUSY_TIMEOUT_MS,
    ServerClock,
    _Deadline,
    conflict,
    pg_connect_args,
    set_wal,
    redact,
    sqlite_busy,
    unavailable,
)

_CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})

log = logging.getLogger(__name__)


class NeedsFullPath(Exception):
    """Not a case for this store: use antrian.storage.db.SqlStore (nothing was written)."""


class DbapiRaw(Raw):
    """Raw over a plain driver connection: no SQLAlchemy, driver errors as they are."""

    def __init__(self, dbapi_conn: Any, pg: bool):
        self.dbapi_conn = dbapi_conn
        self.pg = pg
        self._cur = None
        self.statements = 0

    def cursor(self) -> Any:
        if self._cur is None:
            self._cur = self.dbapi_conn.cursor()
        return self._cur

    def run(self, sql: Sql, params: dict[str, Any] | None = None) -> Any:
        if self.before_run is not None:
            hook, self.before_run = self.before_run, None
            hook()
        self.statements += 1
        cur = self.cursor()
        cur.execute(sql.pg if self.pg else sql.sqlite, params or {})
        return cur


class DbapiTx(RawQueueTx):
    """The issue path's part of QueueTx (what Issuing.issue and ServerClock use)."""

    def __init__(self, raw: DbapiRaw, pg: bool):
        self._init_raw(raw, pg, None)



def _sqlite_path(url: str) -> str | None:
    """The file of a plain ``sqlite:///path`` URL (None: not one, e.g. in memory or with options)."""
    if not url.startswith("sqlite:///") or "?" in url:
        return None
    db = url[len("sqlite:///"):]
    return db if db and db != ":memory:" else None


class DbapiStore:
    """One connection, opened at the first transaction, for one short command."""

    def __init__(self, url: str):
        if url.startswith("postgres://") or url.startswith("postgresql://"):
            self.dialect = "postgresql"
            self._conninfo = "postgresql://" + url.split("://", 1)[1]
            self.url = "postgresql+psycopg://" + url.split("://", 1)[1]  # as SqlStore names it
        elif url.startswith("postgresql+psycopg://"):
            self.dialect = "postgresql"
            self._conninfo = "postgresql://" + url.split("://", 1)[1]
            self.url = url
        else:
            path = _sqlite_path(url)
            if path is None:
                raise NeedsFullPath(url)
            self.dialect = "sqlite"
            self._path = Path(unquote(path)).expanduser()
            self.url = url
        self._conn: Any = None
        self._checked = False

    def describe(self) -> str:
        return redact(self.url)

    def default_clock(self) -> Clock:
        return ServerClock(self) if self.dialect == "postgresql" else SystemClock()

    # -- the connection
    def _connect(self) -> Any:
        if self._conn is not None:
            return self._conn
        conn: Any
        if self.dialect == "sqlite":
            import sqlite3

            if not self._path.resolve().parent.is_dir() or not self._path.exists():
                raise NeedsFullPath(self.url)  # the full store says so, or creates and migrates it
            secure_file(self._path)
            try:
                conn = sqlite3.connect(str(self._path), timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                                       check_same_thread=False)
                conn.isolation_level = None  # we emit BEGIN ourselves
                set_wal(conn.cursor())
                for pragma in ("PRAGMA foreign_keys=ON", f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                               "PRAGMA synchronous=FULL"):
                    conn.execute(pragma)
            except sqlite3.Error as e:
                mapped = self._mapped(e)
                if mapped is e:  # not busy, not unreachable (a damaged file ...): the full store's words
                    raise NeedsFullPath(self.url) from None
                raise mapped from None
        else:
            try:
                import psycopg
            except ImportError:
                raise NeedsFullPath(self.url) from None
            try:
                conn = psycopg.connect(self._conninfo, **pg_connect_args())
            except psycopg.Error as e:
                raise self._mapped(e) from None
        self._conn = conn
        return conn

    def ensure_schema(self) -> None:
        if self._checked:
            return
        conn = self._connect()
        pg = self.dialect == "postgresql"
        try:
            cur = conn.cursor()
            cur.execute(_REVISION.pg if pg else _REVISION.sqlite)
            row = cur.fetchone()
            if pg:
                conn.rollback()
        except Exception as e:
            if not self._is_driver_error(e):
                raise
            if pg:
                conn.rollback()
            raise NeedsFullPath(self.url) from None  # no schema: the full store's words
        if not row or row[0] != HEAD_REVISION:
            raise NeedsFullPath(self.url)
        self._checked = True

    def _is_driver_error(self, e: Exception) -> bool:
        if self.dialect == "sqlite":
            import sqlite3

            return isinstance(e, sqlite3.Error)
        import psycopg

        return isinstance(e, psycopg.Error)

    def _mapped(self, e: Exception) -> Exception:
        """A driver error as SqlStore._tx reports it."""
        if self.dialect == "sqlite":
            import sqlite3

            if isinstance(e, sqlite3.OperationalError) and "locked" in str(e).lower():
                return sqlite_busy(self.describe(), SQLITE_BUSY_TIMEOUT_MS)
            if isinstance(e, sqlite3.OperationalError):
                return unavailable(self.url, e)
            return e
        import psycopg

        state = getattr(e, "sqlstate", None)
        if state in _CONFLICT_SQLSTATES:
            return conflict(state)
        if isinstance(e, psycopg.OperationalError) or "connection" in str(e).lower():
            return unavailable(self.url, e)
        return e

    @contextmanager
    def _tx(self, write: bool) -> Iterator[DbapiTx]:
        self.ensure_schema()
        conn = self._connect()
        pg = self.dialect == "postgresql"
        raw = DbapiRaw(conn, pg)
        try:
            fd = int(conn.pgconn.socket) if pg else None
        except Exception:
            fd = None
        try:
            with _Deadline(fd):
                try:
                    if not pg:
                        raw.run(_BEGIN_IMMEDIATE if write else _BEGIN)
                    tx = DbapiTx(raw, pg)
                    yield tx
                    if write:
                        tx.before_commit()
                    conn.commit() if pg else conn.execute("COMMIT")
                    if tx.wrote_events:
                        self._wake(conn)
                except BaseException:
                    try:
                        conn.rollback() if pg else conn.execute("ROLLBACK")
                    except Exception:
                        pass
                    raise
        except (StoreConflict, StoreUnavailable, NeedsFullPath):
            raise
        except Exception as e:
            if not self._is_driver_error(e):
                raise
            mapped = self._mapped(e)
            if mapped is e:
                raise
            raise mapped from None

    def _wake(self, conn: Any) -> None:
        """PostgreSQL, after a commit that wrote events: the displays' wake-up (sql_text.WAKE)
        in autocommit; logged, never raised (the ticket is issued; a display polls)."""
        try:
            conn.autocommit = True
            try:
                conn.execute(WAKE.pg)
            finally:
                conn.autocommit = False
        except Exception as e:
            log.warning("the displays' wake-up was not sent (they poll): %s", e)
            self.dispose()  # whatever state it is in: the next transaction connects anew

    def transaction(self) -> Any:
        return self._tx(True)

    def read(self) -> Any:
        return self._tx(False)

    def dispose(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


_BEGIN_IMMEDIATE = Sql("BEGIN IMMEDIATE")
_BEGIN = Sql("BEGIN")
