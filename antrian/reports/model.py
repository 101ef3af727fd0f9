"""The report's read models as plain data, and the pure arithmetic that builds them (percentiles,
counter time lines). antrian.reports.queries feeds them from the database."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta, tzinfo
from typing import Iterable, Sequence

from antrian.reports.period import Period

MEASURES = ("issued", "served", "no_show", "cancelled", "transferred")
MEASURE_LABELS = {
    "issued": "Diambil",  # numbers taken at the kiosk (visits)
    "served": "Dilayani",
    "no_show": "Tidak hadir",
    "cancelled": "Batal",
    "transferred": "Dialihkan",
}
MEASURE_LABELS_EN = {"issued": "Issued", "served": "Served", "no_show": "No-show", "cancelled": "Cancelled",
                     "transferred": "Transferred"}
# bookings (issue 11), counted on the day booked for: made = every booking for that day whatever
# became of it; checked in, released ("hangus": not checked in by the end of its window), cancelled
BOOKING_MEASURES = ("made", "checked_in", "released", "cancelled")
BOOKING_LABELS = {"made": "Booking", "checked_in": "Check-in", "released": "Hangus", "cancelled": "Dibatalkan"}
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@dataclass
class Counts:
    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transferred: int = 0

    def add(self, other: "Counts") -> None:
        for m in MEASURES:
            setattr(self, m, getattr(self, m) + getattr(other, m))

    def get(self, measure: str) -> int:
        return int(getattr(self, measure))

    def as_dict(self) -> dict[str, int]:
        return {m: getattr(self, m) for m in MEASURES}


@dataclass
class BookingCounts:
    made: int = 0
    checked_in: int = 0
    released: int = 0
    cancelled: int = 0

    def add(self, other: "BookingCounts") -> None:
        for m in BOOKING_MEASURES:
            setattr(self, m, getattr(self, m) + getattr(other, m))

    def get(self, measure: str) -> int:
        return int(getattr(self, measure))

    def as_dict(self) -> dict[str, int]:
        return {m: getattr(self, m) for m in BOOKING_MEASURES}


@dataclass
class BookingRow:
    """Bookings of one service (``service_code`` set) or a whole agency, per day booked for."""

    agency_code: str
    agency_name: str
    prefix: str
    service_code: str | None
    service_name: str
    daily: dict[date, BookingCounts] = field(default_factory=dict)

    @cached_property
    def total(self) -> BookingCounts:
        """Computed once: the writers ask for it per column (the rows are complete by then)."""
        t = BookingCounts()
        for c in self.daily.values():
            t.add(c)
        return t

    def day(self, d: date) -> BookingCounts:
        return self.daily.get(d) or BookingCounts()

    @property
    def label(self) -> str:
        return self.service_name if self.service_code else self.agency_name


@dataclass
class RekapRow:
    """One row of the Rekap Layanan: a service (``service_code`` set) or a whole agency."""

    agency_code: str
    agency_name: str
    prefix: str
    service_code: str | None
    service_name: str
    daily: dict[date, Counts] = field(default_factory=dict)

    @cached_property
    def total(self) -> Counts:
        """Computed once: the writers ask for it per column (the rows are complete by then)."""
        t = Counts()
        for c in self.daily.values():
            t.add(c)
        return t

    def day(self, d: date) -> Counts:
        return self.daily.get(d) or Counts()

    @property
    def label(self) -> str:
        return self.service_name if self.service_code else self.agency_name


@dataclass(frozen=True)
class TimeRow:
    """Waiting and service times of one agency, service, counter or officer (minutes)."""

    level: str  # "agency" | "service" | "counter" | "officer"
    code: str
    name: str
    called: int  # tickets with a known wait
    wait_p50: float | None
    wait_p90: float | None
    wait_max: float | None
    within_target: float | None  # share 0..1 of called tickets called within the service's target
    served: int
    service_mean: float | None
    service_p90: float | None


@dataclass
class CounterUse:
    """One counter over the period: seconds open, serving, paused per reason."""

    code: str
    name: str
    open_s: float = 0.0
    serving_s: float = 0.0
    pause_s: dict[str, float] = field(default_factory=dict)

    @property
    def idle_s(self) -> float:
        return max(0.0, self.open_s - self.serving_s)

    @property
    def utilisation(self) -> float | None:
        return min(1.0, self.serving_s / self.open_s) if self.open_s > 0 else None

    @property
    def paused_s(self) -> float:
        return sum(self.pause_s.values())


@dataclass
class Report:
    hall_name: str
    operator: str
    city: str
    period: Period
    by: str  # "agency" | "service"
    agency: str | None  # only this agency, or the whole hall
    generated_at: datetime  # aware; shown in the hall's time zone
    rekap: list[RekapRow]
    agency_times: list[TimeRow]
    service_times: list[TimeRow]
    counter_times: list[TimeRow]
    officer_times: list[TimeRow]
    heatmap: list[list[int]]  # [weekday 0=Monday][hour 0..23] -> tickets issued
    counters: list[CounterUse]
    total_tickets: int = 0
    overall_times: TimeRow | None = None  # the whole scope (exact percentiles, not an average of groups)
    bookings: list[BookingRow] = field(default_factory=list)  # same rows order as the rekap

    @property
    def empty(self) -> bool:
        return self.total_tickets == 0 and not self.bookings

    @cached_property
    def booking_total(self) -> BookingCounts:
        t = BookingCounts()
        for r in self.bookings:
            t.add(r.total)
        return t

    @cached_property
    def _booking_days(self) -> dict[date, BookingCounts]:
        days: dict[date, BookingCounts] = {}
        for r in self.bookings:
            for d, c in r.daily.items():
                days.setdefault(d, BookingCounts()).add(c)
        return days

    def booking_daily_total(self, d: date) -> BookingCounts:
        return self._booking_days.get(d) or BookingCounts()

    # computed once (the report is complete when the writers read it; they ask per cell)
    @cached_property
    def total(self) -> Counts:
        t = Counts()
        for r in self.rekap:
            t.add(r.total)
        return t

    @cached_property
    def _days(self) -> dict[date, Counts]:
        days: dict[date, Counts] = {}
        for r in self.rekap:
            for d, c in r.daily.items():
                days.setdefault(d, Counts()).add(c)
        return days

    def daily_total(self, d: date) -> Counts:
        return self._days.get(d) or Counts()


# ------------------------------------------------------------------------------- arithmetic


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending sequence (p50 of [1, 2, 3, 4] is 2)."""
    n = len(sorted_values)
    if not n:
        return None
    k = min(n - 1, max(0, int(math.ceil(q * n)) - 1))
    return sorted_values[k]


