"""The web server's background jobs: the notification sender (one thread delivering the outbox
with retries, so a slow gateway never delays a call or a page) and the booking releaser (unused
bookings released at the end of their check-in window)."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

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


class BookingReleaser:
    """The web server's periodic job for bookings: every ``interval`` seconds, release the
    bookings whose check-in window has closed (``BookingService.release_unused``, idempotent, so
    a second server or `mpp booking release` at the same time counts each booking once).
    ``on_round`` is called with the number released after each round (tests wait on it)."""

    def __init__(self, service: Any, interval: float = 60.0, on_round: Callable[[int], None] | None = None):
        self.service = service
        self.interval = interval
        self.on_round = on_round
        self.released = 0  # released by this job since it started
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> int:
        """One round; never raises (the database may be away: the next round tries again)."""
        try:
            n = int(self.service.release_unused())
        except Exception as e:
            log.warning("booking releaser: %s", type(e).__name__)
            n = 0
        self.released += n
        if n:
            log.info("booking releaser: released %d unused booking(s)", n)
        if self.on_round is not None:
            self.on_round(n)
        return n

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="mpp-booking-release", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        self.tick()  # at start: what lapsed while no server ran
        while not self._stop.wait(self.interval):
            self.tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
