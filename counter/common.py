"""Shared bits of the counter and monitor windows: wording of errors and states (translated with
Qt, context ``ErrorText``), time formatting and the style sheet."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from antrian.domain.errors import QueueError, StoreUnavailable
from antrian.domain.model import Ticket


def _t(text: str) -> str:
    return QCoreApplication.translate("ErrorText", text)


class ErrorText:
    """Words an error for an officer: by its ``code`` and ``params``, in the current language.
    Unknown codes fall back to the error's English sentence."""

    @staticmethod
    def status(value: str | None) -> str:
        names = {
            "waiting": QCoreApplication.translate("ErrorText", "waiting"),
            "called": QCoreApplication.translate("ErrorText", "called"),
            "serving": QCoreApplication.translate("ErrorText", "being served"),
            "parked": QCoreApplication.translate("ErrorText", "parked"),
            "done": QCoreApplication.translate("ErrorText", "finished"),
            "no_show": QCoreApplication.translate("ErrorText", "absent"),
            "cancelled": QCoreApplication.translate("ErrorText", "cancelled"),
            "transferred": QCoreApplication.translate("ErrorText", "transferred"),
            "expired": QCoreApplication.translate("ErrorText", "expired"),
        }
        return names.get(value or "", value or "")

    @staticmethod
    def counter_status(value: str, has_ticket: bool = False) -> str:
        if value == "open" and has_ticket:
            return QCoreApplication.translate("ErrorText", "Serving")
        names = {
            "open": QCoreApplication.translate("ErrorText", "Open"),
            "paused": QCoreApplication.translate("ErrorText", "Paused"),
            "closed": QCoreApplication.translate("ErrorText", "Closed"),
        }
        return names.get(value, value)

    @staticmethod
    def of(exc: BaseException) -> str:
        if isinstance(exc, StoreUnavailable):
            if exc.params.get("busy"):  # SQLite "database is locked", or the pool stayed in use
                return QCoreApplication.translate("ErrorText", "The database is busy, try again. Nothing was saved.")
            return QCoreApplication.translate(
                "ErrorText", "The database cannot be reached. Nothing was saved; try again in a moment.")
        if not isinstance(exc, QueueError):
            return QCoreApplication.translate("ErrorText", "Unexpected error: {error}").format(error=exc)
        p = {k: ("" if v is None else v) for k, v in exc.params.items()}
        code = exc.code
        if code == "nothing_waiting":
            return QCoreApplication.translate("ErrorText", "Nobody is waiting for this counter.")
        if code == "counter_busy":
            return QCoreApplication.translate(
                "ErrorText", "This counter still has a ticket open: finish it, mark it absent, park or transfer it first.")
        if code == "counter_not_open":
            return QCoreApplication.translate("ErrorText", "This counter is not open.")
        if code == "no_current_ticket":
            return QCoreApplication.translate("ErrorText", "No ticket is called at this counter.")
        if code == "invalid_transition":
            if p.get("number") and p.get("status"):
                return QCoreApplication.translate(
                    "ErrorText", "Ticket {number} is {status}; that is not possible now.").format(
                    number=p["number"], status=ErrorText.status(p["status"]))
            return QCoreApplication.translate("ErrorText", "That is not possible for this ticket now.")
        if code == "too_many_recalls":
            return QCoreApplication.translate(
                "ErrorText", "{number} was already called again {count} times; mark it absent.").format(
                number=p.get("number", ""), count=p.get("count", ""))
        if code == "ticket_not_found":
            return QCoreApplication.translate("ErrorText", "No ticket {ref} today.").format(ref=p.get("ref", ""))
        if code == "bad_ticket_ref":
            return QCoreApplication.translate(
                "ErrorText", "'{text}' is not a ticket number (like K-012) or a ticket QR code.").format(
                text=p.get("text", ""))
        if code == "unknown_user":
            return QCoreApplication.translate("ErrorText", "Unknown user '{username}'.").format(
                username=p.get("username", ""))
        if code == "wrong_pin":
            return QCoreApplication.translate(
                "ErrorText", "Wrong PIN. {left} attempts left before the account is locked.").format(
                left=p.get("left", ""))
        if code == "account_locked":
            return QCoreApplication.translate(
                "ErrorText", "Account locked until {until} (too many wrong PINs).").format(until=p.get("until", ""))
        if code == "account_disabled":
            return QCoreApplication.translate("ErrorText", "This account is disabled. Ask an administrator.")
        if code == "not_allowed":
            return QCoreApplication.translate("ErrorText", "This needs a supervisor or admin account.")
        if code == "unknown_counter":
            return QCoreApplication.translate("ErrorText", "Unknown counter {counter}.").format(
                counter=p.get("counter", ""))
        if code == "unknown_service":
            return QCoreApplication.translate("ErrorText", "Choose a service or a counter to send the ticket to.")
        if code == "clock_jump":
            return QCoreApplication.translate(
                "ErrorText", "This PC's clock jumped {days} days ahead ({day}; last service day {last_day}). "
                "Nothing was saved: fix the clock, or a supervisor starts the new day.").format(
                days=jump_days(exc), day=day_text(p.get("day")), last_day=day_text(p.get("last_day")))
        if code in ("store_conflict", "day_rolled_over"):
            return QCoreApplication.translate(
                "ErrorText", "Another station changed this at the same moment. Nothing was saved; try again.")
        return str(exc)


