"""The one heartbeat every Qt station writes (kiosk, counter, display, monitor, survey screen):
``start_heartbeat(window, ctx.queue.store, "counter", "7", runner)`` from the face's start
function. A QTimer on the GUI thread fires every ``antrian.services.health.BEAT_SECONDS``; the
database write runs on the station's Runner (never on the GUI thread), at most one at a time, and
never raises (HeartbeatWriter.beat logs a failed write and returns False)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QTimer

from antrian.services.health import BEAT_SECONDS, HealthService, HeartbeatWriter, package_version
from antrian.storage.manager_store import ManagerStore


class Heartbeat(QObject):
    """Owns the timer; ``beats`` counts the writes that succeeded, ``failures`` those that did not."""

    def __init__(self, writer: HeartbeatWriter, runner, interval_ms: int = BEAT_SECONDS * 1000,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.writer = writer
        self.runner = runner
        self.beats = 0
        self.failures = 0
        self._in_flight = False
        self._own_runner = runner is None
        if runner is None:  # a face without a Runner of its own (kiosk, display): one worker thread
            from qtshared.common import Runner

            self.runner = Runner(max_workers=1, name="mpp-heartbeat", parent=self)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.beat)

    def start(self) -> None:
        self.timer.start()
        self.beat()

    def stop(self) -> None:
        self.timer.stop()
        if self._own_runner:
            self.runner.shutdown(wait=False)

    def beat(self) -> None:
        if self._in_flight:  # a slow database: skip this beat rather than pile writes up
            return
        self._in_flight = True
        if self.runner.submit(self.writer.beat, self._done, self._failed) is None:  # runner shut down
            self._in_flight = False

    def _done(self, ok) -> None:
        self._in_flight = False
        if ok:
            self.beats += 1
        else:
            self.failures += 1

    def _failed(self, _exc: BaseException) -> None:
        self._in_flight = False
        self.failures += 1


def station_name(ctx, fallback: str) -> str:
    """A station's heartbeat name: its station file's stem ("kiosk-1"), else ``fallback`` and the
    host name ("kiosk@pc-3"), at most 60 characters."""
    path = getattr(ctx, "station_path", None)
    if path:
        return Path(path).stem[:60]
    return f"{fallback}@{socket.gethostname()}"[:60]


def start_heartbeat(parent: QObject, store, kind: str, name: str, runner=None, *,
                    last_event_id: Callable[[], int | None] | None = None,
                    printer_state: Callable[[], str | None] | None = None,
                    interval_ms: int = BEAT_SECONDS * 1000, service: HealthService | None = None,
                    start: bool = True) -> Heartbeat | None:
    """A started Heartbeat owned by ``parent`` (stops when the parent goes). ``store``: the queue's
    SqlStore (``service`` replaces it, for tests); ``runner``: the face's Runner (None: the
    heartbeat gets its own one-thread Runner, shut down by ``stop()``). Returns None, after logging, if the station's
    name is not a valid heartbeat name: a station without a heartbeat still works."""
    import logging

    service = service or HealthService(ManagerStore(store))
    try:
        writer = HeartbeatWriter(service, kind, name, package_version(), last_event_id=last_event_id,
                                 printer_state=printer_state)
    except ValueError as exc:
        logging.getLogger(__name__).warning("no heartbeat for %s/%s: %s", kind, name, exc)
        return None
    hb = Heartbeat(writer, runner, interval_ms, parent)
    if start:
        hb.start()
    return hb
