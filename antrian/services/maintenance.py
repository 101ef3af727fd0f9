"""`mpp doctor`: recompute the derived per-day counts from the ticket rows, report any drift
and, when asked, repair it (and free a counter that holds a ticket no longer at a counter).

The waiting counts behind "people ahead" are kept in step with the tickets by the use cases
(same transaction, same guard); the doctor is the proof, and the repair for a database that
older versions left drifted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from antrian.domain.catalogue import Hall
from antrian.domain.model import AT_COUNTER, Status
from antrian.services.ports import QueueTx
from antrian.services.queue_base import QueueCore, retry_conflicts


@dataclass(frozen=True)
class Drift:
    """One derived value that does not match the rows: ``what`` is "waiting", "waiting_priority"
    or "counter" (a counter holding a ticket that is not at a counter)."""

    what: str
    key: str
    stored: int | None
    actual: int | None

    def __str__(self) -> str:
        if self.what == "counter":
            return f"counter {self.key} holds ticket {self.stored}, which is not at a counter"
        return f"{self.what} {self.key}: stored {self.stored}, rows say {self.actual}"


@dataclass(frozen=True)
class DoctorReport:
    day: date
    drift: tuple[Drift, ...]
    repaired: bool

    @property
    def ok(self) -> bool:
        return not self.drift


def find_drift(tx: QueueTx, hall: Hall, day: date) -> list[Drift]:
    """What the stored counts of ``day`` and the counters say that the rows do not."""
    open_tickets = tx.open_tickets(day)
    out: list[Drift] = []
    for s in hall.services:
        rows = [t for t in open_tickets if t.status == Status.WAITING and t.service_code == s.code]
        for what, priority in (("waiting", False), ("waiting_priority", True)):
            actual = sum(1 for t in rows if t.is_priority) if priority else len(rows)
            stored = tx.waiting_count(day, s.code, priority)
            if stored != actual:
                out.append(Drift(what, s.code, stored, actual))
    for st in tx.counter_states():
        if st.current_ticket_id is None:
            continue
        t = tx.get_ticket(st.current_ticket_id)
        if t is None or t.status not in AT_COUNTER or t.counter_code != st.code:
            out.append(Drift("counter", st.code, st.current_ticket_id, None))
    return out


class Maintenance(QueueCore):
    @retry_conflicts
    def doctor(self, repair: bool = False) -> DoctorReport:
        """Recompute today's waiting counts from the rows; with ``repair`` write the recomputed
        values (and free counters holding a ticket no longer at a counter), in one transaction
        that also appends a "repaired" event."""
        now = self.clock.now()
        if not repair:
            day = self.service_day(now)
            with self.store.read() as tx:
                return DoctorReport(day, tuple(find_drift(tx, self.hall, day)), False)
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            for st in tx.counter_states():  # lock order: counter rows first
                tx.lock_counter(st.code)
            drift = find_drift(tx, self.hall, day)
            for d in drift:
                if d.what == "counter":
                    assert d.stored is not None
                    tx.release_ticket(d.key, d.stored)
                else:
                    assert d.actual is not None
                    tx.set_waiting_count(day, d.key, d.what == "waiting_priority", d.actual)
            if drift:
                self._event(tx, "repaired", now, drift=[str(d) for d in drift])
            return DoctorReport(day, tuple(drift), bool(drift))
