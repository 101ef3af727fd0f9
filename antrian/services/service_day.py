"""One clock for the hall (issue 10, defect 7).

On PostgreSQL the database server's clock stamps the writes and decides the service day (the
store's default clock); ``clock_skew`` tells a window when the PC's own clock is more than a
minute off, with both times. On SQLite (one PC) a clock that jumps more than a day past the
last service day is refused (ClockJump) until someone confirms the new day here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from antrian.services.ports import Clock, SystemClock
from antrian.services.queue_base import QueueCore, retry_conflicts

SKEW_TOLERANCE_S = 60.0


@dataclass(frozen=True)
class ClockSkew:
    station: datetime
    server: datetime

    @property
    def seconds(self) -> float:
        """Positive: the station's clock is ahead of the server's."""
        return (self.station - self.server).total_seconds()

    def message(self, tz: object | None = None) -> str:
        st = self.station.astimezone(tz) if tz else self.station  # type: ignore[arg-type]
        sv = self.server.astimezone(tz) if tz else self.server  # type: ignore[arg-type]
        way = "ahead of" if self.seconds > 0 else "behind"
        return (f"this PC's clock says {st:%Y-%m-%d %H:%M:%S}, the database server's {sv:%Y-%m-%d %H:%M:%S}: "
                f"{abs(self.seconds):.0f} s {way} (the server's clock is used; correct this PC's clock)")


class ServiceDayActions(QueueCore):
    def clock_skew(self, station: Clock | None = None) -> ClockSkew | None:
        """The PC's clock against the database server's, when they differ by more than a minute
        (None on SQLite: the PC's clock is the hall's)."""
        with self.store.read() as tx:
            server = tx.server_now()
        if server is None:
            return None
        skew = ClockSkew((station or SystemClock()).now(), server)
        return skew if abs(skew.seconds) > SKEW_TOLERANCE_S else None

    @retry_conflicts
    def confirm_new_day(self, officer: str | None = None) -> date:
        """The clock's date is right although it is more than a day past the last service day:
        roll the hall over to it (expiring the open tickets of earlier days)."""
        now = self.clock.now()
        day = self.service_day(now)
        with self.store.transaction() as tx:
            expired = tx.rollover(day, now, confirm_jump=True)
            self._event(tx, "day_confirmed", now, officer=officer, day=day.isoformat(), expired=expired)
        return day
