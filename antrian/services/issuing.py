"""Issuing a ticket: quota, number, the people ahead and the estimated wait, in one transaction."""

from __future__ import annotations

from antrian.domain import rules
from antrian.domain.errors import PriorityNotAllowed, UnknownPriorityGroup
from antrian.domain.model import IssuedTicket, Status, Ticket, make_token, qr_text
from antrian.services.queue_base import QueueCore, retry_conflicts


class Issuing(QueueCore):
    @retry_conflicts
    def issue(self, service_code: str, priority: str | None = None, officer: str | None = None) -> IssuedTicket:
        service = self._service(service_code)
        if priority is not None:
            if priority not in self.hall.priority.groups:
                raise UnknownPriorityGroup(
                    f"unknown priority group '{priority}' (groups: {', '.join(self.hall.priority.groups)})",
                    group=priority,
                )
            if not service.priority_allowed:
                raise PriorityNotAllowed(f"service '{service.name}' has no priority line", service=service.name)
        agency = self.hall.agency(service.agency_code)
        now = self.clock.now()
        with self.store.transaction() as tx:
            day = self._begin(tx, now)
            # the slot and the number in one statement (the count after it): refusing rolls both back
            n, seq = tx.take_slot_and_number(day, service.code, agency.prefix)
            rules.check_can_issue(service, self.hall, self.local_now(now), n - 1)
            ahead = tx.waiting_count(day, service.code, priority=priority is not None)
            # right after the waiting count: SqlTx answers both from one statement
            avg = self._avg_minutes(tx, day, service)
            token = make_token(day, agency.prefix, seq)
            ticket = tx.add_waiting(
                Ticket(
                    id=None, service_day=day, prefix=agency.prefix, seq=seq,
                    number=self.hall.format_number(agency.prefix, seq),
                    service_code=service.code, agency_code=agency.code, priority=priority,
                    status=Status.WAITING, issued_at=now, arrival_at=now, token=token,
                )
            )
            eta = rules.estimate_wait_minutes(
                ahead, avg, self._open_counters(tx, service.code)
            )
            self._event(tx, "issued", now, ticket, officer=officer, ahead=ahead, eta_minutes=eta,
                        priority=priority, prefix=agency.prefix, seq=seq)
        return IssuedTicket(ticket=ticket, ahead=ahead, eta_minutes=eta, qr_text=qr_text(token, self.hall.public_url))
