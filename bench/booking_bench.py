"""Bookings when the slots open: 500 booking requests fired at once at 16:00 (the hour the newest
day opens) on one process, on SQLite and PostgreSQL, two ways:

- "service": through the use case (BookingService.book from a pool of 32 threads to the store);
- "web": through the booking page itself (POST /booking/s/<service>/<day>/<hhmm>, form with
  CSRF token, one client address per request, in-process ASGI: FastAPI -> asyncio.to_thread ->
  BookingService -> store), as the phones at 16:00 do.

Every request must be answered (accepted or "penuh") within the first second, none lost, no slot
sold twice. The rows say the machine's load average when the run started (other work on the same
cores slows every figure).

Run: python -m bench booking"""

from __future__ import annotations

import asyncio
import os
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
            start, cpu0 = time.perf_counter(), time.process_time()
            go.set()
            for f in futures:
                f.result()
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu0
        _check(report, f"{label} service", store, day, slots, popular, Counter(outcomes), answered_at, latencies,
               start, wall)
        report(f"booking {label} service: CPU per request", cpu / REQUESTS * 1000, "ms",
               f"<= {1000 / REQUESTS:.0f} on one core")
    finally:
        store.dispose()


def _check(report, label: str, store, day: date, slots, popular, kinds: Counter, answered_at, latencies,
           start: float, wall: float) -> None:
    from antrian.domain import booking as B

    with store.read() as tx:
        bk = store.bookings(tx)
        rows = bk.list_bookings(day, "ktp")
        taken = bk.slots_taken("ktp", day)
    per_slot = Counter(b.slot_at for b in rows)
    capacity = {B.slot_at(day, s.start, TZ): s.capacity for s in slots}
    oversold = sum(1 for at, n in per_slot.items() if n > capacity[at])
    drift = sum(1 for at in set(per_slot) | set(taken) if per_slot.get(at, 0) != taken.get(at, 0))
    errors = sum(n for k, n in kinds.items() if k.startswith("error"))
    answered = sum(kinds.values())
    within = sum(1 for t in answered_at if t - start <= 1.0)
    report(f"booking {label}: answered / lost / errors", f"{answered} / {REQUESTS - answered} / {errors}", "",
           f"{REQUESTS} / 0 / 0")
    report(f"booking {label}: accepted / penuh", f"{kinds['accepted']} / {kinds['penuh']}", "",
           f"{sum(capacity[B.slot_at(day, p, TZ)] for p in popular)} seats")
    report(f"booking {label}: oversold slots / counter drift", f"{oversold} / {drift}", "", "0 / 0")
    report(f"booking {label}: answered within 1 s of the opening", within, "", f"{REQUESTS}")
    report(f"booking {label}: wall time for all", wall, "s", "<= 1")
    report(f"booking {label}: latency p50 / p95 / max",
           f"{_pct(latencies, 0.5) * 1000:.0f} / {_pct(latencies, 0.95) * 1000:.0f} / {max(latencies) * 1000:.0f}", "ms")
    if errors:
        print(f"  errors: {dict((k, n) for k, n in kinds.items() if k.startswith('error'))}")


