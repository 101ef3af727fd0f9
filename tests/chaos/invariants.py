"""The invariants a chaos run checks over the rows and the events (not a test module)."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from antrian.domain.model import AT_COUNTER, Status
from antrian.services.maintenance import find_drift
from antrian.storage import tables as T
from antrian.storage.db import SqlStore

# the status a ticket has after each event that changes it (recalled changes only the count)
AFTER = {
    "issued": Status.WAITING, "transferred_in": Status.WAITING, "requeued": Status.WAITING,
    "called": Status.CALLED, "called_number": Status.CALLED, "unparked": Status.CALLED,
    "started": Status.SERVING, "finished": Status.DONE, "no_show": Status.NO_SHOW,
    "parked": Status.PARKED, "transferred": Status.TRANSFERRED, "cancelled": Status.CANCELLED,
}


def violations(url: str, hall) -> list[str]:
    """Every broken promise in the database at ``url`` (empty: none)."""
    store = SqlStore(url)
    out: list[str] = []
    try:
        with store.read() as tx:
            conn = tx.conn
            tickets = {r.id: r for r in conn.execute(select(T.tickets))}
            counters = list(conn.execute(select(T.counters)))
            events = list(conn.execute(select(T.events).order_by(T.events.c.id)))
            days = {r.service_day for r in tickets.values()}
            for day in sorted(days):
                out += [f"{day}: {d}" for d in find_drift(tx, hall, day)]
    finally:
        store.dispose()

    # numbers unique per prefix and day (a transferred ticket's linked ticket keeps its number)
    numbers = Counter((r.service_day, r.prefix, r.seq) for r in tickets.values() if r.transferred_from is None)
    out += [f"number {p}-{s:03d} of {d} issued {n} times" for (d, p, s), n in numbers.items() if n > 1]

    # a ticket held by at most one counter, a counter holding at most one, and both agree
    held = Counter(c.current_ticket_id for c in counters if c.current_ticket_id is not None)
    out += [f"ticket {tid} held by {n} counters" for tid, n in held.items() if n > 1]
    holder = {c.current_ticket_id: c.code for c in counters if c.current_ticket_id is not None}
    for c in counters:
        if c.current_ticket_id is None:
            continue
        t = tickets.get(c.current_ticket_id)
        if t is None or Status(t.status) not in AT_COUNTER or t.counter_code != c.code:
            out.append(f"counter {c.code} holds ticket {c.current_ticket_id} "
                       f"({t.status if t else 'missing'} at {t.counter_code if t else '-'})")
    for t in tickets.values():
        if Status(t.status) in AT_COUNTER and holder.get(t.id) != t.counter_code:
            out.append(f"ticket {t.number} ({t.id}) is {t.status} at {t.counter_code}, which does not hold it")

    # each ticket's state is what its last event says; every ticket has its issued event
    last: dict[int, str] = {}
    first: dict[int, str] = {}
    for e in events:
        if e.ticket_id is None or e.type not in AFTER:
            continue
        first.setdefault(e.ticket_id, e.type)
        last[e.ticket_id] = e.type
    for t in tickets.values():
        want = "transferred_in" if t.transferred_from is not None else "issued"
        if first.get(t.id) != want:
            out.append(f"ticket {t.number} ({t.id}) has no {want} event first (first: {first.get(t.id)})")
            continue
        if AFTER[last[t.id]] != Status(t.status):
            out.append(f"ticket {t.number} ({t.id}) is {t.status} but its last event is {last[t.id]}")
    per_ticket = defaultdict(int)
    for e in events:
        if e.type == "issued" and e.ticket_id is not None:
            per_ticket[e.ticket_id] += 1
    out += [f"ticket {tid} has {n} issued events" for tid, n in per_ticket.items() if n > 1]
    return out


def operations(url: str) -> int:
    """Committed actions: every event except the day's rollover."""
    store = SqlStore(url)
    try:
        with store.read() as tx:
            return sum(1 for _ in tx.conn.execute(select(T.events.c.id).where(T.events.c.type != "day_rollover")))
    finally:
        store.dispose()
