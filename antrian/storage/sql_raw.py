"""Hand-written SQL on the DBAPI cursor for the write hot paths (issue, call next, finish ...).

SQLAlchemy Core spends most of a short transaction building statements and their cache keys
(issue 11: 73 % of a call); the write paths instead run fixed SQL text on the driver's cursor
of the SQLAlchemy connection, inside the same transaction. This module is the small layer that
makes that safe:

- one SQL text per statement, written with ``:name`` parameters, converted once to the
  driver's style (sqlite3 takes ``:name``; psycopg ``%(name)s``);
- the column values exactly as the SQLAlchemy types store them (``UTCDateTime``: naive UTC;
  on SQLite the text form ``YYYY-MM-DD HH:MM:SS.ffffff`` and dates as ``YYYY-MM-DD``), so rows
  written here and rows written by Core compare and sort the same;
- listeners of SQLAlchemy's ``before_cursor_execute`` still see every statement;
- driver errors go through SQLAlchemy's own handler, so they arrive as the usual
  ``sqlalchemy.exc`` errors (the store maps them to offline / conflict) and a dropped
  connection is invalidated in the pool.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Sequence

from antrian.domain.model import CounterState, CounterStatus, Status, Ticket

if TYPE_CHECKING:  # no SQLAlchemy at run time: the DBAPI-only issue path uses this module too
    from sqlalchemy.engine import Connection

_NAMED = re.compile(r"(?<![:\w]):(\w+)")

# the tickets columns in the order TICKET_COLS lists them (the decoder below relies on it)
TICKET_COLS = ("id, service_day, prefix, seq, number, service_code, agency_code, priority, status, issued_at, "
               "arrival_at, token, counter_code, officer, target_counter, called_at, started_at, finished_at, "
               "recall_count, transferred_from")
COUNTER_COLS = "code, status, officer, current_ticket_id, priority_streak, pause_reason, updated_at"


class Sql:
    """One statement's text for both drivers."""

    __slots__ = ("sqlite", "pg")

    def __init__(self, text: str, pg: str | None = None):
        self.sqlite = text
        self.pg = _NAMED.sub(r"%(\1)s", (pg or text).replace("%", "%%"))


class Raw:
    """The DBAPI cursor of one SQLAlchemy connection, for one transaction.

    ``before_run``: called once, before the next statement runs (then cleared); RawQueueTx
    sets it to run the service day's pin that no statement of its own carried."""

    before_run: Any = None

    def __init__(self, conn: Connection, pg: bool):
        self.conn = conn
        self.pg = pg
        self._cur: Any = None
        self.statements = 0  # run so far (SqlTx: a value read is still current if none ran since)

    def cursor(self) -> Any:
        if self._cur is None:
            self._cur = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        return self._cur

    def run(self, sql: Sql, params: dict[str, Any] | None = None) -> Any:
        if self.before_run is not None:
            hook, self.before_run = self.before_run, None
            hook()
        text = sql.pg if self.pg else sql.sqlite
        self.statements += 1
        try:
            cur = self.cursor()
            conn = self.conn
            if conn.dispatch.before_cursor_execute:  # statement listeners (tests, tracing)
                conn.dispatch.before_cursor_execute(conn, cur, text, params or {}, None, False)
            cur.execute(text, params or {})
            return cur
        except Exception as e:
            if not isinstance(e, self.conn.dialect.loaded_dbapi.Error):
                raise
            # wraps (and, for a lost connection, invalidates) as a Core statement would
            self.conn._handle_dbapi_exception(e, text, params, self._cur, None)

    def batch(self, sql: Sql, params: dict[str, Any] | None = None) -> Any:
        """PostgreSQL: the statements of ``sql`` (separated by semicolons) in one round trip,
        with psycopg's ClientCursor (the parameters bound on the client, the simple query
        protocol); the cursor is left on the last statement's result."""
        import psycopg

        text = sql.pg
        self.statements += 1
        try:
            cur = psycopg.ClientCursor(self.conn.connection.dbapi_connection)  # type: ignore[call-overload]
            conn = self.conn
            if conn.dispatch.before_cursor_execute:
                conn.dispatch.before_cursor_execute(conn, cur, text, params or {}, None, False)
            cur.execute(text, params or {})
            while cur.nextset():
                pass
            return cur
        except Exception as e:
            if not isinstance(e, self.conn.dialect.loaded_dbapi.Error):
                raise
            self.conn._handle_dbapi_exception(e, text, params, None, None)

    def one(self, sql: Sql, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.run(sql, params).fetchone()
        return row

    def rowcount(self, sql: Sql, params: dict[str, Any] | None = None) -> int:
        return int(self.run(sql, params).rowcount)

    # -- values as the SQLAlchemy column types store them
    def ts(self, value: datetime | None) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        naive = value.astimezone(timezone.utc).replace(tzinfo=None)
        return naive if self.pg else naive.strftime("%Y-%m-%d %H:%M:%S.%f")

    def day(self, value: date) -> Any:
        return value if self.pg else value.isoformat()


def _ts(v: Any) -> datetime | None:
    if v is None:
        return None
    if isinstance(v, str):
        v = datetime.fromisoformat(v)
    result: datetime = v.replace(tzinfo=timezone.utc)
    return result


def _day(v: Any) -> date:
    return date.fromisoformat(v) if isinstance(v, str) else v


def ticket_from(r: Sequence[Any]) -> Ticket:
    """A Ticket from a row selected as TICKET_COLS."""
    return Ticket(
        id=r[0], service_day=_day(r[1]), prefix=r[2], seq=r[3], number=r[4], service_code=r[5],
        agency_code=r[6], priority=r[7], status=Status(r[8]), issued_at=_ts(r[9]),  # type: ignore[arg-type]
        arrival_at=_ts(r[10]), token=r[11], counter_code=r[12], officer=r[13],  # type: ignore[arg-type]
        target_counter=r[14], called_at=_ts(r[15]), started_at=_ts(r[16]), finished_at=_ts(r[17]),
        recall_count=r[18], transferred_from=r[19],
    )


def counter_from(r: Sequence[Any]) -> CounterState:
    """A CounterState from a row selected as COUNTER_COLS."""
    return CounterState(code=r[0], status=CounterStatus(r[1]), officer=r[2], current_ticket_id=r[3],
                        priority_streak=r[4], pause_reason=r[5], updated_at=_ts(r[6]))
