"""The booking pages ("antrean online"): /booking agency -> service -> day -> slot -> form (NIK or
phone) -> /b/<code> (the booking with its code and QR, and a cancel button). Everything goes
through antrian.services.booking; refusals are shown as the BookingError sentence of the page's
language. The NIK is never echoed back, logged or shown."""

from __future__ import annotations

import asyncio
import io
import re
import time as _time
from datetime import date, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from antrian.domain.booking import BookingError, BookingNotFound, RateLimiter, parse_code
from antrian.domain.catalogue import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_ID
from web.i18n import BOOKING, STRINGS, pick_lang

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
             "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def booking_service(deps: Any) -> Any:
    """The deps' BookingService; built on first use over the queue's database when not given."""
    if getattr(deps, "booking", None) is None:
        from antrian.services.booking import BookingService
        from antrian.storage.booking_store import SqlBookingStore

        store = deps.queue.store
        bstore = store if isinstance(store, SqlBookingStore) else SqlBookingStore(store.url)
        deps.booking = BookingService(deps.queue.hall, bstore, deps.queue.clock)
    return deps.booking


def refusal(e: BookingError, lang: str) -> str:
    return e.message_en if lang == "en" else str(e)


def day_label(d: date, lang: str) -> str:
    if lang == "en":
        return f"{WEEKDAY_NAMES_EN[d.weekday()]} {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{WEEKDAY_NAMES_ID[d.weekday()]}, {d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def qr_svg(text: str) -> str:
    """The QR of ``text`` as an SVG document (made here: no CDN, no script)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue().decode()


def qr_inline(text: str, size: int = 220) -> str:
    """The QR as an <svg> element to put in the page (no second request, survives "save page")."""
    svg = qr_svg(text)
    svg = svg[svg.index("<svg"):]
    return re.sub(r'width="[^"]*" height="[^"]*"', f'width="{size}" height="{size}" class="qr" role="img" '
                  f'aria-label="QR"', svg, count=1)


class _Gate:
    """One slot's requests in this process during a rush (see gated_book)."""

    def __init__(self) -> None:
        self.at_db = 0  # requests at the database now
        self.waiting = 0
        self.booked = 0  # seats taken by requests through this gate
        self.cond = asyncio.Condition()


