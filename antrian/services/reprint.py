"""What a reprinted ticket says: the ticket's state now, not what a new ticket would be told.

    ticket = queue.find_ticket("K-012")
    view = reprint_view(queue, ticket)   # a ReprintView (an IssuedTicket) or raises

Rules (issue 15, points 6-7):
- a waiting priority ticket counts only the priority tickets of its service ahead of it (the
  priority line is called first), exactly as ``QueueService.issue`` told its holder;
- a waiting normal ticket counts every waiting ticket of its service ahead of it, priority ones
  included (they are called first);
- a ticket already called, being served, parked, served or absent is reprinted with that state
  (``state``), never "please wait, 0 ahead";
- a ticket of an earlier service day, or expired, cancelled or transferred, is refused
  (``TicketNotReprintable``): it cannot be used any more.

Built only on QueueService's public face (``store``, ``hall``, ``clock``, ``service_day``) and the
store's read port; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from antrian.domain import rules
from antrian.domain.errors import QueueError
from antrian.domain.model import CounterStatus, IssuedTicket, Status, Ticket, qr_text

if TYPE_CHECKING:
    from antrian.services.ports import QueueTx
    from antrian.services.queue import QueueService

# states printed as they are (the holder learns what happened to the ticket)
SHOWN_STATES = frozenset({Status.CALLED, Status.SERVING, Status.PARKED, Status.DONE, Status.NO_SHOW})
REFUSED_STATES = frozenset({Status.EXPIRED, Status.CANCELLED, Status.TRANSFERRED})


class TicketNotReprintable(QueueError):
    """The ticket can no longer be used (another day, expired, cancelled or transferred)."""

    code = "ticket_not_reprintable"
    exit_code = 5


@dataclass(frozen=True)
class ReprintView(IssuedTicket):
    """An ``IssuedTicket`` for a reprint, plus the ticket's current state."""

    state: Status = Status.WAITING
    counter_code: str | None = None  # where it was called / served

    @property
    def waiting(self) -> bool:
        return self.state == Status.WAITING


def reprint_view(queue: QueueService, ticket: Ticket) -> ReprintView:
    """The reprint of ``ticket`` as of now (``queue``: a ``QueueService``). Raises
    ``TicketNotReprintable`` for a ticket that cannot be used any more."""
    today = queue.service_day()
    if ticket.service_day != today or ticket.status == Status.EXPIRED:
        raise TicketNotReprintable(
            f"ticket {ticket.number} was for {ticket.service_day:%d-%m-%Y} and has expired: "
            "take a new number", number=ticket.number, status=Status.EXPIRED.value,
        )
    if ticket.status in REFUSED_STATES:
        what = {Status.CANCELLED: "was cancelled", Status.TRANSFERRED: "was transferred to another service "
                "(reprint the new ticket)"}.get(ticket.status, ticket.status.value)
        raise TicketNotReprintable(f"ticket {ticket.number} {what}: it cannot be reprinted",
                                   number=ticket.number, status=ticket.status.value)
    hall = queue.hall
    service = hall.service(ticket.service_code)
    qr = qr_text(ticket.token, hall.public_url)
    if ticket.status != Status.WAITING:
        return ReprintView(ticket, 0, 0, qr, state=ticket.status, counter_code=ticket.counter_code)
    with queue.store.read() as tx:
        fresh = tx.get_ticket(ticket.id) if ticket.id is not None else None
        if fresh is not None and fresh.status != ticket.status:  # changed since it was looked up
            return reprint_view(queue, fresh)
        ahead = people_ahead(tx, ticket)
        times = tx.service_times(ticket.service_day, service.code)
        done_n, done_s = times.finished, times.total_seconds
        serving = {c.code for c in hall.counters_serving(service.code)}
        open_counters = sum(1 for st in tx.counter_states()
                            if st.code in serving and st.status == CounterStatus.OPEN)
    avg = done_s / done_n / 60.0 if done_n > 0 else service.service_minutes
    eta = rules.estimate_wait_minutes(ahead, avg, open_counters)
    return ReprintView(ticket, ahead, eta, qr, state=Status.WAITING)


def people_ahead(tx: QueueTx, ticket: Ticket) -> int:
    """How many will be called before a waiting ``ticket`` (what ``_ahead_of`` says of every open
    ticket, counted): a priority ticket has the earlier priority tickets ahead; any other the
    whole priority line (the day's count) and the earlier others. A counted index range."""
    return tx.people_ahead(ticket.service_day, ticket.service_code, ticket.is_priority, ticket.arrival_at,
                           ticket.id or 0)


def _ahead_of(other: Ticket, ticket: Ticket) -> bool:
    """Will ``other`` be called before ``ticket`` (same service, both waiting)?"""
    if other.status != Status.WAITING or other.service_code != ticket.service_code or other.id == ticket.id:
        return False
    earlier = (other.arrival_at, other.id or 0) < (ticket.arrival_at, ticket.id or 0)
    if ticket.is_priority:
        return other.is_priority and earlier
    return other.is_priority or earlier
