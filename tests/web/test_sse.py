"""Live updates: one shared reader, one snapshot per batch of events, and the SSE frames each open
page gets. Driven step by step (no sleeps): the reader's poll is what bounds the delay to 1 s."""

from __future__ import annotations

import asyncio
import json

import pytest

from antrian.domain.errors import StoreUnavailable
from web.live import stream

pytestmark = pytest.mark.web


def frames_of(chunks):
    texts = [c.decode() if isinstance(c, bytes) else c for c in chunks]
    return [json.loads(c[len("data: "):]) for c in texts if c.startswith("data: ")]


def run(coro):
    return asyncio.run(coro)


def test_a_commit_reaches_the_open_page_in_one_reader_step(web):
    it = web.queue.issue("ktp")
    web.step()

    async def scenario():
        gen = stream(web.hub, it.ticket.token, "id")
        assert await gen.__anext__() == b"retry: 2000\n\n"
        first = frames_of([await gen.__anext__()])[0]
        assert first["state"] == "waiting" and first["ahead"] == 0
        web.queue.call_next("7")  # another connection commits
        nxt = asyncio.ensure_future(gen.__anext__())
        await asyncio.sleep(0)  # let the stream start waiting
        assert not nxt.done()
        assert web.step() == 1  # the reader's one step wakes exactly this page
        second = frames_of([await nxt])[0]
        await gen.aclose()
        return second

    v = run(scenario())
    assert v["state"] == "called" and v["headline"] == "Silakan menuju Loket\u00a07" and v["alert"] is True
    assert web.hub.watching == 0  # closed streams are forgotten


def test_a_reader_step_within_the_poll_interval_bounds_the_delay(web):
    assert web.hub.poll_seconds <= 0.5  # commit -> page is at most one poll + one snapshot away


def test_one_snapshot_per_batch_whatever_the_number_of_pages(web, monkeypatch):
    tickets = [web.queue.issue("ktp") for _ in range(30)]
    web.step()
    calls = {"snap": 0}
    real = web.store.hall_snapshot

    def counting(day):
        calls["snap"] += 1
        return real(day)

    monkeypatch.setattr(web.store, "hall_snapshot", counting)
    watchers = [web.hub.watch(t.ticket.token) for t in tickets for _ in range(10)]  # 300 open pages
    web.queue.call_next("7")
    woken = web.step()
    assert calls["snap"] == 1
    assert woken == 300  # everyone moved one place up
    assert web.step() == 0 and calls["snap"] == 1  # nothing new: no snapshot, nobody woken
    for w in watchers:
        web.hub.unwatch(w)


def test_people_ahead_follow_calls(web):
    a = web.queue.issue("ktp")
    b = web.queue.issue("ktp")
    c = web.queue.issue("ktp")
    web.step()
    assert [web.hub.ticket(t.ticket.token).ahead for t in (a, b, c)] == [0, 1, 2]
    web.queue.call_next("7")
    web.step()
    assert web.hub.ticket_view(c.ticket.token, "id")["ahead"] == 1
    assert web.hub.ticket_view(a.ticket.token, "en")["headline"] == "Please go to Counter\u00a07"


def test_keepalive_resends_the_view_and_offline_frames(web, monkeypatch):
    it = web.queue.issue("ktp")
    web.step()

    async def scenario():
        gen = stream(web.hub, it.ticket.token, "id")
        out = [await gen.__anext__(), await gen.__anext__()]
        nxt = asyncio.ensure_future(gen.__anext__())
        await asyncio.sleep(0)
        assert not nxt.done()
        web.hub.ping_all()  # the hub's one keep-alive timer
        out.append(await nxt)
        await gen.aclose()
        return out

    out = run(scenario())
    assert frames_of(out[2:]) == frames_of(out[1:2])  # the same view again

    monkeypatch.setattr(web.queue, "events_after", lambda *a, **k: (_ for _ in ()).throw(StoreUnavailable("x")))
    web.step()
    v = web.hub.ticket_view(it.ticket.token, "id")
    assert v["offline"] is True and "offline" in v["notice"]


