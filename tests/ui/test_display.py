"""The hall display window, offscreen: calls from other processes and connections, bursts,
restart, zone, recall, database outage, readability, language, and screenshots to open.

Speech is faked (``FakeRenderer``: a short tone per phrase) and played by a ``RecordingPlayer``
so order and overlap can be checked; the real voice is covered in tests/voice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from antrian.config import DisplaySettings, HallFile, build_hall, load_hall
from antrian.domain.errors import StoreUnavailable
from antrian.paths import default_hall_config
from tests.conftest import FakeClock, hall_dict
from tests.voice.helpers import FakeRenderer

pytestmark = pytest.mark.ui

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def indonesian(qapp):
    from qtshared.common import Translations

    tr = Translations(qapp)
    tr.set_language("id")
    yield tr
    tr.set_language("en")


class Display:
    """A started window with its feed, a recording announcer and its log."""

    def __init__(self, window, feed, announcer, player, log):
        self.window, self.feed, self.announcer, self.player, self.log = window, feed, announcer, player, log
        self.received: list[tuple[str, float]] = []
        self.painted: list[str] = []
        window.call_received.connect(lambda c: self.received.append((c.number, time.time())))
        window.number_painted.connect(self._on_paint)

    def _on_paint(self, number: str) -> None:
        if not self.painted or self.painted[-1] != number:
            self.painted.append(number)

    def numbers(self) -> dict[str, str]:
        return {k: c.number for k, c in self.window.board.latest.items()}

    def announced(self) -> list:
        return self.log.entries()


@pytest.fixture
def make_display(qtbot, tmp_path):
    from display.voice.announcer import Announcer, AnnouncementLog
    from display.voice.players import RecordingPlayer
    from display.window import DisplayWindow
    from qtshared.common import EventFeed

    made: list[Display] = []

    def make(hall, queue, clock, size=(1920, 1080), wait_online=True, speech_error=None, feed=None,
             **settings_kw) -> Display:
        settings_kw.setdefault("poll_ms", 50)
        window_kw = {k: settings_kw.pop(k) for k in ("min_turn", "catchup_max_age", "lang", "logo")
                     if k in settings_kw}
        settings = DisplaySettings(**settings_kw)
        n = len(made)
        feed = feed if feed is not None else EventFeed(queue, poll_ms=settings.poll_ms)
        player = RecordingPlayer(seconds=0.02)
        log = AnnouncementLog(tmp_path / f"announce-{n}.jsonl")
        renderer = FakeRenderer(tmp_path / f"voice-{n}", seconds=0.05, fail_with=speech_error)
        announcer = Announcer(renderer, player, log=log)
        window = DisplayWindow(hall, queue, settings, feed, announcer, clock, **window_kw)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        d = Display(window, feed, announcer, player, log)
        made.append(d)
        window.start()
        if wait_online:
            qtbot.waitUntil(lambda: feed.is_online is True and feed.after_id is not None, timeout=5000)
        return d

    yield make
    for d in made:
        d.window.shutdown()
        d.feed.stop()
        d.announcer.stop(drain=False, timeout=2)


def issue(queue, service="ktp", n=1):
    return [queue.issue(service).ticket for _ in range(n)]


def call_events(queue) -> list:
    from antrian.domain.model import CALL_EVENTS

    return [e for e in queue.events_after(0, 10_000) if e.type in CALL_EVENTS]


# ------------------------------------------------------------------------------ other process

CALLER = r"""
import json, sys, time
from antrian.config import HallFile, build_hall
from antrian.services.queue import QueueService
from antrian.storage.db import SqlStore
from tests.conftest import FakeClock
url, hall_json = sys.argv[1], sys.argv[2]
q = QueueService(build_hall(HallFile.model_validate(json.loads(hall_json))), SqlStore(url), FakeClock())
q.last_event_id()  # connected and warm before the timed calls
print("ready", flush=True)
for line in sys.stdin:
    t = q.call_next(line.strip())
    print(json.dumps({"number": t.number, "committed": time.time()}), flush=True)
