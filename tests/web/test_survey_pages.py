"""The SKM survey on the citizen's phone through the test client: the form for a done ticket, one
stored response the IKM sees, a second answer refused, bad scores and a missing CSRF token refused
in Indonesian, the friendly 404 for waiting and unknown tokens, and the ticket page's button."""

from __future__ import annotations

import re

import pytest

from antrian.domain.survey import ELEMENTS
from antrian.services.survey import SurveyService
from antrian.storage.manager_store import ManagerStore

pytestmark = pytest.mark.web


def done_ticket(web, service="ktp"):
    it = web.queue.issue(service)
    web.queue.call_next("7")
    web.queue.start("7")
    web.queue.finish("7")
    web.step()
    return it.ticket


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def answers(score=4, **override):
    data = {e.code: str(score) for e in ELEMENTS}
    data.update(override)
    return data


def post(web, token, data, csrf=None):
    if csrf is None:
        csrf = csrf_of(web.client.get(f"/t/{token}/survei").text)
    body = {"lang": "id", **data}
    if csrf:
        body["csrf"] = csrf
    return web.client.post(f"/t/{token}/survei", data=body, follow_redirects=False)


def ikm(web):
    day = web.clock.now().date()
    return SurveyService(web.queue.hall, ManagerStore(web.queue.store)).ikm_table(day, day)


def test_form_renders_nine_elements_with_the_regulations_wording(web):
    t = done_ticket(web)
    r = web.client.get(f"/t/{t.token}/survei")
    assert r.status_code == 200
    assert "Survei Kepuasan Masyarakat" in r.text and t.number in r.text
    for e in ELEMENTS:
        assert f'name="{e.code}" value="4"' in r.text and e.name in r.text
    assert "Sangat sesuai" in r.text and "Dikelola dengan baik" in r.text and "Gratis" in r.text
    assert 'href="https://www.lapor.go.id"' in r.text
    assert 'name="age_band"' in r.text and 'name="comment"' in r.text
    assert "<script" not in r.text  # a plain form: works without JavaScript
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', r.text)
    total = len(r.content) + sum(len(web.client.get(a).content) for a in assets)
    assert total <= 50_000, total


def test_english_form(web):
    t = done_ticket(web)
    r = web.client.get(f"/t/{t.token}/survei", params={"lang": "en"})
    assert "Public Satisfaction Survey" in r.text and "Very appropriate" in r.text


def test_valid_post_stores_one_response_the_ikm_sees(web):
    t = done_ticket(web)
    r = post(web, t.token, {**answers(4, U4="3"), "age_band": "30-39", "sex": "P",
                            "comment": "Cepat. Hubungi 0812 3456 7890"})
    assert r.status_code == 303 and r.headers["location"].endswith("/survei?lang=id&ok=1")
    thanks = web.client.get(r.headers["location"])
    assert thanks.status_code == 200 and "Terima kasih" in thanks.text and "www.lapor.go.id" in thanks.text
    rows = ikm(web)
    hall = rows[-1].result
    assert hall.respondents == 1 and hall.sums[3] == 3 and hall.sums[0] == 4
    day = web.clock.now().date()
    (resp,) = SurveyService(web.queue.hall, ManagerStore(web.queue.store)).responses(day, day)
    assert resp.channel == "web" and resp.profile.age_band == "30-39" and resp.profile.sex == "P"
    assert "0812" not in (resp.comment or "")  # no personal data


def test_second_answer_is_refused_politely(web):
    t = done_ticket(web)
    csrf = csrf_of(web.client.get(f"/t/{t.token}/survei").text)
    assert post(web, t.token, answers(4), csrf).status_code == 303
    again = post(web, t.token, answers(1), csrf)
    assert again.status_code == 409 and "Survei sudah diisi" in again.text
    form = web.client.get(f"/t/{t.token}/survei")
    assert form.status_code == 200 and "Survei sudah diisi" in form.text and 'name="U1"' not in form.text
    assert ikm(web)[-1].result.respondents == 1


