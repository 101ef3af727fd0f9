"""`mpp simulate`: one hall day through the real engine and a real database, on a simulated clock.

Citizens arrive per service over its opening hours (a seeded Poisson process), some with priority;
each counter calls the next ticket when free, serves it for a log-normal time around the service's
default minutes, and finds some citizens gone (no-show). The summary per agency answers the hall
manager's question "how many counters for this many tickets a day?".

The simulation writes to its own database (a temporary SQLite file unless ``sim_db`` is given),
never to the live hall's: its clock is not today's.
"""

from __future__ import annotations

import heapq
import math
import random
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Callable

from antrian.domain.catalogue import Counter, Hall
from antrian.domain.errors import NothingWaiting, QueueError, UsageError
from antrian.services.queue import QueueService


@dataclass(frozen=True)
class SimulationConfig:
    day: date | None = None
    seed: int = 1
    tickets: int | None = None  # total; default from quotas and a busy-day model
    no_show_rate: float = 0.05
    priority_rate: float = 0.08
    agencies: tuple[str, ...] = ()
    counters_override: dict[str, int] = field(default_factory=dict)
    sim_db: str | None = None
    default_per_service: int = 12
    quota_fill: float = 0.5
    overtime_minutes: int = 30  # counters keep calling this long after closing, then stop


@dataclass
class AgencyResult:
    code: str
    name: str
    counters: int
    issued: int = 0
    refused: int = 0
    served: int = 0
    no_show: int = 0
    unserved: int = 0
    waits: list[float] = field(default_factory=list)  # minutes

    def pct(self, q: float) -> float | None:
        if not self.waits:
            return None
        w = sorted(self.waits)
        k = min(len(w) - 1, max(0, int(math.ceil(q * len(w))) - 1))
        return w[k]


@dataclass
class SimulationResult:
    day: date
    seed: int
    agencies: list[AgencyResult]
    transactions: int
    wall_seconds: float

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(), "seed": self.seed, "transactions": self.transactions,
            "wall_seconds": round(self.wall_seconds, 2),
            "agencies": [
                {"agency": a.code, "counters": a.counters, "issued": a.issued, "refused": a.refused,
                 "served": a.served, "no_show": a.no_show, "unserved": a.unserved,
                 "wait_p50_min": _r(a.pct(0.5)), "wait_p90_min": _r(a.pct(0.9))}
                for a in self.agencies
            ],
        }

    def table(self) -> str:
        lines = [
            f"Simulated day {self.day:%A %Y-%m-%d} (seed {self.seed}): {self.transactions} transactions "
            f"in {self.wall_seconds:.1f} s",
            f"{'agency':<14} {'loket':>5} {'issued':>7} {'refused':>8} {'served':>7} {'no-show':>8} "
            f"{'unserved':>9} {'wait p50':>9} {'wait p90':>9}",
        ]
        tot = AgencyResult("total", "", 0)
        for a in self.agencies:
            lines.append(
                f"{a.code:<14} {a.counters:>5} {a.issued:>7} {a.refused:>8} {a.served:>7} {a.no_show:>8} "
                f"{a.unserved:>9} {_m(a.pct(0.5)):>9} {_m(a.pct(0.9)):>9}"
            )
            tot.counters += a.counters
            tot.issued += a.issued
            tot.refused += a.refused
            tot.served += a.served
            tot.no_show += a.no_show
            tot.unserved += a.unserved
            tot.waits += a.waits
        lines.append(
            f"{'total':<14} {tot.counters:>5} {tot.issued:>7} {tot.refused:>8} {tot.served:>7} {tot.no_show:>8} "
            f"{tot.unserved:>9} {_m(tot.pct(0.5)):>9} {_m(tot.pct(0.9)):>9}"
        )
        return "\n".join(lines)


def _r(v):
    return None if v is None else round(v, 1)


def _m(v):
    return "-" if v is None else f"{v:.0f} min"


class SimClock:
    def __init__(self, t: datetime):
        self.t = t

    def now(self) -> datetime:
        return self.t


def with_counters(hall: Hall, overrides: dict[str, int]) -> Hall:
    """A copy of the hall where some agencies have N counters (numbered after the real ones)."""
    if not overrides:
        return hall
    counters = list(hall.counters)
    agencies = list(hall.agencies)
    next_no = max(c.number for c in counters) + 1
    for code, n in overrides.items():
        agency = hall.find_agency(code)
        if agency is None:
            raise UsageError(f"--counters: unknown agency '{code}' (see `mpp catalogue`)")
        counters = [c for c in counters if c.agency_code != code]
        new = []
        for _ in range(n):
            new.append(Counter(code=str(next_no), number=next_no, name=f"Loket {next_no}",
                               agency_code=code, service_codes=agency.service_codes))
            next_no += 1
        counters += new
        agencies = [replace(a, counter_codes=tuple(c.code for c in new)) if a.code == code else a for a in agencies]
    return replace(hall, agencies=tuple(agencies), counters=tuple(counters), _by_code={})


def _default_day(hall: Hall) -> date:
    d = datetime.now(hall.tz).date() + timedelta(days=1)
    for _ in range(14):
        if any(hall.services[0].hours.spans_on(d)) if hall.services else False:
            return d
        d += timedelta(days=1)
    return d


