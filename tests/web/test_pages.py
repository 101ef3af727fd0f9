"""The citizen's pages through the test client: ticket page states, language, 404s, headers,
offline, errors, the hall board."""

from __future__ import annotations

import logging
import re

import pytest

from antrian.domain.errors import StoreUnavailable

pytestmark = pytest.mark.web


def page(web, token, **params):
    return web.client.get(f"/t/{token}", params=params)


def test_ticket_page_shows_number_service_ahead_and_wait(web):
    for _ in range(3):
        web.queue.issue("ktp")
    it = web.queue.issue("ktp")
    web.step()
    r = page(web, it.ticket.token)
    assert r.status_code == 200
    assert it.ticket.number in r.text and "KTP-el" in r.text and "Disdukcapil" in r.text
    assert re.search(r'id="ahead">3<', r.text)
    assert "Perkiraan waktu tunggu" in r.text and "menit" in r.text
    assert "antrean" in r.text and "antrian" not in r.text.lower().replace("mpp", "")


def test_ticket_page_weighs_under_50_kb_with_its_css_and_js(web):
    it = web.queue.issue("ktp")
    web.step()
    html = page(web, it.ticket.token).content
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html.decode())
    assert set(assets) == {"/static/style.css", "/static/ticket.js"}
    total = len(html) + sum(len(web.client.get(a).content) for a in assets)
    assert total <= 50_000, total


def test_english_switch_and_cookie(web):
    it = web.queue.issue("ktp")
    web.step()
    r = page(web, it.ticket.token, lang="en")
    assert "Your queue number" in r.text and "Bahasa Indonesia" in r.text
    assert "lang=en" in r.headers.get("set-cookie", "")
    assert "Your queue number" in page(web, it.ticket.token).text  # the cookie remembers


@pytest.mark.parametrize("action, expect", [
    ("call", "Silakan menuju Loket\u00a07"),
    ("recall", "Panggilan ulang ke-2"),
    ("start", "Sedang dilayani di Loket 7"),
    ("finish", "Selesai"),
    ("no_show", "Nomor terlewat"),
    ("park", "Ditunda sementara"),
])
def test_ticket_states(web, action, expect):
    it = web.queue.issue("ktp")
    web.queue.call_next("7")
    if action == "recall":
        web.queue.recall("7")
    elif action == "finish":
        web.queue.start("7")
        web.queue.finish("7")
    elif action != "call":
        getattr(web.queue, action)("7")
    web.step()
    r = page(web, it.ticket.token)
    assert expect in r.text
    assert "Beri tahu saya" not in r.text  # only while waiting


def test_transferred_ticket_keeps_its_page(web):
    it = web.queue.issue("ktp")
    web.queue.call_next("7")
    web.queue.transfer("7", to_service="kk")
    web.step()
    r = page(web, it.ticket.token)
    assert "dipindahkan ke layanan Kartu Keluarga" in r.text and it.ticket.number in r.text


def test_unknown_and_malformed_tokens_get_the_same_friendly_404(web):
    web.queue.issue("ktp")
    web.step()
    a = page(web, "MPP-20261125-K001-ZZZZZZ")  # well-formed, today, wrong secret
    b = page(web, "not-a-token")
    c = page(web, "MPP-20200101-K001-ABCDEF")  # another day
    assert a.status_code == b.status_code == c.status_code == 404
    assert a.text == b.text == c.text
    assert "Tiket tidak ditemukan" in a.text


def test_404s_are_rate_limited_per_client(web):
    codes = [page(web, f"bad-{i}").status_code for i in range(12)]
    assert codes[:10] == [404] * 10 and codes[10:] == [429, 429]
    assert "Terlalu banyak permintaan" in page(web, "bad-x").text
    web.tick.t += 6  # one more try after 6 s
    assert page(web, "bad-y").status_code == 404


def test_security_headers_and_no_inline_script(web):
    it = web.queue.issue("ktp")
    web.step()
    r = page(web, it.ticket.token)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    for tag in re.findall(r"<script[^>]*>", r.text):
        assert 'src="/static/' in tag
    assert "http://" not in r.text and "https://" not in r.text  # nothing from a CDN


def test_database_outage_says_offline_and_recovers(web, monkeypatch):
    it = web.queue.issue("ktp")
    web.step()

    def down(*a, **k):
        raise StoreUnavailable("cannot use the database: connection refused")

    monkeypatch.setattr(web.queue, "events_after", down)
    web.step()
    assert web.hub.offline
    r = page(web, it.ticket.token)
    assert r.status_code == 200 and "sedang offline" in r.text and 'id="offline" class="offline" role="status">' in r.text
    unknown = page(web, "MPP-20261125-K099-ABCDEF")
    assert unknown.status_code == 503 and "sedang offline" in unknown.text and 'http-equiv="refresh"' in unknown.text
    monkeypatch.undo()
    web.queue.call_next("7")
    web.step()
    assert not web.hub.offline
    assert "Silakan menuju Loket\u00a07" in page(web, it.ticket.token).text


def test_an_unexpected_error_shows_one_friendly_page(web, monkeypatch, caplog):
    it = web.queue.issue("ktp")
    web.step()
    monkeypatch.setattr(web.hub, "ticket_view", lambda *a: 1 / 0)
    with caplog.at_level(logging.ERROR):
        r = page(web, it.ticket.token)
    assert r.status_code == 500 and "Terjadi gangguan" in r.text
    assert "Traceback" not in r.text and "ZeroDivision" not in r.text
    assert it.ticket.token not in caplog.text  # the token is not logged


def test_board_shows_latest_calls_and_counters(web):
    web.queue.issue("ktp")
    web.queue.issue("ktp")
    web.queue.call_next("7")
    web.step()
    r = web.client.get("/papan")
    assert r.status_code == 200 and "Panggilan terakhir" in r.text
    assert "K-001" in r.text and "Loket 7" in r.text
    en = web.client.get("/papan", params={"lang": "en"})
    assert "Latest calls" in en.text and "Counter 7" in en.text


def test_home_redirects_to_board_and_health(web):
    assert web.client.get("/", follow_redirects=False).headers["location"] == "/papan"
    assert web.client.get("/healthz").json()["ok"] is True


def test_ticket_page_lists_the_service_requirements_and_fee(store, clock):
    """Issue 15 (21): the phone page shows the service standard of a waiting ticket."""
    from antrian.config import HallFile, build_hall
    from tests.conftest import hall_dict
    from tests.web.conftest import make_web

    d = hall_dict()
    d["agency"][0]["service"][0].update(requirements=["Fotokopi Kartu Keluarga", "Surat pengantar RT/RW"],
                                        fee="Gratis")
    w = make_web(build_hall(HallFile.model_validate(d), "<test hall>"), store, clock)
    it = w.queue.issue("ktp")
    other = w.queue.issue("kk")
    w.step()
    r = page(w, it.ticket.token)
    assert "Persyaratan yang perlu disiapkan" in r.text
    assert "Fotokopi Kartu Keluarga" in r.text and "Surat pengantar RT/RW" in r.text and "Biaya: Gratis" in r.text
    assert "What to bring" in page(w, it.ticket.token, lang="en").text
    assert "Persyaratan yang perlu disiapkan" not in page(w, other.ticket.token).text  # none in the hall file
