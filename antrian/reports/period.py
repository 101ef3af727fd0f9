"""Report periods (a day, a month, a range of days) and the report's usage errors. Pure Python."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from antrian.domain.errors import QueueError, UsageError

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")
MAX_DAYS = 366


class BadPeriod(UsageError):
    code = "bad_period"


class UnknownAgency(UsageError):
    code = "unknown_agency"


class NoReportData(QueueError):
    """The period has no tickets (or no survey responses): nothing to report."""

    code = "no_report_data"
    exit_code = 3


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    kind: str = "range"  # "day" | "month" | "range"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise BadPeriod(f"the range is reversed: {self.start} is after {self.end}")
        if (self.end - self.start).days >= MAX_DAYS:
            raise BadPeriod(f"the range {self.start}..{self.end} is longer than {MAX_DAYS} days")

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC for the hall's local days."""
        lo = datetime.combine(self.start, time(0), tzinfo=tz).astimezone(timezone.utc)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)
        return lo, hi

    def label(self) -> str:
        """Bahasa Indonesia: '30 November 2026', 'November 2026', '1 November 2026 - 15 November 2026'."""
        if self.kind == "month":
            return f"{MONTHS_ID[self.start.month - 1]} {self.start.year}"
        if self.start == self.end:
            return long_date(self.start)
        return f"{long_date(self.start)} - {long_date(self.end)}"

    def slug(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def long_date(d: date) -> str:
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise BadPeriod(f"{option}: '{text}' is not a date like 2026-11-30") from None


def month_period(text: str) -> Period:
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise BadPeriod(f"--month: '{text}' is not a month like 2026-11")
    y, mo = int(m.group(1)), int(m.group(2))
    return Period(date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]), "month")


def parse_period(day: str | None = None, month: str | None = None, start: str | None = None,
                 end: str | None = None, today: date | None = None) -> Period:
    """One of: a day, a month, or a range (--from/--to; a missing end is today). None of them:
    the current month."""
    given = [n for n, v in (("--day", day), ("--month", month), ("--from/--to", start or end)) if v]
    if len(given) > 1:
        raise BadPeriod(f"give one of --day, --month or --from/--to (got {' and '.join(given)})")
    if day:
        d = _parse_date(day, "--day")
        return Period(d, d, "day")
    if month:
        return month_period(month)
    if start or end:
        if not start:
            raise BadPeriod("--to needs --from")
        lo = _parse_date(start, "--from")
        hi = _parse_date(end, "--to") if end else (today or lo)
        return Period(lo, hi, "range")
    t = today or date.today()
    return month_period(f"{t.year}-{t.month}")
