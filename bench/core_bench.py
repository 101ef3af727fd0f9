"""Queue core: latency and throughput of issue and call-next on SQLite and PostgreSQL with 1, 4
and 16 concurrent client processes, with 100 and 100,000 waiting tickets; duplicates; the wall
time of one `mpp issue` command."""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_COUNTERS = 20
OPS_PER_CLIENT = {1: 300, 4: 100, 16: 40}


def bench_hall():
    from antrian.config import HallFile, build_hall

    all_day = {d: ["00:00-23:59"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    return build_hall(HallFile.model_validate({
        "hall": {"name": "Bench", "city": "Bench"},
        "defaults": {"hours": all_day},
        "agency": [{
            "code": "dukcapil", "name": "Disdukcapil", "prefix": "K",
            "counters": list(range(1, N_COUNTERS + 1)),
            "service": [{"code": "ktp", "name": "KTP-el"}, {"code": "kk", "name": "KK"},
                        {"code": "akta", "name": "Akta"}],
        }],
    }))


def _pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def _client(url: str, op: str, counter: str, n: int, start_evt, out_q) -> None:
    from antrian.domain.errors import NothingWaiting
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore

    q = QueueService(bench_hall(), SqlStore(url, auto_upgrade=False, pool_size=1))
    services = ("ktp", "kk", "akta")
    # warm up the connection and statement caches
    q.status()
    lat: list[float] = []
    numbers: list[str] = []
    called: list[int] = []
    start_evt.wait()
    t0 = time.perf_counter()
    for i in range(n):
        if op == "issue":
            s = time.perf_counter()
            it = q.issue(services[i % 3])
            lat.append(time.perf_counter() - s)
            numbers.append(it.ticket.number)
        else:
            s = time.perf_counter()
            try:
                t = q.call_next(counter)
            except NothingWaiting:
                break
            lat.append(time.perf_counter() - s)
            called.append(t.id)
            q.finish(counter)
    out_q.put((lat, numbers, called, time.perf_counter() - t0))
    q.store.dispose()


def _preload(url: str, waiting: int) -> None:
    """Insert `waiting` waiting tickets for today directly (fast), numbering them 1..waiting."""
    from sqlalchemy import insert

    from antrian.domain.model import make_token
    from antrian.services.queue import QueueService
    from antrian.storage import tables as T
    from antrian.storage.db import SqlStore

    hall = bench_hall()
    store = SqlStore(url, auto_upgrade=False)
    q = QueueService(hall, store)
    day = q.service_day()
    now = datetime.now(timezone.utc)
    with store.transaction() as tx:
        tx.rollover(day)
    rows = []
    for i in range(1, waiting + 1):
        rows.append(dict(service_day=day, prefix="K", seq=i, number=hall.format_number("K", i),
                         service_code=("ktp", "kk", "akta")[i % 3], agency_code="dukcapil",
                         priority="lansia" if i % 10 == 0 else None, prio=1 if i % 10 == 0 else 0,
                         status="waiting", issued_at=now - timedelta(seconds=waiting - i),
                         arrival_at=now - timedelta(seconds=waiting - i), token=make_token(day, "K", i),
                         recall_count=0))
    counts = {"seq:K": waiting}
    for row in rows:
        s = row["service_code"]
        counts[f"svc:{s}"] = counts.get(f"svc:{s}", 0) + 1
        counts[f"wait:{s}"] = counts.get(f"wait:{s}", 0) + 1
        if row["prio"]:
            counts[f"waitp:{s}"] = counts.get(f"waitp:{s}", 0) + 1
    with store.raw_engine().begin() as conn:
        for k in range(0, len(rows), 5000):
            conn.execute(insert(T.tickets), rows[k:k + 5000])
        # the day's counts as issuing them one by one would have left them (storage's count keys)
        conn.execute(insert(T.daily_counts), [dict(day=day, key=k, value=v) for k, v in counts.items()])
    store.dispose()


def _fresh_db(kind: str, pg_url: str | None, tmp: Path):
    from antrian.storage.db import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{tmp / (uuid.uuid4().hex + '.sqlite3')}"
        upgrade(url)
        return url, lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    from antrian.storage.db import normalise_url

    admin = make_url(normalise_url(pg_url))
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"mpp_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    upgrade(url)

    def drop():
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def _run(url: str, op: str, clients: int) -> tuple[list[float], list[str], list[int], float]:
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    n = OPS_PER_CLIENT[clients]
    procs = [ctx.Process(target=_client, args=(url, op, str(i + 1), n, start, out)) for i in range(clients)]
    for p in procs:
        p.start()
    time.sleep(1.0 + 0.1 * clients)  # let them connect
    t0 = time.perf_counter()
    start.set()
    results = [out.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join(timeout=30)
    lat = [x for r in results for x in r[0]]
    numbers = [x for r in results for x in r[1]]
    called = [x for r in results for x in r[2]]
    return lat, numbers, called, wall


def run(report, pg_url: str | None = None) -> None:
    kinds = ["sqlite"] + (["pg"] if pg_url else [])
    if not pg_url:
        print("  (PostgreSQL skipped: MPP_TEST_PG_URL is not set)")
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as d:
        tmp = Path(d)
        for kind in kinds:
            for waiting in (100, 100_000):
                for clients in (1, 4, 16):
                    for op in ("issue", "call"):
                        url, drop = _fresh_db(kind, pg_url, tmp)
                        try:
                            _preload(url, waiting)
                            lat, numbers, called, wall = _run(url, op, clients)
                        finally:
                            drop()
                        ms = [x * 1000 for x in lat]
                        label = f"{kind} {op:<5} clients={clients:<2} waiting={waiting:<6}"
                        target = ""
                        if op == "issue" and clients == 1:
                            target = "target p95 <= " + ("5 ms" if kind == "sqlite" else "10 ms")
                        report(f"{label} p50", statistics.median(ms), "ms")
                        report(f"{label} p95", _pct(ms, 0.95), "ms", target)
                        report(f"{label} p99", _pct(ms, 0.99), "ms")
                        report(f"{label} throughput", len(ms) / wall if wall else 0.0, "op/s")
                        dup = (len(numbers) - len(set(numbers))) + (len(called) - len(set(called)))
                        report(f"{label} duplicates", dup, "", "target 0")
    # one `mpp issue` command, as a script or another station would run it
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as d:
        url = f"sqlite:///{Path(d) / 'cli.sqlite3'}"
        mpp = str(Path(sys.executable).parent / "mpp")
        env = dict(os.environ, MPP_DB_URL=url, MPP_ALWAYS_OPEN="1")  # any hour, any day
        subprocess.run([mpp, "db", "upgrade"], env=env, check=True, capture_output=True)
        svc = _open_service()
        walls = []
        for _ in range(5):
            t0 = time.perf_counter()
            r = subprocess.run([mpp, "issue", svc, "--json"], env=env, capture_output=True, text=True)
            walls.append(time.perf_counter() - t0)
            if r.returncode != 0:
                print(f"  mpp issue failed: {r.stderr.strip()}")
                break
        report("mpp issue wall time (median of 5)", statistics.median(walls), "s", "target <= 0.5 s")


def _open_service() -> str:
    """A service of the bundled hall that is open now (the command must succeed), else any."""
    from antrian.config import load_hall
    from antrian.domain import rules
    from antrian.paths import default_hall_config

    hall = load_hall(default_hall_config())
    now = datetime.now(hall.tz)
    for s in hall.services:
        if rules.availability(s, hall, now, 0).open:
            return s.code
    return hall.services[0].code
