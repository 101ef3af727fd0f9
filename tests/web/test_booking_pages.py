"""The booking pages and the booking API through the test client: book a slot, the confirmation
with its code and QR, the refusals in Indonesian, a full slot, cancel via /b/<code>, and the NIK
never in a response or a log line."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

pytest.importorskip("fastapi")

from antrian.services.booking import BookingService  # noqa: E402
from antrian.storage.booking_store import SqlBookingStore  # noqa: E402
from tests.web.conftest import make_web  # noqa: E402

NIK = "3201014501900001"
NIK2 = "3201014501900002"


@pytest.fixture
def bweb(hall, store, clock):
    w = make_web(hall, store, clock)
    bstore = SqlBookingStore(store.url)
    w.deps.booking = BookingService(hall, bstore, clock)
    w.step()
    yield w
    bstore.dispose()


def tomorrow(w) -> str:
    return (w.queue.local_now().date() + timedelta(days=1)).isoformat()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html
    return m.group(1)


def book(w, service="ktp", day=None, start="0900", ident=NIK, kind="nik", lang="id"):
    day = day or tomorrow(w)
    url = f"/booking/s/{service}/{day}/{start}"
    form = w.client.get(url)
    assert form.status_code == 200
    return w.client.post(url, data={"csrf": csrf_of(form.text), "kind": kind, "ident": ident, "lang": lang},
                         follow_redirects=False)


def test_page_flow_books_a_slot_and_shows_code_and_qr(bweb):
    c = bweb.client
    r = c.get("/booking")
    assert r.status_code == 200 and "/booking/a/dukcapil" in r.text
    r = c.get("/booking/a/dukcapil")
    assert "/booking/s/ktp" in r.text
    r = c.get("/booking/s/ktp")
    day = tomorrow(bweb)
    assert f"/booking/s/ktp/{day}" in r.text
    r = c.get(f"/booking/s/ktp/{day}")
    assert f"/booking/s/ktp/{day}/0900" in r.text and "sisa" in r.text
    r = book(bweb, day=day)
    assert r.status_code == 303
    loc = r.headers["location"]
    code = re.search(r"/b/([A-Z0-9]{8})", loc).group(1)
    page = c.get(loc)
    assert page.status_code == 200
    assert "Booking berhasil" in page.text
    assert f"{code[:4]}-{code[4:]}" in page.text
    assert f"/b/{code}/qr.svg" in page.text and "<svg" in page.text and 'id="qr-path"' in page.text
    qr = c.get(f"/b/{code}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text
    assert NIK not in page.text and NIK not in qr.text


def test_second_booking_same_person_refused_in_indonesian(bweb):
    assert book(bweb, start="0900").status_code == 303
    r = book(bweb, start="0930")
    assert r.status_code == 400
    assert "Satu orang hanya dapat memesan satu kali per layanan per hari" in r.text
    assert NIK not in r.text  # the NIK is not written back into the form


def test_bad_nik_refused_and_english_switch(bweb):
    r = book(bweb, ident="12345")
    assert r.status_code == 400
    assert "NIK harus 16 angka" in r.text
    r = book(bweb, ident="12345", lang="en")
    assert "The NIK must be the 16 digits" in r.text
    assert bweb.deps.booking.list() == []


def test_full_slot_says_penuh(bweb):
    # pdam-baru: quota 2 -> one online seat, in the day's first slot
    day = tomorrow(bweb)
    slots = bweb.deps.booking.slots("pdam-baru", bweb.queue.local_now().date() + timedelta(days=1))
    first = f"{slots[0].start:%H%M}"
    assert book(bweb, service="pdam-baru", start=first).status_code == 303
    r = book(bweb, service="pdam-baru", start=first, ident="081234567890", kind="phone")
    assert r.status_code == 400 and "sudah penuh" in r.text
    assert "penuh" in bweb.client.get(f"/booking/s/pdam-baru/{day}").text


def test_cancel_via_booking_page(bweb):
    loc = book(bweb).headers["location"]
    code = re.search(r"/b/([A-Z0-9]{8})", loc).group(1)
    page = bweb.client.get(f"/b/{code}")
    bad = bweb.client.post(f"/b/{code}/cancel", data={"csrf": "nope"})
    assert bad.status_code == 400
    r = bweb.client.post(f"/b/{code}/cancel", data={"csrf": csrf_of(page.text)}, follow_redirects=True)
    assert r.status_code == 200 and "Booking dibatalkan" in r.text and "Dibatalkan" in r.text
    assert bweb.deps.booking.find(code).status == "cancelled"


def test_unknown_code_is_a_friendly_404(bweb):
    r = bweb.client.get("/b/ZZZZZZZZ")
    assert r.status_code == 404 and "Booking tidak ditemukan" in r.text
    assert bweb.client.get("/b/not-a-code").status_code == 404


def test_api_create_read_cancel(bweb):
    day = tomorrow(bweb)
    body = {"service": "ktp", "day": day, "start": "10:00", "nik": NIK2}
    assert bweb.client.post("/api/v1/bookings", json=body, headers=bweb.key("read")).status_code == 403
    r = bweb.client.post("/api/v1/bookings", json=body, headers=bweb.key("write", "w1"))
    assert r.status_code == 201, r.text
    out = r.json()
    code = out["code"]
    assert out["status"] == "active" and out["slot_start"].startswith(f"{day}T10:00")
    again = bweb.client.post("/api/v1/bookings", json=body, headers=bweb.key("write", "w2"))
    assert again.status_code == 409 and "satu kali per layanan" in again.json()["error"]
    got = bweb.client.get(f"/api/v1/bookings/{code}", headers=bweb.key("read", "r1"))
    assert got.status_code == 200 and got.json()["code"] == code
    assert bweb.client.get("/api/v1/bookings/ZZZZZZZZ", headers=bweb.key("read", "r2")).status_code == 404
    d = bweb.client.delete(f"/api/v1/bookings/{code}", headers=bweb.key("write", "w3"))
    assert d.status_code == 200 and d.json()["status"] == "cancelled"
    audit = bweb.store.audit_rows()
    assert {(a["method"], a["status"]) for a in audit} >= {("POST", 201), ("POST", 409), ("DELETE", 200)}
    for resp in (r, again, got, d):
        assert NIK2 not in resp.text
    assert all(NIK2 not in (a["detail"] or "") for a in audit)


def test_nik_never_in_a_response_or_log(bweb, caplog):
    caplog.set_level(logging.DEBUG)
    r1 = book(bweb)
    code = re.search(r"/b/([A-Z0-9]{8})", r1.headers["location"]).group(1)
    r2 = bweb.client.get(f"/b/{code}")
    r3 = book(bweb, start="1000")  # refused: already booked
    for r in (r1, r2, r3):
        assert NIK not in r.text and NIK not in str(r.headers)
    assert NIK not in caplog.text
    server_lines = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]  # httpx: the test client
    assert server_lines and all(code not in line for line in server_lines)  # the access log hides the code
