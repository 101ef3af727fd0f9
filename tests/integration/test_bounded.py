"""Bounded waits, the connection budget and durable commits (issue 10: defects 6, 8, 9, 15).

- a deadlock or serialization failure is retried, then reported as a conflict, not "offline";
- a PostgreSQL server that stops answering (a loopback TCP proxy that stops forwarding, written
  here) turns the station offline within 10 s, and it recovers by itself when the server answers;
- an SQLite file held locked by another program gives the busy message within the busy timeout;
- one station process uses at most 2 pooled connections (+ 1 LISTEN: 3), counted in
  pg_stat_activity by application_name;
- every SQLite connection runs synchronous=FULL."""

from __future__ import annotations

import select
import socket
import threading

import psycopg
import pytest

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from antrian.domain.errors import StoreConflict, StoreUnavailable
from antrian.services.queue import QueueService
from antrian.storage import db as dbmod
from antrian.storage import store_common
from antrian.storage.db import SqlStore, normalise_url, upgrade
from antrian.storage.sql_tx import SqlTx

# ------------------------------------------------------------------ 6: conflicts retried, then named


def _deadlock() -> OperationalError:
    return OperationalError("SELECT ...", {}, psycopg.errors.DeadlockDetected("deadlock detected"))


def test_a_deadlock_is_retried(queue, monkeypatch):
    queue.issue("ktp")
    real, failures = SqlTx.lock_counter, []

    def flaky(self, code):
        if len(failures) < 2:
            failures.append(code)
            raise _deadlock()
        return real(self, code)

    monkeypatch.setattr(SqlTx, "lock_counter", flaky)
    assert queue.call_next("7").number == "K-001"
    assert len(failures) == 2


def test_a_deadlock_that_persists_is_reported_as_a_conflict_not_offline(queue, monkeypatch):
    queue.issue("ktp")

    def always(self, code):
        raise _deadlock()

    monkeypatch.setattr(SqlTx, "lock_counter", always)
    with pytest.raises(StoreConflict, match="deadlock") as e:
        queue.call_next("7")
    assert not isinstance(e.value, StoreUnavailable)


# ------------------------------------------------------------------ 15: synchronous=FULL everywhere


def test_every_sqlite_connection_runs_synchronous_full(tmp_path):
    url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
    upgrade(url)
    store = SqlStore(url)
    try:
        engines = [store.raw_engine(), store._read]
        conns = [e.raw_connection() for e in engines for _ in range(3)]  # several pooled connections at once
        try:
            def pragma(c, name):
                cur = c.cursor()
                try:
                    cur.execute(f"PRAGMA {name}")
                    return cur.fetchone()[0]
                finally:
                    cur.close()

            assert [pragma(c, "synchronous") for c in conns] == [2] * 6  # 2 = FULL
            assert {pragma(c, "journal_mode") for c in conns} == {"wal"}
        finally:
            for c in conns:
                c.close()
    finally:
        store.dispose()


# ------------------------------------------------------------------ 8: SQLite busy within busy_timeout