def day_text(iso: object) -> str:
    """An ISO date as Indonesians write it (25-11-2026); anything else as it is."""
    try:
        return date.fromisoformat(str(iso)).strftime("%d-%m-%Y")
    except ValueError:
        return str(iso or "")


def jump_days(exc: BaseException) -> int:
    """How many days a ClockJump's clock is past the last service day (0 when unknown)."""
    params = getattr(exc, "params", {}) or {}
    try:
        return (date.fromisoformat(str(params["day"])) - date.fromisoformat(str(params["last_day"]))).days
    except (KeyError, ValueError):
        return 0


def skew_text(skew: Any, tz: tzinfo | None) -> str:
    """The warning line of a PC whose clock is off the database server's (a ClockSkew)."""
    station = skew.station.astimezone(tz) if tz else skew.station
    server = skew.server.astimezone(tz) if tz else skew.server
    seconds = abs(skew.seconds)
    diff = (QCoreApplication.translate("ErrorText", "{m} min").format(m=int(seconds // 60)) if seconds >= 60
            else QCoreApplication.translate("ErrorText", "{s} s").format(s=int(seconds)))
    text = (QCoreApplication.translate("ErrorText", "This PC's clock is {diff} ahead of the server's")
            if skew.seconds > 0 else
            QCoreApplication.translate("ErrorText", "This PC's clock is {diff} behind the server's"))
    return (text.format(diff=diff) + " " + QCoreApplication.translate(
        "ErrorText", "(PC {station}, server {server}); the server's time is used. Correct this PC's clock.").format(
        station=f"{station:%d-%m-%Y %H.%M.%S}", server=f"{server:%d-%m-%Y %H.%M.%S}"))


def booking_tag(ticket: Ticket, booked: Mapping[int, str], tz: tzinfo | None) -> str:
    """"Booking 09:00" for a ticket issued at a booking's check-in (its arrival time is the
    slot start), "" for a walk-in. ``booked``: ticket id -> booking code
    (BookingService.booked_tickets())."""
    if ticket.id is None or ticket.id not in booked:
        return ""
    start = ticket.arrival_at.astimezone(tz) if tz else ticket.arrival_at
    return QCoreApplication.translate("ErrorText", "Booking {time}").format(time=f"{start:%H.%M}")


def with_booking(number: str, tag: str) -> str:
    """"K-012 · Booking 09.00" (or just the number for a walk-in)."""
    return f"{number} \u00b7 {tag}" if tag else number


def minutes_text(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    m = max(0, int(delta.total_seconds() // 60))
    if m < 60:
        return QCoreApplication.translate("ErrorText", "{m} min").format(m=m)
    return QCoreApplication.translate("ErrorText", "{h} h {m} min").format(h=m // 60, m=m % 60)


def clock_text(delta: timedelta | None) -> str:
    """mm:ss (or h:mm:ss) of a running timer."""
    if delta is None:
        return "--:--"
    s = max(0, int(delta.total_seconds()))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def since(now: datetime, then: datetime | None) -> timedelta | None:
    return None if then is None else now - then


STYLE = """
QWidget { font-size: 15px; }
QWidget#header { background: #1f3a68; }
QWidget#header QLabel { color: white; }
QLabel#title { font-size: 20px; font-weight: bold; }
QLabel#subtitle { font-size: 15px; color: #d6e2f5; }
QLabel#banner { background: #b3261e; color: white; font-size: 18px; font-weight: bold; padding: 10px; }
QLabel#message { font-size: 16px; padding: 6px; }
QLabel#message[kind="error"] { color: #b3261e; font-weight: bold; }
QLabel#message[kind="ok"] { color: #1b6e20; }
QFrame#card { background: white; border: 2px solid #c5cfdd; border-radius: 10px; }
QLabel#number { font-size: 76px; font-weight: bold; color: #1f3a68; }
QLabel#number[idle="true"] { color: #9aa6b8; }
QLabel#service { font-size: 22px; }
QLabel#state { font-size: 18px; font-weight: bold; color: #1f3a68; }
QLabel#prio { background: #e8710a; color: white; font-weight: bold; padding: 3px 10px; border-radius: 6px; }
QLabel#timer { font-size: 26px; font-family: "DejaVu Sans Mono", monospace; }
QLabel#section { font-size: 16px; font-weight: bold; color: #1f3a68; }
QPushButton { padding: 6px 12px; }
QPushButton#action { font-size: 18px; font-weight: bold; min-height: 52px; min-width: 120px;
                     border-radius: 8px; border: 1px solid #8895a7; background: #eef2f7; }
QPushButton#action:disabled { color: #a0a8b4; background: #f4f5f7; border-color: #d0d5dc; }
QPushButton#action[role="call"] { background: #1b7f3b; color: white; }
QPushButton#action[role="call"]:disabled { background: #9cc7a9; color: #eef5f0; }
QPushButton#action[role="finish"] { background: #1f5fbf; color: white; }
QPushButton#action[role="finish"]:disabled { background: #a7bde0; color: #f0f4fa; }
QPushButton#action[role="danger"] { background: #fbe9e7; color: #8c1d18; }
QPushButton#small { font-size: 14px; padding: 4px 10px; }
QLineEdit#scan { font-size: 20px; padding: 6px; }
QListWidget { font-size: 16px; }
QTableWidget, QTreeWidget { font-size: 15px; }
"""


class HeaderWidgets:
    """What ``build_header`` adds to its owner (declared for the type checker)."""

    title: QLabel
    subtitle: QLabel
    clock_label: QLabel
    banner: QLabel


def build_header(owner: Any, vmargin: int = 6) -> QVBoxLayout:
    """The dark title bar (``owner.title``, ``owner.subtitle``, ``owner.clock_label``) and the
    hidden offline/error banner (``owner.banner``) shared by the counter and monitor windows.
    Returns the owner's root layout for the rest of the window."""
    root = QVBoxLayout(owner)
    root.setContentsMargins(0, 0, 0, 0)
    root.setSpacing(0)
    header = named(QWidget(), "header")
    hl = QHBoxLayout(header)
    hl.setContentsMargins(16, vmargin, 16, vmargin)
    titles = QVBoxLayout()
    owner.title = named(QLabel(), "title")
    owner.title.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    owner.subtitle = named(QLabel(), "subtitle")
    owner.subtitle.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    titles.addWidget(owner.title)
    titles.addWidget(owner.subtitle)
    hl.addLayout(titles, 1)
    owner.clock_label = named(QLabel(), "title")
    owner.clock_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    hl.addWidget(owner.clock_label)
    root.addWidget(header)
    owner.banner = named(QLabel(), "banner")
    owner.banner.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    owner.banner.setWordWrap(True)
    owner.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
    owner.banner.hide()
    root.addWidget(owner.banner)
    return root


def booking_service(queue: Any) -> Any:
    """A read-only BookingService over the queue's store (None when the store keeps no bookings)."""
    if not hasattr(queue.store, "bookings"):
        return None
    from antrian.services.booking import BookingService

    return BookingService(queue.hall, queue.store, queue.clock)


class BookedTickets:
    """Which of today's tickets came from a booking (ticket id -> booking code), read in the
    background with BookingService.booked_tickets(); read again when an event says a booking was
    checked in (or the day changed). ``changed()`` runs on the GUI thread after a change."""

    def __init__(self, queue: Any, runner: Any, changed: Any):
        self.service = booking_service(queue)
        self.runner = runner
        self.changed = changed
        self.tz = queue.hall.tz
        self.codes: dict[int, str] = {}

    def refresh(self) -> None:
        if self.service is not None:
            self.runner.submit(self.service.booked_tickets, self._got, lambda _exc: None)

    def on_events(self, events: list) -> None:
        if any((e.type == "issued" and e.payload.get("booked")) or e.type in ("day_rollover", "day_confirmed")
               for e in events):
            self.refresh()

    def _got(self, codes: dict[int, str]) -> None:
        if codes != self.codes:
            self.codes = codes
            self.changed()

    def tag(self, ticket: Ticket) -> str:
        return booking_tag(ticket, self.codes, self.tz)


W = TypeVar("W", bound=QObject)


def named(widget: W, name: str) -> W:
    """``widget`` with its object name set (the style sheet and tests find it by that name)."""
    widget.setObjectName(name)
    return widget
