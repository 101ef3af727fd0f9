"""Bookings when the slots open: 500 booking requests fired at once at 16:00 (the hour the newest
day opens) on one process through the use case (a pool of threads to the store), on SQLite and
PostgreSQL. Every request must be answered (accepted or "penuh"), none lost, no slot sold twice.

Run: python -m bench booking"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

REQUESTS = 500
THREADS = 32
TZ = ZoneInfo("Asia/Jakarta")


class _FixedClock:
    def __init__(self, t: datetime):
        self.t = t

    def now(self) -> datetime:
        return self.t


def bench_hall():
    from antrian.config import HallFile, build_hall

    weekdays = {d: ["08:00-16:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    return build_hall(HallFile.model_validate({
        "hall": {"name": "Bench", "city": "Bench", "timezone": "Asia/Jakarta"},
        "defaults": {"hours": weekdays},
        "agency": [{
            "code": "dukcapil", "name": "Disdukcapil", "prefix": "K", "counters": [1, 2],
            # online quota 20 % of 500 = 100 seats over 16 slots of 30 minutes
            "service": [{"code": "ktp", "name": "KTP-el", "quota": 500}],
        }],
    }), "<bench hall>")


def _nik(i: int) -> str:
    return f"320101010190{i + 1:04d}"  # valid NIKs: born 1 January 1990, serials 0001-0500


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def run_once(report, url: str, label: str) -> None:
    from antrian.domain import booking as B
    from antrian.services.booking import BookingService
    from antrian.storage.booking_store import SqlBookingStore
    from antrian.storage.db import upgrade

    upgrade(url)
    hall = bench_hall()
    opening = datetime(2026, 11, 23, 16, 0, tzinfo=TZ)  # Monday 16:00: the next Monday opens
    day: date = (opening + timedelta(days=7)).date()
    store = SqlBookingStore(url, pool_size=THREADS if "postgresql" in url else 5)
    svc = BookingService(hall, store, _FixedClock(opening.astimezone(timezone.utc)))
    svc._hall_secret()  # the secret exists before the rush (created on the first booking ever)
    slots = B.slots_on(hall.service("ktp"), day, svc.policy)
    popular = [s.start for s in slots[:4]]  # everyone wants the morning
    outcomes: list[str] = []
    latencies: list[float] = []
    answered_at: list[float] = []
    lock = threading.Lock()
    go = threading.Event()

    def request(i: int) -> None:
        go.wait()
        t0 = time.perf_counter()
        try:
            svc.book("ktp", day, popular[i % len(popular)], nik=_nik(i))
            kind = "accepted"
        except B.SlotFull:
            kind = "penuh"
        except Exception as e:  # anything else is a failure the bench reports
            kind = f"error:{type(e).__name__}"
        t1 = time.perf_counter()
        with lock:
            outcomes.append(kind)
            latencies.append(t1 - t0)
            answered_at.append(t1)

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(request, i) for i in range(REQUESTS)]
            start = time.perf_counter()
            go.set()
            for f in futures:
                f.result()
        wall = time.perf_counter() - start
        kinds = Counter(outcomes)
        with store.read() as tx:
            bk = store.bookings(tx)
            rows = bk.list_bookings(day, "ktp")
            taken = bk.slots_taken("ktp", day)
        per_slot = Counter(b.slot_at for b in rows)
        capacity = {B.slot_at(day, s.start, TZ): s.capacity for s in slots}
        oversold = sum(1 for at, n in per_slot.items() if n > capacity[at])
        drift = sum(1 for at in set(per_slot) | set(taken) if per_slot.get(at, 0) != taken.get(at, 0))
        errors = sum(n for k, n in kinds.items() if k.startswith("error"))
        report(f"booking {label}: requests", REQUESTS)
        report(f"booking {label}: answered", len(outcomes), "", f"= {REQUESTS}")
        report(f"booking {label}: accepted", kinds["accepted"], "", f"= {sum(capacity[B.slot_at(day, p, TZ)] for p in popular)} seats")
        report(f"booking {label}: penuh (full)", kinds["penuh"])
        report(f"booking {label}: errors", errors, "", "0")
        report(f"booking {label}: lost (no answer)", REQUESTS - len(outcomes), "", "0")
        report(f"booking {label}: slots sold over capacity", oversold, "", "0")
        report(f"booking {label}: seat counters != bookings", drift, "", "0")
        report(f"booking {label}: answered within 1 s of the opening", sum(1 for t in answered_at if t - start <= 1.0),
               "", f"{REQUESTS}")
        report(f"booking {label}: wall time for all", wall, "s")
        report(f"booking {label}: throughput", REQUESTS / wall if wall else 0.0, "req/s")
        report(f"booking {label}: latency p50", _pct(latencies, 0.5) * 1000, "ms")
        report(f"booking {label}: latency p95", _pct(latencies, 0.95) * 1000, "ms")
        report(f"booking {label}: latency max", max(latencies) * 1000, "ms")
        if errors:
            print(f"  errors: {dict((k, n) for k, n in kinds.items() if k.startswith('error'))}")
    finally:
        store.dispose()


def run(report, pg_url: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as d:
        run_once(report, f"sqlite:///{Path(d) / 'booking.sqlite3'}", "SQLite")
    if pg_url:
        import psycopg
        from sqlalchemy.engine import make_url

        from antrian.storage.db import normalise_url

        admin = make_url(normalise_url(pg_url))
        name = f"mpp_bench_{uuid.uuid4().hex[:10]}"
        dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            run_once(report, admin.set(database=name).render_as_string(hide_password=False), "PostgreSQL")
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
