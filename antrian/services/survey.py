"""Use case: a citizen answers the SKM survey for a served ticket; the IKM per agency, service
and period. One response per ticket; answers outside 1-4 are refused; no personal data."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, Sequence

from antrian.domain.catalogue import Hall
from antrian.domain.model import TOKEN_RE
from antrian.domain.survey import (
    AlreadyAnswered,
    IkmResult,
    NotSurveyable,
    Profile,
    check_answers,
    clean_comment,
    compute_ikm,
)

CHANNELS = ("counter", "web")


@dataclass(frozen=True)
class SurveyTicket:
    id: int
    service_day: date
    agency_code: str
    service_code: str
    counter_code: str | None
    status: str
    number: str


@dataclass(frozen=True)
class SurveyResponse:
    ticket_id: int
    service_day: date
    agency_code: str
    service_code: str
    counter_code: str | None
    channel: str
    answers: tuple[int, ...]
    profile: Profile
    comment: str | None
    id: int | None = None
    created_at: datetime | None = None


class SurveyTx(Protocol):
    def survey_ticket(self, ticket_id: int) -> SurveyTicket | None: ...
    def survey_ticket_by_token(self, token: str) -> SurveyTicket | None: ...
    def has_response(self, ticket_id: int) -> bool: ...
    def add_response(self, response: SurveyResponse) -> int:
        """Insert; raises AlreadyAnswered when the ticket already has one (unique ticket_id)."""
        ...
    def responses(self, start: date, end: date, agency: str | None = None,
                  service: str | None = None) -> list[SurveyResponse]: ...


class SurveyStore(Protocol):
    def transaction(self) -> AbstractContextManager[SurveyTx]: ...
    def read(self) -> AbstractContextManager[SurveyTx]: ...


@dataclass(frozen=True)
class IkmRow:
    level: str  # "agency" | "service" | "hall"
    code: str
    name: str
    result: IkmResult


class SurveyService:
    def __init__(self, hall: Hall, store: SurveyStore):
        self.hall = hall
        self.store = store

    def _ticket(self, tx: SurveyTx, ticket: int | str) -> SurveyTicket:
        if isinstance(ticket, int):
            t = tx.survey_ticket(ticket)
        else:
            m = TOKEN_RE.search(str(ticket).strip().upper())
            t = tx.survey_ticket_by_token(m.group(0)) if m else None
        if t is None:
            raise NotSurveyable(f"no ticket {ticket!s:.40} to survey", ticket=str(ticket)[:40])
        if t.status != "done":
            raise NotSurveyable(f"ticket {t.number} is {t.status}; only a served ticket can be surveyed",
                                number=t.number, status=t.status)
        return t

    def can_answer(self, ticket: int | str) -> SurveyTicket:
        """The served ticket the survey is for; raises if it cannot (or can no longer) answer."""
        with self.store.read() as tx:
            t = self._ticket(tx, ticket)
            if tx.has_response(t.id):
                raise AlreadyAnswered(f"ticket {t.number} has already answered the survey", number=t.number)
            return t

    def submit(self, ticket: int | str, answers: Sequence[int] | dict[str, int], profile: Profile | None = None,
               comment: str | None = None, channel: str = "counter") -> int:
        """Record one response (ticket id or QR token); returns the response id."""
        answers = check_answers(answers)
        if channel not in CHANNELS:
            raise NotSurveyable(f"unknown survey channel '{channel}'", channel=channel)
        with self.store.transaction() as tx:
            t = self._ticket(tx, ticket)
            if tx.has_response(t.id):
                raise AlreadyAnswered(f"ticket {t.number} has already answered the survey", number=t.number)
            return tx.add_response(SurveyResponse(
                ticket_id=t.id, service_day=t.service_day, agency_code=t.agency_code,
                service_code=t.service_code, counter_code=t.counter_code, channel=channel, answers=answers,
                profile=profile or Profile(), comment=clean_comment(comment),
            ))

    def responses(self, start: date, end: date, agency: str | None = None) -> list[SurveyResponse]:
        with self.store.read() as tx:
            return tx.responses(start, end, agency=agency)

    def ikm_table(self, start: date, end: date, by: str = "service", agency: str | None = None) -> list[IkmRow]:
        """IKM rows per agency or service (hall order), then the whole scope as the last row."""
        rows = self.responses(start, end, agency)
        groups: dict[str, list[SurveyResponse]] = {}
        for r in rows:
            groups.setdefault(r.agency_code if by == "agency" else r.service_code, []).append(r)
        out: list[IkmRow] = []
        order = [a.code for a in self.hall.agencies] if by == "agency" else [s.code for s in self.hall.services]
        for code in sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c)):
            if by == "agency":
                a = self.hall.find_agency(code)
                name = a.name if a else code
            else:
                s = self.hall.find_service(code)
                a = self.hall.find_agency(s.agency_code) if s else None
                name = f"{a.name} - {s.name}" if s and a else code
            out.append(IkmRow(by, code, name, compute_ikm(r.answers for r in groups[code])))
        scope_agency = self.hall.find_agency(agency) if agency else None
        scope = scope_agency.name if scope_agency else self.hall.name
        out.append(IkmRow("hall", agency or "", scope, compute_ikm(r.answers for r in rows)))
        return out
