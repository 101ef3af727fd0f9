"""/api/v1: the hall's open API (for the city's app or MPP Digital). Every call needs an API key
(`mpp api-key add --scope read|write --name X`); keys are rate-limited (token bucket per key, and
per client address for calls without a valid key); every write is audited (api_audit table, and
the core's own event log names the key as the officer)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from antrian.domain.errors import QueueError, StoreUnavailable
from antrian.domain.model import TOKEN_RE, qr_text
from antrian.storage.web_store import ApiKey


class ServiceOut(BaseModel):
    code: str
    name: str
    name_en: str
    agency: str
    agency_name: str
    prefix: str
    waiting: int
    target_wait_minutes: int
    open_now: bool | None = None


class CounterOut(BaseModel):
    code: str
    agency: str
    status: str = Field(description="open | paused | closed")
    number: str | None = Field(None, description="the ticket now at this counter")


class CallOut(BaseModel):
    id: int
    number: str
    counter: str
    at: str = Field(description="local time HH:MM")
    recall: bool


class StatusOut(BaseModel):
    hall: str
    at: datetime
    service_day: str
    offline: bool
    waiting_total: int
    services: list[ServiceOut]
    counters: list[CounterOut]


class WaitingOut(BaseModel):
    service: str
    waiting: int


class TicketIn(BaseModel):
    service: str = Field(description="service code (see /services)", max_length=40)
    priority: str | None = Field(None, description="priority group, e.g. lansia", max_length=20)


class TicketOut(BaseModel):
    number: str
    service: str
    token: str
    url: str = Field(description="the live ticket page (what the ticket's QR opens)")
    ahead: int
    eta_minutes: int


class TicketStatusOut(BaseModel):
    number: str
    service: str
    state: str
    ahead: int | None
    counter: str | None
    headline: str


class SurveyIn(BaseModel):
    token: str = Field(description="the ticket's token (from its QR); the ticket must be done", max_length=80)
    answers: dict[str, int] = Field(description="U1..U9, each 1-4 (PermenPAN-RB 14/2017)")
    age_band: str | None = Field(None, max_length=20)
    sex: str | None = Field(None, max_length=2)
    education: str | None = Field(None, max_length=20)
    occupation: str | None = Field(None, max_length=40)
    comment: str | None = Field(None, max_length=1000)


class SurveyOut(BaseModel):
    id: int
    number: str


class FailureOut(BaseModel):
    id: int
    service_day: str
    number: str
    kind: str
    attempts: int
    last_error: str
    created_at: datetime


class BookingIn(BaseModel):
    service: str = Field(description="service code (see /services)", max_length=40)
    day: str = Field(description="YYYY-MM-DD", max_length=10)
    start: str = Field(description="slot start, local time HH:MM", max_length=8)
    nik: str | None = Field(None, description="16-digit NIK (never stored in clear, never returned)", max_length=40)
    phone: str | None = Field(None, description="Indonesian mobile number (if no NIK)", max_length=40)


class BookingOut(BaseModel):
    code: str
    code_display: str
    url: str = Field(description="the booking page (what the booking's QR opens)")
    service: str
    day: str
    slot_start: datetime
    slot_end: datetime
    checkin_opens: datetime
    checkin_closes: datetime
    status: str = Field(description="active | checked_in | cancelled | released")
    contact: str = Field(description="'NIK' or the masked phone number")
    ticket_number: str | None = None


class _KeyCache:
    """Checked keys for a few seconds (a revoked key stops within ``ttl``)."""

    def __init__(self, ttl: float = 10.0):
        self.ttl = ttl
        self._c: dict[str, tuple[float, ApiKey | None]] = {}

    def get(self, text: str):
        hit = self._c.get(text)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit
        return None

    def put(self, text: str, key: ApiKey | None) -> None:
        if len(self._c) > 5000:
            self._c.clear()
        self._c[text] = (time.monotonic(), key)


def api_router(deps) -> APIRouter:
    hub = deps.hub
    hall = deps.queue.hall
    cache = _KeyCache()
    r = APIRouter(tags=["hall"])

    def need(scope: str):
        async def check(request: Request, authorization: str | None = Header(None, include_in_schema=False),
                        x_api_key: str | None = Header(None, include_in_schema=False)) -> ApiKey:
            ip = request.client.host if request.client else "?"
            text = x_api_key or ""
            if authorization and authorization.lower().startswith("bearer "):
                text = authorization[7:].strip()
            hit = cache.get(text) if text else None
            key = hit[1] if hit else None
            if text and hit is None:
                key = await asyncio.to_thread(deps.store.check_api_key, text)
                cache.put(text, key)
            if key is None:
                if not deps.anon_limit.allow(ip):
                    raise HTTPException(429, "too many requests", headers={"Retry-After": "10"})
                raise HTTPException(401, "API key missing or not valid", headers={"WWW-Authenticate": "Bearer"})
            if not deps.key_limit.allow(key.name):
                raise HTTPException(429, "rate limit of this key reached", headers={"Retry-After": "1"})
            if not key.allows(scope):
                raise HTTPException(403, f"this key has no '{scope}' scope")
            return key

        return check

    def state():
        if hub.state is None or hub.offline:
            raise StoreUnavailable("offline")
        return hub.state

    def service_out(st, s) -> ServiceOut:
        a = hall.agency(s.agency_code)
        return ServiceOut(code=s.code, name=s.name, name_en=s.name_en or s.name, agency=a.code, agency_name=a.name,
                          prefix=a.prefix, waiting=st.waiting.get(s.code, 0), target_wait_minutes=s.target_wait_minutes)

    @r.get("/status", response_model=StatusOut, summary="Hall status: waiting per service, each counter's number")
    async def status(key: ApiKey = Depends(need("read"))):
        st = state()
        return StatusOut(
            hall=hall.name, at=st.at, service_day=st.day.isoformat(), offline=hub.offline,
            waiting_total=sum(st.waiting.values()),
            services=[service_out(st, s) for s in hall.services],
            counters=[CounterOut(code=c["code"], agency=c["agency"], status=c["status"], number=c["number"])
                      for c in st.counters],
        )

    @r.get("/services", response_model=list[ServiceOut], summary="Services, with waiting counts and whether open now")
    async def services(key: ApiKey = Depends(need("read"))):
        st = state()
        avail = await asyncio.to_thread(deps.queue.availability)
        out = []
        for s in hall.services:
            o = service_out(st, s)
            a = avail.get(s.code)
            o.open_now = a.open if a is not None else None
            out.append(o)
        return out

    @r.get("/waiting", response_model=list[WaitingOut], summary="Waiting tickets per service")
    async def waiting(key: ApiKey = Depends(need("read"))):
        st = state()
        return [WaitingOut(service=s.code, waiting=st.waiting.get(s.code, 0)) for s in hall.services]

    @r.get("/calls", response_model=list[CallOut], summary="Recent calls, newest first")
    async def calls(key: ApiKey = Depends(need("read"))):
        state()
        return [CallOut(**c) for c in reversed(hub.calls)]

    @r.get("/tickets/{token}", response_model=TicketStatusOut, summary="One ticket's status by its token")
    async def ticket(token: str, lang: str = "id", key: ApiKey = Depends(need("read"))):
        state()
        token = token.strip().upper()
        ts = hub.ticket(token) if TOKEN_RE.fullmatch(token) else None
        if ts is None:
            raise HTTPException(404, "no such ticket today")
        v = hub.ticket_view(token, "en" if lang == "en" else "id")
        return TicketStatusOut(number=ts.row.number, service=ts.row.service_code, state=v["state"],
                               ahead=v.get("ahead"), counter=ts.row.counter_code, headline=v["headline"])

    @r.post("/tickets", response_model=TicketOut, status_code=201, summary="Issue a ticket (scope write; audited)")
    async def issue(body: TicketIn, request: Request, key: ApiKey = Depends(need("write"))):
        detail = f"service={body.service} priority={body.priority or '-'}"
        now = deps.queue.clock.now()
        try:
            issued = await asyncio.to_thread(deps.queue.issue, body.service, body.priority, f"api:{key.name}"[:40])
        except QueueError as e:
            code = {2: 400, 4: 409}.get(getattr(e, "exit_code", 1), 409)
            if isinstance(e, StoreUnavailable):
                raise
            await asyncio.to_thread(deps.store.audit, now, key.name, "POST", "/api/v1/tickets", code,
                                    f"{detail} refused: {e}")
            raise HTTPException(code, str(e)) from None
        tk = issued.ticket
        await asyncio.to_thread(deps.store.audit, now, key.name, "POST", "/api/v1/tickets", 201,
                                f"{detail} number={tk.number}")
        base = deps.public_url or hall.public_url or str(request.base_url).rstrip("/")
        return TicketOut(number=tk.number, service=tk.service_code, token=tk.token, url=qr_text(tk.token, base),
                         ahead=issued.ahead, eta_minutes=issued.eta_minutes)

    @r.post("/survey", response_model=SurveyOut, status_code=201,
            summary="Record one SKM survey response for a done ticket (scope write; audited)")
    async def survey(body: SurveyIn, key: ApiKey = Depends(need("write"))):
        from antrian.domain.survey import Profile
        from web.survey_pages import survey_service

        now = deps.queue.clock.now()
        svc = survey_service(deps)
        try:
            ticket = await asyncio.to_thread(svc.can_answer, body.token)
            profile = Profile(age_band=body.age_band, sex=body.sex, education=body.education,
                              occupation=body.occupation)
            rid = await asyncio.to_thread(svc.submit, body.token, body.answers, profile, body.comment, "web")
        except QueueError as e:
            if isinstance(e, StoreUnavailable):
                raise
            code = {2: 400, 5: 409, 6: 404}.get(getattr(e, "exit_code", 1), 409)
            await asyncio.to_thread(deps.store.audit, now, key.name, "POST", "/api/v1/survey", code,
                                    f"refused: {e}"[:200])
            raise HTTPException(code, str(e)) from None
        await asyncio.to_thread(deps.store.audit, now, key.name, "POST", "/api/v1/survey", 201,
                                f"number={ticket.number}")
        return SurveyOut(id=rid, number=ticket.number)

    @r.get("/notify/failures", response_model=list[FailureOut], summary="Notifications that could not be sent")
    async def failures(key: ApiKey = Depends(need("read"))):
        rows = await asyncio.to_thread(deps.notifications.failures, 100)
        return [FailureOut(id=f.id, service_day=f.service_day.isoformat(), number=f.number, kind=f.kind,
                           attempts=f.attempts, last_error=f.last_error, created_at=f.created_at) for f in rows]

    # ---------------------------------------------------------------- bookings (antrean online)
    def booking_out(v, request: Request) -> BookingOut:
        base = deps.public_url or hall.public_url or str(request.base_url).rstrip("/")
        return BookingOut(code=v.code, code_display=v.code_display, url=f"{base}/b/{v.code}", service=v.service_code,
                          day=v.day.isoformat(), slot_start=v.slot_start, slot_end=v.slot_end,
                          checkin_opens=v.checkin_opens, checkin_closes=v.checkin_closes, status=v.status.value,
                          contact=v.contact_hint, ticket_number=v.ticket_number)

    def booking_code(e: QueueError) -> int:
        from antrian.domain.booking import BookingNotFound

        if isinstance(e, BookingNotFound):
            return 404
        return {2: 400, 4: 409}.get(getattr(e, "exit_code", 1), 409)

    @r.get("/bookings/{code}", response_model=BookingOut, summary="One booking by its code (never the NIK)")
    async def booking_get(code: str, request: Request, key: ApiKey = Depends(need("read"))):
        from web.booking_pages import booking_service

        try:
            v = await asyncio.to_thread(booking_service(deps).find, code)
        except QueueError as e:
            if isinstance(e, StoreUnavailable):
                raise
            raise HTTPException(booking_code(e), str(e)) from None
        return booking_out(v, request)

    @r.post("/bookings", response_model=BookingOut, status_code=201,
            summary="Book a slot with an NIK or a phone number (scope write; audited)")
    async def booking_create(body: BookingIn, request: Request, key: ApiKey = Depends(need("write"))):
        from datetime import date as _date

        from web.booking_pages import booking_service

        detail = f"service={body.service} day={body.day[:10]} start={body.start[:8]}"  # never the NIK or phone
        now = deps.queue.clock.now()
        try:
            try:
                day = _date.fromisoformat(body.day)
            except ValueError:
                raise HTTPException(400, "day must be YYYY-MM-DD") from None
            v = await asyncio.to_thread(booking_service(deps).book, body.service, day, body.start, body.nik, body.phone)
        except (QueueError, HTTPException) as e:
            if isinstance(e, StoreUnavailable):
                raise
            code = e.status_code if isinstance(e, HTTPException) else booking_code(e)
            text = e.detail if isinstance(e, HTTPException) else str(e)
            await asyncio.to_thread(deps.store.audit, now, key.name, "POST", "/api/v1/bookings", code,
                                    f"{detail} refused: {text}")
            raise HTTPException(code, text) from None
        await asyncio.to_thread(deps.store.audit, now, key.name, "POST", "/api/v1/bookings", 201,
                                f"{detail} booking={v.code_display}")
        return booking_out(v, request)

    @r.delete("/bookings/{code}", response_model=BookingOut, summary="Cancel a booking (scope write; audited)")
    async def booking_cancel(code: str, request: Request, key: ApiKey = Depends(need("write"))):
        from web.booking_pages import booking_service

        now = deps.queue.clock.now()
        path = "/api/v1/bookings/*"
        try:
            v = await asyncio.to_thread(booking_service(deps).cancel, code, f"api:{key.name}"[:40])
        except QueueError as e:
            if isinstance(e, StoreUnavailable):
                raise
            status = booking_code(e)
            await asyncio.to_thread(deps.store.audit, now, key.name, "DELETE", path, status, f"refused: {e}")
            raise HTTPException(status, str(e)) from None
        await asyncio.to_thread(deps.store.audit, now, key.name, "DELETE", path, 200, f"booking={v.code_display}")
        return booking_out(v, request)

    return r
