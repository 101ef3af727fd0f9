"""What the SQL store and the SQLAlchemy-free issue path (antrian.storage.dbapi_store) share,
importing no SQLAlchemy: the schema revision this program needs, the bounded waits, the libpq
connection arguments, the messages of an unavailable or busy database, the hall's clock on
PostgreSQL and the client-side deadline of a transaction."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from antrian.domain.errors import StoreConflict, StoreUnavailable

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import Protocol

    from antrian.services.ports import QueueTx

    class _Readable(Protocol):
        def read(self) -> AbstractContextManager[QueueTx]: ...

log = logging.getLogger("antrian.storage.db")

HEAD_REVISION = "0007_server_functions"  # the newest: 0001 -> 0002_web -> 0004_booking -> 0003_manager -> 0005_reads -> 0006_events_xid -> 0007_server_functions

# Bounded waits on PostgreSQL (seconds): a server that stops answering turns a station offline
# within TX_DEADLINE_S, and it recovers by itself once the server answers again.
CONNECT_TIMEOUT_S = 4
STATEMENT_TIMEOUT_MS = 5000
IDLE_IN_TX_TIMEOUT_MS = 10000
TX_DEADLINE_S = 8.0
# Connections per station process: the pool (POOL_SIZE + MAX_OVERFLOW) plus one LISTEN.
POOL_SIZE = 1
MAX_OVERFLOW = 1
# SQLite: how long a writer waits for another writer's lock before "busy".
SQLITE_BUSY_TIMEOUT_MS = 30000

def pg_connect_args(application_name: str = "mpp") -> dict[str, Any]:
    """libpq connection arguments for every PostgreSQL connection of a station (the pool's and
    the LISTEN one): connect timeout, server-side statement and idle-in-transaction timeouts,
    TCP keepalives."""
    return {
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": application_name,
        "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} "
                   f"-c idle_in_transaction_session_timeout={IDLE_IN_TX_TIMEOUT_MS}",
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
        "tcp_user_timeout": int(TX_DEADLINE_S * 1000),
    }


def redact(url: str) -> str:
    """The URL with its password hidden, without SQLAlchemy (antrian.storage.db.redact gives the
    same text for URLs of the forms the store accepts: tests/integration/test_issue_paths.py)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return re.sub(r"//[^@/]*@", "//***@", url)
    netloc, slash, path = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = userinfo.split(":", 1)[0] + ":***@" + host
    return f"{scheme}://{netloc}{slash}{path}"


def unavailable(url: str, exc: Exception) -> StoreUnavailable:
    reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
    return StoreUnavailable(
        f"cannot use the database {redact(url)}: {reason}. Is the server running and the URL right "
        "(--db or MPP_DB_URL)?",
        url=redact(url),
    )


def sqlite_busy(described: str, busy_timeout_ms: int) -> StoreUnavailable:
    return StoreUnavailable(
        f"the database {described} is busy: another program held it longer than "
        f"{busy_timeout_ms // 1000} s; nothing was changed, try again",
        url=described, busy=True,
    )


def conflict(sqlstate: str | None) -> StoreConflict:
    """A deadlock or serialization failure the database broke (the use cases retry it)."""
    return StoreConflict(
        f"the database stopped this action to break a conflict with another station "
        f"({'deadlock' if sqlstate == '40P01' else 'serialization failure'}); nothing was "
        "changed, try again",
        sqlstate=sqlstate,
    )


def schema_message(described: str, rev: str | None) -> str:
    if rev is None:
        return f"the database {described} has no Antrian MPP tables: run `mpp db upgrade`"
    return (f"the database {described} is at schema {rev}, this program needs {HEAD_REVISION}: "
            "run `mpp db upgrade`")


class ServerClock:
    """The hall's one clock on PostgreSQL: the database server's statement_timestamp(). The
    station's own clock only paints its screen (QueueService.clock_skew warns when it is off)."""

    REFRESH_SECONDS = 60.0

    def __init__(self, store: _Readable):
        self.store = store
        self._offset: timedelta | None = None  # server time minus this PC's time
        self._fetched_at = 0.0

    def now(self) -> datetime:
        """This PC's time corrected by the server's offset. Never raises. The offset is fetched
        once at first use, then refreshed at most every REFRESH_SECONDS and only off the main
        thread (the GUI thread of a window never waits for the database to paint its clock);
        while the database is away the last known offset is used. The service day itself is
        pinned inside each write transaction from the server's statement_timestamp()."""
        stale = time.monotonic() - self._fetched_at > self.REFRESH_SECONDS
        if self._offset is None or (stale and threading.current_thread() is not threading.main_thread()):
            self._refresh()
        local = datetime.now(timezone.utc)
        return local + self._offset if self._offset is not None else local

    def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            with self.store.read() as tx:
                server = tx.server_now()
        except Exception as e:  # the database is away: keep the last offset
            log.debug("server clock: %s", e)
            return
        if server is not None:
            self._offset = server - datetime.now(timezone.utc)


class _Watchdog:
    """One thread per process that shuts down the sockets of transactions past their deadline
    (issue 11: a threading.Timer per transaction cost a thread start on every call, 0.1-2 ms).
    Registering is a dict insert under a lock, with no wake-up: the thread sleeps until the
    earliest deadline or at most POLL_S, and a deadline registered meanwhile lies TX_DEADLINE_S
    (> POLL_S) ahead, so it is seen before it falls due."""

    POLL_S = 1.0

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[float, int]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None

    def add(self, fd: int, seconds: float) -> int:
        with self._lock:
            self._next += 1
            token = self._next
            self._entries[token] = (time.monotonic() + seconds, fd)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mpp-tx-deadline", daemon=True)
                self._thread.start()
        return token

    def remove(self, token: int) -> None:
        with self._lock:
            self._entries.pop(token, None)

    def _run(self) -> None:
        while True:
            now = time.monotonic()
            due: list[int] = []
            with self._lock:
                wake = now + self.POLL_S
                for token, (deadline, fd) in list(self._entries.items()):
                    if deadline <= now:
                        del self._entries[token]
                        due.append(fd)
                    else:
                        wake = min(wake, deadline)
            for fd in due:
                _shutdown_fd(fd)
            time.sleep(max(0.0, wake - time.monotonic()))


_WATCHDOG = _Watchdog()


class _Deadline:
    """A client-side bound on one PostgreSQL transaction: if it is still running after
    TX_DEADLINE_S (a server that stopped answering, which no server-side timeout can see),
    its socket is shut down, so the driver fails at once and the station goes offline."""

    def __init__(self, fd: int | None):
        self._fd = fd
        self._token: int | None = None

    def __enter__(self) -> _Deadline:
        if self._fd is not None:
            self._token = _WATCHDOG.add(self._fd, TX_DEADLINE_S)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _WATCHDOG.remove(self._token)


def _shutdown_fd(fd: int) -> None:
    log.warning("database: a transaction ran past %.0f s; dropping its connection", TX_DEADLINE_S)
    try:
        dup = os.dup(fd)
    except OSError:
        return
    try:
        s = socket.socket(fileno=dup)
    except OSError:
        os.close(dup)
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        s.close()


def set_wal(cur: Any) -> None:
    """PRAGMA journal_mode=WAL. On a new file the first connection switches the mode, which needs
    the file to itself, and SQLite answers "database is locked" at once (without its busy
    handler) to a station connecting meanwhile: retried here for up to the busy timeout, as a
    lock wait would be (several stations starting on a new file at once)."""
    import sqlite3  # (not at import time: a PostgreSQL station's `mpp issue` never needs it)

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e).lower() or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