def run_simulation(ctx, cfg: SimulationConfig, progress: Callable[[str], None] | None = None) -> SimulationResult:
    import time as _time

    from antrian.storage.db import SqlStore, upgrade

    hall = with_counters(ctx.hall, cfg.counters_override)
    for code in cfg.agencies:
        if hall.find_agency(code) is None:
            raise UsageError(f"--agencies: unknown agency '{code}' (see `mpp catalogue`)")
    agencies = [a for a in hall.agencies if not cfg.agencies or a.code in cfg.agencies]
    day = cfg.day or _default_day(hall)
    rng = random.Random(cfg.seed)
    tz = hall.tz

    tmpdir = None
    url = cfg.sim_db
    if not url:
        tmpdir = tempfile.mkdtemp(prefix="mpp-sim-")
        url = f"sqlite:///{Path(tmpdir) / 'simulation.sqlite3'}"
    started = _time.perf_counter()
    try:
        upgrade(url)
        store = SqlStore(url)
        clock = SimClock(datetime.combine(day, time(0, 0), tzinfo=tz))
        q = QueueService(hall, store, clock)
        results = {a.code: AgencyResult(a.code, a.name, len(a.counter_codes)) for a in agencies}

        # --- arrivals
        heap: list[tuple[datetime, int, str, object]] = []
        seq = 0

        def push(at: datetime, kind: str, data) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(heap, (at, seq, kind, data))

        services = [s for a in agencies for s in hall.services_of(a.code)]
        if cfg.tickets is not None:
            weights = [s.quota or cfg.default_per_service for s in services]
            total_w = sum(weights) or 1
            wanted = {s.code: cfg.tickets * w / total_w for s, w in zip(services, weights)}
        else:
            wanted = {s.code: (s.quota * cfg.quota_fill if s.quota else cfg.default_per_service) for s in services}
        for s in services:
            spans = s.hours.spans_on(day)
            if not spans:
                continue
            total_minutes = sum((datetime.combine(day, sp.end) - datetime.combine(day, sp.start)).seconds / 60
                                for sp in spans)
            rate = wanted[s.code] / max(total_minutes, 1)  # per minute
            for sp in spans:
                t = datetime.combine(day, sp.start, tzinfo=tz) - timedelta(minutes=hall.issue_early_minutes)
                end = datetime.combine(day, sp.end, tzinfo=tz) - timedelta(minutes=20)
                while rate > 0:
                    t += timedelta(minutes=rng.expovariate(rate))
                    if t >= end:
                        break
                    prio = None
                    if s.priority_allowed and hall.priority.groups and rng.random() < cfg.priority_rate:
                        prio = rng.choice(hall.priority.groups)
                    push(t, "arrive", (s.code, prio))

        counters = [c for c in hall.counters if c.agency_code in results]
        idle: set[str] = set()
        first_open = min((h[0] for h in heap), default=None)
        for c in counters:
            if first_open is not None:
                push(max(first_open, datetime.combine(day, time(8, 0), tzinfo=tz)), "free", c.code)

        stop_at = {}
        for c in counters:
            ends = [datetime.combine(day, sp.end, tzinfo=tz) for sc in c.service_codes
                    for sp in hall.service(sc).hours.spans_on(day)]
            stop_at[c.code] = min(
                max(ends, default=datetime.combine(day, time(0), tzinfo=tz)) + timedelta(minutes=cfg.overtime_minutes),
                datetime.combine(day, time(23, 30), tzinfo=tz),  # the service day ends at midnight
            )
        tx_count = 0
        service_of = {s.code: s for s in hall.services}
        while heap:
            at, _, kind, data = heapq.heappop(heap)
            clock.t = at
            if kind == "arrive":
                code, prio = data
                agency = results[service_of[code].agency_code]
                try:
                    q.issue(code, priority=prio)
                    agency.issued += 1
                except QueueError:
                    agency.refused += 1
                tx_count += 1
                for c in [c for c in counters if c.code in idle and code in c.service_codes]:
                    idle.discard(c.code)
                    push(at, "free", c.code)
            elif kind == "free":
                counter = hall.counter(data)
                if at > stop_at[counter.code]:
                    continue  # the hall has closed: what still waits is counted as unserved
                try:
                    t = q.call_next(counter.code, officer="sim")
                except NothingWaiting:
                    idle.add(counter.code)
                    tx_count += 1
                    continue
                tx_count += 1
                res = results[counter.agency_code]
                res.waits.append((t.called_at - t.arrival_at).total_seconds() / 60)
                if rng.random() < cfg.no_show_rate:
                    push(at + timedelta(minutes=2), "no_show", counter.code)
                else:
                    push(at + timedelta(minutes=0.5), "start", counter.code)
            elif at.astimezone(tz).date() != day:
                continue  # midnight passed mid-service: the day's open tickets have expired
            elif kind == "start":
                q.start(data, officer="sim")
                tx_count += 1
                s = service_of[q.counter_view(data)[0].ticket.service_code]
                mean = s.service_minutes
                sigma = 0.5
                minutes = rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
                push(at + timedelta(minutes=max(1.0, minutes)), "finish", data)
            elif kind == "finish":
                t = q.finish(data, officer="sim")
                results[hall.counter(data).agency_code].served += 1
                tx_count += 1
                push(at + timedelta(seconds=30), "free", data)
            elif kind == "no_show":
                q.no_show(data, officer="sim")
                results[hall.counter(data).agency_code].no_show += 1
                tx_count += 1
                push(at + timedelta(seconds=15), "free", data)
        for svc in q.status().services:
            if svc.agency_code in results:
                results[svc.agency_code].unserved += svc.waiting
        store.dispose()
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return SimulationResult(day, cfg.seed, list(results.values()), tx_count, _time.perf_counter() - started)
