"""The ASGI application: pages (/t/<token>, /papan), their SSE streams, the notify form, and the
API router. Built by ``create_app(deps)``; nothing is created at import time."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from antrian.domain.errors import StoreUnavailable
from antrian.domain.model import TOKEN_RE
from antrian.services.notify import NotificationService
from antrian.services.queue import QueueService
from antrian.storage.web_store import WebStore
from web.i18n import STRINGS, pick_lang, t
from web.live import LiveHub, stream
from web.security import Csrf, SecurityHeaders, TokenBucket

log = logging.getLogger(__name__)


def package_dir() -> Path:
    return Path(str(resources.files("web")))


@dataclass
class WebDeps:
    queue: QueueService
    store: WebStore
    hub: LiveHub
    notifications: NotificationService
    csrf: Csrf = field(default_factory=Csrf)
    # per client IP: unknown ticket pages (10 at once, then one per 6 s), pages, API calls without a key
    miss_limit: TokenBucket = field(default_factory=lambda: TokenBucket(rate=1 / 6, burst=10))
    page_limit: TokenBucket = field(default_factory=lambda: TokenBucket(rate=5, burst=60))
    anon_limit: TokenBucket = field(default_factory=lambda: TokenBucket(rate=0.5, burst=20))
    # per API key
    key_limit: TokenBucket = field(default_factory=lambda: TokenBucket(rate=5, burst=60))
    public_url: str = ""
    booking: Any = None  # BookingService; web.booking_pages builds one over the queue's database when None
    on_start: tuple[Callable[[], None], ...] = ()
    on_stop: tuple[Callable[[], None], ...] = ()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


LOOPBACK = ("127.0.0.1", "::1")


def page_allowed(deps, request: Request, cost: float = 1.0) -> bool:
    """The per-address page limit. Loopback is exempt (a reverse proxy on this PC would otherwise
    throttle every phone at once); unknown-ticket misses are limited for every address."""
    ip = client_ip(request)
    return ip in LOOPBACK or deps.page_limit.allow(ip, cost)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(deps: WebDeps, background: bool = True) -> FastAPI:
    hub = deps.hub
    hall = deps.queue.hall
    templates = Jinja2Templates(directory=str(package_dir() / "templates"))

    @asynccontextmanager
    async def lifespan(app):
        task = None
        if background:
            task = asyncio.create_task(hub.run())
            for f in deps.on_start:
                f()
        try:
            yield
        finally:
            hub.stop()
            for f in deps.on_stop:
                f()
            if task is not None:
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass

    app = FastAPI(
        title=f"{hall.short_name}: Antrian MPP API",
        version="1",
        description="Open API of the hall: status, services, waiting counts, recent calls, ticket status, "
                    "issuing a ticket (scope write). Send the key as `Authorization: Bearer mpp_...`.",
        docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json", lifespan=lifespan,
    )
    app.state.deps = deps
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(package_dir() / "static")), name="static")

    def page(request: Request, name: str, ctx: dict, status: int = 200, lang: str = "id") -> HTMLResponse:
        base = {"lang": lang, "s": STRINGS[lang], "hall": hall,
                "other_lang": "en" if lang == "id" else "id"}
        r = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
        r.headers["Cache-Control"] = "no-store"
        if request.query_params.get("lang") in STRINGS:
            r.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
        return r

    def lang_of(request: Request) -> str:
        return pick_lang(request.query_params.get("lang"), request.cookies.get("lang"))

    def message_page(request: Request, key: str, status: int, refresh: bool = False) -> HTMLResponse:
        lang = lang_of(request)
        return page(request, "message.html", {"title": t(lang, key), "detail": t(lang, f"{key}_detail"),
                                              "refresh": refresh}, status, lang)

    # ---------------------------------------------------------------- errors: never a stack trace
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if is_api(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 404:
            return message_page(request, "not_found", 404)
        if exc.status_code == 429:
            return message_page(request, "too_many", 429)
        return message_page(request, "error", exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        if is_api(request):
            problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                        for e in exc.errors()]
            return JSONResponse({"error": "invalid request", "problems": problems}, status_code=422)
        return message_page(request, "error", 400)

    @app.exception_handler(StoreUnavailable)
    async def offline(request: Request, exc: StoreUnavailable):
        if is_api(request):
            return JSONResponse({"error": "offline"}, status_code=503, headers={"Retry-After": "5"})
        return message_page(request, "offline", 503, refresh=True)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        log.error("web: unexpected error on %s %s", request.method, request.url.path.split("/t/")[0] or "/",
                  exc_info=exc)
        if is_api(request):
            return JSONResponse({"error": "internal error"}, status_code=500)
        return message_page(request, "error", 500)

    # ---------------------------------------------------------------- pages
    @app.get("/", include_in_schema=False)
    async def home():
        return RedirectResponse("/papan", status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon():
        return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})

    @app.get("/healthz", include_in_schema=False)
    async def health():
        return {"ok": not hub.offline and hub.state is not None, "watching": hub.watching}

    async def find(request: Request, token: str):
        """The ticket's state, or raise the same friendly 404 for unknown and malformed tokens."""
        token = token.strip().upper()
        well_formed = bool(TOKEN_RE.fullmatch(token))
        ts = hub.ticket(token) if well_formed else None
        if ts is not None:
            return token, ts
        if hub.state is None or hub.offline:
            raise StoreUnavailable("offline")
        # every miss costs the client one token of its bucket, before any database work
        if not deps.miss_limit.allow(client_ip(request)):
            raise StarletteHTTPException(429)
        if well_formed and token[4:12] == hub.state.day.strftime("%Y%m%d"):
            # perhaps issued after the last refresh: catch up once (shared with the reader, coalesced)
            if await asyncio.to_thread(hub.refresh):
                hub.publish()
            ts = hub.ticket(token)
        if ts is None:
            raise StarletteHTTPException(404)
        return token, ts

    @app.get("/t/{token}", include_in_schema=False)
    async def ticket_page(request: Request, token: str):
        if not page_allowed(deps, request):
            raise StarletteHTTPException(429)
        token, ts = await find(request, token)
        lang = lang_of(request)
        return await _ticket_page(request, token, lang)

    async def _ticket_page(request: Request, token: str, lang: str, form_error: str = "", status: int = 200,
                           phone_value: str = ""):
        view = hub.ticket_view(token, lang)
        n = deps.notifications
        sub = None
        notify_open = view["state"] == "waiting"
        if n.enabled and notify_open and not hub.offline:
            try:
                sub = await asyncio.to_thread(n.store.subscription, hub.day(), token)
            except StoreUnavailable:
                sub = None
        note = ""
        if request.query_params.get("ok") == "1" and sub is not None:
            note = t(lang, "notify_ok", phone=mask(sub.phone))
        elif request.query_params.get("ok") == "0":
            note = t(lang, "notify_stopped")
        return page(request, "ticket.html", {
            "token": token, "v": view, "notify_enabled": n.enabled, "notify_open": notify_open,
            "notify_ahead": n.ahead, "sub_phone": mask(sub.phone) if sub else "", "note": note,
            "form_error": form_error, "phone_value": phone_value,
            "csrf": deps.csrf.make(f"notify:{token}"), "lang_q": f"?lang={lang}",
        }, status, lang)

    @app.get("/t/{token}/events", include_in_schema=False)
    async def ticket_events(request: Request, token: str):
        token, _ = await find(request, token)
        lang = lang_of(request)
        return StreamingResponse(stream(hub, token, lang),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @app.post("/t/{token}/notify", include_in_schema=False)
    async def notify_form(request: Request, token: str):
        if not page_allowed(deps, request, cost=5):
            raise StarletteHTTPException(429)
        token, ts = await find(request, token)
        form = await request.form()
        lang = pick_lang(str(form.get("lang") or ""), request.cookies.get("lang"))
        phone = str(form.get("phone") or "")[:40]
        n = deps.notifications
        if not deps.csrf.check(f"notify:{token}", str(form.get("csrf") or "")):
            return await _ticket_page(request, token, lang, t(lang, "notify_bad_csrf"), 400, phone)
        day = hub.day()
        if form.get("action") == "stop":
            await asyncio.to_thread(n.unsubscribe, day, token)
            return RedirectResponse(f"/t/{token}?lang={lang}&ok=0", status_code=303)
        if not n.enabled:
            return await _ticket_page(request, token, lang, t(lang, "notify_off"), 400, phone)
        if ts.row.status != "waiting":
            return await _ticket_page(request, token, lang, t(lang, "notify_closed"), 400, phone)
        try:
            await asyncio.to_thread(n.subscribe, day, token, phone, lang)
        except ValueError:
            return await _ticket_page(request, token, lang, t(lang, "notify_bad_phone"), 400, phone)
        # a subscriber who is already near gets the message now, not at the next event
        await asyncio.to_thread(hub.observe_now)
        return RedirectResponse(f"/t/{token}?lang={lang}&ok=1", status_code=303)

    @app.get("/papan", include_in_schema=False)
    async def board(request: Request):
        if not page_allowed(deps, request):
            raise StarletteHTTPException(429)
        lang = lang_of(request)
        if hub.state is None:
            return message_page(request, "offline", 503, refresh=True)
        return page(request, "board.html", {"b": hub.board_view(lang), "lang_q": f"?lang={lang}"}, 200, lang)

    @app.get("/papan/events", include_in_schema=False)
    async def board_events(request: Request):
        lang = lang_of(request)
        return StreamingResponse(stream(hub, "board", lang),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    from web.api import api_router

    app.include_router(api_router(deps), prefix="/api/v1")
    from web.booking_pages import booking_router
    from web.survey_pages import survey_router

    app.include_router(survey_router(deps))
    app.include_router(booking_router(deps))

    @app.get("/api/v1/docs", include_in_schema=False)
    async def api_docs(request: Request):
        spec = app.openapi()
        ops = []
        for path, methods in spec.get("paths", {}).items():
            for method, op in methods.items():
                ops.append({"method": method.upper(), "path": "/api/v1" + path if not path.startswith("/api") else path,
                            "summary": op.get("summary", ""), "description": op.get("description", "")})
        return templates.TemplateResponse(request, "api_docs.html", {"spec": spec, "ops": ops, "hall": hall,
                                                                     "lang": "en"})

    return app


def mask(phone: str) -> str:
    """6281234567890 -> 0812•••••890 (what the page shows back)."""
    local = "0" + phone[2:] if phone.startswith("62") else phone
    return local[:4] + "•" * max(0, len(local) - 7) + local[-3:]

