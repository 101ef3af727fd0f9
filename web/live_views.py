"""What the live pages show, computed from one snapshot of the day: every ticket's people ahead
and estimated wait once per service per batch of events (``build_state``), and a ticket page's
view in a language (``ticket_view``). Pure: no I/O, no event loop (web.live runs it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from antrian.domain import rules
from antrian.domain.catalogue import Hall
from antrian.storage.web_store import Snapshot, TicketRow
from web.i18n import t

OPEN = ("waiting", "called", "serving", "parked")


@dataclass(frozen=True)
class TicketState:
    row: TicketRow
    ahead: int
    eta: int
    transferred: bool


@dataclass
class HallState:
    day: date
    at: datetime
    tickets: dict[str, TicketState] = field(default_factory=dict)  # by token (latest ticket of a token)
    waiting: dict[str, int] = field(default_factory=dict)  # per service
    counters: list[dict] = field(default_factory=list)  # hall order: code, status, number


def build_state(hall: Hall, snap: Snapshot, at: datetime) -> HallState:
    by_token: dict[str, TicketRow] = {}
    seen: dict[str, int] = {}
    for r in snap.tickets:  # ordered by id: the latest ticket of a token wins (a transfer keeps it)
        by_token[r.token] = r
        seen[r.token] = seen.get(r.token, 0) + 1
    waiting: dict[str, list[TicketRow]] = {}
    done_s: dict[str, list[float]] = {}
    for r in snap.tickets:
        if r.status == "waiting":
            waiting.setdefault(r.service_code, []).append(r)
        elif r.status == "done" and r.started_at and r.finished_at:
            done_s.setdefault(r.service_code, []).append((r.finished_at - r.started_at).total_seconds())
    counter_status = {c.code: c for c in snap.counters}
    open_per_service: dict[str, int] = {}
    for c in hall.counters:
        cs = counter_status.get(c.code)
        if cs is not None and cs.status == "open":
            for code in c.service_codes:
                open_per_service[code] = open_per_service.get(code, 0) + 1
    # people ahead, once per service for the whole batch (the rule of antrian.services.reprint):
    # a priority ticket has the earlier priority tickets ahead of it; a normal ticket has every
    # priority ticket (they are called first) and the earlier normal ones
    ahead: dict[int, int] = {}
    for rows in waiting.values():
        rows.sort(key=lambda r: (r.arrival_at, r.id))
        n_prio_all = sum(1 for r in rows if r.priority is not None)
        n_norm = n_prio = 0
        for r in rows:
            if r.priority is not None:
                ahead[r.id] = n_prio
                n_prio += 1
            else:
                ahead[r.id] = n_prio_all + n_norm
                n_norm += 1
    state = HallState(day=snap.day, at=at, waiting={s.code: len(waiting.get(s.code, [])) for s in hall.services})
    for token, r in by_token.items():
        a = ahead.get(r.id, 0)
        eta = 0
        if r.status == "waiting":
            service = hall.find_service(r.service_code)
            times = done_s.get(r.service_code)
            avg = (sum(times) / len(times) / 60.0) if times else (service.service_minutes if service else 10.0)
            eta = rules.estimate_wait_minutes(a, avg, open_per_service.get(r.service_code, 0))
        state.tickets[token] = TicketState(r, a, eta, seen[token] > 1)
    by_id = {r.id: r for r in snap.tickets}
    for c in hall.counters:
        cs = counter_status.get(c.code)
        cur = by_id.get(cs.current_ticket_id) if cs and cs.current_ticket_id else None
        state.counters.append({"code": c.code, "status": cs.status if cs else "closed",
                               "number": cur.number if cur else None, "agency": c.agency_code})
    return state


_TEXTS: dict[tuple[int, str, str, str], tuple[Hall, tuple[str, str, tuple[str, ...], str]]] = {}


def _service_texts(hall: Hall, service_code: str, agency_code: str, lang: str) -> tuple[str, str, tuple[str, ...], str]:
    """(service name, agency name, requirements, fee) in ``lang``: looked up once per service, not
    once per page (the hall config does not change while the server runs)."""
    key = (id(hall), service_code, agency_code, lang)
    hit = _TEXTS.get(key)
    if hit is not None and hit[0] is hall:
        return hit[1]
    service = hall.find_service(service_code)
    agency = hall.find_agency(agency_code)
    if service is None:
        texts: tuple[str, str, tuple[str, ...], str] = (service_code, agency.name if agency else agency_code, (), "")
    else:
        sname = (service.name_en or service.name) if lang == "en" else service.name
        texts = (sname, agency.name if agency else agency_code,
                 tuple(getattr(service, "requirements", ()) or ()), getattr(service, "fee", "") or "")
    _TEXTS[key] = (hall, texts)
    return texts


def ticket_view(hall: Hall, ts: TicketState | None, lang: str, offline: bool = False) -> dict:
    """What the ticket page shows: a JSON-able dict with the texts already in ``lang``."""
    if ts is None:
        return {"state": "offline" if offline else "expired",
                "headline": t(lang, "offline" if offline else "expired"),
                "detail": t(lang, "offline_detail" if offline else "expired_detail")}
    r = ts.row
    sname, agency, requirements, fee = _service_texts(hall, r.service_code, r.agency_code, lang)
    v: dict[str, Any] = {
        "state": r.status, "number": r.number, "service": sname,
        "agency": agency, "ahead": None, "eta": None,
        "counter": r.counter_code, "alert": False, "call_id": "", "offline": offline,
        # the service standard (UU 25/2009): what to bring and what it costs, from the hall config
        "requirements": list(requirements), "fee": fee,
    }
    st = r.status
    if st == "waiting":
        v["headline"] = t(lang, "waiting")
        v["detail"] = t(lang, "transferred_detail", service=sname) if ts.transferred else t(lang, "waiting_detail")
        v["ahead"] = ts.ahead
        v["eta"] = t(lang, "eta_value", minutes=ts.eta) if ts.eta >= 1 else t(lang, "eta_now")
    elif st == "called":
        v["headline"] = t(lang, "called", counter=r.counter_code)
        v["detail"] = (t(lang, "recalled_detail", count=r.recall_count + 1, number=r.number) if r.recall_count
                       else t(lang, "called_detail", number=r.number))
        v["alert"] = True
        v["call_id"] = f"{r.id}:{r.counter_code}:{r.recall_count}:{r.called_at.isoformat() if r.called_at else ''}"
        if r.recall_count:
            v["state"] = "recalled"
    elif st == "serving":
        v["headline"] = t(lang, "serving", counter=r.counter_code)
        v["detail"] = t(lang, "serving_detail")
    elif st in ("parked", "done", "no_show", "cancelled", "expired"):
        v["headline"] = t(lang, st)
        v["detail"] = t(lang, f"{st}_detail")
    else:  # transferred with no follow-up ticket in today's snapshot
        v["headline"] = t(lang, "waiting")
        v["detail"] = t(lang, "transferred_detail", service=sname)
    if offline:
        v["notice"] = t(lang, "offline_detail")
    return v
