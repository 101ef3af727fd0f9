"""Shared set-up for the kiosk window tests: a store that can go away or be slow, and a factory
that builds a ``KioskWindow`` on a real SQLite queue with a ``FakeTicketPrinter`` and the
Indonesian translations installed."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from antrian.domain.errors import StoreUnavailable


class Gate:
    """Holds a background step until the test opens it: "slow" without a sleep or a stopwatch.
    ``entered`` is set once a worker is waiting at the gate. A gate left shut fails the worker
    after ``timeout`` seconds instead of hanging the suite."""

    def __init__(self, timeout: float = 20.0):
        self._open = threading.Event()
        self.entered = threading.Event()
        self.timeout = timeout

    def open(self) -> None:
        self._open.set()

    def wait(self) -> None:
        self.entered.set()
        if not self._open.wait(self.timeout):
            raise AssertionError("a background step waited at a gate the test never opened")


def flush(qtbot, runner, timeout: int = 5000) -> None:
    """Wait until every job submitted to the serial ``runner`` so far is done and its callback
    delivered (a no-op job queued behind them reports back): "nothing else happens" is then
    checked against a drained queue, not after a sleep."""
    done = []
    runner.submit(lambda: None, lambda _v: done.append(True), lambda _e: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=timeout)


class FakeMonotonic:
    """A stopwatch the test moves by hand (``KioskWindow(monotonic=...)``)."""

    def __init__(self, start: float = 1000.0):
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class FlakyStore:
    """Wraps a real store: ``down = True`` makes every transaction fail like a lost database
    server; ``delay`` makes each one slow; a ``gate`` holds each one until the test opens it."""

    def __init__(self, inner):
        self.inner = inner
        self.down = False
        self.delay = 0.0
        self.gate: Gate | None = None
        self.url = getattr(inner, "url", "")

    def describe(self) -> str:
        return "flaky " + self.inner.describe()

    def _gate(self) -> None:
        if self.gate is not None:
            self.gate.wait()
        if self.delay:
            time.sleep(self.delay)
        if self.down:
            raise StoreUnavailable("cannot use the database: connection refused (test)")

    @contextmanager
    def transaction(self):
        self._gate()
        with self.inner.transaction() as tx:
            yield tx

    @contextmanager
    def read(self):
        self._gate()
        with self.inner.read() as tx:
            yield tx

    def dispose(self) -> None:
        self.inner.dispose()


def tap(widget) -> None:
    """A finger tap: press and release on the widget's centre."""
    QTest.mouseClick(widget, Qt.LeftButton, Qt.NoModifier, widget.rect().center())


def count_tickets(queue) -> int:
    return sum(s.issued_today for s in queue.status().services)


def make_kiosk(qtbot, qapp, queue, printer, settings=None, size=(1920, 1080), translations=True, **kw):
    from antrian.config import KioskSettings
    from qtshared.common import Translations
    from kiosk.window import KioskWindow

    tr = Translations(qapp) if translations else None
    kw.setdefault("poll_ms", 200)
    kw.setdefault("windowed", True)
    kw.setdefault("tap_guard_ms", 0)  # tests tap faster than a person; one test checks the guard
    w = KioskWindow(queue, printer, settings or KioskSettings(), clock=queue.clock, translations=tr, **kw)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.online is not None, timeout=5000)
    return w


def close_kiosk(w, qapp=None) -> None:
    w.shutdown(wait=True)
    if w.translations is not None:
        w.translations.set_language("en")  # leave no translator installed for the next test
