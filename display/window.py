"""The hall display window: every call in the zone, seen and heard, in order.

It learns of calls only from the ``EventFeed`` (the events table, polled off the GUI thread).
Each new call in the zone updates the counter panel and the history at once, queues for its
turn as the big current call (``Spotlight``), and is handed to the ``Announcer`` in event-id
order. At start, and after the database comes back, the panel is rebuilt from
``queue.recent_calls()`` without announcing anything again.

Over 400 lines, on purpose: the feed-to-screen ordering (panel, spotlight, announcer in event
order, rebuild without announcing) is one state machine.
"""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import QWidget

from display.board import Board, Call, Spotlight, Zone, call_from_event, format_clock
from display.voice.announcer import Announcement
from display.widgets import (
    BG,
    CounterPanel,
    CurrentCallView,
    HeaderBar,
    HistoryView,
    Marquee,
    Style,
    flash_on,
)
from qtshared.common import Runner

log = logging.getLogger(__name__)

TICK_MS = 100


class DisplayWindow(QWidget):
    """``DisplayWindow(hall, queue, settings, feed, announcer, clock)``; call ``start()`` once.

    ``settings`` is the station's ``DisplaySettings``; ``announcer`` may be None (no voice).
    ``lang`` is the language of the date line ("id" or "en"; labels follow the installed Qt
    translator), ``voice_lang`` that of the announcements (default: ``settings.voice.language``).
    ``catchup_max_age``: after an outage, calls older than this many seconds are shown but not
    announced (they were missed while the display could not see the database).
    """

    number_painted = Signal(str)  # the current number was painted (benchmarks)
    call_received = Signal(object)  # a new call of the zone was applied (a ``Call``)
    _spoken = Signal(object)  # event id of a call the announcer has finished (from its thread)

    def __init__(self, hall, queue, settings, feed, announcer, clock, *, lang: str = "id",
                 voice_lang: str | None = None, zone: Zone | None = None, logo: Path | None = None,
                 min_turn: float = 2.0, catchup_max_age: float = 120.0, parent: QWidget | None = None):
        super().__init__(parent)
        self.hall = hall
        self.queue = queue
        self.settings = settings
        self.feed = feed
        self.announcer = announcer
        self.clock = clock
        self.lang = lang
        self.voice_lang = voice_lang or settings.voice.language
        self.zone = zone or Zone.build(hall, settings.agencies, settings.counters)
        self.catchup_max_age = catchup_max_age
        self.highlight_s = float(settings.highlight_seconds)
        self.board = Board(self.zone, history_size=max(1, settings.history))
        self.spotlight = Spotlight(self.highlight_s, min_turn)
        self.offline = False
        # Catch-up: from the moment the database is lost until the feed has handed over every
        # event that existed when it came back, a call older than ``catchup_max_age`` is shown
        # but not spoken. It starts when the display goes offline (not when it is back), so the
        # order in which the feed's events, its online(True) and the rebuild arrive cannot matter.
        self._catching_up = False
        self._catchup_until: int | None = None  # newest event id when the database came back
        self._started = False
        self._closing = False
        self._lit_until: dict[str, float] = {}
        self._day: date | None = None
        self._fed_id: int | None = None  # the newest event id the feed has handed to this window
        self._runner = Runner(max_workers=1, name="display-db", parent=self)

        self.setWindowTitle(hall.short_name)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.style_ = Style(1080)
        self.header = HeaderBar(self.style_, hall.name, header_subtitle(hall.name, self.zone.label, hall.city),
                                logo, self)
        self.header.short_name = hall.short_name
        self.current = CurrentCallView(self.style_, self)
        self.history = HistoryView(self.style_, max(1, settings.history), self)
        self.history.setVisible(settings.history > 0)
        cards = []
        for code in self.zone.counter_codes:
            c = hall.counter(code)
            a = hall.agency(c.agency_code)
            cards.append((c.code, c.number, a.short_name, a.colour))
        self.panel = CounterPanel(self.style_, cards, self)
        self.marquee = Marquee(self.style_, hall.running_text, parent=self)
        self.current.number_painted.connect(self.number_painted)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(2000)
        self._retry.timeout.connect(lambda: self._request_rebuild(initial=False))

        # The announcer reports each spoken call from its worker thread; the signal brings it here.
        self._spoken.connect(self.spotlight.release)
        if announcer is not None:
            previous = announcer.on_done

            def spoken(entry, previous=previous) -> None:
                if previous is not None:
                    previous(entry)
                try:
                    self._spoken.emit(entry.event_id)
                except RuntimeError:  # the window is gone
                    pass

            announcer.on_done = spoken
        feed.events.connect(self._on_events)
        feed.online.connect(self._on_online)

        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self._toggle_full_screen)
        QShortcut(QKeySequence("Ctrl+Q"), self, self.close)

        self.retranslate()
        self._update_clock()

    # ------------------------------------------------------------------ life cycle
    def start(self) -> None:
        """Rebuild the panel from recent events, then follow the feed from there."""
        if self._started:
            return
        self._started = True
        self._timer.start()
        self.marquee.start()
        self._request_rebuild(initial=True)

    def shutdown(self) -> None:
        """Stop this window's timers and background reads (the feed and announcer belong to
        whoever made them)."""
        self._closing = True
        self._timer.stop()
        self._retry.stop()
        self.marquee.stop()
        self._runner.shutdown(wait=False)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def _toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # ------------------------------------------------------------------ rebuilding
    def _load_recent(self) -> tuple[int, list[Call]]:
        """Runs off the GUI thread: the newest event id and today's calls up to it."""
        upto = self.queue.last_event_id()
        calls = []
        for e in self.queue.recent_calls():
            if e.id is not None and e.id <= upto:
                c = call_from_event(self.hall, e)
                if c is not None:
                    calls.append(c)
        return upto, calls

    def _request_rebuild(self, initial: bool) -> None:
        if self._closing:
            return
        fed = self.feed.after_id  # the feed has read this far before the snapshot is taken
        self._runner.submit(
            self._load_recent,
            lambda result: self._on_rebuilt(result, initial, fed),
            lambda exc: self._on_rebuild_failed(exc, initial),
        )

    def _on_rebuilt(self, result: tuple[int, list[Call]], initial: bool, fed: int | None = None) -> None:
        if self._closing:
            return
        upto, calls = result
        snapshot = upto
        if not initial:
            # A call newer than what the feed has handed over still comes through the feed and is
            # announced there: the snapshot must not claim it (the board refuses ids <= last_id).
            known = self._fed_id if self._fed_id is not None else fed
            if known is not None and known < upto:
                upto = known
        self.board.rebuild(calls, upto)
        newest = self.board.newest()
        if newest is not None and newest.event_id <= upto:
            self.spotlight.set_quiet(newest)
        if initial and not self.offline:
            self._catching_up = False
        elif self._catching_up:
            # Everything up to the snapshot was made while away (or before): it is checked for
            # age as it comes through the feed; anything newer is fresh.
            self._catchup_until = snapshot
            self._end_catch_up_if_done()
        log.info("display: rebuilt from %d recent calls (up to event %d)", len(calls), upto)
        if initial:
            if self.feed.after_id is None:
                self.feed.after_id = upto
            self.feed.start()
        if self.feed.is_online is not False:
            self._set_offline(False)
        self._refresh()

    def _on_rebuild_failed(self, exc: BaseException, initial: bool) -> None:
        if self._closing:
            return
        log.warning("display: cannot read recent calls: %s", exc)
        self._set_offline(True)
        if initial:
            # Follow the feed anyway: when the database answers, online(True) rebuilds.
            self.feed.start()
        elif self.feed.is_online:
            self._retry.start()

    # ------------------------------------------------------------------ the feed
    def _on_online(self, ok: bool) -> None:
        if self._closing:
            return
        if not ok:
            self._set_offline(True)
            return
        if self.offline:
            self._set_offline(False)
            self._request_rebuild(initial=False)

    def _on_events(self, events: list) -> None:
        if self._closing:
            return
        now = time.monotonic()
        fresh: list[Call] = []
        self._fed_id = max([self._fed_id or 0] + [e.id for e in events if e.id is not None])
        for e in sorted(events, key=lambda e: e.id or 0):
            call = call_from_event(self.hall, e)
            if call is not None and self.board.apply(call):
                fresh.append(call)
        for call in fresh:
            self.spotlight.push(call, now)
            self._lit_until[call.counter_code] = now + self.highlight_s
            if self._should_announce(call):
                self._announce(call)
            self.call_received.emit(call)
        self._end_catch_up_if_done()
        if fresh:
            self._refresh(now)

    def _end_catch_up_if_done(self) -> None:
        if (self._catching_up and self._catchup_until is not None and self._fed_id is not None
                and self._fed_id >= self._catchup_until):
            self._catching_up = False
            self._catchup_until = None

    def _should_announce(self, call: Call) -> bool:
        if not self._catching_up:
            return True
        if self._catchup_until is not None and call.event_id > self._catchup_until:
            return True  # made after the database came back
        age = (self.clock.now() - call.at).total_seconds()
        if age > self.catchup_max_age:
            log.info("display: %s at loket %s was called %.0f s ago while offline; shown, not announced",
                     call.number, call.counter_number, age)
            return False
        return True

    def _announce(self, call: Call) -> None:
        if self.announcer is None:
            return
        self.spotlight.hold(call.event_id)
        self.announcer.submit(
            Announcement(
                event_id=call.event_id,
                number=call.number,
                prefix=call.prefix,
                seq=call.seq,
                counter_number=call.counter_number,
                spoken_agency=call.agency_spoken,
                recall=call.recall,
                lang=self.voice_lang,
            )
        )

    # ------------------------------------------------------------------ showing
    def _set_offline(self, offline: bool) -> None:
        if offline and not self.offline:
            self._catching_up = True  # what is made from now on may be read only much later
            self._catchup_until = None
        if offline != self.offline:
            self.offline = offline
            log.warning("display: database %s", "unreachable" if offline else "reachable again")
        self.marquee.set_offline(self._texts["offline"] if self.offline else "")

    def _tick(self) -> None:
        now = time.monotonic()
        self._update_clock()
        self.spotlight.tick(now)
        self._refresh(now)

    def _update_clock(self) -> None:
        local = self.clock.now().astimezone(self.hall.tz)
        if self._day is not None and local.date() != self._day:
            log.info("display: new service day %s; clearing the board", local.date())
            self.board.clear()
            self.spotlight.clear()
            self._lit_until.clear()
        self._day = local.date()
        self.header.set_clock(*format_clock(local, self.lang))

    def _refresh(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        phase = flash_on(now)
        self.current.set_call(self.spotlight.current, self.spotlight.is_highlighted(now), phase)
        lit = {code for code, until in self._lit_until.items() if until > now}
        for code in [c for c in self._lit_until if c not in lit]:
            del self._lit_until[code]
        self.panel.set_state({k: c.number for k, c in self.board.latest.items()}, lit, phase)
        self.history.set_calls(self.board.history)

    def status_text(self) -> str:
        """The offline note shown now ("" when connected)."""
        return self.marquee.offline_text

    # ------------------------------------------------------------------ language
    def retranslate(self) -> None:
        counter = self.tr("Counter {n}")
        self._texts = {
            "offline": self.tr("Connection lost - retrying"),
        }
        self.current.texts = {
            "title": self.tr("QUEUE NUMBER"),
            "counter": counter,
            "recall": self.tr("CALLED AGAIN"),
            "none": self.tr("No calls yet"),
        }
        self.panel.texts = {"counter": counter}
        self.history.texts = {"title": self.tr("Recent calls"), "counter": counter, "recall": self.tr("again")}
        if self.zone.label:
            self.header.subtitle = self.tr("Zone: {names}").format(names=self.zone.label)
        self._set_offline(self.offline)
        for w in (self.header, self.current, self.panel, self.history, self.marquee):
            w.update()

    def set_language(self, lang: str) -> None:
        """The date line's language; labels follow the Qt translator (LanguageChange)."""
        self.lang = lang
        self._update_clock()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ layout
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._layout()

    def _layout(self) -> None:
        w, h = self.width(), self.height()
        self.style_.h = max(1, h)
        s = self.style_
        header_h = s.px(0.105)
        marquee_h = s.px(0.07)
        gap = s.px(0.015)
        self.header.setGeometry(0, 0, w, header_h)
        self.marquee.setGeometry(0, h - marquee_h, w, marquee_h)
        top = header_h + gap
        body_h = h - header_h - marquee_h - 2 * gap
        left_w = int(w * 0.44) if w >= h else w
        if w >= h:
            cur_h = int(body_h * (0.64 if self.settings.history > 0 else 1.0))
            self.current.setGeometry(gap, top, left_w - gap, cur_h)
            self.history.setGeometry(gap, top + cur_h + gap, left_w - gap, body_h - cur_h - gap)
            self.panel.setGeometry(left_w + gap, top, w - left_w - 2 * gap, body_h)
        else:  # portrait screen: current call on top, panel below, history hidden
            cur_h = int(body_h * 0.42)
            self.current.setGeometry(gap, top, w - 2 * gap, cur_h)
            self.history.setGeometry(QRect())
            self.panel.setGeometry(gap, top + cur_h + gap, w - 2 * gap, body_h - cur_h - gap)
        for child in (self.header, self.current, self.panel, self.history, self.marquee):
            child.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), BG)
        p.end()


def header_subtitle(hall_name: str, zone_label: str, city: str) -> str:
    """The line under the hall's name: the zone, else the city unless the name already says it
    ("Mal Pelayanan Publik Kota Tangerang" / "Kota Tangerang" would repeat the title)."""
    if zone_label:
        return zone_label
    if city and city.casefold() not in hall_name.casefold():
        return city
    return ""
