"""Queue core on SQLite and PostgreSQL:

- latency (one client, p50/p95): issue, call next, and the officer's cycle (finish + call next
  in one use case, ``close_and_call_next``) with 100 and 100,000 waiting, each against its
  floor: a bare driver INSERT+COMMIT on the same disk / server (sqlite3 WAL synchronous=FULL;
  psycopg), measured right before the rows it is printed beside (the host's speed moves within
  minutes), with the ratio value/floor;
- throughput with 16 client processes and 10,000 waiting: issue, call next (+ finish), and
  the cycle, each against the bare commits per second of one connection measured just before;
  duplicates as the clients saw them and as the database holds them (tickets called twice,
  ticket numbers stored twice or skipped).

`mpp issue` as a process is the process suite's (bench/process_bench.py, warm, target 0.2 s)."""

from __future__ import annotations

import multiprocessing as mp
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_COUNTERS = 20
OPS_PER_CLIENT = {1: 300, 4: 100, 16: 150}
LATENCY_OPS = 300
FLOOR_OPS = 300


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


def _client(url: str, op: str, counter: str, n: int, ready_q, start_evt, out_q) -> None:
    from antrian.domain.errors import NothingWaiting
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore

    q = QueueService(bench_hall(), SqlStore(url, auto_upgrade=False, pool_size=1))
    services = ("ktp", "kk", "akta")
    # warm up the connection and statement caches
    q.status()
    ready_q.put(counter)
    lat: list[float] = []
    numbers: list[str] = []
    called: list[int] = []
    start_evt.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(n):
        if op == "issue":
            s = time.perf_counter()
            it = q.issue(services[i % 3])
            lat.append(time.perf_counter() - s)
            numbers.append(it.ticket.number)
        elif op == "cycle":  # the officer's F1: finish the ticket at the counter and call the next
            s = time.perf_counter()
            h = q.close_and_call_next(counter, "finish") if i else None
            if h is None:
                try:
                    t = q.call_next(counter)
                except NothingWaiting:
                    break
            elif h.called is None:
                break
            else:
                t = h.called
            lat.append(time.perf_counter() - s)
            called.append(t.id)
        else:
            s = time.perf_counter()
            try:
                t = q.call_next(counter)
            except NothingWaiting:
                break
            lat.append(time.perf_counter() - s)
            called.append(t.id)
            q.finish(counter)
    out_q.put((lat, numbers, called, time.perf_counter() - t0, time.process_time() - c0))
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


def _run(url: str, op: str, clients: int) -> tuple[list[float], list[str], list[int], float, float]:
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    out, ready = ctx.Queue(), ctx.Queue()
    n = OPS_PER_CLIENT[clients]
    procs = [ctx.Process(target=_client, args=(url, op, str(i + 1), n, ready, start, out)) for i in range(clients)]
    for p in procs:
        p.start()
    for _ in procs:  # every client has started, connected and read once: none is still importing
        ready.get(timeout=300)
    time.sleep(0.2)  # the last one's interpreter settles
    t0 = time.perf_counter()
    start.set()
    results = [out.get(timeout=600) for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join(timeout=30)
    lat = [x for r in results for x in r[0]]
    numbers = [x for r in results for x in r[1]]
    called = [x for r in results for x in r[2]]
    cpu = sum(r[4] for r in results)  # the clients' CPU time inside their loops
    return lat, numbers, called, wall, cpu


def _stored_duplicates(url: str, preloaded: int) -> int:
    """What the database holds after a run, counted against double calls and numbering faults:
    tickets with more than one "called" event, numbers (prefix, seq) stored twice, and numbers
    skipped (the sequence must be 1..n without a gap)."""
    from sqlalchemy import text

    from antrian.storage.db import SqlStore

    store = SqlStore(url, auto_upgrade=False)
    try:
        with store.raw_engine().connect() as conn:
            twice = conn.execute(text(
                "SELECT count(*) FROM (SELECT ticket_id FROM events WHERE type = 'called' "
                "GROUP BY ticket_id HAVING count(*) > 1) AS d")).scalar_one()
            n, distinct, top = conn.execute(text(
                "SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM tickets WHERE prefix = 'K'")).one()
            not_waiting = conn.execute(text(
                "SELECT count(*) FROM tickets WHERE status <> 'waiting'")).scalar_one()
            called_events = conn.execute(text(
                "SELECT count(DISTINCT ticket_id) FROM events WHERE type = 'called'")).scalar_one()
    finally:
        store.dispose()
    assert n >= preloaded
    # a ticket that left the queue without a "called" event (or the reverse) counts too
    return int(twice) + int(n - distinct) + int(top - distinct) + abs(int(not_waiting) - int(called_events))


def floor_ms(kind: str, url: str, tmp: Path) -> float:
    """p50 of a bare driver INSERT+COMMIT: sqlite3 in WAL mode with synchronous=FULL in the
    same folder as the bench's database; psycopg on the same server."""
    lat = []
    if kind == "sqlite":
        import sqlite3

        conn = sqlite3.connect(tmp / f"floor-{uuid.uuid4().hex}.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE f (id INTEGER PRIMARY KEY, v TEXT)")
        for i in range(FLOOR_OPS):
            s = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute("INSERT INTO f (v) VALUES (?)", (str(i),))
            conn.execute("COMMIT")
            lat.append(time.perf_counter() - s)
        conn.close()
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        table = f"mpp_floor_{uuid.uuid4().hex[:10]}"  # a real table: a TEMP one commits without a WAL flush
        with psycopg.connect(dsn) as conn:
            conn.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, v text)")
            conn.commit()
            try:
                for i in range(FLOOR_OPS):
                    s = time.perf_counter()
                    conn.execute(f"INSERT INTO {table} (v) VALUES (%s)", (str(i),))
                    conn.commit()
                    lat.append(time.perf_counter() - s)
            finally:
                conn.rollback()
                conn.execute(f"DROP TABLE {table}")
                conn.commit()
    return statistics.median(lat) * 1000


