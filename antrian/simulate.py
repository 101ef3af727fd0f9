"""`mpp simulate`: one hall day through the real engine and a real database, on a simulated clock.

Citizens arrive per service over its opening hours (a seeded Poisson process), some with priority;
each counter calls the next ticket when free, serves it for a log-normal time around the service's
default minutes, and finds some citizens gone (no-show). The summary per agency answers the hall
manager's question "how many counters for this many tickets a day?": waits, counter utilisation,
the share served within the target wait, and (with a target) a suggested number of counters.

Scenarios are comparable: every agency draws from its own random streams, seeded from (seed,
agency code), one for arrivals and one for service times and no-shows. Adding a PDAM counter
therefore changes nothing at Disdukcapil (whose counters serve only Disdukcapil).

The simulation writes to its own database (a temporary SQLite file unless ``sim_db`` is given),
never to the live hall's: its clock is not today's.

Over 400 lines, on purpose: the simulated day (arrivals, counters, clock) and its summary
for the hall manager share the per-agency random streams and are one command.
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
from typing import Any, Callable, Iterable, Protocol

from antrian.domain.catalogue import WEEKDAY_NAMES_ID, Counter, Hall, Span
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
    target_wait: int | None = None  # minutes; None = each service's target_wait_minutes


SHARE_GOAL = 0.9  # a suggested number of counters serves this share within the target wait


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
    targets: list[float] = field(default_factory=list)  # the target wait of each wait, minutes
    busy_minutes: float = 0.0  # counters occupied (call to finish / no-show)
    open_minutes: float = 0.0  # the agency's opening time on the day (per counter)
    service_minutes: list[float] = field(default_factory=list)  # counter time per called ticket
    suggested: int | None = None  # counters for the target (Erlang C estimate), None = no target
    target: int | None = None  # the target wait the suggestion is for

    @property
    def utilisation(self) -> float | None:
        """Share of the counters' opening time spent with a citizen (above 1: overtime)."""
        avail = self.counters * self.open_minutes
        return self.busy_minutes / avail if avail > 0 else None

    @property
    def within_target(self) -> float | None:
        """Share of the tickets called or left unserved that were called within their target."""
        n = len(self.waits) + self.unserved
        if n == 0:
            return None
        return sum(1 for w, t in zip(self.waits, self.targets) if w <= t) / n

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(), "seed": self.seed, "transactions": self.transactions,
            "wall_seconds": round(self.wall_seconds, 2),
            "agencies": [
                {"agency": a.code, "name": a.name, "counters": a.counters, "issued": a.issued,
                 "refused": a.refused, "served": a.served, "no_show": a.no_show, "unserved": a.unserved,
                 "wait_p50_min": _r(a.pct(0.5)), "wait_p90_min": _r(a.pct(0.9)),
                 "utilisation": _r3(a.utilisation), "within_target": _r3(a.within_target),
                 "target_wait_min": a.target, "suggested_counters": a.suggested}
                for a in self.agencies
            ],
        }

    def table(self) -> str:
        """The summary in Bahasa Indonesia, one row per agency (by its short name)."""
        d = self.day
        target = next((a.target for a in self.agencies if a.target is not None), None)
        goal = f"target tunggu {target} menit" if target is not None else "target tunggu tiap layanan"
        lines = [
            f"Simulasi hari {WEEKDAY_NAMES_ID[d.weekday()]}, {d:%d-%m-%Y} (seed {self.seed}): "
            f"{self.transactions} transaksi dalam {self.wall_seconds:.1f} detik",
            f"{'Instansi':<20} {'Loket':>5} {'Tiket':>6} {'Ditolak':>7} {'Dilayani':>8} {'Tdk hadir':>9} "
            f"{'Sisa':>5} {'Median':>8} {'p90':>8} {'Utilisasi':>9} {'<=Target':>8}"
            + (f" {'Saran loket':>11}" if target is not None else ""),
        ]
        tot = AgencyResult("total", "Jumlah", 0)
        for a in self.agencies:
            lines.append(self._row(a, target))
            tot.counters += a.counters
            tot.issued += a.issued
            tot.refused += a.refused
            tot.served += a.served
            tot.no_show += a.no_show
            tot.unserved += a.unserved
            tot.waits += a.waits
            tot.targets += a.targets
            tot.busy_minutes += a.busy_minutes
            if a.suggested is not None:
                tot.suggested = (tot.suggested or 0) + a.suggested
        avail = sum(a.counters * a.open_minutes for a in self.agencies)
        tot.open_minutes = avail / tot.counters if tot.counters else 0.0
        lines.append(self._row(tot, target))
        lines.append(
            f"Median/p90: waktu tunggu (menit). Utilisasi: bagian jam buka loket yang terpakai melayani. "
            f"<=Target: bagian antrean yang dipanggil dalam {goal}."
        )
        if target is not None:
            lines.append(
                f"Saran loket: perkiraan jumlah loket terkecil agar {SHARE_GOAL:.0%} antrean dipanggil dalam "
                f"{target} menit (Erlang C dari kedatangan dan lama layanan hari ini; lebih sedikit hanya "
                f"bila hari ini sudah mencapainya, lebih banyak bila belum)."
            )
        return "\n".join(lines)

    @staticmethod
    def _row(a: "AgencyResult", target: int | None) -> str:
        name = a.name if len(a.name) <= 20 else a.name[:19] + "."
        row = (f"{name:<20} {a.counters:>5} {a.issued:>6} {a.refused:>7} {a.served:>8} {a.no_show:>9} "
               f"{a.unserved:>5} {_m(a.pct(0.5)):>8} {_m(a.pct(0.9)):>8} {_pct(a.utilisation):>9} "
               f"{_pct(a.within_target):>8}")
        if target is not None:
            row += f" {'-' if a.suggested is None else a.suggested:>11}"
        return row


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def _r3(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def _m(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f} mnt"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.0%}"


def agency_stream(seed: int, agency_code: str, purpose: str) -> random.Random:
    """The random stream of one agency for one purpose ("arrivals", "service"): the same for the
    same (seed, agency, purpose), whatever the other agencies do."""
    return random.Random(f"mpp-simulate:{seed}:{agency_code}:{purpose}")


def erlang_c_wait_share(c: int, arrivals_per_min: float, service_min: float, target_min: float) -> float:
    """P(wait <= target) in an M/M/c queue (Erlang C); 0 when the counters cannot keep up."""
    if arrivals_per_min <= 0:
        return 1.0
    a = arrivals_per_min * service_min  # offered load in erlangs
    if c <= a:
        return 0.0
    # Erlang B by the stable recurrence, then C
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    p_wait = c * b / (c - a * (1 - b))
    return 1.0 - p_wait * math.exp(-(c - a) * target_min / service_min)


def suggest_counters(arrivals_per_min: float, service_min: float, target_min: float,
                     share: float = SHARE_GOAL, limit: int = 50) -> int | None:
    """The fewest counters that call ``share`` of the citizens within ``target_min`` (Erlang C),
    or None when even ``limit`` counters do not."""
    if arrivals_per_min <= 0 or service_min <= 0:
        return 1
    for c in range(1, limit + 1):
        if erlang_c_wait_share(c, arrivals_per_min, service_min, target_min) >= share:
            return c
    return None


def _open_minutes(spans_per_service: Iterable[Iterable[Span]]) -> float:
    """Minutes covered by the union of the spans (an agency is open while any service is)."""
    spans = sorted((sp.start, sp.end) for spans in spans_per_service for sp in spans)
    total = 0.0
    cur: tuple[time, time] | None = None  # the span being merged: (start, end)
    for start, end in spans:
        if cur is None or start > cur[1]:
            if cur is not None:
                total += _minutes(*cur)
            cur = (start, end)
        elif end > cur[1]:
            cur = (cur[0], end)
    if cur is not None:
        total += _minutes(*cur)
    return total


def _minutes(a: time, b: time) -> float:
    return (datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds() / 60


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


class _HasHall(Protocol):
    hall: Hall


def run_simulation(ctx: _HasHall, cfg: SimulationConfig, progress: Callable[[str], None] | None = None) -> SimulationResult:
    import time as _time

    from antrian.storage.db import SqlStore, upgrade

    hall = with_counters(ctx.hall, cfg.counters_override)
    for code in cfg.agencies:
        if hall.find_agency(code) is None:
            raise UsageError(f"--agencies: unknown agency '{code}' (see `mpp catalogue`)")
    agencies = [a for a in hall.agencies if not cfg.agencies or a.code in cfg.agencies]
    day = cfg.day or _default_day(hall)
    arrivals_rng = {a.code: agency_stream(cfg.seed, a.code, "arrivals") for a in agencies}
    service_rng = {a.code: agency_stream(cfg.seed, a.code, "service") for a in agencies}
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
        results = {a.code: AgencyResult(a.code, a.short_name or a.name, len(a.counter_codes)) for a in agencies}
        for a in agencies:
            results[a.code].open_minutes = _open_minutes(s.hours.spans_on(day) for s in hall.services_of(a.code))

        # --- arrivals
        heap: list[tuple[datetime, int, str, Any]] = []
        seq = 0

        def push(at: datetime, kind: str, data: Any) -> None:
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
            rng = arrivals_rng[s.agency_code]
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
        called_at: dict[str, datetime] = {}

        def release(counter_code: str, at: datetime) -> None:
            res = results[hall.counter(counter_code).agency_code]
            minutes = (at - called_at.pop(counter_code)).total_seconds() / 60
            res.busy_minutes += minutes
            res.service_minutes.append(minutes)
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
                    ticket = q.call_next(counter.code, officer="sim")
                except NothingWaiting:
                    idle.add(counter.code)
                    tx_count += 1
                    continue
                tx_count += 1
                res = results[counter.agency_code]
                assert ticket.called_at is not None  # just called
                res.waits.append((ticket.called_at - ticket.arrival_at).total_seconds() / 60)
                target = cfg.target_wait if cfg.target_wait is not None else service_of[ticket.service_code].target_wait_minutes
                res.targets.append(float(target))
                called_at[counter.code] = at
                rng = service_rng[counter.agency_code]
                if rng.random() < cfg.no_show_rate:
                    push(at + timedelta(minutes=2), "no_show", counter.code)
                else:
                    push(at + timedelta(minutes=0.5), "start", counter.code)
            elif at.astimezone(tz).date() != day:
                continue  # midnight passed mid-service: the day's open tickets have expired
            elif kind == "start":
                q.start(data, officer="sim")
                tx_count += 1
                serving = q.counter_view(data)[0].ticket
                assert serving is not None  # just started
                s = service_of[serving.service_code]
                mean = s.service_minutes
                sigma = 0.5
                rng = service_rng[hall.counter(data).agency_code]
                minutes = rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
                push(at + timedelta(minutes=max(1.0, minutes)), "finish", data)
            elif kind == "finish":
                q.finish(data, officer="sim")
                results[hall.counter(data).agency_code].served += 1
                release(data, at)
                tx_count += 1
                push(at + timedelta(seconds=30), "free", data)
            elif kind == "no_show":
                q.no_show(data, officer="sim")
                results[hall.counter(data).agency_code].no_show += 1
                release(data, at)
                tx_count += 1
                push(at + timedelta(seconds=15), "free", data)
        for svc in q.status().services:
            if svc.agency_code in results:
                results[svc.agency_code].unserved += svc.waiting
        if cfg.target_wait is not None:
            for res in results.values():
                res.target = cfg.target_wait
                called = len(res.waits) + res.unserved
                if res.open_minutes <= 0 or not res.service_minutes:
                    res.suggested = 1 if called == 0 else None
                    continue
                rate = called / res.open_minutes
                mean = sum(res.service_minutes) / len(res.service_minutes)
                estimate = suggest_counters(rate, mean, cfg.target_wait)
                # keep the estimate consistent with the simulated day: fewer (or as many) counters
                # only where the day met the goal, more where it did not
                met = (res.within_target or 0.0) >= SHARE_GOAL
                if estimate is None:
                    res.suggested = None if not met else res.counters
                elif met:
                    res.suggested = min(estimate, res.counters)
                else:
                    res.suggested = max(estimate, res.counters + 1)
        store.dispose()
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return SimulationResult(day, cfg.seed, list(results.values()), tx_count, _time.perf_counter() - started)
