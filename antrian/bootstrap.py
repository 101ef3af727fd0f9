"""The composition root: builds the hall, the store and the queue service from the command line,
the environment and the station config. Nothing here runs at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, cast
from pathlib import Path

from antrian import paths
from antrian.config import StationFile, booking_policy, build_hall, check_station_against_hall, load_hall_file, load_station
from antrian.domain.booking import BookingPolicy
from antrian.domain.catalogue import Hall
from antrian.issue_path import always_open as always_open, hall_for_env
from antrian.services.queue import QueueService

if TYPE_CHECKING:
    from antrian.services.booking_ports import BookingStore
    from antrian.storage.db import SqlStore


@dataclass
class AppContext:
    hall: Hall
    station: StationFile
    db_url: str
    config_path: Path
    station_path: Path | None
    _queue: QueueService | None = None
    # Called as hook(kind, window) once a station window is built ("kiosk", "counter", "monitor",
    # "display"). The product passes none; tests inject their automation driver here.
    window_hooks: tuple[Callable[[str, Any], None], ...] = ()
    # [booking] of the hall file: the web pages, the kiosk check-in and `mpp booking` use it
    booking_policy: BookingPolicy = field(default_factory=BookingPolicy)
    _booking: Any = None

    def window_built(self, kind: str, window: Any) -> None:
        for hook in self.window_hooks:
            hook(kind, window)

    @property
    def queue(self) -> QueueService:
        if self._queue is None:
            from antrian.storage.booking_store import SqlBookingStore

            # the SQL store with its booking side: one pool serves the queue and the bookings
            self._queue = QueueService(self.hall, SqlBookingStore(self.db_url))
        return self._queue

    @property
    def booking(self) -> Any:
        """The BookingService over the queue's store with the hall's [booking] policy (None when
        the store has no booking side, e.g. a fake store in a test)."""
        if self._booking is None:
            from antrian.services.booking import BookingService

            store = self.queue.store
            if not hasattr(store, "bookings"):
                return None
            self._booking = BookingService(self.hall, cast("BookingStore", store), self.queue.clock,
                                           self.booking_policy)
        return self._booking

    def close(self) -> None:
        self._booking = None
        if self._queue is not None:
            cast("SqlStore", self._queue.store).dispose()  # built as a SQL store in `queue`
            self._queue = None


def build_context(db: str | None = None, config: str | None = None, station: str | None = None) -> AppContext:
    """Resolve settings in this order: command line, environment, station file, defaults."""
    station_path = station or os.environ.get("MPP_STATION")
    st = load_station(station_path)
    config_path = Path(config or os.environ.get("MPP_CONFIG") or st.hall or paths.default_hall_config())
    hall_file = load_hall_file(config_path)
    hall = build_hall(hall_file, config_path)
    policy = booking_policy(hall_file.booking)
    if station_path:
        check_station_against_hall(st, hall, station_path)
    hall = hall_for_env(hall)
    db_url = db or os.environ.get("MPP_DB_URL") or st.db or paths.default_db_url()
    return AppContext(hall=hall, station=st, db_url=db_url, config_path=config_path,
                      station_path=Path(station_path) if station_path else None, booking_policy=policy)
