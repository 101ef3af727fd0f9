"""``run_display(ctx, args)``: the composition root of ``mpp display``.

Builds the QApplication, the translations, the event feed, the announcer and the window, puts
the window full screen on the chosen monitor, runs the event loop and stops everything in order.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

from display.board import Zone, ZoneError
from antrian.domain.errors import UsageError

log = logging.getLogger(__name__)


def parse_zone(hall, text: str | None, settings) -> Zone:
    """``--zone disdukcapil,dinsos`` (agency codes) or ``--zone 17,18`` (loket numbers), or the
    station's [display] agencies/counters when not given."""
    if text is None:
        try:
            return Zone.build(hall, settings.agencies, settings.counters)
        except ZoneError as e:
            raise UsageError(f"[display] zone in the station config: {e}") from None
    agencies, counters, unknown = [], [], []
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        if hall.find_agency(item) is not None:
            agencies.append(item)
        elif hall.find_counter(item) is not None:
            counters.append(item)
        else:
            unknown.append(item)
    if unknown:
        raise UsageError(
            f"--zone: unknown agency or counter {', '.join(repr(u) for u in unknown)} "
            f"(agencies: {', '.join(a.code for a in hall.agencies)}; counters: {', '.join(c.code for c in hall.counters)}; "
            "see `mpp catalogue`)"
        )
    if not agencies and not counters:
        raise UsageError("--zone needs agency codes or loket numbers, e.g. --zone disdukcapil,dinsos")
    try:
        return Zone.build(hall, agencies, counters)
    except ZoneError as e:
        raise UsageError(f"--zone: {e}") from None


def find_logo() -> Path | None:
    """The hall's logo if one is bundled (assets/logos/hall.png or assets/logo.png)."""
    from antrian import paths

    for parts in (("logos", "hall.png"), ("logo.png",)):
        p = paths.asset(*parts)
        if p.exists():
            return p
    return None


def place_window(window, app, screen_index: int, windowed: bool) -> None:
    """Full screen on monitor ``screen_index`` (the primary one if it is not there), or a
    1280x720 window with ``windowed``."""
    screens = app.screens()
    screen = app.primaryScreen()
    if 0 <= screen_index < len(screens):
        screen = screens[screen_index]
    elif screen_index:
        log.warning("display: there is no screen %d (found %d); using the primary screen",
                    screen_index, len(screens))
    geo = screen.geometry()
    if windowed:
        window.resize(min(1280, geo.width()), min(720, geo.height()))
        from qtshared.common import place_from_env

        if place_from_env(window):
            window.show()
            return
        window.move(geo.x() + 40, geo.y() + 40)
        window.show()
        return
    window.setGeometry(geo)
    window.show()
    handle = window.windowHandle()
    if handle is not None:
        handle.setScreen(screen)
    window.setGeometry(geo)
    window.showFullScreen()
    from PySide6.QtCore import Qt

    window.setCursor(Qt.CursorShape.BlankCursor)


def run_display(ctx, args) -> int:
    settings = ctx.station.display
    zone = parse_zone(ctx.hall, getattr(args, "zone", None), settings)
    lang = getattr(args, "lang", None) or settings.voice.language
    screen_index = args.screen if getattr(args, "screen", None) is not None else settings.screen

    from PySide6.QtWidgets import QApplication

    from display.speech import build_announcer
    from display.window import DisplayWindow
    from qtshared.common import EventFeed, Translations

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Antrian MPP - Display")
    translations = Translations(app)
    translations.set_language(lang)

    queue = ctx.queue
    feed = EventFeed(queue, poll_ms=settings.poll_ms)
    announcer = build_announcer(settings.voice, enabled=not getattr(args, "no_voice", False))
    announcer.number_reading = ctx.hall.number_reading  # [hall] number_reading: "words" / "digits"
    window = DisplayWindow(ctx.hall, queue, settings, feed, announcer, queue.clock, lang=lang,
                           zone=zone, logo=find_logo())
    place_window(window, app, screen_index, getattr(args, "windowed", False))

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):  # the window's timer lets Python see them
        try:
            previous[sig] = signal.signal(sig, lambda *_: app.quit())
        except (ValueError, OSError):  # not the main thread
            pass
    window.start()
    from qtshared.heartbeat import start_heartbeat, station_name

    heartbeat = start_heartbeat(window, queue.store, "display", station_name(ctx, "display"),
                                last_event_id=lambda: feed.after_id)
    ctx.window_built("display", window)
    try:
        code = app.exec()
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        window.shutdown()
        feed.stop()
        announcer.stop(drain=False, timeout=3.0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return int(code or 0)