def run_web(report, url: str, label: str) -> None:
    """The same rush through the booking page (FastAPI in-process over ASGI)."""
    from urllib.parse import urlencode

    from antrian.domain import booking as B
    from antrian.services.booking import BookingService
    from antrian.services.notify import NotificationService
    from antrian.services.queue import QueueService
    from antrian.storage.booking_store import SqlBookingStore
    from antrian.storage.db import upgrade
    from antrian.storage.web_store import WebStore
    from web.app import WebDeps, create_app
    from web.live import LiveHub

    upgrade(url)
    hall = bench_hall()
    opening = datetime(2026, 11, 23, 16, 0, tzinfo=TZ)
    day: date = (opening + timedelta(days=7)).date()
    store = SqlBookingStore(url, pool_size=THREADS if "postgresql" in url else 5)
    clock = _FixedClock(opening.astimezone(timezone.utc))
    svc = BookingService(hall, store, clock)
    svc._hall_secret()
    queue = QueueService(hall, store, clock)
    ws = WebStore(store)
    notes = NotificationService(ws, None, hall.short_name, clock=clock)
    deps = WebDeps(queue=queue, store=ws, hub=LiveHub(queue, ws, notes), notifications=notes, booking=svc)
    app = create_app(deps, background=False)
    slots = B.slots_on(hall.service("ktp"), day, svc.policy)
    popular = [s.start for s in slots[:4]]
    kinds: Counter = Counter()
    latencies: list[float] = []
    answered_at: list[float] = []
    cpu: list[float] = []

    async def post(ip: str, path: str, form: dict) -> tuple[int, str, str]:
        """One POST straight into the ASGI app (what uvicorn hands it; no HTTP client in the way,
        the phones' side is not this server's work)."""
        body = urlencode(form).encode()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"mpp.test"), (b"content-type", b"application/x-www-form-urlencoded"),
                             (b"content-length", str(len(body)).encode())],
                 "client": (ip, 5000), "server": ("mpp.test", 80)}
        done = asyncio.Event()
        sent = False
        status, location, chunks = 0, "", []

        async def receive() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(msg: dict) -> None:
            nonlocal status, location
            if msg["type"] == "http.response.start":
                status = msg["status"]
                location = dict(msg.get("headers") or []).get(b"location", b"").decode()
            elif msg["type"] == "http.response.body":
                chunks.append(msg.get("body", b""))

        await app(scope, receive, send)
        done.set()
        return status, location, b"".join(chunks).decode(errors="replace")

    async def rush() -> tuple[float, float]:
        forms = []
        for i in range(REQUESTS):
            hhmm = f"{popular[i % len(popular)]:%H%M}"
            path = f"/booking/s/ktp/{day.isoformat()}/{hhmm}"
            csrf = deps.csrf.make(f"book:ktp:{day.isoformat()}:{hhmm}")
            forms.append((f"10.{i // 250}.{i % 250}.9", path, {"csrf": csrf, "kind": "nik", "ident": _nik(i),
                                                                "lang": "id"}))

        async def one(i: int) -> None:
            t0 = time.perf_counter()
            try:
                status, location, text = await post(*forms[i])
                if status == 303 and "/b/" in location:
                    kind = "accepted"
                elif status == 400 and "penuh" in text:
                    kind = "penuh"
                else:
                    kind = f"error:{status}"
            except Exception as e:
                kind = f"error:{type(e).__name__}"
            t1 = time.perf_counter()
            kinds[kind] += 1
            latencies.append(t1 - t0)
            answered_at.append(t1)

        # a server running since the morning has served a booking post before 16:00 (here: one
        # refused for its CSRF token, nothing written), so the form parser and the pages are loaded
        await post("10.9.9.9", forms[0][1], {**forms[0][2], "csrf": "0.x"})
        start, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(i) for i in range(REQUESTS)))
        wall = time.perf_counter() - start
        cpu.append(time.process_time() - cpu0)
        return start, wall

    try:
        start, wall = asyncio.run(rush())
        _check(report, f"{label} web", store, day, slots, popular, kinds, answered_at, latencies, start, wall)
        # CPU time of this process (all its threads) for the rush: the figure other work on the
        # machine does not change
        report(f"booking {label} web: CPU per request", cpu[0] / REQUESTS * 1000, "ms", f"<= {1000 / REQUESTS:.0f} on one core")
    finally:
        store.dispose()


def run(report, pg_url: str | None = None) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report("booking: load average (1 min) at the start", load, "", f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as d:
        run_once(report, f"sqlite:///{Path(d) / 'booking.sqlite3'}", "SQLite")
    with tempfile.TemporaryDirectory() as d:
        run_web(report, f"sqlite:///{Path(d) / 'booking.sqlite3'}", "SQLite")
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
            with psycopg.connect(dsn, autocommit=True) as conn:  # a fresh database for the web run
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            run_web(report, admin.set(database=name).render_as_string(hide_password=False), "PostgreSQL")
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
