"""The booking page when the slots open: many posts for one slot at once through the ASGI app.
Every post is answered (a booking or "penuh"), no seat is sold twice, and no more requests reach
the database at once than the slot has seats (the others are told "penuh" from memory once the
seats are gone)."""

from __future__ import annotations

import asyncio
import threading
from datetime import date

import pytest

pytest.importorskip("fastapi")
import httpx  # noqa: E402

from antrian.services.booking import BookingService  # noqa: E402
from antrian.storage.booking_store import SqlBookingStore  # noqa: E402
from tests.web.conftest import make_web  # noqa: E402
from tests.web.test_booking_pages import tomorrow  # noqa: E402


def nik(i: int) -> str:
    return f"320101410190{i + 1:04d}"


def test_a_rush_on_one_slot_through_the_page(hall, store, clock):
    w = make_web(hall, store, clock)
    bstore = SqlBookingStore(store.url)
    bs = BookingService(hall, bstore, clock)
    w.deps.booking = bs
    at_db = {"now": 0, "most": 0, "calls": 0}
    lock = threading.Lock()
    book = bs.book

    def counting_book(*a, **k):
        with lock:
            at_db["now"] += 1
            at_db["calls"] += 1
            at_db["most"] = max(at_db["most"], at_db["now"])
        try:
            return book(*a, **k)
        finally:
            with lock:
                at_db["now"] -= 1

    bs.book = counting_book  # type: ignore[method-assign]
    day = tomorrow(w)
    seats = bs.slot_capacity("ktp", date.fromisoformat(day), "09:00")
    assert seats >= 1
    n = seats + 25
    path = f"/booking/s/ktp/{day}/0900"
    csrf = w.deps.csrf.make(f"book:ktp:{day}:0900")

    async def rush() -> list[httpx.Response]:
        async def one(i: int) -> httpx.Response:
            transport = httpx.ASGITransport(app=w.app, client=(f"10.0.{i // 200}.{i % 200 + 1}", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://mpp.test") as c:
                return await c.post(path, data={"csrf": csrf, "kind": "nik", "ident": nik(i), "lang": "id"},
                                    follow_redirects=False)

        return await asyncio.gather(*(one(i) for i in range(n)))

    try:
        answers = asyncio.run(rush())
        accepted = [r for r in answers if r.status_code == 303 and "/b/" in r.headers["location"]]
        full = [r for r in answers if r.status_code == 400 and "sudah penuh" in r.text]
        assert (len(accepted), len(full)) == (seats, n - seats)
        assert 1 <= at_db["most"] <= seats, at_db  # never more at the database than seats
        assert at_db["calls"] < n  # the rest were told "penuh" without a worker thread
        rows = bs.list(date.fromisoformat(day), "ktp")
        assert len(rows) == seats and len({v.code for v in rows}) == seats
    finally:
        bstore.dispose()
