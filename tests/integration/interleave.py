"""Forcing an interleaving of two stations on two database connections (not a test module).

``Paused(store, after=..., between=...)`` wraps station A's store: inside A's transaction, right
after the transaction method ``after`` returns (its ``nth`` call), ``between()`` runs station B's
actions on B's own store (its own connection) in a thread, and A waits until B has finished or
is blocked by a lock A holds:

- PostgreSQL: B's backend shows ``wait_event_type = 'Lock'`` in pg_stat_activity;
- SQLite: B has entered its write transaction (BEGIN IMMEDIATE cannot pass A's).

Then A goes on and commits (or fails), B finishes, and the test checks what both left behind.
So "A reads, B commits, A writes" happens for certain, not by luck of timing.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, Callable

from sqlalchemy import create_engine, text

from antrian.storage.db import SqlStore, normalise_url


class _Tx:
    def __init__(self, tx: Any, hook: Callable[[str], None], before: bool = False):
        self._tx = tx
        self._hook = hook
        self._before = before

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._tx, name)
        if not callable(real):
            return real

        def call(*a: Any, **kw: Any) -> Any:
            if self._before:
                self._hook(name)
            out = real(*a, **kw)
            if not self._before:
                self._hook(name)
            return out

        return call


class Entered:
    """A store that notes when a transaction is entered (B's side, for SQLite)."""

    def __init__(self, store: SqlStore):
        self.store = store
        self.entered = threading.Event()

    def transaction(self):
        self.entered.set()
        return self.store.transaction()

    def read(self):
        return self.store.read()

    def describe(self) -> str:
        return self.store.describe()


class Paused:
    def __init__(self, store: SqlStore, url: str, after: str, between: Callable[[], Any], nth: int = 1,
                 b_store: Entered | None = None, timeout: float = 60.0, before: bool = False):
        self.before = before
        self.store = store
        self.url = url
        self.after = after
        self.between = between
        self.nth = nth
        self.b_store = b_store
        self.timeout = timeout
        self.calls = 0
        self.thread: threading.Thread | None = None
        self.b_result: Any = None
        self.b_error: BaseException | None = None
        self.b_was_blocked = False

    def describe(self) -> str:
        return self.store.describe()

    def read(self):
        return self.store.read()

    @contextmanager
    def transaction(self):
        with self.store.transaction() as tx:
            yield _Tx(tx, self._hook, self.before)

    def _run_b(self) -> None:
        try:
            self.b_result = self.between()
        except BaseException as e:  # noqa: BLE001 - reported to the test
            self.b_error = e

    def _hook(self, name: str) -> None:
        if name != self.after or self.thread is not None:
            return
        self.calls += 1
        if self.calls < self.nth:
            return
        self.thread = threading.Thread(target=self._run_b, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + self.timeout
        while self.thread.is_alive():
            if self._b_blocked():
                self.b_was_blocked = True
                return
            if time.monotonic() > deadline:
                raise AssertionError("station B neither finished nor blocked")
            self.thread.join(0.02)

    def _b_blocked(self) -> bool:
        if self.url.startswith("sqlite"):
            return self.b_store is not None and self.b_store.entered.is_set()
        engine = create_engine(normalise_url(self.url), poolclass=None)
        try:
            with engine.connect() as conn:
                n = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )).scalar()
            return bool(n)
        finally:
            engine.dispose()

    def finish_b(self) -> None:
        """Wait for B (after A's use case returned or failed)."""
        if self.thread is not None:
            self.thread.join(self.timeout)
            assert not self.thread.is_alive(), "station B did not finish"


def problems(url: str, hall, day) -> list[str]:
    """What is inconsistent in the stored rows of ``day``: count drift (see the doctor), a
    ticket at a counter its counter does not hold, a counter holding a ticket not at it."""
    from antrian.domain.model import AT_COUNTER
    from antrian.services.maintenance import find_drift

    s = SqlStore(url)
    try:
        with s.read() as tx:
            out = [str(d) for d in find_drift(tx, hall, day)]
            held = {st.current_ticket_id: st.code for st in tx.counter_states() if st.current_ticket_id}
            for t in tx.open_tickets(day):
                if t.status in AT_COUNTER and held.get(t.id) != t.counter_code:
                    out.append(f"{t.number} is {t.status.value} at {t.counter_code}, which does not hold it")
        return out
    finally:
        s.dispose()
