"""The live state behind every page: ONE reader per process follows the events table and, once per
batch of new events, reads one snapshot of the day's tickets and counters; each open page then
gets its view from that shared in-memory state (never one database query per page). What a view
says is computed in web.live_views; this module reads, and hands each changed view, rendered once,
to the pages that show it.

``LiveHub.refresh()`` is one synchronous step (run in a worker thread by ``run()``, or directly by
tests); ``publish()`` wakes the pages whose view changed (on the event loop)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from datetime import date
from typing import Any, AsyncIterator, Awaitable, Callable

from antrian.domain.errors import QueueError, StoreUnavailable
from antrian.domain.model import CALL_EVENTS, Event
from antrian.services.notify import NotificationService, TicketProgress
from antrian.services.queue import QueueService
from antrian.storage.web_store import EventListener, WebStore
from web.i18n import LANGS, t
from web.live_views import OPEN, HallState, TicketState, build_state, ticket_view

__all__ = ["OPEN", "HallState", "LiveHub", "TicketState", "Watcher", "build_state", "stream", "sse", "ticket_view"]

log = logging.getLogger(__name__)

class Watcher:
    """One open page. The hub hands it the bytes of its next frame (``push``: no await, no render
    per page) and the page's stream task sends them; only the newest frame is kept, so a slow
    phone skips states instead of queueing them."""

    __slots__ = ("key", "lang", "frame", "changed")

    def __init__(self, key: str, lang: str = "id"):
        self.key = key
        self.lang = lang
        self.frame = b""
        self.changed = asyncio.Event()

    def push(self, frame: bytes) -> None:
        self.frame = frame
        self.changed.set()

    async def next(self) -> bytes:
        await self.changed.wait()
        self.changed.clear()
        return self.frame


class LiveHub:
    def __init__(self, queue: QueueService, store: WebStore, notifications: NotificationService | None = None,
                 poll_seconds: float = 0.2, recent: int = 12, heartbeat: float = 15.0):
        self.queue = queue
        self.hall = queue.hall
        self.store = store
        self.notifications = notifications
        self.poll_seconds = poll_seconds
        self.heartbeat = heartbeat  # seconds between keep-alive comments on every stream
        self.state: HallState | None = None
        self.offline = False
        self.last_id: int | None = None
        self.version = 0
        self.calls: deque[dict] = deque(maxlen=recent)
        self._lock = threading.Lock()
        self._published: dict[str, str] = {}  # watcher key -> signature last published
        self._frames: dict[tuple[str, str], tuple[str, bytes]] = {}  # (key, lang) -> (signature, frame)
        self._watchers: dict[str, set[Watcher]] = {}
        self._stop = False
        self.listener: EventListener | None = None  # the PostgreSQL LISTEN thread while run() runs
        self._wake_run: Callable[[], Any] | None = None

    # ------------------------------------------------------------------ reading (worker thread)
    def refresh(self) -> bool:
        """One step: read new events; when there are any (or the day changed, or the first time),
        rebuild the shared state from one snapshot. True when something pages show may have changed."""
        with self._lock:
            try:
                return self._refresh()
            except (StoreUnavailable, QueueError, OSError) as e:
                if not self.offline:
                    log.warning("web: database offline (%s); pages show 'sedang offline'", type(e).__name__)
                self.offline = True
                self.version += 1
                return True

    def _refresh(self) -> bool:
        now = self.queue.clock.now()
        day = self.queue.service_day(now)
        events: list[Event] = []
        last_id = self.last_id
        if last_id is None:
            self.last_id = self.queue.last_event_id()
            self.calls.clear()
            for e in self.queue.recent_calls(limit=self.calls.maxlen or 12):
                self.calls.append(self._call(e))
            if self.notifications:
                self.notifications.purge_before(day)
        else:
            while True:
                batch = self.queue.events_after(last_id)
                events.extend(batch)
                if batch and batch[-1].id is not None:
                    last_id = self.last_id = batch[-1].id
                if len(batch) < 500:
                    break
        was_offline = self.offline
        if events or self.state is None or self.state.day != day or was_offline:
            if self.state is not None and self.state.day != day and self.notifications:
                self.notifications.purge_before(day)
            snap = self.store.hall_snapshot(day)
            self.state = build_state(self.hall, snap, now)
            for e in events:
                if e.type in CALL_EVENTS and e.counter_code:
                    self.calls.append(self._call(e))
            self.offline = False
            self.version += 1
            if self.notifications and self.notifications.enabled:
                try:
                    self.notifications.observe(day, self._progress())
                except (StoreUnavailable, QueueError) as e:  # never stops the pages
                    log.warning("web: notifications not queued (%s)", type(e).__name__)
            return True
        return False

    def observe_now(self) -> bool:
        """Queue the notifications due now (a new subscriber may already be near)."""
        with self._lock:
            if self.state is None or not self.notifications or not self.notifications.enabled:
                return False
            try:
                return self.notifications.observe(self.state.day, self._progress()) > 0
            except (StoreUnavailable, QueueError):
                return False

    def _call(self, e) -> dict:
        return {"id": e.id, "number": e.number, "counter": e.counter_code,
                "at": e.at.astimezone(self.hall.tz).strftime("%H:%M"), "recall": e.type == "recalled"}

    def _progress(self) -> dict[str, TicketProgress]:
        out: dict[str, TicketProgress] = {}
        st = self.state
        if st is None:
            return out
        for token, ts in st.tickets.items():
            if ts.row.status in ("waiting", "called"):
                s = self.hall.find_service(ts.row.service_code)
                out[token] = TicketProgress(token, ts.row.number, s.name if s else ts.row.service_code,
                                            ts.row.status, ts.ahead, ts.row.counter_code)
        return out

    # ------------------------------------------------------------------ views (any thread)
    def day(self) -> date:
        """The service day the pages show; StoreUnavailable before the first snapshot."""
        st = self.state
        if st is None:
            raise StoreUnavailable("the web server has not read the hall yet")
        return st.day

    def ticket(self, token: str) -> TicketState | None:
        st = self.state
        return st.tickets.get(token) if st else None

    def ticket_view(self, token: str, lang: str) -> dict:
        return ticket_view(self.hall, self.ticket(token), lang, self.offline)

    def board_view(self, lang: str) -> dict:
        st = self.state
        counters = []
        for c in (st.counters if st else []):
            label = {"open": "board_open", "paused": "board_paused"}.get(c["status"], "board_closed")
            counters.append({"code": c["code"], "number": c["number"] or "-", "status": c["status"],
                             "label": t(lang, label)})
        return {
            "state": "offline" if self.offline or st is None else "ok",
            "offline": t(lang, "offline_detail") if self.offline or st is None else "",
            "calls": self._latest_calls(),
            "counters": counters,
            "updated": t(lang, "updated", time=st.at.astimezone(self.hall.tz).strftime("%H:%M:%S")) if st else "",
        }

    def _latest_calls(self) -> list[dict]:
        """Newest first; a recalled number is shown once, at its latest call."""
        seen, out = set(), []
        for c in reversed(self.calls):
            if (c["number"], c["counter"]) not in seen:
                seen.add((c["number"], c["counter"]))
                out.append(c)
        return out

    # ------------------------------------------------------------------ fan-out (event loop)
    def watch(self, key: str, lang: str = "id") -> Watcher:
        """key: a ticket token, or "board"."""
        w = Watcher(key, lang)
        self._watchers.setdefault(key, set()).add(w)
        return w

    def unwatch(self, w: Watcher) -> None:
        group = self._watchers.get(w.key)
        if group is not None:
            group.discard(w)
            if not group:
                del self._watchers[w.key]
                self._published.pop(w.key, None)
                for lang in LANGS:
                    self._frames.pop((w.key, lang), None)

    @property
    def watching(self) -> int:
        return sum(len(g) for g in self._watchers.values())

    def _signature(self, key: str) -> str:
        if key == "board":
            st = self.state
            return json.dumps([self.offline, list(self.calls), st.counters if st else None], default=str)
        ts = self.ticket(key)
        if ts is None:
            return f"none:{self.offline}"
        r = ts.row
        return f"{self.offline}:{r.id}:{r.status}:{r.counter_code}:{r.recall_count}:{ts.ahead}:{ts.eta}"

    def frame(self, key: str, lang: str, sig: str | None = None) -> bytes:
        """The SSE frame of ``key``'s current view in ``lang``: rendered once per distinct state and
        shared by every page that shows it (the board's many viewers, a ticket open twice)."""
        if sig is None:
            sig = self._signature(key)
        if key == "board" and self.state is not None:  # its "updated hh:mm:ss" line moves with each snapshot
            sig += f"@{self.state.at.isoformat()}"
        hit = self._frames.get((key, lang))
        if hit is not None and hit[0] == sig:
            return hit[1]
        data = sse_bytes(self.board_view(lang) if key == "board" else self.ticket_view(key, lang))
        self._frames[(key, lang)] = (sig, data)
        return data

    def ping_all(self) -> None:
        """A keep-alive on every page (one timer for all, not one per page): the last frame again
        (the board's with its "updated" time of now, rendered once per language)."""
        for key, group in self._watchers.items():
            for w in group:
                w.push(self.frame(key, w.lang) if key == "board" else w.frame)

    def publish(self) -> int:
        """Hand the pages whose view changed since the last publish their new frame; returns how
        many. Each changed view is rendered once per language, and the pushes do not await."""
        woken = 0
        for key, group in self._watchers.items():
            sig = self._signature(key)
            if self._published.get(key) == sig:
                continue
            self._published[key] = sig
            for w in group:
                w.push(self.frame(key, w.lang, sig))
                woken += 1
        return woken

    async def run(self, sleep: Callable[[float], Awaitable[Any]] | None = None) -> None:
        """Follow the events table until stopped (the server's lifespan starts this once). Between
        reads it waits ``poll_seconds``, or less when PostgreSQL's NOTIFY wakes it."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        self._wake_run = lambda: loop.call_soon_threadsafe(wake.set)
        listener = None
        if sleep is None:
            listener = self.listener = EventListener(self.queue.store, self._wake_run)
            listener.start()

            async def sleep(delay: float) -> None:
                try:
                    await asyncio.wait_for(wake.wait(), delay)
                except TimeoutError:
                    pass
                wake.clear()

        delay = self.poll_seconds
        last_ping = loop.time()
        try:
            while not self._stop:
                changed = await asyncio.to_thread(self.refresh)
                if changed:
                    self.publish()
                if loop.time() - last_ping >= self.heartbeat:
                    last_ping = loop.time()
                    self.ping_all()
                # while offline, back off up to 2 s between tries; recover by itself
                delay = min(2.0, delay * 2) if self.offline else self.poll_seconds
                await sleep(delay)
        finally:
            if listener is not None:
                await asyncio.to_thread(listener.stop)

    def stop(self) -> None:
        """End the reader and every open stream (server shutdown)."""
        self._stop = True
        if self._wake_run is not None:
            try:
                self._wake_run()
            except RuntimeError:  # the loop is already closed
                pass
        for group in self._watchers.values():
            for w in group:
                w.changed.set()

    @property
    def stopped(self) -> bool:
        return self._stop


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def sse(data: dict, event: str | None = None) -> str:
    body = _JSON.encode(data)
    return (f"event: {event}\n" if event else "") + f"data: {body}\n\n"


def sse_bytes(data: dict) -> bytes:
    return sse(data).encode()


RETRY = b"retry: 2000\n\n"


async def stream(hub: LiveHub, key: str, lang: str = "id") -> AsyncIterator[bytes]:
    """Server-Sent Events for one page: the current view first, then the frame the hub hands over
    at each change, and the last frame again when the hub's keep-alive timer pings (every
    ``hub.heartbeat`` s). While the database is away the view says offline; the browser's
    EventSource reconnects by itself when the connection drops."""
    w = hub.watch(key, lang)
    try:
        yield RETRY
        w.frame = hub.frame(key, lang)
        yield w.frame
        while not hub.stopped:
            data = await w.next()
            if hub.stopped:
                return
            yield data
    finally:
        hub.unwatch(w)