@dataclass
class _TimeAcc:
    waits: list[float] = field(default_factory=list)
    within: int = 0
    services: list[float] = field(default_factory=list)

    def row(self, level: str, code: str, name: str) -> TimeRow:
        w = sorted(self.waits)
        s = sorted(self.services)
        return TimeRow(
            level=level, code=code, name=name, called=len(w),
            wait_p50=percentile(w, 0.5), wait_p90=percentile(w, 0.9), wait_max=w[-1] if w else None,
            within_target=(self.within / len(w)) if w else None,
            served=len(s), service_mean=(sum(s) / len(s)) if s else None, service_p90=percentile(s, 0.9),
        )


class TimeTable:
    """Accumulates waits (minutes, with the target) and service times per key."""

    def __init__(self) -> None:
        self._acc: dict[str, _TimeAcc] = {}

    def extend(self, key: str, waits: list[float], within: int, services: list[float]) -> None:
        a = self._acc.get(key)
        if a is None:
            a = self._acc[key] = _TimeAcc()
        a.waits.extend(waits)
        a.within += within
        a.services.extend(services)

    def add(self, key: str, wait: float, target: float, service: float | None) -> None:
        a = self._acc.get(key)
        if a is None:
            a = self._acc[key] = _TimeAcc()
        a.waits.append(wait)
        if wait <= target:
            a.within += 1
        if service is not None:
            a.services.append(service)

    def wait(self, key: str, minutes: float, target: float) -> None:
        a = self._acc.setdefault(key, _TimeAcc())
        a.waits.append(minutes)
        if minutes <= target:
            a.within += 1

    def service(self, key: str, minutes: float) -> None:
        self._acc.setdefault(key, _TimeAcc()).services.append(minutes)

    def keys(self) -> Iterable[str]:
        return self._acc.keys()

    def row(self, level: str, key: str, name: str) -> TimeRow:
        return (self._acc.get(key) or _TimeAcc()).row(level, key, name)


def counter_timeline(changes: Sequence[tuple[datetime, str, str | None]], day_end: datetime,
                     last_activity: datetime | None) -> tuple[float, dict[str, float]]:
    """Seconds open and seconds paused per reason for one counter on one day.

    ``changes`` are (at, state, reason) in time order with state "open" / "paused" / "closed";
    the counter starts the day closed. A state still running at the end of the day ends at the
    counter's last activity (its last ticket or state change), or at ``day_end`` if none is later:
    a window left open overnight does not count as a night of idle time."""
    open_s = 0.0
    pauses: dict[str, float] = {}
    state, since, reason = "closed", None, None
    last_change = changes[-1][0] if changes else None
    stop = max([t for t in (last_activity, last_change) if t is not None], default=None)
    stop = min(stop, day_end) if stop else day_end

    def close(until: datetime) -> None:
        nonlocal open_s
        if since is None or until <= since:
            return
        secs = (until - since).total_seconds()
        if state == "open":
            open_s += secs
        elif state == "paused":
            key = reason or "istirahat"
            pauses[key] = pauses.get(key, 0.0) + secs

    for at, new_state, new_reason in changes:
        close(min(at, stop))
        state, since, reason = new_state, at, new_reason
    close(stop)
    return open_s, pauses


def minutes_between(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds() / 60.0)


def day_end(d: date, tz: tzinfo) -> datetime:
    from datetime import time as _time

    return datetime.combine(d + timedelta(days=1), _time(0), tzinfo=tz)