def test_the_events_endpoint_streams_frames(web):
    it = web.queue.issue("ktp")
    web.step()
    web.hub.stop()  # the stream ends after its first frame (as at server shutdown)
    r = web.client.get(f"/t/{it.ticket.token}/events")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.text.startswith("retry: 2000\n\n")
    assert frames_of(r.text.split("\n\n")[1:])[0]["number"] == it.ticket.number
    board = web.client.get("/papan/events")
    assert board.status_code == 200 and "counters" in board.text
    assert web.client.get("/t/nope/events").status_code == 404


def test_the_reader_loop_backs_off_while_offline_and_recovers(web, monkeypatch):
    delays = []
    real = web.queue.events_after
    down = {"on": True}

    def maybe(*a, **k):
        if down["on"]:
            raise StoreUnavailable("x")
        return real(*a, **k)

    monkeypatch.setattr(web.queue, "events_after", maybe)

    async def fake_sleep(d):
        delays.append(d)
        if len(delays) == 3:
            down["on"] = False
        if len(delays) == 5:
            web.hub.stop()

    run(web.hub.run(sleep=fake_sleep))
    assert delays[:3] == [0.4, 0.8, 1.6] and delays[3:] == [0.2, 0.2]
    assert not web.hub.offline


@pytest.mark.pg
def test_postgres_notify_wakes_the_reader_before_its_poll(pg_url, hall, clock):
    from antrian.storage.db import SqlStore, upgrade
    from tests.web.conftest import make_web

    upgrade(pg_url)
    store = SqlStore(pg_url)
    w = make_web(hall, store, clock)
    w.hub.poll_seconds = 120  # only NOTIFY can wake it within the test's patience
    other = SqlStore(pg_url)
    from antrian.services.queue import QueueService

    counter = QueueService(hall, other, clock)

    async def scenario():
        task = asyncio.create_task(w.hub.run())
        try:
            while w.hub.listener is None or not w.hub.listener.listening.is_set() or w.hub.state is None:
                await asyncio.sleep(0.01)
            board = w.hub.watch("board")
            board.changed.clear()
            await asyncio.to_thread(counter.issue, "ktp")
            await asyncio.to_thread(counter.open_counter, "7")
            await asyncio.to_thread(counter.call_next, "7")
            while True:  # the issue and the opening wake it too; wait for the call
                await asyncio.wait_for(board.next(), 30)
                view = w.hub.board_view("id")
                if view["calls"]:
                    return view
        finally:
            w.hub.stop()
            await task

    view = run(scenario())
    assert view["calls"][0]["number"] == "K-001"
    other.dispose()
    store.dispose()


def test_each_changed_view_is_rendered_once_and_its_bytes_shared(web, monkeypatch):
    it = web.queue.issue("ktp")
    web.step()
    renders = []
    real_ticket, real_board = web.hub.ticket_view, web.hub.board_view
    monkeypatch.setattr(web.hub, "ticket_view", lambda tok, lang: renders.append(("t", lang)) or real_ticket(tok, lang))
    monkeypatch.setattr(web.hub, "board_view", lambda lang: renders.append(("b", lang)) or real_board(lang))
    pages = [web.hub.watch(it.ticket.token, lang) for lang in ("id", "id", "id", "en")]
    boards = [web.hub.watch("board", "id") for _ in range(20)] + [web.hub.watch("board", "en")]
    web.queue.call_next("7")
    assert web.step() == len(pages) + len(boards)
    assert sorted(renders) == [("b", "en"), ("b", "id"), ("t", "en"), ("t", "id")]
    assert len({id(w.frame) for w in boards if w.lang == "id"}) == 1  # the same bytes object
    assert frames_of([pages[0].frame])[0]["state"] == "called"
    assert frames_of([pages[3].frame])[0]["headline"] == "Please go to Counter\u00a07"
    renders.clear()
    web.hub.ping_all()  # a keep-alive resends the last frame: nothing is rendered again
    assert renders == [] and all(w.changed.is_set() for w in pages + boards)
    for w in pages + boards:
        web.hub.unwatch(w)
