"""qtshared.heartbeat (every Qt station's heartbeat) and the web server's heartbeat thread: beats
are written through the runner, a failing write never raises, a slow write is not piled up."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from antrian.services.health import HealthService  # noqa: E402


class FakeTx:
    def __init__(self, store):
        self.store = store

    def write_heartbeat(self, hb):
        if self.store.fail:
            raise RuntimeError("database away")
        self.store.beats.append(hb)


class FakeHealthStore:
    def __init__(self, fail: bool = False):
        self.fail = fail
        self.beats = []

    @contextmanager
    def transaction(self):
        yield FakeTx(self)

    read = transaction


class SyncRunner:
    """Runs each job at once on the calling thread (deterministic)."""

    def __init__(self, hold: bool = False):
        self.hold = hold  # keep jobs instead of running them (a slow database)
        self.held = []

    def submit(self, fn, on_ok=None, on_err=None):
        if self.hold:
            self.held.append((fn, on_ok, on_err))
            return object()
        try:
            value = fn()
        except BaseException as exc:  # noqa: BLE001
            if on_err:
                on_err(exc)
            return object()
        if on_ok:
            on_ok(value)
        return object()


@pytest.fixture
def qapp_():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _start(store, runner, **kw):
    from PySide6.QtCore import QObject

    from qtshared.heartbeat import start_heartbeat

    parent = QObject()
    hb = start_heartbeat(parent, None, "kiosk", "kiosk-1", runner, service=HealthService(store), start=False, **kw)
    return parent, hb


def test_each_timer_tick_writes_one_beat_with_the_state_callables(qapp_):
    store = FakeHealthStore()
    parent, hb = _start(store, SyncRunner(), printer_state=lambda: "paper_near_end", last_event_id=lambda: 42)
    assert hb.timer.interval() == 5000
    for _ in range(3):
        hb.timer.timeout.emit()  # a fake timer: three ticks
    assert hb.beats == 3 and hb.failures == 0
    assert [(b.kind, b.name, b.printer_state, b.last_event_id) for b in store.beats] == \
        [("kiosk", "kiosk-1", "paper_near_end", 42)] * 3


def test_a_failing_write_never_raises(qapp_):
    store = FakeHealthStore(fail=True)
    parent, hb = _start(store, SyncRunner(), printer_state=lambda: 1 / 0)  # even a broken callable
    hb.start()
    hb.timer.timeout.emit()
    assert hb.beats == 0 and hb.failures == 2
    hb.stop()
    assert not hb.timer.isActive()


def test_a_slow_write_is_not_piled_up(qapp_):
    runner = SyncRunner(hold=True)
    parent, hb = _start(FakeHealthStore(), runner)
    for _ in range(4):
        hb.timer.timeout.emit()
    assert len(runner.held) == 1  # one in flight; the other ticks are skipped
    fn, ok, _err = runner.held.pop()
    ok(fn())
    hb.timer.timeout.emit()
    assert len(runner.held) == 1 and hb.beats == 1


def test_a_bad_name_gives_no_heartbeat_but_no_error(qapp_):
    from PySide6.QtCore import QObject

    from qtshared.heartbeat import start_heartbeat

    assert start_heartbeat(QObject(), None, "kiosk", "", SyncRunner(), service=HealthService(FakeHealthStore())) is None


def test_with_its_own_runner_the_write_is_off_the_gui_thread(qapp_, qtbot):
    store = FakeHealthStore()
    threads = []
    parent, hb = _start(store, None, last_event_id=lambda: threads.append(threading.current_thread()) or 1)
    hb.start()
    qtbot.waitUntil(lambda: hb.beats == 1, timeout=5000)
    assert threads and threads[0] is not threading.main_thread()
    hb.stop()


def test_station_name_uses_the_station_file_or_the_host():
    from types import SimpleNamespace

    from qtshared.heartbeat import station_name

    assert station_name(SimpleNamespace(station_path="/etc/mpp/kiosk-2.toml"), "kiosk") == "kiosk-2"
    name = station_name(SimpleNamespace(station_path=None), "display")
    assert name.startswith("display@") and len(name) <= 60


def test_the_web_heartbeat_thread_beats_until_stopped():
    from web.server import start_web_heartbeat

    two = threading.Event()
    count = []

    class Writer:
        def beat(self):
            count.append(1)
            if len(count) == 2:
                two.set()
            return False  # a failed write: the thread carries on

    stop = start_web_heartbeat(None, "web@test", interval_s=0.01, writer=Writer())
    assert two.wait(10)
    stop.set()
