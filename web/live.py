"""The live state behind every page: ONE reader per process follows the events table and, once per
batch of new events, reads one snapshot of the day's tickets and counters; each open page then
gets its view from that shared in-memory state (never one database query per page).

``LiveHub.refresh()`` is one synchronous step (run in a worker thread by ``run()``, or directly by
tests); ``publish()`` wakes the pages whose view changed (on the event loop)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, AsyncIterator, Awaitable, Callable

from antrian.domain import rules
from antrian.domain.catalogue import Hall
from antrian.domain.errors import QueueError, StoreUnavailable
from antrian.domain.model import CALL_EVENTS, Event
from antrian.services.notify import NotificationService, TicketProgress
from antrian.services.queue import QueueService
from antrian.storage.web_store import EventListener, Snapshot, TicketRow, WebStore
from web.i18n import LANGS, t

log = logging.getLogger(__name__)

OPEN = ("waiting", "called", "serving", "parked")


@dataclass(frozen=True)
class TicketState:
    row: TicketRow
    ahead: int
    eta: int
    transferred: bool


@dataclass
class HallState:
    day: date
    at: datetime
    tickets: dict[str, TicketState] = field(default_factory=dict)  # by token (latest ticket of a token)
    waiting: dict[str, int] = field(default_factory=dict)  # per service
    counters: list[dict] = field(default_factory=list)  # hall order: code, status, number


def build_state(hall: Hall, snap: Snapshot, at: datetime) -> HallState:
    by_token: dict[str, TicketRow] = {}
    seen: dict[str, int] = {}
    for r in snap.tickets:  # ordered by id: the latest ticket of a token wins (a transfer keeps it)
        by_token[r.token] = r
        seen[r.token] = seen.get(r.token, 0) + 1
    waiting: dict[str, list[TicketRow]] = {}
    done_s: dict[str, list[float]] = {}
    for r in snap.tickets:
        if r.status == "waiting":
            waiting.setdefault(r.service_code, []).append(r)
        elif r.status == "done" and r.started_at and r.finished_at:
            done_s.setdefault(r.service_code, []).append((r.finished_at - r.started_at).total_seconds())
    counter_status = {c.code: c for c in snap.counters}
    open_per_service: dict[str, int] = {}
    for c in hall.counters:
        cs = counter_status.get(c.code)
        if cs is not None and cs.status == "open":
            for code in c.service_codes:
                open_per_service[code] = open_per_service.get(code, 0) + 1
    # people ahead, once per service for the whole batch (the rule of antrian.services.reprint):
    # a priority ticket has the earlier priority tickets ahead of it; a normal ticket has every
    # priority ticket (they are called first) and the earlier normal ones
    ahead: dict[int, int] = {}
    for rows in waiting.values():
        rows.sort(key=lambda r: (r.arrival_at, r.id))
        n_prio_all = sum(1 for r in rows if r.priority is not None)
        n_norm = n_prio = 0
        for r in rows:
            if r.priority is not None:
                ahead[r.id] = n_prio
                n_prio += 1
            else:
                ahead[r.id] = n_prio_all + n_norm
                n_norm += 1
    state = HallState(day=snap.day, at=at, waiting={s.code: len(waiting.get(s.code, [])) for s in hall.services})
    for token, r in by_token.items():
        a = ahead.get(r.id, 0)
        eta = 0
        if r.status == "waiting":
            service = hall.find_service(r.service_code)
            times = done_s.get(r.service_code)
            avg = (sum(times) / len(times) / 60.0) if times else (service.service_minutes if service else 10.0)
            eta = rules.estimate_wait_minutes(a, avg, open_per_service.get(r.service_code, 0))
        state.tickets[token] = TicketState(r, a, eta, seen[token] > 1)
    by_id = {r.id: r for r in snap.tickets}
    for c in hall.counters:
        cs = counter_status.get(c.code)
        cur = by_id.get(cs.current_ticket_id) if cs and cs.current_ticket_id else None
        state.counters.append({"code": c.code, "status": cs.status if cs else "closed",
                               "number": cur.number if cur else None, "agency": c.agency_code})
    return state


_TEXTS: dict[tuple[int, str, str, str], tuple[Hall, tuple[str, str, tuple[str, ...], str]]] = {}


def _service_texts(hall: Hall, service_code: str, agency_code: str, lang: str) -> tuple[str, str, tuple[str, ...], str]:
    """(service name, agency name, requirements, fee) in ``lang``: looked up once per service, not
    once per page (the hall config does not change while the server runs)."""
    key = (id(hall), service_code, agency_code, lang)
    hit = _TEXTS.get(key)
    if hit is not None and hit[0] is hall:
        return hit[1]
    service = hall.find_service(service_code)
    agency = hall.find_agency(agency_code)
    if service is None:
        texts: tuple[str, str, tuple[str, ...], str] = (service_code, agency.name if agency else agency_code, (), "")
    else:
        sname = (service.name_en or service.name) if lang == "en" else service.name
        texts = (sname, agency.name if agency else agency_code,
                 tuple(getattr(service, "requirements", ()) or ()), getattr(service, "fee", "") or "")
    _TEXTS[key] = (hall, texts)
    return texts


def ticket_view(hall: Hall, ts: TicketState | None, lang: str, offline: bool = False) -> dict:
    """What the ticket page shows: a JSON-able dict with the texts already in ``lang``."""
    if ts is None:
        return {"state": "offline" if offline else "expired",
                "headline": t(lang, "offline" if offline else "expired"),
                "detail": t(lang, "offline_detail" if offline else "expired_detail")}
    r = ts.row
    sname, agency, requirements, fee = _service_texts(hall, r.service_code, r.agency_code, lang)
    v: dict[str, Any] = {
        "state": r.status, "number": r.number, "service": sname,
        "agency": agency, "ahead": None, "eta": None,
        "counter": r.counter_code, "alert": False, "call_id": "", "offline": offline,
        # the service standard (UU 25/2009): what to bring and what it costs, from the hall config
        "requirements": list(requirements), "fee": fee,
    }
    st = r.status
    if st == "waiting":
        v["headline"] = t(lang, "waiting")
        v["detail"] = t(lang, "transferred_detail", service=sname) if ts.transferred else t(lang, "waiting_detail")
        v["ahead"] = ts.ahead
        v["eta"] = t(lang, "eta_value", minutes=ts.eta) if ts.eta >= 1 else t(lang, "eta_now")
    elif st == "called":
        v["headline"] = t(lang, "called", counter=r.counter_code)
        v["detail"] = (t(lang, "recalled_detail", count=r.recall_count + 1, number=r.number) if r.recall_count
                       else t(lang, "called_detail", number=r.number))
        v["alert"] = True
        v["call_id"] = f"{r.id}:{r.counter_code}:{r.recall_count}:{r.called_at.isoformat() if r.called_at else ''}"
        if r.recall_count:
            v["state"] = "recalled"
    elif st == "serving":
        v["headline"] = t(lang, "serving", counter=r.counter_code)
        v["detail"] = t(lang, "serving_detail")
    elif st in ("parked", "done", "no_show", "cancelled", "expired"):
        v["headline"] = t(lang, st)
        v["detail"] = t(lang, f"{st}_detail")
    else:  # transferred with no follow-up ticket in today's snapshot
        v["headline"] = t(lang, "waiting")
        v["detail"] = t(lang, "transferred_detail", service=sname)
    if offline:
        v["notice"] = t(lang, "offline_detail")
    return v


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
        hit = self._frames.get((key, lang))
        if hit is not None and hit[0] == sig:
            return hit[1]
        data = sse_bytes(self.board_view(lang) if key == "board" else self.ticket_view(key, lang))
        self._frames[(key, lang)] = (sig, data)
        return data

    def ping_all(self) -> None:
        """A keep-alive on every page (one timer for all, not one per page): the last frame again."""
        for group in self._watchers.values():
            for w in group:
                w.push(w.frame)

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
