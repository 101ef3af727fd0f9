"""One chaos worker process (not a test module): a kiosk issuing tickets, or an officer doing
every action at a few counters, at random, forever (until the killer sends it kill -9).

    python -m tests.chaos.worker kiosk   --db URL --seed N --origin T
    python -m tests.chaos.worker officer --db URL --seed N --origin T --counters 7,8

Refusals (QueueError: nothing waiting, a lost race, busy, a conflict) are expected and
skipped; anything else is a bug: the traceback goes to stderr and the worker exits 1."""

from __future__ import annotations

import argparse
import random
import sys
import time

SERVICES = ("ktp", "kk", "pdam-bayar", "ktp", "kk", "pdam-bayar", "pdam-baru")


def kiosk(q, rng: random.Random) -> None:
    from antrian.domain.errors import QueueError

    while True:
        try:
            q.issue(rng.choice(SERVICES), priority=rng.choice([None, None, None, "lansia"]), officer="kiosk")
        except QueueError:
            pass
        time.sleep(rng.random() * 0.05)


def officer(q, rng: random.Random, counters: list[str]) -> None:
    from antrian.domain.errors import QueueError

    def parked_number() -> str | None:
        with q.store.read() as tx:
            parked = [t for t in tx.open_tickets(q.service_day()) if t.status.value == "parked"]
        return rng.choice(parked).number if parked else None

    def waiting_number() -> str | None:
        with q.store.read() as tx:
            waiting = [t for t in tx.open_tickets(q.service_day()) if t.status.value in ("waiting", "called")]
        return rng.choice(waiting).number if waiting else None

    actions = {
        "call_next": (8, lambda c: q.call_next(c, officer="o" + c)),
        "recall": (3, lambda c: q.recall(c, officer="o" + c)),
        "start": (6, lambda c: q.start(c, officer="o" + c)),
        "finish": (6, lambda c: q.finish(c, officer="o" + c)),
        "no_show": (2, lambda c: q.no_show(c, officer="o" + c)),
        "park": (2, lambda c: q.park(c, officer="o" + c)),
        "unpark": (2, lambda c: (n := parked_number()) and q.unpark(c, n, officer="o" + c)),
        "call_number": (1, lambda c: (n := waiting_number()) and q.call_number(c, n, officer="o" + c)),
        "transfer": (1, lambda c: q.transfer(c, to_service=rng.choice(["ktp", "pdam-bayar"]), officer="o" + c)),
        "finish_next": (6, lambda c: q.finish_and_call_next(c, officer="o" + c)),
        "no_show_next": (2, lambda c: q.no_show_and_call_next(c, officer="o" + c)),
        "park_next": (1, lambda c: q.park_and_call_next(c, officer="o" + c)),
        "transfer_next": (1, lambda c: q.transfer_and_call_next(c, to_service="kk", officer="o" + c)),
        "close_unpark": (1, lambda c: (n := parked_number()) and q.close_and_unpark(c, "finish", n)),
        "pause": (1, lambda c: q.pause_counter(c, "istirahat", officer="o" + c)),
        "open": (1, lambda c: q.open_counter(c, officer="o" + c)),
        "force_close": (1, lambda c: q.close_counter(c, officer="spv", force=True)),
        "cancel": (2, lambda c: (n := waiting_number()) and q.cancel(n, officer="spv", reason="chaos")),
        "doctor": (1, lambda c: q.doctor()),
    }
    names = list(actions)
    weights = [actions[n][0] for n in names]
    while True:
        name = rng.choices(names, weights)[0]
        try:
            actions[name][1](rng.choice(counters))
        except QueueError:
            pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["kiosk", "officer"])
    p.add_argument("--db", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--origin", type=float, required=True)
    p.add_argument("--counters", default="7")
    args = p.parse_args(argv)

    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore
    from tests.conftest import make_hall
    from tests.integration.concurrency_worker import ShiftedClock

    q = QueueService(make_hall(), SqlStore(args.db), ShiftedClock(args.origin))
    rng = random.Random(args.seed)
    if args.role == "kiosk":
        kiosk(q, rng)
    else:
        officer(q, rng, args.counters.split(","))
    return 0


if __name__ == "__main__":
    sys.exit(main())
