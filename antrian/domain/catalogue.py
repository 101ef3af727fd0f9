"""The hall catalogue as frozen domain objects: agencies, services, counters, hours.

Built once from the validated configuration (antrian.config) and passed down; pure Python.
"""

from __future__ import annotations

import re
import string
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Span:
    start: time
    end: time

    def contains(self, t: time) -> bool:
        return self.start <= t < self.end

    def label(self) -> str:
        return f"{self.start:%H.%M}-{self.end:%H.%M}"


@dataclass(frozen=True, eq=False)
class ClosedDays:
    """The days the whole hall is closed: the public calendar (holidays and, when the hall
    follows them, cuti bersama) with the hall's own overrides on top.

    ``calendar``: date -> holiday name, for any year (built in antrian.config from the
    ``holidays`` library, country "ID"; any Mapping works, e.g. a dict in tests).
    ``closed``: the hall's own closures (date -> reason). ``opened``: days the hall opens
    although the calendar says closed. ``d in closed_days`` tells whether ``d`` is closed.
    """

    calendar: Mapping[date, str] = field(default_factory=dict)
    closed: Mapping[date, str] = field(default_factory=dict)
    opened: frozenset[date] = frozenset()

    def reason(self, d: date) -> str | None:
        """Why ``d`` is closed ("Hari Raya Idul Fitri", "Tutup (hall)") or None when it is not."""
        if d in self.closed:
            return self.closed[d]
        if d in self.opened:
            return None
        return self.calendar.get(d)

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.reason(d) is not None


@dataclass(frozen=True)
class WeeklyHours:
    """Opening spans per weekday (0 = Monday). An empty tuple means closed that day.
    ``closed_dates``: whole days closed (a ``ClosedDays`` or any set of dates)."""

    days: tuple[tuple[Span, ...], ...]
    closed_dates: Container[date] = frozenset()

    def spans_on(self, d: date) -> tuple[Span, ...]:
        if d in self.closed_dates:
            return ()
        return self.days[d.weekday()]

    def is_open(self, local: datetime, early_minutes: int = 0) -> bool:
        """Open at ``local``; ``early_minutes`` opens each span that much earlier (the closing
        time stays the same)."""
        d = local.date()
        now = local.replace(tzinfo=None)
        early = timedelta(minutes=early_minutes)
        return any(
            datetime.combine(d, s.start) - early <= now < datetime.combine(d, s.end)
            for s in self.spans_on(d)
        )

    def next_opening(self, local: datetime, early_minutes: int = 0) -> datetime | None:
        """The next local datetime at which issuing opens (within 14 days), or None."""
        for offset in range(0, 15):
            d = local.date() + timedelta(days=offset)
            for span in self.spans_on(d):
                start = datetime.combine(d, span.start, tzinfo=local.tzinfo) - timedelta(
                    minutes=early_minutes
                )
                if start > local:
                    return start
        return None


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    name_en: str
    agency_code: str
    quota: int  # 0 = unlimited
    service_minutes: float
    target_wait_minutes: int
    hours: WeeklyHours
    priority_allowed: bool = True
    requirements: tuple[str, ...] = ()  # persyaratan (short lines), from the service standard
    fee: str = ""  # biaya, e.g. "Gratis"
    typical_time: str = ""  # waktu pelayanan, e.g. "15 menit"


@dataclass(frozen=True)
class Counter:
    code: str
    number: int
    name: str
    agency_code: str
    service_codes: tuple[str, ...]


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    short_name: str
    spoken_name: str
    prefix: str
    colour: str
    service_codes: tuple[str, ...]
    counter_codes: tuple[str, ...]


@dataclass(frozen=True)
class PriorityPolicy:
    groups: tuple[str, ...] = ("lansia", "disabilitas", "ibu-hamil", "anak")
    ratio: int = 2  # after this many priority calls in a row at one counter, call a normal one
    max_wait_minutes: int = 60  # any ticket waiting this long goes first (0 = off)


