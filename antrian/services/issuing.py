"""Issuing a ticket: quota, number, the people ahead and the estimated wait, in one transaction."""

from __future__ import annotations

from datetime import datetime

from antrian.domain import rules
from antrian.domain.catalogue import Agency, Service
from antrian.domain.errors import PriorityNotAllowed, UnknownPriorityGroup
from antrian.domain.model import IssuedTicket, Status, Ticket, make_token, qr_text, token_parts
from antrian.services.ports import ServerIssue, ServerIssued
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
        fast = self._issue_at_server(service, agency, priority, officer, now)
        if fast is not None:
            return fast
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

    def _issue_at_server(self, service: Service, agency: Agency, priority: str | None, officer: str | None,
                         now: datetime) -> IssuedTicket | None:
        """The issue as one request where the store can run it (PostgreSQL:
        antrian.services.ports.ServerCalls); None, with nothing changed, when it cannot (the
        service is closed now, a number format it cannot build, a full quota ...): then the steps
        above run, and refuse in their words."""
        calls = getattr(self.store, "issue_at_server", None)
        if calls is None or not getattr(self.store, "at_server", False):
            return None
        number = self.hall.number_parts(agency.prefix)
        if number is None:
            return None
        if rules.availability(service, self.hall, self.local_now(now), 0).reason == "closed":
            return None
        day = self.service_day(now)
        got: ServerIssued | None = calls(ServerIssue(
            day=day, service=service.code, agency=agency.code, prefix=agency.prefix, priority=priority, at=now,
            quota=service.quota or None, number_parts=number, token_parts=token_parts(day, agency.prefix),
            counters=tuple(sorted({c.code for c in self.hall.counters_serving(service.code)})),
            service_minutes=float(service.service_minutes), officer=officer))
        if got is None:
            return None
        ticket = Ticket(
            id=got.ticket_id, service_day=day, prefix=agency.prefix, seq=got.seq, number=got.number,
            service_code=service.code, agency_code=agency.code, priority=priority, status=Status.WAITING,
            issued_at=now, arrival_at=now, token=got.token,
        )
        return IssuedTicket(ticket=ticket, ahead=got.ahead, eta_minutes=got.eta_minutes,
                            qr_text=qr_text(got.token, self.hall.public_url))
