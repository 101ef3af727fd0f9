"""The queue's rules: may this service issue now, which ticket a counter calls next, and how
long a new ticket will wait. Pure functions over plain values."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from antrian.domain.catalogue import Hall, PriorityPolicy, Service
from antrian.domain.errors import QuotaFull, ServiceClosed
from antrian.domain.model import Ticket


@dataclass(frozen=True)
class Availability:
    """A service's state for the kiosk: open, closed (with next opening) or quota full."""

    service_code: str
    open: bool
    reason: str | None  # None, "closed" or "quota_full"
    issued: int
    quota: int  # 0 = unlimited
    opens_at: datetime | None = None

    @property
    def remaining(self) -> int | None:
        return None if self.quota == 0 else max(0, self.quota - self.issued)


def availability(service: Service, hall: Hall, local_now: datetime, issued_today: int) -> Availability:
    if not service.hours.is_open(local_now, early_minutes=hall.issue_early_minutes):
        return Availability(
            service.code,
            False,
            "closed",
            issued_today,
            service.quota,
            service.hours.next_opening(local_now, early_minutes=hall.issue_early_minutes),
        )
    if service.quota and issued_today >= service.quota:
        return Availability(service.code, False, "quota_full", issued_today, service.quota)
    return Availability(service.code, True, None, issued_today, service.quota)


def check_can_issue(service: Service, hall: Hall, local_now: datetime, issued_today: int) -> None:
    av = availability(service, hall, local_now, issued_today)
    if av.reason == "closed":
        raise ServiceClosed(service.name, av.opens_at)
    if av.reason == "quota_full":
        raise QuotaFull(service.name, issued_today, service.quota)


def _older(a: Ticket, b: Ticket) -> Ticket:
    return a if (a.arrival_at, a.id or 0) <= (b.arrival_at, b.id or 0) else b


def choose_next(
    oldest_priority: Ticket | None,
    oldest_normal: Ticket | None,
    priority_streak: int,
    policy: PriorityPolicy,
    now: datetime,
) -> Ticket | None:
    """Which waiting ticket a counter calls next.

    1. A ticket that has waited at least ``policy.max_wait_minutes`` goes first, oldest first,
       whatever its class (nobody waits forever).
    2. Otherwise priority goes before normal, but after ``policy.ratio`` priority calls in a row at
       this counter a normal ticket is called if one waits (normal tickets never starve).
    3. Within a class: oldest arrival first (then lowest id).
    """
    if oldest_priority is None:
        return oldest_normal
    if oldest_normal is None:
        return oldest_priority
    if policy.max_wait_minutes:
        limit = now - timedelta(minutes=policy.max_wait_minutes)
        overdue = [t for t in (oldest_priority, oldest_normal) if t.arrival_at <= limit]
        if len(overdue) == 2:
            return _older(*overdue)
        if overdue:
            return overdue[0]
    if priority_streak >= policy.ratio:
        return oldest_normal
    return oldest_priority


def next_streak(streak: int, called: Ticket) -> int:
    return streak + 1 if called.is_priority else 0


def estimate_wait_minutes(ahead: int, avg_service_minutes: float, open_counters: int) -> int:
    """People ahead x average service time / counters serving it; rounded up to whole minutes."""
    if ahead <= 0:
        return 0
    return int(math.ceil(ahead * avg_service_minutes / max(1, open_counters)))