def booking_router(deps: Any) -> APIRouter:
    from web.app import client_ip, package_dir

    hall = deps.queue.hall
    templates = Jinja2Templates(directory=str(package_dir() / "templates"))
    for name in ("booking_agencies.html", "booking_services.html", "booking_days.html", "booking_slots.html",
                 "booking_form.html", "booking_view.html", "message.html"):
        templates.get_template(name)  # compiled now, not by the first request when the slots open
    r = APIRouter(include_in_schema=False)
    # per client IP: bookings made, cancels, and unknown codes looked up (guessing); the numbers
    # are the hall's [booking] policy, read when the first booking page is used
    limiters: dict[str, RateLimiter] = {}

    def limit(name: str) -> RateLimiter:
        if not limiters:
            p = booking_service(deps).policy
            limiters.update(book=RateLimiter(p.per_ip_per_hour, 3600), cancel=RateLimiter(p.per_ip_per_hour, 3600),
                            miss=RateLimiter(p.wrong_codes_per_ip, 600))
        return limiters[name]

    def now():
        return deps.queue.clock.now()

    def lang_of(request: Request, form_lang: str = "") -> str:
        return pick_lang(form_lang or request.query_params.get("lang"), request.cookies.get("lang"))

    def page(request: Request, name: str, ctx: dict, status: int = 200, lang: str = "id") -> HTMLResponse:
        s = {**STRINGS[lang], **BOOKING[lang]}
        base = {"lang": lang, "s": s, "hall": hall, "other_lang": "en" if lang == "id" else "id",
                "lang_q": f"?lang={lang}"}
        resp = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
        resp.headers["Cache-Control"] = "no-store"
        if request.query_params.get("lang") in STRINGS:
            resp.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
        return resp

    def message(request: Request, lang: str, title: str, detail: str, status: int) -> HTMLResponse:
        return page(request, "message.html", {"title": title, "detail": detail}, status, lang)

    def service_or_404(code: str):
        svc = hall.find_service(code)
        if svc is None:
            raise StarletteHTTPException(404)
        return svc

    def limited(limiter: RateLimiter, request: Request) -> bool:
        ip = client_ip(request)
        n = now()
        if limiter.retry_after(ip, n):
            return True
        limiter.hit(ip, n)
        return False

    def svc_name(svc, lang: str) -> str:
        return svc.name_en if lang == "en" and svc.name_en else svc.name

    @r.get("/booking")
    async def agencies(request: Request):
        lang = lang_of(request)
        items = [a for a in hall.agencies if a.service_codes]
        return page(request, "booking_agencies.html", {"agencies": items}, 200, lang)

    @r.get("/booking/a/{agency}")
    async def services(request: Request, agency: str):
        lang = lang_of(request)
        a = hall.find_agency(agency)
        if a is None:
            raise StarletteHTTPException(404)
        svcs = [s for s in (hall.find_service(c) for c in a.service_codes) if s is not None]
        return page(request, "booking_services.html",
                    {"agency": a, "services": [(s.code, svc_name(s, lang)) for s in svcs]}, 200, lang)

    @r.get("/booking/s/{service}")
    async def days(request: Request, service: str):
        lang = lang_of(request)
        svc = service_or_404(service)
        bs = booking_service(deps)
        ds = await asyncio.to_thread(bs.bookable_days, svc.code)
        return page(request, "booking_days.html",
                    {"svc": svc, "svc_name": svc_name(svc, lang),
                     "days": [(d.isoformat(), day_label(d, lang)) for d in ds]}, 200, lang)

    def parse_day(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise StarletteHTTPException(404) from None

    @r.get("/booking/s/{service}/{day}")
    async def slots(request: Request, service: str, day: str):
        lang = lang_of(request)
        svc = service_or_404(service)
        d = parse_day(day)
        bs = booking_service(deps)
        try:
            views = await asyncio.to_thread(bs.slots, svc.code, d)
        except BookingError as e:
            return message(request, lang, BOOKING[lang]["refused"], refusal(e, lang), 400)
        return page(request, "booking_slots.html",
                    {"svc": svc, "svc_name": svc_name(svc, lang), "day": d.isoformat(),
                     "day_label": day_label(d, lang), "slots": views}, 200, lang)

    # The same refusal of the same slot ("penuh" when the slots open) is rendered once a second,
    # not once per request: the page differs only by its CSRF token, which stays valid for hours.
    # Never when the page echoes a phone number back.
    refusals: dict[tuple, tuple[float, bytes]] = {}

    async def form_page(request: Request, lang: str, svc, d: date, start: time, error: str = "",
                        status: int = 200, phone: str = "", kind: str = "nik") -> HTMLResponse:
        key = (svc.code, d, start, lang, error, kind, status) if error and not phone else None
        if key is not None and request.query_params.get("lang") not in STRINGS:  # no cookie to set
            hit = refusals.get(key)
            if hit is not None and _time.monotonic() - hit[0] < 1.0:
                return HTMLResponse(hit[1], status_code=status, headers={"Cache-Control": "no-store"})
        resp = page(request, "booking_form.html", {
            "svc": svc, "svc_name": svc_name(svc, lang), "day": d.isoformat(), "day_label": day_label(d, lang),
            "start": f"{start:%H%M}", "start_label": f"{start:%H.%M}", "error": error, "phone": phone,
            "kind": kind, "csrf": deps.csrf.make(f"book:{svc.code}:{d.isoformat()}:{start:%H%M}"),
        }, status, lang)
        if key is not None and request.query_params.get("lang") not in STRINGS:
            if len(refusals) > 512:
                refusals.clear()
            refusals[key] = (_time.monotonic(), bytes(resp.body))
        return resp

    def parse_start(text: str) -> time:
        m = re.fullmatch(r"(\d{2})(\d{2})", text)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise StarletteHTTPException(404)
        return time(int(m.group(1)), int(m.group(2)))

    @r.get("/booking/s/{service}/{day}/{start}")
    async def form(request: Request, service: str, day: str, start: str):
        lang = lang_of(request)
        return await form_page(request, lang, service_or_404(service), parse_day(day), parse_start(start))

    # At most as many requests for one slot go to the database at once as the slot has seats
    # left (as far as this process knows): the others wait here, on the event loop without a
    # thread, and are told "penuh" from memory once the seats are gone, or go on when a request
    # at the database did not take its seat. With nothing at the database, a request always goes
    # on (the database decides).
    gates: dict[tuple, _Gate] = {}
    # Bookings run on threads of their own: the default pool has cpu+4 threads, which caps the
    # group commit (BookingService._write) at that many bookings per transaction; a waiting
    # booking's thread only sleeps on a condition.
    pools: list[Any] = []

    def writer_pool() -> Any:
        if not pools:
            from concurrent.futures import ThreadPoolExecutor

            pools.append(ThreadPoolExecutor(max_workers=32, thread_name_prefix="mpp-booking"))
        return pools[0]

    async def gated_book(bs: Any, code: str, d: date, st: time, nik: str | None, phone: str | None) -> Any:
        # what needs no database (bad input, "penuh" seen in the last second) is answered here
        bs.refuse_from_memory(code, d, st, nik, phone)
        seats = max(1, bs.slot_capacity(code, d, st))
        key = (id(asyncio.get_running_loop()), code, d, st)  # a condition belongs to one event loop
        gate = gates.get(key)
        if gate is None:
            gate = gates[key] = _Gate()
        async with gate.cond:
            gate.waiting += 1
            try:
                while gate.at_db and gate.at_db >= seats - gate.booked:
                    await gate.cond.wait()
                    if gate.booked >= seats:  # its seats went meanwhile
                        bs.refuse_from_memory(code, d, st, nik, phone)
            finally:
                gate.waiting -= 1
                if not gate.at_db and not gate.waiting:
                    gates.pop(key, None)
            gate.at_db += 1
            gates[key] = gate
        booked = False
        try:
            v = await asyncio.get_running_loop().run_in_executor(writer_pool(), bs.book, code, d, st, nik, phone)
            booked = True
            return v
        finally:
            async with gate.cond:
                gate.at_db -= 1
                gate.booked += booked
                gate.cond.notify_all()
                if not gate.at_db and not gate.waiting:
                    gates.pop(key, None)

    @r.post("/booking/s/{service}/{day}/{start}")
    async def book(request: Request, service: str, day: str, start: str):
        svc = service_or_404(service)
        d, st = parse_day(day), parse_start(start)
        data = await request.form()
        lang = lang_of(request, str(data.get("lang") or ""))
        s = BOOKING[lang]
        kind = "phone" if data.get("kind") == "phone" else "nik"
        ident = str(data.get("ident") or "")[:40]
        phone_back = ident if kind == "phone" else ""  # the NIK is never written back into the page
        if not deps.csrf.check(f"book:{svc.code}:{d.isoformat()}:{st:%H%M}", str(data.get("csrf") or "")):
            return await form_page(request, lang, svc, d, st, STRINGS[lang]["notify_bad_csrf"], 400, phone_back, kind)
        if limited(limit("book"), request):
            return await form_page(request, lang, svc, d, st, s["limit"], 429, phone_back, kind)
        bs = booking_service(deps)
        nik, phone = (ident, None) if kind == "nik" else (None, ident)
        try:
            v = await gated_book(bs, svc.code, d, st, nik, phone)
        except BookingError as e:
            return await form_page(request, lang, svc, d, st, refusal(e, lang), 400, phone_back, kind)
        return RedirectResponse(f"/b/{v.code}?lang={lang}&new=1", status_code=303)

    async def find(request: Request, code: str):
        bs = booking_service(deps)
        ip = client_ip(request)
        if limit("miss").retry_after(ip, now()):
            raise StarletteHTTPException(429)
        try:
            if parse_code(code) is None:
                raise BookingNotFound()
            return await asyncio.to_thread(bs.find, code)
        except BookingNotFound:
            limit("miss").hit(ip, now())
            return None

    def booking_page(request: Request, v, lang: str, note: str = "", error: str = "", status: int = 200):
        return page(request, "booking_view.html", {
            "v": v, "svc_name": v.service_name, "day_label": day_label(v.day, lang),
            "time_label": f"{v.slot_start:%H.%M}-{v.slot_end:%H.%M}",
            "checkin_label": f"{v.checkin_opens:%H.%M}-{v.checkin_closes:%H.%M}",
            "status_label": BOOKING[lang].get(f"status_{v.status.value}", v.status.value),
            "new": request.query_params.get("new") == "1", "note": note, "error": error,
            "csrf": deps.csrf.make(f"cancel:{v.code}"),
            "qr": Markup(qr_inline(v.qr_text)) if v.status.value == "active" else "",
        }, status, lang)

    @r.get("/b/{code}")
    async def show(request: Request, code: str):
        lang = lang_of(request)
        v = await find(request, code)
        if v is None:
            return message(request, lang, BOOKING[lang]["not_found"], BOOKING[lang]["not_found_detail"], 404)
        if request.query_params.get("ok") == "cancelled":
            return booking_page(request, v, lang, note=BOOKING[lang]["cancelled_ok"])
        return booking_page(request, v, lang)

    @r.get("/b/{code}/qr.svg")
    async def qr(request: Request, code: str):
        v = await find(request, code)
        if v is None:
            raise StarletteHTTPException(404)
        return Response(qr_svg(v.qr_text), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @r.post("/b/{code}/cancel")
    async def cancel(request: Request, code: str):
        data = await request.form()
        lang = lang_of(request, str(data.get("lang") or ""))
        v = await find(request, code)
        if v is None:
            return message(request, lang, BOOKING[lang]["not_found"], BOOKING[lang]["not_found_detail"], 404)
        if not deps.csrf.check(f"cancel:{v.code}", str(data.get("csrf") or "")):
            return booking_page(request, v, lang, error=STRINGS[lang]["notify_bad_csrf"], status=400)
        if limited(limit("cancel"), request):
            return booking_page(request, v, lang, error=BOOKING[lang]["limit"], status=429)
        try:
            await asyncio.to_thread(booking_service(deps).cancel, v.code)
        except BookingError as e:
            return booking_page(request, v, lang, error=refusal(e, lang), status=400)
        return RedirectResponse(f"/b/{v.code}?lang={lang}&ok=cancelled", status_code=303)

    return r
