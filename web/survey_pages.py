"""The SKM survey on the citizen's phone: /t/<token>/survei becomes the questionnaire of
PermenPAN-RB 14/2017 once the ticket is done ("Selesai"). A plain form POST (works without
JavaScript) with a CSRF token; one response per ticket; no personal data. Built by
``survey_router(deps)`` and registered by web/app.py."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from antrian.domain.model import TOKEN_RE
from antrian.domain.survey import (
    AGE_BANDS,
    COMMENT_MAX,
    EDUCATIONS,
    ELEMENTS,
    LAPOR_URL,
    OCCUPATIONS,
    SEXES,
    AlreadyAnswered,
    InvalidAnswer,
    NotSurveyable,
    Profile,
)
from antrian.services.survey import SurveyService
from antrian.storage.manager_store import ManagerStore
from web.i18n import STRINGS, pick_lang, t

SEXES_EN = {"L": "Male", "P": "Female"}


def survey_service(deps: Any) -> SurveyService:
    return SurveyService(deps.queue.hall, ManagerStore(deps.queue.store))


def elements_view(lang: str) -> list[dict]:
    out = []
    for i, e in enumerate(ELEMENTS, start=1):
        en = lang == "en"
        out.append({"code": e.code, "n": i, "name": e.name_en if en else e.name,
                    "question": e.question_en if en else e.question,
                    "labels": list(enumerate(e.labels_en if en else e.labels, start=1))})
    return out


def profile_view(lang: str) -> list[dict]:
    sexes = SEXES_EN if lang == "en" else SEXES
    return [
        {"name": "age_band", "label": t(lang, "survey_age"), "options": [(v, v) for v in AGE_BANDS]},
        {"name": "sex", "label": t(lang, "survey_sex"), "options": list(sexes.items())},
        {"name": "education", "label": t(lang, "survey_education"), "options": [(v, v) for v in EDUCATIONS]},
        {"name": "occupation", "label": t(lang, "survey_occupation"), "options": [(v, v) for v in OCCUPATIONS]},
    ]


def read_answers(form: Any) -> tuple[dict[str, int], list[int], bool]:
    """(answers given, numbers of the questions left empty, whether some answer was not 1-4)."""
    answers: dict[str, int] = {}
    missing: list[int] = []
    bad = False
    for i, e in enumerate(ELEMENTS, start=1):
        raw = str(form.get(e.code) or "").strip()
        if not raw:
            missing.append(i)
        elif raw in ("1", "2", "3", "4"):
            answers[e.code] = int(raw)
        else:
            bad = True
    return answers, missing, bad


def survey_router(deps: Any) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    hub = deps.hub
    hall = deps.queue.hall
    templates = Jinja2Templates(directory=str(Path(str(resources.files("web"))) / "templates"))
    service = survey_service(deps)

    def page(request: Request, name: str, ctx: dict, status: int, lang: str) -> HTMLResponse:
        base = {"lang": lang, "s": STRINGS[lang], "hall": hall, "other_lang": "en" if lang == "id" else "id"}
        r = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
        r.headers["Cache-Control"] = "no-store"
        if request.query_params.get("lang") in STRINGS:
            r.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
        return r

    def allowed(request: Request, cost: float) -> None:
        ip = request.client.host if request.client else "?"
        if ip not in ("127.0.0.1", "::1") and not deps.page_limit.allow(ip, cost):
            raise StarletteHTTPException(429)

    async def surveyable(request: Request, token: str) -> tuple[str, str | None]:
        """(token, number) of a done ticket that may answer, or (token, None) when it already has;
        the ticket page's friendly 404 for an unknown, malformed or not-yet-done token."""
        token = token.strip().upper()
        known = hub.ticket(token) if TOKEN_RE.fullmatch(token) else None
        if known is None:
            ip = request.client.host if request.client else "?"
            if not deps.miss_limit.allow(ip):  # a miss costs a token before any database work
                raise StarletteHTTPException(429)
            if not TOKEN_RE.fullmatch(token):
                raise StarletteHTTPException(404)
        try:
            ticket = await asyncio.to_thread(service.can_answer, token)
        except NotSurveyable:
            raise StarletteHTTPException(404) from None
        except AlreadyAnswered:
            return token, None
        return token, ticket.number

    def form_page(request: Request, token: str, number: str, lang: str, error: str = "", status: int = 200,
                  chosen: dict | None = None, profile: dict | None = None, comment: str = "") -> HTMLResponse:
        return page(request, "survey.html", {
            "token": token, "number": number, "elements": elements_view(lang), "profile_fields": profile_view(lang),
            "error": error, "chosen": chosen or {}, "profile": profile or {}, "comment": comment,
            "comment_max": COMMENT_MAX, "lapor_url": LAPOR_URL, "csrf": deps.csrf.make(f"survey:{token}"),
        }, status, lang)

    def done_page(request: Request, token: str, lang: str, key: str, status: int = 200) -> HTMLResponse:
        return page(request, "survey_thanks.html", {"token": token, "title": t(lang, key),
                                                    "detail": t(lang, f"{key}_detail"), "lapor_url": LAPOR_URL},
                    status, lang)

    @router.get("/t/{token}/survei")
    async def survey_form(request: Request, token: str):
        allowed(request, 1)
        lang = pick_lang(request.query_params.get("lang"), request.cookies.get("lang"))
        token, number = await surveyable(request, token)
        if number is None:
            key = "survey_thanks" if request.query_params.get("ok") == "1" else "survey_already"
            return done_page(request, token, lang, key)
        return form_page(request, token, number, lang)

    @router.post("/t/{token}/survei")
    async def survey_submit(request: Request, token: str):
        allowed(request, 5)
        token, number = await surveyable(request, token)
        form = await request.form()
        lang = pick_lang(str(form.get("lang") or ""), request.cookies.get("lang"))
        if number is None:
            return done_page(request, token, lang, "survey_already", 409)
        answers, missing, bad = read_answers(form)
        chosen = {k: v for k, v in answers.items()}
        profile_raw = {k: str(form.get(k) or "")[:40] for k in ("age_band", "sex", "education", "occupation")}
        comment = str(form.get("comment") or "")[: COMMENT_MAX * 2]

        def again(key: str, **kw: Any) -> HTMLResponse:
            return form_page(request, token, number, lang, t(lang, key, **kw), 400, chosen, profile_raw, comment)

        if not deps.csrf.check(f"survey:{token}", str(form.get("csrf") or "")):
            return again("notify_bad_csrf")
        if bad:
            return again("survey_bad_score")
        if missing:
            return again("survey_missing", numbers=", ".join(map(str, missing)))
        try:
            profile = Profile(**{k: (v or None) for k, v in profile_raw.items()})
            await asyncio.to_thread(service.submit, token, answers, profile, comment, "web")
        except InvalidAnswer:
            return again("survey_bad_profile")
        except AlreadyAnswered:
            return done_page(request, token, lang, "survey_already", 409)
        except NotSurveyable:
            raise StarletteHTTPException(404) from None
        return RedirectResponse(f"/t/{token}/survei?lang={lang}&ok=1", status_code=303)

    return router
