"""Starting the counter and monitor windows from an AppContext (`mpp counter`, `mpp monitor`, and
the demo). Builds the QApplication, the Runner, the EventFeed and the translations, passes them to
the window, and tears them down when the window closes."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QApplication

from antrian.services.users import UserService
from qtshared.common import EventFeed, Runner, Translations, place_from_env
from qtshared.heartbeat import start_heartbeat, station_name
from counter.window import CounterWindow
from counter.monitor import MonitorWindow
from counter.station import StationWindow


def _app() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Antrian MPP")
    return app


@dataclass
class StationParts:
    """What the counter window and the monitor both get from a context (issue 9, D5)."""

    translations: Translations
    users: UserService
    runner: Runner
    feed: EventFeed


def make_station_parts(ctx: Any, app: QApplication | None, language: str, name: str, poll_ms: int,
                       runner: Runner | None = None, feed: EventFeed | None = None) -> StationParts:
    translations = Translations(app or _app())
    translations.set_language(language)
    queue = ctx.queue
    return StationParts(translations, UserService(queue.store, queue.clock, tz=ctx.hall.tz),
                        runner or Runner(max_workers=2, name=name), feed or EventFeed(queue, poll_ms=poll_ms))


def make_counter_window(ctx: Any, app: QApplication | None = None, *, counter: str | None = None,
                        language: str = "id", runner: Runner | None = None,
                        feed: EventFeed | None = None) -> CounterWindow:
    """A counter window wired to ``ctx``; the caller starts ``window.feed`` and shows it."""
    p = make_station_parts(ctx, app, language, "mpp-counter", 250, runner, feed)
    preset = counter or ctx.station.counter.counter or None
    return CounterWindow(ctx.queue, p.users, p.runner, p.feed, ctx.queue.clock, translations=p.translations,
                         counter=preset)


def make_monitor_window(ctx: Any, app: QApplication | None = None, *, language: str = "id",
                        runner: Runner | None = None, feed: EventFeed | None = None) -> MonitorWindow:
    p = make_station_parts(ctx, app, language, "mpp-monitor", 500, runner, feed)
    return MonitorWindow(ctx.queue, p.users, p.runner, p.feed, ctx.queue.clock, translations=p.translations)


def follow_counter_heartbeat(window, store):
    """The counter window's heartbeat (kind "counter", name = the counter's code): it starts when
    the officer's counter panel opens and stops when the officer logs out, so the monitor shows a
    counter whose window died as "offline"."""
    state: dict[str, Any] = {"code": None, "hb": None}

    def changed(_index: int) -> None:
        panel = window.panel
        code = panel.counter.code if panel is not None and window.stack.currentWidget() is panel else None
        if code == state["code"]:
            return
        if state["hb"] is not None:
            state["hb"].stop()
            state["hb"].deleteLater()
        state["code"] = code
        state["hb"] = None if code is None else start_heartbeat(
            window, store, "counter", code, window.runner, last_event_id=lambda: window.feed.after_id)

    window.stack.currentChanged.connect(changed)
    return state


def _login(window: StationWindow, username: str | None, pin: str | None) -> None:
    if username and pin:
        window.login_page.username.setText(username)
        window.login(username, pin)


def _run(window: StationWindow, windowed: bool) -> int:
    app = _app()
    window.feed.start()
    if windowed:
        place_from_env(window)
        window.show()
    else:
        window.showMaximized()
    try:
        return app.exec()
    finally:
        window.feed.stop()
        window.runner.shutdown(wait=False)


def run_counter(ctx: Any, *, counter: str | None = None, windowed: bool = False, username: str | None = None,
                pin: str | None = None, language: str = "id") -> int:
    window = make_counter_window(ctx, _app(), counter=counter, language=language)
    follow_counter_heartbeat(window, ctx.queue.store)
    _login(window, username, pin)
    ctx.window_built("counter", window)
    return _run(window, windowed)


def run_monitor(ctx: Any, *, windowed: bool = False, username: str | None = None, pin: str | None = None,
                language: str = "id") -> int:
    window = make_monitor_window(ctx, _app(), language=language)
    start_heartbeat(window, ctx.queue.store, "monitor", station_name(ctx, "monitor"), window.runner,
                    last_event_id=lambda: window.feed.after_id)
    _login(window, username, pin)
    ctx.window_built("monitor", window)
    return _run(window, windowed)