def test_sqlite_long_lock_gives_the_busy_message(tmp_path, hall, clock, monkeypatch):
    monkeypatch.setattr(dbmod, "SQLITE_BUSY_TIMEOUT_MS", 300)
    url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
    upgrade(url)
    store = SqlStore(url)
    q = QueueService(hall, store, clock)
    q.issue("ktp")
    import sqlite3

    other = sqlite3.connect(str(tmp_path / "mpp.sqlite3"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(StoreUnavailable, match="busy") as e:
            q.issue("ktp")
        assert e.value.params.get("busy") is True
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert q.issue("ktp").ticket.number == "K-002"  # and it goes on once the lock is gone
    store.dispose()


# ------------------------------------------------------------------ 8: a hung PostgreSQL server


class HangingProxy:
    """A loopback TCP proxy to the PostgreSQL server; ``hang()`` makes it stop forwarding (the
    sockets stay open, as with a server that stopped answering), ``resume()`` forwards again."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.hung = threading.Event()
        self.stop = threading.Event()
        self.conns: list[socket.socket] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if not r:
                continue
            client, _ = self.sock.accept()
            up = socket.create_connection(self.upstream)
            self.conns += [client, up]
            threading.Thread(target=self._pump, args=(client, up), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        pairs = {a: b, b: a}
        try:
            while not self.stop.is_set():
                if self.hung.is_set():
                    self.stop.wait(0.05)
                    continue
                r, _, _ = select.select(list(pairs), [], [], 0.05)
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        return
                    pairs[s].sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def hang(self) -> None:
        self.hung.set()

    def resume(self) -> None:
        """Forward again; the connections opened while hung are dropped (as a server restart
        would), new ones work."""
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conns = []
        self.hung.clear()

    def close(self) -> None:
        self.stop.set()
        self.acceptor.join()
        self.sock.close()


@pytest.mark.pg
def test_a_hung_server_turns_the_station_offline_within_10_s_and_it_recovers(pg_url, hall, clock):
    upgrade(pg_url)
    u = make_url(normalise_url(pg_url))
    proxy = HangingProxy(u.host or "127.0.0.1", u.port or 5432)
    store = SqlStore(u.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    q = QueueService(hall, store, clock)
    try:
        q.issue("ktp")
        proxy.hang()
        outcome: list[BaseException | object] = []

        def act() -> None:
            try:
                outcome.append(q.issue("ktp"))
            except BaseException as e:  # noqa: BLE001
                outcome.append(e)

        worker = threading.Thread(target=act, daemon=True)
        worker.start()
        worker.join(10.0)  # the promise: offline within 10 s, not blocked forever
        assert not worker.is_alive(), "the station is still blocked after 10 s"
        assert isinstance(outcome[0], StoreUnavailable), outcome
        proxy.resume()
        for _ in range(3):  # it recovers by itself: at most a stale pooled connection fails once
            try:
                assert q.issue("ktp").ticket.number == "K-002"
                break
            except StoreUnavailable:
                continue
        else:
            pytest.fail("the station did not recover")
    finally:
        store.dispose()
        proxy.close()


# ------------------------------------------------------------------ 9: connection budget


@pytest.mark.pg
def test_one_station_process_uses_at_most_two_pooled_connections(pg_url, hall, clock):
    upgrade(pg_url)
    name = "mpp-budget-test"
    store = SqlStore(pg_url, application_name=name)
    q = QueueService(hall, store, clock)
    admin = psycopg.connect(make_url(normalise_url(pg_url)).set(drivername="postgresql")
                            .render_as_string(hide_password=False), autocommit=True)
    seen, stop, errors = [], threading.Event(), []

    def watch() -> None:
        while not stop.is_set():
            seen.append(admin.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                                      (name,)).fetchone()[0])

    def work() -> None:
        try:
            for _ in range(10):
                q.issue("ktp")
                q.status()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    workers = [threading.Thread(target=work) for _ in range(5)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    watcher.join()
    admin.close()
    store.dispose()
    assert errors == []
    assert max(seen) <= dbmod.POOL_SIZE + dbmod.MAX_OVERFLOW == 2
    assert max(seen) >= 1


def test_postgresql_connect_args_bound_every_wait():
    args = dbmod.pg_connect_args("x")
    assert args["connect_timeout"] > 0 and args["keepalives"] == 1
    assert "statement_timeout=" in args["options"] and "idle_in_transaction_session_timeout=" in args["options"]
    assert dbmod.TX_DEADLINE_S < 10




@pytest.mark.pg
def test_a_transaction_past_its_deadline_loses_its_connection_and_the_next_one_works(pg_url, monkeypatch, caplog):
    """The client-side deadline (one watchdog thread for every transaction): a statement that
    would finish well inside the server's statement timeout, but after TX_DEADLINE_S, fails as
    offline because its socket was shut down; the next transaction reconnects."""
    upgrade(pg_url)
    monkeypatch.setattr(store_common, "TX_DEADLINE_S", 0.3)
    assert dbmod.STATEMENT_TIMEOUT_MS > 3000
    store = SqlStore(pg_url)
    try:
        with store.read() as tx:  # a transaction that ends in time leaves nothing behind
            tx.conn.exec_driver_sql("SELECT 1")
            assert len(store_common._WATCHDOG._entries) == 1
        assert not store_common._WATCHDOG._entries
        with pytest.raises(StoreUnavailable):
            with store.read() as tx:
                tx.conn.exec_driver_sql("SELECT pg_sleep(3)")
        assert "ran past" in caplog.text
        with store.read() as tx:
            assert tx.conn.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        store.dispose()
