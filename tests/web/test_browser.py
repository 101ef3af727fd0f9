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


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module (starting Playwright and the browser is most of a test's time);
    each test gets its own browser context, so no cookie or page is shared."""
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def phone_context(browser):
    return browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                               is_mobile=True, has_touch=True, locale="id-ID")


def watched(page, problems: list[str]):
    """The page, with its script errors and CSP violations collected into ``problems``."""
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


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
    # a short poll: the pages follow sooner, so the test waits less (the bench measures the real one)
    deps = WebDeps(queue=queue, store=ws, hub=LiveHub(queue, ws, n, poll_seconds=0.05), notifications=n)
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


def test_ticket_page_follows_the_queue_in_a_real_browser(browser, server, tmp_path):
    from playwright.sync_api import expect

    base, queue, counter = server
    counter.open_counter("7")
    queue.issue("ktp")
    queue.issue("ktp")
    mine = queue.issue("ktp")
    shots = tmp_path / "shots"
    shots.mkdir()
    problems: list[str] = []
    ctx = phone_context(browser)
    try:
        page = watched(ctx.new_page(), problems)
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

        en = watched(ctx.new_page(), problems)
        en.goto(f"{base}/t/{mine.ticket.token}?lang=en")
        expect(en.locator("#headline")).to_have_text("Please go to Counter 7")

        board = watched(ctx.new_page(), problems)
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
        w = ctx.new_page()  # answered with 400 on purpose: Chromium logs that as a console error
        w.goto(f"{base}/t/{waiting.ticket.token}")
        w.fill("#phone", "0812")
        w.click("button[type=submit]")
        expect(w.locator("#form-error")).to_contain_text("Nomor belum benar")
        w.screenshot(path=str(shots / "web-ticket-notify-error.png"), full_page=True)
    finally:
        ctx.close()
    assert problems == []  # no CSP violation, no script error
    keep = os.environ.get("MPP_WEB_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for f in shots.iterdir():
            shutil.copy(f, Path(keep) / f.name)


def test_done_ticket_page_offers_the_survey_and_takes_one_answer(browser, server, tmp_path):
    from playwright.sync_api import expect

    from antrian.domain.survey import ELEMENTS

    base, queue, counter = server
    counter.open_counter("7")
    mine = queue.issue("ktp")
    shots = tmp_path / "shots"
    shots.mkdir()
    problems: list[str] = []
    ctx = phone_context(browser)
    try:
        page = watched(ctx.new_page(), problems)
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
        ctx.close()
    assert problems == []
    keep = os.environ.get("MPP_WEB_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for f in shots.iterdir():
            shutil.copy(f, Path(keep) / f.name)
