"""The notification sender: one background thread delivering the outbox with retries, so a slow
gateway never delays a call or a page."""

from __future__ import annotations

import logging
import threading

from antrian.services.notify import NotificationService

log = logging.getLogger(__name__)


class NotifyWorker:
    def __init__(self, service: NotificationService, interval: float = 2.0):
        self.service = service
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.service.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="mpp-notify", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.service.deliver_due()
            except Exception as e:  # the database may be away; try again next round
                log.warning("notify worker: %s", type(e).__name__)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