@dataclass(frozen=True)
class Hall:
    name: str
    short_name: str
    city: str
    operator: str
    timezone: str
    number_format: str
    running_text: str
    ticket_footer: str
    public_url: str
    issue_early_minutes: int
    max_recalls: int
    priority: PriorityPolicy
    agencies: tuple[Agency, ...]
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    _by_code: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)
    number_reading: str = "words"  # how the voice reads numbers: "words" (K dua belas) or "digits"
    closed_days: ClosedDays = field(default_factory=ClosedDays)  # whole-hall closures

    def closed_reason(self, d: date) -> str | None:
        """Why the hall is closed on ``d`` (a holiday's name, cuti bersama, a closure), or None."""
        return self.closed_days.reason(d)

    def is_open_day(self, d: date) -> bool:
        """Some service of the hall has opening hours on ``d`` (not a whole-hall closure)."""
        if d in self.closed_days:
            return False
        return any(s.hours.spans_on(d) for s in self.services)

    def closed_between(self, last: date, day: date) -> bool:
        """Every day strictly between ``last`` and ``day`` is a day the hall is closed (a weekend,
        a holiday, cuti bersama): going from ``last`` to ``day`` skips no working day."""
        d = last + timedelta(days=1)
        while d < day:
            if self.is_open_day(d):
                return False
            d += timedelta(days=1)
        return True

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], Any] = {}
        for a in self.agencies:
            index[("agency", a.code)] = a
            index[("prefix", a.prefix)] = a
        for s in self.services:
            index[("service", s.code)] = s
        for c in self.counters:
            index[("counter", c.code)] = c
        object.__setattr__(self, "_by_code", index)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def agency(self, code: str) -> Agency:
        return cast(Agency, self._by_code[("agency", code)])

    def agency_by_prefix(self, prefix: str) -> Agency | None:
        return cast("Agency | None", self._by_code.get(("prefix", prefix)))

    def service(self, code: str) -> Service:
        return cast(Service, self._by_code[("service", code)])

    def counter(self, code: str) -> Counter:
        return cast(Counter, self._by_code[("counter", code)])

    def find_agency(self, code: str) -> Agency | None:
        return cast("Agency | None", self._by_code.get(("agency", code)))

    def find_service(self, code: str) -> Service | None:
        return cast("Service | None", self._by_code.get(("service", code)))

    def find_counter(self, code: str) -> Counter | None:
        return cast("Counter | None", self._by_code.get(("counter", code)))

    def services_of(self, agency_code: str) -> tuple[Service, ...]:
        return tuple(self.service(c) for c in self.agency(agency_code).service_codes)

    def counters_serving(self, service_code: str) -> tuple[Counter, ...]:
        return tuple(c for c in self.counters if service_code in c.service_codes)

    def format_number(self, prefix: str, seq: int) -> str:
        return self.number_format.format(prefix=prefix, seq=seq)

    def number_parts(self, prefix: str) -> tuple[str, int, str] | None:
        """``format_number(prefix, seq)`` as (text before, the number's zero-padded width,
        text after), for a store that numbers the ticket itself (PostgreSQL); None when the
        format is not one seq field written plainly or zero-padded ({seq}, {seq:d}, {seq:03d})."""
        pre: list[str] = []
        post: list[str] = []
        width: int | None = None
        try:
            parts = list(string.Formatter().parse(self.number_format))
        except ValueError:
            return None
        for literal, name, spec, conversion in parts:
            (post if width is not None else pre).append(literal)
            if name is None:
                continue
            if conversion:
                return None
            if name == "prefix" and not spec:
                (post if width is not None else pre).append(prefix)
            elif name == "seq" and width is None and (m := re.fullmatch(r"(?:0(\d+))?d?", spec or "")):
                width = int(m.group(1) or 0)
            else:
                return None
        return None if width is None else ("".join(pre), width, "".join(post))