"""


def test_calls_from_another_process_appear_and_are_announced_in_order(make_display, qtbot, hall, queue, clock, db_url):
    d = make_display(hall, queue, clock, poll_ms=100)
    issue(queue, "ktp", 3)
    proc = subprocess.Popen(
        [sys.executable, "-c", CALLER, db_url, json.dumps(hall_dict(), default=str)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        for i, counter in enumerate(("7", "8", "7")):
            if i == 2:
                queue.finish("7")
            proc.stdin.write(counter + "\n")
            proc.stdin.flush()
            done = json.loads(proc.stdout.readline())
            qtbot.waitUntil(lambda: any(n == done["number"] for n, _ in d.received), timeout=3000)
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    assert [n for n, _ in d.received] == ["K-001", "K-002", "K-003"]
    # how fast a call reaches the screen is measured by `make bench` (bench/display_bench.py)
    qtbot.waitUntil(lambda: len(d.announced()) == 3, timeout=5000)
    assert [e.number for e in d.announced()] == ["K-001", "K-002", "K-003"]


# ------------------------------------------------------------------------------ burst

def burst_hall_dict() -> dict:
    """The test hall with ten counters (eight for Disdukcapil, two for PDAM)."""
    d = hall_dict()
    d["agency"][0]["counters"] = [1, 2, 5, 6, 7, 8, 9, 11]
    return d


def test_burst_of_ten_calls_all_shown_and_announced_in_commit_order(make_display, qtbot, store, clock, db_url):
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore

    hall = build_hall(HallFile.model_validate(burst_hall_dict()))
    queue = QueueService(hall, store, clock)
    issue(queue, "ktp", 8)
    issue(queue, "pdam-bayar", 2)
    d = make_display(hall, queue, clock, history=10, highlight_seconds=1, min_turn=0.2)
    counters = ["1", "2", "5", "6", "7", "8", "9", "11", "3", "4"]
    stores = [SqlStore(db_url) for _ in counters]  # one connection pool per caller
    for s in stores:
        QueueService(hall, s, clock).last_event_id()
    barrier = threading.Barrier(len(counters))
    errors: list[BaseException] = []

    def caller(counter, s):
        try:
            q = QueueService(hall, s, clock)
            barrier.wait()
            q.call_next(counter)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=caller, args=(c, s)) for c, s in zip(counters, stores)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    finally:
        for s in stores:
            s.dispose()
    assert not errors, errors  # the barrier let the ten callers go at once: one burst

    expected = call_events(queue)
    assert len(expected) == 10
    qtbot.waitUntil(lambda: len(d.numbers()) == 10, timeout=3000)
    # all ten at once in the panel and the history, newest first
    assert set(d.numbers().values()) == {e.number for e in expected}
    assert [c.event_id for c in d.window.board.history] == [e.id for e in reversed(expected)]
    # all ten announced, in commit (event id) order, never two at once
    assert d.announcer.wait_idle(20)
    assert [e.event_id for e in d.announced()] == [e.id for e in expected]
    assert d.player.max_concurrent == 1
    plays = sorted(d.player.plays, key=lambda p: p.start)
    assert len(plays) == 10
    assert all(a.end <= b.start for a, b in zip(plays, plays[1:]))
    # and each had its turn as the big current call, in the same order
    qtbot.waitUntil(lambda: len(d.painted) >= 10 and d.painted[-1] == expected[-1].number, timeout=10000)
    order = [n for n in d.painted if n in {e.number for e in expected}]
    assert order == [e.number for e in expected]


# ------------------------------------------------------------------------------ restart

def test_restart_rebuilds_the_panel_without_announcing_again(make_display, qtbot, hall, queue, clock):
    issue(queue, "ktp", 2)
    issue(queue, "pdam-bayar", 1)
    first = make_display(hall, queue, clock)
    for counter in ("7", "8", "3"):
        queue.call_next(counter)
    qtbot.waitUntil(lambda: len(first.numbers()) == 3, timeout=3000)
    assert first.announcer.wait_idle(5) and len(first.announced()) == 3
    before = first.numbers()
    first.window.close()
    first.feed.stop()

    second = make_display(hall, queue, clock)
    qtbot.waitUntil(lambda: second.numbers() == before, timeout=3000)
    # nothing is announced for the rebuild; a late re-announcement would also show up below,
    # ahead of K-003 (announcements keep event order)
    assert second.announced() == [] and second.player.plays == []
    assert second.announcer.pending == 0
    # the newest call is the current one, shown quietly (no highlight)
    assert second.window.current.call.number == "P-001"
    assert not second.window.current.highlighted
    # and it carries on with new calls
    queue.finish("7")
    issue(queue, "ktp", 1)
    queue.call_next("7")
    qtbot.waitUntil(lambda: second.numbers()["7"] == "K-003", timeout=3000)
    assert second.announcer.wait_idle(5)
    assert [e.number for e in second.announced()] == ["K-003"]


# ------------------------------------------------------------------------------ zone, recall

def test_zone_shows_and_announces_only_its_counters(make_display, qtbot, hall, queue, clock, indonesian, shot,
                                                   tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QPainter, QPixmap

    logo = QPixmap(120, 120)  # a stand-in logo: the header shows one when the hall has it
    logo.fill(Qt.GlobalColor.transparent)
    p = QPainter(logo)
    p.setBrush(QColor("#ffc400"))
    p.drawEllipse(4, 4, 112, 112)
    p.end()
    logo.save(str(tmp_path / "logo.png"))
    issue(queue, "ktp", 2)
    issue(queue, "pdam-bayar", 2)
    d = make_display(hall, queue, clock, agencies=["pdam"], logo=tmp_path / "logo.png")
    assert d.window.zone.counter_codes == ("3", "4")
    queue.call_next("7")  # Disdukcapil: outside the zone
    queue.call_next("3")
    queue.call_next("8")  # outside
    queue.call_next("4")
    # P-002 is the newest event: once it is shown, every earlier one (7 and 8 too) was handed over
    qtbot.waitUntil(lambda: d.numbers().get("4") == "P-002", timeout=3000)
    assert d.numbers() == {"3": "P-001", "4": "P-002"}
    assert [c.number for c in d.window.board.history] == ["P-002", "P-001"]
    assert d.announcer.wait_idle(5)
    assert [e.number for e in d.announced()] == ["P-001", "P-002"]
    assert "Zona: PDAM Tirta Benteng" == d.window.header.subtitle
    shot(d.window, "display-zone")


def test_recall_is_announced_again(make_display, qtbot, hall, queue, clock):
    issue(queue, "ktp", 1)
    d = make_display(hall, queue, clock)
    queue.call_next("7")
    qtbot.waitUntil(lambda: len(d.received) == 1, timeout=3000)
    queue.recall("7")
    qtbot.waitUntil(lambda: len(d.received) == 2, timeout=3000)
    assert d.announcer.wait_idle(5)
    entries = d.announced()
    assert [e.number for e in entries] == ["K-001", "K-001"]
    assert not entries[0].text.startswith("Panggilan ulang")
    assert entries[1].text.startswith("Panggilan ulang. Nomor antrean, K, satu.")
    assert "loket tujuh, Disdukcapil" in entries[1].text
    qtbot.waitUntil(lambda: d.window.current.call.recall, timeout=4000)  # its own turn, tagged


def test_without_speech_calls_are_shown_and_the_problem_logged_once(make_display, qtbot, hall, queue, clock,
                                                                     caplog):
    from display.voice.tts import SpeechUnavailable

    issue(queue, "ktp", 3)
    d = make_display(hall, queue, clock, speech_error=SpeechUnavailable("espeak-ng is not installed"))
    with caplog.at_level("WARNING"):
        for counter in ("7", "8"):
            queue.call_next(counter)
        queue.recall("7")
        qtbot.waitUntil(lambda: len(d.received) == 3, timeout=3000)
        assert d.announcer.wait_idle(5)
    assert d.numbers() == {"7": "K-001", "8": "K-002"}
    assert [e.status for e in d.announced()] == ["silent"] * 3
    assert sum("espeak-ng is not installed" in r.getMessage() for r in caplog.records) == 1


# ------------------------------------------------------------------------------ outage

class FlakyStore:
    """The real store, except that every read and write fails while ``down`` is set."""

    def __init__(self, inner):
        self.inner = inner
        self.url = inner.url
        self.down = False

    def _check(self):
        if self.down:
            raise StoreUnavailable("database unreachable (test)")

    def read(self):
        self._check()
        return self.inner.read()

    def transaction(self):
        self._check()
        return self.inner.transaction()

    def describe(self):
        return self.inner.describe()


def test_offline_banner_clock_keeps_running_and_catch_up(make_display, qtbot, hall, store, queue, clock,
                                                         indonesian, shot):
    from antrian.services.queue import QueueService

    flaky = FlakyStore(store)
    issue(queue, "ktp", 3)
    queue.call_next("7")
    d = make_display(hall, QueueService(hall, flaky, clock), clock, catchup_max_age=120)
    qtbot.waitUntil(lambda: d.numbers() == {"7": "K-001"}, timeout=5000)
    assert d.window.status_text() == ""
    assert d.window.header.time_text == "09.00"

    flaky.down = True
    qtbot.waitUntil(lambda: d.window.offline, timeout=5000)
    assert d.window.status_text() == "Koneksi terputus - mencoba lagi"
    clock.advance(minutes=1)
    qtbot.waitUntil(lambda: d.window.header.time_text == "09.01", timeout=5000)  # still painting
    assert d.window.header.date_text == "Rabu, 25 November 2026"
    assert d.numbers() == {"7": "K-001"}  # what it knew stays on screen
    shot(d.window, "display-offline")

    # two calls while the display cannot see the database: one long ago, one just now
    queue.call_next("8")  # K-002 at 09:01
    clock.advance(minutes=5)
    queue.finish("7")
    queue.call_next("7")  # K-003 at 09:06
    flaky.down = False
    qtbot.waitUntil(lambda: not d.window.offline, timeout=5000)
    qtbot.waitUntil(lambda: d.numbers() == {"7": "K-003", "8": "K-002"}, timeout=5000)
    assert d.window.status_text() == ""
    assert d.announcer.wait_idle(5)
    # the stale one is shown but not announced; the fresh one is announced
    assert [e.number for e in d.announced()] == ["K-003"]


class ManualFeed:
    """Stands in for ``EventFeed``: the test decides what arrives, and in which order."""

    def __init__(self, queue):
        from PySide6.QtCore import QObject, Signal

        class _Signals(QObject):
            events = Signal(list)
            online = Signal(bool)

        self._signals = _Signals()
        self.events, self.online = self._signals.events, self._signals.online
        self.queue = queue
        self.after_id: int | None = None
        self.is_online: bool | None = True
        self.started = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        pass

    def go_offline(self) -> None:
        self.is_online = False
        self.online.emit(False)

    def deliver_pending(self) -> list[str]:
        got = self.queue.events_after(self.after_id or 0, 10_000)
        if got:
            self.after_id = got[-1].id
            self.events.emit(got)
        return [e.type for e in got]

    def come_back(self) -> None:
        self.is_online = True
        self.online.emit(True)


@pytest.mark.parametrize("order", ["events-before-online", "rebuild-before-events"])
def test_calls_missed_while_offline_are_not_announced_whatever_the_order(make_display, qtbot, hall, queue,
                                                                          clock, order):
    """The feed's batch, its online(True) and the window's rebuild reach the window in any order
    (threads under load): a call older than ``catchup_max_age`` is never spoken, a fresh one is."""
    issue(queue, "ktp", 4)
    queue.call_next("7")  # K-001, seen before the outage
    feed = ManualFeed(queue)
    d = make_display(hall, queue, clock, wait_online=False, feed=feed, catchup_max_age=120)
    qtbot.waitUntil(lambda: feed.started and d.numbers() == {"7": "K-001"}, timeout=5000)

    feed.go_offline()
    assert d.window.offline
    queue.call_next("8")  # K-002 at 09:00, stale by the time the display sees it
    clock.advance(minutes=5)
    queue.finish("7")
    queue.call_next("7")  # K-003 at 09:05, fresh

    if order == "events-before-online":
        feed.deliver_pending()  # the batch is handled before the online signal
        feed.come_back()
    else:
        feed.come_back()  # the rebuild finishes before the batch is handled
        qtbot.waitUntil(lambda: d.window._catchup_until is not None, timeout=5000)
        feed.deliver_pending()
    qtbot.waitUntil(lambda: not d.window.offline and d.numbers() == {"7": "K-003", "8": "K-002"}, timeout=5000)
    assert d.announcer.wait_idle(5)
    assert [e.number for e in d.announced()] == ["K-003"]

    # catch-up ends once the rebuild is in and the feed has handed over everything up to it
    qtbot.waitUntil(lambda: not d.window._catching_up, timeout=5000)
    queue.finish("8")
    queue.call_next("8")  # K-004
    feed.deliver_pending()
    assert d.announcer.wait_idle(5)
    assert [e.number for e in d.announced()] == ["K-003", "K-004"]


def test_display_starts_while_the_database_is_down(make_display, qtbot, hall, store, queue, clock):
    from antrian.services.queue import QueueService

    flaky = FlakyStore(store)
    flaky.down = True
    issue(queue, "ktp", 2)
    queue.call_next("7")
    d = make_display(hall, QueueService(hall, flaky, clock), clock, wait_online=False)
    qtbot.waitUntil(lambda: d.window.offline, timeout=3000)
    flaky.down = False
    qtbot.waitUntil(lambda: d.numbers() == {"7": "K-001"} and not d.window.offline, timeout=5000)
    queue.call_next("8")
    qtbot.waitUntil(lambda: d.numbers().get("8") == "K-002", timeout=3000)
    assert d.announcer.wait_idle(5)
    assert [e.number for e in d.announced()] == ["K-002"]  # the old call is not announced


# ------------------------------------------------------------------------------ readability

@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
@pytest.mark.parametrize("number_format,seq_needed", [("{prefix}-{seq:03d}", 1), ("{prefix}-{seq:03d}", 1234)])
def test_current_number_is_at_least_15_percent_of_the_screen_height(make_display, qtbot, tmp_path, size,
                                                                     number_format, seq_needed):
    from PySide6.QtGui import QFontMetrics

    from display.board import Call
    from display.widgets import make_font
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade

    url = f"sqlite:///{tmp_path / 'font.sqlite3'}"
    upgrade(url)
    store = SqlStore(url)
    clock = FakeClock()
    hall = build_hall(HallFile.model_validate(hall_dict(number_format=number_format)))
    queue = QueueService(hall, store, clock)
    d = make_display(hall, queue, clock, size=size)
    number = hall.format_number("K", seq_needed)
    call = Call(1, "called", number, "K", seq_needed, "7", 7, "dukcapil", "Disdukcapil", "Disdukcapil",
                "#1565c0", clock.now())
    d.window.spotlight.push(call, time.monotonic())
    d.window._refresh()
    qtbot.waitUntil(lambda: number in d.painted, timeout=2000)
    w, h = size
    assert d.window.height() == h
    px = d.window.current.number_px()
    assert px >= 0.15 * h, (px, h)
    fm = QFontMetrics(make_font(px, True))
    assert fm.horizontalAdvance(number) <= d.window.current.width()  # not cut off
    assert fm.height() <= d.window.current.height()
    store.dispose()


# ------------------------------------------------------------------------------ language

def test_labels_follow_the_qt_translation(make_display, qtbot, hall, queue, clock, qapp):
    from qtshared.common import Translations

    d = make_display(hall, queue, clock)
    tr = Translations(qapp)
    try:
        tr.set_language("id")
        qtbot.waitUntil(lambda: d.window.current.texts["title"] == "NOMOR ANTREAN", timeout=2000)
        assert d.window.panel.texts["counter"].format(n=7) == "Loket 7"
        assert d.window.current.texts["none"] == "Belum ada panggilan"
        tr.set_language("en")
        qtbot.waitUntil(lambda: d.window.current.texts["title"] == "QUEUE NUMBER", timeout=2000)
        assert d.window.panel.texts["counter"].format(n=7) == "Counter 7"
        d.window.set_language("en")
        assert d.window.header.date_text == "Wednesday, 25 November 2026"
        assert d.window.header.time_text == "09:00"
    finally:
        tr.set_language("en")


# ------------------------------------------------------------------------------ screenshots

@pytest.fixture
def real_hall_queue(tmp_path):
    """The bundled Kota Tangerang hall on its own SQLite file, Wednesday 09:00."""
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore, upgrade

    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    upgrade(url)
    store = SqlStore(url)
    clock = FakeClock()
    hall = load_hall(default_hall_config())
    yield hall, QueueService(hall, store, clock), clock
    store.dispose()


def _busy_morning(hall, queue, counters: int) -> None:
    for s in hall.services:
        queue.issue(s.code)
        queue.issue(s.code)
    for c in hall.counters[:counters]:
        queue.call_next(c.code)


@pytest.mark.parametrize("size,name", [((1920, 1080), "display-1080"), ((3840, 2160), "display-2160")])
def test_screenshot_display(make_display, qtbot, real_hall_queue, indonesian, shot, size, name):
    hall, queue, clock = real_hall_queue
    _busy_morning(hall, queue, 14)
    d = make_display(hall, queue, clock, size=size)
    qtbot.waitUntil(lambda: len(d.numbers()) == 14, timeout=3000)
    for code in ("17", "23", "24"):  # three new calls at once: the first is highlighted
        queue.call_next(code)
    qtbot.waitUntil(lambda: len(d.numbers()) == 17, timeout=3000)
    qtbot.waitUntil(lambda: d.window.current.highlighted and d.window.current.flash, timeout=3000)
    assert d.window.current.call.counter_code == "17"
    assert d.window.panel.lit == {"17", "23", "24"}
    path = shot(d.window, name)
    assert path.exists() and path.stat().st_size > 10_000
