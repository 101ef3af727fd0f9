"""A small remote control for the station windows: end-to-end tests and scripted demos only.

Started through ``python -m tests.support.launch`` (which injects it as a window hook),
``mpp kiosk``, ``mpp counter`` and ``mpp display`` read JSON commands on stdin, one per line, and answer each with one JSON line on stdout::

    -> {"id": 3, "cmd": "tap_service", "code": "ktp-el"}
    <- {"id": 3, "ok": true, "result": {...}}
    <- {"id": 4, "ok": false, "error": "..."}

A reader thread takes the lines; a Qt signal brings each one to the GUI thread, where it is
handled in arrival order (one at a time). The commands go through the real UI paths: a tap is a
mouse click on the very button a finger would hit (refused when something covers it, such as a
message or the "processing" overlay), a key is a key press in the window, so shortcuts, guards
and busy states apply exactly as for a person. ``state`` reports what the widgets show.

Commands (all stations: ``state``, ``quit``):

- kiosk: ``tap_priority {group}``, ``tap_agency {code}``, ``tap_service {code}``, ``home``,
  ``tap_booking`` ("Sudah booking?"), ``type_booking_code {code}`` (keypad, then OK);
  ``state`` -> screen, number shown on the result screen, error message shown, banner, busy,
  the booking screen's code and message, the issued ticket's arrival time and people ahead...
- counter: ``key {name: "F1"|"F3"|"F4"|...}``; ``state`` -> current number, status line,
  online, busy, message, waiting counts...
- display: ``state`` -> current big number, panel numbers per loket, history, online.

When stdin closes (the controlling test has gone) the station quits. The product never imports
this module; only the test launcher does.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections import deque
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)

Handler = Callable[[dict], Any]


class CommandError(Exception):
    """A command that cannot be carried out; its text goes back as ``error``."""


class Automation(QObject):
    """Reads commands on ``stdin``, runs ``handlers[cmd](params)`` on the GUI thread, writes the
    replies on ``stdout``. ``quit`` is built in (``on_quit`` closes the window; the default quits
    the application)."""

    _line = Signal(str)
    _eof = Signal()

    def __init__(self, handlers: dict[str, Handler], parent: QObject | None = None, *,
                 on_quit: Callable[[], None] | None = None, stdin=None, stdout=None):
        super().__init__(parent)
        self.handlers = dict(handlers)
        self.on_quit = on_quit
        self._in = stdin if stdin is not None else sys.stdin
        self._out = stdout if stdout is not None else sys.stdout
        self._pending: deque[str] = deque()
        self._running = False
        self._quitting = False
        self._write_lock = threading.Lock()
        self._line.connect(self._on_line)  # queued: emitted from the reader thread
        self._eof.connect(self._on_eof)
        self._thread = threading.Thread(target=self._read, name="mpp-automation", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ reader thread
    def _read(self) -> None:
        try:
            for line in self._in:
                if line.strip():
                    try:
                        self._line.emit(line)
                    except RuntimeError:  # the object is gone
                        return
        except (OSError, ValueError) as e:
            log.debug("automation: stdin: %s", e)
        try:
            self._eof.emit()
        except RuntimeError:
            pass

    # ------------------------------------------------------------------ GUI thread
    def _on_line(self, line: str) -> None:
        self._pending.append(line)
        if self._running:  # a handler is waiting inside the event loop: run this one after it
            return
        self._running = True
        try:
            while self._pending:
                self._handle(self._pending.popleft())
        finally:
            self._running = False

    def _handle(self, line: str) -> None:
        ident = None
        try:
            msg = json.loads(line)
            if not isinstance(msg, dict):
                raise CommandError("a command is a JSON object")
            ident = msg.get("id")
            cmd = msg.get("cmd")
            if cmd == "quit":
                self._reply({"id": ident, "ok": True, "result": None})
                self._quit()
                return
            if self._quitting:
                raise CommandError("quitting")
            handler = self.handlers.get(cmd)
            if handler is None:
                raise CommandError(f"unknown command {cmd!r} (known: {', '.join(sorted(self.handlers))}, quit)")
            params = {k: v for k, v in msg.items() if k not in ("id", "cmd")}
            result = handler(params)
            self._reply({"id": ident, "ok": True, "result": result})
        except CommandError as e:
            self._reply({"id": ident, "ok": False, "error": str(e)})
        except Exception as e:  # reported, never fatal to the station
            log.exception("automation command failed: %s", line.strip())
            self._reply({"id": ident, "ok": False, "error": f"{type(e).__name__}: {e}"})

    def _reply(self, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False, default=str)
        with self._write_lock:
            try:
                self._out.write(text + "\n")
                self._out.flush()
            except (OSError, ValueError):  # nobody is listening any more
                pass

    def _quit(self) -> None:
        if self._quitting:
            return
        self._quitting = True

        def go() -> None:
            if self.on_quit is not None:
                self.on_quit()
            app = QApplication.instance()
            if app is not None:
                app.quit()

        QTimer.singleShot(0, go)

    def _on_eof(self) -> None:
        log.info("automation: stdin closed; quitting")
        self._quit()


# ----------------------------------------------------------------------------- helpers


def wait_for(predicate: Callable[[], bool], timeout_ms: int) -> bool:
    """Let the event loop run until ``predicate()`` or the timeout."""
    deadline = time.monotonic() + timeout_ms / 1000.0
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        QTest.qWait(10)
    return True


def _activate(window: QWidget) -> None:
    """Key presses go to the active window (shortcuts are window shortcuts)."""
    if not window.isActiveWindow():
        window.raise_()
        window.activateWindow()
        handle = window.windowHandle()
        if handle is not None:
            handle.requestActivate()
        wait_for(window.isActiveWindow, 3000)


def tap(window: QWidget, button: QWidget, what: str) -> None:
    """A finger on ``button``'s centre: refused (CommandError) when the button is not on screen or
    something else (a message, the processing overlay) lies on top of it."""
    if not button.isVisible():
        raise CommandError(f"{what} is not on the screen")
    centre = button.rect().center()
    top = window.childAt(button.mapTo(window, centre))
    if top is not None and top is not button and not button.isAncestorOf(top):
        raise CommandError(f"{what} is covered by {type(top).__name__}")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)


def _text(widget) -> str:
    return widget.text() if widget is not None else ""


def _shown(widget) -> bool:
    return widget is not None and not widget.isHidden()


# ----------------------------------------------------------------------------- kiosk


def kiosk_handlers(window) -> dict[str, Handler]:
    """``KioskWindow``: taps on the start screen, the agency screen and the result screen."""

    def screen_name() -> str:
        cur = window.current()
        if cur is getattr(window, "booking_screen", None):
            return "booking"
        for name in ("home", "agency", "result", "pin", "staff"):
            if cur is getattr(window, name, None) or (name == "staff" and cur is window.staff_page):
                return name
        return type(cur).__name__

    def settle_tap_guard() -> None:
        # a person takes longer than the guard to move the finger after a screen change
        left = window.flow.guard_left()
        if left > 0:
            QTest.qWait(int(left * 1000) + 30)

    def state(_p: dict | None = None) -> dict:
        screen = screen_name()
        error = None
        if _shown(window.message):
            error = "\n".join(t for t in (_text(window.message.title), _text(window.message.text)) if t)
        return {
            "screen": screen,
            "number": _text(window.result.number) if screen == "result" else None,
            "service": window.result.issued.ticket.service_code if screen == "result" and window.result.issued else None,
            "priority_label": _text(window.result.priority) if screen == "result" and _shown(window.result.priority) else None,
            "error": error,
            "busy": bool(window.busy) or _shown(window.busy_overlay),
            "online": window.online,
            "offline_banner": _text(window.offline_banner) if _shown(window.offline_banner) else None,
            "group": window.group,
            "agency": getattr(getattr(window.agency, "agency", None), "code", None) if screen == "agency" else None,
            **booking_state(screen),
        }

    def booking_state(screen: str) -> dict:
        """The "Sudah booking?" screen's code and message; on the result screen the ticket's
        arrival time (a booked ticket's is its slot start) and the people ahead it was issued with."""
        b = getattr(window, "booking_screen", None)
        issued = window.result.issued if screen == "result" else None
        return {
            "booking_code": _text(b.code) if screen == "booking" and b is not None else None,
            "booking_message": (_text(b.message) or None) if screen == "booking" and b is not None else None,
            "booking_busy": bool(b.controller.busy) if b is not None else False,
            "arrival_at": issued.ticket.arrival_at.isoformat() if issued is not None else None,
            "ahead": issued.ahead if issued is not None else None,
            "ahead_shown": _text(getattr(window.result, "ahead", None)) if issued is not None else None,
        }

    def tap_priority(p: dict) -> dict:
        group = p.get("group")
        if window.current() is not window.home:
            raise CommandError(f"not on the start screen (on {screen_name()})")
        button = window.home.group_buttons.get(group)
        if button is None:
            raise CommandError(f"no priority group {group!r} (groups: {', '.join(window.home.group_buttons)})")
        settle_tap_guard()
        tap(window, button, f"priority button {group}")
        return state()

    def tap_agency(p: dict) -> dict:
        code = p.get("code")
        if window.current() is not window.home:
            raise CommandError(f"not on the start screen (on {screen_name()})")
        tile = window.home.tiles.get(code)
        if tile is None:
            raise CommandError(f"no agency tile {code!r}")
        settle_tap_guard()
        area = _scroll_area(tile)  # the grid scrolls: a citizen scrolls to the tile first
        if area is not None:
            area.ensureWidgetVisible(tile)
        tap(window, tile, f"agency tile {code}")
        return state()

    def tap_service(p: dict) -> dict:
        code = p.get("code")
        if window.current() is not window.agency:
            raise CommandError(f"not on an agency screen (on {screen_name()})")
        button = window.agency.buttons.get(code)
        if button is None:
            raise CommandError(f"no service button {code!r} on this agency screen")
        settle_tap_guard()
        area = _scroll_area(button)
        if area is not None:
            area.ensureWidgetVisible(button)
        tap(window, button, f"service button {code}")
        return state()

    def tap_booking(_p: dict) -> dict:
        """The "Sudah booking?" button on the start screen."""
        if window.current() is not window.home:
            raise CommandError(f"not on the start screen (on {screen_name()})")
        b = getattr(window, "booking_screen", None)
        if b is None:
            raise CommandError("this kiosk has no booking check-in (no booking store)")
        settle_tap_guard()
        tap(window, b.entry, "the Sudah booking? button")
        return state()

    def type_booking_code(p: dict) -> dict:
        """Type ``code`` on the booking keypad (dashes and spaces skipped, as a citizen would),
        then tap the OK button ("Ambil nomor")."""
        b = getattr(window, "booking_screen", None)
        if b is None or window.current() is not b:
            raise CommandError(f"not on the booking screen (on {screen_name()})")
        settle_tap_guard()  # the window swallows a touch just after the screen changed
        for ch in str(p.get("code", "")).upper():
            if ch in "- ":
                continue
            key = b.keys.get(ch)
            if key is None:
                raise CommandError(f"no key {ch!r} on the booking keypad")
            tap(window, key, f"keypad key {ch}")
        typed = _text(b.code)
        wanted = "".join(ch for ch in str(p.get("code", "")).upper() if ch not in "- ")
        if typed != wanted:
            raise CommandError(f"the keypad typed {typed!r}, not {wanted!r}")
        tap(window, b.ok_button, "the booking OK button")
        return state()

    def home(_p: dict) -> dict:
        """Back to the start screen as the citizen would: OK on a message, "Done" on the result,
        otherwise what the idle timeout does."""
        if _shown(window.message):
            tap(window, window.message.button, "the message's OK button")
        if window.current() is window.result:
            wait_for(lambda: not window.result._guard.isActive(), 3000)
            settle_tap_guard()
            tap(window, window.result.done_button, "the Done button")
        if window.current() is not window.home or window.group:
            if window.busy:
                raise CommandError("busy: a ticket is being issued")
            window.show_home(reset=True)
        return state()

    return {"state": state, "tap_priority": tap_priority, "tap_agency": tap_agency,
            "tap_service": tap_service, "home": home, "tap_booking": tap_booking,
            "type_booking_code": type_booking_code}


def _scroll_area(widget):
    from PySide6.QtWidgets import QScrollArea

    w = widget.parentWidget()
    while w is not None:
        if isinstance(w, QScrollArea):
            return w
        w = w.parentWidget()
    return None


# ----------------------------------------------------------------------------- counter

_KEYS = {f"F{i}": getattr(Qt.Key, f"Key_F{i}") for i in range(1, 13)}
_KEYS.update({"Space": Qt.Key.Key_Space, "Enter": Qt.Key.Key_Return, "Escape": Qt.Key.Key_Escape})


def counter_handlers(window) -> dict[str, Handler]:
    """``CounterWindow``: keys in the window; the panel's widgets read back."""

    def panel():
        return window.panel

    def state(_p: dict | None = None) -> dict:
        pn = panel()
        if pn is None:
            return {"page": window.page(), "login_message": _text(window.login_page.message),
                    "number": None, "online": None, "busy": False, "loaded": False}
        return {
            "page": window.page(),
            "counter": pn.counter.code,
            "number": _text(pn.number_label) or None,
            "ticket_state": _text(pn.state_label),
            "ticket_status": pn.current.status.value if pn.current is not None else None,
            "status": _text(pn.subtitle),
            "online": not _shown(pn.banner),
            "busy": bool(pn.busy),
            "refreshing": bool(pn._refreshing),
            "loaded": bool(pn.loaded),
            "message": _text(pn.message),
            "message_kind": pn.message.property("kind"),
            "waiting": {code: _count(_text(label)) for code, label in pn.waiting_labels.items()},
            "next": [pn.next_list.item(i).text() for i in range(pn.next_list.count())],
            "dialog": _dialog_name(pn),
        }

    def key(p: dict) -> dict:
        name = str(p.get("name", ""))
        qt_key = _KEYS.get(name)
        if qt_key is None:
            raise CommandError(f"unknown key {name!r} (keys: {', '.join(_KEYS)})")
        pn = panel()
        if pn is None:
            raise CommandError(f"no counter open yet (on the {window.page()} page)")
        dialog = _open_dialog(pn)
        if dialog is not None:  # the officer's keys go to the dialog on top (Esc, its F-keys)
            _activate(dialog)
            QTest.keyClick(dialog.focusWidget() or dialog, qt_key)
        else:
            _activate(window)
            QTest.keyClick(pn.scan, qt_key)
        return state()

    return {"state": state, "key": key}


_DIALOGS = {"guard_dialog": "open_ticket", "transfer_dialog": "transfer", "reason_dialog": "reason",
            "confirm_dialog": "confirm"}


def _open_dialog(pn):
    for attr in _DIALOGS:
        d = getattr(pn, attr, None)
        if _alive(d) and _shown(d):
            return d
    return None


def _dialog_name(pn) -> str | None:
    """Which of the panel's dialogs is open ("open_ticket": what to do with the open ticket)."""
    for attr, name in _DIALOGS.items():
        d = getattr(pn, attr, None)
        if _alive(d) and _shown(d):
            return name
    return None


def _count(text: str) -> int:
    head = text.strip().split(" ", 1)[0]
    return int(head) if head.isdigit() else 0


def _alive(obj) -> bool:
    if obj is None:
        return False
    import shiboken6

    return shiboken6.isValid(obj)


# ----------------------------------------------------------------------------- display


def display_handlers(window) -> dict[str, Handler]:
    """``DisplayWindow``: what its big number, panel and history widgets are showing."""

    def state(_p: dict | None = None) -> dict:
        call = window.current.call
        feed = window.feed
        return {
            "current": call.number if call is not None else None,
            "current_counter": call.counter_code if call is not None else None,
            "panel": dict(window.panel.numbers),
            "history": [c.number for c in window.history.calls],
            "online": not window.offline and not window.status_text(),
            "ready": feed.is_online is True and feed.after_id is not None,
        }

    return {"state": state}
