"""A chaos run (issue 10): kiosk and officer worker processes doing every action on several
counters while a killer sends kill -9 (Popen.kill) at random and starts a fresh worker in the
victim's place; then the invariants over rows and events (tests/chaos/invariants.py).

    python -m tests.chaos.run --seconds 180 [--backend sqlite|pg|both] [--pg-admin URL]

prints one line per backend: operations, kills, violations (and the violations themselves)."""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# two officers share the K counters and two the P counters: real contention on the same rows
ROLES = [("kiosk", None), ("kiosk", None), ("officer", "7,8"), ("officer", "7,8"), ("officer", "3,4"),
         ("officer", "3,4,7")]


@dataclass
class ChaosResult:
    backend: str
    seconds: float
    operations: int = 0
    kills: int = 0
    spawned: int = 0
    violations: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"chaos {self.backend}: {self.seconds:.0f} s, operations {self.operations}, "
                f"kills {self.kills}, workers started {self.spawned}, violations {len(self.violations)}")


def _spawn(url: str, role: str, counters: str | None, seed: int, origin: float, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    args = [sys.executable, "-m", "tests.chaos.worker", role, "--db", url, "--seed", str(seed),
            "--origin", repr(origin)]
    if counters:
        args += ["--counters", counters]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))


def run(url: str, seconds: float, backend: str, seed: int = 1, workdir: Path | None = None,
        enough: tuple[int, int] | None = None) -> ChaosResult:
    """Workers and the killer for ``seconds``, or (with ``enough`` = (kills, operations)) until at
    least that many kills and committed operations, whichever comes first."""
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade
    from tests.chaos.invariants import operations, violations
    from tests.conftest import make_hall
    from tests.integration.concurrency_worker import ShiftedClock

    rng = random.Random(seed)
    logs = Path(workdir or tempfile.mkdtemp(prefix="mpp-chaos-"))
    upgrade(url)
    origin = time.time()
    s = SqlStore(url)  # the day's rollover before the workers start
    QueueService(make_hall(), s, ShiftedClock(origin)).open_counter("7")
    s.dispose()
    result = ChaosResult(backend, seconds)
    procs: list[tuple[subprocess.Popen, Path, tuple[str, str | None]]] = []

    def start(role: tuple[str, str | None]) -> None:
        result.spawned += 1
        log = logs / f"worker-{result.spawned}.err"
        procs.append((_spawn(url, role[0], role[1], rng.randrange(1 << 30), origin, log), log, role))

    for role in ROLES:
        start(role)
    began = time.monotonic()
    end = began + seconds
    while time.monotonic() < end:
        time.sleep(rng.uniform(0.5, 2.5))
        for p, log, role in list(procs):  # a worker that stopped by itself is a bug
            if p.poll() is not None:
                result.violations.append(f"worker {role} exited {p.returncode}: {log.read_text()[-2000:]}")
                procs.remove((p, log, role))
                start(role)
        victim = rng.randrange(len(procs))
        p, log, role = procs.pop(victim)
        p.kill()  # kill -9, portable
        p.wait()
        result.kills += 1
        start(role)
        if enough is not None and result.kills >= enough[0] and operations(url) >= enough[1]:
            break
    for p, _, _ in procs:
        p.kill()
        p.wait()
    result.seconds = round(time.monotonic() - began, 1)  # how long the chaos lasted
    result.operations = operations(url)
    result.violations += violations(url, make_hall())
    return result


def fresh_pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    from antrian.storage.db import normalise_url

    admin = make_url(normalise_url(admin_url))
    name = f"mpp_chaos_{uuid.uuid4().hex[:10]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False), name


def drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from antrian.storage.db import normalise_url

    dsn = make_url(normalise_url(admin_url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=float(os.environ.get("CHAOS_SECONDS", 180)))
    p.add_argument("--backend", choices=["sqlite", "pg", "both"], default="both")
    p.add_argument("--pg-admin", default=os.environ.get("MPP_TEST_PG_URL", ""))
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    results = []
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="mpp-chaos-") as d:
            results.append(run(f"sqlite:///{Path(d) / 'chaos.sqlite3'}", args.seconds, "sqlite", args.seed, Path(d)))
            print(results[-1].line(), flush=True)
    if args.backend in ("pg", "both"):
        if not args.pg_admin:
            print("chaos pg: skipped (no PostgreSQL: set MPP_TEST_PG_URL)", flush=True)
        else:
            url, name = fresh_pg_database(args.pg_admin)
            try:
                results.append(run(url, args.seconds, "pg", args.seed))
                print(results[-1].line(), flush=True)
            finally:
                drop_pg_database(args.pg_admin, name)
    for r in results:
        for v in r.violations[:50]:
            print(f"  {r.backend}: {v}")
    return 1 if any(r.violations for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
