"""End to end in a real browser: Debian's Chromium driven by Playwright (no browser download).
A ticket is issued through the queue service, its page is opened at phone size, other
connections call tickets, and the page follows: fewer people ahead, then "Silakan menuju Loket 7".

Set MPP_WEB_SCREENSHOTS=<dir> to keep the phone-size screenshots (docs/screenshots/web-*.png)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.web, pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


@pytest.fixture
def server(tmp_path):
    pytest.importorskip("playwright")
    import uvicorn

    from antrian.services.notify import NotificationService, RecordingNotifier
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade
    from antrian.storage.web_store import WebStore
    from tests.conftest import make_hall
    from web.app import WebDeps, create_app
    from web.live import LiveHub
    from web.server import free_port

    url = f"sqlite:///{tmp_path / 'mpp.sqlite3'}"
    upgrade(url)
    hall = make_hall()
    queue = QueueService(hall, SqlStore(url))
    ws = WebStore(queue.store)
    n = NotificationService(ws, RecordingNotifier(), hall.short_name, ahead=5)
    deps = WebDeps(queue=queue, store=ws, hub=LiveHub(queue, ws, n), notifications=n)
    port = free_port("127.0.0.1", 0)
    srv = uvicorn.Server(uvicorn.Config(create_app(deps), host="127.0.0.1", port=port, log_level="warning",
                                        access_log=False, timeout_graceful_shutdown=1))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    started = threading.Event()
    while not started.wait(0.05):  # wait for the server to listen (a condition, not a guess)
        if srv.started:
            started.set()
        assert th.is_alive(), "the web server did not start"
    other = QueueService(hall, SqlStore(url))  # "another connection": a counter station
    yield f"http://127.0.0.1:{port}", queue, other
    srv.should_exit = True
    th.join(timeout=10)
    other.store.dispose()
    queue.store.dispose()


def test_ticket_page_follows_the_queue_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base, queue, counter = server
    counter.open_counter("7")
    queue.issue("ktp")
    queue.issue("ktp")
    mine = queue.issue("ktp")
    shots = tmp_path / "shots"
    shots.mkdir()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True, locale="id-ID")
            page = ctx.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/t/{mine.ticket.token}")
            expect(page.locator("#number")).to_have_text(mine.ticket.number)
            expect(page.locator("#ahead")).to_have_text("2")
            page.screenshot(path=str(shots / "web-ticket-waiting.png"), full_page=True)

            counter.call_next("7")  # the number comes near
            expect(page.locator("#ahead")).to_have_text("1", timeout=5000)
            counter.finish("7")
            counter.call_next("7")
            expect(page.locator("#ahead")).to_have_text("0", timeout=5000)
            counter.finish("7")

            counter.call_next("7")  # our turn
            expect(page.locator("#headline")).to_have_text("Silakan menuju Loket 7", timeout=5000)
            expect(page.locator("body")).to_have_class("state-called")
            expect(page.locator("#notify")).to_be_hidden()
            page.screenshot(path=str(shots / "web-ticket-called.png"), full_page=True)

            en = ctx.new_page()
            en.goto(f"{base}/t/{mine.ticket.token}?lang=en")
            expect(en.locator("#headline")).to_have_text("Please go to Counter 7")

            board = ctx.new_page()
            board.goto(f"{base}/papan?lang=id")
            expect(board.locator("#calls li").first).to_contain_text(mine.ticket.number)
            counter.recall("7")  # shown once, at its latest call
            nxt = queue.issue("ktp")
            counter.finish("7")
            counter.call_next("7")
            expect(board.locator("#calls li").first).to_contain_text(nxt.ticket.number, timeout=5000)
            expect(board.locator("#calls li")).to_have_count(4)
            board.screenshot(path=str(shots / "web-board.png"), full_page=True)

            waiting = queue.issue("kk")
            w = ctx.new_page()
            w.goto(f"{base}/t/{waiting.ticket.token}")
            w.fill("#phone", "0812")
            w.click("button[type=submit]")
            expect(w.locator("#form-error")).to_contain_text("Nomor belum benar")
            w.screenshot(path=str(shots / "web-ticket-notify-error.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []  # no CSP violation, no script error
    keep = os.environ.get("MPP_WEB_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for f in shots.iterdir():
            shutil.copy(f, Path(keep) / f.name)


def test_done_ticket_page_offers_the_survey_and_takes_one_answer(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from antrian.domain.survey import ELEMENTS

    base, queue, counter = server
    counter.open_counter("7")
    mine = queue.issue("ktp")
    shots = tmp_path / "shots"
    shots.mkdir()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True, locale="id-ID")
            page = ctx.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/t/{mine.ticket.token}")
            expect(page.locator("#number")).to_have_text(mine.ticket.number)
            expect(page.locator("#survey")).to_be_hidden()

            counter.call_next("7")
            counter.start("7")
            counter.finish("7")  # "Selesai": the live page offers the survey
            expect(page.locator("#headline")).to_have_text("Selesai", timeout=5000)
            expect(page.locator("#survey")).to_be_visible()
            expect(page.locator("#survey")).to_have_text("Isi survei kepuasan")
            page.screenshot(path=str(shots / "web-ticket-done.png"), full_page=True)

            page.click("#survey")
            expect(page.locator("h1")).to_have_text("Survei Kepuasan Masyarakat")
            for i, e in enumerate(ELEMENTS):
                page.check(f"input[name={e.code}][value='{4 if i % 3 else 3}']")
            page.select_option("#p-age_band", "30-39")
            page.fill("#comment", "Petugas ramah, antrean tertib.")
            page.screenshot(path=str(shots / "web-survey.png"), full_page=True)
            page.click("#survey-submit")
            expect(page.locator("#survey-thanks h1")).to_have_text("Terima kasih")
            page.screenshot(path=str(shots / "web-survey-thanks.png"), full_page=True)

            page.goto(f"{base}/t/{mine.ticket.token}/survei")  # one answer per ticket
            expect(page.locator("#survey-thanks h1")).to_have_text("Survei sudah diisi")
        finally:
            browser.close()
    assert problems == []
    keep = os.environ.get("MPP_WEB_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for f in shots.iterdir():
            shutil.copy(f, Path(keep) / f.name)