@pytest.mark.parametrize("data, message", [
    (answers(4, U3="5"), "Jawaban harus salah satu dari pilihan 1 sampai 4."),
    (answers(4, U1="0"), "Jawaban harus salah satu dari pilihan 1 sampai 4."),
    (answers(4, U2="x"), "Jawaban harus salah satu dari pilihan 1 sampai 4."),
    ({k: v for k, v in answers(3).items() if k not in ("U2", "U9")}, "Belum dijawab: nomor 2, 9."),
    ({**answers(3), "sex": "X"}, "Pilihan data responden tidak dikenal"),
])
def test_bad_answers_are_refused_in_indonesian(web, data, message):
    t = done_ticket(web)
    r = post(web, t.token, data)
    assert r.status_code == 400 and message in r.text and 'id="form-error"' in r.text
    assert ikm(web)[-1].result.respondents == 0
    assert post(web, t.token, answers(2)).status_code == 303  # the ticket may still answer


def test_a_bad_answer_keeps_the_others_chosen(web):
    t = done_ticket(web)
    r = post(web, t.token, answers(3, U5=""))
    assert r.status_code == 400 and "nomor 5" in r.text
    assert re.search(r'name="U1" value="3" checked', r.text)


@pytest.mark.parametrize("csrf", ["", "123.deadbeef"])
def test_missing_or_forged_csrf_is_refused(web, csrf):
    t = done_ticket(web)
    r = post(web, t.token, answers(4), csrf=csrf or "")
    assert r.status_code == 400 and "Formulir sudah kedaluwarsa" in r.text
    assert ikm(web)[-1].result.respondents == 0


def test_waiting_called_and_unknown_tokens_get_the_ticket_pages_404(web):
    done = done_ticket(web)
    waiting = web.queue.issue("ktp").ticket
    called = web.queue.issue("kk").ticket
    web.queue.call_next("7")
    web.step()
    unknown = web.client.get("/t/MPP-20261125-K001-ZZZZZZ")
    assert unknown.status_code == 404
    for token in (waiting.token, called.token, "MPP-20261125-K001-ZZZZZZ", "not-a-token"):
        r = web.client.get(f"/t/{token}/survei")
        assert r.status_code == 404 and r.text == unknown.text, token
        assert post(web, token, answers(4), csrf="1.x").status_code == 404
    assert web.client.get(f"/t/{done.token}/survei").status_code == 200


def test_ticket_page_shows_the_survey_button_only_when_done(web):
    it = web.queue.issue("ktp")
    web.step()
    waiting = web.client.get(f"/t/{it.ticket.token}").text
    assert re.search(r'<a class="button big" id="survey" [^>]*hidden', waiting)
    web.queue.call_next("7")
    web.queue.start("7")
    web.queue.finish("7")
    web.step()
    done = web.client.get(f"/t/{it.ticket.token}").text
    m = re.search(r'<a class="button big" id="survey" href="([^"]+)"([^>]*)>Isi survei kepuasan</a>', done)
    assert m and "hidden" not in m.group(2)
    assert web.client.get(m.group(1).replace("&amp;", "&")).status_code == 200


def test_api_survey_needs_write_and_takes_one_answer(web):
    t = done_ticket(web)
    body = {"token": t.token, "answers": {e.code: 4 for e in ELEMENTS}, "age_band": "20-29"}
    assert web.client.post("/api/v1/survey", json=body, headers=web.key("read")).status_code == 403
    w = web.key("write", "kota-app")
    r = web.client.post("/api/v1/survey", json=body, headers=w)
    assert r.status_code == 201 and r.json()["number"] == t.number
    assert web.client.post("/api/v1/survey", json=body, headers=w).status_code == 409
    assert ikm(web)[-1].result.respondents == 1
    other = done_ticket(web)
    bad = web.client.post("/api/v1/survey", json={**body, "token": other.token, "answers": {"U1": 5}}, headers=w)
    assert bad.status_code == 400
    waiting = web.queue.issue("ktp").ticket
    assert web.client.post("/api/v1/survey", json={**body, "token": waiting.token}, headers=w).status_code == 404
    assert [a["status"] for a in web.store.audit_rows()] == [404, 400, 409, 201]
