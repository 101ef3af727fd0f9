"""Booking end to end: in Debian's Chromium (Playwright) a citizen books a slot on the booking
page of a real web server and reads the code; then, at a real `mpp kiosk` process driven through
the automation channel (tests.support.automation), checks in with that code on the "Sudah
booking?" keypad. The ticket's arrival time is the slot start, and its place is behind the
walk-in who came before the slot and ahead of the walk-ins who came after it.

Both the server and the kiosk read the same hall file: the bundled one with a [booking] section
that gives the service enough seats and opens check-in 60 minutes before the slot, so the first
slot after "now" can be checked in at once (the kiosk runs on the real clock). The walk-ins who
came after the slot are issued by a queue service on a fake clock set past the slot start."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import FakeClock

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NIK = "3671014101900001"  # Kota Tangerang (36 71), born 1 January 1990, serial 0001
SERVICE, AGENCY = "ktp-el", "disdukcapil"

pytestmark = [
    pytest.mark.web, pytest.mark.e2e, pytest.mark.ui,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


def hall_file(tmp: Path) -> Path:
    from antrian.paths import default_hall_config

    text = Path(default_hall_config()).read_text("utf-8")
    for old, new in (("checkin_before_minutes = 30", "checkin_before_minutes = 60"),
                     ("online_quota = {}", f'online_quota = {{ "{SERVICE}" = 480 }}')):
        assert old in text
        text = text.replace(old, new, 1)
    p = tmp / "hall.toml"
    p.write_text(text, "utf-8")
    return p


@pytest.fixture
def booking_server(tmp_path, monkeypatch):
    pytest.importorskip("playwright")
    pytest.importorskip("PySide6")
    import uvicorn

    from antrian.bootstrap import build_context
    from antrian.storage.db import upgrade
    from web.app import create_app
    from web.server import build_deps, free_port

    url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
    upgrade(url)
    config = hall_file(tmp_path)
    monkeypatch.setenv("MPP_ALWAYS_OPEN", "1")  # as the e2e kiosk: every service open all day
    monkeypatch.delenv("MPP_STATION", raising=False)
    ctx = build_context(db=url, config=str(config))
    deps = build_deps(ctx)  # what `mpp serve` runs: the hall's [booking] policy, the releaser
    port = free_port("127.0.0.1", 0)
    srv = uvicorn.Server(uvicorn.Config(create_app(deps), host="127.0.0.1", port=port, log_level="warning",
                                        access_log=False, timeout_graceful_shutdown=1))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 20
    while not srv.started:  # wait for the server to listen (a condition, not a guess)
        assert th.is_alive() and time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", ctx, url, config
    srv.should_exit = True
    th.join(timeout=10)
    ctx.close()


def first_slot_after(now_local: datetime, minutes: int = 30, margin: timedelta = timedelta(minutes=2)) -> datetime:
    t = now_local.replace(second=0, microsecond=0)
    t = t.replace(minute=(t.minute // minutes) * minutes)
    while t <= now_local + margin:
        t += timedelta(minutes=minutes)
    return t


def test_book_in_the_browser_then_check_in_at_the_kiosk(booking_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from antrian.services.queue import QueueService
    from tests.e2e.stations import Hall

    base, ctx, url, config = booking_server
    now = ctx.queue.local_now()
    slot = first_slot_after(now)
    if slot.date() != now.date() or slot.time() > datetime.strptime("23:00", "%H:%M").time():
        pytest.skip("too close to midnight for a slot today (the last one starts at 23:00)")
    hhmm = f"{slot:%H%M}"

    # a citizen at the door before the slot: a walk-in ticket now
    early = ctx.queue.issue(SERVICE).ticket

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                       locale="id-ID").new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/booking")
            page.locator(f'a[href^="/booking/a/{AGENCY}"]').click()
            page.locator(f'a[href^="/booking/s/{SERVICE}"]').first.click()
            page.locator(f'a[href^="/booking/s/{SERVICE}/{slot.date().isoformat()}"]').click()
            page.locator(f'a[href^="/booking/s/{SERVICE}/{slot.date().isoformat()}/{hhmm}"]').click()
            expect(page.locator("h1")).to_be_visible()
            page.fill("#ident", NIK)
            page.locator('form button[type="submit"]').click()
            code_el = page.locator("p.code")
            expect(code_el).to_be_visible(timeout=10_000)
            code = code_el.inner_text().strip()
            expect(page.locator("svg.qr")).to_be_visible()
            assert NIK not in page.content()
        finally:
            browser.close()
    assert not problems, problems
    assert len(code) == 9 and code[4] == "-", code
    booked = ctx.booking.find(code)
    assert booked.slot_start == slot and booked.status.value == "active"

    # walk-ins who came after the slot start (a queue service on a clock past it)
    later = QueueService(ctx.hall, ctx.queue.store, FakeClock(slot.astimezone(timezone.utc) + timedelta(minutes=1)))
    late = [later.issue(SERVICE).ticket for _ in range(2)]

    with Hall(url, tmp_path) as hall:
        hall.base += ["--config", str(config)]
        kiosk = hall.start_kiosk()
        kiosk.wait_state(lambda s: s["screen"] == "home" and s["online"] and not s["busy"], 60, "the kiosk's home")
        st = kiosk.send("tap_booking")
        assert st["screen"] == "booking", st
        kiosk.send("type_booking_code", code=code)
        st = kiosk.wait_state(lambda s: s["screen"] == "result" or bool(s.get("booking_message")
                                                                         and not s["booking_busy"]),
                              30, "the check-in's ticket")
        assert st["screen"] == "result", st
        assert datetime.fromisoformat(st["arrival_at"]) == slot  # the slot start, not the check-in time
        assert st["ahead"] == 1 and st["ahead_shown"] == "1", st  # the early walk-in only
        number = st["number"]
        assert kiosk.quit() == 0

    assert ctx.booking.find(code).status.value == "checked_in"
    # the order the counter calls them: the early walk-in, the booked citizen, then the late ones
    ctx.queue.open_counter("20")
    called = []
    for _ in range(4):
        called.append(ctx.queue.call_next("20").number)
        ctx.queue.finish("20")
    assert called == [early.number, number, late[0].number, late[1].number]
