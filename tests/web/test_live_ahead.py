"""What an open ticket page shows is what the core says: after calls, priority tickets, transfers
and recalls, every page's people-ahead and called state equals the core's answer for that ticket
(antrian.services.reprint, the rule the printed ticket uses), and the frame the page was handed
says the same."""

from __future__ import annotations

import json

import pytest

from antrian.domain.model import Status
from antrian.services.reprint import reprint_view

pytestmark = pytest.mark.web


def core_says(web, token: str) -> tuple[str, int | None, str | None]:
    """(state, people ahead when waiting, counter when called) from the core, for a token's latest ticket."""
    day = web.hub.day()
    with web.queue.store.read() as tx:
        tickets = [t for t in tx.open_tickets(day) if t.token == token]
    if not tickets:  # finished, transferred away without follow-up, ...
        return ("closed", None, None)
    t = max(tickets, key=lambda t: t.id or 0)
    if t.status == Status.WAITING:
        return ("waiting", reprint_view(web.queue, t).ahead, None)
    return (t.status.value, None, t.counter_code if t.status == Status.CALLED else None)


def page_says(web, token: str, frame: bytes | None = None) -> tuple[str, int | None, str | None]:
    v = web.hub.ticket_view(token, "id")
    if frame is not None:
        assert json.loads(frame.decode()[len("data: "):]) == json.loads(json.dumps(v, default=str))
    state = {"recalled": "called"}.get(v["state"], v["state"])
    if state not in ("waiting", "called", "serving", "parked"):
        return ("closed", None, None)
    return (state, v["ahead"] if state == "waiting" else None, v["counter"] if state == "called" else None)


def check_all(web, tokens, watchers):
    woken = web.step()
    for tok in tokens:
        w = watchers[tok]
        assert page_says(web, tok, w.frame) == core_says(web, tok), tok
    return woken


def test_pages_agree_with_the_core_through_calls_priority_and_transfers(web):
    web.queue.open_counter("8")
    web.queue.open_counter("3")
    issued = []
    for _ in range(4):
        issued.append(web.queue.issue("ktp"))
    issued.append(web.queue.issue("ktp", priority="lansia"))  # called before the earlier normal ones
    issued.append(web.queue.issue("kk"))
    issued.append(web.queue.issue("ktp"))
    issued.append(web.queue.issue("ktp", priority="disabilitas"))
    issued.append(web.queue.issue("pdam-bayar"))
    web.step()
    tokens = [it.ticket.token for it in issued]
    watchers = {}
    for tok in tokens:
        w = web.hub.watch(tok)
        w.frame = web.hub.frame(tok, "id")
        watchers[tok] = w
    check_all(web, tokens, watchers)
    # the last normal ktp ticket: both priority tickets and the four earlier normal ones ahead
    assert web.hub.ticket(tokens[6]).ahead == 6 and web.hub.ticket(tokens[4]).ahead == 0

    steps = [
        lambda q: q.call_next("7"),
        lambda q: q.call_next("8"),
        lambda q: q.recall("7"),
        lambda q: q.transfer("7", to_service="kk"),  # keeps its number and arrival time
        lambda q: q.issue("ktp", priority="lansia"),
        lambda q: q.call_next("7"),
        lambda q: q.start("8"),
        lambda q: q.finish("8"),
        lambda q: q.call_next("8"),
        lambda q: q.no_show("7"),
        lambda q: q.call_next("3"),
        lambda q: q.transfer("8", to_counter="3"),
        lambda q: q.call_next("7"),
    ]
    woken = 0
    for step in steps:
        step(web.queue)
        woken += check_all(web, tokens, watchers)
    assert woken >= len(steps)
    assert web.step() == 0  # nothing new: nobody is woken
    for w in watchers.values():
        web.hub.unwatch(w)
