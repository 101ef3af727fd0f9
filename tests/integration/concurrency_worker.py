"""One worker process of tests/integration/test_concurrency.py (not a test module).

    python -m tests.integration.concurrency_worker issuer  --db URL --name i1 --tickets 60 --sync DIR ...
    python -m tests.integration.concurrency_worker counter --db URL --name c7 --counter 7 --sync DIR ...
    python -m tests.integration.concurrency_worker display --db URL --name d1 --sync DIR ...
    python -m tests.integration.concurrency_worker fresh   --db URL --name f1 --tickets 3 --sync DIR ...

It builds its own store and QueueService (as a kiosk or counter PC would), signals it is ready,
waits for the "go" file so all workers start at once, works, and prints what it did as one JSON
object on stdout: every successful action in the order this process committed it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BASE = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # Wednesday 09:00 in Jakarta


class ShiftedClock:
    """The test hall's Wednesday 09:00 plus the real time elapsed since ``origin`` (shared by all
    workers, so their clocks agree and move on together)."""

    def __init__(self, origin: float):
        self.origin = origin

    def now(self) -> datetime:
        return BASE + timedelta(seconds=time.time() - self.origin)


def _wait_for(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"worker: {path} did not appear within {timeout} s")
        time.sleep(0.005)


def run_issuer(q, args, rng) -> dict:
    from antrian.domain.errors import QuotaFull

    issued, refused, actions = [], 0, []
    services = ["ktp", "kk", "pdam-bayar", "ktp", "kk", "pdam-bayar", "pdam-baru"]
    for _ in range(args.tickets):
        service = rng.choice(services)
        priority = rng.choice([None, None, None, "lansia", "ibu-hamil"])
        try:
            it = q.issue(service, priority=priority, officer=args.name)
        except QuotaFull:
            refused += 1
            continue
        t = it.ticket
        issued.append({"id": t.id, "number": t.number, "prefix": t.prefix, "seq": t.seq,
                       "day": t.service_day.isoformat(), "service": t.service_code})
        actions.append(["issued", t.id])
    return {"issued": issued, "refused": refused, "actions": actions}


def run_counter(q, args, rng, done_file: Path) -> dict:
    from antrian.domain.errors import NothingWaiting

    counter, name = args.counter, args.name
    actions = []
    q.open_counter(counter, officer=name)
    actions.append(["counter_opened", None])
    called, idle_after_done = [], 0
    while True:
        try:
            t = q.call_next(counter, officer=name)
        except NothingWaiting:
            if done_file.exists():
                idle_after_done += 1
                if idle_after_done >= 3:  # the issuers have finished and nothing is left for us
                    break
            time.sleep(0.003)
            continue
        idle_after_done = 0
        called.append(t.id)
        actions.append(["called", t.id])
        roll = rng.random()
        if roll < 0.1:
            q.recall(counter, officer=name)
            actions.append(["recalled", t.id])
            q.no_show(counter, officer=name)
            actions.append(["no_show", t.id])
        else:
            q.start(counter, officer=name)
            actions.append(["started", t.id])
            q.finish(counter, officer=name)
            actions.append(["finished", t.id])
    return {"called": called, "actions": actions}


def run_display(q, done_file: Path) -> dict:
    """A hall display: follow the event feed by increasing id while the others work."""
    seen, last, quiet = [], 0, 0
    while True:
        events = q.events_after(last, 500)
        if events:
            seen.extend(e.id for e in events)
            last = events[-1].id
            quiet = 0
            continue
        if done_file.exists():
            quiet += 1
            if quiet >= 3:
                break
        time.sleep(0.002)
    return {"seen": seen}


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["issuer", "counter", "display", "fresh"])
    p.add_argument("--db", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--sync", required=True, help="folder for the ready/go/done files")
    p.add_argument("--origin", type=float, required=True)
    p.add_argument("--tickets", type=int, default=0)
    p.add_argument("--counter")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore
    from tests.conftest import make_hall

    sync = Path(args.sync)
    store = SqlStore(args.db, pool_size=2)
    q = QueueService(make_hall(), store, ShiftedClock(args.origin))
    (sync / f"ready-{args.name}").touch()
    _wait_for(sync / "go", 120)
    started = time.perf_counter()
    rng = random.Random(args.seed)
    try:
        if args.role == "fresh":  # the first use of a database nobody has migrated yet
            from antrian.domain.errors import QueueError

            try:
                result = {"numbers": [q.issue("kk", officer=args.name).ticket.number for _ in range(args.tickets)]}
            except QueueError as e:
                result = {"error": f"{type(e).__name__}: {e}"}
        elif args.role == "issuer":
            result = run_issuer(q, args, rng)
        elif args.role == "display":
            result = run_display(q, sync / "finished")
        else:
            result = run_counter(q, args, rng, sync / "done")
    finally:
        store.dispose()
    result["name"] = args.name
    result["seconds"] = round(time.perf_counter() - started, 3)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