def _latency(url: str, waiting: int) -> dict[str, list[float]]:
    """One client in this process: issue, call next (after a finish), and the cycle."""
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore

    q = QueueService(bench_hall(), SqlStore(url, auto_upgrade=False, pool_size=1))
    services = ("ktp", "kk", "akta")
    out: dict[str, list[float]] = {"issue": [], "call next": [], "cycle": []}
    try:
        q.call_next("1")
        q.call_next("2")
        for i in range(LATENCY_OPS + 20):  # the first 20: warm-up (statement caches, prepares)
            keep = i >= 20
            s = time.perf_counter()
            q.issue(services[i % 3])
            if keep:
                out["issue"].append(time.perf_counter() - s)
            q.issue(services[(i + 1) % 3])  # two issued per two called: the queue keeps its length
            s = time.perf_counter()
            q.close_and_call_next("1", "finish")
            if keep:
                out["cycle"].append(time.perf_counter() - s)
            q.finish("2")
            s = time.perf_counter()
            q.call_next("2")
            if keep:
                out["call next"].append(time.perf_counter() - s)
    finally:
        q.store.dispose()
    return out


TARGET_P50_MS = {"sqlite": 0.8, "pg": 1.5}


def run(report, pg_url: str | None = None) -> None:
    kinds = ["sqlite"] + (["pg"] if pg_url else [])
    if not pg_url:
        print("  (PostgreSQL skipped: MPP_TEST_PG_URL is not set)")
    with tempfile.TemporaryDirectory(prefix="mpp-bench-") as d:
        tmp = Path(d)
        for kind in kinds:
            for waiting in (100, 100_000):
                url, drop = _fresh_db(kind, pg_url, tmp)
                try:
                    _preload(url, waiting)
                    # the floor right before the rows it is printed beside: this host's own
                    # speed moves within minutes
                    floor = floor_ms(kind, pg_url or "", tmp)
                    lat = _latency(url, waiting)
                finally:
                    drop()
                report(f"{kind} floor: bare driver INSERT+COMMIT p50 (waiting={waiting} rows)", floor, "ms")
                for op, values in lat.items():
                    ms = [x * 1000 for x in values]
                    p50 = statistics.median(ms)
                    label = f"{kind} {op:<9} clients=1  waiting={waiting:<6}"
                    report(f"{label} p50", p50, "ms", f"p50<={TARGET_P50_MS[kind]}ms", floor=floor)
                    report(f"{label} p95", _pct(ms, 0.95), "ms")
            waiting, clients = 10_000, 16
            for op in ("issue", "call", "cycle"):
                url, drop = _fresh_db(kind, pg_url, tmp)
                try:
                    _preload(url, waiting)
                    floor = floor_ms(kind, pg_url or "", tmp)
                    lat2, numbers, called, wall, cpu = _run(url, op, clients)
                    stored = _stored_duplicates(url, waiting)
                finally:
                    drop()
                ms = [x * 1000 for x in lat2]
                label = f"{kind} {op:<9} clients={clients:<2} waiting={waiting:<6}"
                rate = len(ms) / wall if wall else 0.0
                p95 = _pct(ms, 0.95)
                goal = " (target on PostgreSQL)" if kind != "pg" else ""
                # a rate's floor: the bare commits per second on one connection (its ratio: how
                # many of those the 16 processes reach)
                report(f"{label} throughput", rate, "op/s", (">=400/s" + goal) if op != "issue" else "",
                       floor=round(1000 / floor, 1))
                report(f"{label} p95", p95, "ms", ("p95<=50ms" + goal) if op != "issue" else "")
                report(f"{label} client CPU per op", cpu / len(ms) * 1000 if ms else 0.0, "ms",
                       "(where the 2 cores go: the clients' share)")
                dup = (len(numbers) - len(set(numbers))) + (len(called) - len(set(called)))
                report(f"{label} duplicates", dup, "", "target 0 (numbers or calls the clients got twice)")
                report(f"{label} duplicates in db", stored, "",
                       "target 0 (tickets called twice, numbers issued twice or skipped)")
